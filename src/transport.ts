/**
 * The WebSocket transport with the connection-level defences:
 *
 * - an inbound message size cap (ws `maxPayload`: a larger message closes the socket with 1009);
 * - per client address: a cap on simultaneous connections of any kind (src/net/socket-cap.ts),
 *   and on simultaneous WebSockets and new ones per minute;
 * - an exact list of allowed browser origins;
 * - a token bucket on every frame a connection sends, of any kind: messages (Colyseus
 *   answers its protocol messages, ping and request, itself, before any room's own rate
 *   limit) and WebSocket control frames (ping, pong); a message in at most
 *   {@link MAX_FRAGMENTS} frames; and a bucket of the same size on the reads of its TCP
 *   socket, so frames dripped a few bytes at a time, or that ws keeps to itself (a message's
 *   fragments), cost the attacker too;
 * - a cap on the bytes queued for a connection that does not read them (a slow or stalled
 *   client): it is cut, and keeps its reconnection window;
 * - a few seconds for a closing connection to answer its close ({@link CLOSE_TIMEOUT_MS}).
 *
 * The upgrade request's forwarding headers are rewritten to the resolved client address,
 * so Colyseus's auth context (`context.ip` in `onAuth`) carries the real client.
 */
import http from "node:http";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { debugAndPrintError, Protocol } from "@colyseus/core";
import { CLOSE_FLOODING, CLOSE_SLOW_CLIENT } from "./protocol/errors.js";
import { addressKey, clientAddress } from "./net/address.js";
import { originAllowed } from "./http/gate.js";
import { capSocketsPerAddress, rawAnswer, TOO_MANY_CONNECTIONS } from "./net/socket-cap.js";

export interface TransportGuards {
  maxPayload: number;
  /** Time to send a whole HTTP request (headers and body); a slower connection is closed. */
  requestTimeoutMs: number;
  /** Request frames (ROOM_REQUEST) per connection: sustained rate and burst (the game message limit's). */
  requestsPerSecond: number;
  requestBurst: number;
  /** Simultaneous WebSocket connections per address; 0 = unlimited. */
  maxConnectionsPerIp: number;
  /** New WebSocket connections per address per minute; 0 = unlimited. */
  connectionsPerMinutePerIp: number;
  /**
   * Simultaneous connections of any kind (HTTP, keep-alive, WebSocket) per address; 0 =
   * unlimited. Only without proxies (`trustProxy` 0): behind them, the proxy caps its own.
   */
  maxSocketsPerIp: number;
  /** Exact origins (`https://games.example.com`) browsers may connect from; empty = the server's own. */
  allowedOrigins: readonly string[];
  /** Proxies of ours in front of this process (see src/net/address.ts). */
  trustProxy: number;
  /** Sustained frames per second per connection, and the burst above it. */
  framesPerSecond: number;
  frameBurst: number;
  /** Unsent bytes a connection may have queued. */
  maxSendBufferBytes: number;
  /** Ping every connection this often (0 = never); drop one after this many unanswered pings. */
  pingInterval: number;
  pingMaxRetries: number;
  /** Told about each refused or cut connection (for logs and metrics). */
  onRefused?: (reason: RefusedReason, detail: { ip: string; origin?: string }) => void;
  onCut?: (reason: CutReason, detail: { ip: string; code?: string }) => void;
}

/**
 * Why a connection was refused: its page's origin (`origin`), too many upgrades from its
 * address (`per-ip`) or at all (`rate`), or too many sockets open from its address (`sockets-per-ip`).
 */
export const REFUSED_REASONS = ["origin", "per-ip", "rate", "sockets-per-ip"] as const;
export type RefusedReason = (typeof REFUSED_REASONS)[number];

/**
 * Why a connection was cut: it sent too many frames (`flood`), did not read what it was
 * sent (`slow`), or never acknowledged its join (`no-ack`, cut by the room); or the
 * WebSocket library refused a frame it sent and closed it: a message over `maxPayload`
 * (`too-big`, close code 1009) or a frame breaking the protocol (`bad-frame`: a bad opcode,
 * text that is not UTF-8, an unmasked frame, 1002 or 1007; a message in too many fragments, 1008).
 */
export const CUT_REASONS = ["flood", "slow", "no-ack", "too-big", "bad-frame"] as const;
export type CutReason = (typeof CUT_REASONS)[number];

const cut = new WeakMap<WebSocket, CutReason>();

