/**
 * Which dice a test's player sets aside in a Dice game (indexes into the rolled dice). Both
 * picks are valid sets for any roll that did not bust.
 */

/** Every 1 and 5, and every die of a face rolled three or more times: always a valid set. */
export function keepers(dice: readonly number[]): number[] {
  const count = (face: number) => dice.filter((d) => d === face).length;
  return dice.flatMap((d, i) => (d !== 0 && (d === 1 || d === 5 || count(d) >= 3) ? [i] : []));
}

/** A small valid selection: one 5, else one 1, else three dice of the lowest face rolled three times (at most 600 points). */
export function fewKeepers(dice: readonly number[]): number[] {
  const five = dice.indexOf(5);
  if (five >= 0) return [five];
  const one = dice.indexOf(1);
  if (one >= 0) return [one];
  for (let face = 2; face <= 6; face++) {
    const at = dice.flatMap((d, i) => (d === face ? [i] : []));
    if (at.length >= 3) return at.slice(0, 3);
  }
  throw new Error(`no scoring die in ${dice.join(",")}`);
}
