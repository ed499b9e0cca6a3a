/**
 * The server definition: rooms, the Redis-or-local choice of presence and driver, the
 * transport and the HTTP routes. Nothing is built at import; `createServer(options)`
 * builds it, so tests and the start script choose their own settings.
 */
import "./polyfills.js";
import { defineRoom, defineServer, LocalDriver, LocalPresence, matchMaker, type Server } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import express from "express";
import path from "node:path";
import { Redis } from "ioredis";
import type { Logger } from "./logger.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { createTransport, originAllowed } from "./transport.js";
import { startProcessSweep } from "./sweep.js";
import { monitorHandler } from "./http/monitor.js";
import type { Env } from "./settings.js";
import { cryptoRng, type Rng } from "./rules/rng.js";
import { RoomName } from "./protocol/messages.js";
import type { RoomSettings } from "./rooms/GameRoom.js";
import { GameHandler } from "./rooms/handler.js";
import { listRooms } from "./rooms/listing.js";
import { LobbyRoom } from "./rooms/LobbyRoom.js";
import { DiceRoom } from "./rooms/DiceRoom.js";
import { OweDrahnRoom } from "./rooms/OweDrahnRoom.js";
import { TicTacToeRoom } from "./rooms/TicTacToeRoom.js";

export interface AppOptions {
  env: Env;
  logger: Logger;
  /** Metrics registry and room counters; created by createServer when absent. */
  metrics?: Metrics;
  /** Randomness for every room. @default cryptoRng */
  rng?: Rng;
}

/** The built browser client; src/ and build/ both sit one level below the project root. */
const CLIENT_DIR = path.resolve(__dirname, "../client/dist");

function noCacheHtml(res: { setHeader(name: string, value: string): void }, file: string) {
  if (file.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
}

/** The per-room settings derived from the environment. */
export function roomSettings({ env, logger, rng = cryptoRng, metrics }: AppOptions): RoomSettings {
  return {
    rng,
    logger,
    reconnectSeconds: env.RECONNECT_SECONDS,
    delays: { bust: env.BUST_DELAY_MS, bot: env.BOT_DELAY_MS, gameOver: env.GAME_OVER_DELAY_MS },
    messagesPerSecond: env.MESSAGES_PER_SECOND,
    messageBurst: env.MESSAGE_BURST,
    floodDisconnectAfter: env.FLOOD_DISCONNECT_AFTER,
    maxSpectators: env.MAX_SPECTATORS,
    seatReservationSeconds: env.SEAT_RESERVATION_SECONDS,
    drainSeconds: env.DRAIN_SECONDS,
    metrics: metrics?.room,
  };
}

/** The address clients reach this process at: `PUBLIC_ADDRESS` with `{port}` filled in. */
export function publicAddress(env: Env, port: number): string | undefined {
  const template = env.PUBLIC_ADDRESS ?? (env.REDIS_URL ? "localhost:{port}" : undefined);
  return template?.replaceAll("{port}", String(port));
}

/**
 * Builds the Colyseus server (not yet listening) for the process listening on `port`.
 * Its background tasks (the dead-process sweep, the health probe) stop with it.
 */
export function createServer(options: AppOptions, port = options.env.PORT): Server {
  const { env, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const settings = roomSettings({ ...options, metrics });
  const redisUrl = env.REDIS_URL;
  // Driver commands wait out a Redis outage instead of failing: with ioredis's default
  // (20 retries) a failed HGETALL stays cached in the driver and breaks matchmaking on
  // this process until a restart (see the README, "Redis outages").
  const driverRedis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: null }) : undefined;
  driverRedis?.on("error", (err) => logger.warn({ err: err.message }, "redis (driver) connection error"));
  const healthRedis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  healthRedis?.on("error", () => undefined); // reported by /health

  const server = defineServer({
    rooms: {
      [RoomName.tictactoe]: new GameHandler(TicTacToeRoom, settings),
      [RoomName.dice]: new GameHandler(DiceRoom, settings),
      [RoomName.owedrahn]: new GameHandler(OweDrahnRoom, settings),
      lobby: defineRoom(LobbyRoom, { server: { logger, refreshMs: env.LISTING_REFRESH_MS } }),
    },
    presence: redisUrl ? new RedisPresence(redisUrl) : new LocalPresence(),
    driver: driverRedis ? new RedisDriver(driverRedis) : new LocalDriver(),
    publicAddress: publicAddress(env, port),
    transport: createTransport({
      maxPayload: env.MAX_MESSAGE_BYTES,
      maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
      allowedOrigins: env.ALLOWED_ORIGINS,
      trustProxy: env.TRUST_PROXY,
      onRefused: (reason, detail) => logger.warn({ reason, ...detail }, "connection refused"),
    }),
    greet: false,
    logger: {
      debug: (...a: unknown[]) => logger.debug(a.map(String).join(" ")),
      info: (...a: unknown[]) => logger.info(a.map(String).join(" ")),
      warn: (...a: unknown[]) => logger.warn(a.map(String).join(" ")),
      error: (...a: unknown[]) => logger.error(a.map(String).join(" ")),
    },
    express: (app) => {
      app.get("/health", async (_req, res) => {
        if (!healthRedis) return void res.json({ status: "ok", presence: "in-memory" });
        try {
          await healthRedis.ping();
          res.json({ status: "ok", presence: "redis" });
        } catch (err) {
          res.status(503).json({ status: "unavailable", reason: `redis: ${(err as Error).message}` });
        }
      });
      app.get("/metrics", async (_req, res) => {
        res.set("Content-Type", metrics.registry.contentType);
        res.send(await metrics.registry.metrics());
      });
      app.get("/api/rooms", async (req, res) => {
        const game = typeof req.query.game === "string" ? req.query.game : undefined;
        const include = req.query.include === "all" ? "all" : "joinable";
        res.json(await listRooms({ game, include }));
      });
      // The browser client (client/, built by Vite into client/dist by `npm start` / `npm run build`).
      app.use(express.static(CLIENT_DIR, { index: "index.html", maxAge: "1h", setHeaders: noCacheHtml }));
      app.use("/monitor", monitorHandler({ password: env.MONITOR_PASSWORD, logger, trustedHops: env.TRUST_PROXY }));
    },
  });

  // Browsers may read matchmaking answers only from the allowed origins.
  matchMaker.controller.getCorsHeaders = (headers: Headers) => {
    const origin = headers.get("origin") ?? undefined;
    return {
      "Access-Control-Allow-Origin": env.ALLOWED_ORIGINS.length === 0 ? origin ?? "*" : originAllowed(origin, env.ALLOWED_ORIGINS) && origin ? origin : "null",
      Vary: "Origin",
    };
  };

  const stopSweep = driverRedis ? startProcessSweep({ intervalMs: env.PROCESS_SWEEP_MS, redis: driverRedis, logger }) : undefined;

  server.onShutdown(async () => {
    stopSweep?.();
    healthRedis?.disconnect();
  });

  return server;
}
