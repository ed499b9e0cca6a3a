/**
 * The dead-process sweep (src/sweep.ts) on the paths the SIGKILL tests of
 * test/scaling/multi-process.test.ts and test/chaos do not take. Two real server processes,
 * A and B, share a private, restartable Redis (test/helpers/redis.ts `startRestartableRedis`, which
 * keeps its data over a restart); everything is observed from outside: A's GET /api/rooms
 * and /health, A's log lines, and Redis.
 *
 *  1. B stalled (SIGSTOP for longer than confirmation + health check, then SIGCONT) is not
 *     taken for dead: its presence channel stays subscribed, so it is never health-checked.
 *  2. The sweep's Redis read fails (PUBSUB CHANNELS denied by an ACL): A logs
 *     "process sweep failed" (debug), stays up, removes nothing, keeps sweeping; once the
 *     read works again, B (SIGKILLed meanwhile) is swept.
 *  3. Redis restarted (SHUTDOWN SAVE, start) just after B was SIGKILLed: A stays up during
 *     the outage, and B's rooms leave the listing after Redis is back, but not before A's
 *     grace period, a fresh confirmation and the health check have all passed.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { RoomEntry } from "../../src/rooms/listing.js";
import { startRestartableRedis as startChaosRedis, type RestartableRedis as ChaosRedis } from "../helpers/redis.js";
import { startServers, stopAllServers, type ServerProcess } from "../helpers/cluster.js";

/** src/sweep.ts defaults (app.config.ts passes neither) and Colyseus's IPC timeout of a health check. */
const CONFIRM_MS = 1500;
const GRACE_MS = 3000;
const IPC_TIMEOUT_MS = 2000;
const SWEEP_MS = 500;

/** The log lines of src/sweep.ts. */
const GONE = "process gone: its rooms were removed from the listing";
const FAILED = "process sweep failed";

const SERVER_ENV = {
  PROCESS_SWEEP_MS: String(SWEEP_MS),
  // The sweep alone (what a deployment without snapshots gets): with snapshots on, a
  // survivor restores a dead process's rooms instead (test/scaling/failover.test.ts).
  SNAPSHOTS: "off",
  LOG_LEVEL: "debug", // "process sweep failed" is a debug line
  LISTING_REFRESH_MS: "100",
  LOBBY_THROTTLE_MS: "50",
  PING_INTERVAL_MS: "0", // a stalled B must not drop its players on SIGCONT for missed pings
  SEAT_RESERVATION_SECONDS: "5",
  DRAIN_SECONDS: "1",
};

/**
 * Longer than the sweep needs to take a process whose channel is missing for dead:
 * a tick to notice, the confirmation, the health check's IPC timeout, plus a margin.
 */
const WOULD_BE_SWEPT_MS = SWEEP_MS + CONFIRM_MS + IPC_TIMEOUT_MS + 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined/false; throws after `timeoutMs`. */
async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, what: string, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(everyMs);
  }
}

async function listed(p: ServerProcess): Promise<string[]> {
  const res = await fetch(`${p.url}/api/rooms?include=all`, { signal: AbortSignal.timeout(3000) });
  assert.equal(res.status, 200, `GET ${p.url}/api/rooms`);
  return ((await res.json()) as RoomEntry[]).map((e) => e.roomId);
}

