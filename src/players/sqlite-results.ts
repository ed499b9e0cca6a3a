/**
 * The embedded database's writer of finished matches: the same records as the Kysely
 * writer (src/players/store.ts; both work them out with src/players/results.ts), written
 * with statements prepared once, row by row, in one synchronous transaction.
 *
 * Why: recording is the one write that comes with every game. Through Kysely, a batch of
 * a dozen matches cost about 370 µs of CPU per match on these machines (building and
 * compiling its multi-row statements, whose text changes with the batch's size); with
 * prepared statements about half as much. Nothing else can run on the connection meanwhile:
 * better-sqlite3 is synchronous, so no other query starts until the transaction has ended.
 */
import type BetterSqlite3 from "better-sqlite3";
import { applyResults, candidates, namedUsers, newStats, outcomes, seatRows, statsKey, statsPairs, type Outcome } from "./results.js";
import type { StatsTable } from "./schema.js";
import type { MatchRecord } from "./store.js";

export class SqliteResults {
  private readonly write: BetterSqlite3.Transaction<(matches: readonly MatchRecord[]) => Outcome[]>;

  constructor(sqlite: BetterSqlite3.Database) {
    const userKnown = sqlite.prepare<[string], 1>("select 1 from users where id = ?").pluck();
    const insertMatch = sqlite.prepare("insert into matches (id, game, started_at, ended_at, rated, result, log) values (@id, @game, @started_at, @ended_at, @rated, @result, @log) on conflict (id) do nothing");
    const insertSeat = sqlite.prepare("insert into match_players (match_id, seat, user_id, name, placement, ended_at) values (@match_id, @seat, @user_id, @name, @placement, @ended_at)");
    const readStats = sqlite.prepare<[string, string], StatsTable>("select * from stats where user_id = ? and game = ?");
    const writeStats = sqlite.prepare(
      "insert into stats (user_id, game, played, won, lost, drawn, rated, mu, sigma) values (@user_id, @game, @played, @won, @lost, @drawn, @rated, @mu, @sigma) " +
        "on conflict (user_id, game) do update set played = excluded.played, won = excluded.won, lost = excluded.lost, drawn = excluded.drawn, rated = excluded.rated, mu = excluded.mu, sigma = excluded.sigma",
    );
    this.write = sqlite.transaction((matches: readonly MatchRecord[]) => {
      const known = new Set(namedUsers(matches).filter((id) => userKnown.get(id) !== undefined));
      const batch = candidates(matches, known);
      const inserted = new Set<string>();
      for (const c of batch) if (insertMatch.run(c.row).changes === 1) inserted.add(c.row.id);
      const fresh = batch.filter((c) => inserted.has(c.row.id));
      for (const c of fresh) for (const seat of seatRows(c.match)) insertSeat.run(seat);
      const rows = new Map<string, StatsTable>();
      for (const pair of statsPairs(fresh)) rows.set(statsKey(pair.user_id, pair.game), readStats.get(pair.user_id, pair.game) ?? newStats(pair));
      for (const row of applyResults(rows, fresh)) writeStats.run(row);
      return outcomes(matches, inserted);
    });
  }

  /** Records the matches in one transaction, in order (see PlayerStore.recordMatches); throws if it cannot (nothing is then written). */
  record(matches: readonly MatchRecord[]): Outcome[] {
    // BEGIN IMMEDIATE: the write lock is taken first, under the connection's busy timeout;
    // a deferred transaction that reads first cannot wait for it when it upgrades.
    return this.write.immediate(matches);
  }
}
