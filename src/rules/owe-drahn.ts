/**
 * Owe Drahn rules (games.md, "Owe Drahn"): Austrian push-your-luck dice, as pure functions,
 * no framework, no clock. Randomness comes only from the injected {@link Rng}.
 *
 * Check order for the client actions (`ready`, `roll`, `lose_life`, `choose_next`):
 * 1. seated: an id with no seat gets `NOT_A_PLAYER`;
 * 2. phase: `GAME_OVER` during the game-over pause (every client action, `ready` too);
 *    `NOT_STARTED` for a game action in the lobby; `NOT_ALLOWED` for `ready` during a game;
 * 3. in the game: a player who is out (eliminated, or left) gets `NOT_ALLOWED`;
 * 4. `NOT_YOUR_TURN`;
 * 5. the turn's stage: `roll` and `lose_life` while choosing, `choose_next` while not
 *    choosing: `NOT_ALLOWED`;
 * 6. argument: `ready` not a boolean, `choose_next` naming an unknown, eliminated or
 *    departed player: `INVALID_MOVE`;
 * 7. rule legality: `lose_life` below {@link LOSE_LIFE_MIN_TOTAL} or on the last life:
 *    `NOT_ALLOWED`.
 *
 * System actions the room dispatches: `join` (lobby only, free seat), `leave` (a forfeit
 * during a game), `timeout` (by the player whose turn ran out) and `reset` (scheduled at
 * game over through a {@link ScheduleEvent} with timer `"gameOver"`; accepted from any id,
 * since the room dispatches it on nobody's behalf).
 *
 * Choices where games.md leaves room (also in the README):
 * - A leave in the lobby may complete the ready check: if the players left are at least two
 *   and all ready, the game starts.
 * - A roll passes the turn whether or not it busts; `lastRoll` keeps the face (a 3 stays 3).
 * - `lose_life` keeps the turn with the player (now `choosing`) and does not start a new
 *   turn; `choose_next` does, even when the player names themselves. With a turn timer the
 *   choice gets a whole turn's time of its own ({@link oweDrahn}'s `timedStage`): at most
 *   twice a turn's time per turn, and each such turn costs a life.
 * - A leave during the game-over pause only marks the player `left`; the winner stays the
 *   winner and the seat is freed at `reset`.
 */
import { d6, pickFirst, type Rng } from "./rng.js";
import type { MovesOf } from "../protocol/game.js";
import type { oweDrahnProtocol } from "../protocol/games/owedrahn.js";
import { accept, defineRules, reject, seated, type ActionOf, type Ending, type LeaveAction, type LeaveHow, type RulesResult, type ScheduleEvent, type SeatCheck } from "./types.js";

/** Lives each player starts every game with. */
export const START_LIVES = 6;
/** A total above this eliminates the roller. */
export const BUST_ABOVE = 15;
/** `lose_life` ("owe drahn") is allowed from this total on. */
export const LOSE_LIFE_MIN_TOTAL = 10;
/** Seats of a room created without `maxPlayers`. */
export const DEFAULT_MAX_PLAYERS = 8;
/** Fewest seats a room may have. */
const MIN_PLAYERS = 2;

/** The stage of a room: the ready stage, a game running, or the game-over pause. */
export type OweDrahnPhase = "lobby" | "playing" | "over";

/** One seat, as the rules see it. */
export interface OweDrahnPlayer {
  readonly id: string;
  readonly name: string;
  /** Lives left, 0–{@link START_LIVES}; 0 means eliminated. */
  readonly life: number;
  /** Ready for the next game (meaningful in the lobby only). */
  readonly ready: boolean;
  /** The player lost a life and must name who plays next. */
  readonly choosing: boolean;
  /** Zero-sum score across the games in this room. */
  readonly score: number;
  /** The player left during a game or its pause; the seat is freed at `reset`. */
  readonly left: boolean;
}

/** The whole Owe Drahn rule state. */
export interface OweDrahnState {
  /** Seats in seat order (the order of joining). */
  readonly players: readonly OweDrahnPlayer[];
  /** The shared running total, 0–{@link BUST_ABOVE}. */
  readonly currentValue: number;
  /** Whose turn it is while playing; null in the lobby and during the game-over pause. */
  readonly currentTurn: string | null;
  readonly phase: OweDrahnPhase;
  /** The face of the last die rolled this game, 1–6; 0 before any roll. */
  readonly lastRoll: number;
  /** Seats in this room, 2–8. */
  readonly maxPlayers: number;
  /** Increments whenever a turn starts (even for the same player). */
  readonly turn: number;
  /** How the last game ended (null while one runs or none has ended). */
  readonly ending: Ending | null;
}

