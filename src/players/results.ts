/**
 * What recording a batch of finished matches writes, worked out without a database: which
 * matches are candidates (the first of each id; a player unknown to the database plays as
 * anonymous), their rows, and each known player's stats and rating after them. The two
 * writers call it, so both record exactly alike: the Kysely one (PostgreSQL, and anything
 * else; src/players/store.ts) and the embedded database's prepared statements
 * (src/players/sqlite-results.ts).
 */
import { initialSkill, rateMatch } from "./ratings.js";
import type { MatchesTable, MatchPlayersTable, StatsTable } from "./schema.js";
import type { MatchRecord } from "./store.js";

/** A match of the batch that may be recorded, with its row. */
export interface Candidate {
  match: MatchRecord;
  row: MatchesTable;
}

export type Outcome = "recorded" | "duplicate";

/** The user ids a batch names (each once): the writer asks the database which it knows. */
export function namedUsers(matches: readonly MatchRecord[]): string[] {
  const ids = new Set<string>();
  for (const m of matches) for (const p of m.players) if (p.userId) ids.add(p.userId);
  return [...ids];
}

/**
 * The batch's candidates, in order: the first of each match id (a later one is a
 * duplicate); a user the database does not know (`known`) is recorded as anonymous (a token
 * from a reset database; another process's own embedded database): a record naming them
 * would fail every retry and hold up the results behind it.
 */
export function candidates(matches: readonly MatchRecord[], known: ReadonlySet<string>): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const original of matches) {
    if (seen.has(original.id)) continue;
    seen.add(original.id);
    const m = original.players.some((p) => p.userId && !known.has(p.userId)) ? { ...original, players: original.players.map((p) => (p.userId && !known.has(p.userId) ? { ...p, userId: null } : p)) } : original;
    const ids = m.players.flatMap((p) => (p.userId ? [p.userId] : []));
    // Rated: two or more seats, each a different known player (no bot, no anonymous program, nobody in two seats).
    const rated = m.players.length >= 2 && ids.length === m.players.length && new Set(ids).size === ids.length;
    out.push({ match: m, row: { id: m.id, game: m.game, started_at: m.startedAt, ended_at: m.endedAt, rated: rated ? 1 : 0, result: JSON.stringify(m.result ?? null), log: JSON.stringify(m.log ?? null) } });
  }
  return out;
}

/** The seats' rows of a match. */
export function seatRows(match: MatchRecord): MatchPlayersTable[] {
  return match.players.map((p) => ({ match_id: match.id, seat: p.seat, user_id: p.userId, name: p.name, placement: p.placement, ended_at: match.endedAt }));
}

/**
 * A match's known players whose stats it changes: each player in exactly one of its seats. A
 * player in two or more seats (two tabs of one browser) played against themselves: the match
 * is in their profile, but it counts in none of their stats (until 2026-12-04 it counted at
 * their better place, so a player could win against themselves as often as they liked).
 */
function knownSeats(match: MatchRecord) {
  const seats = new Map<string, number>();
  for (const p of match.players) if (p.userId !== null) seats.set(p.userId, (seats.get(p.userId) ?? 0) + 1);
  return match.players
    .filter((p): p is typeof p & { userId: string } => p.userId !== null && seats.get(p.userId) === 1)
    .sort((a, b) => a.placement - b.placement);
}

export const statsKey = (userId: string, game: string) => `${userId}\u0000${game}`;

/** The stats rows the matches just inserted (`fresh`) change, each once, in order of first use. */
export function statsPairs(fresh: readonly Candidate[]): { user_id: string; game: string }[] {
  const pairs = new Map<string, { user_id: string; game: string }>();
  for (const { match } of fresh) for (const p of knownSeats(match)) pairs.set(statsKey(p.userId, match.game), { user_id: p.userId, game: match.game });
  return [...pairs.values()];
}

