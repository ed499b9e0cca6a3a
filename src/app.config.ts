/**
 * The server definition: rooms, the Redis-or-local choice of presence and driver, the
 * transport, the request gate and the HTTP routes. Nothing is built at import;
 * `createServer(options)` builds it, so tests and the start script choose their own settings.
 */
import "./polyfills.js";
import { defineRoom, defineServer, LocalPresence, matchMaker, type Server } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import express from "express";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { ACCOUNTS_META } from "./protocol/players.js";
import type http from "node:http";
import type { z } from "zod";
import { everyMs, libraryLogger, type Logger } from "./logger.js";
import { digest, matchesDigest } from "./http/secret.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createTransport } from "./transport.js";
import { WaitingRooms } from "./matchmaking/waiting-rooms.js";
import { startProcessSweep } from "./sweep.js";
import { watchEventLoop } from "./health.js";
import { installGate, originAllowed, requestAddress } from "./http/gate.js";
import { createMatchmakingRoute } from "./http/matchmaking.js";
import { monitorHandler } from "./http/monitor.js";
import { isInternalAddress } from "./net/address.js";
import { watchedRedis, WatchedRedisPresence } from "./net/redis.js";
import { FastLocalDriver } from "./matchmaking/local-driver.js";
import { memoryLedgerStore, redisLedgerStore, ReservationLedger } from "./matchmaking/reservations.js";
import type { Env } from "./settings.js";
import { cryptoRng, type Rng } from "./rules/rng.js";
import { commonJoinOptions } from "./protocol/messages.js";
import { GAME_NAMES, GAMES } from "./games/index.js";
import type { RoomSettings } from "./rooms/settings.js";
import { GameHandler } from "./rooms/handler.js";
import { Listing } from "./rooms/listing.js";
import { LobbyRoom, lobbyOptions } from "./rooms/LobbyRoom.js";
import { HighAvailability } from "./ha/service.js";
import { aliveHandler, ALIVE_PATH } from "./ha/probe.js";
import { matchmakerLookup, mayComeBack, unanswered } from "./ha/unanswered.js";
import type { Players } from "./players/service.js";
import { playerRoutes } from "./players/routes.js";
import { RUNNING_ASK_MS, RunningGames, runningGamesRoutes, type AwaySeat } from "./players/running-games.js";

export interface AppOptions {
  env: Env;
  logger: Logger;
  /** Metrics registry and room counters; created by createServer when absent. */
  metrics?: Metrics;
  /** Randomness for every room. @default cryptoRng */
  rng?: Rng;
  /** Players' accounts and records (src/players/service.ts, opened by the start script); without them everyone plays anonymously. The server closes them at shutdown. */
  players?: Players;
}

/** The built browser client; src/ and build/ both sit one level below the project root. */
const CLIENT_DIR = path.resolve(__dirname, "../client/dist");

/** The high-availability connection's call and socket timeout: a move's patch waits at most this for its snapshot. */
const HA_REDIS_TIMEOUT_MS = 2000;
/** /health's Redis probe. */
const HEALTH_REDIS_TIMEOUT_MS = 1000;

