/**
 * Opens the players' database and brings its schema up to date (src/players/schema.ts):
 * PostgreSQL when `DATABASE_URL` is set (production), else an embedded SQLite file in the
 * data folder (`npm start` on a laptop: no server to run).
 *
 * The embedded database's folder is locked for as long as this process has it open (an
 * exclusive SQLite lock on `players.lock` beside the database): a second process that
 * opens it fails at start-up with a clear error, instead of two processes writing one
 * file. The database file itself stays open to readers (`sqlite3 … "VACUUM INTO …"` while the
 * server runs), and its WAL checkpoints run in a worker thread (src/players/checkpointer.ts).
 */
import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Logger } from "../logger.js";
import { startCheckpointer, type Checkpointer } from "./checkpointer.js";
import { migrationProvider, type Database } from "./schema.js";

export interface DatabaseOptions {
  /** `postgres://…`: PostgreSQL. Unset: the embedded database in `dataDir`. */
  url?: string;
  /** The folder of the embedded database (`players.sqlite`). */
  dataDir: string;
  /** Where the embedded database's background checkpointer reports a failure. */
  logger?: Logger;
  /**
   * PostgreSQL: how long a connection attempt or a statement may take (ms). A server that
   * stops answering (frozen, or cut off by the network without a reset) then fails the query
   * instead of holding it forever. @default 10000
   */
  timeoutMs?: number;
}

