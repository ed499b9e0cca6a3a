/** The snapshot store on a real (private) redis-server: fenced writes, exactly-once claims, deletes. */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { ownerValue, SnapshotStore } from "../../src/ha/store.js";
import { suiteRedis } from "../helpers/redis.js";

describe("SnapshotStore (src/ha/store.ts) on redis-server", function () {
  this.timeout(20000);
  const suite = suiteRedis();
  let client: Redis;
  let store: SnapshotStore;

  before(() => {
    client = suite.client;
    store = new SnapshotStore(client);
  });
  beforeEach(() => client.flushall());

  it("a new room's first write creates its owner key; later writes by the owner replace the snapshot", async () => {
    assert.equal(await store.write("r1", 0, "A", { n: "1" }, true), "saved");
    assert.equal(await client.get("ha:owner:r1"), ownerValue(0, "A"));
    assert.equal(await store.write("r1", 0, "A", { n: "2" }, false), "saved");
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { n: "2" });
    assert.deepEqual(await store.roomsOf("A"), ["r1"]);
  });

  it("a partial write sets only its fields and keeps the others; a whole write replaces them all; \"\" stays a value (read as absent)", async () => {
    await store.write("r1", 0, "A", { meta: "m", "g:board": "b1", "g:turn": "1" }, true);
    await store.write("r1", 0, "A", { "g:board": "b2", "g:gone": "" }, false, undefined, false);
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { meta: "m", "g:board": "b2", "g:turn": "1", "g:gone": "" });
    await store.write("r1", 0, "A", { meta: "m2" }, false);
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { meta: "m2" }, "whole: nothing of the old hash is left");
    assert.deepEqual((await store.claim("r1", "A", "B"))?.fields, { meta: "m2" });
  });

  it("a claim on a snapshot that is not a hash (an older format, a stray write) wins it with no fields, so it is refused and dropped, not thrown", async () => {
    await store.write("r1", 0, "A", { meta: "m" }, true);
    await client.set("ha:snap:r1", '{"v":1}');
    assert.deepEqual(await store.claim("r1", "A", "B"), { epoch: 1, fields: {}, history: [] });
  });

  it("a write by a copy that no longer owns the room changes nothing (superseded)", async () => {
    await store.write("r1", 0, "A", { n: "1" }, true);
    const claim = await store.claim("r1", "A", "B");
    assert.deepEqual(claim, { epoch: 1, fields: { n: "1" }, history: [] });
    assert.equal(await store.write("r1", 0, "A", { n: '"stale"' }, false), "superseded");
    assert.equal(await store.write("r1", 0, "A", { n: '"stale"' }, true), "superseded", "not even as a 'new room'");
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { n: "1" });
    assert.equal(await store.write("r1", 1, "B", { n: "3" }, false), "saved", "the new owner writes at its epoch");
  });

  it("Redis that lost its data (restarted empty, flushed): the owner's next write re-creates the room, and onDataLost is called once", async () => {
    let lost = 0;
    const own = new SnapshotStore(client);
    own.onDataLost(() => lost++);
    assert.equal(await own.write("r1", 0, "A", { n: "1" }, true), "saved");
    await own.beat("A");
    assert.equal(lost, 0, "nothing lost yet");
    await client.flushall();
    assert.equal(await own.write("r1", 0, "A", { n: "2" }, false), "saved", "not mistaken for a takeover");
    assert.equal(lost, 1);
    assert.equal(await client.get("ha:owner:r1"), ownerValue(0, "A"));
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { n: "2" });
    assert.deepEqual(await own.roomsOf("A"), ["r1"], "a survivor would find it");
    assert.equal(await own.write("r1", 0, "A", { n: "3" }, false), "saved");
    await own.beat("A");
    assert.equal(lost, 1, "once per loss");
    // Found by a heartbeat first: the same.
    await client.flushall();
    await own.beat("A");
    assert.equal(lost, 2);
  });

  it("heartbeats carry the address a process is reached at directly; a process without one has none; forget() drops both", async () => {
    await store.beat("A", "10.0.0.5:2567");
    await store.beat("B");
    // Under the key names the store's header (and the README) lists for operators.
    assert.equal(await client.hget("ha:addr", "A"), "10.0.0.5:2567");
    assert.equal(await client.hexists("ha:procs", "B"), 1);
    const { now, beats, addresses } = await store.processes();
    assert.deepEqual([...beats.keys()].sort(), ["A", "B"]);
    assert.ok(Math.abs(now - beats.get("A")!) < 1000, "beats are at Redis's clock");
    assert.deepEqual([...addresses], [["A", "10.0.0.5:2567"]]);
    await store.beat("A", "10.0.0.6:2567");
    assert.equal((await store.processes()).addresses.get("A"), "10.0.0.6:2567", "the newest address");
    await store.forget("A");
    const after = await store.processes();
    assert.deepEqual([...after.beats.keys()], ["B"]);
    assert.equal(after.addresses.size, 0);
    // Forgotten by a server of an older version (it knows no addresses): the address goes at the next read.
    await store.beat("C", "10.0.0.7:2567");
    await client.hdel("ha:procs", "C");
    assert.equal((await store.processes()).addresses.size, 0);
    assert.equal(await client.hexists("ha:addr", "C"), 0, "deleted, not only left out");
  });

  it("a room that ended (owner key gone) cannot be written again by an old copy", async () => {
    await store.write("r1", 0, "A", { a: "1" }, true);
    await store.claim("r1", "A", "B");
    assert.deepEqual(await store.roomsOf("B"), ["r1"]);
    assert.equal(await store.remove("r1", 1, "B"), true);
    assert.equal(await client.exists("ha:snap:r1", "ha:owner:r1"), 0);
    assert.deepEqual(await store.roomsOf("B"), [], "no longer one of its owner's rooms");
    assert.equal(await store.write("r1", 0, "A", { a: "1" }, false), "superseded");
    assert.equal(await client.exists("ha:snap:r1"), 0);
  });

  it("remove by a copy that is not the owner leaves the live snapshot alone", async () => {
    await store.write("r1", 0, "A", { live: "true" }, true);
    await store.claim("r1", "A", "B");
    assert.equal(await store.remove("r1", 0, "A"), false);
    assert.deepEqual(await client.hgetall("ha:snap:r1"), { live: "true" });
  });

  it("ten survivors claiming the same rooms at once: each room is won exactly once, and moves to its winner's set", async () => {
    for (let i = 0; i < 20; i++) await store.write(`r${i}`, 0, "dead", { i: String(i) }, true);
    const survivors = Array.from({ length: 10 }, (_, i) => `S${i}`);
    const conns = survivors.map(() => new Redis(suite.redis.url));
    try {
      const wins = await Promise.all(
        survivors.map(async (me, k) => {
          const s = new SnapshotStore(conns[k]!);
          const won: string[] = [];
          for (const roomId of await s.roomsOf("dead")) if (await s.claim(roomId, "dead", me)) won.push(roomId);
          return won;
        }),
      );
      const all = wins.flat().sort();
      assert.equal(all.length, 20, "every room claimed once");
      assert.equal(new Set(all).size, 20, "no room claimed twice");
      assert.deepEqual(await store.roomsOf("dead"), []);
      for (const [k, me] of survivors.entries()) assert.deepEqual((await store.roomsOf(me)).sort(), wins[k]!.sort());
    } finally {
      for (const c of conns) c.disconnect();
    }
  });

  it("a claim made again (the first one's answer was lost) answers a room the caller already won, at the same epoch; never one another survivor won, and never without `again`", async () => {
    await store.write("r1", 0, "A", { a: "1" }, true);
    assert.equal((await store.claim("r1", "A", "B"))?.epoch, 1);
    assert.equal(await store.claim("r1", "A", "B"), undefined, "without again: B's own room is not the dead process's");
    assert.deepEqual(await store.claim("r1", "A", "B", true), { epoch: 1, fields: { a: "1" }, history: [] });
    assert.equal(await client.get("ha:owner:r1"), "1|B", "not taken a second time");
    assert.equal(await store.claim("r1", "A", "C", true), undefined, "C never claimed it");
    assert.equal(await client.get("ha:owner:r1"), "1|B");
  });

  it("a claim on a room whose snapshot is gone wins nothing and clears the owner key and the history", async () => {
    await store.write("r1", 0, "A", { a: "1" }, true, { full: true, values: ["x"], limit: 5 });
    assert.equal(await client.exists("ha:hist:r1"), 1);
    await client.del("ha:snap:r1");
    assert.equal(await store.claim("r1", "A", "B"), undefined);
    assert.equal(await client.exists("ha:owner:r1", "ha:hist:r1"), 0);
  });

  it("history: each write appends only the new values and keeps the newest `limit`; a full write replaces the list; the claim returns it", async () => {
    await store.write("r1", 0, "A", { a: "1" }, true, { full: true, values: ["a", "b"], limit: 2 });
    await store.write("r1", 0, "A", { a: "1" }, false, { full: false, values: ["c"], limit: 3 });
    assert.deepEqual(await client.lrange("ha:hist:r1", 0, -1), ["a", "b", "c"]);
    await store.write("r1", 0, "A", { a: "1" }, false, { full: false, values: ["d", "e"], limit: 3 });
    assert.deepEqual(await client.lrange("ha:hist:r1", 0, -1), ["c", "d", "e"], "trimmed to the newest 3");
    await store.write("r1", 0, "A", { a: "1" }, false, { full: true, values: ["x", "y"], limit: 5 });
    assert.deepEqual(await client.lrange("ha:hist:r1", 0, -1), ["x", "y"], "replaced, not appended");
    assert.equal(await store.write("r1", 5, "Z", { a: "1" }, false, { full: true, values: ["stale"], limit: 1 }), "superseded");
    assert.deepEqual(await client.lrange("ha:hist:r1", 0, -1), ["x", "y"], "a superseded write does not touch the history");
    assert.deepEqual((await store.claim("r1", "A", "B"))?.history, ["x", "y"]);
    assert.equal(await store.remove("r1", 1, "B"), true);
    assert.equal(await client.exists("ha:hist:r1"), 0, "deleted with the room");
  });

  it("writeMany: several rooms in one call, each fenced on its own, each with its own history; nothing to write is no call; one process per batch", async () => {
    await store.write("r2", 0, "A", { r: "2" }, true);
    await store.claim("r2", "A", "B"); // r2 belongs to B now
    const results = await store.writeMany([
      { roomId: "r1", epoch: 0, processId: "A", snapshot: { whole: true, fields: ["r", "1"] }, create: true, history: { full: true, values: ["a1", "a2"], limit: 5 } },
      { roomId: "r2", epoch: 0, processId: "A", snapshot: { whole: true, fields: ["r", '"stale"'] }, create: false, history: { full: false, values: ["no"], limit: 5 } },
      { roomId: "r3", epoch: 0, processId: "A", snapshot: { whole: true, fields: ["r", "3"] }, create: true, history: { full: false, values: ["c1"], limit: 5 } },
    ]);
    assert.deepEqual(results, ["saved", "superseded", "saved"]);
    assert.deepEqual(await Promise.all(["r1", "r2", "r3"].map((r) => client.hgetall(`ha:snap:${r}`))), [{ r: "1" }, { r: "2" }, { r: "3" }]);
    assert.deepEqual(await client.lrange("ha:hist:r1", 0, -1), ["a1", "a2"]);
    assert.deepEqual(await client.lrange("ha:hist:r3", 0, -1), ["c1"]);
    assert.equal(await client.exists("ha:hist:r2"), 0);
    assert.deepEqual((await store.roomsOf("A")).sort(), ["r1", "r3"]);
    assert.deepEqual(await store.writeMany([]), []);
    await assert.rejects(
      store.writeMany([
        { roomId: "r1", epoch: 0, processId: "A", snapshot: { whole: false, fields: [] }, create: false, history: { full: false, values: [], limit: 1 } },
        { roomId: "r3", epoch: 0, processId: "B", snapshot: { whole: false, fields: [] }, create: false, history: { full: false, values: [], limit: 1 } },
      ]),
      /one process per batch/,
    );
  });

  it("owners() reads the owner values (null where none); drop() only while the owner holds it; dropUnreadable() whoever owns it", async () => {
    assert.deepEqual(await store.owners([]), []);
    await store.write("r1", 0, "A", { a: "1" }, true, { full: true, values: ["h"], limit: 1 });
    await store.write("r2", 0, "A", { a: "1" }, true);
    assert.deepEqual(await store.owners(["r1", "nope", "r2"]), [ownerValue(0, "A"), null, ownerValue(0, "A")]);
    await store.drop("r1", 1, "A");
    assert.equal(await client.exists("ha:snap:r1", "ha:owner:r1", "ha:hist:r1"), 3, "another owner's drop changes nothing");
    assert.equal(await client.sismember("ha:rooms:A", "r1"), 1);
    await store.drop("r1", 0, "A");
    assert.equal(await client.exists("ha:snap:r1", "ha:owner:r1", "ha:hist:r1"), 0);
    assert.equal(await client.sismember("ha:rooms:A", "r1"), 0, "and the room leaves its process's set (none is left behind once the process goes)");
    await store.dropUnreadable("r2");
    assert.equal(await client.exists("ha:snap:r2", "ha:owner:r2"), 0);
  });

  it("a draining process is listed as draining until it is released or forgotten; release() marks it released at Redis's clock and drops its address and its drain; forget() drops the release too", async () => {
    await store.beat("A", "10.0.0.5:2567");
    await store.beat("B", "10.0.0.6:2567");
    await store.draining("A");
    assert.equal(await client.hexists("ha:draining", "A"), 1, "under the key an operator reads");
    assert.deepEqual([...(await store.processes()).draining], ["A"]);
    await store.release("A");
    assert.equal(await client.hexists("ha:released", "A"), 1, "under the key an operator reads");
    const { now, beats, addresses, draining, released } = await store.processes();
    assert.ok(Math.abs(now - released.get("A")!) < 1000, "released now, at Redis's clock");
    assert.ok(beats.has("A"), "still known, for the others to take its rooms over");
    assert.deepEqual([...addresses.keys()], ["B"], "nothing answers at a released process's address");
    assert.equal(draining.size, 0);
    await store.forget("A");
    assert.equal((await store.processes()).released.size, 0, "forget() drops the release");
    await store.draining("B");
    await store.forget("B");
    assert.equal((await store.processes()).draining.size, 0, "forget() drops the drain too");
    // A drain or a release whose process is gone (forgotten by a server of an older version): dropped at the next read.
    await store.beat("C");
    await store.draining("C");
    await store.release("C");
    await store.draining("C");
    await client.hdel("ha:procs", "C");
    const after = await store.processes();
    assert.equal(after.draining.size + after.released.size, 0);
    assert.equal(await client.exists("ha:draining", "ha:released"), 0, "deleted, not only left out");
  });

  it("heartbeats at Redis's clock: processes() lists each process's last beat and the clock now; forget() drops one", async () => {
    const a = await store.beat("A");
    const b = await store.beat("B");
    assert.ok(Math.abs(a - Date.now()) < 5000 && b >= a, "epoch ms from Redis's TIME");
    const { now, beats } = await store.processes();
    assert.ok(now >= b);
    assert.deepEqual([...beats].sort(), [["A", a], ["B", b]]);
    await store.forget("A");
    assert.deepEqual([...(await store.processes()).beats], [["B", b]]);
  });
});
