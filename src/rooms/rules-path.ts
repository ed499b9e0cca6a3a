/**
 * The single path by which a room's game state changes: a client's message (validated
 * against its move's schema, after the message gate), a timer's or a scheduled action, a
 * bot's move and a leave all come through {@link RulesPath.apply}. The rules return either a
 * complete new state, which is recorded (src/rooms/game-steps.ts) and committed by the room,
 * or a rejection, which changes nothing and goes back to the sender as `{ code, message }`.
 * It holds the authoritative game state; the room's schema is only its projection.
 */
import type { Client } from "@colyseus/core";
import type { z } from "zod";
import type { AnyGame } from "../games/definition.js";
import type { Logger } from "../logger.js";
import { describeZodError } from "../protocol/describe.js";
import { ErrorCode } from "../protocol/errors.js";
import type { ScheduleEvent } from "../rules/types.js";
import type { RoomOutput } from "../ha/room-failover.js";
import type { GameRecords } from "./game-records.js";
import type { GameSteps } from "./game-steps.js";
import type { MessageGate } from "./message-gate.js";
import type { ScheduledActions } from "./scheduled.js";
import type { SeedMessages } from "./seed-messages.js";

export type Action = { type: string; [field: string]: unknown };

/** The player id of the actions the rules schedule for themselves (no player behind them). */
// Stryker disable next-line StringLiteral: equivalent: the rules ignore the actor of the actions they schedule
export const SYSTEM_ACTOR = "";

/** The room's parts an accepted or refused step goes through. */
export interface RulesPathParts {
  rules: AnyGame["rules"];
  records: Pick<GameRecords, "rng" | "applied">;
  steps: Pick<GameSteps, "record">;
  scheduled: Pick<ScheduledActions, "at">;
  /** The delays of the rules' scheduled actions, by timer name (settings.delays). */
  delays: Readonly<Record<string, number | undefined>>;
  gate: Pick<MessageGate, "admit" | "reject">;
  out: Pick<RoomOutput, "then">;
  seeds: Pick<SeedMessages, "announce">;
  log: Logger;
  /** Projects the new state into the schema and sends it (with high availability, once its snapshot is written). */
  commit(): void;
  broadcast(type: string, payload: unknown): void;
}

export class RulesPath {
  /** The authoritative game state. */
  game: unknown;

  /** @param parts - the room's parts (test/rooms/room-paths.test.ts swaps faulty rules into `parts.rules` of a live room). */
  constructor(
    private readonly parts: RulesPathParts,
    initial: unknown,
  ) {
    this.game = initial;
  }

  /** A client's message of move `type`: admitted by the gate, its payload validated, then applied as the sender's action. */
  message(client: Client, type: string, validator: z.ZodType, payload: unknown): void {
    const { gate } = this.parts;
    if (!gate.admit(client)) return;
    const parsed = validator.safeParse(payload);
    if (!parsed.success) return gate.reject(client, ErrorCode.INVALID_PAYLOAD, `Invalid "${type}" payload: ${describeZodError(parsed.error)}`);
    // The action is the payload plus the move's name: `make_move { row, col }` → `{ type: "make_move", row, col }`.
    this.apply(client.sessionId, { ...(parsed.data as object | undefined), type }, client);
  }

  /**
   * One action by `playerId` through the rules: a new state is recorded, its scheduled actions
   * armed, committed, and its events sent after its patch; a refusal changes nothing and goes
   * to `client` (an action with no client behind it is only logged). True when accepted.
   */
  apply(playerId: string, action: Action, client?: Client): boolean {
    const { rules, records, log } = this.parts;
    const result = rules.apply(this.game, playerId, action as never, records.rng);
    const drawn = records.applied(result.ok);
    if (!result.ok) {
      if (client) this.parts.gate.reject(client, result.code, result.message);
      else log.debug({ playerId, action: action.type, code: result.code }, "system action refused");
      return false;
    }
    const before = this.game;
    this.game = result.state;
    const events = result.events as { type: string }[];
    const revealed = this.parts.steps.record({ before, after: result.state, playerId, action, events }, drawn);
    // Scheduled before the commit, so the snapshot it writes holds them.
    for (const event of events) if (isSchedule(event)) this.parts.scheduled.at(Date.now() + (this.parts.delays[event.timer] ?? 0), event.action);
    this.parts.commit();
    for (const event of events) {
      if (isSchedule(event)) continue;
      const { type, ...payload } = event;
      // After the state patch (which may wait for the snapshot).
      this.parts.out.then(() => this.parts.broadcast(type, payload));
    }
    if (revealed) this.parts.seeds.announce(revealed);
    if (log.isLevelEnabled("debug")) log.debug({ playerId, action: action.type }, "action applied");
    return true;
  }

  /** An action the rules scheduled for themselves, now due. */
  scheduledAction(action: Action): void {
    this.apply(SYSTEM_ACTOR, action);
  }

  /**
   * A bot's move. A bot's turn has no time limit, so one the rules refuse (a bug in the bot)
   * would leave the game waiting on it for ever: its turn ends as a timeout instead.
   */
  bot(move: { playerId: string; action: Action }): void {
    if (this.apply(move.playerId, move.action)) return;
    this.parts.log.error({ playerId: move.playerId, action: move.action.type }, "bot move refused; its turn ends as a timeout");
    if (this.parts.rules.activePlayer(this.game) === move.playerId) this.apply(move.playerId, { type: "timeout" });
  }
}

function isSchedule(event: { type: string }): event is ScheduleEvent {
  return event.type === "schedule";
}