function noCacheHtml(res: { setHeader(name: string, value: string): void }, file: string) {
  if (file.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
}

/** The per-room settings derived from the environment. */
export function roomSettings({ env, logger, rng = cryptoRng, metrics, players }: AppOptions, reservations?: RoomSettings["reservations"]): RoomSettings {
  return {
    rng,
    logger,
    reconnectSeconds: env.RECONNECT_SECONDS,
    delays: { bust: env.BUST_DELAY_MS, bot: env.BOT_DELAY_MS, gameOver: env.GAME_OVER_DELAY_MS },
    messagesPerSecond: env.MESSAGES_PER_SECOND,
    messageBurst: env.MESSAGE_BURST,
    floodDisconnectAfter: env.FLOOD_DISCONNECT_AFTER,
    maxSpectators: env.MAX_SPECTATORS,
    maxSpectatorsPerIp: env.MAX_SPECTATORS_PER_IP,
    // A backstop only: the transport cuts a flood at FRAME_BURST; Colyseus counts per second.
    maxFramesPerSecond: env.FRAME_BURST + env.MAX_FRAMES_PER_SECOND,
    joinAckSeconds: env.JOIN_ACK_SECONDS,
    silentProbeMs: env.SILENT_PROBE_MS,
    reservations,
    seatReservationSeconds: env.SEAT_RESERVATION_SECONDS,
    drainSeconds: env.DRAIN_SECONDS,
    metrics: metrics?.room,
    results: players?.recorder,
    // A seeded or scripted RNG (tests, RNG_SEED) keeps its dice: fairness would replace them.
    fairDice: rng === cryptoRng,
  };
}

/** The address clients reach this process at: `PUBLIC_ADDRESS` with `{port}` filled in. */
export function publicAddress(env: Env, port: number): string | undefined {
  const template = env.PUBLIC_ADDRESS ?? (env.REDIS_URL ? "localhost:{port}" : undefined);
  return template && withPort(template, port);
}

/** The address the other processes reach this one at directly (src/ha/probe.ts): `INTERNAL_ADDRESS`, else this host's loopback or the one interface HOST names. */
export function internalAddress(env: Env, port: number): string {
  // Bound to every interface: loopback reaches it (a dual-stack `::` takes IPv4 too). `localhost` stays a name: it may be bound on ::1.
  const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  return withPort(env.INTERNAL_ADDRESS ?? `${host}:{port}`, port);
}

/** An address template with `{port}` replaced by this process's port. */
const withPort = (template: string, port: number) => template.replaceAll("{port}", String(port));

/** The lobby's room name: one lobby room per process, opened by the server. */
export const LOBBY = "lobby";

/**
 * Builds the Colyseus server (not yet listening) for the process listening on `port`.
 * Once it listens it opens this process's lobby room. Its background tasks (the
 * dead-process sweep, the health probes) stop with it.
 */
export function createServer(options: AppOptions, port = options.env.PORT): Server {
  const { env, logger } = options;
  const metrics = options.metrics ?? createMetrics(GAME_NAMES);
  const redisUrl = env.REDIS_URL;
  // Driver commands wait out a Redis outage instead of failing: with ioredis's default
  // (20 retries) a failed HGETALL stays cached in the driver and breaks matchmaking on
  // this process until a restart (see the README, "Redis outages").
  //
  // Every connection notices a network gone silent (src/net/redis.ts): one that expects an
  // answer and hears nothing for 5 s is closed and made again. The driver's commands in
  // flight are sent again on the new connection.
  const driverRedis = redisUrl ? watchedRedis(redisUrl, { maxRetriesPerRequest: null }) : undefined;
  driverRedis?.on("error", (err) => logger.warn({ err: err.message }, "redis (driver) connection error"));
  // A probe answers within a second: a Redis that stopped answering is a 503, not a probe that hangs.
  const healthRedis = redisUrl ? watchedRedis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: HEALTH_REDIS_TIMEOUT_MS, socketTimeout: HEALTH_REDIS_TIMEOUT_MS }) : undefined;
  healthRedis?.on("error", () => undefined); // reported by /health
  // One sign-in budget per address across every process (its count fails over to memory at once while Redis is down).
  if (healthRedis) options.players?.accounts.shareLimits(healthRedis);
  const loop = watchEventLoop();

  const ledger = new ReservationLedger(driverRedis ? redisLedgerStore(driverRedis) : memoryLedgerStore(), env.MAX_PENDING_RESERVATIONS_PER_IP, env.SEAT_RESERVATION_SECONDS);
  const settings = roomSettings({ ...options, metrics }, ledger);
  // High availability: a connection of its own that fails at once while Redis is down
  // (play goes on without snapshots) instead of queueing commands. A write not answered in
  // 2 s fails, and the connection is made again: while it is not ready, writes are skipped at
  // once, so a silent Redis delays one move per room by 2 s, not every move.
  const haRedis = redisUrl && env.SNAPSHOTS === "on" ? watchedRedis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: HA_REDIS_TIMEOUT_MS, socketTimeout: HA_REDIS_TIMEOUT_MS }) : undefined;
  haRedis?.on("error", () => undefined); // the service logs the pause, /health reports Redis
  const ha = haRedis ? new HighAvailability({ redis: haRedis, logger, metrics: metrics.ha, checkMs: env.HA_CHECK_MS, deadAfterMs: env.HA_DEAD_AFTER_MS, batchMs: env.HA_BATCH_MS, address: internalAddress(env, port), probeMs: env.HA_PROBE_MS }) : undefined;
  settings.ha = ha;
  /** With high availability: who answers for a room a reconnect names (src/ha/unanswered.ts). */
  const roomLookup = haRedis ? matchmakerLookup(haRedis) : undefined;
  const games = GAME_NAMES;
  const listing = new Listing({ games: new Set(games), maxRooms: env.LISTING_MAX_ROOMS, minIntervalMs: env.LOBBY_THROTTLE_MS, maxAgeMs: env.LISTING_REFRESH_MS });
  // Its subscriber connection is pinged, so a silent one is noticed too (src/net/redis.ts).
  const presence = redisUrl ? new WatchedRedisPresence(redisUrl) : new LocalPresence();
  // Which rooms seat each signed-in player: a closed tab's game can be taken back (GET /api/me/games).
  const running = options.players ? new RunningGames(presence, logger, Boolean(redisUrl)) : undefined;
  settings.running = running;

  // One lobby room per process, opened by the server (at listen, and again should it be
  // gone): clients only join it.
  let lobbyId: string | undefined;
  const ensureLobby = async () => {
    if (lobbyId && matchMaker.getLocalRoomById(lobbyId)) return;
    lobbyId = (await matchMaker.handleCreateRoom(LOBBY, {})).roomId;
  };

  const edgeLines = everyMs(1000);
  const edgeLog = (key: string, fields: Record<string, unknown>, msg: string) => {
    const { log, suppressed } = edgeLines(key);
    if (log) logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, msg);
  };
  const healthLines = everyMs(1000);
  /** GET /metrics with METRICS_TOKEN: the Authorization header it takes, as a digest (compared in constant time). */
  const metricsToken = env.METRICS_TOKEN ? digest(`Bearer ${env.METRICS_TOKEN}`) : undefined;
  const transport = createTransport({
    maxPayload: env.MAX_MESSAGE_BYTES,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    requestsPerSecond: env.MESSAGES_PER_SECOND,
    requestBurst: env.MESSAGE_BURST,
    maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
    connectionsPerMinutePerIp: env.CONNECTIONS_PER_MINUTE_PER_IP,
    maxSocketsPerIp: env.MAX_SOCKETS_PER_IP,
    allowedOrigins: env.ALLOWED_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    framesPerSecond: env.MAX_FRAMES_PER_SECOND,
    frameBurst: env.FRAME_BURST,
    maxSendBufferBytes: env.MAX_SEND_BUFFER_BYTES,
    pingInterval: env.PING_INTERVAL_MS,
    pingMaxRetries: env.PING_MAX_RETRIES,
    // One line a second per reason at most, the origin clipped: a refused connection costs an
    // attacker nothing, and each would write a line (the metrics count every one).
    onRefused: (reason, detail) => {
      metrics.edge.refused(reason);
      edgeLog(`refused:${reason}`, { reason, ip: detail.ip, origin: detail.origin?.slice(0, 100) }, "connection refused");
    },
    onCut: (reason, detail) => {
      metrics.edge.cut(reason);
      edgeLog(`cut:${reason}`, { reason, ...detail }, "connection cut");
    },
  });
  installGate(transport.server as http.Server, {
    trustedHops: env.TRUST_PROXY,
    allowedOrigins: env.ALLOWED_ORIGINS,
    maxBodyBytes: env.MAX_HTTP_BODY_BYTES,
    requestsPer10s: env.HTTP_REQUESTS_PER_10S,
    matchmaking: createMatchmakingRoute({
      rooms: {
        games: new Map(GAMES.map((g) => [g.protocol.name, g.protocol.options as z.ZodType<Record<string, unknown>>])),
        // joinById names a room, not a game: its options are checked against what any room
        // accepts at join (the room checks its own again when the WebSocket arrives).
        joinById: commonJoinOptions.extend(lobbyOptions(games).shape),
        lobby: { name: LOBBY, options: lobbyOptions(games) },
      },
      ledger,
      waitingRooms: new WaitingRooms((conditions) => matchMaker.query(conditions), env.MAX_WAITING_ROOMS_PER_IP),
      beforeLobbyJoin: ensureLobby,
      createsPer10s: env.CREATES_PER_10S,
      joinsPer10s: env.JOINS_PER_10S,
      maxBodyBytes: env.MAX_HTTP_BODY_BYTES,
      originAllowed: (req) => originAllowed(req.headers.origin, req.headers.host, env.ALLOWED_ORIGINS),
      unanswered: roomLookup ? (roomId) => unanswered(roomId, roomLookup) : undefined,
      mayComeBack: roomLookup ? (roomId) => mayComeBack(roomId, roomLookup) : undefined,
      logger,
    }),
  });

  const server = defineServer({
    rooms: {
      ...Object.fromEntries(GAMES.map((game) => [game.protocol.name, new GameHandler(settings, game)])),
      [LOBBY]: defineRoom(LobbyRoom, {
        server: {
          logger,
          listing,
          games,
          refreshMs: env.LISTING_REFRESH_MS,
          throttleMs: env.LOBBY_THROTTLE_MS,
          maxClients: env.LOBBY_MAX_CLIENTS,
          maxPerIp: env.LOBBY_MAX_PER_IP,
          maxMessagesPerSecond: env.FRAME_BURST + env.MAX_FRAMES_PER_SECOND,
          joinAckSeconds: env.JOIN_ACK_SECONDS,
          reservations: ledger,
        },
      }),
    },
    presence,
    driver: driverRedis ? new RedisDriver(driverRedis) : new FastLocalDriver(),
    publicAddress: publicAddress(env, port),
    transport,
    greet: false,
    // Colyseus's own lines, at most COLYSEUS_LOG_LINES_PER_SECOND (some a client can cause).
    logger: libraryLogger(logger, { perSecond: env.COLYSEUS_LOG_LINES_PER_SECOND, suppressed: () => metrics.edge.logSuppressed("colyseus") }),
    express: (app) => {
      app.disable("x-powered-by");
      app.get("/health", async (_req, res) => {
        const lag = loop.read();
        const eventLoop = { lagP99Ms: Math.round(lag.p99Ms), lagMaxMs: Math.round(lag.maxMs) };
        if (lag.p99Ms > env.HEALTH_MAX_LAG_MS) {
          return void res.status(503).json({ status: "unavailable", reason: `event loop lag ${eventLoop.lagP99Ms} ms`, eventLoop });
        }
        if (!healthRedis) return void res.json({ status: "ok", presence: "in-memory", eventLoop });
        try {
          await healthRedis.ping();
          res.json({ status: "ok", presence: "redis", eventLoop });
        } catch (err) {
          // The driver's message may name Redis's internal address: it goes to the log (once a second at most), not to the public.
          if (healthLines("redis").log) logger.warn({ err: (err as Error).message }, "health check: redis does not answer");
          res.status(503).json({ status: "unavailable", reason: "redis does not answer", eventLoop });
        }
      });
      // Another process asking whether this one runs (src/ha/probe.ts).
      app.get(ALIVE_PATH, aliveHandler(() => matchMaker.processId));
      app.get("/metrics", async (req, res) => {
        const token = metricsToken;
        const allowed = token ? matchesDigest(req.headers.authorization ?? "", token) : isInternalAddress(requestAddress(req));
        if (!allowed) return void res.status(token ? 401 : 403).type("text").send(token ? "Bearer token required." : "Metrics are served to internal addresses only (or set METRICS_TOKEN).");
        res.set("Content-Type", metrics.registry.contentType);
        res.send(await metrics.render());
      });
      app.get("/api/rooms", async (req, res) => {
        const game = typeof req.query.game === "string" && (games as string[]).includes(req.query.game) ? req.query.game : undefined;
        const include = req.query.include === "all" ? "all" : "joinable";
        const view = await listing.view({ game, include });
        res.type("application/json").send(view.json);
      });
      // One room by id, private ones included (an invite page: which game, who invites).
      app.get("/api/rooms/:roomId", async (req, res) => {
        const roomId = String(req.params.roomId);
        const entry = /^[\w-]{1,32}$/.test(roomId) ? await listing.byId(roomId) : undefined;
        if (!entry) return void res.status(404).json({ code: 404, error: "There is no such game (it may have ended)." });
        res.json(entry);
      });
      // Players: sign-in (/auth), leaderboards, profiles and match records (/api).
      if (options.players) {
        const { accounts, store, leaderboards } = options.players;
        app.use(accounts.routes());
        if (running) {
          app.use(
            runningGamesRoutes(
              {
                index: running,
                signedIn: (req) => accounts.signedIn(req),
                ask: (roomId, userId) => matchMaker.remoteRoomCall(roomId, "awaySeat", [userId], RUNNING_ASK_MS) as Promise<AwaySeat | null>,
                gone: async (roomId) => !(await matchMaker.driver.findOne({ roomId })) && !(roomLookup && (await mayComeBack(roomId, roomLookup))),
              },
              logger,
            ),
          );
        }
        app.use(playerRoutes({ leaderboard: (game, limit) => leaderboards.leaderboard(game, limit), profile: (id) => store.profile(id), matchJson: (id) => store.matchJson(id) }, games, logger, env.LEADERBOARD_MIN_GAMES));
      } else {
        // The web client's page says that accounts are off, so it asks /auth and the players' API
        // nothing (each 404 was a console error in the page). Read per request: a page load is rare,
        // and a client rebuilt while the server runs is served as it is now.
        app.get(["/", "/index.html"], (_req, res, next) => {
          readFile(path.join(CLIENT_DIR, "index.html"), "utf8").then((html) => {
            res.setHeader("Cache-Control", "no-cache");
            res.type("html").send(html.replace("<head>", `<head>\n    <meta name="${ACCOUNTS_META}" content="off" />`));
          }, () => next()); // not built: the usual 404
        });
        // Lookaheads: Express strips a matched prefix, and skips the layer when what follows is not "/".
        app.use([/^\/auth(?=\/|$)/, /^\/api\/(?:leaderboard|players|matches|me)(?=\/|$)/], (_req, res) => {
          res.status(404).json({ code: "ACCOUNTS_OFF", error: "Players' accounts are off on this server (ACCOUNTS=off): everyone plays as a guest and nothing is recorded." });
        });
      }
      // Any other API path: a JSON 404, not the web client's page.
      app.use(/^\/api(?=\/|$)/, (_req, res) => void res.status(404).json({ code: 404, error: "There is no such API route." }));
      // The browser client (client/, built by Vite into client/dist by `npm start` / `npm run build`).
      app.use(express.static(CLIENT_DIR, { index: "index.html", maxAge: "1h", setHeaders: noCacheHtml }));
      app.use("/monitor", monitorHandler({ password: env.MONITOR_PASSWORD, logger, trustedHops: env.TRUST_PROXY }));
      // Any other path (a scanner's /.env, /wp-login.php): the same JSON 404, not Express's HTML page.
      app.use((_req, res) => void res.status(404).json({ code: 404, error: "There is nothing at that address." }));
      // A request Express could not read (a malformed %-escape in its path) or a route that
      // threw: JSON with a code, never Express's HTML page with a stack trace.
      app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) => {
        const status = (err as { status?: unknown } | null)?.status;
        const code = typeof status === "number" && status >= 400 && status < 500 ? status : 500;
        if (code === 500) logger.error({ err: (err as Error | null)?.message, path: req.path.slice(0, 100) }, "HTTP request failed");
        if (res.headersSent) return next(err);
        res.status(code).json({ code, error: code === 500 ? "The server failed to answer that request." : "That request could not be read." });
      });
    },
  });

  let unfollow: (() => void) | undefined;
  let stopHa: (() => void) | undefined;
  const listen = server.listen.bind(server);
  server.listen = async (...args: Parameters<Server["listen"]>) => {
    const result = await listen(...args);
    unfollow = await listing.follow(presence);
    await ensureLobby();
    stopHa = ha?.start();
    return result;
  };

  const stopSweep = driverRedis ? startProcessSweep({ intervalMs: env.PROCESS_SWEEP_MS, redis: driverRedis, logger, probeMs: env.HA_PROBE_MS }) : undefined;

  // SIGTERM: this process takes no rooms over from now on, and is handed no games (src/ha/service.ts).
  server.onBeforeShutdown(() => ha?.drainBegan());

  server.onShutdown(async () => {
    stopSweep?.();
    stopHa?.();
    // Its games handed over at the drain's end: the others take them over now; else it is forgotten.
    if (ha) await ha.leave().catch((err: Error) => logger.warn({ err: err.message }, "could not tell the other processes that this one stopped"));
    await haRedis?.quit().catch(() => undefined);
    unfollow?.();
    loop.stop();
    healthRedis?.disconnect();
    await options.players?.close().catch((err: Error) => logger.error({ err: err.message }, "closing the players' database failed"));
    logger.info("server stopped");
  });

  return server;
}
