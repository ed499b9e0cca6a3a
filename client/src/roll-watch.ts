/**
 * The dice a page saw rolled, read from the room's history (the state's `history`: entries
 * `[game, kind, who, data]` keyed by a sequence number that grows by one per entry; the room
 * keeps the newest 60). "Verify fairness" compares them with the revealed rolls: a server
 * that showed other dice than its seeds gave, or drew a roll and never showed it, is caught.
 *
 * Reading the history rather than the table or the events, nothing is missed when patches
 * arrive together, a reload or a newcomer reads what happened before it came, and a page
 * knows whether it saw a game whole: it read the game's `start` entry and every entry after
 * it (no sequence number skipped). After a takeover that restored an older snapshot (high
 * availability), the entries after that snapshot are replaced: the rolls read from them are
 * forgotten, and read again from the new ones.
 */

/**
 * What a page saw of one game's rolls. `complete`: every roll of it, from its start.
 * `skipped`: sequence numbers the history skipped while the page was connected (an honest
 * room numbers every entry, and a connected page reads each before it leaves the window).
 */
export interface SeenRolls {
  rolls: number[][];
  complete: boolean;
  skipped?: { from: number; to: number };
  /** Who moved first, as the game's `start` entry said when it began (when the page read it). */
  startedBy?: string;
}

/** Entries read and kept to notice a rewind (the room keeps 60; twice that is plenty). */
const KEPT = 120;

interface GameSeen {
  /** The room's game number (history entries carry it). */
  number: number;
  skipped?: { from: number; to: number };
  /** The commitment the state showed when the page first read the game's entries. */
  commitment: string;
  rolls: { seq: number; faces: number[] }[];
  complete: boolean;
  startedBy?: string;
}

export class RollWatcher {
  /** Entries read, by sequence number (the newest {@link KEPT}). */
  private readonly read = new Map<number, string>();
  private lastSeq = 0;
  private game?: GameSeen;
  /** The connection was interrupted since the last update (or there was none yet): entries may have left the window unread. */
  private mayHaveMissed = true;

  /** @param facesOf - the faces of a history entry that records a roll (by its kind and data), else undefined. */
  constructor(private readonly facesOf: (kind: string, data: unknown) => readonly number[] | undefined) {}

  /** The page's connection dropped, or it reads another connection's state now: the next update may find entries gone. */
  interrupted(): void {
    this.mayHaveMissed = true;
  }

  /** The room's history as the state holds it now, and the dice commitment the state shows. */
  update(history: Iterable<readonly [number, string]>, commitment: string): void {
    const entries = [...history].filter(([seq]) => Number.isInteger(seq) && seq > 0).sort((a, b) => a[0] - b[0]);
    if (entries.length === 0) return;
    this.rewind(entries);
    const fresh = entries.filter(([seq]) => seq > this.lastSeq);
    if (fresh.length === 0) return;
    // Entries that left the room's window before this page read them: rolls may be missing.
    // Connected all along, the page read every patch: the room skipped numbers (hid entries).
    if (this.game && fresh[0]![0] > this.lastSeq + 1) {
      this.game.complete = false;
      if (!this.mayHaveMissed) this.game.skipped ??= { from: this.lastSeq + 1, to: fresh[0]![0] - 1 };
    }
    this.mayHaveMissed = false;
    for (const [seq, raw] of fresh) {
      this.read.set(seq, raw);
      this.note(seq, raw, commitment);
    }
    this.lastSeq = fresh[fresh.length - 1]![0];
    for (const seq of this.read.keys()) {
      if (seq > this.lastSeq - KEPT) break;
      this.read.delete(seq);
    }
  }

  /** The rolls this page saw of the game whose seed has `commitment`; undefined when it read none of that game. */
  rollsOf(commitment: string): SeenRolls | undefined {
    const game = this.game;
    if (!game || game.commitment !== commitment) return undefined;
    return {
      rolls: game.rolls.map((r) => [...r.faces]),
      complete: game.complete,
      ...(game.skipped ? { skipped: { ...game.skipped } } : {}),
      ...(game.startedBy !== undefined ? { startedBy: game.startedBy } : {}),
    };
  }

  /** Entries read before that now differ, or are gone from the end: what was read from them is forgotten. */
  private rewind(entries: readonly (readonly [number, string])[]) {
    let from = Infinity;
    const newest = entries[entries.length - 1]![0];
    if (newest < this.lastSeq) from = newest + 1;
    for (const [seq, raw] of entries) {
      const was = this.read.get(seq);
      if (was !== undefined && was !== raw) {
        from = Math.min(from, seq);
        break;
      }
    }
    if (from === Infinity) return;
    for (const seq of [...this.read.keys()]) if (seq >= from) this.read.delete(seq);
    // (A start among the replaced entries is read again, and begins the game's record anew.)
    if (this.game) this.game.rolls = this.game.rolls.filter((r) => r.seq < from);
    this.lastSeq = Math.min(this.lastSeq, from - 1);
  }

  private note(seq: number, raw: string, commitment: string) {
    let entry: unknown;
    try {
      entry = JSON.parse(raw);
    } catch {
      return; // not an entry this page can read
    }
    if (!Array.isArray(entry)) return;
    const [game, kind, , data] = entry as [unknown, unknown, unknown, unknown];
    if (typeof game !== "number" || typeof kind !== "string") return;
    if (kind === "start") {
      const first = (data as { first?: unknown } | undefined)?.first;
      this.game = { number: game, commitment, rolls: [], complete: true, ...(typeof first === "string" ? { startedBy: first } : {}) };
      return;
    }
    const faces = this.facesOf(kind, data);
    if (!faces) return;
    // A roll of a game whose start this page did not read (it came later, or the start left the window).
    if (!this.game || this.game.number !== game) this.game = { number: game, commitment, rolls: [], complete: false };
    this.game.rolls.push({ seq, faces: [...faces] });
  }
}
