/**
 * A room's snapshot: everything needed to re-create a running game on another process
 * after its own died (high availability, Redis only). Versioned, and validated (zod)
 * whenever it is read: a corrupt or unknown snapshot is refused, never trusted.
 *
 * What it holds: the room's name and create options, the rules' state (plain data), each
 * seat's session id, current reconnection token and name (spectators are not kept), the
 * room's timers as absolute deadlines (epoch ms), its history entries, the fencing epoch
 * and the owning process.
 *
 * How it is stored: a Redis hash of JSON fields ({@link snapshotFields}), so that a write
 * sends only the fields that changed since the last one ({@link FieldDiff}): a move sends
 * the parts of the rules' state it replaced (the rules return new states that share what
 * did not change) and the turn, not the options, the seats or the rest of the game. The
 * history's entries are stored beside it (a Redis list, only the new ones appended with
 * each write); `parseSnapshot` joins it all again.
 *
 * The two arrays that grow through a game, the match's action log and the fair dice's
 * rolls, are stored in chunks of {@link CHUNK} items (`ml:<n>`, `fr:<n>`): a move sends
 * the chunk it added to, so what a write costs does not grow with the game (a long Dice
 * game has hundreds of steps). The chunks are compared item by item, by identity: the
 * rolls array grows in place, and a part compared by content against itself would look
 * unchanged (format 2 lost the rolls that way: a game taken over rolled its dice again from
 * the wrong position).
 */
import { z } from "zod";
import { NAME_MAX_INPUT_LENGTH } from "../protocol/names.js";

/** Bumped when the format changes; a reader refuses every version but this and {@link OLDER_VERSION}. */
export const SNAPSHOT_VERSION = 3;
/** Format 2 (servers before the chunks): the log and the rolls inline in their parts; still read. */
const OLDER_VERSION = 2;

/**
 * The longest seat name: the longest a player may choose (src/protocol/names.ts, in UTF-16
 * units: 20 long emoji), numbered when taken ("Ada (2)"). Until 2026-12-05 this was a fixed
 * 200, below the names' own cap: a seat named with 20 family emoji made its room's snapshot
 * unreadable, and the room was not restored.
 */
export const SEAT_NAME_MAX = NAME_MAX_INPUT_LENGTH + 16;

/** At most this many other tokens take a seat back ({@link seat}'s `also`; a longer list read is cut to it). */
export const MAX_SEAT_ALIASES = 3;

const seat = z.object({
  sessionId: z.string().min(1).max(64),
  /** The seat's current reconnection token (without the `roomId:` prefix). */
  token: z.string().min(1).max(128),
  /**
   * Other tokens that take the seat back (src/rooms/join-ack.ts, ReturnTokens): its player
   * dropped in a reconnection that never acknowledged its join, whose new token may never
   * have reached them. Absent in snapshots from before 2026-12-06, and when there are none.
   */
  also: z
    .array(z.string().min(1).max(128))
    .max(64)
    .transform((tokens) => tokens.slice(0, MAX_SEAT_ALIASES))
    .optional(),
  name: z.string().max(SEAT_NAME_MAX),
  /** Epoch ms the seat's reconnection window ends, when the player was away at the snapshot. */
  awayUntil: z.number().optional(),
  /** The player's identity (their sign-in token's user id), when they joined with one. */
  userId: z.string().min(1).max(64).optional(),
});

/** A game's seats (in-room ids, seat order) and the seat that moved first (absent in snapshots from before 2026-12-04). */
const opening = { seats: z.array(z.string().max(64)).max(64).optional(), first: z.number().int().min(0).max(63).optional() };
const reveal = z.object({ commitment: z.string().max(64), seed: z.string().max(64), clientSeeds: z.string().max(4096), rolls: z.array(z.array(z.number().int())).max(1_000_000), ...opening });
const fairness = z.object({
  seed: z.string().regex(/^[0-9a-f]{64}$/),
  clientSeeds: z.record(z.string(), z.string().max(64)),
  game: z.object({ clientSeeds: z.string().max(4096), rolls: z.array(z.array(z.number().int())).max(1_000_000), ...opening }).nullable(),
  revealed: reveal.nullable(),
});

/** The running match the room will record when it ends (src/players/match-tracker.ts). */
const match = z.object({
  id: z.string().min(1).max(64),
  startedAt: z.number(),
  seats: z.array(z.object({ id: z.string().max(64), userId: z.string().max(64).nullable(), name: z.string().max(SEAT_NAME_MAX) })).max(64),
  placed: z.record(z.string(), z.number().int()),
  initial: z.unknown(),
  log: z.array(z.object({ t: z.number(), seat: z.number().int(), action: z.object({ type: z.string() }).passthrough(), dice: z.array(z.number()).optional(), rng: z.array(z.number()).optional() })).max(1_000_000),
});