/**
 * Why the transport (or a room, for an unacknowledged join) cut this socket, if it did.
 * A room uses it to tell a flooder (no reconnection window) from a slow client (keeps it).
 */
export function cutReason(socket: WebSocket | undefined): CutReason | undefined {
  return socket ? cut.get(socket) : undefined;
}

/**
 * How long a cut socket lasts: its close is sent, and nothing more is read from it. Shorter
 * than {@link CLOSE_TIMEOUT_MS}, a closing socket's wait in general: a cut one is paused (it
 * cannot read the peer's answer), so waiting longer would only hold its place.
 */
const CUT_DROP_MS = 1000;

/** Marks `socket` as cut for `reason`, closes it, and drops it {@link CUT_DROP_MS} later. */
export function cutConnection(socket: WebSocket, reason: CutReason, code: number, text: string) {
  if (cut.has(socket)) return;
  cut.set(socket, reason);
  // Read nothing more from it (a flood keeps arriving until the socket is gone), tell it
  // why (after what is queued for it: a slow client sees it only if it reads again soon),
  // and drop it: paused, it cannot answer the close. Its room sees the drop then.
  socket.pause();
  socket.close(code, text);
  setTimeout(() => socket.terminate(), CUT_DROP_MS).unref();
}

function noop() {}

/**
 * Frames one message may arrive in. Browsers and the SDK send a message of this server's
 * sizes in one frame (Chromium splits only past 128 KB); `ws` allowed 16,384, each an empty
 * frame if the sender liked, for one message's place in the frame budget (1008, `bad-frame`).
 */
export const MAX_FRAGMENTS = 16;

/**
 * How long a closing socket has to answer the close before it is dropped (ws's
 * `closeTimeout`, 30 s by default, held a quiet peer's place under the per-address cap that
 * long). An honest peer answers in one round trip once the close reaches it, which on a slow
 * link may come after a backlog of state; a socket dropped first loses what it had not sent,
 * the close code too (the client reads 1006). What a closing peer sends meanwhile is counted
 * (the reads' bucket), so the time costs nothing but its place.
 */
export const CLOSE_TIMEOUT_MS = 5000;

/**
 * The cut reason of a frame the WebSocket library refused (its receiver's errors carry a
 * `WS_ERR_` code); undefined for any other error on the socket.
 */
export function refusedFrame(err: Error & { code?: unknown }): CutReason | undefined {
  if (typeof err.code !== "string" || !err.code.startsWith("WS_ERR_")) return undefined;
  // A message over maxPayload, whole or in one frame (close code 1009).
  return err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" || err.code === "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH" ? "too-big" : "bad-frame";
}

/** A request frame (Colyseus's ROOM_REQUEST: the protocol code in the first byte's low 5 bits). */
export function isRequest(data: WebSocket.RawData): boolean {
  return Buffer.isBuffer(data) && data.length > 0 && (data[0]! & 0x1f) === Protocol.ROOM_REQUEST;
}

function refuse(socket: Duplex, status: number, text: string) {
  socket.end(rawAnswer(status, text));
  socket.destroy();
}

/** A token bucket: `take()` is false once the burst is spent faster than the rate refills it. */
class Bucket {
  private tokens: number;
  private at = Date.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  private refill() {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
  }
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
  /** Refilled to the brim: as if never used. */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }
}

