/** How a profile shows a player's rating in one game. */
import type { GameStats } from "./api.js";

/**
 * A game's rating cell: the rating, or "—" before the first rated game (games against a bot,
 * or between tabs of one player, are not rated; the rating then only shows its starting 0.0,
 * which read like a measured one). A server without `rated` (an older process during a
 * rolling upgrade) shows the number.
 */
export function ratingCell(s: Pick<GameStats, "rating"> & { rated?: number }): { text: string; title?: string } {
  if (s.rated === 0) return { text: "—", title: "Not rated yet: games against bots, and between tabs of the same player, are not rated" };
  return { text: s.rating.toFixed(1) };
}
