/**
 * The request gate: the first code every HTTP request meets, before Colyseus's router and
 * Express. It
 *
 * - resolves the client address once (see src/net/address.ts) and rewrites the request's
 *   forwarding headers to just that address, so everything after it (Colyseus's auth
 *   context, Express routes) sees the real client and nothing a client wrote itself;
 * - sets the security headers (helmet: a CSP that forbids framing, no sniffing, no
 *   referrer leaks) on every response, its own refusals included;
 * - answers CORS itself: `Access-Control-Allow-Origin` only for allowed origins, never
 *   `null`, never with credentials (Colyseus's own CORS is switched off);
 * - counts every request against its address's budget, what pages of other sites make
 *   browsers send apart from the rest (see {@link fromForeignPage});
 * - refuses request bodies over the cap on every route, and a `Host` that is not a host;
 *   hands `/matchmake/*` to the matchmaking route.
 *
 * It sits in front of the HTTP server's own "request" listeners by wrapping its `emit`:
 * Colyseus registers its listener with `prependListener` at listen time, so no listener
 * order could put the gate first.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import helmet from "helmet";
import { matchMaker } from "@colyseus/core";
import { clientAddress } from "../net/address.js";
import { AddressLimiter } from "./rate-limit.js";
import { sendJson } from "./respond.js";
import { AuthErrorCode } from "../protocol/players.js";

export interface GateSettings {
  trustedHops: number;
  /** Exact allowed browser origins; empty: only the server's own origin (and programs, which send none). */
  allowedOrigins: readonly string[];
  maxBodyBytes: number;
  /** HTTP requests of any kind per address per 10 s. */
  requestsPer10s: number;
  /** Handles `/matchmake/:method/:room`. */
  matchmaking(req: IncomingMessage, res: ServerResponse, address: string, method: string, room: string): void;
}

const addresses = new WeakMap<IncomingMessage, string>();

/** The client address the gate resolved for `req` (the socket peer if the gate did not see it). */
export function requestAddress(req: IncomingMessage): string {
  return addresses.get(req) ?? clientAddress(req, 0);
}

/**
 * Whether a browser page at `origin` may use this server. No Origin: a program, not a page.
 * With no list configured, only the server's own origin (same host) is allowed.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.length > 0) return allowed.includes(origin);
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      "default-src": ["'self'"],
      // The game's WebSocket may live on another process's address (PUBLIC_ADDRESS).
      "connect-src": ["'self'", "ws:", "wss:"],
      "img-src": ["'self'", "data:"],
      "frame-ancestors": ["'none'"],
      "upgrade-insecure-requests": null, // players on a LAN address use plain http
    },
  },
  xFrameOptions: { action: "deny" },
  strictTransportSecurity: false, // TLS is the proxy's business (deploy/), and so is HSTS
  referrerPolicy: { policy: "no-referrer" },
});

/**
 * The gate's own refusals, `{ code, error }`: the code is the HTTP status, except under
 * `/auth`, whose routes answer string codes (src/protocol/players.ts), and so does the gate
 * there: a client of `/auth` meets one set of codes.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: 400 | 404 | 413 | 429, error: string, headers?: Record<string, string>) {
  const auth = /^\/auth(?:[/?]|$)/.test(req.url ?? "");
  const code = !auth ? status : status === 429 ? AuthErrorCode.RATE_LIMITED : AuthErrorCode.INVALID_INPUT;
  sendJson(res, status, { code, error }, headers);
}

/**
 * Whether a page of another site made the browser send `req` (`allowed`: whether its Origin,
 * when it has one, may use this server, {@link originAllowed}): its Origin is not one allowed,
 * or, with no Origin (a plain GET, an image, a no-cors fetch), the browser says the request
 * comes from another site (`Sec-Fetch-Site`) and it is not a link the visitor followed to a
 * page of ours (a top-level navigation the user started: `Sec-Fetch-User: ?1`; a script
 * moving a window it opened has none). A prefetch (`Sec-Purpose`) is never the visitor's.
 * Programs send none of these. Browsers send `Sec-Fetch-*` to secure origins only (https, or
 * localhost): on plain http, a foreign page's requests without an Origin count as the visitor's.
 */