/** A stats row for a player's first game of a kind (a new player's rating). */
export function newStats(pair: { user_id: string; game: string }): StatsTable {
  const { mu, sigma } = initialSkill();
  return { ...pair, played: 0, won: 0, lost: 0, drawn: 0, rated: 0, mu, sigma };
}

/**
 * Applies the fresh matches, in order, to their players' stats rows (`rows`, by
 * {@link statsKey}; every pair of {@link statsPairs} present): played, won / lost / drawn
 * (won = 1st alone, drawn = 1st shared), and the ratings of rated matches (counted in `rated`). Returns the
 * changed rows, each once.
 */
export function applyResults(rows: ReadonlyMap<string, StatsTable>, fresh: readonly Candidate[]): StatsTable[] {
  const changed = new Set<StatsTable>();
  for (const { match, row } of fresh) {
    const known = knownSeats(match);
    if (known.length === 0) continue;
    const mine = known.map((p) => rows.get(statsKey(p.userId, match.game))!);
    const firsts = match.players.filter((p) => p.placement === 1).length;
    const skills = row.rated === 1 ? rateMatch(mine, known.map((p) => p.placement)) : undefined;
    for (const [i, p] of known.entries()) {
      const stats = mine[i]!;
      stats.played++;
      stats[p.placement !== 1 ? "lost" : firsts > 1 ? "drawn" : "won"]++;
      if (skills) {
        Object.assign(stats, skills[i]);
        stats.rated++;
      }
      changed.add(stats);
    }
  }
  return [...changed];
}

/** The statements an asynchronous writer runs for a batch, in this order, inside one transaction. */
export interface BatchStatements {
  /** Which of these user ids the database knows. */
  knownUsers(ids: string[]): Promise<string[]>;
  /** Inserts the rows whose id is not there yet; returns their ids. */
  insertMatches(rows: MatchesTable[]): Promise<string[]>;
  insertSeats(rows: MatchPlayersTable[]): Promise<void>;
  /** Creates the stats rows that are new (these are new players' rows), locks every one, and returns each as it is now (more rows do no harm). */
  lockStats(rows: StatsTable[]): Promise<StatsTable[]>;
  /** Writes the changed rows (every one exists and is locked). */
  writeStats(rows: StatsTable[]): Promise<void>;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Records a batch through `statements` (the PostgreSQL writer's and the query builder's;
 * the embedded database's writer is synchronous and runs the same steps itself). Rows are
 * inserted and the stats rows locked in the order of their keys, the same in every
 * process, so two batches naming the same matches or players never wait for each other in
 * a circle.
 */
export async function writeBatch(statements: BatchStatements, matches: readonly MatchRecord[]): Promise<Outcome[]> {
  const named = namedUsers(matches);
  const known = new Set(named.length === 0 ? [] : await statements.knownUsers(named));
  const batch = candidates(matches, known);
  const rows = batch.map((c) => c.row).sort((a, b) => byKey(a.id, b.id));
  const inserted = new Set(rows.length === 0 ? [] : await statements.insertMatches(rows));
  const fresh = batch.filter((c) => inserted.has(c.row.id));
  const seats = fresh.flatMap((c) => seatRows(c.match));
  if (seats.length > 0) await statements.insertSeats(seats);
  const pairs = statsPairs(fresh).sort((a, b) => byKey(a.user_id, b.user_id) || byKey(a.game, b.game));
  if (pairs.length > 0) {
    const current = new Map((await statements.lockStats(pairs.map(newStats))).map((r) => [statsKey(r.user_id, r.game), r]));
    await statements.writeStats(applyResults(current, fresh));
  }
  return outcomes(matches, inserted);
}

/** Each match of the batch: recorded (the first of its id, inserted now) or a duplicate (a repeat, or already there). */
export function outcomes(matches: readonly MatchRecord[], inserted: ReadonlySet<string>): Outcome[] {
  const seen = new Set<string>();
  return matches.map((m) => (inserted.has(m.id) && !seen.has(m.id) && seen.add(m.id) ? "recorded" : "duplicate"));
}
