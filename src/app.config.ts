/**
 * The server definition: rooms, the Redis-or-local choice of presence and driver, the
 * transport and the HTTP routes. Nothing is built at import; `createServer(settings)`
 * builds it, so tests and the start script choose their own settings.
 */
import "./polyfills.js";
import { defineServer, LocalDriver, LocalPresence, type Server } from "@colyseus/core";
import { RedisDriver } from "@colyseus/redis-driver";
import { RedisPresence } from "@colyseus/redis-presence";
import { WebSocketTransport } from "@colyseus/ws-transport";
import type { Logger } from "./logger.js";
import type { Env } from "./settings.js";
import { cryptoRng, type Rng } from "./rules/rng.js";
import { RoomName } from "./protocol/messages.js";
import type { RoomSettings } from "./rooms/GameRoom.js";
import { GameHandler } from "./rooms/handler.js";
import { DiceRoom } from "./rooms/DiceRoom.js";
import { OweDrahnRoom } from "./rooms/OweDrahnRoom.js";
import { TicTacToeRoom } from "./rooms/TicTacToeRoom.js";

export interface AppOptions {
  env: Env;
  logger: Logger;
  /** Randomness for every room. @default cryptoRng */
  rng?: Rng;
}

/** The per-room settings derived from the environment. */
export function roomSettings({ env, logger, rng = cryptoRng }: AppOptions): RoomSettings {
  return {
    rng,
    logger,
    reconnectSeconds: env.RECONNECT_SECONDS,
    delays: { bust: env.BUST_DELAY_MS, bot: env.BOT_DELAY_MS, gameOver: env.GAME_OVER_DELAY_MS },
    messagesPerSecond: env.MESSAGES_PER_SECOND,
    messageBurst: env.MESSAGE_BURST,
    floodDisconnectAfter: env.FLOOD_DISCONNECT_AFTER,
    maxSpectators: env.MAX_SPECTATORS,
  };
}

/** Builds the Colyseus server (not yet listening). */
export function createServer(options: AppOptions): Server {
  const { env, logger } = options;
  const settings = roomSettings(options);
  // Colyseus reads the seat reservation time from this variable when a room is created.
  process.env.COLYSEUS_SEAT_RESERVATION_TIME ??= String(env.SEAT_RESERVATION_SECONDS);

  const redis = env.REDIS_URL;
  return defineServer({
    rooms: {
      [RoomName.tictactoe]: new GameHandler(TicTacToeRoom, settings),
      [RoomName.dice]: new GameHandler(DiceRoom, settings),
      [RoomName.owedrahn]: new GameHandler(OweDrahnRoom, settings),
    },
    presence: redis ? new RedisPresence(redis) : new LocalPresence(),
    driver: redis ? new RedisDriver(redis) : new LocalDriver(),
    publicAddress: env.PUBLIC_ADDRESS,
    transport: new WebSocketTransport({ maxPayload: env.MAX_MESSAGE_BYTES }),
    greet: false,
    logger: {
      debug: (...a: unknown[]) => logger.debug(a.map(String).join(" ")),
      info: (...a: unknown[]) => logger.info(a.map(String).join(" ")),
      warn: (...a: unknown[]) => logger.warn(a.map(String).join(" ")),
      error: (...a: unknown[]) => logger.error(a.map(String).join(" ")),
    },
    express: (app) => {
      app.get("/health", (_req, res) => {
        res.json({ status: "ok" });
      });
    },
  });
}
