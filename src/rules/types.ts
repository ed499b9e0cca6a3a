import type { ErrorCode } from "../protocol/errors.js";
import type { Rng } from "./rng.js";

/** The error codes a game's rules may answer with (transport-level codes are the room's). */
export type RuleErrorCode = Exclude<ErrorCode, "INVALID_PAYLOAD" | "UNKNOWN_ACTION" | "RATE_LIMITED" | "INTERNAL_ERROR">;

/** A rejected action: the state is unchanged and the sender is told why. */
export interface Rejection {
  ok: false;
  code: RuleErrorCode;
  message: string;
}

/**
 * Something the room must do later: dispatch `action` through the rules after the delay
 * the room configures under the name `timer` (for example the Dice bust pause).
 * Rules never read a clock; the room owns time.
 */
export interface ScheduleEvent<A> {
  type: "schedule";
  timer: string;
  action: A;
}

/** An accepted action: the complete new state and what happened, in order. */
export interface Accepted<S, E> {
  ok: true;
  state: S;
  events: readonly E[];
}

/** What `apply` returns: either a complete new state, or a rejection that changed nothing. */
export type RulesResult<S, E> = Accepted<S, E> | Rejection;

/** A player as the rules see them: who sits where. */
export interface SeatInfo {
  id: string;
  name: string;
}

/** Seat admission, asked before a player is seated. */
export type SeatCheck = { ok: true } | { ok: false; reason: "full" | "started" };

/**
 * The contract every game's rules module follows. Implementations import nothing from
 * Colyseus: state in, action in, new state or a typed rejection out. State objects are
 * treated as immutable; `apply` returns new objects and never mutates its input.
 *
 * Actions include the system actions the room dispatches on a player's behalf: `join`,
 * `leave` (consented leave or an expired reconnection window: the game's forfeit rule),
 * `timeout` (the turn timer ran out) and the game's own scheduled actions.
 */
export interface GameRules<S, A extends { type: string }, E extends { type: string }, C> {
  /** The initial state of a room created with `config`. */
  setup(config: C, rng: Rng): S;
  /** Whether one more player may take a seat now. */
  canSeat(state: S): SeatCheck;
  /** Applies one action by `playerId`. Never throws for any input a client can send. */
  apply(state: S, playerId: string, action: A, rng: Rng): RulesResult<S, E | ScheduleEvent<A>>;
  /** The player whose turn it is, or null when no turn is running (waiting, over, paused). */
  activePlayer(state: S): string | null;
  /**
   * A number that changes whenever a new turn starts (even for the same player), so the
   * room knows when to restart the turn timer.
   */
  turnNumber(state: S): number;
  /** Ids of the seated players (bots included), in seat order. */
  playerIds(state: S): readonly string[];
  /** Whether the game is running (listing shows "started", joins become spectators only). */
  isStarted(state: S): boolean;
  /** For games with bots: the move the bot whose turn it is makes now, or null. */
  botMove?(state: S): { playerId: string; action: A } | null;
}
