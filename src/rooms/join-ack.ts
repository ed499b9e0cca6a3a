/**
 * The join acknowledgement deadline. Colyseus keeps everything it sends a client that has
 * not acknowledged its join in a queue (`_enqueuedMessages`) until the acknowledgement
 * arrives; a client that never sends it makes that queue grow for as long as it stays.
 * The SDK acknowledges at once, so a client still silent after `seconds` is cut.
 */
import { ClientState, type Client } from "@colyseus/core";
import type WebSocket from "ws";
import { CLOSE_NO_JOIN_ACK } from "../protocol/errors.js";
import { cutConnection } from "../transport.js";
import type { RoomTimers } from "./timers.js";

/** Cuts `client` (close code 4408) if it has not acknowledged its join within `seconds`. */
export function requireJoinAck(timers: RoomTimers, client: Client, seconds: number, onCut?: () => void): void {
  timers.after(seconds * 1000, () => {
    if (client.state !== ClientState.JOINING) return;
    onCut?.();
    cutConnection(client.ref as WebSocket, "no-ack", CLOSE_NO_JOIN_ACK, "join not acknowledged");
  });
}
