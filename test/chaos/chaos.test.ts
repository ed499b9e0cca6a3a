/**
 * Chaos, the fast version (the full one is `npm run chaos`, bench/chaos.ts): two server
 * processes on a private Redis under a load of TicTacToe matches, then
 *  1. SIGKILL of process B: A's games go on, B's rooms leave the listing;
 *  2. a Redis restart: games go on during the outage, both processes recover.
 * The scenarios, their bounds and their figures are in test/chaos/chaos.ts.
 */
import assert from "node:assert/strict";
import {
  formatRedisRestart,
  formatSigkill,
  HEALTH_DOWN_BOUND_MS,
  LISTING_REMOVAL_BOUND_MS,
  RECOVERY_BOUND_MS,
  redisRestartScenario,
  sigkillScenario,
} from "./chaos.js";

const MATCHES = 10;
const OUTAGE_MS = 3000;
/**
 * Load after Redis is back: long enough to see a false "dead process" sweep, which lands
 * one IPC timeout (2 s) plus a sweep tick after the reconnection.
 */
const AFTER_MS = 3500;
const print = (lines: string[]) => console.log(lines.map((l) => `      ${l}`).join("\n"));

describe("Chaos: two processes on Redis under load", function () {
  this.timeout(45000);

  it(`SIGKILL of one process: the other's games go on, the killed one's rooms leave the listing within ${LISTING_REMOVAL_BOUND_MS} ms`, async () => {
    const report = await sigkillScenario({ matches: MATCHES, thinkMs: [5, 30], warmupMs: 1500 });
    print(formatSigkill(report));
    assert.deepEqual(report.failures, [], report.failures.join("\n"));
    assert.ok(report.matchesOnA > 0 && report.matchesOnB > 0);
    assert.ok(report.windowsA.length >= 6, "A was watched for at least 3 s after the kill");
    assert.ok(report.windowsA.every((n) => n > 0), "moves on A in every window after the kill");
    assert.ok(report.listingRemovalMs !== null && report.listingRemovalMs < LISTING_REMOVAL_BOUND_MS);
    assert.equal(report.issues.length, 0);
  });

  it(`Redis restart (${OUTAGE_MS / 1000} s down): games go on, /health is 503 then 200, new joins work within ${RECOVERY_BOUND_MS} ms of Redis being back`, async () => {
    const report = await redisRestartScenario({ matches: MATCHES, thinkMs: [5, 30], warmupMs: 1500, outageMs: OUTAGE_MS, afterMs: AFTER_MS });
    print(formatRedisRestart(report));
    assert.deepEqual(report.failures, [], report.failures.join("\n"));
    for (const w of [report.windowsDuring.A, report.windowsDuring.B]) {
      assert.ok(w.length >= Math.floor(OUTAGE_MS / 500) - 1, "the outage was watched window by window");
      assert.ok(w.every((n) => n > 0), "moves in every window of the outage");
    }
    assert.ok(report.health503Ms.A !== null && report.health503Ms.A <= HEALTH_DOWN_BOUND_MS);
    assert.ok(report.health503Ms.B !== null && report.health503Ms.B <= HEALTH_DOWN_BOUND_MS);
    assert.ok(report.recoveryMs !== null && report.recoveryMs <= RECOVERY_BOUND_MS);
    assert.ok(report.recoveredMatchMoves > 0, "the matches joined after recovery play");
    assert.deepEqual(report.listingMissingAtEnd, { A: 0, B: 0 }, "rooms from before the outage are still listed (Redis saved its data)");
    assert.equal(report.issues.length, 0);
  });
});
