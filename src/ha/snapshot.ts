/**
 * A room's snapshot: everything needed to re-create a running game on another process
 * after its own died (high availability, Redis only). Plain JSON, versioned, and validated
 * (zod) whenever it is read: a corrupt or unknown snapshot is refused, never trusted.
 *
 * What it holds: the room's name and create options, the rules' state (plain data), each
 * seat's session id, current reconnection token and name (spectators are not kept), the
 * room's timers as absolute deadlines (epoch ms), its history entries, the fencing epoch
 * and the owning process. The history's entries are stored beside it (a Redis list, only
 * the new ones appended with each write), so a move writes a few hundred bytes, not the
 * whole history; `parseSnapshot` joins them again.
 */
import { z } from "zod";

/** Bumped when the format changes; a reader refuses every other version. */
export const SNAPSHOT_VERSION = 1;

const seat = z.object({
  sessionId: z.string().min(1).max(64),
  /** The seat's current reconnection token (without the `roomId:` prefix). */
  token: z.string().min(1).max(128),
  name: z.string().max(200),
  /** Epoch ms the seat's reconnection window ends, when the player was away at the snapshot. */
  awayUntil: z.number().optional(),
});

const stored = z.object({
  v: z.literal(SNAPSHOT_VERSION),
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
  /** The running turn: which turn (`<player>:<turn number>`) and its deadline (epoch ms). */
  turn: z.object({ key: z.string(), deadline: z.number() }).nullable(),
  /** Rule actions scheduled for later (a bust pause, the game-over pause), by due time. */
  scheduled: z.array(z.object({ due: z.number(), action: z.object({ type: z.string() }).passthrough() })).max(64),
  /** The history's counters; its entries (the values of the newest keys up to `seq`) are stored beside it. */
  history: z.object({ seq: z.number().int().min(0), game: z.number().int().min(0) }),
});

/** A snapshot as stored (the JSON); its history entries live beside it. */
export type StoredSnapshot = z.output<typeof stored>;

/** A snapshot as read: with the history's entries as `[key, value]` pairs, oldest first. */
export type Snapshot = Omit<StoredSnapshot, "history"> & { history: StoredSnapshot["history"] & { entries: [string, string][] } };
export type SnapshotSeat = z.output<typeof seat>;

/**
 * Reads a stored snapshot and its history values (oldest first; their keys are the
 * consecutive numbers ending at `history.seq`): the snapshot, or why it was refused (never throws).
 */
export function parseSnapshot(raw: string, historyValues: readonly string[] = []): { ok: true; snapshot: Snapshot } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const version = (json as { v?: unknown } | null)?.v;
  if (version !== SNAPSHOT_VERSION) return { ok: false, reason: `unknown format version ${JSON.stringify(version ?? null)}` };
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
