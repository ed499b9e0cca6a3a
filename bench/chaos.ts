/**
 * Chaos under load (`npm run chaos`): two server processes on a private redis-server,
 * N TicTacToe matches played by SDK clients, then
 *   1. SIGKILL of process B: A's games must go on (moves in every 500 ms window, no error
 *      or disconnect), and B's rooms must leave A's listing within the bound;
 *   2. (fresh processes and Redis) Redis stopped with SHUTDOWN SAVE for the outage, then
 *      started again on the same port: games must go on during the outage, /health must be
 *      503 then 200, and a joinOrCreate through A and through B must succeed within the
 *      recovery bound after Redis answers again; no live process may be taken for dead;
 *   3. the same with a short outage (a quick restart), which reconnects differently: ioredis
 *      still holds the commands queued during the outage and runs them at once.
 *   4. failover (issue 10): (fresh processes and Redis, SNAPSHOTS=on, the default HA and
 *      sweep settings, RECONNECT_SECONDS=60) SIGKILL of the process holding more matches,
 *      mid-game; every player comes back by itself with reconnect(token) through the
 *      survivor: 100 % of them must resume, with 0 state differences, p99 from the kill to
 *      a player back ≤ 8 s, then every resumed match finishes a game and the survivor's own
 *      games go on throughout (test/chaos/failover.ts);
 *   5. the abuse soak (issue 18): one process at its default limits under every attack at
 *      once (thousands of held rooms, hundreds of lobby sockets, frame floods, reservation
 *      holding from many loopback addresses); /health, the event-loop lag and honest moves
 *      must stay fast, and recovery must be immediate (test/chaos/abuse-soak.ts).
 * Prints the figures; exits 1 when a bound is missed, 2 when the run itself failed or
 * overran. Traffic only to 127.0.0.x. The scenarios live in test/chaos/.
 *
 *   npm run chaos                                  (100 matches, 10 s and 3 s outages, soak at full size)
 *   npm run chaos -- --matches=40 --outage-ms=5000 --short-outage-ms=2000
 *   npm run chaos -- --only=redis                  (steps 1–3)
 *   npm run chaos -- --only=failover --matches=100 (step 4)
 *   npm run chaos -- --only=abuse --rooms=3000 --lobby-sockets=600 --attack-ms=30000
 */
import {
  formatRedisRestart,
  formatSigkill,
  HEALTH_DOWN_BOUND_MS,
  LISTING_REMOVAL_BOUND_MS,
  RECOVERY_BOUND_MS,
  redisRestartScenario,
  sigkillScenario,
  WINDOW_MS,
} from "../test/chaos/chaos.js";
import { abuseSoakScenario, formatAbuseSoak, SOAK_BOUNDS } from "../test/chaos/abuse-soak.js";
import { failoverScenario, FAILOVER_P99_BOUND_MS, formatFailover } from "../test/chaos/failover.js";

function arg(name: string, fallback: number): number {
  const found = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  if (!found) return fallback;
  const value = Number(found.slice(name.length + 3));
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
  return value;
}

const MATCHES = arg("matches", 100);
const ONLY = process.argv.slice(2).find((a) => a.startsWith("--only="))?.slice(7);
if (ONLY !== undefined && !["redis", "failover", "abuse"].includes(ONLY)) {
  console.error("--only must be redis, failover or abuse");
  process.exit(2);
}
const ROOMS = arg("rooms", 3000);
const LOBBY_SOCKETS = arg("lobby-sockets", 600);
const ATTACK_MS = arg("attack-ms", 30000);
const OUTAGE_MS = arg("outage-ms", 10000);
const SHORT_OUTAGE_MS = arg("short-outage-ms", 3000);
/** Think time per move / rematch: ~45 ms on average, so 100 matches make ~2000 moves/s in all. */
const THINK_MS: [number, number] = [15, 75];
/**
 * Think time in the failover scenario: a human pace (~550 ms on average), so that the
 * TicTacToe games (9 cells at most) are mid-play at the kill, and play on after it.
 */
const FAILOVER_THINK_MS: [number, number] = [300, 800];
/** The whole run must end by itself within this (then everything is killed, exit 2). */
const OVERALL_LIMIT_MS = 450000;

const log = (line: string) => console.log(`  · ${line}`);

