/**
 * A room's history: what happened, kept on the server so a reloaded page (or a new
 * spectator) sees it too. Bounded: the newest {@link HISTORY_LIMIT} entries are kept.
 */
import type { HistoryItem } from "../games/definition.js";
import type { HistoryEntry } from "../protocol/messages.js";

/** Entries a room keeps (a long Dice game has a few hundred steps; the page shows the newest). */
export const HISTORY_LIMIT = 200;

export class RoomHistory {
  private readonly entries: HistoryEntry[] = [];
  private seq = 0;
  private game = 0;

  /** A game begins: the entries after this belong to it. */
  newGame(): HistoryEntry {
    this.game++;
    return this.push({ kind: "start" });
  }

  /** Adds the items; returns the entries made. */
  add(items: readonly HistoryItem[]): HistoryEntry[] {
    return items.map((item) => this.push(item));
  }

  /** Every kept entry, oldest first. */
  all(): HistoryEntry[] {
    return this.entries.slice();
  }

  private push(item: HistoryItem): HistoryEntry {
    const entry: HistoryEntry = { seq: ++this.seq, game: this.game, ...item };
    this.entries.push(entry);
    if (this.entries.length > HISTORY_LIMIT) this.entries.splice(0, this.entries.length - HISTORY_LIMIT);
    return entry;
  }
}
