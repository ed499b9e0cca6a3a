/**
 * The browser-safe part of a game's definition: its room name, one validator per client
 * message, and the options its rooms take at create and join. The server part (rules,
 * schema, projection) lives in src/games; the browser client imports only this part.
 *
 * A message's name is also the name of the rules' move that handles it (boardgame.io's
 * "moves keyed by name"): `room.send("make_move", { row, col })` reaches
 * `rules.moves.make_move(state, playerId, { row, col }, rng)`. The rules module types its
 * moves from these validators ({@link MovesOf}), so a validator without a move, or a move
 * without a validator, does not compile.
 */
import { z } from "zod";

/** A payload that carries nothing: `room.send("rematch")` sends `undefined`. */
export const empty = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/**
 * An integer argument. Ranges are rule checks, made after the turn check (the documented
 * check order); the validator only demands a whole number.
 */
export const int = z.number().int();

/** Names the base room dispatches on a player's behalf: no client message may take them. */
export type SystemActionName = "join" | "leave" | "timeout";

type Messages = Record<string, z.ZodType> & { [K in SystemActionName]?: never };

/** A game's wire contract. */
export interface GameProtocol<N extends string = string, M extends Messages = Messages, O extends z.ZodType<Record<string, unknown>> = z.ZodType<Record<string, unknown>>> {
  /** The room name (`client.joinOrCreate(name)`), lower case, no spaces. */
  readonly name: N;
  /** Client → server messages: name → validator of its payload (an object, or {@link empty}). */
  readonly messages: M;
  /** Create and join options (extend `commonJoinOptions`). */
  readonly options: O;
}

/** Declares a game's wire contract (keeps the literal name and message types). */
export function defineProtocol<const N extends string, const M extends Messages, O extends z.ZodType<Record<string, unknown>>>(protocol: GameProtocol<N, M, O>): GameProtocol<N, M, O> {
  return protocol;
}

/** What a client sends: message name → payload (for a typed `room.send`). */
export type PayloadsOf<P extends GameProtocol> = { [K in keyof P["messages"]]: z.input<P["messages"][K]> };

/** A validated payload as a move receives it: an empty payload becomes `{}`. */
type MovePayload<T> = T extends object ? T : Record<never, never>;

/** What the rules receive: move name → validated payload. */
export type MovesOf<P extends GameProtocol> = { [K in keyof P["messages"] & string]: MovePayload<z.output<P["messages"][K]>> };

/** The create and join options of a game, as validated. */
export type OptionsOf<P extends GameProtocol> = z.output<P["options"]>;