/** The moves clients send: `ready`, `roll`, `lose_life`, `choose_next`. */
export type OweDrahnMoves = MovesOf<typeof oweDrahnProtocol>;

/** The actions a client may send. */
export type OweDrahnClientAction = ActionOf<OweDrahnMoves>;

/** The actions the rules schedule: `reset` ends the game-over pause. */
export type OweDrahnScheduled = { reset: Record<never, never> };

/** The actions the room dispatches on a player's (or nobody's) behalf. */
export type OweDrahnSystemAction = { type: "join"; name: string } | LeaveAction | { type: "timeout" } | { type: "reset" };

/** Every action `apply` understands. */
export type OweDrahnAction = OweDrahnClientAction | OweDrahnSystemAction;

/**
 * What the room broadcasts: a die was rolled (`total` before any reset; `timeout`: the
 * server rolled because the player's time ran out), the chooser handed the turn on
 * (`timeout`: the server chose the next player alive), or the game ended.
 */
export type OweDrahnEvent =
  | { type: "rolled"; playerId: string; die: number; total: number; timeout: boolean }
  | { type: "handedOver"; playerId: string; nextId: string; timeout: boolean }
  | { type: "gameOver"; winnerId: string };

/** Room configuration (validated by the room: `maxPlayers` 2–8). */
export interface OweDrahnConfig {
  maxPlayers: number;
}

type Result = RulesResult<OweDrahnState, OweDrahnEvent | ScheduleEvent<OweDrahnScheduled>>;
type Out = OweDrahnEvent | ScheduleEvent<OweDrahnScheduled>;


const isAlive = (p: OweDrahnPlayer): boolean => p.life > 0 && !p.left;

/**
 * A leave that put `playerId` out of a running game that goes on (the room's history and a
 * replay's step both say "Ada left the game: out"): the leaver as they were, and whether the
 * total went back to 0 (they left on turn); undefined for any other step, such as a leave
 * that ended the game (its ending says who left).
 */
export function outOfRunningGame(before: OweDrahnState, after: OweDrahnState, playerId: string): { leaver: OweDrahnPlayer; reset: boolean } | undefined {
  if (before.phase !== "playing" || after.phase !== "playing") return undefined;
  const leaver = before.players.find((p) => p.id === playerId && isAlive(p));
  return leaver ? { leaver, reset: before.currentValue > 0 && after.currentValue === 0 } : undefined;
}

/** The next player alive after `fromId` in seat order (wrapping), or null if nobody else is. */
function nextAlive(players: readonly OweDrahnPlayer[], fromId: string): OweDrahnPlayer | null {
  const n = players.length;
  const from = players.findIndex((p) => p.id === fromId);
  for (let i = 1; i < n; i++) {
    const p = players[(from + i + n) % n]!;
    if (p.id !== fromId && isAlive(p)) return p;
  }
  return null;
}

function setPlayer(players: readonly OweDrahnPlayer[], id: string, change: Partial<OweDrahnPlayer>): OweDrahnPlayer[] {
  return players.map((p) => (p.id === id ? { ...p, ...change } : p));
}

/** Starts a game if at least two players are seated and all are ready; otherwise `state` as is. */
function maybeStart(state: OweDrahnState, rng: Rng): OweDrahnState {
  if (state.phase !== "lobby" || state.players.length < MIN_PLAYERS || !state.players.every((p) => p.ready)) return state;
  const players = state.players.map((p) => ({ ...p, life: START_LIVES, choosing: false }));
  return {
    ...state,
    players,
    phase: "playing",
    currentValue: 0,
    lastRoll: 0,
    ending: null,
    currentTurn: pickFirst(rng, players).id,
    turn: state.turn + 1,
  };
}

/**
 * After someone dropped out (bust or forfeit) while `outId` held or did not hold the turn:
 * ends the game when one player is left alive, otherwise passes the turn when `outId` had it.
 * `left`: how `outId` went, when a leave put them out (the game's ending then says so).
 */
