/**
 * The join acknowledgement deadline. Colyseus keeps everything it sends a client that has
 * not acknowledged its join in a queue (`_enqueuedMessages`) until the acknowledgement
 * arrives; a client that never sends it makes that queue grow for as long as it stays.
 * The SDK acknowledges at once, so a client still silent after `seconds` is cut: a new one
 * with 4408, and its seat is free again; a returning player's reconnection (a phone whose
 * network went quiet just as it came back) with 4010, "may reconnect", and its seat is held
 * as after any drop, under every token the player may hold ({@link ReturnTokens}).
 */
import { CloseCode, ClientState, ServerError, type Client, type Room } from "@colyseus/core";
import type WebSocket from "ws";
import { holdAlsoUnder, joinAckWaiting, seatStandIn } from "../ha/room-seats.js";
import { MAX_SEAT_ALIASES } from "../ha/snapshot.js";
import { CLOSE_NO_JOIN_ACK, CLOSE_ROOM_MOVED } from "../protocol/errors.js";
import { cutConnection, cutReason } from "../transport.js";
import type { RoomTimers } from "./timers.js";

/**
 * Cuts `client` if it has not acknowledged its join within `seconds`: with close code 4408,
 * or, for a reconnection (`returning`), with 4010, on which the SDK tries again by itself.
 */
export function requireJoinAck(timers: RoomTimers, client: Client, seconds: number, onCut?: () => void, returning = false): void {
  timers.after(seconds * 1000, () => {
    // Acknowledged, the acknowledgement waiting for the room's snapshot write: not silent.
    // Already cut (a probe found it silent, src/rooms/silent-connection.ts): its close is under way.
    if (client.state !== ClientState.JOINING || joinAckWaiting(client) || cutReason(client.ref as WebSocket) !== undefined) return;
    onCut?.();
    if (returning) cutReconnection(client);
    else cutConnection(client.ref as WebSocket, "no-ack", CLOSE_NO_JOIN_ACK, "join not acknowledged");
  });
}

/**
 * Cuts a reconnection that has not acknowledged its join: 4010 ("may try to reconnect"), on
 * which the SDK tries again by itself; the room's onDrop holds its seat. `silent`: it answered
 * no ping either (src/rooms/silent-connection.ts), so it is dropped at once, not after the
 * close's wait for an answer.
 */
export function cutReconnection(client: Client, silent = false): void {
  const socket = client.ref as WebSocket;
  cutConnection(socket, "no-ack", CloseCode.MAY_TRY_RECONNECT, "reconnection not acknowledged");
  if (silent) socket.terminate();
}

/**
 * The end of a join or reconnection: Colyseus hands the client its reconnection token when
 * onJoin or onReconnect returns. With high availability that waits until the snapshot
 * holding the token (and the seat) has landed (`saved`), so a crash cannot leave a player
 * holding a token no restored copy knows; refused if this copy is being closed (taken over
 * elsewhere). The acknowledgement deadline then counts from when the client is told.
 */
export async function joinedOnceSaved(saved: () => Promise<void>, timers: RoomTimers, client: Client, seconds: number, onCut?: () => void, returning = false): Promise<void> {
  try {
    await saved();
  } catch {
    throw new ServerError(CLOSE_ROOM_MOVED, "This game moved to another server: join it again.");
  }
  requireJoinAck(timers, client, seconds, onCut, returning);
}

/** Whether `client` never acknowledged its join (Colyseus still queues what it sends it). */
function unacknowledged(client: Client): boolean {
  return (client as unknown as { _enqueuedMessages?: unknown[] })._enqueuedMessages !== undefined;
}

/**
 * What holds a dropped player's seat: the client itself, or, if it dropped before it
 * acknowledged its join (a phone whose reconnection died again at once), a stand-in with
 * the token that connection was given and the player's identity. Colyseus refuses to hold
 * such a client itself ("not joined"), and the player would forfeit on the spot.
 */
export function holdable(client: Client): Client {
  return unacknowledged(client) ? seatStandIn(client) : client;
}

/** At most this many tokens take back one held seat (a phone whose reconnections keep going quiet): its own and the snapshot's `also`. */
export const MAX_RETURN_TOKENS = 1 + MAX_SEAT_ALIASES;

/**
 * The tokens that take back a dropped player's seat. Each reconnection gives the player a
 * new token, in the join frame that their acknowledgement confirms. A reconnection dropped
 * or cut before that acknowledgement may have died before the frame reached them: they
 * still hold the token they came back with. Its seat is then held under both (Colyseus
 * holds a seat under one; the others are added to its pending reconnections and go with
 * it), and so on over several such reconnections, up to {@link MAX_RETURN_TOKENS}. With high
 * availability the snapshot holds them too (`also`), for a restored copy.
 */
export class ReturnTokens {
  /** Session → the tokens its seat is held under while its player is away. */
  private readonly heldUnder = new Map<string, string[]>();
  /** A reconnection → the tokens its player may have come back with. */
  private readonly cameWith = new WeakMap<Client, string[]>();

  /**
   * Holds `client`'s seat for `seconds` (the room's `allowReconnection`: onLeave follows if
   * nobody comes back). Returns the tokens that take it back besides the client's own.
   */
  hold(room: Room, client: Client, seconds: number): string[] {
    const holder = holdable(client);
    // Rejected when the window passes (Colyseus then calls onLeave) or with "disposing" on shutdown.
    room.allowReconnection(holder, seconds).catch(() => undefined);
    const tokens = [holder.reconnectionToken];
    if (holder !== client) for (const token of this.cameWith.get(client) ?? []) if (!tokens.includes(token) && tokens.length < MAX_RETURN_TOKENS) tokens.push(token);
    for (const token of tokens.slice(1)) holdAlsoUnder(room, holder.reconnectionToken, token);
    this.heldUnder.set(client.sessionId, tokens);
    return tokens.slice(1);
  }

  /** A seat restored from a snapshot is held under `tokens` (src/ha/room-seats.ts holds it). */
  restored(sessionId: string, tokens: readonly string[]): void {
    this.heldUnder.set(sessionId, [...tokens]);
  }

  /** `client` took its seat back, with one of the tokens it was held under: returns them (the player holds one until they acknowledge this join). */
  back(client: Client): readonly string[] {
    const tokens = this.heldUnder.get(client.sessionId) ?? [];
    this.cameWith.set(client, tokens);
    this.heldUnder.delete(client.sessionId);
    return tokens;
  }

  /** Whether `client` is a reconnection whose player may have come back with `token` (until they acknowledge the join). */
  cameBackWith(client: Client, token: string): boolean {
    return this.cameWith.get(client)?.includes(token) === true;
  }

  /** Whether `client` is a reconnection (cut for silence, it keeps its seat). */
  returning(client: Client): boolean {
    return this.cameWith.has(client);
  }

  /** The player left for good. */
  forget(sessionId: string): void {
    this.heldUnder.delete(sessionId);
  }
}
