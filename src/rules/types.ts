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

/** A rejection: `return reject("NOT_YOUR_TURN", "It is not your turn.")`. */
export function reject(code: RuleErrorCode, message: string): Rejection {
  return { ok: false, code, message };
}

/**
 * Step 1 of every game's check order: an action from an id with no seat is refused
 * (`NOT_A_PLAYER`) and changes nothing; `step` gets the sender's entry in the state's
 * `players`.
 */
export function seated<S extends { readonly players: readonly { readonly id: string }[] }, A extends unknown[], R>(
  step: (state: S, player: S["players"][number], ...args: A) => R,
): (state: S, playerId: string, ...args: A) => R | Rejection {
  return (state, playerId, ...args) => {
    const player = typeof playerId === "string" ? state.players.find((p) => p.id === playerId) : undefined;
    return player ? step(state, player, ...args) : reject("NOT_A_PLAYER", "You have no seat in this game.");
  };
}

/** Move name → payload: what a game's moves (or scheduled actions) take. */
export type MoveMap = Record<string, object>;

/** An action as a flat object: `{ type: "make_move", row, col }`. */
export type ActionOf<M extends MoveMap> = { [K in keyof M & string]: { type: K } & M[K] }[keyof M & string];

/** The actions the base room dispatches on a player's behalf. */
export type SystemAction = { type: "join"; name: string } | LeaveAction | { type: "timeout" };

/**
 * A seated player is gone for good: they left (`dropped` absent), or their connection
 * dropped and their reconnection window ran out (`dropped: true`). Both forfeit alike; the
 * ending says which, so the others read "did not come back" rather than "left".
 */
export type LeaveAction = { type: "leave"; dropped?: boolean };

/** How a player went (see {@link LeaveAction}); the {@link EndReason} of a forfeit by leaving. */
export type LeaveHow = "left" | "dropped";

/** The {@link LeaveHow} of a leave action. */
export function leaveHow(action: { dropped?: unknown }): LeaveHow {
  return action.dropped === true ? "dropped" : "left";
}

/**
 * Something the room must do later: dispatch `action` (one of the rules' scheduled
 * actions) after the delay the room configures under the name `timer` (for example the
 * Dice bust pause). Rules never read a clock; the room owns time.
 */
export interface ScheduleEvent<X extends MoveMap = MoveMap> {
  type: "schedule";
  timer: string;
  action: ActionOf<X>;
}

/** An accepted action: the complete new state and what happened, in order. */
export interface Accepted<S, E> {
  ok: true;
  state: S;
  events: readonly E[];
}

/** What an action returns: either a complete new state, or a rejection that changed nothing. */
export type RulesResult<S, E> = Accepted<S, E> | Rejection;

/** A rules step's result: events are the game's own (broadcast) or schedules. */
export type Step<S, E extends { type: string }, X extends MoveMap> = RulesResult<S, E | ScheduleEvent<X>>;

/** An accepted step: `return accept(next)`. */
export function accept<S, E>(state: S, events: readonly E[] = []): Accepted<S, E> {
  return { ok: true, state, events };
}

/** A player as the rules see them: who sits where. */
export interface SeatInfo {
  id: string;
  name: string;
}

/** Seat admission, asked before a player is seated. */
/**
 * How the last game ended, kept in the state so a reload shows it too: `won` (by the rules),
 * `draw`, `left` (a player left: a forfeit), `dropped` (a player's connection dropped and
 * they did not come back in time: a forfeit) or `timeout` (a player's time ran out: a forfeit).
 */
export type EndReason = "won" | "draw" | LeaveHow | "timeout";

/** Why the last game ended; `name`: the winner (`won`), the player who left or ran out of time; "" for a draw. */
export interface Ending {
  readonly reason: EndReason;
  readonly name: string;
}

/**
 * What every game's rules state has, whatever else it holds: the room and the replays read
 * it without knowing the game (its seated players' names for a match's record, how the
 * last game ended for the log, the history and the record, whose turn it is for a replay's
 * screen; whose turn, the phase and the ending for every client, src/schema/GameState.ts).
 * `defineGame` refuses a state without it.
 */
export interface CommonState {
  /** The seated players (bots included), in seat order, with the names they play under. */
  readonly players: readonly { readonly id: string; readonly name: string }[];
  /** Whose turn it is; null while no turn runs (waiting, paused, over). */
  readonly currentTurn: string | null;
  /** The game's phase, in its own words (shown to every client as it is). */
  readonly phase: string;
  /** How the last game ended; null while one runs or none has ended. */
  readonly ending: Ending | null;
}

export type SeatCheck = { ok: true } | { ok: false; reason: "full" | "started" };

/**
 * The contract every game's rules follow (boardgame.io's shape: one object, moves keyed by
 * name). Implementations import nothing from Colyseus: state in, action in, new state or a
 * typed rejection out. State objects are immutable: every step returns new objects and
 * never mutates its input, so an unchanged part of the state stays the same object.
 *
 * Every member is a function property, not a method, so TypeScript checks parameters
 * strictly, and the three system actions are required: a game that does not say what a
 * join, a leave (a consented leave or an expired reconnection window: the forfeit rule) or
 * a turn timeout does, does not compile.
 *
 * @typeParam S - the state; C - the config (from the room's options); M - the moves
 *   (message name → validated payload); E - the game's own events; X - the scheduled actions.
 */