export interface PlayersDatabase {
  db: Kysely<Database>;
  kind: "postgres" | "sqlite";
  /** The embedded database's connection itself, for the writes that need no query builder (src/players/sqlite-results.ts). */
  sqlite?: BetterSqlite3.Database;
  /** PostgreSQL's connections themselves, likewise (src/players/postgres-results.ts). */
  pool?: pg.Pool;
  /** Where it is, for the log line (never a password). */
  where: string;
  /** The embedded database's background WAL checkpoints (src/players/checkpointer.ts). */
  checkpointer?: Checkpointer;
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

/**
 * Locks the embedded database's folder for this process: an exclusive lock on a small
 * SQLite file of its own (`players.lock`), held until closed and released by the system
 * if the process dies. A second process gets SQLITE_BUSY at once: a clear error.
 */
function lockFolder(dataDir: string, file: string): BetterSqlite3.Database {
  const lock = new BetterSqlite3(path.join(dataDir, "players.lock"), { timeout: 0 });
  try {
    // The rollback journal in memory: the lock file holds nothing worth one, and no
    // players.lock-journal lies beside it while the lock is held. (Until 2026-12-05 this asked
    // for "OFF", which better-sqlite3's defensive mode refuses silently: the journal stayed on
    // disk for as long as the server ran.)
    lock.pragma("journal_mode = MEMORY");
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.exec("BEGIN EXCLUSIVE; COMMIT;");
    return lock;
  } catch (err) {
    lock.close();
    throw inUse(err, file);
  }
}

/** SQLITE_BUSY at open: another process has the database (this server, or one from before the lock file that locked the database file itself). */
function inUse(err: unknown, file: string): unknown {
  if ((err as { code?: string }).code !== "SQLITE_BUSY") return err;
  return new Error(`the players' database ${file} is in use by another process (one process per embedded database; set DATABASE_URL to share PostgreSQL)`);
}

/**
 * How long the server's connection waits for a lock held by another connection: the
 * checkpointer's, for microseconds at most; an outside program's, which may only read
 * (see the README). Kept short: the wait holds the event loop.
 */
const BUSY_TIMEOUT_MS = 50;

/** PostgreSQL: how long a connection attempt or a statement may take, by default (DATABASE_TIMEOUT_MS). */
const DEFAULT_TIMEOUT_MS = 10_000;
/** How much longer the driver waits for an answer than the server's own statement timeout. */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;
/** TCP keepalive starts probing an idle connection after this long. */
const KEEPALIVE_DELAY_MS = 10_000;
/** A transaction left idle this many timeouts (its client gone without a word) is ended by the server. */
const IDLE_IN_TRANSACTION_FACTOR = 3;

/**
 * Whether a query's error came from the server (an SQL error: the connection is still
 * sound) rather than from the connection (cut, or no answer in time: its state is unknown,
 * and a query still under way would hold up every later one).
 */
export function isServerError(err: unknown): boolean {
  return err instanceof pg.DatabaseError;
}

/**
 * The pool as Kysely sees it, with one difference: a connection on which a query failed
 * other than with an SQL error is closed when it is given back, not kept for the next
 * query (pg-pool keeps it unless told). Without it, a connection the network cut off
 * silently answers nothing forever, and every later query given it times out in turn.
 */
function closingBroken(pool: pg.Pool): { connect(): Promise<pg.PoolClient>; end(): Promise<void> } {
  // One stand-in per connection, for its whole life (Kysely keys its own state by it).
  const standIns = new WeakMap<pg.PoolClient, { client: pg.PoolClient; broken: boolean }>();
  return {
    end: () => pool.end(),
    async connect() {
      const client = await pool.connect();
      let entry = standIns.get(client);
      if (!entry) {
        const state = { broken: false, client: undefined as unknown as pg.PoolClient };
        state.client = Object.assign(Object.create(client) as pg.PoolClient, {
          query: (...args: unknown[]) => {
            // Its last query never ended: a new one would wait behind it for another whole timeout.
            if (state.broken) return Promise.reject(new Error("the connection to the players' database is broken"));
            const result: unknown = Reflect.apply(client.query, client, args);
            // A promise (a cursor, which Kysely streams through, is not one: returned as it is).
            if (!(result instanceof Promise)) return result;
            return result.catch((err: unknown) => {
              if (!isServerError(err)) state.broken = true;
              throw err;
            });
          },
          // pg-pool gives each checkout its own release: the current one.
          release: (destroy?: boolean) => client.release(state.broken || destroy === true),
        });
        entry = state;
        standIns.set(client, entry);
      }
      return entry.client;
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<PlayersDatabase> {
  let opened: PlayersDatabase;
  if (options.url) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: 10,
      types: { getTypeParser: (oid: number, format?: "text" | "binary") => (oid === PG_INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) },
      // A server that accepts the connection but never finishes the handshake (frozen, cut off).
      connectionTimeoutMillis: timeoutMs,
      // A statement the server never answers. The server cancels its own first (statement_timeout, set below), so this one fires only when it cannot answer at all.
      query_timeout: timeoutMs + QUERY_TIMEOUT_MARGIN_MS,
      // An idle connection the network dropped is found out by TCP keepalive (after this, then the system's probes), not by the next query.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
      // Before a new connection is handed out (awaited; if it fails, the connection is closed
      // and the query fails): set by statements, not as startup parameters, which PgBouncer
      // refuses. A statement waiting longer (a lock held by a stalled process) is cancelled by
      // the server; a transaction whose client vanished without a word gives its row locks back.
      onConnect: (client) => client.query(`set statement_timeout = ${timeoutMs}; set idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_FACTOR * timeoutMs}`),
    });
    // A connection cut by the server (a restart, an outage) is an "error" event: unhandled, it
    // would end the process. The pool listens on idle connections only; a connection in use
    // (a transaction under way) gets a listener of its own for good. Either way its queries
    // fail (the recorder retries), the pool drops it, and the next query reconnects.
    pool.on("error", () => undefined);
    pool.on("connect", (client) => client.on("error", () => undefined));
    const url = new URL(options.url);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: closingBroken(pool) }) });
    opened = { db, kind: "postgres", pool, where: `${url.hostname}:${url.port || 5432}${url.pathname}`, close: () => db.destroy() };
  } else {
    fs.mkdirSync(options.dataDir, { recursive: true });
    const file = path.join(options.dataDir, "players.sqlite");
    const lock = lockFolder(options.dataDir, file);
    let sqlite: BetterSqlite3.Database | undefined;
    let checkpointer: Checkpointer;
    try {
      sqlite = new BetterSqlite3(file, { timeout: BUSY_TIMEOUT_MS });
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("foreign_keys = ON");
      // WAL with synchronous=NORMAL: a commit survives a crash of this process (not a power
      // cut of the host's last moments), and costs no disk flush, except the first commit
      // after a complete checkpoint, which starts the WAL over and flushes its header.
      sqlite.pragma("synchronous = NORMAL");
      checkpointer = await startCheckpointer(sqlite, file, options.logger);
    } catch (err) {
      sqlite?.close();
      lock.close();
      throw inUse(err, file);
    }
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
    opened = {
      db,
      kind: "sqlite",
      sqlite,
      where: file,
      checkpointer,
      // The checkpointer ends first; the last connection's close checkpoints the rest; the folder is free after.
      close: async () => {
        try {
          await checkpointer.stop();
          await db.destroy();
        } finally {
          lock.close();
        }
      },
    };
  }
  // PostgreSQL: migrations run on a connection of their own, without the pool's statement
  // and query timeouts (an index over a large table, or an update of every row, may take
  // longer than DATABASE_TIMEOUT_MS); connecting is still bounded by it.
  let migrating = opened.db;
  if (opened.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: options.url, max: 1, connectionTimeoutMillis: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    pool.on("error", () => undefined);
    migrating = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  try {
    const { error } = await new Migrator({ db: migrating, provider: migrationProvider }).migrateToLatest();
    if (error) throw error;
  } catch (err) {
    await opened.close();
    throw new Error(`the players' database could not be brought up to date: ${(err as Error).message}`);
  } finally {
    if (migrating !== opened.db) await migrating.destroy();
  }
  return opened;
}
