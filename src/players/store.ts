/**
 * Every read and write of the players' database (src/players/schema.ts): identities, the
 * record of every match, per-game stats and ratings, leaderboards and profiles. The same
 * queries run on the embedded SQLite database and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from "kysely";
import { isServerError, type PlayersDatabase } from "./database.js";
import { PostgresResults } from "./postgres-results.js";
import { SqliteResults } from "./sqlite-results.js";
import { conservative } from "./ratings.js";
import { writeBatch, type BatchStatements, type Outcome } from "./results.js";
import type { Database } from "./schema.js";
import type { GameStats, LeaderboardEntry, MatchSummary } from "../protocol/players.js";

export interface User {
  id: string;
  name: string;
  guest: boolean;
  email: string | null;
}

/** A finished match, as a room reports it. */
export interface MatchRecord {
  /** Unique per match: recording the same id again changes nothing (a retry, a restored room). */
  id: string;
  game: string;
  startedAt: number;
  endedAt: number;
  /** Every seat: the player's user id (null: a bot or a program without an identity), name and placement (1 = first; ties share one). */
  players: { seat: number; userId: string | null; name: string; placement: number }[];
  /** How it ended (reason, winner…), as JSON. */
  result: unknown;
  /** The complete action log, with seeds, as JSON. */
  log: unknown;
}

export type { GameStats, LeaderboardEntry, MatchSummary };

/** Games a player needs before they appear on a leaderboard, by default. */
export const LEADERBOARD_MIN_GAMES = 5;
/** Matches a profile lists, newest first. */
export const PROFILE_MATCHES = 20;

export class PlayerStore {
  /**
   * @param kind - PostgreSQL locks the stats rows a match changes (two processes may record
   *   matches of the same player at once); the embedded database has one writer anyway.
   */
  readonly db: Kysely<Database>;
  private readonly kind: "postgres" | "sqlite";
  /** The database's own writer of results, with statements prepared once (the embedded database's, or PostgreSQL's); without one, Kysely's. */
  private readonly fastWriter?: { record(matches: readonly MatchRecord[]): Outcome[] | Promise<Outcome[]> };
  /** Whether the embedded database is open (closed, it throws a TypeError that is no refusal). */
  private readonly sqliteOpen?: () => boolean;

  constructor(
    database: Pick<PlayersDatabase, "db" | "kind" | "sqlite" | "pool">,
    /** Games a player needs before they appear on a leaderboard. */
    private readonly minGames = LEADERBOARD_MIN_GAMES,
  ) {
    this.db = database.db;
    this.kind = database.kind;
    const sqlite = database.sqlite;
    if (sqlite) {
      this.fastWriter = new SqliteResults(sqlite);
      this.sqliteOpen = () => sqlite.open;
    }
    else if (database.pool) this.fastWriter = new PostgresResults(database.pool);
  }

  /** A new guest (an anonymous identity). */
  async createGuest(name: string): Promise<User> {
    const user = { id: randomUUID(), name, email: null, password: null, guest: 1, created_at: Date.now() };
    await this.db.insertInto("users").values(user).execute();
    return { id: user.id, name, guest: true, email: null };
  }

  /**
   * A registered player. With `upgrading` (a guest's id), that guest becomes the registered
   * player, so their record carries over; otherwise a new identity. The email must be
   * normalised and the password already hashed.
   */
  async register(email: string, passwordHash: string, name: string, upgrading?: string): Promise<User> {
    if (upgrading) {
      const updated = await this.db.updateTable("users").set({ email, password: passwordHash, name, guest: 0 }).where("id", "=", upgrading).where("guest", "=", 1).executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return { id: upgrading, name, guest: false, email };
    }
    const id = randomUUID();
    await this.db.insertInto("users").values({ id, name, email, password: passwordHash, guest: 0, created_at: Date.now() }).execute();
    return { id, name, guest: false, email };
  }

