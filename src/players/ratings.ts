/**
 * Ratings (openskill, the Bradley–Terry "full" model): every game is a free-for-all of
 * 1-player teams ranked by placement (TicTacToe and Connect Four: 1st and 2nd, or both
 * 1st in a draw; Dice: the winner 1st, the others 2nd; Owe Drahn: by elimination order).
 * openskill's default model (Plackett–Luce) ranks some ties wrongly (with placements
 * 1, 2, 2, 4 the 4th ended above a tied 2nd); Bradley–Terry full does not.
 *
 * Leaderboards rank by the conservative estimate μ − 3σ.
 */
import { ordinal, rate, rating } from "openskill";
import { bradleyTerryFull } from "openskill/models";

export interface Skill {
  mu: number;
  sigma: number;
}

/** A new player's rating (μ 25, σ 25/3). */
export function initialSkill(): Skill {
  const { mu, sigma } = rating();
  return { mu, sigma };
}

/** The conservative estimate a leaderboard ranks by: μ − 3σ. */
export function conservative(skill: Skill): number {
  return ordinal(skill);
}

/**
 * The players' new ratings after a match: `players[i]` finished `placements[i]` (1 = first;
 * equal placements are ties). Needs at least two players.
 */
export function rateMatch(players: readonly Skill[], placements: readonly number[]): Skill[] {
  if (players.length < 2 || players.length !== placements.length) throw new RangeError("rateMatch: two or more players, one placement each");
  const teams = players.map((p) => [rating({ mu: p.mu, sigma: p.sigma })]);
  const rated = rate(teams, { rank: [...placements], model: bradleyTerryFull });
  return rated.map(([r]) => ({ mu: r!.mu, sigma: r!.sigma }));
}