function afterElimination(state: OweDrahnState, outId: string, events: Out[], left?: LeaveHow): Result {
  const alive = state.players.filter(isAlive);
  if (alive.length <= 1) {
    const winner = alive[0];
    const n = state.players.length;
    const players = state.players.map((p) => ({
      ...p,
      choosing: false,
      score: p.score + (p === winner ? n - 1 : -1),
    }));
    // The game ends by the rules, or because the last opponent left or did not come back (`left`: a forfeit).
    const out = state.players.find((p) => p.id === outId);
    const ending: Ending = left && out ? { reason: left, name: out.name } : { reason: "won", name: winner?.name ?? "" };
    const over: OweDrahnState = { ...state, players, phase: "over", currentTurn: null, ending };
    // With ≥ 2 players in a game and one leaving at a time, a winner always exists.
    if (winner) events.push({ type: "gameOver", winnerId: winner.id });
    events.push({ type: "schedule", timer: "gameOver", action: { type: "reset" } });
    return accept(over, events);
  }
  if (state.currentTurn !== outId) return accept(state, events);
  const next = nextAlive(state.players, outId)!;
  return accept({ ...state, currentValue: 0, currentTurn: next.id, turn: state.turn + 1 }, events);
}

/** One die for the player whose turn it is (a client roll or a timeout). */
function roll(state: OweDrahnState, playerId: string, rng: Rng, timeout = false): Result {
  const die = d6(rng);
  const total = state.currentValue + (die === 3 ? 0 : die);
  const events: Out[] = [{ type: "rolled", playerId, die, total, timeout }];
  if (total > BUST_ABOVE) {
    const busted: OweDrahnState = {
      ...state,
      players: setPlayer(state.players, playerId, { life: 0, choosing: false }),
      currentValue: 0,
      lastRoll: die,
    };
    return afterElimination(busted, playerId, events);
  }
  const next = nextAlive(state.players, playerId)!;
  return accept({ ...state, currentValue: total, lastRoll: die, currentTurn: next.id, turn: state.turn + 1 }, events);
}

/** The chooser hands a new turn to `targetId` (already checked alive). */
function handOver(state: OweDrahnState, chooserId: string, targetId: string, timeout = false): Result {
  return accept(
    {
      ...state,
      players: setPlayer(state.players, chooserId, { choosing: false }),
      currentTurn: targetId,
      turn: state.turn + 1,
    },
    [{ type: "handedOver", playerId: chooserId, nextId: targetId, timeout }],
  );
}

function leave(state: OweDrahnState, player: OweDrahnPlayer, rng: Rng, how: LeaveHow): Result {
  if (state.phase === "lobby") {
    return accept(maybeStart({ ...state, players: state.players.filter((p) => p.id !== player.id) }, rng));
  }
  if (player.left) return reject("NOT_ALLOWED", "You already left.");
  if (state.phase === "over") {
    return accept({ ...state, players: setPlayer(state.players, player.id, { left: true, choosing: false }) });
  }
  // Playing: a forfeit, as if the player busted.
  const players = setPlayer(state.players, player.id, { left: true, life: 0, choosing: false });
  return afterElimination({ ...state, players }, player.id, [], how);
}

function reset(state: OweDrahnState): Result {
  if (state.phase !== "over") return reject("NOT_ALLOWED", "Nothing to reset: the game is not over.");
  const players = state.players
    .filter((p) => !p.left)
    .map((p) => ({ ...p, life: START_LIVES, ready: false, choosing: false }));
  return accept({ ...state, players, phase: "lobby", currentTurn: null, currentValue: 0, lastRoll: 0 });
}

function join(state: OweDrahnState, playerId: string, name: unknown): Result {
  if (state.players.some((p) => p.id === playerId)) return reject("NOT_ALLOWED", "Already seated.");
  const seat = canSeat(state);
  if (!seat.ok) return reject("NOT_ALLOWED", seat.reason === "full" ? "Every seat is taken." : "The game has started.");
  const player: OweDrahnPlayer = {
    id: playerId,
    name: typeof name === "string" && name !== "" ? name : `Player ${state.players.length + 1}`,
    life: START_LIVES,
    ready: false,
    choosing: false,
    score: 0,
    left: false,
  };
  return accept({ ...state, players: [...state.players, player] });
}

