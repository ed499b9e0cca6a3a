/**
 * The leaderboards, read at most once a second per game, whatever the request rate.
 *
 * A leaderboard is read from an index in its order (about 1 ms with 100,000 players on the
 * embedded database, which answers on the event loop every game shares), and still, a
 * request rate should not turn into a query rate. Each game's top {@link LEADERBOARD_MAX}
 * is kept and every request gets a slice of it:
 *
 * - kept `maxAgeMs` (10 s) while nothing changes;
 * - once a result of that game is recorded, read again at the next request, but never
 *   more than once a `minAgeMs` (1 s): a player who just won sees it within a second;
 * - requests while a read runs share it; a failed read is not kept.
 */
import type { LeaderboardEntry } from "./store.js";

/** Leaderboard rows one request may ask for (what is kept per game). */
export const LEADERBOARD_MAX = 100;

interface Kept {
  readAt: number;
  entries: Promise<LeaderboardEntry[]>;
  /** A result of this game was recorded after this read started. */
  stale: boolean;
}

export interface LeaderboardsOptions {
  /** Reads a game's leaderboard from the database. */
  read(game: string, limit: number): Promise<LeaderboardEntry[]>;
  /** @default 10000 */
  maxAgeMs?: number;
  /** @default 1000 */
  minAgeMs?: number;
  now?: () => number;
}

export class Leaderboards {
  private readonly kept = new Map<string, Kept>();
  private readonly maxAgeMs: number;
  private readonly minAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: LeaderboardsOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.minAgeMs = options.minAgeMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** The first `limit` (at most {@link LEADERBOARD_MAX}) of `game`'s leaderboard. */
  async leaderboard(game: string, limit: number): Promise<LeaderboardEntry[]> {
    const now = this.now();
    let kept = this.kept.get(game);
    const age = kept ? now - kept.readAt : Infinity;
    if (!kept || age >= this.maxAgeMs || (kept.stale && age >= this.minAgeMs)) {
      const entries = this.options.read(game, LEADERBOARD_MAX);
      const fresh: Kept = { readAt: now, entries, stale: false };
      kept = fresh;
      this.kept.set(game, fresh);
      // A failed read is not kept: the next request reads again.
      entries.catch(() => this.kept.get(game) === fresh && this.kept.delete(game));
    }
    return (await kept.entries).slice(0, limit);
  }

  /** Results of these games were recorded: their leaderboards are read again soon. */
  changed(games: Iterable<string>): void {
    for (const game of games) {
      const kept = this.kept.get(game);
      if (kept) kept.stale = true;
    }
  }
}
