/**
 * Farkle scoring for the Dice game (games.md, "Dice"): pure functions over die values.
 *
 * A set is scored in a fixed order: at most one run first, then three or more of a kind
 * among the dice the run left, then single 1s and 5s. The set is valid only if that order
 * used every die in it.
 */

/** The score of a set of dice, and whether the whole set may be set aside. */
export interface DiceScore {
  /** Points the scoring dice of the set are worth (leftover dice add nothing). */
  readonly score: number;
  /**
   * True when the set is non-empty and every die in it scored. An empty set is not valid:
   * setting nothing aside is never a move (README: "Dice: scoring").
   */
  readonly valid: boolean;
}

/** The runs, in the order they are looked for; only the first one found counts. */
export const RUNS: readonly { readonly faces: readonly number[]; readonly points: number }[] = [
  { faces: [1, 2, 3, 4, 5, 6], points: 1500 },
  { faces: [1, 2, 3, 4, 5], points: 500 },
  { faces: [2, 3, 4, 5, 6], points: 750 },
];

/** How many dice show each face; index 0 counts anything that is not a face 1–6 (an unrolled die). */
function countFaces(values: readonly number[]): number[] {
  const counts = [0, 0, 0, 0, 0, 0, 0];
  for (const v of values) {
    if (Number.isInteger(v) && v >= 1 && v <= 6) counts[v]!++;
    else counts[0]!++;
  }
  return counts;
}

/**
 * Points for `count` (three or more) dice showing `face`: face × 100 (three 1s are 1000),
 * doubled for each die beyond three.
 * @example ofAKind(4, 4) // 800
 */
export function ofAKind(face: number, count: number): number {
  if (count < 3) return 0;
  return (face === 1 ? 1000 : face * 100) * 2 ** (count - 3);
}

/**
 * Scores a set of die values. Never throws: a value that is not a face 1–6 (such as an
 * unrolled 0) scores nothing and makes the set invalid.
 * @example scoreDice([1, 2, 3, 4, 5, 1]) // { score: 600, valid: true }
 * @example scoreDice([1, 1, 3]) // { score: 200, valid: false }
 */
export function scoreDice(values: readonly number[]): DiceScore {
  const counts = countFaces(values);
  let score = 0;
  const run = RUNS.find((r) => r.faces.every((f) => counts[f]! >= 1));
  if (run) {
    for (const f of run.faces) counts[f]!--;
    score += run.points;
  }
  for (let face = 1; face <= 6; face++) {
    if (counts[face]! >= 3) {
      score += ofAKind(face, counts[face]!);
      counts[face] = 0;
    }
  }
  score += counts[1]! * 100 + counts[5]! * 50;
  counts[1] = 0;
  counts[5] = 0;
  return { score, valid: values.length > 0 && counts.every((c) => c === 0) };
}

/**
 * Whether a roll holds at least one scoring die, that is, whether some subset of it scores
 * more than 0. Every run contains a 5, so this is: a 1, a 5, or three of a kind.
 * A roll for which this is false is a bust.
 */
export function holdsScoringDie(values: readonly number[]): boolean {
  const counts = countFaces(values);
  return counts[1]! > 0 || counts[5]! > 0 || counts.some((c, face) => face > 0 && c >= 3);
}
