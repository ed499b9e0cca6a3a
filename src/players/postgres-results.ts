/**
 * PostgreSQL's writer of finished matches: the same records as the embedded database's
 * writer (src/players/sqlite-results.ts; both work them out with src/players/results.ts,
 * and this one runs the steps of its `writeBatch`), written in one transaction by five statements whose text never changes: each takes
 * whole columns as arrays (`unnest`), whatever the batch's size, and is prepared once per
 * connection (a named statement).
 *
 * Why: recording is the one write that comes with every game. Through Kysely, every batch
 * built and compiled its multi-row statements again (their text changes with the batch's
 * size) and PostgreSQL parsed and planned them again: 212–239 µs of the game process's
 * CPU per match in transactions of 7, against 148–165 µs here (`npx tsx
 * bench/record-postgres.ts`); see the README.
 *
 * Two processes may record matches of one player at once: the stats rows a batch changes
 * are locked (and created if new) by one upsert, in a fixed order, before they are read,
 * so neither overwrites the other's count; rows are inserted and locked in key order
 * (`writeBatch`), so two batches never wait for each other in a circle.
 */
import type pg from "pg";
import { isServerError } from "./database.js";
import { writeBatch, type BatchStatements, type Outcome } from "./results.js";
import type { MatchesTable, MatchPlayersTable, StatsTable } from "./schema.js";
import type { MatchRecord } from "./store.js";

/** The statements, named (prepared once per connection): the prefix changes with their text. */
const KNOWN_USERS: pg.QueryConfig = { name: "results-1-known-users", text: "select id from users where id = any($1::text[])" };
const INSERT_MATCHES: pg.QueryConfig = {
  name: "results-1-insert-matches",
  text:
    "insert into matches (id, game, started_at, ended_at, rated, result, log) " +
    "select * from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::integer[], $6::text[], $7::text[]) " +
    "on conflict (id) do nothing returning id",
};
const INSERT_SEATS: pg.QueryConfig = {
  name: "results-2-insert-seats",
  text: "insert into match_players (match_id, seat, user_id, name, placement, ended_at) select * from unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::integer[], $6::bigint[])",
};
const STATS_COLUMNS = "(user_id, game, played, won, lost, drawn, rated, mu, sigma) select * from unnest($1::text[], $2::text[], $3::integer[], $4::integer[], $5::integer[], $6::integer[], $7::integer[], $8::double precision[], $9::double precision[])";
/**
 * Creates the rows that are new and locks every one, returning each as it is now: an update
 * that changes nothing, and no key (the weaker row lock, and no foreign-key check again).
 */
const LOCK_STATS: pg.QueryConfig = {
  name: "results-3-lock-stats",
  text: `insert into stats ${STATS_COLUMNS} on conflict (user_id, game) do update set played = stats.played returning user_id, game, played, won, lost, drawn, rated, mu, sigma`,
};
const WRITE_STATS: pg.QueryConfig = {
  name: "results-2-write-stats",
  text:
    `insert into stats ${STATS_COLUMNS} on conflict (user_id, game) do update set ` +
    "played = excluded.played, won = excluded.won, lost = excluded.lost, drawn = excluded.drawn, rated = excluded.rated, mu = excluded.mu, sigma = excluded.sigma",
};

const run = <R extends pg.QueryResultRow>(client: pg.PoolClient, statement: pg.QueryConfig, values: unknown[]) => client.query<R>({ ...statement, values });

/** Rows as columns, in the order of a statement's parameters: each statement's arrays for `unnest`. */
const columns = <T>(rows: readonly T[], keys: readonly (keyof T)[]) => keys.map((k) => rows.map((r) => r[k]));
const MATCH_KEYS = ["id", "game", "started_at", "ended_at", "rated", "result", "log"] as const satisfies readonly (keyof MatchesTable)[];
const SEAT_KEYS = ["match_id", "seat", "user_id", "name", "placement", "ended_at"] as const satisfies readonly (keyof MatchPlayersTable)[];
const STATS_KEYS = ["user_id", "game", "played", "won", "lost", "drawn", "rated", "mu", "sigma"] as const satisfies readonly (keyof StatsTable)[];

export class PostgresResults {
  constructor(private readonly pool: pg.Pool) {}

  /** Records the matches in one transaction, in order (see PlayerStore.recordMatches); rejects if it cannot (nothing is then written). */
  async record(matches: readonly MatchRecord[]): Promise<Outcome[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("begin");
      const outcome = await writeBatch(this.statements(client), matches);
      await client.query("commit");
      return outcome;
    } catch (err) {
      // An SQL error: rolled back, and the connection is kept. Any other (the connection was
      // cut, or the server did not answer in time): it is closed, not given back to the pool,
      // and the server rolls back the transaction of a connection that ended.
      if (isServerError(err)) await client.query("rollback").catch(() => (broken = true));
      else broken = true;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** The statements, on `client`, its transaction under way. */
  private statements(client: pg.PoolClient): BatchStatements {
    return {
      knownUsers: async (ids) => (await run<{ id: string }>(client, KNOWN_USERS, [ids])).rows.map((r) => r.id),
      insertMatches: async (rows) => (await run<{ id: string }>(client, INSERT_MATCHES, columns(rows, MATCH_KEYS))).rows.map((r) => r.id),
      insertSeats: async (rows) => void (await run(client, INSERT_SEATS, columns(rows, SEAT_KEYS))),
      lockStats: async (rows) => (await run<StatsTable>(client, LOCK_STATS, columns(rows, STATS_KEYS))).rows,
      writeStats: async (rows) => void (await run(client, WRITE_STATS, columns(rows, STATS_KEYS))),
    };
  }
}
