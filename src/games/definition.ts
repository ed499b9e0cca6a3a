/**
 * A game is one definition: its wire contract (browser-safe, src/protocol/games), its
 * rules (pure, src/rules), and how its rooms hold and show it (the schema and the
 * projection of the rules' state into it). The base room (src/rooms/GameRoom.ts) runs any
 * definition; src/games/index.ts lists them, and everything else derives from that list.
 */
import type { GameState, GameStateBase } from "../schema/GameState.js";
import type { GameProtocol, MovesOf, OptionsOf } from "../protocol/game.js";
import type { CommonState, GameRules, MoveMap } from "../rules/types.js";
import type { WriteContext } from "../schema/sync.js";
import type { HistoryEntry } from "../protocol/messages.js";
import type { Standing } from "../players/match-tracker.js";

/** A history line a game describes (the room numbers it and adds the game it belongs to). */
export type HistoryItem = Omit<HistoryEntry, "seq" | "game">;

/**
 * The `end` entry of a step that ended a game (its state's `ending` appeared), else none:
 * `data` is `{ reason, name, winner }` (names; `winner` "" when nobody won).
 */
export function endItem(before: { ending: { reason: string; name: string } | null }, after: { ending: { reason: string; name: string } | null }, winner: string | undefined): HistoryItem[] {
  if (!after.ending || after.ending === before.ending) return [];
  return [{ kind: "end", data: { reason: after.ending.reason, name: after.ending.name, winner: winner ?? "" } }];
}

/** One accepted step of the rules, for {@link GameDefinition.history}. */
export interface HistoryStep<S> {
  before: S;
  after: S;
  playerId: string;
  action: { type: string; [field: string]: unknown };
  events: readonly { type: string; [field: string]: unknown }[];
}

/** Keys of `A` missing from `B`. */
type Missing<A, B> = Exclude<keyof A, keyof B>;

export interface GameDefinition<P extends GameProtocol = GameProtocol, S = any, C = any, T extends GameState = any> {
  /** Name, message validators, options: what the browser client shares. */
  readonly protocol: P;
  /** The pure rules; their moves are the protocol's messages, one for one. */
  readonly rules: GameRules<S, C, MovesOf<P>, any, any>;
  /** The rules' config from a room's validated create options. */
  readonly config: (options: OptionsOf<P>) => C;
  /** A fresh schema state for a new room: a {@link GameState} (what every game shows) with the game's own fields. */
  readonly state: () => T;
  /**
   * Writes the game's own part of the rules' state into the schema, assigning only what
   * changed (see {@link WriteContext}). The room writes the {@link GameState} fields itself.
   */
  readonly project: (target: T, state: S, ctx: WriteContext<S>) => void;
  /** What an accepted step adds to the room's history (moves, rolls, the end), in the game's words. */
  readonly history: (step: HistoryStep<S>) => HistoryItem[];
  /**
   * Who is still in the running, and once a game is over who won: the room places the
   * players of a recorded match from it (src/players/match-tracker.ts).
   */
  readonly standing: (state: S) => Standing;
}

/**
 * Declares a game. Besides inference, it checks that the rules' moves and the protocol's
 * messages are the same names: a validator without a move, or a move without a validator,
 * is a compile error here; so is a rules state without what the room reads of every game
 * ({@link CommonState}: `players` with names, `currentTurn`, `phase`, `ending`), and so is
 * a schema state without the fields of {@link GameStateBase}() (what the room writes; the
 * check is structural, so extend it rather than declare them again).
 */
export function defineGame<P extends GameProtocol, S extends CommonState, C, T extends GameState, M extends MoveMap, E extends { type: string }, X extends MoveMap>(
  definition: {
    protocol: P;
    rules: GameRules<S, C, M, E, X> & ([Missing<M, MovesOf<P>> | Missing<MovesOf<P>, M>] extends [never] ? unknown : { "moves and messages differ": Missing<M, MovesOf<P>> | Missing<MovesOf<P>, M> });
    config: (options: OptionsOf<P>) => C;
    state: () => T;
    project: (target: T, state: S, ctx: WriteContext<S>) => void;
    history: (step: HistoryStep<S>) => HistoryItem[];
    standing: (state: S) => Standing;
  },
): GameDefinition<P, S, C, T> {
  return definition as unknown as GameDefinition<P, S, C, T>;
}

/** Any game's definition, as the game room and the registration take it. */
export type AnyGame = GameDefinition<any, any, any, any>;
