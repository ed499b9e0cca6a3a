/**
 * The WebSocket transport with the connection-level defences: an inbound message size cap
 * (ws `maxPayload`: a larger message closes the socket with 1009), a cap on simultaneous
 * connections per client address, and an exact list of allowed browser origins.
 */
import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { clientAddress } from "./net/address.js";

export interface TransportGuards {
  maxPayload: number;
  /** Simultaneous WebSocket connections per address; 0 = unlimited. */
  maxConnectionsPerIp: number;
  /** Exact origins (`https://games.example.com`) browsers may connect from; empty = any. */
  allowedOrigins: readonly string[];
  /** Proxies of ours in front of this process: the client address is read from `X-Forwarded-For` (see src/net/address.ts). */
  trustProxy: number;
  /** Told about each refused connection (for logs). */
  onRefused?: (reason: "origin" | "per-ip", detail: { ip: string; origin?: string }) => void;
}

/**
 * Whether a browser origin may connect. A request without `Origin` comes from a program,
 * not a browser page (browsers always send it on WebSocket upgrades), and is allowed: the
 * origin check protects players' browsers from other sites, not the server from programs.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return allowed.length === 0 || origin === undefined || allowed.includes(origin);
}

function refuse(socket: Duplex, status: number, text: string) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  socket.destroy();
}

/** Builds the guarded transport. */
export function createTransport(guards: TransportGuards): WebSocketTransport {
  const perIp = new Map<string, number>();

  // Runs in the transport's own 'upgrade' listener before the handshake; false = refused here.
  const admit = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    const ip = clientAddress(req, guards.trustProxy);
    if (!originAllowed(origin, guards.allowedOrigins)) {
      guards.onRefused?.("origin", { ip, origin });
      refuse(req.socket, 403, "origin not allowed");
      return false;
    }
    const open = perIp.get(ip) ?? 0;
    if (guards.maxConnectionsPerIp > 0 && open >= guards.maxConnectionsPerIp) {
      guards.onRefused?.("per-ip", { ip, origin });
      refuse(req.socket, 429, "too many connections from your address");
      return false;
    }
    perIp.set(ip, open + 1);
    req.socket.once("close", () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
    return true;
  };

  class GuardedTransport extends WebSocketTransport {
    // Called by the base constructor; the filter is the transport's documented way to let
    // a request pass it by. `admit` answers refused requests itself.
    protected override listenForUpgrade(server: http.Server, filter?: (req: http.IncomingMessage) => boolean) {
      super.listenForUpgrade(server, (req) => (filter ? filter(req) : true) && admit(req));
    }
  }

  return new GuardedTransport({ maxPayload: guards.maxPayload });
}
