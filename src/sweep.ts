/**
 * Removes the rooms of dead processes from the shared listing (Redis only).
 *
 * Colyseus checks for dead processes only at start-up and when a join into one of their
 * rooms times out, so a process killed without a goodbye (SIGKILL, crash, power loss)
 * leaves its rooms listed. Every `intervalMs` this sweep lists the processes that have
 * rooms in Redis and the presence channels (`p:<processId>`) that are subscribed; a process
 * whose channel has been gone for `confirmMs` gets Colyseus's health check (an IPC request
 * with a 2 s timeout), which removes its listings if it does not answer; unless it answers
 * directly at the address it published (high availability on, src/ha/probe.ts): then it
 * runs, cut off from Redis, and its rooms stay listed.
 *
 * Two guards keep a live process from being taken for dead: the channel must be missing in
 * sweeps `confirmMs` apart, and no sweep runs for `graceMs` after this process's own Redis
 * connection comes back, since after a Redis restart the other processes re-subscribe at
 * their own pace (found by test/chaos: without the guards, a live process lost its
 * listings in about 4 of 10 short Redis outages).
 */
import { matchMaker } from "@colyseus/core";
import type { Redis } from "ioredis";
import type { Logger } from "./logger.js";
import { answersDirectly, DEFAULT_PROBE_MS } from "./ha/probe.js";
import { publishedAddress } from "./ha/store.js";

export interface SweepOptions {
  intervalMs: number;
  /** How long a process's channel must stay missing before it is health-checked. @default 1500 */
  confirmMs?: number;
  /** No sweeping this long after our Redis connection is ready again. @default 3000 */
  graceMs?: number;
  /** A connection whose `ready` events mark reconnections (also where processes' addresses are read). */
  redis: Redis;
  /** How long a process missing from presence has to answer directly, when it published an address. @default 1000 */
  probeMs?: number;
  logger: Logger;
}

/** Starts the sweep; returns its stop function. */
export function startProcessSweep({ intervalMs, confirmMs = 1500, graceMs = 3000, redis, logger, probeMs = DEFAULT_PROBE_MS }: SweepOptions): () => void {
  const missingSince = new Map<string, number>();
  let quietUntil = 0;
  let running = false;

  const onReady = () => {
    quietUntil = Date.now() + graceMs;
    missingSince.clear();
  };
  redis.on("ready", onReady);

  const sweep = async () => {
    if (running || Date.now() < quietUntil || redis.status !== "ready") return;
    running = true;
    try {
      const [stats, channels] = await Promise.all([matchMaker.stats.fetchAll(), matchMaker.presence.channels("p:*")]);
      const alive = new Set(channels.map((c) => c.slice(2)));
      const now = Date.now();
      // Back in presence, or gone from the stats (removed by another process's sweep): forgotten.
      const listed = new Set(stats.map((s) => s.processId));
      for (const id of missingSince.keys()) if (alive.has(id) || !listed.has(id)) missingSince.delete(id);
      for (const { processId } of stats) {
        if (processId === matchMaker.processId || alive.has(processId)) continue;
        const since = missingSince.get(processId);
        if (since === undefined) {
          missingSince.set(processId, now);
        } else if (now - since >= confirmMs && now >= quietUntil) {
          missingSince.delete(processId);
          // A process that answers directly runs, only cut off from Redis (high availability
          // published its address): its rooms stay listed, its players may still be playing.
          const address = await publishedAddress(redis, processId).catch(() => null);
          if (await answersDirectly(address, processId, probeMs)) {
            logger.debug({ processId, address }, "process missing from presence answers directly: its rooms stay listed");
            continue;
          }
          const answered = await matchMaker.healthCheckProcessId(processId);
          if (!answered) logger.warn({ processId }, "process gone: its rooms were removed from the listing");
        }
      }
    } catch (err) {
      logger.debug({ err: (err as Error).message }, "process sweep failed");
    } finally {
      running = false;
    }
  };

  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    redis.off("ready", onReady);
  };
}
