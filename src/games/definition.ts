/**
 * A game is one definition: its wire contract (browser-safe, src/protocol/games), its
 * rules (pure, src/rules), and how its rooms hold and show it (the schema and the
 * projection of the rules' state into it). The base room (src/rooms/GameRoom.ts) runs any
 * definition; src/games/index.ts lists them, and everything else derives from that list.
 */
import type { Schema } from "@colyseus/schema";
import type { GameProtocol, MovesOf, OptionsOf } from "../protocol/game.js";
import type { GameRules, MoveMap } from "../rules/types.js";
import type { WriteContext } from "../schema/sync.js";

/** Keys of `A` missing from `B`. */
type Missing<A, B> = Exclude<keyof A, keyof B>;

export interface GameDefinition<P extends GameProtocol = GameProtocol, S = any, C = any, T extends Schema = any> {
  /** Name, message validators, options: what the browser client shares. */
  readonly protocol: P;
  /** The pure rules; their moves are the protocol's messages, one for one. */
  readonly rules: GameRules<S, C, MovesOf<P>, any, any>;
  /** The rules' config from a room's validated create options. */
  readonly config: (options: OptionsOf<P>) => C;
  /** A fresh schema state for a new room. */
  readonly state: () => T;
  /** Writes the rules' state into the schema, assigning only what changed (see {@link WriteContext}). */
  readonly project: (target: T, state: S, ctx: WriteContext<S>) => void;
}

/**
 * Declares a game. Besides inference, it checks that the rules' moves and the protocol's
 * messages are the same names: a validator without a move, or a move without a validator,
 * is a compile error here.
 */
export function defineGame<P extends GameProtocol, S, C, T extends Schema, M extends MoveMap, E extends { type: string }, X extends MoveMap>(
  definition: {
    protocol: P;
    rules: GameRules<S, C, M, E, X> & ([Missing<M, MovesOf<P>> | Missing<MovesOf<P>, M>] extends [never] ? unknown : { "moves and messages differ": Missing<M, MovesOf<P>> | Missing<MovesOf<P>, M> });
    config: (options: OptionsOf<P>) => C;
    state: () => T;
    project: (target: T, state: S, ctx: WriteContext<S>) => void;
  },
): GameDefinition<P, S, C, T> {
  return definition as unknown as GameDefinition<P, S, C, T>;
}

/** Any game's definition, as the game room and the registration take it. */
export type AnyGame = GameDefinition<any, any, any, any>;