  /**
   * Deletes up to `limit` guests created before `createdBefore` (ms since 1970) that have no
   * record (no stats, no seat in a recorded match): a guest's token lasts TOKEN_DAYS from its
   * sign-in (a rename keeps that expiry), so nobody can be such a guest again, and an
   * address signing in as a new guest ten times a minute no longer grows the table for ever.
   * Returns how many went, and where the next call starts (`createdFrom`): `createdBefore` once
   * every such guest before it is gone.
   */
  async pruneGuests(createdBefore: number, limit = 1000, createdFrom = 0): Promise<{ removed: number; next: number }> {
    const unused = (eb: ExpressionBuilder<Database, "users">) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom("stats").select("stats.user_id").whereRef("stats.user_id", "=", "users.id"))),
        eb.not(eb.exists(eb.selectFrom("match_players").select("match_players.user_id").whereRef("match_players.user_id", "=", "users.id"))),
      ]);
    // Oldest first from `createdFrom` (the guests index, in its order): a guest skipped here has
    // a record, which it keeps for good, so the next batch and the next pass start after it.
    const found = await this.db
      .selectFrom("users")
      .select(["id", "created_at"])
      .where("guest", "=", 1)
      .where("created_at", ">=", createdFrom)
      .where("created_at", "<", createdBefore)
      .where(unused)
      .orderBy("created_at")
      .limit(limit)
      .execute();
    if (found.length === 0) return { removed: 0, next: createdBefore };
    // Checked again as they go: a record that came meanwhile keeps its guest.
    const deleted = await this.db
      .deleteFrom("users")
      .where(
        "id",
        "in",
        found.map((r) => r.id),
      )
      .where(unused)
      .executeTakeFirst();
    return { removed: Number(deleted.numDeletedRows), next: found.length < limit ? createdBefore : Number(found[found.length - 1]!.created_at) };
  }

  /** A registered player by normalised email, with their password hash (for signing in). */
  async userByEmail(email: string): Promise<(User & { password: string | null }) | undefined> {
    const row = await this.db.selectFrom("users").select(["id", "name", "guest", "email", "password"]).where("email", "=", email).executeTakeFirst();
    return row && { id: row.id, name: row.name, guest: row.guest === 1, email: row.email, password: row.password };
  }

  async user(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom("users").select(["id", "name", "guest", "email"]).where("id", "=", id).executeTakeFirst();
    return row && { id: row.id, name: row.name, guest: row.guest === 1, email: row.email };
  }

  async rename(id: string, name: string): Promise<boolean> {
    const updated = await this.db.updateTable("users").set({ name }).where("id", "=", id).executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /**
   * Records a finished match in one transaction: the match, its players, each known
   * player's stats and, when every seat is a known player (no bot, no anonymous program),
   * their ratings. A match id already recorded changes nothing ("duplicate").
   */
  async recordMatch(match: MatchRecord): Promise<Outcome> {
    return (await this.recordMatches([match]))[0]!;
  }

  /**
   * Whether `err`, from {@link recordMatches}, says the database refused those matches for
   * what they hold (a value it cannot store, a broken constraint: SQLSTATE classes 22 and
   * 23, SQLite's constraint, mismatch, size and range errors, or a value the driver cannot
   * bind), so retrying the same batch as it is fails again; not that it is unavailable.
   */
  refusesRecord(err: unknown): boolean {
    if (isServerError(err)) return /^2[23]/.test((err as { code?: string }).code ?? "");
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string" && code.startsWith("SQLITE_")) return /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
    return (err instanceof TypeError || err instanceof RangeError) && (this.sqliteOpen?.() ?? true);
  }

  /**
   * Records several finished matches in one transaction (each as {@link recordMatch} would,
   * in order): a busy server's results share one commit. Each database writes them with
   * statements prepared once (src/players/sqlite-results.ts, src/players/postgres-results.ts);
   * the query builder's way below, a handful of statements for the whole batch, is the
   * reference they are tested against.
   */
  recordMatches(matches: readonly MatchRecord[]): Promise<Outcome[]> {
    if (this.fastWriter) {
      try {
        return Promise.resolve(this.fastWriter.record(matches));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.db.transaction().execute((trx) => writeBatch(this.statements(trx), matches));
  }

  /** The query builder's statements for a batch (see writeBatch), in transaction `trx`. */
  private statements(trx: Transaction<Database>): BatchStatements {
    return {
      knownUsers: async (ids) => (await trx.selectFrom("users").select("id").where("id", "in", ids).execute()).map((r) => r.id),
      insertMatches: async (rows) => (await trx.insertInto("matches").values(rows).onConflict((oc) => oc.column("id").doNothing()).returning("id").execute()).map((r) => r.id),
      insertSeats: async (rows) => void (await trx.insertInto("match_players").values(rows).execute()),
      lockStats: async (rows) => {
        // Every row exists before it is read (and, on PostgreSQL, locked: two processes may record one player's matches at once).
        await trx.insertInto("stats").values(rows).onConflict((oc) => oc.columns(["user_id", "game"]).doNothing()).execute();
        let read = trx
          .selectFrom("stats")
          .selectAll()
          .where("user_id", "in", [...new Set(rows.map((r) => r.user_id))])
          .where("game", "in", [...new Set(rows.map((r) => r.game))]);
        if (this.kind === "postgres") read = read.forUpdate();
        return read.execute();
      },
      // One statement writes them all: every row exists and is locked, so each is an update.
      writeStats: async (rows) =>
        void (await trx
          .insertInto("stats")
          .values(rows.map((r) => ({ user_id: r.user_id, game: r.game, played: r.played, won: r.won, lost: r.lost, drawn: r.drawn, rated: r.rated, mu: r.mu, sigma: r.sigma })))
          .onConflict((oc) =>
            oc.columns(["user_id", "game"]).doUpdateSet((eb) => ({
              played: eb.ref("excluded.played"),
              won: eb.ref("excluded.won"),
              lost: eb.ref("excluded.lost"),
              drawn: eb.ref("excluded.drawn"),
              rated: eb.ref("excluded.rated"),
              mu: eb.ref("excluded.mu"),
              sigma: eb.ref("excluded.sigma"),
            })),
          )
          .execute()),
    };
  }

  /** A game's best players by μ − 3σ (at least `minGames` rated games), ranked from 1; equal ratings share a rank ("1, 2, 2, 4"). */
  async leaderboard(game: string, limit: number): Promise<LeaderboardEntry[]> {
    const rows = await this.leaderboardQuery(game, limit).execute();
    let rank = 0;
    let previous = NaN;
    return rows.map((r, i) => {
      const rating = conservative(r);
      if (rating !== previous) rank = i + 1;
      previous = rating;
      return { rank, userId: r.user_id, name: r.name, rating: round(rating), played: r.played, won: r.won };
    });
  }

  /** The leaderboard's query (its plan is tested: it must read the index stats_rated_rank, not sort). */
  leaderboardQuery(game: string, limit: number) {
    return (
      this.db
        .selectFrom("stats")
        .innerJoin("users", "users.id", "stats.user_id")
        .select(["stats.user_id", "users.name", "stats.mu", "stats.sigma", "stats.played", "stats.won"])
        .where("stats.game", "=", game)
        // Rated games: games against a bot or an anonymous program move no rating, and do not list a player at a new player's 0.0.
        .where("stats.rated", ">=", this.minGames)
        // The index's condition word for word (a parameter would not do), so the database may read it.
        .where(sql<boolean>`rated > 0`)
        // The expression exactly as the index stats_rated_rank holds it (migration 0005), so the
        // database reads the best players from it instead of sorting every player.
        .orderBy(sql`mu - 3 * sigma`, "desc")
        .orderBy("stats.played", "desc")
        .orderBy("stats.user_id")
        .limit(limit)
    );
  }

  /** A player's identity, stats per game and last {@link PROFILE_MATCHES} matches, newest first; undefined for an unknown id. */
  async profile(id: string): Promise<(Omit<User, "email"> & { stats: Record<string, GameStats>; matches: MatchSummary[] }) | undefined> {
    const user = await this.user(id);
    if (!user) return undefined;
    const statsRows = await this.db.selectFrom("stats").selectAll().where("user_id", "=", id).orderBy("game").execute();
    const stats: Record<string, GameStats> = {};
    for (const r of statsRows) stats[r.game] = { played: r.played, won: r.won, lost: r.lost, drawn: r.drawn, rated: r.rated, rating: round(conservative(r)) };
    const mine = await this.lastMatches(id);
    const seats = await this.seatsOf(mine.map((m) => m.id));
    const matches = mine.map((m) => ({ id: m.id, game: seats.get(m.id)?.game ?? "", endedAt: m.ended_at, placement: m.placement, players: seats.get(m.id)?.players ?? [] }));
    return { id: user.id, name: user.name, guest: user.guest, stats, matches };
  }

  /**
   * A player's last {@link PROFILE_MATCHES} matches, newest first, each once: a player in two
   * seats (two tabs) sees the match once, at their better place (it counts in none of their stats: src/players/results.ts).
   * Read from the index on (player, end, match) a page at a time, so the cost does not grow
   * with the player's matches; a match's seats are neighbours in it (they share its end).
   */
  private async lastMatches(userId: string): Promise<{ id: string; ended_at: number; placement: number }[]> {
    const page = 2 * PROFILE_MATCHES;
    const picked = new Map<string, { ended_at: number; placement: number }>();
    let after: { ended_at: number; match_id: string; seat: number } | undefined;
    for (;;) {
      let query = this.db.selectFrom("match_players").select(["match_id", "ended_at", "placement", "seat"]).where("user_id", "=", userId);
      // The next page starts after the last row read (a match's seats may straddle two pages).
      if (after) query = query.where((eb) => eb(eb.refTuple("ended_at", "match_id", "seat"), "<", eb.tuple(after!.ended_at, after!.match_id, after!.seat)));
      const rows = await query.orderBy("ended_at", "desc").orderBy("match_id", "desc").orderBy("seat", "desc").limit(page).execute();
      let full = false;
      for (const r of rows) {
        const seen = picked.get(r.match_id);
        if (seen) seen.placement = Math.min(seen.placement, r.placement);
        else if (picked.size === PROFILE_MATCHES) {
          full = true;
          break;
        } else picked.set(r.match_id, { ended_at: Number(r.ended_at), placement: r.placement });
      }
      if (full || rows.length < page) break;
      after = rows.at(-1)!;
    }
    return [...picked].map(([id, m]) => ({ id, ended_at: m.ended_at, placement: m.placement }));
  }

  /** A recorded match: its players, result and action log; undefined for an unknown id. */
  async match(id: string): Promise<{ id: string; game: string; startedAt: number; endedAt: number; rated: boolean; players: MatchSummary["players"]; result: unknown; log: unknown } | undefined> {
    const found = await this.matchRecord(id);
    return found && { ...found.record, log: JSON.parse(found.log) as unknown };
  }

  /**
   * {@link match} as JSON text, as the API answers it: the stored action log (the largest
   * part, up to hundreds of KB) goes out as it was stored, never parsed and re-serialised.
   */
  async matchJson(id: string): Promise<string | undefined> {
    const found = await this.matchRecord(id);
    return found && `${JSON.stringify(found.record).slice(0, -1)},"log":${found.log}}`;
  }

  /** A match's row and seats; its log as the stored JSON text. */
  private async matchRecord(id: string) {
    const m = await this.db.selectFrom("matches").selectAll().where("id", "=", id).executeTakeFirst();
    if (!m) return undefined;
    const seats = await this.seatsOf([id]);
    const record = { id: m.id, game: m.game, startedAt: m.started_at, endedAt: m.ended_at, rated: m.rated === 1, players: seats.get(id)?.players ?? [], result: JSON.parse(m.result) as unknown };
    return { record, log: m.log };
  }

  /** The matches' seats in seat order, with each match's game: one read for a profile's whole history. */
  private async seatsOf(matchIds: readonly string[]): Promise<Map<string, { game: string; players: MatchSummary["players"] }>> {
    const out = new Map<string, { game: string; players: MatchSummary["players"] }>();
    if (matchIds.length === 0) return out;
    const rows = await this.db
      .selectFrom("match_players")
      .innerJoin("matches", "matches.id", "match_players.match_id")
      .select(["match_players.match_id", "match_players.seat", "match_players.user_id", "match_players.name", "match_players.placement", "matches.game"])
      .where("match_players.match_id", "in", [...matchIds])
      .orderBy("match_players.match_id")
      .orderBy("match_players.seat")
      .execute();
    for (const r of rows) {
      let match = out.get(r.match_id);
      if (!match) out.set(r.match_id, (match = { game: r.game, players: [] }));
      match.players.push({ seat: r.seat, userId: r.user_id, name: r.name, placement: r.placement });
    }
    return out;
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
