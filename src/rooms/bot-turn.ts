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

  /** The game changed: a pending bot move is dropped, and a new one armed if a bot is to move. Returns that move. */
  arm(): M | undefined {
    this.timer?.clear();
    this.timer = undefined;
    const pending = this.next();
    if (!pending) return undefined;
    this.timer = this.timers.after(this.delayMs, () => {
      this.timer = undefined;
      const move = this.next();
      if (move) this.play(move);
    });
    return pending;
  }
}
