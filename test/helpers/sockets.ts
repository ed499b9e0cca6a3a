/**
 * The TCP socket under a WebSocket of the `ws` library (its private `_socket`), for tests that
 * act under the library: write raw frames, stop reading (a frozen tab, a stalled phone), or
 * watch what arrives.
 */
import assert from "node:assert/strict";
import type net from "node:net";
import type { Room as SdkRoom } from "@colyseus/sdk";
import type { WebSocket } from "ws";

/**
 * The TCP socket under `ws`: a client's or the server's side of one connection, or a global
 * `WebSocket`, which is the `ws` library's on Node 20 (src/polyfills.ts; Node 22's own has
 * no TCP socket to reach, and the assertion below says so).
 */
export function tcpOf(ws: WebSocket | globalThis.WebSocket): net.Socket {
  const socket = (ws as unknown as { _socket?: net.Socket })._socket;
  assert.ok(socket, "the WebSocket has a TCP socket (it is open, and the `ws` library's)");
  return socket;
}

/** The TCP socket under an SDK room's connection. */
export function tcpOfRoom(room: SdkRoom<any, any>): net.Socket {
  return tcpOf((room.connection.transport as unknown as { ws: WebSocket }).ws);
}
