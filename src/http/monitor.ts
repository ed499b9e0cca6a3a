/**
 * The operator dashboard at /monitor: the @colyseus/monitor panel, read-only, behind HTTP
 * basic auth (user `admin`, password `MONITOR_PASSWORD`).
 *
 * The package's own routes (0.18.5, `src-backend/index.ts`) are
 *   GET <mount>/api             list the rooms (matchMaker.query)       allowed
 *   GET <mount>/api/room        one room's state and clients            allowed (roomId checked)
 *   GET <mount>/api/room/call   calls ANY room method with any args     refused (403)
 *   GET <mount>/                the panel's index.html                  allowed
 *   GET <mount>/**              the panel's static files                allowed for assets/<file> only
 * `/api/room/call` is a GET that changes state: one cross-site navigation with the
 * operator's remembered login could close a room, seat or kick players, or, through
 * `_editStateProperty` with a `__proto__` path, pollute Object.prototype. The package
 * cannot serve it safely, so this handler lets the package see only an allowlist of exact
 * paths (rewritten to a canonical URL), and answers everything else itself. It also
 * removes the state-changing methods the package adds to Room.prototype (`ext/Room.ts`),
 * so even a call that reached a room some other way could not use them.
 *
 * Order of checks: security headers, then the login limit and basic auth, then the
 * method (GET/HEAD only), then the path allowlist.
 */
import { digest, matchesDigest } from "./secret.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Room } from "@colyseus/core";
import { monitor } from "@colyseus/monitor";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../logger.js";
import { addressKey, clientAddress } from "../net/address.js";

export interface MonitorSettings {
  /** Password of user `admin`; without one the monitor answers 404. */
  password?: string;
  logger: Logger;
  /** Proxies in front of this process (see src/net/address.ts). */
  trustedHops: number;
  /** Failed logins allowed per client address per window. @default 5 */
  maxFailedLogins?: number;
  /** The failed-login window, in seconds. @default 900 (15 minutes) */
  failedLoginWindowSeconds?: number;
}

export const MONITOR_USER = "admin";
export const MONITOR_OFF_TEXT = "The monitor is off: set MONITOR_PASSWORD to turn it on.";
export const READ_ONLY_ERROR = "the monitor is read-only";
export const ROOM_CALL_ERROR = "the monitor is read-only: room methods cannot be called from it";

/** Sent on every /monitor response; the panel's own headers cannot replace them. */
export const MONITOR_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Cache-Control": "no-store",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** The state-changing methods @colyseus/monitor's `ext/Room.ts` adds to every room. */
const MONITOR_ROOM_ACTIONS = ["_forceClientDisconnect", "_sendMessageToClient", "_editStateProperty", "_deleteStateProperty"];
for (const name of MONITOR_ROOM_ACTIONS) delete (Room.prototype as unknown as Record<string, unknown>)[name];

/** Colyseus room ids are short nanoid strings; anything else is not a room of ours. */
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** The panel's built assets (`build/static/assets/index-<hash>.js|css`). */
const ASSET_PATH = /^\/assets\/[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

type PanelMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export function monitorHandler(settings: MonitorSettings): Router {
  const { logger, trustedHops } = settings;
  const router = express.Router();

  router.use((_req, res, next) => {
    pinSecurityHeaders(res);
    next();
  });

  const password = settings.password;
  if (!password) {
    router.use((_req, res) => {
      res.status(404).type("text").send(MONITOR_OFF_TEXT);
    });
    return router;
  }

  const maxFailures = settings.maxFailedLogins ?? 5;
  const failures = new RateLimiterMemory({
    keyPrefix: "monitor-login",
    points: maxFailures,
    duration: settings.failedLoginWindowSeconds ?? 15 * 60,
  });
  const expectedUser = digest(MONITOR_USER);
  const expectedPassword = digest(password);
  const panel = monitor() as unknown as PanelMiddleware;

  // Login: every check below runs synchronously up to the limiter call (the memory
  // limiter reads and counts inside the call), so parallel guesses cannot slip past it.
  router.use((req, res, next) => {
    const address = clientAddress(req, trustedHops);
    // IPv6 addresses count by their /64, so one client cannot rotate through its own network.
    const key = addressKey(address);
    const creds = parseBasicAuth(req.headers.authorization);
    const granted = creds !== null && credentialsMatch(creds, expectedUser, expectedPassword);

    if (creds === null || granted) {
      // No attempt (a browser's first request before it prompts), or the right password:
      // neither counts, but both are refused while the address is locked.
      failures.get(key).then(
        (state) => {
          if (state && state.consumedPoints >= maxFailures) return tooManyAttempts(res, state);
          if (!granted) return challenge(res);
          next();
        },
        (err: unknown) => next(err),
      );
      return;
    }

    failures.consume(key).then(
      (state) => {
        logger.warn({ address, user: logUser(creds.user) }, "monitor login failed");
        if (state.consumedPoints >= maxFailures) {
          logger.warn({ address, retryAfterSeconds: retryAfterSeconds(state) }, "monitor login locked");
        }
        challenge(res);
      },
      (rejection: unknown) => {
        // Already locked: answer 429 without logging each further attempt.
        if (rejection instanceof RateLimiterRes) return tooManyAttempts(res, rejection);
        next(rejection);
      },
    );
  });

  router.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.status(405).set("Allow", "GET, HEAD").json({ error: READ_ONLY_ERROR });
      return;
    }
    next();
  });

  router.use((req, res, next) => {
    const target = panelUrl(req.url);
    if (target.kind === "refuse") return void res.status(target.status).json({ error: target.error });

    // The package sees only the canonical URL of an allowed, read-only route. It matches
    // GET endpoints only; a HEAD is served as a GET (Node drops the body of a HEAD reply).
    req.url = target.url;
    req.method = "GET";
    // The panel answers through better-call's `setResponse`, which never ends a response
    // whose one body chunk was bigger than the socket's buffer (`write` returned false, it
    // waits for "drain", then finds the body done and returns without `end()`): the room
    // list of a busy server (~200 rooms, 85 KB) hung forever. Reporting every write as
    // accepted makes it end the response; the data is buffered by Node either way.
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((...args: unknown[]) => {
      write(...args);
      return true;
    }) as typeof res.write;
    panel(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!res.headersSent) res.status(404).json({ error: "not found" });
    });
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, "monitor request failed");
    if (!res.headersSent) res.status(500).json({ error: "monitor error" });
    else res.end();
  });

  return router;
}

