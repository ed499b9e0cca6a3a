/**
 * Rule actions a room runs later (a bust pause, the pause after a game): each runs once at
 * its due time, and the ones still pending are listed for the room's snapshot, so a
 * restored room re-arms them at the same absolute times.
 */
import type { RoomTimers } from "./timers.js";

export type ScheduledAction = { type: string; [field: string]: unknown };

export class ScheduledActions {
  private readonly pending = new Map<number, { due: number; action: ScheduledAction }>();
  private seq = 0;

  /** @param run - dispatches a due action (the rules' own actions have no player behind them). */
  constructor(
    private readonly timers: RoomTimers,
    private readonly run: (action: ScheduledAction) => void,
  ) {}

  /** Runs `action` at `due` (epoch ms; at once if that has passed). */
  at(due: number, action: ScheduledAction): void {
    if (this.timers.stopped) return; // the room is gone: it never runs, so it is not listed
    const id = ++this.seq;
    this.pending.set(id, { due, action });
    this.timers.after(due - Date.now(), () => {
      this.pending.delete(id);
      this.run(action);
    });
  }

  /** The actions not yet run, in the order they were scheduled (none once the room's timers are cleared). */
  list(): { due: number; action: ScheduledAction }[] {
    if (this.timers.stopped) return [];
    return [...this.pending.values()];
  }
}