/** /health's status code, or 0 when the process does not answer within a second. */
async function health(p: ServerProcess): Promise<number> {
  try {
    const res = await fetch(`${p.url}/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

const goneLines = (p: ServerProcess, processId: string) => p.logs().filter((l) => l.msg === GONE && l.processId === processId);

interface Reservation {
  roomId: string;
  processId: string;
  publicAddress?: string;
}

interface Cluster {
  redis: ChaosRedis;
  admin: Redis;
  A: ServerProcess;
  B: ServerProcess;
  /** One TicTacToe room on each process, a waiting player in each. */
  onA: string;
  onB: string;
  pidB: string;
  players: SdkRoom[];
  /** When A logged that it listens: its Redis connection was ready by then. */
  listeningAt: number;
}

async function startCluster(): Promise<Cluster> {
  const redis = await startChaosRedis();
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  admin.on("error", () => undefined);
  const [A, B] = (await startServers(2, { redisUrl: redis.url, env: SERVER_ENV })) as [ServerProcess, ServerProcess];
  const listeningAt = Number(A.logs().find((l) => typeof l.msg === "string" && l.msg.startsWith("game server listening"))?.time);
  assert.ok(Number.isFinite(listeningAt), "A's listening line has a time");

  // New rooms go to the process with the fewest rooms (Redis `roomcount`, persisted at most
  // once a second): create through A, a player in each, until each process holds one.
  const players: SdkRoom[] = [];
  const placed = new Map<number, Reservation>();
  const made = new Map<string, number>();
  for (let attempt = 1; attempt <= 8 && placed.size < 2; attempt++) {
    const res = await fetch(`${A.url}/matchmake/create/tictactoe`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 200, `create through A: ${res.status}`);
    const r = (await res.json()) as Reservation;
    const room = await new Client(A.url).consumeSeatReservation(r as any);
    room.reconnection.enabled = false; // B's player would otherwise retry B for a minute after its SIGKILL
    players.push(room);
    const port = Number(/:(\d+)$/.exec(r.publicAddress ?? "")?.[1]);
    if (!placed.has(port)) placed.set(port, r);
    const n = (made.get(r.processId) ?? 0) + 1;
    made.set(r.processId, n);
    // its lobby room + the rooms made here
    await waitFor(async () => Number((await admin.hget("roomcount", r.processId))?.split(",")[0] ?? 0) >= n + 1, "roomcount", 2500, 25).catch(() => undefined);
  }
  const a = placed.get(A.port);
  const b = placed.get(B.port);
  assert.ok(a && b, "a room landed on each process");
  const cluster = { redis, admin, A, B, onA: a.roomId, onB: b.roomId, pidB: b.processId, players, listeningAt };
  await waitFor(async () => {
    const ids = await listed(A);
    return ids.includes(cluster.onA) && ids.includes(cluster.onB);
  }, "A lists both rooms", 3000);
  return cluster;
}

/** A cluster started before the enclosing suite and stopped after it; call the result for it. */
function clusterPerSuite(): () => Cluster {
  let c: Cluster | undefined;
  before(async function () {
    this.timeout(30000);
    c = await startCluster();
  });
  after(async function () {
    this.timeout(20000);
    await stopCluster(c);
  });
  return () => c!;
}

/** Stops the servers with SIGTERM where they can (so c8 gets their coverage), then the rest. */
async function stopCluster(c: Cluster | undefined) {
  if (!c) return;
  for (const room of c.players) {
    room.reconnection.enabled = false;
    room.removeAllListeners();
    if (room.connection?.isOpen) room.connection.close();
  }
  for (const p of [c.A, c.B]) {
    p.kill("SIGCONT");
    p.kill("SIGTERM");
  }
  await Promise.all([c.A, c.B].map((p) => p.waitForExit(6000).catch(() => undefined)));
  await stopAllServers();
  c.admin.disconnect();
  await c.redis.destroy();
}

describe("The dead-process sweep (src/sweep.ts)", function () {
  this.timeout(25000);

  describe("a stalled process, then a failing sweep read", () => {
    const cluster = clusterPerSuite();

    it("a process stalled (SIGSTOP) longer than confirmation + health check is not swept: its rooms stay listed, it resumes on SIGCONT", async () => {
      const { A, B, onA, onB, pidB, admin, players } = cluster();
      // A's sweep does nothing for GRACE_MS after its Redis connection is ready (before it
      // listened): stall B only once A's sweep is running.
      await sleep(Math.max(0, cluster().listeningAt + GRACE_MS + SWEEP_MS - Date.now()));

      B.kill("SIGSTOP");
      const missed: string[] = [];
      try {
        const stalledAt = Date.now();
        while (Date.now() - stalledAt < WOULD_BE_SWEPT_MS) {
          const ids = await listed(A);
          if (!ids.includes(onB)) missed.push(`${Date.now() - stalledAt} ms into the stall`);
          await sleep(200);
        }
      } finally {
        B.kill("SIGCONT");
      }
      assert.deepEqual(missed, [], "B's room stays in A's listing while B is stalled");

      await waitFor(async () => (await health(B)) === 200, "B answers /health after SIGCONT", 3000);
      const ids = await listed(A);
      assert.ok(ids.includes(onA) && ids.includes(onB), "both rooms listed after the stall");
      assert.deepEqual(goneLines(A, pidB), [], "A never logged B as gone");
      assert.equal(await admin.exists(`swept:${pidB}`), 0, "no swept receipt for B in Redis");
      assert.ok(players.every((r) => r.connection.isOpen), "the waiting players stayed connected");
      assert.equal(B.exited, false);
    });

    it("a failing sweep read is logged, keeps A up, removes nothing, and the sweep recovers: B killed meanwhile is swept once the read works", async function () {
      this.timeout(30000);
      const { A, B, onA, onB, pidB, admin } = cluster();
      const deniedAt = Date.now();
      // Only the sweep (and Colyseus at start-up) reads PUBSUB CHANNELS: deny it to everyone.
      await admin.call("ACL", "SETUSER", "default", "-pubsub|channels");
      try {
        const failure = await waitFor(() => A.logs().find((l) => l.msg === FAILED && l.time >= deniedAt), `A logs "${FAILED}"`, GRACE_MS + 2000);
        assert.match(String(failure.err), /NOPERM/, "the log line carries Redis's error");

        B.kill("SIGKILL");
        const killedAt = Date.now();
        assert.equal((await B.waitForExit(5000)).signal, "SIGKILL");
        const failuresBefore = A.logs().filter((l) => l.msg === FAILED).length;
        const missed: string[] = [];
        while (Date.now() - killedAt < WOULD_BE_SWEPT_MS) {
          const ids = await listed(A);
          if (!ids.includes(onB) || !ids.includes(onA)) missed.push(`${Date.now() - killedAt} ms after the kill: ${ids.join(",")}`);
          assert.equal(await health(A), 200, "A answers /health while its sweep fails");
          await sleep(200);
        }
        assert.deepEqual(missed, [], "nothing leaves the listing while the sweep cannot tell live processes from dead ones");
        const failuresDuring = A.logs().filter((l) => l.msg === FAILED).length - failuresBefore;
        assert.ok(failuresDuring >= 3, `the sweep kept trying (${failuresDuring} failures logged in ${WOULD_BE_SWEPT_MS} ms)`);
        assert.deepEqual(goneLines(A, pidB), []);
      } finally {
        await admin.call("ACL", "SETUSER", "default", "+pubsub|channels");
      }

      const restoredAt = Date.now();
      await waitFor(async () => !(await listed(A)).includes(onB), "B's room leaves A's listing after the read works again", WOULD_BE_SWEPT_MS + 2000);
      console.log(`      after the read works again, B's room left the listing in ${Date.now() - restoredAt} ms`);
      assert.ok((await listed(A)).includes(onA), "A's own room is still listed");
      // Logs are written asynchronously: the line may trail the listing change.
      await waitFor(async () => goneLines(A, pidB).length > 0, `A's "${GONE}" line for B`, 2000);
      assert.equal(goneLines(A, pidB).length, 1, `A logged "${GONE}" for B once`);
      assert.equal(await health(A), 200);
      // Still in service: an error escaping the sweep would have reached Colyseus's
      // uncaught-exception handler (stack on stderr, graceful shutdown: matchmaking 503).
      const create = await fetch(`${A.url}/matchmake/create/tictactoe`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      await create.body?.cancel();
      assert.equal(create.status, 200, "A still creates games");
      assert.doesNotMatch(A.stderr(), /NOPERM/, "the failure stayed inside the sweep");
      assert.equal(A.exited, false);
    });
  });

  describe("a Redis restart", () => {
    const cluster = clusterPerSuite();

    it("B killed just before Redis restarts: A stays up through the outage, then B's rooms are unlisted, after grace + confirmation + health check", async function () {
      this.timeout(30000);
      const { A, B, onA, onB, pidB, redis, players } = cluster();
      await sleep(Math.max(0, cluster().listeningAt + GRACE_MS + SWEEP_MS - Date.now()));

      // Kill B, let A's sweep notice its channel missing (a tick), and stop Redis before the
      // confirmation (CONFIRM_MS) could send the health check.
      B.kill("SIGKILL");
      await sleep(SWEEP_MS + 200);
      await redis.shutdownSave();

      // During the outage A answers (its /health says 503: Redis is down) and keeps running.
      await waitFor(async () => (await health(A)) === 503, "A's /health answers 503 during the outage", 2000);
      const downAt = Date.now();
      while (Date.now() - downAt < 1500) {
        assert.equal(await health(A), 503, "A answers /health throughout the outage");
        await sleep(200);
      }
      assert.equal(A.exited, false, "A is up after the outage");
      assert.deepEqual(goneLines(A, pidB), [], "nothing swept while Redis was down");

      await redis.restart();
      const backAt = Date.now();
      await waitFor(async () => !(await listed(A)).includes(onB), "B's room leaves A's listing after Redis is back", GRACE_MS + CONFIRM_MS + IPC_TIMEOUT_MS + 4000);
      const unlistedMs = Date.now() - backAt;
      console.log(`      B's room left the listing ${unlistedMs} ms after Redis was back`);

      // Logs are written asynchronously: the line may trail the listing change.
      const gone = await waitFor(() => goneLines(A, pidB)[0], `A's "${GONE}" line for B`, 2000);
      // Lower bound: after A's Redis connection is ready (>= backAt) the sweep is quiet for
      // GRACE_MS and forgets what it saw before the outage, so B is confirmed anew
      // (CONFIRM_MS) and then gets the health check (IPC_TIMEOUT_MS). (Only a sweep read
      // already in flight when Redis went down, answered after the reconnection, could
      // start the confirmation inside the grace period: a ~1 ms read every 500 ms.)
      const sweptAfter = gone.time - backAt;
      assert.ok(sweptAfter >= GRACE_MS + CONFIRM_MS + IPC_TIMEOUT_MS, `B swept ${sweptAfter} ms after Redis was back: sooner than grace + confirmation + health check`);
      assert.equal(goneLines(A, pidB).length, 1, "logged once");
      assert.ok((await listed(A)).includes(onA), "A's own room (from before the outage) is still listed");
      assert.equal(await health(A), 200, "A is healthy again");
      assert.ok(players.find((r) => r.roomId === onA)?.connection.isOpen, "the player waiting in A's room is still connected");
      assert.equal((await B.waitForExit(1000)).signal, "SIGKILL");
    });
  });
});
