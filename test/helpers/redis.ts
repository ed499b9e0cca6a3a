/**
 * A private Redis for the multi-process tests: `redis-server` on a free port of 127.0.0.1,
 * without persistence, stopped (and its data gone) by `stop()`. The machine's own Redis
 * (6379) is never used.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
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
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  void exited.then(() => running.delete(child));

  const url = `redis://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForPing(url),
      exited.then(() => {
        throw new Error(`redis-server exited at start-up: ${output.trim()}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGKILL");
    await exited;
    throw err;
  }

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
