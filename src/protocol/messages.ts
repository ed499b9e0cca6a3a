/**
 * The wire contract: one validator per client → server message, the server → client event
 * payloads, and the join options. Imported by the server rooms and by the browser client,
 * so the two cannot drift apart.
 *
 * A TypeScript type is not validation: rooms run every payload through these schemas
 * (`safeParse`) before it reaches the rules.
 */
import { z } from "zod";
import { checkName, NAME_MAX_GRAPHEMES } from "./names.js";

/** A payload that carries nothing: `room.send("rematch")` sends `undefined`. */
const empty = z.union([z.undefined(), z.null(), z.object({}).strict()]);

/**
 * An integer coordinate. Range (0–2) is a rule check, made after the turn check, as the
 * spec orders it; the schema only demands a whole number.
 */
const int = z.number().int();

/** Client → server messages of `tictactoe`. */
export const TicTacToeMessages = {
  make_move: z.object({ row: int, col: int }).strict(),
  rematch: empty,
} as const;

/** Client → server messages of `dice`. */
export const DiceMessages = {
  roll: empty,
  select: z.object({ index: int }).strict(),
  set_aside: z.object({ endTurn: z.boolean() }).strict(),
  add_bot: empty,
  rematch: empty,
} as const;

/** Client → server messages of `owedrahn`. */
export const OweDrahnMessages = {
  ready: z.object({ ready: z.boolean() }).strict(),
  roll: empty,
  lose_life: empty,
  choose_next: z.object({ playerId: z.string().min(1).max(64) }).strict(),
} as const;

/** Message name → payload type, for a typed `room.send` in clients. */
export type PayloadsOf<M extends Record<string, z.ZodType>> = { [K in keyof M]: z.input<M[K]> };
export type TicTacToePayloads = PayloadsOf<typeof TicTacToeMessages>;
export type DicePayloads = PayloadsOf<typeof DiceMessages>;
export type OweDrahnPayloads = PayloadsOf<typeof OweDrahnMessages>;

/** Server → client event messages (besides `error`). */
export interface ServerEvents {
  /** Dice: the roll held no scoring die; the turn passes after the bust pause. */
  busted: { playerId: string };
  /** Owe Drahn: a die was rolled; `total` is the running total before any reset. */
  rolled: { playerId: string; die: number; total: number };
  /** Owe Drahn: one player is left alive. */
  gameOver: { winnerId: string };
  /** Every room: the server is shutting down; a running game may finish within `seconds`. */
  draining: { seconds: number };
  /** Lobby: the listing (whole list, sent on join, on every change and on `refresh`). */
  rooms: RoomEntry[];
}

/** One room of the lobby's listing. */
export interface RoomEntry {
  roomId: string;
  game: string;
  players: number;
  seats: number;
  started: boolean;
  /** A player may join now (not started, a seat free). */
  open: boolean;
}

/** Longest player name, in graphemes (user-perceived characters), after cleaning. */
export const NAME_MAX_LENGTH = NAME_MAX_GRAPHEMES;

/**
 * A player name, checked and cleaned by {@link checkName} (NFC, whitespace trimmed and
 * collapsed, 1–20 graphemes, no control, bidi or invisible characters, no look-alike script
 * mixing). Outputs the cleaned name; a refusal is one custom issue whose message says what is
 * wrong (players see it as the join error). Rendered by clients as text, never as HTML.
 */
export const playerName = z.string().transform((raw, ctx) => {
  const result = checkName(raw);
  if (result.ok) return result.name;
  ctx.addIssue({ code: "custom", message: result.reason, input: raw });
  return z.NEVER;
});

/** Turn timer in seconds: 0 turns it off. */
export const turnSeconds = z.union([z.literal(0), z.number().min(1).max(600)]);

/** Options every room accepts at create / join. */
export const commonJoinOptions = z.object({
  name: playerName.optional(),
  spectate: z.boolean().optional(),
  private: z.boolean().optional(),
  turnSeconds: turnSeconds.optional(),
});

/** `dice` room options. */
export const diceOptions = commonJoinOptions.extend({
  targetScore: z.number().int().min(1000).max(10000).optional(),
});

/** `owedrahn` room options. */
export const oweDrahnOptions = commonJoinOptions.extend({
  maxPlayers: z.number().int().min(2).max(8).optional(),
});

export type CommonJoinOptions = z.input<typeof commonJoinOptions>;
export type DiceOptions = z.input<typeof diceOptions>;
export type OweDrahnOptions = z.input<typeof oweDrahnOptions>;

/** Room names, as registered on the server. */
export const RoomName = {
  tictactoe: "tictactoe",
  dice: "dice",
  owedrahn: "owedrahn",
} as const;
export type RoomName = (typeof RoomName)[keyof typeof RoomName];