const stored = z.object({
  v: z.union([z.literal(SNAPSHOT_VERSION), z.literal(OLDER_VERSION)]),
  roomId: z.string().min(1).max(64),
  roomName: z.string().min(1).max(64),
  /** Fencing: bumped by every takeover; a copy holding an older epoch is superseded. */
  epoch: z.number().int().min(0),
  /** Process id of the owner when the snapshot was written. */
  owner: z.string().min(1).max(64),
  savedAt: z.number(),
  /** The room's create options, as validated (the game's protocol checks them again). */
  options: z.record(z.string(), z.unknown()),
  /** Listing key of the creator's address. */
  host: z.string().max(200),
  /** The rules' state. */
  game: z.unknown().refine((g) => g !== undefined && g !== null, "missing game state"),
  seats: z.array(seat).max(64),
  /** The running turn: which turn (`<player>:<turn number>`, then `:<stage>` in a stage timed on its own) and its deadline (epoch ms). */
  turn: z.object({ key: z.string(), deadline: z.number() }).nullable(),
  /** Rule actions scheduled for later (a bust pause, the game-over pause), by due time. */
  scheduled: z.array(z.object({ due: z.number(), action: z.object({ type: z.string() }).passthrough() })).max(64),
  /** The history's counters; its entries (the values of the newest keys up to `seq`) are stored beside it. */
  history: z.object({ seq: z.number().int().min(0), game: z.number().int().min(0) }),
  /** The match being played, when the room records results (players' accounts on). */
  match: match.nullable().default(null),
  /** Dice games: the seeds (src/fairness/room-fairness.ts); the server seed lives here, in Redis, and nowhere else before its reveal. */
  fairness: fairness.nullable().default(null),
});

/** A snapshot as stored (the JSON); its history entries live beside it. */
export type StoredSnapshot = z.output<typeof stored>;
/** What a room hands over for its snapshot (the match may be left out: none). */
export type SnapshotInput = z.input<typeof stored>;

/** A snapshot as read: with the history's entries as `[key, value]` pairs, oldest first. */
export type Snapshot = Omit<StoredSnapshot, "history"> & { history: StoredSnapshot["history"] & { entries: [string, string][] } };
export type SnapshotSeat = z.output<typeof seat>;

/** The hash field holding what a room keeps for its whole life (written with every whole snapshot only). */
const META = "meta";
/** The fields written when they change, beside {@link META} and the game's. */
const PARTS = ["seats", "turn", "scheduled", "history", "match", "fairness", "savedAt"] as const;
/** Each top-level key of the rules' state is a field of its own: `g:<key>`. */
const GAME = "g:";
/** Items per chunk of a growing array (a chunk of log steps is about 1 KB of JSON). */
export const CHUNK = 16;
/** What an absent growing array reads as (one shared array: a write allocates none). */
const NONE: readonly unknown[] = Object.freeze([]);
/** The growing arrays: the match's log (`ml:<n>`) and the running game's rolls (`fr:<n>`); their parts are stored with the array empty. */
const GROWING = {
  ml: {
    of: (s: Pick<StoredSnapshot, "match">): readonly unknown[] => s.match?.log ?? NONE,
    into: (json: Record<string, unknown>, items: unknown[]) => {
      const match = json.match as { log?: unknown } | null | undefined;
      if (match && typeof match === "object") match.log = items;
    },
  },
  fr: {
    of: (s: Pick<StoredSnapshot, "fairness">): readonly unknown[] => s.fairness?.game?.rolls ?? NONE,
    into: (json: Record<string, unknown>, items: unknown[]) => {
      const game = (json.fairness as { game?: { rolls?: unknown } | null } | null | undefined)?.game;
      if (game && typeof game === "object") game.rolls = items;
    },
  },
} as const;
type Growing = keyof typeof GROWING;
const GROWING_NAMES = Object.keys(GROWING) as Growing[];

type Meta = Pick<StoredSnapshot, "v" | "roomId" | "roomName" | "epoch" | "owner" | "options" | "host">;
type PartName = (typeof PARTS)[number];
type Parts = Pick<StoredSnapshot, PartName>;

/** The parts as stored: the growing arrays left empty (they go in their chunks). */
function storedParts(snapshot: StoredSnapshot): Parts {
  const { match, fairness } = snapshot;
  // Nothing that grows (no match recorded, no fair dice running): the snapshot's own parts.
  if (match === null && !fairness?.game) return snapshot;
  return {
    seats: snapshot.seats,
    turn: snapshot.turn,
    scheduled: snapshot.scheduled,
    history: snapshot.history,
    match: match && { ...match, log: [] },
    fairness: fairness && (fairness.game ? { ...fairness, game: { ...fairness.game, rolls: [] } } : fairness),
    savedAt: snapshot.savedAt,
  };
}

