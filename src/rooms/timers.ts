/**
 * A room's timers: turn timers, pauses, bot moves, reservation expiries, the join
 * acknowledgement deadline, the drain cutoff.
 *
 * Why not the room's Colyseus clock: that clock only runs while something ticks it, so a
 * room whose timers live on it needs a ticking interval (20 Hz here before: 2,500 idle rooms
 * cost 15 % of a core doing nothing), and Colyseus's `broadcastPatch()` ticks it too, which
 * nested ticks when a timer's callback sent a patch (timers fired twice and the clock's list
 * broke; see the fuzz test). These timers are Node's own: one per pending timer, none when
 * nothing is scheduled, each firing in its own turn of the event loop. Every one is cleared
 * when the room is disposed (`clearAll`), so nothing fires into a disposed room.
 */

/**
 * Node's longest timer (about 24.8 days), for a room's `patchRate`: rooms here send their
 * state when it changes, not on a patch tick, and with no patch rate at all Colyseus would
 * tick the room clock at 60 Hz instead. An interval this long never fires in practice.
 */
export const NO_PATCH_TICK_MS = 2_147_483_647;

/** A pending timer. */
export interface Timer {
  /** Cancels it (a no-op once it has fired). */
  clear(): void;
}

export class RoomTimers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private disposed = false;

  /** @param onError - told about an exception thrown by a callback (which is then ignored). */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): Timer {
    if (this.disposed) return { clear: () => undefined };
    const handle = setTimeout(() => {
      this.pending.delete(handle);
      this.run(fn);
    }, Math.max(0, ms));
    this.pending.add(handle);
    return {
      clear: () => {
        clearTimeout(handle);
        this.pending.delete(handle);
      },
    };
  }

  /** Runs `fn` every `ms` until cleared. */
  every(ms: number, fn: () => void): Timer {
    if (this.disposed) return { clear: () => undefined };
    const handle = setInterval(() => this.run(fn), ms);
    this.pending.add(handle);
    return {
      clear: () => {
        clearInterval(handle);
        this.pending.delete(handle);
      },
    };
  }

  /** clearAll() ran: nothing will fire any more. */
  get stopped(): boolean {
    return this.disposed;
  }

  /** Timers still pending. */
  get size(): number {
    return this.pending.size;
  }

  /** Cancels every pending timer, and any scheduled later (the room is gone). */
  clearAll(): void {
    this.disposed = true;
    for (const handle of this.pending) clearTimeout(handle); // clears intervals too
    this.pending.clear();
  }

  private run(fn: () => void) {
    try {
      fn();
    } catch (error) {
      this.onError(error);
    }
  }
}
