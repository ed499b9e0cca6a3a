/**
 * One in-process game server for the room tests (Colyseus's matchmaker is a process-wide
 * singleton, so a mocha process hosts one). Booted on first use, bound to 127.0.0.1 on a
 * free port, with short delays so tests do not wait seconds.
 */
import { ColyseusTestServer } from "@colyseus/testing";
import { createServer } from "../../src/app.config.js";
import { createLogger } from "../../src/logger.js";
import { readEnv, type Env } from "../../src/settings.js";
import { seededRng } from "../../src/rules/rng.js";
import { freePort } from "./ports.js";

/** Timings the room tests rely on. */
export const TEST_ENV = {
  RECONNECT_SECONDS: "2",
  BUST_DELAY_MS: "150",
  BOT_DELAY_MS: "20",
  GAME_OVER_DELAY_MS: "200",
  MESSAGES_PER_SECOND: "50",
  MESSAGE_BURST: "50",
  FLOOD_DISCONNECT_AFTER: "100",
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
} as const;

let booted: Promise<{ colyseus: ColyseusTestServer; env: Env; port: number }> | undefined;

export function testServer() {
  booted ??= (async () => {
    const env = readEnv({ ...process.env, ...TEST_ENV });
    const logger = createLogger(env.LOG_LEVEL);
    const port = await freePort();
    const { server } = createServer({ env, logger, rng: seededRng(1234) }, port);
    await server.listen(port, "127.0.0.1");
    return { colyseus: new ColyseusTestServer(server), env, port };
  })();
  return booted;
}

/** Shuts the shared server down if a test booted it (root hook, after all tests). */
export async function stopTestServer() {
  if (!booted) return;
  const { colyseus } = await booted;
  booted = undefined;
  await colyseus.shutdown();
}

export const mochaHooks = {
  async afterAll() {
    await stopTestServer();
  },
};
