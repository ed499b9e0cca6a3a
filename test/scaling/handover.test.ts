/**
 * A planned restart with high availability (README "High availability", "Graceful
 * shutdown"): real server processes on a private redis-server. A process told to stop
 * (SIGTERM) lets its running games go on for DRAIN_SECONDS; a game still running then is
 * handed over to another process instead of being cut off: its players are closed with 4412,
 * the process exits, and a survivor takes the room over at once. A draining process takes no
 * rooms over and is handed none, so when every process stops, games are cut off as before.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { CLOSE_ROOM_MOVED } from "../../src/protocol/errors.js";
import type { ServerProcess } from "../helpers/cluster.js";
import { FAILOVER_ENV, failoverSuite, ownerOf, resume, snapshotOf, tttPair, type Seated } from "../helpers/failover.js";
import { tttMove } from "../helpers/rooms.js";

/** The close code of a room closed for a shutdown (Colyseus CloseCode.SERVER_SHUTDOWN). */
const SHUTDOWN_CLOSE = 4001;

describe("High availability: a stopped process hands its running games over (planned restarts)", function () {
  this.timeout(60000);
  // A process that dies is taken over only 8 s after its last heartbeat: a game back sooner
  // was handed over by a process that released itself, not found by the crash path.
  const DEAD_AFTER_MS = 8000;
  const suite = failoverSuite({ ...FAILOVER_ENV, DRAIN_SECONDS: "1", HA_DEAD_AFTER_MS: String(DEAD_AFTER_MS) });
  const { start, join, sameStateOnceAllBack } = suite;

  /** Two seated TicTacToe players in a new room created through `via` (the matchmaker picks its process: `owner`), two moves made; `first` holds (0,0), `second` (1,0). */
  async function gameOn(via: ServerProcess) {
    const pair = await tttPair(suite, via);
    await tttMove(pair.first, [pair.first, pair.second], 0, 0);
    await tttMove(pair.second, [pair.first, pair.second], 1, 0);
    return pair;
  }

  const closedWith = async (players: Seated<Ttt>[], code: number) => {
    for (const p of players) {
      await p.until(() => p.left !== undefined, "its connection closed", 10000);
      assert.equal(p.left, code);
    }
  };

  it("SIGTERM of the owner with a game still running when its drain ends: the game is handed over, not cut off; both players resume on the other process with identical state and finish it, and the owner exits cleanly", async () => {
    await start(2);
    const { first, second, roomId, owner: A } = await gameOn(suite.processes[0]!);
    const B = suite.processes.find((p) => p !== A)!;
    const before = [first, second].map(snapshotOf);
    const tokens = [first, second].map((p) => p.token());

    A.kill("SIGTERM");
    await closedWith([first, second], CLOSE_ROOM_MOVED);
    const closedAt = Date.now();
    const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, B!)));
    const resumed = back.map((r) => r.player);
    suite.track(...resumed);
    const backMs = Date.now() - closedAt;
    console.log(`      players closed at the drain's end were back on the other process ${backMs} ms later`);
    assert.ok(backMs < DEAD_AFTER_MS / 2, `back in ${backMs} ms: the owner released itself (a dead owner is taken over after ${DEAD_AFTER_MS} ms)`);
    for (const p of resumed) assert.equal(ownerOf(p.room, suite.processes), B, "resumed on the other process");
    assert.equal(resumed[0]!.room.roomId, roomId, "the same room");
    await sameStateOnceAllBack(resumed, before);

    const [f, s] = resumed as [Seated<Ttt>, Seated<Ttt>];
    await tttMove(f, [f, s], 0, 1);
    await tttMove(s, [f, s], 1, 1);
    await tttMove(f, [f, s], 0, 2);
    await f.until(() => f.state.winner === f.id, "a win");

    assert.deepEqual(await A.waitForExit(10000), { code: 0, signal: null }, `the owner exits cleanly; stderr: ${A.stderr()}`);
    await A.logged((l) => l.msg === "drain time is over; the game still running is handed over to another process" && l.roomId === roomId, "the owner logs the hand-over");
    await A.logged((l) => /^handed this process's running games over/.test(l.msg ?? "") && l.rooms === 1, "and, as it stops, that another process takes them");
    assert.ok(!A.logs().some((l) => l.msg === "game over"), "the owner ended no game: nobody left, nothing was cut off");
    assert.ok(!A.logs().some((l) => /closing a game still running/.test(l.msg ?? "")), "no cut-off warning");
    const restored = await B.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the other process logs the restore");
    assert.ok(typeof restored.from === "string", "naming the process it came from");
  });

  for (const [drain, check] of [["1", "250"], ["0", "1000"]] as const) {
    it(`every process stopped at once (DRAIN_SECONDS=${drain}, HA_CHECK_MS=${check}): none can take a game over, so at the drain's end it is cut off (4001) as without high availability, each process exits cleanly, and nothing is left in Redis`, async () => {
      await start(2, { DRAIN_SECONDS: drain, HA_CHECK_MS: check });
      const { first, second, owner } = await gameOn(suite.processes[0]!);
      for (const p of suite.processes) p.kill("SIGTERM");
      await closedWith([first, second], SHUTDOWN_CLOSE);
      for (const p of suite.processes) assert.deepEqual(await p.waitForExit(10000), { code: 0, signal: null }, `exits cleanly; stderr: ${p.stderr()}`);
      await owner.logged((l) => l.msg === "drain time is over; closing a game still running", "the owner cuts the game off");
      assert.ok(!owner.logs().some((l) => l.msg === "game over"), "logged as cut off, not as a game its players left");
      assert.ok(!suite.processes.some((p) => p.logs().some((l) => l.msg === "room restored")), "nothing was restored");
      assert.deepEqual(await suite.redis.keys("ha:snap:*"), [], "the cut-off game's snapshot is deleted");
      assert.deepEqual(await suite.redis.hkeys("ha:procs"), [], "both processes are forgotten");
    });
  }

  it("a draining process takes no rooms over: a process killed during another's drain is taken over by the process that is not draining", async () => {
    // A and B check often, C (started last) seldom: left to the first check, A would win B's room.
    await start(2, { DRAIN_SECONDS: "30", HA_CHECK_MS: "100", HA_DEAD_AFTER_MS: "1500" });
    // Games until both processes hold one (the matchmaker places a room by the room counts the processes publish about once a second).
    const draining = await gameOn(suite.processes[0]!);
    let victim = draining;
    for (let i = 1; i < 10 && victim.owner === draining.owner; i++) {
      await new Promise((r) => setTimeout(r, 300));
      victim = await gameOn(suite.processes[i % 2]!);
    }
    const [A, B] = [draining.owner, victim.owner];
    assert.notEqual(A, B, "two games on two processes");
    const [C] = await start(1, { HA_CHECK_MS: "1500", HA_DEAD_AFTER_MS: "1500" });
    A.kill("SIGTERM");
    await A.logged((l) => l.msg === "draining for shutdown", "A drains", 5000);
    B.kill("SIGKILL");
    const back = await Promise.all([victim.first.token(), victim.second.token()].map((t) => resume<Ttt>(t, C!)));
    suite.track(...back.map((r) => r.player));
    for (const r of back) assert.equal(ownerOf(r.player.room, suite.processes), C, "restored on the process that is not draining");
    await C!.logged((l) => l.msg === "room restored" && l.roomId === victim.roomId, "C logs the restore");
    assert.ok(!A.logs().some((l) => l.msg === "room restored"), "the draining process restored nothing");
    assert.equal(draining.first.left, undefined, "A's own game plays on meanwhile");
  });
});