/** The keys of a seat (its schema's), every one of which {@link sameSeat} compares. */
export const SEAT_KEYS = Object.keys(seat.shape) as (keyof SnapshotSeat)[];

function sameSeat(a: SnapshotSeat, b: SnapshotSeat): boolean {
  for (const key of SEAT_KEYS) if (key === "also" ? !sameTokens(a.also, b.also) : a[key] !== b[key]) return false;
  return true;
}

function sameTokens(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((token, i) => token === b[i]));
}

/**
 * Whether a part is the same as what Redis holds, told without its JSON, where that is
 * cheap and certain: the parts the room builds anew for each write (never changed in place
 * afterwards) compared field by field, and the match and the fair dice (changed in place
 * as a game runs) only when both are null. false: compare the JSON.
 */
const SAME: { readonly [P in PartName]: (a: Parts[P], b: Parts[P]) => boolean } = {
  seats: (a, b) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameSeat(a[i]!, b[i]!)) return false;
    return true;
  },
  turn: (a, b) => a === b || (a !== null && b !== null && a.key === b.key && a.deadline === b.deadline),
  scheduled: (a, b) => a.length === 0 && b.length === 0,
  history: (a, b) => a.seq === b.seq && a.game === b.game,
  match: (a, b) => a === null && b === null,
  fairness: (a, b) => a === null && b === null,
  savedAt: (a, b) => a === b,
};

/** Each part's field as stored (JSON; the growing arrays left empty); a part the same as in `held` keeps its JSON. */
function partsJson(values: Parts, held?: Held): Record<PartName, string> {
  const parts = {} as Record<PartName, string>;
  for (const part of PARTS) {
    const same = held !== undefined && (SAME[part] as (a: unknown, b: unknown) => boolean)(values[part], held.values[part]);
    parts[part] = same ? held.parts[part] : JSON.stringify(values[part]);
  }
  return parts;
}

/** A snapshot as the hash's fields (field → JSON), for a whole write; `parts`: its {@link partsJson}, when already made. */
export function snapshotFields(snapshot: StoredSnapshot, parts = partsJson(storedParts(snapshot))): Record<string, string> {
  const fields: Record<string, string> = {};
  const meta: Meta = { v: snapshot.v, roomId: snapshot.roomId, roomName: snapshot.roomName, epoch: snapshot.epoch, owner: snapshot.owner, options: snapshot.options, host: snapshot.host };
  fields[META] = JSON.stringify(meta);
  for (const part of PARTS) fields[part] = parts[part];
  for (const [key, value] of Object.entries(snapshot.game as Record<string, unknown>)) if (value !== undefined) fields[GAME + key] = JSON.stringify(value);
  for (const name of GROWING_NAMES) {
    const items = GROWING[name].of(snapshot);
    for (let n = 0; n * CHUNK < items.length; n++) fields[`${name}:${n}`] = JSON.stringify(items.slice(n * CHUNK, (n + 1) * CHUNK));
  }
  return fields;
}

/**
 * The fields of one room's snapshot that changed since its last write that landed. A
 * room's writes never overlap (src/ha/gate.ts): each {@link next} is followed by
 * {@link landed} or {@link lost} before the next one.
 */
export class FieldDiff {
  /** What Redis holds: each part's JSON and the game's top-level values (compared by identity). */
  private held?: Held;
  private pending?: Held;

  /**
   * The fields to send, flat (`field, JSON, field, JSON, …`), and whether they replace the
   * whole hash (the first write, or after a write that may not have landed). A game key
   * that disappeared is sent as "" (read as absent).
   */
  next(snapshot: StoredSnapshot): { whole: boolean; fields: string[] } {
    const game = snapshot.game as Record<string, unknown>;
    const held = this.held;
    // The parts are compared by their JSON (the room builds them anew): small, and what a
    // changed one sends anyway; those seen unchanged without it keep theirs.
    const values = storedParts(snapshot);
    const parts = partsJson(values, held);
    const fields: string[] = [];
    const chunks = {} as Record<Growing, unknown[][]>;
    if (!held) {
      for (const [field, json] of Object.entries(snapshotFields(snapshot, parts))) fields.push(field, json);
      for (const name of GROWING_NAMES) chunks[name] = chunked(GROWING[name].of(snapshot));
    } else {
      for (const part of PARTS) if (parts[part] !== held.parts[part]) fields.push(part, parts[part]);
      for (const key in game) {
        const value = game[key];
        if (value !== held.game[key] || !(key in held.game)) fields.push(GAME + key, value === undefined ? "" : JSON.stringify(value));
      }
      for (const key in held.game) if (!(key in game)) fields.push(GAME + key, "");
      for (const name of GROWING_NAMES) chunks[name] = changedChunks(name, GROWING[name].of(snapshot), held.chunks[name], fields);
    }
    this.pending = { values, parts, game, chunks };
    return { whole: !held, fields };
  }

