/**
 * One in-process game server for the room tests (Colyseus's matchmaker is a process-wide
 * singleton, so a mocha process hosts one). Booted on first use, bound to 127.0.0.1 on a
 * free port, with short delays so tests do not wait seconds. Its dice and draws are seeded
 * (`TEST_RNG_SEED`, default 1234): a test that passes only for some first movers shows up
 * when the suite is run with other seeds.
 */
import { Writable } from "node:stream";
import { ColyseusTestServer } from "@colyseus/testing";
import pino from "pino";
import { createServer } from "../../src/app.config.js";
import { createLogger } from "../../src/logger.js";
import { readEnv, type Env } from "../../src/settings.js";
import { seededRng } from "../../src/rules/rng.js";
import { LIFTED_LIMITS } from "./limits.js";
import { freePort } from "./ports.js";
import { startRedis, type TestRedis } from "./redis.js";

/** Timings the room tests rely on. */
export const TEST_ENV = {
  RECONNECT_SECONDS: "2",
  SEAT_RESERVATION_SECONDS: "2",
  DRAIN_SECONDS: "0",
  ALLOWED_ORIGINS: "http://games.test",
  BUST_DELAY_MS: "150",
  BOT_DELAY_MS: "20",
  GAME_OVER_DELAY_MS: "200",
  MESSAGES_PER_SECOND: "50",
  MESSAGE_BURST: "50",
  FLOOD_DISCONNECT_AFTER: "100",
  // Not the default (1000), so the room tests show the setting reaches the rooms.
  SILENT_PROBE_MS: "600",
  ...LIFTED_LIMITS,
  MAX_CONNECTIONS_PER_IP: "24", // attacked by test/rooms/defences
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "debug",
} as const;

/**
 * The test server's log lines, parsed, oldest first (the last 20,000): room tests assert what
 * an operator would read. With `TEST_LOG_LEVEL` set, lines go to stdout instead, at that level.
 */
export const serverLogs: Array<Record<string, any>> = [];
const MAX_LOG_LINES = 20_000;
const memoryLog = new Writable({
  write(chunk: Buffer | string, _encoding, done) {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      serverLogs.push(JSON.parse(line) as Record<string, any>);
      linesWritten++;
    }
    if (serverLogs.length > MAX_LOG_LINES) serverLogs.splice(0, serverLogs.length - MAX_LOG_LINES);
    done();
  },
});

/** Lines logged since the server started, kept or not. */
let linesWritten = 0;

/** A mark for {@link logsSince}: how many lines were logged so far. */
export const logMark = () => linesWritten;

/**
 * The lines logged since `mark` ({@link logMark}), of those still kept. Not an index into
 * `serverLogs`, which drops its oldest lines once full, and may hold lines of earlier runs
 * of the same test (a mutation runner's worker runs a test many times).
 */
export function logsSince(mark: number): Array<Record<string, any>> {
  const first = linesWritten - serverLogs.length;
  return serverLogs.slice(Math.max(0, mark - first));
}

let booted: Promise<{ colyseus: ColyseusTestServer; env: Env; port: number; redis?: TestRedis }> | undefined;

/**
 * With `TEST_PRESENCE=redis` the same room suite runs on Redis presence and driver, against
 * a private redis-server (never a shared database: the test harness clears the driver).
 */
const onRedis = process.env.TEST_PRESENCE === "redis";

export function testServer() {
  booted ??= (async () => {
    let redis: TestRedis | undefined;
    if (onRedis) {
      redis = await startRedis();
      if (redis.shared) throw new Error("TEST_PRESENCE=redis needs redis-server installed: the room tests clear the driver and must not touch a shared Redis");
      console.log(`    (room suite on Redis presence and driver: ${redis.url})`);
    }
    const env = readEnv({ ...process.env, ...TEST_ENV, ...(redis ? { REDIS_URL: redis.url } : {}) });
    const logger = process.env.TEST_LOG_LEVEL ? createLogger(env.LOG_LEVEL) : pino({ level: env.LOG_LEVEL, base: { pid: process.pid } }, memoryLog);
    const port = await freePort();
    const server = createServer({ env, logger, rng: seededRng(Number(process.env.TEST_RNG_SEED ?? 1234)) }, port);
    await server.listen(port, "127.0.0.1");
    return { colyseus: new ColyseusTestServer(server), env, port, redis };
  })();
  return booted;
}

/** Shuts the shared server down if a test booted it (root hook, after all tests). */
export async function stopTestServer() {
  if (!booted) return;
  const { colyseus, redis } = await booted;
  booted = undefined;
  await colyseus.shutdown();
  await redis?.stop();
}

export const mochaHooks = {
  async afterAll() {
    await stopTestServer();
  },
};

/** The captured log lines of room `roomId` (see {@link serverLogs}). */
export function roomLogs(roomId: string): Array<Record<string, any>> {
  return serverLogs.filter((l) => l.roomId === roomId);
}

/** The first captured line of room `roomId` with message `msg`, or a failure naming what was logged instead. */
export function roomLog(roomId: string, msg: string): Record<string, any> {
  const line = roomLogs(roomId).find((l) => l.msg === msg);
  if (!line) throw new Error(`room ${roomId} logged no "${msg}" line; it logged: ${roomLogs(roomId).map((l) => l.msg).join(" | ")}`);
  return line;
}
