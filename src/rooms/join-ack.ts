/**
 * The join acknowledgement deadline. Colyseus keeps everything it sends a client that has
 * not acknowledged its join in a queue (`_enqueuedMessages`) until the acknowledgement
 * arrives; a client that never sends it makes that queue grow for as long as it stays.
 * The SDK acknowledges at once, so a client still silent after `seconds` is cut.
 */
import { ClientState, ServerError, type Client } from "@colyseus/core";
import type WebSocket from "ws";
import { joinAckWaiting, seatStandIn } from "../ha/room-seats.js";
import { CLOSE_NO_JOIN_ACK, CLOSE_ROOM_MOVED } from "../protocol/errors.js";
import { cutConnection } from "../transport.js";
import type { RoomTimers } from "./timers.js";

/** Cuts `client` (close code 4408) if it has not acknowledged its join within `seconds`. */
export function requireJoinAck(timers: RoomTimers, client: Client, seconds: number, onCut?: () => void): void {
  timers.after(seconds * 1000, () => {
    // Acknowledged, the acknowledgement waiting for the room's snapshot write: not silent.
    if (client.state !== ClientState.JOINING || joinAckWaiting(client)) return;
    onCut?.();
    cutConnection(client.ref as WebSocket, "no-ack", CLOSE_NO_JOIN_ACK, "join not acknowledged");
  });
}

/**
 * The end of a join or reconnection: Colyseus hands the client its reconnection token when
 * onJoin or onReconnect returns. With high availability that waits until the snapshot
 * holding the token (and the seat) has landed (`saved`), so a crash cannot leave a player
 * holding a token no restored copy knows; refused if this copy is being closed (taken over
 * elsewhere). The acknowledgement deadline then counts from when the client is told.
 */
export async function joinedOnceSaved(saved: () => Promise<void>, timers: RoomTimers, client: Client, seconds: number, onCut?: () => void): Promise<void> {
  try {
    await saved();
  } catch {
    throw new ServerError(CLOSE_ROOM_MOVED, "This game moved to another server: join it again.");
  }
  requireJoinAck(timers, client, seconds, onCut);
}

/**
 * What holds a dropped player's seat: the client itself, or, if it dropped before it
 * acknowledged its join (a phone whose reconnection died again at once), a stand-in with
 * the token that connection was given and the player's identity. Colyseus refuses to hold
 * such a client itself ("not joined"), and the player would forfeit on the spot.
 */
export function holdable(client: Client): Client {
  const unacknowledged = (client as unknown as { _enqueuedMessages?: unknown[] })._enqueuedMessages !== undefined;
  return unacknowledged ? seatStandIn(client) : client;
}
