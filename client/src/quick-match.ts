/**
 * Quick play's one retry rule. Matchmaking reserves a seat over HTTP, and the WebSocket
 * takes it a moment later. In that moment the room's game may start without this player
 * (its host added a bot, or every seated Owe Drahn player became ready), and the room then
 * refuses them with ROOM_FULL or GAME_STARTED. A player who asked for "any game" never
 * chose that room: matchmaking runs again and finds another one, or makes one. (A player
 * who chose a room, by its code or from the list, is told instead and offered to watch.)
 */
import { JoinErrorCode } from "../../src/protocol/errors.js";

/** Matchmaking runs this many times at most. */
export const QUICK_MATCH_TRIES = 3;

/** Whether `err` is the room refusing a seat it had reserved (it filled or started meanwhile). */
export function lostReservedSeat(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === JoinErrorCode.ROOM_FULL || code === JoinErrorCode.GAME_STARTED;
}

/** Runs `joinOrCreate` again while the room it matched refuses the seat it had reserved; any other failure, or the last, is thrown. */
export async function quickMatch<T>(joinOrCreate: () => Promise<T>, tries = QUICK_MATCH_TRIES): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await joinOrCreate();
    } catch (err) {
      if (attempt >= tries || !lostReservedSeat(err)) throw err;
    }
  }
}
