/**
 * The TCP socket under a WebSocket of the `ws` library (its private `_socket`, reached as the
 * server's probe reaches it: src/rooms/silent-connection.ts), for tests that
 * act under the library: write raw frames, stop reading (a frozen tab, a stalled phone), or
 * watch what arrives.
 */
import assert from "node:assert/strict";
import type net from "node:net";
import type { Room as SdkRoom } from "@colyseus/sdk";
import { WebSocket as WebSocketClient, WebSocketServer, type WebSocket } from "ws";
import { tcpOf as tcpOfServer } from "../../src/rooms/silent-connection.js";

/**
 * The TCP socket under `ws`: a client's or the server's side of one connection, or a global
 * `WebSocket`, which is the `ws` library's on Node 20 (src/polyfills.ts; Node 22's own has
 * no TCP socket to reach, and the assertion below says so).
 */
export function tcpOf(ws: WebSocket | globalThis.WebSocket): net.Socket {
  const socket = tcpOfServer(ws);
  assert.ok(socket, "the WebSocket has a TCP socket (it is open, and the `ws` library's)");
  return socket;
}

/** The TCP socket under an SDK room's connection. */
export function tcpOfRoom(room: SdkRoom<any, any>): net.Socket {
  return tcpOf((room.connection.transport as unknown as { ws: WebSocket }).ws);
}

/**
 * A private `ws` server on a free port for each test of the calling suite (mocha's hooks):
 * `pair()` opens a connection and gives both of its sides, all closed after the test.
 */
export function socketPairs(): { pair(autoPong?: boolean): Promise<{ side: WebSocket; peer: WebSocket }> } {
  let server: WebSocketServer;
  let opened: WebSocket[] = [];
  beforeEach(async () => {
    opened = [];
    server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
  });
  afterEach(async () => {
    for (const s of opened) s.terminate();
    await new Promise((r) => server.close(r));
  });
  return {
    /** The server's side of a new connection, and the peer (`autoPong: false`: it answers no ping). One at a time: await each before the next. */
    async pair(autoPong = true) {
      const side = new Promise<WebSocket>((r) => server.once("connection", r));
      const peer = new WebSocketClient(`ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { autoPong });
      opened.push(peer);
      await new Promise((r) => peer.once("open", r));
      const s = await side;
      opened.push(s);
      return { side: s, peer };
    },
  };
}