  /** The last write landed: the next one sends what changed since. */
  landed(): void {
    this.held = this.pending;
    this.pending = undefined;
  }

  /** The last write may not have landed (or landed in a Redis that lost the rest): the next one is whole. */
  lost(): void {
    this.held = undefined;
    this.pending = undefined;
  }
}

interface Held {
  /** Each part as written. */
  values: Parts;
  /** Each part's JSON. */
  parts: Record<PartName, string>;
  game: Record<string, unknown>;
  /** What each growing array's chunks held, item by item (copies: the arrays may grow in place). */
  chunks: Record<Growing, unknown[][]>;
}

function chunked(items: readonly unknown[]): unknown[][] {
  const out: unknown[][] = [];
  for (let n = 0; n * CHUNK < items.length; n++) out.push(items.slice(n * CHUNK, (n + 1) * CHUNK));
  return out;
}

/**
 * Adds to `fields` the chunks of `items` that differ from what Redis holds (`held`; items
 * compared by identity: the log's steps and the rolls are never changed once added) and
 * "" for held chunks beyond the end (read as absent); returns the chunks as they will be held.
 */
function changedChunks(name: Growing, items: readonly unknown[], held: unknown[][], fields: string[]): unknown[][] {
  if (items.length === 0 && held.length === 0) return held;
  const out: unknown[][] = [];
  for (let n = 0; n * CHUNK < items.length; n++) {
    const start = n * CHUNK;
    const end = Math.min(items.length, start + CHUNK);
    const before = held[n];
    let same = before !== undefined && before.length === end - start;
    for (let i = start; same && i < end; i++) same = items[i] === before![i - start];
    if (same) {
      out.push(before!);
      continue;
    }
    const chunk = items.slice(start, end);
    fields.push(`${name}:${n}`, JSON.stringify(chunk));
    out.push(chunk);
  }
  for (let n = out.length; n < held.length; n++) fields.push(`${name}:${n}`, "");
  return out;
}

/**
 * Reads a stored snapshot (its hash's fields) and its history values (oldest first; their
 * keys are the consecutive numbers ending at `history.seq`): the snapshot, or why it was
 * refused (never throws).
 */
export function parseSnapshot(fields: Readonly<Record<string, string>>, historyValues: readonly string[] = []): { ok: true; snapshot: Snapshot } | { ok: false; reason: string } {
  let json: Record<string, unknown>;
  try {
    json = joinFields(fields);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const version = (json as { v?: unknown } | null)?.v;
  if (version !== SNAPSHOT_VERSION && version !== OLDER_VERSION) return { ok: false, reason: `unknown format version ${JSON.stringify(version ?? null)}` };
  const parsed = stored.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `invalid: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "?"}` };
  }
  const { history } = parsed.data;
  if (historyValues.length > history.seq) return { ok: false, reason: `invalid: history: ${historyValues.length} entries for seq ${history.seq}` };
  const first = history.seq - historyValues.length + 1;
  const entries = historyValues.map((value, i): [string, string] => [String(first + i), value]);
  return { ok: true, snapshot: { ...parsed.data, history: { ...history, entries } } };
}

/** The hash's fields as one object (before validation); throws on a field that is not JSON. */
function joinFields(fields: Readonly<Record<string, string>>): Record<string, unknown> {
  const read = (field: string) => {
    try {
      return JSON.parse(fields[field]!) as unknown;
    } catch {
      throw new Error(`not JSON: ${field.slice(0, 40)}`);
    }
  };
  const meta = fields[META] === undefined ? {} : read(META);
  const out: Record<string, unknown> = { ...(typeof meta === "object" && meta !== null && !Array.isArray(meta) ? meta : {}) };
  let game: Record<string, unknown> | undefined;
  for (const field of Object.keys(fields)) {
    if ((PARTS as readonly string[]).includes(field)) out[field] = read(field);
    else if (field.startsWith(GAME) && fields[field] !== "") (game ??= {})[field.slice(GAME.length)] = read(field);
  }
  out.game = game;
  // The growing arrays: chunk n is field `<name>:<n>` ("" an emptied one); they run from 0 without a gap (else the snapshot is corrupt). None: the array as its part holds it (format 2).
  for (const name of GROWING_NAMES) {
    const count = Object.keys(fields).filter((field) => field.startsWith(`${name}:`) && fields[field] !== "").length;
    if (count === 0) continue;
    const items: unknown[] = [];
    for (let n = 0; n < count; n++) {
      const field = `${name}:${n}`;
      if (!fields[field]) throw new Error(`${name}: chunk ${n} missing`);
      const chunk = read(field);
      if (!Array.isArray(chunk)) throw new Error(`not a chunk: ${field}`);
      for (const item of chunk) items.push(item);
    }
    GROWING[name].into(out, items);
  }
  return out;
}
