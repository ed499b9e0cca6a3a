/**
 * A room's history: what happened, kept in the room's state (`history`, a map keyed by
 * `seq` of JSON arrays `[game, kind, who, data?]`). A new entry goes out in the same patch as the step it
 * describes (no message of its own), and a reload or a newcomer gets the kept entries with
 * the state. Bounded: the newest {@link HISTORY_LIMIT} entries are kept.
 */
import type { MapSchema } from "@colyseus/schema";
import type { HistoryItem } from "../games/definition.js";

/** Entries a room keeps (the page shows the newest; a long Dice game has a few hundred steps). */
export const HISTORY_LIMIT = 60;

export class RoomHistory {
  private seq = 0;
  private game = 0;
  /** The kept entries, oldest first, as plain pairs (what a snapshot holds; reading the MapSchema back would cost more). */
  private kept: [string, string][] = [];

  constructor(private readonly target: MapSchema<string>) {}

  /** A game begins (`first`: the id of the player who moves first, `data.first`): the entries after this belong to it. */
  newGame(first?: string): void {
    this.game++;
    this.push(first === undefined ? { kind: "start" } : { kind: "start", data: { first } });
  }

  add(items: readonly HistoryItem[]): void {
    for (const item of items) this.push(item);
  }

  /** What a snapshot keeps: the counters and the kept entries. */
  snapshot(): { seq: number; game: number; entries: [string, string][] } {
    return { seq: this.seq, game: this.game, entries: this.kept };
  }

  /** Continues from a snapshot (a restored room). */
  restore(saved: { seq: number; game: number; entries: readonly (readonly [string, string])[] }): void {
    this.seq = saved.seq;
    this.game = saved.game;
    for (const [key, value] of saved.entries) {
      this.target.set(key, value);
      this.kept.push([key, value]);
    }
  }

  private push(item: HistoryItem): void {
    this.seq++;
    const key = String(this.seq);
    const value = JSON.stringify(item.data ? [this.game, item.kind, item.who ?? "", item.data] : [this.game, item.kind, item.who ?? ""]);
    this.target.set(key, value);
    this.kept.push([key, value]);
    if (this.kept.length > HISTORY_LIMIT) this.kept.shift();
    // Keys are consecutive: the one that falls out is `seq - HISTORY_LIMIT`.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: up to the limit the key it would delete ("0" or less) was never set
    if (this.seq > HISTORY_LIMIT) this.target.delete(String(this.seq - HISTORY_LIMIT));
  }
}
