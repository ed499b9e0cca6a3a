/**
 * The wire contract every game shares: the join options, player names, the server → client
 * events of every room, and the lobby's listing. Each game's own messages and options are
 * in src/protocol/games. Imported by the server and by the browser client, so the two
 * cannot drift apart.
 *
 * A TypeScript type is not validation: rooms run every payload through the validators
 * (`safeParse`) before it reaches the rules.
 */
import { z } from "zod";
import { checkName, NAME_MAX_GRAPHEMES } from "./names.js";

/** Server → client event messages every room may send (besides `error`; each game's own are in src/protocol/games). */
export interface ServerEvents {
  /** Every room: the server is shutting down; a running game may finish within `seconds`. */
  draining: { seconds: number };
  /** Dice games: a game ended (or its room closed): its server seed, to check every roll (see the README, "Provably fair dice"). */
  fairnessRevealed: { commitment: string; seed: string; clientSeeds: string; rolls: number[][]; seats?: string[]; first?: number };
  /**
   * Dice games, to the sender only: their `client_seed` was taken; it counts for the next game
   * to start (and later ones, until they send another), so that game's revealed `clientSeeds`
   * must hold it. Sent once the room's state holding it is saved.
   */
  clientSeedAccepted: { seed: string };
  /** Lobby: the listing (whole list, sent on join, on every change and on `refresh`). */
  rooms: RoomEntry[];
}

/**
 * One line of a room's history (every game state's `history` map: key `seq`, value the JSON
 * array `[game, kind, who, data?]`). `kind` and `data` are the game's own (see its protocol section);
 * every game has `start` (a game began: `game` counts them) and `end` (`data`:
 * `{ reason, name, winner }`).
 */
export interface HistoryEntry {
  /** Increases by one per entry in the room. */
  seq: number;
  /** The room's game the entry belongs to (1, 2, … ; 0 before the first starts). */
  game: number;
  kind: string;
  /** The name of the player it is about, if any. */
  who?: string;
  data?: Record<string, string | number | boolean | number[]>;
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
  /** The seated players' names, in seat order (bots not included). */
  names: string[];
  /** The room's settings: `turnSeconds` (when set) and the game's own numeric options (`targetScore`, `maxPlayers`). */
  settings: Record<string, number>;
  /**
   * One room's entry (GET /api/rooms/:id) with provably fair dice: the commitment of the
   * running or next game's seed. A player joining by id passes it back with a client seed of
   * theirs (join options `commitment`, `clientSeed`), so that their seed counts in a game that
   * starts as they sit down. Not in the lists (the lobby's `rooms`, GET /api/rooms).
   */
  commitment?: string;
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

/** A client seed: 1–64 printable ASCII characters but ":" (the separator of a game's joined client seeds: with it, one player's seed could pass for two). */
const clientSeedText = z.string().min(1).max(64).regex(/^[\x20-\x39\x3b-\x7e]+$/, 'printable ASCII characters only, and no ":"');

/** Options every room accepts at create / join. */
export const commonJoinOptions = z.object({
  name: playerName.optional(),
  spectate: z.boolean().optional(),
  private: z.boolean().optional(),
  turnSeconds: turnSeconds.optional(),
  /**
   * Dice games, joining by id: a client seed for the game the join may start, taken only if
   * `commitment` is still the commitment of that game's seed (the one the listing showed
   * before the join); otherwise ignored, and the player's seed counts from the next game.
   */
  clientSeed: clientSeedText.optional(),
  commitment: z.string().regex(/^[0-9a-f]{64}$/, "a SHA-256 in lowercase hex").optional(),
});

/**
 * Dice games: `client_seed { seed }`, a player's contribution to the next game's dice: 1–64
 * printable ASCII characters, sent before the game starts.
 */
export const CLIENT_SEED = "client_seed";
export const clientSeedPayload = z.object({ seed: clientSeedText }).strict();

export type CommonJoinOptions = z.input<typeof commonJoinOptions>;
