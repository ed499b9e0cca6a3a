/**
 * The takeover of a dead process's rooms (src/ha/takeover.ts) on a real (private)
 * redis-server: claims that fail and are tried again, a claim whose answer was lost, several
 * survivors, a drain, the snapshots of a process nobody took over, and a restore that works or
 * fails. Most rooms here are stand-ins whose snapshots cannot be read, so a won claim ends in
 * "snapshot unreadable"; the restores get a snapshot the service wrote, and a stand-in for the
 * matchmaker's room creation (test/scaling/failover*.test.ts restore real rooms in real processes).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import pino from "pino";
import { HighAvailability, type HaMetrics } from "../../src/ha/service.js";
import { SnapshotStore } from "../../src/ha/store.js";
import { RESTORE_OPTION, Takeover, type RestoreOption } from "../../src/ha/takeover.js";
import { snapshotBody } from "../helpers/snapshot-bodies.js";
import { suiteRedis } from "../helpers/redis.js";

describe("Takeover (src/ha/takeover.ts) on redis-server", function () {
  this.timeout(20000);
  const suite = suiteRedis();
  let client: Redis;
  let store: SnapshotStore;
  let lines: Array<Record<string, unknown>>;
  let failed: number;
  let restored: number;
  let draining: boolean;
  /** The rooms the takeover re-created (the matchmaker's part, stood in for): name, options, id. */
  let created: Array<[string, Record<string, unknown>, string]>;
  /** What re-creating a room does: by default it works. */
  let create: () => Promise<unknown>;

  before(() => ({ client } = suite));
  beforeEach(() => {
    store = new SnapshotStore(client);
    lines = [];
    failed = 0;
    restored = 0;
    draining = false;
    created = [];
    create = () => Promise.resolve();
  });

  const metrics = { restoreFailed: () => void failed++, restored: () => void restored++ } as unknown as HaMetrics;
  /** The takeover of process `me`, logging into `lines`. */
  const takeover = (me = "survivor", s = store) =>
    new Takeover({
      store: s,
      me: () => me,
      log: pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
      metrics,
      draining: () => draining,
      create: (roomName, options, roomId) => {
        created.push([roomName, options, roomId]);
        return create();
      },
    });
  const said = (pattern: RegExp) => lines.filter((l) => pattern.test(String(l.msg)));
  /** Process `dead` beat once and holds `rooms` (snapshots that cannot be read). */
  async function deadWith(dead: string, rooms: string[]) {
    await store.beat(dead);
    for (const roomId of rooms) await store.write(roomId, 0, dead, { meta: "{}" }, true);
  }
  const known = async (processId: string) => (await client.hexists("ha:procs", processId)) === 1;

  it("claims that fail (a Redis error) keep the dead process known as dead, so the next check tries its rooms again; after 10 tries it gives up with an error line", async () => {
    const t = takeover();
    await deadWith("dead-1", ["t1"]);
    const claim = store.claim.bind(store);
    store.claim = () => Promise.reject(new Error("BUSY Redis is busy running a script"));
    await t.takeOver("dead-1", 0);
    assert.equal(await known("dead-1"), true, "still known as dead");
    assert.deepEqual(said(/could not be claimed; trying again/).map((l) => [l.processId, l.rooms, l.restored, l.unclaimed]), [["dead-1", 1, 0, 1]]);
    assert.equal(await client.sismember("ha:rooms:dead-1", "t1"), 1, "its room is still the dead process's");
    // The next check: the claim works (here another survivor had it).
    store.claim = () => Promise.resolve(undefined);
    await t.takeOver("dead-1", 0);
    assert.equal(await known("dead-1"), false, "forgotten once every room was claimed");

    await deadWith("dead-2", ["t2"]);
    store.claim = () => Promise.reject(new Error("LOADING"));
    for (let i = 0; i < 9; i++) await t.takeOver("dead-2", 0);
    assert.equal(await known("dead-2"), true, "nine tries");
    assert.equal(said(/are given up/).length, 0);
    await t.takeOver("dead-2", 0);
    assert.equal(await known("dead-2"), false, "given up at the tenth");
    assert.deepEqual(said(/are given up/).map((l) => [l.processId, l.unclaimed, l.tries, l.level]), [["dead-2", 1, 10, 50]]);
    store.claim = claim;
  });

  it("the tries count per dead process, and start again after a takeover that claimed everything", async () => {
    const t = takeover();
    await deadWith("dead-a", ["a1"]);
    await deadWith("dead-b", ["b1"]);
    const claim = store.claim.bind(store);
    store.claim = () => Promise.reject(new Error("LOADING"));
    for (let i = 0; i < 9; i++) await t.takeOver("dead-a", 0);
    await t.takeOver("dead-b", 0);
    assert.equal(await known("dead-b"), true, "dead-b's first try, not dead-a's tenth");
    store.claim = claim;
    await t.takeOver("dead-a", 0);
    assert.equal(await known("dead-a"), false, "claimed at last: forgotten");
    // The same process id dead again (its rooms claimed, its tries forgotten): a first try.
    await deadWith("dead-a", ["a2"]);
    store.claim = () => Promise.reject(new Error("LOADING"));
    await t.takeOver("dead-a", 0);
    store.claim = claim;
    assert.equal(await known("dead-a"), true, "a first try again, not the tenth");
    assert.equal(said(/are given up/).length, 0);
  });

  it("a claim that landed but whose answer was lost (a connection reset) is tried again and finds the room already this process's: its snapshot is read for the restore (here one that cannot be read: dropped, counted), not left owned with nothing running", async () => {
    const t = takeover("survivor");
    await deadWith("dead-3", ["t3"]);
    const claim = store.claim.bind(store);
    store.claim = async (...args) => {
      await claim(...args);
      throw new Error("read ECONNRESET");
    };
    await t.takeOver("dead-3", 0);
    assert.equal(await client.get("ha:owner:t3"), "1|survivor", "the claim landed (this process owns the room)");
    assert.equal(await client.sismember("ha:rooms:dead-3", "t3"), 0, "and took the room from the dead process's rooms");
    assert.equal(await known("dead-3"), true, "still known as dead");
    assert.deepEqual(said(/claim failed/).map((l) => [l.roomId, l.err]), [["t3", "read ECONNRESET"]]);
    store.claim = claim;
    await t.takeOver("dead-3", 0);
    assert.deepEqual(said(/snapshot unreadable/).map((l) => [l.roomId, l.from]), [["t3", "dead-3"]], "its restore was tried");
    assert.equal(failed, 1, "counted as a restore failure");
    assert.equal(await client.exists("ha:owner:t3", "ha:snap:t3"), 0, "a snapshot that cannot be restored is dropped");
    assert.equal(await known("dead-3"), false, "forgotten once every room was claimed");
  });

  it("three survivors taking the same dead process over at once: each room is claimed by exactly one", async () => {
    const rooms = Array.from({ length: 40 }, (_, i) => `r${i}`);
    await deadWith("dead-4", rooms);
    const survivors = ["s1", "s2", "s3"].map((me) => takeover(me, new SnapshotStore(client)));
    await Promise.all(survivors.map((t) => t.takeOver("dead-4", 0)));
    const tried = said(/snapshot unreadable/).map((l) => String(l.roomId));
    assert.deepEqual([...tried].sort(), [...rooms].sort(), "every room restored (tried) once, none twice");
    assert.equal(await known("dead-4"), false);
    assert.equal(await client.scard("ha:rooms:dead-4"), 0);
  });

  /** Takes over process `dead`, dead with `count` rooms, while this process is told to drain during the first batch's claims. */
  async function takeOverTold(dead: string, count: number) {
    await deadWith(dead, Array.from({ length: count }, (_, i) => `${dead}-r${i}`));
    const claim = store.claim.bind(store);
    store.claim = async (...args) => {
      draining = true;
      return claim(...args);
    };
    await takeover().takeOver(dead, 0);
    store.claim = claim;
  }

  it("a process that drains for a shutdown stops between batches of 16 rooms: the rest, and the dead process, are left to the processes that stay", async () => {
    await takeOverTold("dead-5", 20);
    assert.equal(said(/snapshot unreadable/).length, 16, "the first batch");
    assert.deepEqual(said(/draining: the rest/).map((l) => [l.processId, l.rooms]), [["dead-5", 4]]);
    assert.equal(await client.scard("ha:rooms:dead-5"), 4, "the rest stay the dead process's");
    assert.equal(await known("dead-5"), true, "still known as dead");
  });

  /** Process `dead` beat once and wrote a real snapshot of TicTacToe room `roomId` (through the service, as a room does). */
  async function deadWithGame(dead: string, roomId: string) {
    const ha = Object.defineProperty(new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 0 }), "me", { get: () => dead });
    await ha.store.beat(dead);
    const room = ha.attach({ roomId, supersede: () => undefined, resave: () => undefined });
    assert.equal(await new Promise((done) => room.write(() => snapshotBody(["X", "", "O"], roomId), done)), "saved");
  }

  it("a room restored: re-created here with its id and its snapshot (the epoch claimed, the process it came from), counted and logged with its time; its snapshot stays, now this process's", async () => {
    await deadWithGame("dead-8", "g1");
    await deadWith("dead-8", ["g1-unreadable"]);
    const lastBeat = Date.now() - 4000;
    const t0 = Date.now();
    await takeover("survivor").takeOver("dead-8", lastBeat);
    const took = Date.now() - t0;
    assert.equal(created.length, 1, "the readable one");
    const [roomName, options, roomId] = created[0]!;
    assert.deepEqual([roomName, roomId], ["tictactoe", "g1"]);
    const restore = options[RESTORE_OPTION] as RestoreOption;
    assert.deepEqual([restore.epoch, restore.from, restore.snapshot.game, restore.snapshot.seats.map((seat) => seat.token)], [1, "dead-8", { board: ["X", "", "O"], turn: "s1" }, ["t1"]]);
    assert.equal(restored, 1);
    assert.equal(failed, 1, "the unreadable one");
    const [line] = said(/^room restored$/);
    assert.deepEqual([line?.roomId, line?.roomName, line?.from, line?.epoch, line?.seats], ["g1", "tictactoe", "dead-8", 1, 1]);
    assert.ok(Number(line?.ms) >= 0 && Number(line?.ms) <= took, `restored in ${line?.ms} ms`);
    const [over] = said(/its rooms were taken over/);
    assert.deepEqual([over?.processId, over?.rooms, over?.restored], ["dead-8", 2, 1], "two rooms, one restored (the other unreadable)");
    assert.ok(Number(over?.silentMs) >= 4000 && Number(over?.silentMs) < 4000 + took + 100, `silent ${over?.silentMs} ms before it was found dead`);
    assert.ok(Number(over?.ms) >= 0 && Number(over?.ms) <= took, `taken over in ${over?.ms} ms`);
    assert.equal(await client.get("ha:owner:g1"), "1|survivor");
    assert.equal(await client.exists("ha:snap:g1"), 1, "the snapshot stays: the restored room writes it from now on");
    assert.equal(await client.sismember("ha:rooms:survivor", "g1"), 1);
    assert.equal(await known("dead-8"), false);
  });

  it("a room whose re-creation fails (its game's rules refuse the snapshot): counted and logged as a failure, its snapshot dropped; the dead process is forgotten all the same", async () => {
    await deadWithGame("dead-9", "g2");
    create = () => Promise.reject(new Error("INVALID_OPTIONS"));
    await takeover("survivor").takeOver("dead-9", 0);
    assert.equal(created.length, 1, "tried");
    assert.deepEqual([restored, failed], [0, 1]);
    assert.deepEqual(said(/room restore failed: snapshot dropped/).map((l) => [l.roomId, l.from, l.err]), [["g2", "dead-9", "INVALID_OPTIONS"]]);
    assert.equal(await client.exists("ha:owner:g2", "ha:snap:g2"), 0, "dropped");
    assert.equal(await client.sismember("ha:rooms:survivor", "g2"), 0);
    assert.equal(await known("dead-9"), false);
  });

  it("told to stop during the last batch: that batch's rooms are all tried, and the takeover completes (the dead process is forgotten)", async () => {
    await takeOverTold("dead-10", 16);
    assert.equal(said(/snapshot unreadable/).length, 16);
    assert.deepEqual(said(/draining: the rest/), [], "nothing left to leave to the others");
    assert.equal(await known("dead-10"), false);
  });

  it("an orphan (a process that died while no other ran): its snapshots are dropped, not restored, and it is forgotten", async () => {
    await deadWith("dead-6", ["o1"]);
    await deadWithGame("dead-6", "o2");
    await takeover().dropOrphans("dead-6");
    assert.equal(await client.exists("ha:owner:o1", "ha:snap:o1", "ha:owner:o2", "ha:snap:o2"), 0, "dropped");
    assert.deepEqual([created.length, restored, failed], [0, 0, 0], "nothing restored");
    assert.equal(await known("dead-6"), false);
    assert.deepEqual(said(/died before this one started were dropped/).map((l) => [l.processId, l.rooms]), [["dead-6", 2]]);
  });

  it("a dead process with no rooms is forgotten without a line, taken over or dropped as an orphan", async () => {
    await store.beat("dead-7");
    await takeover().takeOver("dead-7", 0);
    assert.equal(await known("dead-7"), false);
    await store.beat("dead-7b");
    await takeover().dropOrphans("dead-7b");
    assert.equal(await known("dead-7b"), false);
    assert.deepEqual(lines, []);
  });
});
