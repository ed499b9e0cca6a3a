/**
 * A private Redis for the multi-process tests: `redis-server` on a free port of 127.0.0.1,
 * without persistence, stopped (and its data gone) by `stop()`. The machine's own Redis
 * (6379) is never used.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { killOnExit } from "./cluster.js";
import { freePort } from "./ports.js";

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` (or the REDIS_URL fallback, see below). */
  url: string;
  /** True when this is the REDIS_URL fallback: a database the tests do not own. */
  shared: boolean;
  /** Stops the private server (no-op for the fallback). */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
killOnExit(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function redisServerOnPath(): boolean {
  const probe = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return !probe.error;
}

/** Resolves once the server at `url` answers PING; rejects after `timeoutMs`. */
export async function waitForPing(url: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      if ((await redis.ping()) === "PONG") return;
    } catch (err) {
      lastError = err;
    } finally {
      redis.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis at ${url} did not answer PING within ${timeoutMs} ms: ${(lastError as Error)?.message ?? lastError}`);
}

/**
 * Starts `redis-server` on `port` of 127.0.0.1 without persistence (plus `extra` options);
 * resolves once it answers PING, with the process and a promise of its exit. It is
 * SIGKILLed when the tests end.
 */
async function spawnRedisServer(port: number, extra: string[]): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", ...extra, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => (running.delete(child), resolve())));
  try {
    await Promise.race([
      waitForPing(`redis://127.0.0.1:${port}`, 10000),
      exited.then(() => {
        throw new Error(`redis-server exited at start-up: ${output.trim()}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    throw err;
  }
  return { child, exited };
}

export async function startRedis(): Promise<TestRedis> {
  if (!redisServerOnPath()) {
    // Fallback: no redis-server binary here, but the caller pointed us at a Redis. It is a
    // database we do not own: never FLUSH it, and take a separate db index (15 unless the
    // URL names one) so the tests' keys (roomcaches, roomcount, ...) do not mix with real
    // ones. Pub/sub channels are shared across db indexes, so do not point this at a Redis
    // that live game servers use. Leftovers of one test may be seen by the next.
    const fallback = process.env.REDIS_URL;
    if (!fallback) throw new Error("redis-server is not on PATH and REDIS_URL is not set: cannot run the multi-process tests");
    const url = new URL(fallback);
    if (url.pathname === "" || url.pathname === "/") url.pathname = "/15";
    await waitForPing(url.toString());
    return { url: url.toString(), shared: true, stop: async () => undefined };
  }

  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const { child, exited } = await spawnRedisServer(port, []);

  return {
    url,
    shared: false,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL"); // no persistence: nothing to save
      await exited;
    },
  };
}

/**
 * A private redis-server for the calling suite (mocha's before and after hooks), and a client
 * with no offline queue, as the high-availability service's own connection (a command while
 * Redis is away fails at once). Read `client` and `redis` from inside the tests.
 */
export function suiteRedis(): { readonly client: Redis; readonly redis: TestRedis } {
  const suite = {} as { client: Redis; redis: TestRedis };
  before(async () => {
    suite.redis = await startRedis();
    suite.client = new Redis(suite.redis.url, { enableOfflineQueue: false, lazyConnect: true });
    await suite.client.connect();
  });
  after(async () => {
    suite.client?.disconnect();
    await suite.redis?.stop();
  });
  return suite;
}

/**
 * A private redis-server that can be stopped and started again on the same port, for the
 * outage tests and the chaos scenarios. No automatic snapshots (`--save ""`), no AOF: the
 * data survives a restart only through {@link RestartableRedis.shutdownSave}, which writes
 * the data file into the server's own temp folder (never into the repository).
 */
export interface RestartableRedis {
  port: number;
  url: string;
  /** The temp folder holding the data file between a stop and a start. */
  dir: string;
  readonly running: boolean;
  /** `SHUTDOWN SAVE`: writes the data file, then the server exits; the next start loads it. Resolves once it has exited. */
  shutdownSave(): Promise<void>;
  /** SIGTERM with nothing saved: the next start is empty, as after a restart without persistence. */
  stopEmpty(): Promise<void>;
  /** Starts redis-server again on the same port and folder; resolves when it answers PING. */
  restart(): Promise<void>;
  /** SIGKILLs the server (if running) and removes the folder. */
  destroy(): Promise<void>;
}

const restartableDirs = new Set<string>();
killOnExit(() => {
  for (const dir of restartableDirs) rmSync(dir, { recursive: true, force: true });
});

/** Rejects if `promise` does not settle within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function startRestartableRedis(): Promise<RestartableRedis> {
  if (!redisServerOnPath()) {
    throw new Error("these tests need redis-server on PATH (they stop and restart their own Redis; a shared one will not do)");
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), "test-redis-"));
  const dump = path.join(dir, "dump.rdb");
  restartableDirs.add(dir);
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function spawnRedis() {
    ({ child, exited } = await spawnRedisServer(port, ["--dir", dir, "--dbfilename", "dump.rdb"]));
  }

  const destroy = async () => {
    if (isRunning()) {
      child!.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    restartableDirs.delete(dir);
  };
  try {
    await spawnRedis();
  } catch (err) {
    await destroy();
    throw err;
  }

  return {
    port,
    url,
    dir,
    get running() {
      return isRunning();
    },
    async shutdownSave() {
      if (!isRunning()) return;
      const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      admin.on("error", () => undefined);
      try {
        await admin.connect();
        await admin.call("SHUTDOWN", "SAVE").catch(() => undefined); // the server closes the connection instead of answering
      } finally {
        admin.disconnect();
      }
      await within(exited, 10000, "redis-server exit after SHUTDOWN SAVE");
      if (!existsSync(dump)) throw new Error("SHUTDOWN SAVE wrote no data file");
    },
    async stopEmpty() {
      if (!isRunning()) return;
      child!.kill("SIGTERM"); // --save "": exits at once, nothing saved
      await within(exited, 10000, "redis-server exit after SIGTERM");
      rmSync(dump, { force: true });
    },
    async restart() {
      if (isRunning()) throw new Error("redis-server is still running");
      await spawnRedis();
    },
    destroy,
  };
}