async function main(): Promise<number> {
  const startedAt = Date.now();
  if (!ONLY || ONLY === "redis") console.log(`chaos: ${MATCHES} TicTacToe matches over two processes on Redis, think time ${THINK_MS[0]}–${THINK_MS[1]} ms, Redis outages ${OUTAGE_MS} ms and ${SHORT_OUTAGE_MS} ms`);
  if (!ONLY || ONLY === "redis") console.log(
    `bounds: a move in every ${WINDOW_MS} ms window on the surviving processes; dead process's rooms unlisted ≤ ${LISTING_REMOVAL_BOUND_MS} ms; ` +
      `/health 503 ≤ ${HEALTH_DOWN_BOUND_MS} ms into the outage; /health 200 and joinOrCreate via A and B ≤ ${RECOVERY_BOUND_MS} ms after Redis is back; no error, disconnect or stall (> 2 s)`,
  );

  const results: { label: string; failures: string[] }[] = [];
  if (!ONLY || ONLY === "redis") {
    console.log("\n[1/5] SIGKILL B under load");
    const sigkill = await sigkillScenario({ matches: MATCHES, thinkMs: THINK_MS, warmupMs: 3000, log });
    console.log(formatSigkill(sigkill).join("\n"));
    results.push({ label: "SIGKILL", failures: sigkill.failures });

    console.log(`\n[2/5] restart Redis under load (${OUTAGE_MS / 1000} s down)`);
    const restart = await redisRestartScenario({ matches: MATCHES, thinkMs: THINK_MS, warmupMs: 3000, outageMs: OUTAGE_MS, afterMs: 8000, log });
    console.log(formatRedisRestart(restart).join("\n"));
    results.push({ label: `Redis restart (${OUTAGE_MS} ms)`, failures: restart.failures });

    console.log(`\n[3/5] quick restart of Redis under load (${SHORT_OUTAGE_MS / 1000} s down)`);
    const quick = await redisRestartScenario({ matches: MATCHES, thinkMs: THINK_MS, warmupMs: 2000, outageMs: SHORT_OUTAGE_MS, afterMs: 6000, log });
    console.log(formatRedisRestart(quick).join("\n"));
    results.push({ label: `Redis restart (${SHORT_OUTAGE_MS} ms)`, failures: quick.failures });
  }
  if (!ONLY || ONLY === "failover") {
    console.log(
      `\n[4/5] failover: ${MATCHES} TicTacToe matches over two processes on Redis with snapshots on (default HA and sweep settings, RECONNECT_SECONDS=60), think time ${FAILOVER_THINK_MS[0]}–${FAILOVER_THINK_MS[1]} ms; SIGKILL of the process holding more of them` +
        ` (bounds: 100 % of its players resumed through the survivor, 0 state differences, kill → player back p99 ≤ ${FAILOVER_P99_BOUND_MS} ms, every resumed match finishes a game, the survivor's games go on)`,
    );
    const failover = await failoverScenario({ matches: MATCHES, thinkMs: FAILOVER_THINK_MS, warmupMs: 4000, log });
    console.log(formatFailover(failover).join("\n"));
    results.push({ label: "failover", failures: failover.failures });
  }
  if (!ONLY || ONLY === "abuse") {
    console.log(
      `\n[5/5] abuse soak: ${ROOMS} held rooms, ${LOBBY_SOCKETS} lobby sockets, frame floods and reservation holding from 50 loopback addresses (2 requests/s each) for ${ATTACK_MS / 1000} s` +
        ` (bounds: /health < ${SOAK_BOUNDS.healthMs} ms, lag p99 < ${SOAK_BOUNDS.lagP99Ms} ms, honest moves p99 < ${SOAK_BOUNDS.honestP99Ms} ms, recovery ≤ ${SOAK_BOUNDS.recoveryMs} ms)`,
    );
    const soak = await abuseSoakScenario({ rooms: ROOMS, lobbySockets: LOBBY_SOCKETS, floodSockets: 10, holders: 50, holderRequestsPerSecond: 2, attackMs: ATTACK_MS, honestGames: 4, log });
    console.log(formatAbuseSoak(soak).join("\n"));
    results.push({ label: "abuse soak", failures: soak.failures });
  }

  const failures = results.flatMap((r) => r.failures.map((f) => `${r.label}: ${f}`));
  console.log(`\n${failures.length ? `FAILED (${failures.length}):\n  ${failures.join("\n  ")}` : "PASSED: every bound met"} — ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  return failures.length ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`chaos: still running after ${OVERALL_LIMIT_MS / 1000} s; stopping (servers and Redis are killed on exit)`);
  process.exit(2);
}, OVERALL_LIMIT_MS);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
