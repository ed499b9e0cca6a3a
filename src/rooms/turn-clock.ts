/**
 * A room's turn timer: when a turn has a time limit (`turnSeconds`), the player on turn
 * loses it when the deadline passes. The clock is re-armed whenever the turn changes (a
 * new active player, or the same player's next turn) or enters a stage the rules time on
 * its own (Owe Drahn's choice of who plays next), and left alone otherwise, so a move
 * that keeps the turn (a Dice roll) does not extend it. A restored room's running turn
 * keeps the deadline it had before the crash (high availability).
 */
import type { RoomTimers, Timer } from "./timers.js";

/** The running turn as a snapshot keeps it: which turn (`<player>:<turn number>`, then `:<stage>` past a turn's first stage) and its deadline (epoch ms). */
export type RunningTurn = { key: string; deadline: number };

export class TurnClock {
  private armed: string | null = null;
  private deadline = 0;
  private timer?: Timer;
  /** A restored room's running turn, until the first arm() (undefined: none to keep). */
  private restored?: RunningTurn | null;

  /**
   * @param seconds - the time limit per turn (a room whose turns have none has no clock).
   * @param showDeadline - puts the deadline (epoch ms; 0: none) where the players see it.
   * @param timedOut - the player on turn ran out of time.
   */
  constructor(
    private readonly timers: RoomTimers,
    private readonly seconds: number,
    private readonly showDeadline: (deadline: number) => void,
    private readonly timedOut: (playerId: string) => void,
  ) {}

  /**
   * The game's turn now: `active` (null: nobody's) on its `turnNumber`-th turn, at its timed
   * `stage` (0 for the turn itself). Re-arms the clock if the turn or its stage changed.
   */
  arm(active: string | null, turnNumber: number, stage = 0): void {
    const key = active === null ? null : stage === 0 ? `${active}:${turnNumber}` : `${active}:${turnNumber}:${stage}`;
    if (key === this.armed) return;
    this.armed = key;
    this.timer?.clear();
    this.timer = undefined;
    if (active === null) {
      this.set(0);
      return;
    }
    let deadline = Date.now() + this.seconds * 1000;
    // A restored room's turn keeps the deadline it had before the crash.
    if (this.restored !== undefined) {
      if (this.restored?.key === key) deadline = this.restored.deadline;
      this.restored = undefined;
    }
    this.set(deadline);
    this.timer = this.timers.after(deadline - Date.now(), () => {
      this.timer = undefined;
      this.timedOut(active);
    });
  }

  /** The running turn, for the room's snapshot (null when none is timed). */
  running(): RunningTurn | null {
    // Armed for a player means a deadline was set (above 0).
    return this.armed !== null ? { key: this.armed, deadline: this.deadline } : null;
  }

  /** A restored room: the next arm() keeps this turn's deadline if it is the same turn. */
  restore(turn: RunningTurn | null): void {
    this.restored = turn;
  }

  private set(deadline: number) {
    this.deadline = deadline;
    this.showDeadline(deadline);
  }
}
