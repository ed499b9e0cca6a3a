/**
 * The stall guard of the high-availability service (src/ha/service.ts) on a real, private
 * redis-server that is stopped and started again: after the event loop stood still long
 * enough for this process to have been taken over (`deadAfterMs - checkMs`), a write Redis
 * cannot take is held, not answered "skipped", until a fence pass has confirmed which rooms
 * are still this process's; held writes go out when Redis answers again ("ready").
 *
 * The stand-in rooms write their snapshot the way a room's gate does, and the stall is a
 * busy loop on this process's event loop. `checkMs` is long, so no check runs on its own
 * during a test: the fence pass is `check()` called by the test (what the service's timer
 * calls), and what frees a held write is only what the test does.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Redis } from "ioredis";
import pino from "pino";
import type { SaveResult } from "../../src/ha/gate.js";
import { HighAvailability, type RoomSnapshots, type SnapshotBody } from "../../src/ha/service.js";
import { ownerValue } from "../../src/ha/store.js";
import { snapshotBody } from "../helpers/snapshot-bodies.js";
import { startRestartableRedis, type RestartableRedis } from "../helpers/redis.js";

/** No check runs on its own within a test; the stall guard trips at a stall of DEAD_AFTER_MS - CHECK_MS = 600 ms. */
const CHECK_MS = 30_000;
const DEAD_AFTER_MS = CHECK_MS + 600;
/** Longer than the 600 ms the guard trips at. */
const STALL_MS = 900;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The event loop stands still (a GC pause, SIGSTOP, a frozen VM). */
function stall(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

async function until(cond: () => boolean, what: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/** Rejects if `promise` does not settle within `ms` (a write that hangs fails the test, not mocha's timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A write's answer, and whether it came yet. */
interface Tracked {
  promise: Promise<SaveResult>;
  answer?: SaveResult;
}

const body = snapshotBody;

describe("HighAvailability stall guard (src/ha/service.ts) on redis-server", function () {
  this.timeout(15000);
  let redis: RestartableRedis;
  let client: Redis;
  let stop: (() => void) | undefined;

  beforeEach(async () => {
    redis = await startRestartableRedis();
    // As the server makes it: a connection of its own, writes while Redis is down fail at once.
    client = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true });
    client.on("error", () => undefined); // connection refused while the server is down
    await client.connect();
  });
  afterEach(async () => {
    stop?.();
    stop = undefined;
    client?.disconnect();
    await redis?.destroy();
  });

  /**
   * A started service, and stand-in rooms: each write reads the room's board as it is when
   * the write goes out; a room asked to write its snapshot again (Redis back) does, as a room does.
   */
  async function service() {
    const lines: string[] = [];
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }), checkMs: CHECK_MS, deadAfterMs: DEAD_AFTER_MS, batchMs: 10 });
    await ha.check(); // the first heartbeat
    stop = ha.start();
    // The pass start() runs at once finishes before the test goes on (a pass the test runs must not find it under way).
    await until(() => !(ha as unknown as { checking: boolean }).checking, "the first check");
    const rooms = new Map<string, { snapshots: RoomSnapshots; board: string[]; superseded: number; resaves: number }>();
    const room = (roomId: string) => {
      const r = { snapshots: undefined as unknown as RoomSnapshots, board: ["", "", ""], superseded: 0, resaves: 0 };
      r.snapshots = ha.attach({
        roomId,
        supersede: () => void r.superseded++,
        resave: () => {
          r.resaves++;
          r.snapshots.write(() => body(r.board, roomId), () => undefined);
        },
      });
      rooms.set(roomId, r);
      /** A move: the board changes and its snapshot is written; the answer says whether its patch may go out. */
      const move = (board: string[]): Tracked => {
        r.board = board;
        const tracked: Tracked = { promise: undefined as unknown as Promise<SaveResult> };
        tracked.promise = new Promise<SaveResult>((done) => r.snapshots.write(() => body(r.board, roomId), done)).then((answer) => (tracked.answer = answer));
        return tracked;
      };
      return Object.assign(r, { move });
    };
    const logged = (text: string) => lines.some((l) => l.includes(text));
    return { ha, lines, room, logged };
  }

  const boardIn = async (roomId: string) => client.hget(`ha:snap:${roomId}`, "g:board");
  const STOOD_STILL = "the event loop stood still long enough";
  const CONFIRMED = "every room this process still holds is confirmed its own";

  it("a fence pass after a stall that confirms the rooms while Redis has gone away answers the held writes 'skipped' (play goes on unsaved), later moves are not held, and once Redis is back the rooms write what their players see", async () => {
    const { ha, lines, room, logged } = await service();
    const [a1, a2] = [room("a1"), room("a2")];
    assert.equal(await a1.move(["X", "", ""]).promise, "saved");
    assert.equal(await a2.move(["O", "", ""]).promise, "saved");

    stall(STALL_MS);
    await until(() => logged(STOOD_STILL), "the stall seen");

    // A fence pass: Redis answers its read of the owner keys, then goes away before the pass
    // is done; meanwhile both rooms move. This process may have been taken over: their writes wait.
    const owners = ha.store.owners.bind(ha.store);
    let held: Tracked[] = [];
    let answeredWhileHeld: (SaveResult | undefined)[] = [];
    ha.store.owners = async (ids) => {
      const answer = await owners(ids);
      await redis.shutdownSave(); // the data file keeps what Redis held
      await until(() => client.status !== "ready", "the connection lost");
      held = [a1.move(["X", "O", ""]), a2.move(["O", "X", ""])];
      await sleep(400);
      answeredWhileHeld = held.map((t) => t.answer);
      return answer;
    };
    await within(ha.check(), 5000, "the fence pass");
    ha.store.owners = owners;

    assert.equal(held.length, 2, "the fence pass read the owner keys");
    assert.deepEqual(answeredWhileHeld, [undefined, undefined], "held, not skipped, while the rooms were not confirmed");
    assert.ok(logged(CONFIRMED), lines.join(""));
    assert.deepEqual(await within(Promise.all(held.map((t) => t.promise)), 1000, "the held writes"), ["skipped", "skipped"], "once confirmed, the held writes are answered as any write while Redis is away: their patches go out unsaved");
    assert.deepEqual([a1.superseded, a2.superseded], [0, 0], "nothing was closed: both rooms are still this process's");
    // Skipped as any write while Redis is away: snapshots are paused (logged, the metric set), so
    // every room writes again when Redis is back, those that sit still meanwhile included.
    assert.ok(logged("snapshots paused"), lines.join(""));

    // The guard is cleared: the next move while Redis is still away is not held.
    const started = performance.now();
    assert.equal(await within(a1.move(["X", "O", "X"]).promise, 1000, "a move after the fence pass"), "skipped");
    assert.ok(performance.now() - started < 200, `answered after ${Math.round(performance.now() - started)} ms`);

    // Redis back (with its data): every room writes the state its players see.
    await redis.restart();
    await until(() => a1.resaves > 0 && a2.resaves > 0, "the rooms asked to write again");
    await until(() => logged("snapshots resumed"), "snapshots resumed");
    // (a2 sat still since its held move was skipped: its resave is what brings that move to Redis.)
    const boards = async () => [await boardIn("a1"), await boardIn("a2")];
    const seen = [JSON.stringify(["X", "O", "X"]), JSON.stringify(["O", "X", ""])];
    for (let i = 0; i < 100 && JSON.stringify(await boards()) !== JSON.stringify(seen); i++) await sleep(20);
    assert.deepEqual(await boards(), seen, "Redis holds what the players saw");
    assert.equal(await client.get("ha:owner:a1"), ownerValue(0, matchMaker.processId));
  });

  it("after a stall, writes held while Redis was away go out when Redis answers again ('ready'), with no takeover and no fence pass: they land in Redis and each caller gets 'saved'", async () => {
    const { room, lines, logged, ha } = await service();
    const [b1, b2] = [room("b1"), room("b2")];
    assert.equal(await b1.move(["X", "", ""]).promise, "saved");
    assert.equal(await b2.move(["O", "", ""]).promise, "saved");

    // Redis goes away; the process stalls; as it wakes, both rooms move.
    await redis.shutdownSave();
    await until(() => client.status !== "ready", "the connection lost");
    stall(STALL_MS);
    const held = [b1.move(["X", "O", ""]), b2.move(["O", "X", ""])];
    assert.ok(logged(STOOD_STILL), lines.join(""));
    await sleep(500);
    assert.deepEqual(
      held.map((t) => t.answer),
      [undefined, undefined],
      "held, not skipped: this process may have been taken over, so no patch goes out unsaved",
    );
    assert.equal(await boardIn("b1").catch(() => "unreachable"), "unreachable", "Redis is still away");

    // Redis answers again; nobody took the rooms over.
    const back = performance.now();
    await redis.restart();
    const answers = await within(Promise.all(held.map((t) => t.promise)), 5000, "the held writes after Redis came back");
    assert.deepEqual(answers, ["saved", "saved"], "the callers get the normal answer: their patches go out saved");
    assert.ok(performance.now() - back < 5000);
    assert.equal(logged(CONFIRMED), false, "released by Redis's return, not by a fence pass");
    assert.equal(await boardIn("b1"), JSON.stringify(["X", "O", ""]), "the held move is in Redis");
    assert.equal(await boardIn("b2"), JSON.stringify(["O", "X", ""]), "the held move is in Redis");
    assert.equal(await client.get("ha:owner:b1"), ownerValue(0, matchMaker.processId), "still this process's, same epoch");
    assert.deepEqual([b1.superseded, b2.superseded], [0, 0]);
    assert.equal(logged("snapshots paused"), false, "no write was skipped");

    // Play goes on: the next move lands at once, and the next fence pass confirms the rooms.
    assert.equal(await within(b1.move(["X", "O", "X"]).promise, 1000, "the next move"), "saved");
    await within(ha.check(), 5000, "the fence pass");
    assert.ok(logged(CONFIRMED), lines.join(""));
    assert.deepEqual([b1.superseded, b2.superseded], [0, 0]);
    assert.equal(await boardIn("b1"), JSON.stringify(["X", "O", "X"]));
  });
});
