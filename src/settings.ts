/**
 * Configuration from the environment, validated once at start-up (zod), with the
 * defaults documented in the README's operations section.
 */
import { z } from "zod";
import { DEFAULT_PROBE_MS } from "./ha/probe.js";
import { SILENT_PROBE_MS } from "./rooms/silent-connection.js";

/** An address's scheme as `new URL` reads it ("redis:"), or undefined when it cannot read it (zod's url() lets `127.0.0.1:6379` through). */
const schemeOf = (u: string): string | undefined => (URL.canParse(u) ? new URL(u).protocol : undefined);

const REDIS_URL_FORM = "a redis:// or rediss:// address, such as redis://127.0.0.1:6379";

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

export const envSchema = z.object({
  PORT: int(2567, 1, 65535),
  /** Interface to bind; `0.0.0.0` for every interface. */
  HOST: z.string().default("0.0.0.0"),
  /** pm2 instance number: added to PORT so each process has its own port. */
  NODE_APP_INSTANCE: int(0, 0, 1000),
  /** With it, presence and the room listing live in Redis and several processes share them. */
  REDIS_URL: z
    .string()
    .url(REDIS_URL_FORM)
    // Without a scheme, `localhost:6379` reads as a URL of scheme "localhost:" (until 2026-12-05 it was taken).
    .refine((u) => schemeOf(u) === "redis:" || schemeOf(u) === "rediss:", REDIS_URL_FORM)
    .optional(),
  /** Address clients use to reach this process (`host:port` or `host/path`); `{port}` is replaced by this process's port. */
  PUBLIC_ADDRESS: z.string().optional(),
  /** With snapshots: where the other processes reach this one directly (`host:port`, `{port}` replaced by its port), to ask whether it runs when its heartbeat stops. Default: 127.0.0.1:{port}, or HOST:{port} when HOST names one interface. */
  INTERNAL_ADDRESS: z.string().optional(),
  RECONNECT_SECONDS: int(60, 0, 3600),
  /** How long a matchmaker seat reservation waits for its WebSocket. */
  SEAT_RESERVATION_SECONDS: int(10, 1, 600),
  BUST_DELAY_MS: int(2000, 0, 60000),
  BOT_DELAY_MS: int(1000, 0, 60000),
  GAME_OVER_DELAY_MS: int(5000, 0, 60000),
  MAX_MESSAGE_BYTES: int(2048, 64, 1 << 20),
  MESSAGES_PER_SECOND: int(10, 1, 10000),
  MESSAGE_BURST: int(20, 1, 10000),
  FLOOD_DISCONNECT_AFTER: int(40, 1, 100000),
  MAX_SPECTATORS: int(16, 0, 1000),
  /** Simultaneous WebSocket connections per client address; 0 = unlimited. */
  MAX_CONNECTIONS_PER_IP: int(32, 0, 1_000_000),
  /**
   * Simultaneous connections of any kind (HTTP requests, idle keep-alive connections,
   * WebSockets) per client address; 0 = unlimited. Only with TRUST_PROXY=0: behind a proxy
   * every connection comes from it, and the proxy caps its own (nginx's limit_conn). Unset:
   * twice MAX_CONNECTIONS_PER_IP, at least 64 (nginx's), or unlimited when that is (see readEnv).
   */
  MAX_SOCKETS_PER_IP: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** New WebSocket connections per client address per minute; 0 = unlimited. */
  CONNECTIONS_PER_MINUTE_PER_IP: int(60, 0, 1_000_000),
  /** Frames of any kind (messages, pings, requests, WebSocket ping and pong frames) per connection, and reads of its socket: sustained rate per second. */
  MAX_FRAMES_PER_SECOND: int(60, 1, 100_000),
  /** Frames per connection in one burst before the sustained rate applies. */
  FRAME_BURST: int(120, 1, 1_000_000),
  /** Unsent bytes a connection may have queued before it is cut as too slow (it keeps its reconnection window). */
  MAX_SEND_BUFFER_BYTES: int(512 * 1024, 4096, 1 << 30),
  /** The server pings every connection this often; 0 = never (then dead peers are found only by TCP). */
  PING_INTERVAL_MS: int(3000, 0, 600_000),
  /** Pings in a row without an answer before a connection is dropped (its player keeps the reconnection window). */
  PING_MAX_RETRIES: int(2, 1, 100),
  /** A joined client must acknowledge its join within this time, or it is disconnected. */
  JOIN_ACK_SECONDS: int(5, 1, 600),
  /** A reconnection presenting the token of a connection still counted asks that connection with a ping: silent this long, it is dropped (at most half of SEAT_RESERVATION_SECONDS). */
  SILENT_PROBE_MS: int(SILENT_PROBE_MS, 100, 10_000),
  /** Matchmaking per client address: creates (`create`, `joinOrCreate`) per 10 s. */
  CREATES_PER_10S: int(10, 1, 100_000),
  /** Matchmaking per client address: joins (`join`, `joinById`) and reconnects per 10 s. */
  JOINS_PER_10S: int(20, 1, 100_000),
  /** Seat reservations (player or spectator) one address may hold unused at once. */
  MAX_PENDING_RESERVATIONS_PER_IP: int(6, 1, 100_000),
  /** Rooms one address may hold waiting for players (created, not started); 0 = no limit. */
  MAX_WAITING_ROOMS_PER_IP: int(5, 0, 100_000),
  /** Spectators one address may have in one room. */
  MAX_SPECTATORS_PER_IP: int(4, 1, 1000),
  /** HTTP requests of any kind per client address per 10 s (a page load is a handful). */
  HTTP_REQUESTS_PER_10S: int(300, 1, 10_000_000),
  /** Largest HTTP request body accepted (matchmaking options are a few dozen bytes). */
  MAX_HTTP_BODY_BYTES: int(4096, 256, 1 << 20),
  /**
   * Time a client has to send a whole HTTP request (headers and body; a WebSocket upgrade's
   * headers too): a connection that trickles one, or sends nothing, is closed after it.
   */
  HTTP_REQUEST_TIMEOUT_MS: int(10_000, 1000, 300_000),
  /** Comma-separated exact browser origins allowed to connect; unset = any (development). */
  ALLOWED_ORIGINS: z
    .string()
    .transform((s) => s.split(",").map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url().refine((o) => new URL(o).origin === o, "an origin is scheme://host[:port], nothing more")))
    .default([]),
  /**
   * How many reverse proxies of yours stand in front of this process (`true` = 1): the
   * client address is that many entries from the end of `X-Forwarded-For`. 0 / `false`:
   * the socket's peer is the client.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, "true, false or a number of proxies")
    .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v)))
    .default(0),
  /** On SIGTERM, how long running games may finish before their rooms close. */
  DRAIN_SECONDS: int(600, 0, 86400),
  /** How often the lobby re-reads the listing without a change notice. */
  LISTING_REFRESH_MS: int(1000, 100, 60000),
  /** Lobby updates after a change are coalesced: at most one pass per this many ms. */
  LOBBY_THROTTLE_MS: int(500, 10, 60000),
  /** Rooms in one listing (the lobby's `rooms` message and GET /api/rooms). */
  LISTING_MAX_ROOMS: int(50, 1, 10000),
  /** Lobby connections per process (the server opens one lobby room per process). */
  LOBBY_MAX_CLIENTS: int(500, 1, 100_000),
  /** Lobby connections per client address. */
  LOBBY_MAX_PER_IP: int(4, 1, 1000),
  /** Colyseus's own log lines a second, at most, besides the first two of each kind (some a client can cause: a WebSocket protocol error logs one with its stack); the rest are counted and reported in one line. */
  COLYSEUS_LOG_LINES_PER_SECOND: int(20, 1, 100_000),
  /** /health answers 503 when the event loop lagged longer than this (p99 over the last seconds). */
  HEALTH_MAX_LAG_MS: int(1000, 10, 600_000),
  /** Bearer token for GET /metrics; without one, /metrics answers only internal addresses. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** With Redis: how often to look for dead processes and drop their rooms from the listing. */
  PROCESS_SWEEP_MS: int(2000, 250, 60000),
  /** With Redis: keep every game's snapshot in Redis so a survivor takes it over when its process dies (high availability). */
  SNAPSHOTS: z.enum(["on", "off"]).default("on"),
  /** With snapshots: how often each process beats, fences its rooms and looks for dead processes. */
  HA_CHECK_MS: int(1000, 100, 60000),
  /** With snapshots: a process silent this long is checked for death, and its games taken over. */
  HA_DEAD_AFTER_MS: int(3000, 500, 600000),
  /** With snapshots: the least time between two snapshot calls to Redis; writes made sooner wait (at most 1.5 × this) and go out together: longer costs less CPU per move, a busy server's moves wait longer. */
  HA_BATCH_MS: int(10, 0, 50),
  /** With snapshots: how long a process with no heartbeat has to answer directly (INTERNAL_ADDRESS) before it may be taken over. */
  HA_PROBE_MS: int(DEFAULT_PROBE_MS, 50, 10000),
  /** Players' accounts, records and ratings (a database); `off`: everyone plays anonymously and nothing is recorded. */
  ACCOUNTS: z.enum(["on", "off"]).default("on"),
  /** PostgreSQL for the players' database (`postgres://user:pass@host:5432/db`); unset: the embedded database in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => schemeOf(u) === "postgres:" || schemeOf(u) === "postgresql:", "a postgres:// or postgresql:// address")
    .optional(),
  /** PostgreSQL: how long a connection attempt or a statement may take (ms) before it fails (a frozen or cut-off server then fails fast instead of holding requests forever). */
  DATABASE_TIMEOUT_MS: int(10_000, 100, 600_000),
  /** Folder of the embedded players' database and of the development token secret. */
  DATA_DIR: z.string().default("data"),
  /** Secret that signs sign-in tokens (at least 32 characters); required when NODE_ENV=production, generated once into DATA_DIR otherwise. */
  JWT_SECRET: z.string().min(32, "at least 32 characters").optional(),
  NODE_ENV: z.string().default("development"),
  /** Days a sign-in token stays valid. */
  TOKEN_DAYS: int(30, 1, 3650),
  /** Sign-in and registration requests (a password checked) per client address per minute (answered 429 beyond). */
  AUTH_REQUESTS_PER_MINUTE: int(10, 1, 1_000_000),
  /** New guests and renames per client address per minute (answered 429 beyond): a group behind one home network signs in as guests together. */
  GUEST_REQUESTS_PER_MINUTE: int(40, 1, 1_000_000),
  /** Password checks (sign-ins, registrations) waiting in a process while two run, at most; more are answered 503 at once. */
  PASSWORD_QUEUE: int(32, 0, 100_000),
  /** Games a player needs before they appear on a leaderboard. */
  LEADERBOARD_MIN_GAMES: int(5, 1, 1000),
  /** Password of the /monitor dashboard (user `admin`); the monitor is off without it. */
  MONITOR_PASSWORD: z.string().min(8).optional(),
  /** Testing only: seeds the dice so a run can be replayed. Never set it in production. */
  RNG_SEED: z.coerce.number().int().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = Omit<z.output<typeof envSchema>, "MAX_SOCKETS_PER_IP"> & { MAX_SOCKETS_PER_IP: number };

/** The default cap on connections of any kind per address: room for the WebSockets' own cap, and for pages and API calls beside them. */
export const DEFAULT_MIN_SOCKETS_PER_IP = 64;

/** Parses the environment; throws a readable error naming each bad variable. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  // An empty variable counts as unset.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const { MAX_SOCKETS_PER_IP: set, MAX_CONNECTIONS_PER_IP: webSockets, TRUST_PROXY: proxies } = parsed.data;
  // Unset, it leaves room for the WebSockets' own cap (and none when they have none), so a
  // configuration that worked before this cap existed works the same.
  const sockets = set ?? (webSockets === 0 ? 0 : Math.max(DEFAULT_MIN_SOCKETS_PER_IP, 2 * webSockets));
  // Every WebSocket is a connection too: the smaller cap would refuse them first, unexplained.
  // (Behind proxies the cap is not used: nothing to check.)
  if (proxies === 0 && sockets > 0 && webSockets > 0 && sockets < webSockets) {
    throw new Error(`Invalid configuration:\n  MAX_SOCKETS_PER_IP: ${sockets} is below MAX_CONNECTIONS_PER_IP (${webSockets}): every WebSocket is a connection too; raise it, or set it to 0 (unlimited)`);
  }
  return { ...parsed.data, MAX_SOCKETS_PER_IP: sockets };
}
