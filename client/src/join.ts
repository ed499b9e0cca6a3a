/**
 * A join by id as a player (the lobby's Join, the invite card's, a spectator's "Take the
 * seat"): the page's client seed for a room with fair dice, and the join's options.
 */
import { commonJoinOptions, type CommonJoinOptions } from "../../src/protocol/messages.js";
import { lookUpRoom } from "./api.js";
import { newClientSeed, type JoinSeed } from "./fairness.js";

/**
 * A fresh client seed and the commitment the room lists now (GET /api/rooms/:id), when it
 * has fair dice; undefined otherwise, or when the room cannot be read (the join goes on
 * without a seed: this page's seed then counts from the next game).
 */
export async function fairJoinSeed(roomId: string): Promise<JoinSeed | undefined> {
  const commitment = (await lookUpRoom(roomId, 3000)).entry?.commitment;
  return typeof commitment === "string" && /^[0-9a-f]{64}$/.test(commitment) ? { seed: newClientSeed(), commitment } : undefined;
}

/** The options of a join by id under `name`: with the page's client seed (a room with fair dice), or as a spectator. */
export function joinByIdOptions(name: string | undefined, joinSeed?: JoinSeed, spectate = false): CommonJoinOptions {
  return commonJoinOptions.parse({ name, ...(spectate ? { spectate: true } : {}), ...(joinSeed ? { clientSeed: joinSeed.seed, commitment: joinSeed.commitment } : {}) });
}