type PanelTarget = { kind: "pass"; url: string } | { kind: "refuse"; status: number; error: string };

/**
 * Where a mount-relative URL may go: the canonical URL of an allowed panel route, or a
 * refusal. Allowed paths are compared exactly (no decoding, no case folding), so no
 * spelling of another route can reach the package; the normalized form only chooses
 * which refusal to give.
 */
export function panelUrl(url: string): PanelTarget {
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));

  if (path === "/" || path === "/api") return { kind: "pass", url: path };
  if (path === "/api/room") {
    const ids = query.getAll("roomId");
    const roomId = ids[0];
    if (ids.length !== 1 || roomId === undefined || !ROOM_ID.test(roomId) || roomId in Object.prototype) {
      return { kind: "refuse", status: 400, error: "roomId: one room id expected" };
    }
    return { kind: "pass", url: `/api/room?roomId=${encodeURIComponent(roomId)}` };
  }
  if (ASSET_PATH.test(path) && !path.includes("..")) return { kind: "pass", url: path };

  const normalized = normalizePath(path);
  if (normalized === "/api/room/call" || normalized.startsWith("/api/room/")) {
    return { kind: "refuse", status: 403, error: ROOM_CALL_ERROR };
  }
  return { kind: "refuse", status: 404, error: "not found" };
}

function normalizePath(path: string): string {
  let decoded = path;
  for (let i = 0; i < 3; i++) {
    try {
      const next = decodeURIComponent(decoded);
      if (next === decoded) break;
      decoded = next;
    } catch {
      break;
    }
  }
  const lower = decoded
    .toLowerCase()
    .replace(/\\/g, "/")
    .replace(/;[^/]*/g, "")
    .replace(/\/{2,}/g, "/")
    .replace(/\/+$/, "");
  return lower === "" ? "/" : lower;
}

/**
 * Sets the security headers and keeps them: neither the panel (its static files say
 * `cache-control: no-cache`) nor a later `removeHeader` can change them on this response.
 * Also drops the CORS headers Colyseus puts on every response (`Access-Control-Allow-Origin`
 * echoing the caller's Origin, with `Allow-Credentials: true`): with them, any web page
 * could read the monitor with the operator's remembered login.
 */
function pinSecurityHeaders(res: ServerResponse) {
  for (const name of res.getHeaderNames()) if (isCorsHeader(name)) res.removeHeader(name);
  for (const [name, value] of Object.entries(MONITOR_SECURITY_HEADERS)) res.setHeader(name, value);
  const pinned = new Set(Object.keys(MONITOR_SECURITY_HEADERS).map((n) => n.toLowerCase()));
  const setHeader = res.setHeader.bind(res);
  const removeHeader = res.removeHeader.bind(res);
  res.setHeader = ((name: string, value: number | string | readonly string[]) => {
    if (!pinned.has(name.toLowerCase()) && !isCorsHeader(name)) setHeader(name, value);
    return res;
  }) as ServerResponse["setHeader"];
  res.removeHeader = (name: string) => {
    if (!pinned.has(name.toLowerCase())) removeHeader(name);
  };
}

function isCorsHeader(name: string): boolean {
  return name.toLowerCase().startsWith("access-control-");
}

interface Credentials {
  user: string;
  password: string;
}

/** `Authorization: Basic base64(user:password)`; null when there is no such header at all. */
function parseBasicAuth(header: string | undefined): Credentials | null {
  if (header === undefined) return null;
  const match = /^\s*basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return { user: "", password: "" };
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return { user: decoded, password: "" };
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Both comparisons always run, on equal-length digests, whatever was sent. */
function credentialsMatch(creds: Credentials, user: Buffer, password: Buffer): boolean {
  const userOk = matchesDigest(creds.user, user);
  const passwordOk = matchesDigest(creds.password, password);
  return userOk && passwordOk;
}

/**
 * The user name of a failed login as logged: the monitor's own, or "(another)". Never what
 * was typed otherwise: a password typed into the name field (or a header built without the
 * colon) would reach the log.
 */
function logUser(user: string): string {
  return user === MONITOR_USER ? MONITOR_USER : "(another)";
}

function retryAfterSeconds(state: RateLimiterRes): number {
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
}

function challenge(res: Response) {
  res.status(401).set("WWW-Authenticate", 'Basic realm="monitor"').json({ error: "authentication required" });
}

function tooManyAttempts(res: Response, state: RateLimiterRes) {
  res
    .status(429)
    .set("Retry-After", String(retryAfterSeconds(state)))
    .json({ error: "too many failed logins from this address; try again later" });
}