export function fromForeignPage(req: Pick<IncomingMessage, "headers">, allowed: boolean): boolean {
  if (req.headers.origin !== undefined) return !allowed;
  const site = req.headers["sec-fetch-site"];
  if (site !== "cross-site" && site !== "same-site") return false;
  if (req.headers["sec-purpose"] !== undefined) return true;
  return !(req.headers["sec-fetch-mode"] === "navigate" && req.headers["sec-fetch-dest"] === "document" && req.headers["sec-fetch-user"] === "?1");
}

const MATCHMAKE = /^\/matchmake\/([^/?]*)\/([^/?]*)\/?(?:\?.*)?$/;

/** Installs the gate in front of `server`'s request listeners. */
export function installGate(server: Server, settings: GateSettings): void {
  // Colyseus adds CORS headers (reflecting any Origin, with credentials) to every response;
  // the gate answers CORS instead.
  matchMaker.controller.DEFAULT_CORS_HEADERS = {} as typeof matchMaker.controller.DEFAULT_CORS_HEADERS;
  matchMaker.controller.getCorsHeaders = () => ({});

  const requests = new AddressLimiter(settings.requestsPer10s, 10);

  const gate = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const address = clientAddress(req, settings.trustedHops);
    addresses.set(req, address);
    req.headers["x-forwarded-for"] = address;
    delete req.headers["x-real-ip"];
    delete req.headers.forwarded;

    // Colyseus's own route (/__healthcheck) builds a URL from these two headers, in a promise
    // nothing catches: a value that is no part of a URL left the request unanswered for good,
    // and wrote a stack trace to stderr for each one.
    const proto = req.headers["x-forwarded-proto"];
    if (proto !== undefined && proto !== "http" && proto !== "https") delete req.headers["x-forwarded-proto"];

    // Every answer carries the security headers, the limiter's 429 too. What a page of
    // another site makes its visitors' browsers send is counted apart from what they send
    // themselves: it cannot spend their budget (their matchmaking, reconnections, sign-in).
    const allowed = originAllowed(req.headers.origin, req.headers.host, settings.allowedOrigins);
    const key = fromForeignPage(req, allowed) ? `foreign ${address}` : address;
    securityHeaders(req, res, () => {
      void requests.consume(key).then((limit) => {
        if (!limit.ok) {
          return refuse(req, res, 429, "Too many requests from your address; try again shortly.", { "Retry-After": String(limit.retryAfterSeconds) });
        }
        try {
          pass(req, res, address, allowed, next);
        } catch {
          refuse(req, res, 400, "Bad request.");
        }
      });
    });
  };

  const pass = (req: IncomingMessage, res: ServerResponse, address: string, allowed: boolean, next: () => void) => {
    const origin = req.headers.origin;
    // The answer depends on the Origin either way: a shared cache must not hand the answer
    // made for one origin (with or without Allow-Origin) to another.
    res.setHeader("Vary", "Origin");
    if (origin !== undefined && allowed) res.setHeader("Access-Control-Allow-Origin", origin);
    if (req.method === "OPTIONS") {
      if (allowed) {
        res.setHeader("Access-Control-Allow-Methods", "GET, POST");
        res.setHeader("Access-Control-Allow-Headers", "Content-Type, Authorization");
        res.setHeader("Access-Control-Max-Age", "600");
      }
      res.writeHead(204);
      res.end();
      return;
    }
    const path = req.url ?? "/";
    const matchmake = path.startsWith("/matchmake/") ? MATCHMAKE.exec(path) : null;
    if (matchmake) return settings.matchmaking(req, res, address, decodeURIComponent(matchmake[1]!), decodeURIComponent(matchmake[2]!));
    if (path.startsWith("/matchmake")) return refuse(req, res, 404, "Not a matchmaking route.");
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > settings.maxBodyBytes || (req.headers["transfer-encoding"] && req.method !== "GET" && req.method !== "HEAD")) {
      return refuse(req, res, 413, `Request bodies are limited to ${settings.maxBodyBytes} bytes, with a Content-Length.`);
    }
    if (req.headers.host !== undefined && !URL.canParse(`http://${req.headers.host}`)) return refuse(req, res, 400, "Bad request: the Host header is not a host.");
    next();
  };

  const emit = server.emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
    if (event !== "request") return emit.call(this, event, ...args);
    const [req, res] = args as [IncomingMessage, ServerResponse];
    try {
      gate(req, res, () => emit.call(this, event, req, res));
    } catch {
      refuse(req, res, 400, "Bad request.");
    }
    return true;
  } as typeof server.emit;
}
