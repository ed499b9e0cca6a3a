/**
 * A bot's moves: whenever the game waits on a bot, its move is played after a short delay
 * (so players see it happen), read from the rules again when the delay is over.
 */
import type { RoomTimers, Timer } from "./timers.js";

export class BotTurn<M> {
  private timer?: Timer;

  /**
   * @param next - the move a bot would make now (undefined: the game waits on no bot).
   * @param play - plays it.
   */
  constructor(
    private readonly timers: RoomTimers,
    private readonly delayMs: number,
    private readonly next: () => M | undefined,
    private readonly play: (move: M) => void,
  ) {}

  /**
   * The room changed: when no bot is to move, a pending bot move is dropped; when one is, it
   * plays `delayMs` after its last move (or after the game came to it), whatever else changed
   * meanwhile: a human's drops and reconnections do not hold it up. Returns the move a bot
   * would make now.
   */
  arm(): M | undefined {
    const pending = this.next();
    if (!pending) {
      this.timer?.clear();
      this.timer = undefined;
      return undefined;
    }
    // Already counting down: the move is read from the rules again when it fires.
    if (this.timer) return pending;
    this.timer = this.timers.after(this.delayMs, () => {
      this.timer = undefined;
      const move = this.next();
      if (move) this.play(move);
    });
    return pending;
  }
}
