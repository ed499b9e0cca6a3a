/**
 * Opens the players' database and brings its schema up to date (src/players/schema.ts):
 * PostgreSQL when `DATABASE_URL` is set (production), else an embedded SQLite file in the
 * data folder (`npm start` on a laptop: no server to run).
 *
 * The embedded file is locked for as long as this process has it open (SQLite's own
 * exclusive locking mode): a second process that opens the same file fails at start-up
 * with a clear error, instead of two processes writing one file.
 */
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { migrationProvider, type Database } from "./schema.js";

export interface DatabaseOptions {
  /** `postgres://…`: PostgreSQL. Unset: the embedded database in `dataDir`. */
  url?: string;
  /** The folder of the embedded database (`players.sqlite`). */
  dataDir: string;
}

export interface PlayersDatabase {
  db: Kysely<Database>;
  kind: "postgres" | "sqlite";
  /** The embedded database's connection itself, for the writes that need no query builder (src/players/sqlite-results.ts). */
  sqlite?: BetterSqlite3.Database;
  /** Where it is, for the log line (never a password). */
  where: string;
  close(): Promise<void>;
}

/** PostgreSQL's bigint (OID 20) arrives as a string by default: our bigints are epoch ms, well within 2^53. */
const PG_INT8 = 20;
/** PostgreSQL's double precision (OID 701) already arrives as a number; numeric (1700) is not used. */

/** Prepared statements kept by SQL text: Kysely prepares every query again, which cost a third of a recorded match's CPU. */
const MAX_STATEMENTS = 256;
function cachedStatements(sqlite: BetterSqlite3.Database): { close(): void; prepare(sql: string): BetterSqlite3.Statement } {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        // Queries built with a varying number of values (IN lists) are few; the bound only guards against a leak.
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<PlayersDatabase> {
  let opened: PlayersDatabase;
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      types: { getTypeParser: (oid: number, format?: "text" | "binary") => (oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) },
    });
    // An idle connection cut by the server (a restart, an outage) is an "error" event: unhandled, it would end the process; the next query reconnects.
    pool.on("error", () => undefined);
    const url = new URL(options.url);
    opened = { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: "postgres", where: `${url.hostname}:${url.port || 5432}${url.pathname}`, close: async () => undefined };
  } else {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, "players.sqlite");
    const sqlite = new BetterSqlite3(file, { timeout: 0 });
    try {
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("foreign_keys = ON");
      // Held until this process closes the file: a second opener gets SQLITE_BUSY at once.
      sqlite.pragma("locking_mode = EXCLUSIVE");
      sqlite.exec("BEGIN EXCLUSIVE; COMMIT;");
    } catch (err) {
      sqlite.close();
      if ((err as { code?: string }).code === "SQLITE_BUSY") throw new Error(`the players' database ${file} is in use by another process (one process per embedded database; set DATABASE_URL to share PostgreSQL)`);
      throw err;
    }
    // WAL with synchronous=NORMAL: a commit survives a crash of this process (not a power
    // cut of the host's last moments), and costs no disk flush.
    sqlite.pragma("synchronous = NORMAL");
    opened = { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) }), kind: "sqlite", sqlite, where: file, close: async () => undefined };
  }
  const { db } = opened;
  opened.close = () => db.destroy();
  try {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  } catch (err) {
    await db.destroy();
    throw new Error(`the players' database could not be brought up to date: ${(err as Error).message}`);
  }
  return opened;
}
