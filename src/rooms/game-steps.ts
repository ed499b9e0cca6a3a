/**
 * What the base room does with each accepted step beyond the state itself: the room's
 * history (a line where each game begins, then what the step did, in the game's words), the
 * match records and dice seeds (src/rooms/game-records.ts), and a log line when a game ends
 * (how it ended, never who). GameRoom calls {@link GameSteps.record} once per accepted step.
 */
import type { AnyGame, HistoryStep } from "../games/definition.js";
import type { Logger } from "../logger.js";
import type { Drawn } from "../players/match-tracker.js";
import type { FairnessReveal } from "../fairness/room-fairness.js";
import { endingOf, type GameRecords } from "./game-records.js";
import type { RoomHistory } from "./history.js";

export class GameSteps {
  private ended = 0;

  constructor(
    private readonly definition: AnyGame,
    private readonly history: RoomHistory,
    private readonly records: GameRecords,
    private readonly log: Pick<Logger, "info">,
  ) {}

  /** Games that ended in this room so far. */
  get gamesEnded(): number {
    return this.ended;
  }

  /** One accepted step: recorded; returns the dice seeds a game's end revealed (the room sends them after the step's patch). */
  record(step: HistoryStep<unknown>, drawn: Drawn): FairnessReveal | undefined {
    const { rules } = this.definition;
    const wasStarted = rules.isStarted(step.before);
    const isStarted = rules.isStarted(step.after);
    if (!wasStarted && isStarted) {
      // Who moves first, as the game began (a fair-dice check compares it with the seeds').
      this.history.newGame(rules.activePlayer(step.after) ?? undefined);
    }
    const revealed = this.records.step(step, drawn);
    this.history.add(this.definition.history(step));
    // A game is over once it was running and its ending appears: in Owe Drahn that is before
    // its game-over pause (the game counts as started until the pause ends); a leave after a
    // game (a new ending in a room that waits) is no game over.
    const ending = endingOf(step.after);
    if (wasStarted && ending && ending !== endingOf(step.before)) {
      this.ended++;
      // How it ended (won, draw, left, dropped, timeout), never who: the log keeps no player names.
      this.log.info({ game: this.ended, turns: rules.turnNumber(step.after), ending: ending.reason, by: step.action.type }, "game over");
    }
    return revealed;
  }
}
