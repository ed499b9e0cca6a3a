/**
 * Places and results in words: a player's match history ("Won (1st of 2)", "Draw"), a
 * replay's list of players, the fairness check's messages ("the 3rd roll"). Pure functions,
 * no page needed.
 */

/** "1st", "2nd", "3rd", "4th", "11th", "21st"… */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** "Won", "Lost", "Draw", "Shared 1st"… for a placement among the match's seats. */
export function outcomeWord(placement: number, players: readonly { placement: number }[]): string {
  const firsts = players.filter((p) => p.placement === 1).length;
  if (placement === 1) return firsts <= 1 ? "Won" : firsts === players.length ? "Draw" : "Shared 1st";
  return players.length === 2 ? "Lost" : `${ordinal(placement)} place`;
}

/**
 * The result of a match in a player's history: "Won (1st of 2)", "Lost (2nd of 2)", "2nd of
 * 3", "Shared 1st of 3", "Draw" (until 2026-12-06 "Draw (1st of 2)", which read like a win).
 */
export function matchResult(placement: number, players: readonly { placement: number }[]): string {
  const word = outcomeWord(placement, players);
  const place = `${ordinal(placement)} of ${players.length}`;
  if (word === "Draw") return word;
  if (word === "Shared 1st") return `Shared ${place}`;
  return word.endsWith(" place") ? place : `${word} (${place})`;
}