/** Builds the guarded transport on a new HTTP server (`transport.server`). */
export function createTransport(guards: TransportGuards): WebSocketTransport {
  const perIp = new Map<string, number>();
  const opened = new Map<string, Bucket>();
  // Forget addresses whose bucket is full again, so the map holds only recent ones.
  const sweep = setInterval(() => {
    for (const [key, bucket] of opened) if (bucket.full()) opened.delete(key);
  }, 60_000);
  sweep.unref();
  const addressOf = new WeakMap<http.IncomingMessage, string>();

  // Runs in the transport's own 'upgrade' listener before the handshake; false = refused here.
  const admit = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    const ip = clientAddress(req, guards.trustProxy);
    addressOf.set(req, ip);
    req.headers["x-forwarded-for"] = ip;
    delete req.headers["x-real-ip"];
    if (!originAllowed(origin, req.headers.host, guards.allowedOrigins)) {
      guards.onRefused?.("origin", { ip, origin });
      refuse(req.socket, 403, "origin not allowed");
      return false;
    }
    // Colyseus finds a room by id in a plain object: "constructor" or "__proto__" found a
    // function, whose TypeError went to the client and to the error log with its stack.
    // Read as the transport reads it (a URL's normalised pathname: "/p/x/../constructor",
    // "/p/./constructor", "/p\\constructor" and "/p/constructor#" all name "constructor").
    let pathname = "";
    try {
      pathname = new URL(`ws://server${req.url ?? "/"}`).pathname;
    } catch {
      // Unreadable: the transport finds no room in it either.
    }
    const roomId = /\/[a-zA-Z0-9_-]+\/([a-zA-Z0-9_-]+)$/.exec(pathname)?.[1];
    if (roomId !== undefined && roomId in Object.prototype) {
      refuse(req.socket, 404, "no such room");
      return false;
    }
    const key = addressKey(ip);
    const open = perIp.get(key) ?? 0;
    if (guards.maxConnectionsPerIp > 0 && open >= guards.maxConnectionsPerIp) {
      guards.onRefused?.("per-ip", { ip, origin });
      refuse(req.socket, 429, TOO_MANY_CONNECTIONS);
      return false;
    }
    if (guards.connectionsPerMinutePerIp > 0) {
      let bucket = opened.get(key);
      if (!bucket) opened.set(key, (bucket = new Bucket(guards.connectionsPerMinutePerIp / 60, guards.connectionsPerMinutePerIp)));
      if (!bucket.take()) {
        guards.onRefused?.("rate", { ip, origin });
        refuse(req.socket, 429, "too many new connections from your address");
        return false;
      }
    }
    perIp.set(key, open + 1);
    req.socket.once("close", () => {
      const left = (perIp.get(key) ?? 1) - 1;
      if (left > 0) perIp.set(key, left);
      else perIp.delete(key);
    });
    return true;
  };

  /** Frame budget and send-buffer cap for one connection, ahead of Colyseus's own listeners. */
  const guard = (socket: WebSocket, req: http.IncomingMessage) => {
    const ip = addressOf.get(req) ?? "unknown";
    const frames = new Bucket(guards.framesPerSecond, guards.frameBurst);
    // Colyseus answers a request of a type no room handles itself, before any room code (and
    // so past the rooms' message limit), echoing the type. This server's rooms take no
    // requests: they count against a budget of their own, the game messages' rate.
    const requests = new Bucket(guards.requestsPerSecond, guards.requestBurst);
    // The socket's reads: one a frame or fewer for any client that sends whole frames; many
    // for one that drips them a few bytes a read.
    const reads = new Bucket(guards.framesPerSecond, guards.frameBurst);
    const flooded = () => {
      guards.onCut?.("flood", { ip });
      socket.removeAllListeners("message"); // nothing more of it reaches a room
      cutConnection(socket, "flood", CLOSE_FLOODING, "too many messages");
    };
    /** True (and the socket cut) when it has more queued for it than it may: it does not read. */
    const tooSlow = () => {
      if (socket.bufferedAmount <= guards.maxSendBufferBytes) return false;
      guards.onCut?.("slow", { ip });
      cutConnection(socket, "slow", CLOSE_SLOW_CLIENT, "too slow: reconnect");
      return true;
    };
    /**
     * Counts one frame (and, for a request, one request): true when it fits the budget. A cut
     * socket's frames are not counted (false); past the budget the socket is cut (false).
     */
    const counted = (request = false): boolean => {
      if (cut.has(socket)) return false;
      if (frames.take() && (!request || requests.take())) return true;
      flooded();
      return false;
    };
    socket.on("message", (data: WebSocket.RawData) => {
      counted(isRequest(data));
    });
    // Control frames, uncounted until 2026-12-06 (a pong flood held most of a core). A ping is
    // answered here (ws's own answer, `autoPong`, went out before any listener could count the
    // ping, and ws dropped a peer with 60 answers unsent: a plain 1006, not a counted cut),
    // within the budget, and only while what waits for the peer is under the cap.
    socket.on("ping", (data: Buffer) => {
      if (counted() && socket.readyState === 1 /* OPEN */ && !tooSlow()) socket.pong(data, false, noop);
    });
    // Colyseus's heartbeat takes any pong.
    socket.on("pong", () => counted());
    // Every read until the socket is closed. A closing one (its close sent: by this server,
    // for a frame ws refused, or cut and paused, which ws resumes once it has parsed the
    // peer's close) reads what else the peer sends until it answers or CLOSE_TIMEOUT_MS
    // pass; an honest peer's answer is one read. Past the budget it is dropped at once.
    req.socket.on("data", () => {
      if (socket.readyState === 3 /* CLOSED */ || reads.take()) return;
      if (socket.readyState === 1 /* OPEN */) flooded();
      else socket.terminate();
    });
    const send = socket.send;
    socket.send = function (this: WebSocket, ...args: Parameters<WebSocket["send"]>) {
      if (cut.has(socket) || tooSlow()) return;
      return send.apply(this, args);
    } as WebSocket["send"];
  };

  class GuardedTransport extends WebSocketTransport {
    // Called by the base constructor; the filter is the transport's documented way to let
    // a request pass it by. `admit` answers refused requests itself.
    protected override listenForUpgrade(server: http.Server, filter?: (req: http.IncomingMessage) => boolean) {
      super.listenForUpgrade(server, (req) => (filter ? filter(req) : true) && admit(req));
    }

    /**
     * Colyseus pings every client at once each `pingInterval` (3 s): with 3,600 clients that
     * held the event loop for 200–400 ms every 3 s (the abuse soak's longest stalls). Here
     * each client is still pinged once per interval, and cut after `pingMaxRetries` pings
     * without a pong, but the round is spread over the interval in slices of 100 ms.
     */
    protected override autoTerminateUnresponsiveClients(pingInterval: number, pingMaxRetries: number) {
      const slices = Math.max(1, Math.round(pingInterval / 100));
      let round: WebSocket[] = [];
      let perSlice = 0;
      let slice = 0;
      this.pingInterval = setInterval(() => {
        // A round lasts the whole interval however few the clients, so each is pinged once
        // per interval (not once per `clients / slices` slices).
        if (slice++ % slices === 0) {
          round = [...this.wss.clients];
          perSlice = Math.ceil(round.length / slices);
        }
        for (const client of round.splice(0, perSlice)) {
          if (client.readyState !== 1 /* OPEN */) continue;
          const raw = client as WebSocket & { pingCount: number };
          if (raw.pingCount >= pingMaxRetries) {
            client.terminate();
            continue;
          }
          raw.pingCount++;
          client.ping(noop);
        }
      }, pingInterval / slices);
    }

    // Registered as a bare 'connection' listener by the base constructor: no `this` here.
    protected override onConnection(rawClient: any, req: http.IncomingMessage, upgrade?: any) {
      const socket = rawClient as WebSocket;
      guard(socket, req);
      const connected = super.onConnection(rawClient, req, upgrade);
      // Its first step (synchronous) adds the socket's only 'error' listener, which logs at
      // level error, with a stack, every frame the library refuses: a client's fault, which
      // any client can repeat. Those are counted and logged as cuts instead (a line a second
      // at most, with the library's code); any other error is logged as that listener logs it.
      socket.removeAllListeners("error");
      const ip = addressOf.get(req) ?? "unknown";
      socket.on("error", (err: Error & { code?: unknown }) => {
        const reason = refusedFrame(err);
        if (!reason) return debugAndPrintError(`${err.message}\n${err.stack}`);
        // ws has sent its close and parses nothing more: the socket closes when the peer ends
        // it, at CLOSE_TIMEOUT_MS, or when its reads run out (see the reads above).
        guards.onCut?.(reason, { ip, code: String(err.code) });
      });
      return connected;
    }
  }

  // Node's defaults give a request 300 s, its headers 60 s, checked every 30 s: one
  // address could hold thousands of connections open by sending nothing.
  const server = http.createServer({ headersTimeout: guards.requestTimeoutMs, requestTimeout: guards.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, guards.requestTimeoutMs) });
  // Within that time, still as many as it opens: the cap holds the number.
  if (guards.trustProxy === 0) capSocketsPerAddress(server, { maxPerAddress: guards.maxSocketsPerIp, onRefused: (ip) => guards.onRefused?.("sockets-per-ip", { ip }) });
  return new GuardedTransport({
    maxPayload: guards.maxPayload,
    maxFragments: MAX_FRAGMENTS,
    autoPong: false,
    // ws reads it (`@types/ws` does not list it).
    ...({ closeTimeout: CLOSE_TIMEOUT_MS } as object),
    pingInterval: guards.pingInterval,
    pingMaxRetries: guards.pingMaxRetries,
    server,
  });
}