/** A client action from a seated player: the documented check order, steps 2–7. */
function play(state: OweDrahnState, player: OweDrahnPlayer, action: OweDrahnClientAction, rng: Rng): Result {
  if (state.phase === "over") return reject("GAME_OVER", "The game is over; the next one starts soon.");
  if (action.type === "ready") {
    if (state.phase !== "lobby") return reject("NOT_ALLOWED", "The game is running; ready again after it.");
    if (typeof action.ready !== "boolean") return reject("INVALID_MOVE", "ready must be true or false.");
    const next = { ...state, players: setPlayer(state.players, player.id, { ready: action.ready }) };
    return accept(maybeStart(next, rng));
  }
  if (state.phase === "lobby") return reject("NOT_STARTED", "The game starts when every seated player is ready.");
  if (!isAlive(player)) return reject("NOT_ALLOWED", "You are out of this game.");
  if (state.currentTurn !== player.id) return reject("NOT_YOUR_TURN", "It is not your turn.");

  switch (action.type) {
    case "roll":
      if (player.choosing) return reject("NOT_ALLOWED", "Choose who plays next first.");
      return roll(state, player.id, rng);
    case "lose_life":
      if (player.choosing) return reject("NOT_ALLOWED", "You already lost a life; choose who plays next.");
      if (state.currentValue < LOSE_LIFE_MIN_TOTAL) {
        return reject("NOT_ALLOWED", `You may lose a life only when the total is at least ${LOSE_LIFE_MIN_TOTAL}.`);
      }
      if (player.life <= 1) return reject("NOT_ALLOWED", "You cannot give up your last life.");
      return accept({
        ...state,
        players: setPlayer(state.players, player.id, { life: player.life - 1, choosing: true }),
        currentValue: 0,
      });
    case "choose_next": {
      if (!player.choosing) return reject("NOT_ALLOWED", "Only a player who just lost a life chooses who plays next.");
      const targetId: unknown = action.playerId;
      const target = typeof targetId === "string" ? state.players.find((p) => p.id === targetId) : undefined;
      if (!target || !isAlive(target)) return reject("INVALID_MOVE", "Name a player who is still in the game.");
      return handOver(state, player.id, target.id);
    }
    default:
      return reject("NOT_ALLOWED", "Unknown action.");
  }
}

function canSeat(state: OweDrahnState): SeatCheck {
  if (state.phase !== "lobby") return { ok: false, reason: "started" };
  if (state.players.filter((p) => !p.left).length >= state.maxPlayers) return { ok: false, reason: "full" };
  return { ok: true };
}

/** The seats of a room with `maxPlayers` (2–8, default 8). */
function seatsFor(wanted: number | undefined): number {
  return Number.isInteger(wanted) && wanted! >= MIN_PLAYERS && wanted! <= DEFAULT_MAX_PLAYERS ? wanted! : DEFAULT_MAX_PLAYERS;
}

/** A client move: steps 2–7 of the check order, in {@link play}. */
const move = (type: OweDrahnClientAction["type"]) =>
  seated((state: OweDrahnState, player, payload: object, rng: Rng) => play(state, player, { type, ...payload } as OweDrahnClientAction, rng));

/** Owe Drahn as a {@link GameRules} module. */
export const oweDrahn = defineRules<OweDrahnState, OweDrahnConfig, OweDrahnMoves, OweDrahnEvent, OweDrahnScheduled>({
  seats: (config) => seatsFor(config?.maxPlayers),
  setup(config) {
    return { players: [], currentValue: 0, currentTurn: null, phase: "lobby", lastRoll: 0, maxPlayers: seatsFor(config?.maxPlayers), turn: 0, ending: null };
  },

  canSeat,

  join: (state, playerId, name) => join(state, playerId, name),
  leave: seated((state, player, rng, how) => leave(state, player, rng, how)),
  timeout: seated((state, player, rng) => {
    if (state.phase !== "playing" || state.currentTurn !== player.id) return reject("NOT_ALLOWED", "No turn is running out.");
    // Time ran out: the server rolls for the player, or (while choosing) hands the turn to the next player alive.
    if (!player.choosing) return roll(state, player.id, rng, true);
    return handOver(state, player.id, (nextAlive(state.players, player.id) ?? player).id, true);
  }),

  moves: {
    ready: move("ready"),
    roll: move("roll"),
    lose_life: move("lose_life"),
    choose_next: move("choose_next"),
  },

  // Accepted from any id: the room dispatches it on nobody's behalf.
  scheduled: {
    reset: (state) => reset(state),
  },

  activePlayer: (state) => (state.phase === "playing" ? state.currentTurn : null),
  turnNumber: (state) => state.turn,
  // The choice of who plays next gets a full turn's time: a player who said "owe drahn" with
  // 2 s of 15 left would otherwise have 2 s to choose (until 2026-12-07).
  timedStage: (state) => (state.players.find((p) => p.id === state.currentTurn)?.choosing ? 1 : 0),
  playerIds: (state) => state.players.filter((p) => !p.left).map((p) => p.id),
  isStarted: (state) => state.phase !== "lobby",
});
