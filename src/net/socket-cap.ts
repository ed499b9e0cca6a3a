/**
 * A cap on the connections of any kind (HTTP requests, idle keep-alive connections,
 * WebSockets) that one client address holds open at once.
 *
 * Every other per-address limit counts requests or WebSockets, after a request has been
 * read. A connection that sends nothing, or a request at a time, is held until
 * `HTTP_REQUEST_TIMEOUT_MS` or the keep-alive timeout ends it: one address could hold
 * thousands of them (file descriptors, parser state) and starve everyone else. Behind
 * nginx its `limit_conn` does this job (deploy/nginx.ts: 64 per address); this is the same
 * bound for a server reached directly.
 *
 * The peer address is the socket's own: it applies only without proxies in front
 * (`TRUST_PROXY=0`), where the peer is the client. A refused connection never reaches the
 * HTTP parser (nothing it sends is read as a request): it is answered `429` and closed, or,
 * beyond {@link MAX_REFUSED_LINGERING} of its address still waiting for their answer, closed
 * without one.
 */
import type { Server, Socket } from "node:net";
import { addressKey, normalizeAddress } from "./address.js";

export interface SocketCapOptions {
  /** Simultaneous connections per client address (IPv6 by its /64); 0 = unlimited. */
  maxPerAddress: number;
  /** Told about each refused connection (for logs and metrics). */
  onRefused?: (ip: string) => void;
}

/** A whole HTTP answer, written straight to a socket no HTTP parser is reading for us. */
export function rawAnswer(status: number, text: string): string {
  return `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`;
}

/** The answer to a connection over the cap (the WebSocket cap's words: src/transport.ts). */
export const TOO_MANY_CONNECTIONS = "too many connections from your address";
const REFUSAL = rawAnswer(429, TOO_MANY_CONNECTIONS);
/** How long a refused connection may take to read its answer before it is dropped. */
const REFUSED_LINGER_MS = 1000;
/**
 * Refused connections of one address that may wait for their answer to be read at once;
 * beyond them a refused connection is dropped without one. Otherwise an address opening
 * connections as fast as it can held (its rate × REFUSED_LINGER_MS) of them.
 */
export const MAX_REFUSED_LINGERING = 16;

/**
 * Puts the cap in front of `server`'s own connection handling (the HTTP parser Node
 * attached when the server was made). Call it once, before the server listens.
 *
 * @returns how many connections an address holds now (for tests and diagnostics).
 */
export function capSocketsPerAddress(server: Server, options: SocketCapOptions): { held(address: string): number } {
  const open = new Map<string, number>();
  const held = (address: string) => open.get(addressKey(address)) ?? 0;
  const lingering = new Map<string, number>();
  if (options.maxPerAddress <= 0) return { held };

  // Node's HTTP server handles a connection in a 'connection' listener of its own. Ours runs
  // instead of it, and hands it only the connections under the cap.
  const handlers = server.listeners("connection") as Array<(socket: Socket) => void>;
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    const ip = normalizeAddress(socket.remoteAddress ?? "unknown");
    const key = addressKey(ip);
    const count = open.get(key) ?? 0;
    if (count >= options.maxPerAddress) {
      options.onRefused?.(ip);
      const waiting = lingering.get(key) ?? 0;
      if (waiting >= MAX_REFUSED_LINGERING) {
        socket.on("error", () => undefined);
        socket.destroy();
        return;
      }
      lingering.set(key, waiting + 1);
      socket.once("close", () => countOut(lingering, key));
      refuse(socket);
      return;
    }
    open.set(key, count + 1);
    socket.once("close", () => countOut(open, key));
    for (const handle of handlers) handle.call(server, socket);
  });
  return { held };
}

function countOut(counts: Map<string, number>, key: string) {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

/** Answers 429 and closes; what the client sent is read and thrown away, never parsed. */
function refuse(socket: Socket) {
  socket.on("error", () => undefined);
  socket.resume();
  socket.end(REFUSAL);
  // A client that does not read its answer (or close) is dropped anyway.
  const drop = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS);
  drop.unref();
  socket.once("close", () => clearTimeout(drop));
}
