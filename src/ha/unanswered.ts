/**
 * Whether a room that a reconnect names is listed but nobody answers for it: its process
 * died and no survivor has restored it yet. Colyseus would ask the room over presence and
 * answer 523 only after its 2 s IPC timeout, so a player's first tries after a crash each
 * cost 2 s; the matchmaking route answers those at once instead (src/http/matchmaking.ts),
 * and the player's client tries again shortly.
 *
 * A room listens on its presence channel (`$<roomId>`) from creation to disposal, on
 * whichever process holds it, so a listed room with no subscriber there has no process.
 * A stalled process still holds its Redis connection, and its rooms still count as answering.
 *
 * A room that is not listed at all Colyseus answers at once, 522 ("no such room", which the
 * web client takes as the game's end); the route turns that into 523 while the room's snapshot
 * is in Redis ({@link mayComeBack}): its row swept before a survivor restored it, or a
 * restored room listening while its row is missing for a moment.
 */
import { matchMaker } from "@colyseus/core";
import type { Redis } from "ioredis";
import { OWNER } from "./store.js";

export interface RoomLookup {
  /** The room is on this process. */
  local(roomId: string): boolean;
  /** The room has a row in the listing. */
  listed(roomId: string): Promise<boolean>;
  /** Some process listens on the room's presence channel. */
  listening(roomId: string): Promise<boolean>;
  /** The room has a snapshot in Redis (its owner key): it ran with high availability and has not ended. */
  saved(roomId: string): Promise<boolean>;
}

/**
 * The matchmaker's view: its local rooms, the driver's listing row (one hash field), and
 * the room channel's subscribers on `redis` (the presence's server), counted with
 * `PUBSUB NUMSUB` (one channel, not a scan of every channel as the presence's `channels()` does).
 */
export function matchmakerLookup(redis: Pick<Redis, "pubsub" | "exists">): RoomLookup {
  return {
    local: (roomId) => matchMaker.getLocalRoomById(roomId) !== undefined,
    listed: async (roomId) => Boolean(await matchMaker.driver.findOne({ roomId })),
    listening: async (roomId) => Number(((await redis.pubsub("NUMSUB", `$${roomId}`)) as [string, number | string])[1]) > 0,
    saved: async (roomId) => (await redis.exists(OWNER(roomId))) > 0,
  };
}

/**
 * Whether a room that Colyseus found unlisted may still run or come back: its snapshot is in
 * Redis (a restored room listening while its row is missing, or one not restored yet), or
 * Redis cannot tell (then "try again" is the safe answer: the client's window bounds it).
 */
export async function mayComeBack(roomId: string, lookup: Pick<RoomLookup, "saved">): Promise<boolean> {
  try {
    return await lookup.saved(roomId);
  } catch {
    return true;
  }
}

/**
 * True when `roomId` is listed but no process listens for it (a room being taken over).
 * False when a lookup fails (the HA connection fails at once while Redis is down; the
 * driver's own waits for it, as Colyseus's lookup would): the reconnect goes its usual way.
 */
export async function unanswered(roomId: string, lookup: RoomLookup): Promise<boolean> {
  if (lookup.local(roomId)) return false;
  try {
    // Who listens first: a live room elsewhere (the usual reconnect) costs one Redis call.
    return !(await lookup.listening(roomId)) && (await lookup.listed(roomId));
  } catch {
    return false;
  }
}
