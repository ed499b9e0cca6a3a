/**
 * Ratings (openskill, the Bradley–Terry "full" model): every game is a free-for-all of
 * 1-player teams ranked by placement (TicTacToe and Connect Four: 1st and 2nd, or both
 * 1st in a draw; Dice: the winner 1st, the others 2nd; Owe Drahn: by elimination order).
 * openskill's default model (Plackett–Luce) ranks some ties wrongly (with placements
 * 1, 2, 2, 4 the 4th ended above a tied 2nd); Bradley–Terry full does not.
 *
 * Leaderboards rank by the conservative estimate μ − 3σ.
 */
import { ordinal, rating } from "openskill";
import { bradleyTerryFull } from "openskill/models";

export interface Skill {
  mu: number;
  sigma: number;
}

/** A new player's rating (μ 25, σ 25/3), worked out once: openskill's `rating()` costs microseconds, and every new stats row starts from it. */
const INITIAL: Readonly<Skill> = (({ mu, sigma }) => ({ mu, sigma }))(rating());

/** A new player's rating (μ 25, σ 25/3). */
export function initialSkill(): Skill {
  return { ...INITIAL };
}

/** The conservative estimate a leaderboard ranks by: μ − 3σ. */
export function conservative(skill: Skill): number {
  return ordinal(skill);
}

/** openskill's default τ (its `rate` adds τ² to every σ² before a match, so σ never freezes). */
const TAU_SQ = (25 / 300) ** 2;

/**
 * The players' new ratings after a match: `players[i]` finished `placements[i]` (1 = first;
 * equal placements are ties). Needs at least two players.
 *
 * What openskill's `rate(teams, { rank, model: bradleyTerryFull })` computes (a test holds
 * them equal), without its general plumbing (options, scores, margins, a sort through
 * ramda): it cost about five times the model itself, on every recorded match. As `rate`
 * does: σ gets τ, the players go to the model sorted by placement, and come back in order.
 */
export function rateMatch(players: readonly Skill[], placements: readonly number[]): Skill[] {
  if (players.length < 2 || players.length !== placements.length) throw new RangeError("rateMatch: two or more players, one placement each");
  const order = players.map((_, i) => i).sort((a, b) => placements[a]! - placements[b]! || a - b);
  const teams = order.map((i) => [{ mu: players[i]!.mu, sigma: Math.sqrt(players[i]!.sigma ** 2 + TAU_SQ) }]);
  const rated = bradleyTerryFull(teams, { rank: order.map((i) => placements[i]!) });
  const out: Skill[] = new Array(players.length);
  order.forEach((i, k) => {
    const [r] = rated[k]!;
    out[i] = { mu: r!.mu, sigma: r!.sigma };
  });
  return out;
}
