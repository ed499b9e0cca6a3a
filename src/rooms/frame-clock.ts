/**
 * Colyseus's handler of every frame a client sends a room (`Room._onMessage`), wrapped:
 * {@link interceptFrames} for anything that must see each frame before Colyseus does, and
 * {@link guardFrames}, which (besides) keeps Colyseus's per-client frame count per second
 * (`Room.maxMessagesPerSecond`) counting per second.
 *
 * Colyseus starts a client's new second when the room clock (`clock.currentTime`) has passed
 * the last one, and that clock moves only when something ticks it: a patch interval, clock
 * timers, or a room that ticks it itself. Our rooms have none of them (state goes out from
 * their commits, timers are their own), so a frame that reached no handler of ours (a ping,
 * a request) never moved it. In a quiet room the count then never started a new second:
 * a client that sent 181 pings over any span (`room.ping()` once a second, for three minutes
 * of waiting for an opponent) was closed with 4002, which gives no reconnection window, so a
 * seated player forfeited. Here the clock ticks for every frame, before Colyseus counts it.
 */
import { isUtf8 } from "node:buffer";
import { ClientState, getMessageBytes, Protocol, ResponseStatus, type Client, type Room } from "@colyseus/core";
import { decode } from "@colyseus/schema";
import { isRequest } from "../transport.js";

export type FrameHandler = (this: Room, client: Client, buffer: Buffer) => unknown;

/**
 * Puts `intercept` in front of Colyseus's frame handler: it gets each frame and the handler
 * (`next.call(room, client, buffer)` passes the frame on). Call in `onCreate`, before any
 * client joins (Colyseus binds the handler at each join); later calls wrap the earlier ones.
 */
export function interceptFrames(room: Room, intercept: (next: FrameHandler, room: Room, client: Client, buffer: Buffer) => unknown): void {
  const internal = room as unknown as { _onMessage?: FrameHandler };
  const next = internal._onMessage;
  // Colyseus's frame handler (Room.ts `_onMessage`): a version without it must not start without what depends on it.
  if (typeof next !== "function") throw new Error("Colyseus's Room has no _onMessage: its frames cannot be intercepted (check the @colyseus/core version)");
  internal._onMessage = function (this: Room, client: Client, buffer: Buffer) {
    return intercept(next, this, client, buffer);
  };
}

/** What a request frame is answered (this server's rooms take none). */
const NO_REQUESTS = { name: "UNKNOWN_ACTION", code: "UNKNOWN_ACTION", message: "This server's rooms answer no requests: send game messages (room.send without a callback)." };

/**
 * Answers a request frame (Colyseus's ROOM_REQUEST: the SDK's `room.request()`, or
 * `room.send()` with a callback) with that refusal: this server's rooms take none.
 * Colyseus would decode its payload and, when that failed, answer with the decoder's own
 * text and log an error with a stack trace for each frame (a client could write about
 * 1 GB of them an hour); one it could decode reached the game's handler, as a message the
 * client believed answered. A frame whose request id cannot be read is dropped. The
 * transport holds request frames to the game messages' rate.
 */
function refuseRequest(client: Client, buffer: Buffer): void {
  if (client.state === ClientState.LEAVING) return;
  let requestId: number;
  try {
    requestId = decode.number(buffer, { offset: 1 });
  } catch {
    return;
  }
  if (!Number.isSafeInteger(requestId)) return;
  client.enqueueRaw(getMessageBytes[Protocol.ROOM_RESPONSE](requestId, ResponseStatus.ERROR, NO_REQUESTS));
}

/** Where a message frame's type is a string, its bytes' [start, end) in the frame; else undefined. */
function stringTypeBytes(buffer: Buffer): [number, number] | undefined {
  const code = buffer[0]! & 0x1f;
  if (code !== Protocol.ROOM_DATA && code !== Protocol.ROOM_DATA_BYTES) return undefined;
  if (!decode.stringCheck(buffer, { offset: 1 })) return undefined;
  const prefix = buffer[1]!;
  // msgpack's string prefixes, as @colyseus/schema's decode.string reads them: its str 16
  // and str 32 lengths are little-endian (msgpack's own are big-endian; until 2026-12-04
  // they were read so here, which mangled a valid long type and let a bad one through).
  const [start, length] =
    prefix < 0xc0 ? [2, prefix & 0x1f]
    : prefix === 0xd9 ? [3, buffer[2] ?? 0]
    : prefix === 0xda ? [4, buffer.length >= 4 ? buffer.readUInt16LE(2) : 0]
    : [6, buffer.length >= 6 ? buffer.readUInt32LE(2) : 0];
  return [Math.min(start, buffer.length), Math.min(start + length, buffer.length)];
}

/** U+FFFD as a msgpack fixstr: what an unreadable type is replaced with. */
const REPLACEMENT_TYPE = Buffer.from([0xa3, 0xef, 0xbf, 0xbd]);

/**
 * The frame, or, when its message type is not valid UTF-8, the frame with the type
 * "\uFFFD" (the room answers it UNKNOWN_ACTION, as any unknown type, and counts it):
 * @colyseus/schema's decoder wrote a raw line to stderr for each such frame, outside the
 * logs, and skipped nothing else. An ASCII type (every type of ours) is read byte by byte
 * and goes on as it is.
 */
function readableType(buffer: Buffer): Buffer {
  const type = stringTypeBytes(buffer);
  if (!type) return buffer;
  let ascii = true;
  for (let i = type[0]; i < type[1] && ascii; i++) ascii = buffer[i]! < 0x80;
  if (ascii || isUtf8(buffer.subarray(type[0], type[1]))) return buffer;
  return Buffer.concat([buffer.subarray(0, 1), REPLACEMENT_TYPE, buffer.subarray(type[1])]);
}

/**
 * What every room does with inbound frames before Colyseus, in one wrapper: the clock
 * ticked (so Colyseus's per-second count starts new seconds), a request frame refused, an
 * unreadable message type replaced.
 */
export function guardFrames(room: Room): void {
  interceptFrames(room, (next, self, client, buffer) => {
    self.clock.tick();
    if (isRequest(buffer)) return refuseRequest(client, buffer);
    return next.call(self, client, readableType(buffer));
  });
}