export interface RulesSpec<S, C, M extends MoveMap, E extends { type: string } = never, X extends MoveMap = Record<never, never>> {
  /** Seats of a room with this config (the room's only source for it). */
  readonly seats: (config: C) => number;
  /** The initial state of a room created with `config`. */
  readonly setup: (config: C, rng: Rng) => S;
  /** Whether one more player may take a seat now. */
  readonly canSeat: (state: S) => SeatCheck;
  /** A player takes a seat under `name`. */
  readonly join: (state: S, playerId: string, name: string, rng: Rng) => Step<S, E, X>;
  /** A seated player is gone for good: they left, or their connection dropped and did not come back (`how`). */
  readonly leave: (state: S, playerId: string, rng: Rng, how: LeaveHow) => Step<S, E, X>;
  /** The turn timer of `playerId` ran out. */
  readonly timeout: (state: S, playerId: string, rng: Rng) => Step<S, E, X>;
  /** The client moves, keyed by message name. Each checks, in the documented order, everything but the payload's shape. */
  readonly moves: { readonly [K in keyof M]: (state: S, playerId: string, payload: M[K], rng: Rng) => Step<S, E, X> };
  /** Actions the rules schedule for themselves (a {@link ScheduleEvent}); no player stands behind them. */
  readonly scheduled: { readonly [K in keyof X]: (state: S, payload: X[K], rng: Rng) => Step<S, E, X> };
  /** The player whose turn it is, or null when no turn is running (waiting, over, paused). */
  readonly activePlayer: (state: S) => string | null;
  /** A number that changes whenever a new turn starts (even for the same player): the room restarts the turn timer then. */
  readonly turnNumber: (state: S) => number;
  /**
   * A stage of the running turn that gets a turn's time of its own (Owe Drahn's choice of who
   * plays next, after "owe drahn"): the room restarts the turn timer whenever it changes, so
   * it must only rise within a turn, at a few points the rules bound (each change hands out a
   * whole turn's time again). Absent: a turn is timed as a whole (two-player board games made
   * with `twoPlayerGame` have none).
   */
  readonly timedStage?: (state: S) => number;
  /** Ids of the seated players (bots included), in seat order. */
  readonly playerIds: (state: S) => readonly string[];
  /** Whether a game is running (the listing shows "started"; joins become spectators only). */
  readonly isStarted: (state: S) => boolean;
  /** For games with bots: the move the bot whose turn it is makes now, or null. */
  readonly botMove?: (state: S) => { playerId: string; action: ActionOf<M> } | null;
}

/** A {@link RulesSpec} with its single entry point: `apply`. */
export interface GameRules<S, C, M extends MoveMap, E extends { type: string } = never, X extends MoveMap = Record<never, never>> extends RulesSpec<S, C, M, E, X> {
  /**
   * Applies one action by `playerId`: a move, a system action or a scheduled action, as a
   * flat object (`{ type: "make_move", row, col }`). Never throws for any input a client can
   * send; an unknown action type is refused with NOT_ALLOWED.
   */
  readonly apply: (state: S, playerId: string, action: ActionOf<M> | SystemAction | ActionOf<X>, rng: Rng) => Step<S, E, X>;
}

const own = Object.prototype.hasOwnProperty;

/** A {@link RulesSpec} as `defineRules` takes it: `scheduled` may be left out by a game that schedules nothing. */
export type RulesSpecInput<S, C, M extends MoveMap, E extends { type: string } = never, X extends MoveMap = Record<never, never>> = Omit<RulesSpec<S, C, M, E, X>, "scheduled"> &
  ([keyof X] extends [never] ? { readonly scheduled?: RulesSpec<S, C, M, E, X>["scheduled"] } : Pick<RulesSpec<S, C, M, E, X>, "scheduled">);

/**
 * Makes a game's rules from its spec: adds `apply`, which routes an action to `join`,
 * `leave`, `timeout`, a scheduled action or a move by its `type`.
 */
export function defineRules<S, C, M extends MoveMap, E extends { type: string } = never, X extends MoveMap = Record<never, never>>(input: RulesSpecInput<S, C, M, E, X>): GameRules<S, C, M, E, X> {
  const spec = { ...input, scheduled: input.scheduled ?? {} } as RulesSpec<S, C, M, E, X>;
  const apply = (state: S, playerId: string, action: ActionOf<M> | SystemAction | ActionOf<X>, rng: Rng): Step<S, E, X> => {
    // Fuzzed input: anything that is not an action object is refused, never thrown on.
    if (typeof action !== "object" || action === null || typeof action.type !== "string") return reject("NOT_ALLOWED", "Unknown action.");
    const { type, ...payload } = action as { type: string } & Record<string, unknown>;
    switch (type) {
      case "join":
        return spec.join(state, playerId, (action as { name: string }).name, rng);
      case "leave":
        return spec.leave(state, playerId, rng, leaveHow(action as LeaveAction));
      case "timeout":
        return spec.timeout(state, playerId, rng);
      default:
        if (own.call(spec.scheduled, type)) return (spec.scheduled as Record<string, (s: S, p: object, r: Rng) => Step<S, E, X>>)[type]!(state, payload, rng);
        if (own.call(spec.moves, type)) return (spec.moves as Record<string, (s: S, id: string, p: object, r: Rng) => Step<S, E, X>>)[type]!(state, playerId, payload, rng);
        return reject("NOT_ALLOWED", "Unknown action.");
    }
  };
  return { ...spec, apply };
}
