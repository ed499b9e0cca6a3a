/**
 * The high-availability service (src/ha/service.ts) on a real (private) redis-server, with
 * stand-in rooms: when gathered writes go out, and what happens to a write that was waiting
 * for its batch when Redis was found to have lost its data.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Redis } from "ioredis";
import pino from "pino";
import type { SaveResult } from "../../src/ha/gate.js";
import { DRAIN_SETTLE_MS, HighAvailability, type RoomSnapshots, type SnapshotBody } from "../../src/ha/service.js";
import { snapshotBody } from "../helpers/snapshot-bodies.js";
import { suiteRedis, type TestRedis } from "../helpers/redis.js";

/** A room's write, answered as a promise. */
const save = (snapshots: RoomSnapshots, read: () => SnapshotBody) => new Promise<SaveResult>((done) => snapshots.write(read, done));

const body = snapshotBody;

describe("HighAvailability (src/ha/service.ts) on redis-server", function () {
  this.timeout(20000);
  const suite = suiteRedis();
  let redis: TestRedis;
  let client: Redis;

  before(() => ({ redis, client } = suite));

  it("a move on a quiet server, or of a room moving alone, is saved at once; moves of several rooms soon after a call wait for the window and share one call, sent within 1.5 windows", async () => {
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 300 });
    const calls: number[] = [];
    const writeMany = ha.store.writeMany.bind(ha.store);
    ha.store.writeMany = (writes) => {
      calls.push(writes.length);
      return writeMany(writes);
    };
    const [q1, q2, q3] = ["q1", "q2", "q3"].map((roomId) => ha.attach({ roomId, supersede: () => undefined, resave: () => undefined }));
    const started = performance.now();
    assert.equal(await save(q1!, () => body(["X", "", ""], "q1")), "saved");
    const quiet = performance.now() - started;
    assert.ok(quiet < 250, `a write after a quiet spell waited ${Math.round(quiet)} ms for a 300 ms window`);
    const answered: number[] = [];
    const results = await Promise.all([save(q2!, () => body(["X", "", ""], "q2")), save(q3!, () => body(["O", "", ""], "q3"))].map((p) => p.then((r) => (answered.push(performance.now() - started), r))));
    assert.deepEqual(results, ["saved", "saved"]);
    assert.deepEqual(calls, [1, 2], "the two writes made within the window went out together, in a second call");
    for (const ms of answered) assert.ok(ms >= 300 && ms < 450 + 150, `answered ${Math.round(ms)} ms after the first call (window 300 ms, at most 450 ms)`);
    assert.equal(await client.hget("ha:snap:q3", "g:board"), JSON.stringify(["O", "", ""]));

    // One room moving with no other room's move within the window goes out at once, even soon after a call: nobody to share it with.
    const alone = performance.now();
    assert.equal(await save(q1!, () => body(["X", "O", ""], "q1")), "saved");
    assert.ok(performance.now() - alone < 250, `a room moving alone waited ${Math.round(performance.now() - alone)} ms`);
    assert.deepEqual(calls, [1, 2, 1]);

    // Another room's move right after it waits; a move made once the window has passed goes out at once and takes it along (no timer waited for).
    const waiting = save(q2!, () => body(["X", "O", ""], "q2"));
    await new Promise((r) => setTimeout(r, 320));
    const late = performance.now();
    assert.deepEqual(await Promise.all([waiting, save(q3!, () => body(["X", "X", ""], "q3"))]), ["saved", "saved"]);
    const took = performance.now() - late;
    assert.ok(took < 250, `the move made after the window waited ${Math.round(took)} ms`);
    assert.deepEqual(calls, [1, 2, 1, 2]);
  });

  it("a room whose state cannot be read when its write goes out is answered 'skipped' (its patch goes out unsaved) with an error logged; the other rooms of that call land", async () => {
    const lines: string[] = [];
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "error" }, { write: (line: string) => void lines.push(line) }), batchMs: 50 });
    const [good, broken] = ["e1", "e2"].map((roomId) => ha.attach({ roomId, supersede: () => undefined, resave: () => undefined }));
    const results = await Promise.all([
      save(good!, () => body(["X", "", ""], "e1")),
      save(broken!, () => {
        throw new Error("state unreadable");
      }),
    ]);
    assert.deepEqual(results, ["saved", "skipped"]);
    assert.equal(await client.hget("ha:snap:e1", "g:board"), JSON.stringify(["X", "", ""]));
    assert.equal(await client.exists("ha:snap:e2"), 0, "nothing written for the broken room");
    assert.ok(lines.some((l) => l.includes("snapshot not written") && l.includes("e2") && l.includes("state unreadable")), lines.join(""));
  });

  it("a room that fails on its write's answer (sending its patch) does not keep the other rooms of that call from theirs; the error is logged", async () => {
    const lines: string[] = [];
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "error" }, { write: (line: string) => void lines.push(line) }), batchMs: 50 });
    const [failing, fine] = ["f1", "f2"].map((roomId) => ha.attach({ roomId, supersede: () => undefined, resave: () => undefined }));
    failing!.write(
      () => body(["X", "", ""], "f1"),
      () => {
        throw new Error("patch failed");
      },
    );
    assert.equal(await save(fine!, () => body(["O", "", ""], "f2")), "saved", "the other room of the call is answered");
    assert.ok(lines.some((l) => l.includes("f1") && l.includes("patch failed")), lines.join(""));
  });

  it("a room that ends while its first write waits for the window is neither read nor written: its snapshot is not created after its end", async () => {
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 200 });
    const attach = (roomId: string) => ha.attach({ roomId, supersede: () => undefined, resave: () => undefined });
    assert.equal(await save(attach("g0"), () => body(["X", "", ""], "g0")), "saved", "another room's move opens the window");
    const ended = attach("g1");
    let reads = 0;
    const waiting = save(ended, () => {
      reads++;
      return body(["X", "", ""], "g1");
    });
    ended.end();
    assert.equal(await waiting, "superseded");
    assert.equal(reads, 0, "an ended room is not read");
    assert.equal(await client.exists("ha:snap:g1", "ha:owner:g1"), 0, "no snapshot or owner key left behind");
  });

  it("a room that ends while an earlier part of its call waits for Redis (a call of more than 128 rooms) is neither read nor written: its snapshot is not created after its end", async () => {
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 100 });
    const attach = (roomId: string) => ha.attach({ roomId, supersede: () => undefined, resave: () => undefined });
    assert.equal(await save(attach("h0"), () => body(["X", "", ""], "h0")), "saved", "another room's move opens the window");
    const ids = Array.from({ length: 130 }, (_, i) => `h${i + 1}`);
    const rooms = ids.map(attach);
    const last = rooms[rooms.length - 1]!;
    const calls: number[] = [];
    const writeMany = ha.store.writeMany.bind(ha.store);
    ha.store.writeMany = (writes) => {
      calls.push(writes.length);
      // The last room's players leave while the first 128 rooms' call waits for Redis.
      if (calls.length === 1) last.end();
      return writeMany(writes);
    };
    let lastReads = 0;
    const results = await Promise.all(
      rooms.map((room, i) =>
        save(room, () => {
          if (room === last) lastReads++;
          return body(["X", "", ""], ids[i]!);
        }),
      ),
    );
    assert.deepEqual(calls, [128, 1], "the rooms went out in two parts, the ended one left out of the second");
    assert.deepEqual(results.slice(0, -1), Array(129).fill("saved"));
    assert.equal(results[results.length - 1], "superseded");
    assert.equal(lastReads, 0, "the ended room is not read");
    assert.equal(await client.exists(`ha:snap:${ids[129]}`, `ha:owner:${ids[129]}`), 0, "no snapshot or owner key left behind");
    assert.equal(await client.sismember(`ha:rooms:${matchMaker.processId}`, ids[129]!), 0, "not among the process's rooms");
    assert.equal(await client.exists(`ha:snap:${ids[128]}`), 1, "the room before it in the second part landed");
  });

  it("Redis refusing writes without dropping the connection (out of memory): play goes on unsaved, and once a write lands again every room writes its snapshot again, the ones sitting still included", async () => {
    const lines: string[] = [];
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }), batchMs: 20 });
    const resaves = { o1: 0, o2: 0 };
    const attach = (roomId: "o1" | "o2") => ha.attach({ roomId, supersede: () => undefined, resave: () => void resaves[roomId]++ });
    const [still, moving] = [attach("o1"), attach("o2")];
    assert.equal(await save(still, () => body(["X", "", ""], "o1")), "saved");
    assert.equal(await save(moving, () => body(["O", "", ""], "o2")), "saved");
    await client.config("SET", "maxmemory", "1");
    try {
      // The room that will sit still makes a move Redis refuses: its players see it, unsaved.
      assert.equal(await save(still, () => body(["X", "O", ""], "o1")), "skipped");
      assert.equal(await save(moving, () => body(["O", "X", ""], "o2")), "skipped");
      assert.ok(lines.some((l) => l.includes("snapshots paused")), lines.join(""));
    } finally {
      await client.config("SET", "maxmemory", "0");
    }
    assert.equal(client.status, "ready", "the connection never dropped: no reconnection to write the rooms again");
    assert.deepEqual(resaves, { o1: 0, o2: 0 });
    assert.equal(await save(moving, () => body(["O", "X", "X"], "o2")), "saved", "the next move lands");
    assert.ok(lines.some((l) => l.includes("snapshots resumed")), lines.join(""));
    assert.deepEqual(resaves, { o1: 1, o2: 1 }, "every room is asked to write its snapshot again");
    assert.equal(await save(moving, () => body(["O", "X", "O"], "o2")), "saved");
    assert.deepEqual(resaves, { o1: 1, o2: 1 }, "once");
    // What the resave of the still room writes: its whole snapshot, with the move Redis refused.
    assert.equal(await save(still, () => body(["X", "O", ""], "o1")), "saved");
    assert.equal(await client.hget("ha:snap:o1", "g:board"), JSON.stringify(["X", "O", ""]));
    assert.ok(await client.hexists("ha:snap:o1", "seats"), "the whole snapshot, seats included");
  });

  it("Redis refusing writes and then taking them again while every room sits still: the next heartbeat resumes snapshots, and every room writes its snapshot again", async () => {
    const lines: string[] = [];
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "info" }, { write: (line: string) => void lines.push(line) }), batchMs: 20 });
    let resaves = 0;
    const room = ha.attach({ roomId: "p1", supersede: () => undefined, resave: () => void resaves++ });
    // The heartbeat the service runs every HA_CHECK_MS (started by start(), which this stand-in setting does not run).
    const beat = () => (ha as unknown as { beat(): Promise<void> }).beat();
    await client.config("SET", "maxmemory", "1");
    try {
      assert.equal(await save(room, () => body(["X", "", ""], "p1")), "skipped");
      await beat();
      assert.equal(resaves, 0, "not while Redis refuses writes");
    } finally {
      await client.config("SET", "maxmemory", "0");
    }
    await beat();
    assert.ok(lines.some((l) => l.includes("snapshots resumed")), lines.join(""));
    assert.equal(resaves, 1, "the room that sat still writes its snapshot again");
  });

  it("a room that ends while Redis cannot be reached: its snapshot is deleted once a heartbeat lands, so a later takeover cannot bring the ended game back", async () => {
    const lines: string[] = [];
    const own = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true });
    await own.connect();
    try {
      const ha = new HighAvailability({ redis: own, logger: pino({ level: "warn" }, { write: (line: string) => void lines.push(line) }), batchMs: 20 });
      const beat = () => (ha as unknown as { beat(): Promise<void> }).beat();
      const room = ha.attach({ roomId: "d1", supersede: () => undefined, resave: () => undefined });
      assert.equal(await save(room, () => body(["X", "O", "X"], "d1")), "saved");
      own.disconnect(); // the process loses Redis
      room.end();
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(lines.some((l) => l.includes("d1") && l.includes("deleted once Redis answers")), lines.join(""));
      assert.equal(await client.exists("ha:snap:d1"), 1, "still there while Redis is away");
      await own.connect();
      await beat();
      for (let i = 0; i < 50 && (await client.exists("ha:snap:d1", "ha:owner:d1")) > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await client.exists("ha:snap:d1", "ha:owner:d1"), 0, "deleted once a heartbeat landed");
      assert.equal(await client.sismember(`ha:rooms:${matchMaker.processId}`, "d1"), 0, "no longer among the rooms a survivor would take over");
    } finally {
      own.disconnect();
    }
  });

  it("a hand-over at the drain's end: another process can take a game only while it beats and is neither draining nor released (asked of Redis once the drain has settled); the handed room's snapshot stays in this process's set; leave() deletes the ended rooms still waiting for Redis first, then releases the process; a process that handed nothing over is forgotten", async () => {
    const own = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true });
    await own.connect();
    // A process id of its own (Colyseus's matchMaker is not set up here: its processId is unset).
    const me = "proc-h";
    const named = (ha: HighAvailability) => Object.defineProperty(ha, "me", { get: () => me });
    const internals = (ha: HighAvailability) => ha as unknown as { beat(): Promise<void>; unremoved: Map<string, number>; forget(roomId: string): void; takerAnswer?: unknown };
    try {
      await client.flushall();
      const ha = named(new HighAvailability({ redis: own, logger: pino({ level: "silent" }), batchMs: 0, deadAfterMs: 3000, address: "127.0.0.1:9" }));
      await internals(ha).beat();
      const room = ha.attach({ roomId: "h1", supersede: () => undefined, resave: () => undefined });
      assert.equal(await save(room, () => body(["X", "O", ""], "h1")), "saved");
      assert.equal(room.canHandOff(), true, "Redis answers, every write landed");
      const taker = async () => {
        internals(ha).takerAnswer = undefined; // asked anew (one answer serves the rooms asking within 250 ms)
        return room.findTaker();
      };
      assert.equal(await taker(), false, "no other process runs");
      await ha.store.beat("other");
      assert.equal(await taker(), true, "another process runs");
      await ha.store.draining("other");
      assert.equal(await taker(), false, "the other process drains too");
      await client.hdel("ha:draining", "other");
      await ha.store.release("other");
      assert.equal(await taker(), false, "the other process was released");
      await client.hdel("ha:released", "other");
      await ha.store.beat("other");

      // This process's drain: the answer waits until the drain has settled (a process told to stop at the same moment says so meanwhile).
      // The settling time runs from the drain's start, before its Redis write and this test's check.
      const began = performance.now();
      await ha.drainBegan();
      assert.equal(await client.hexists("ha:draining", me), 1, "the drain is recorded");
      internals(ha).takerAnswer = undefined;
      const answer = room.findTaker();
      await new Promise((r) => setTimeout(r, 300));
      await ha.store.draining("other"); // told to stop 300 ms after this one
      assert.equal(await answer, false, "the other process's drain, recorded within the settling time, is seen");
      assert.ok(performance.now() - began >= DRAIN_SETTLE_MS - 2, `answered after the drain settled (${Math.round(performance.now() - began)} ms after it began)`);
      await client.hdel("ha:draining", "other");

      // A room that ended while Redis could not be reached: its deletion waits.
      const ended = ha.attach({ roomId: "h2", supersede: () => undefined, resave: () => undefined });
      assert.equal(await save(ended, () => body(["X", "X", "X"], "h2")), "saved");
      internals(ha).forget("h2");
      internals(ha).unremoved.set("h2", 0);

      room.handOff();
      room.end(); // the handed room's disposal: its snapshot is not deleted
      await ha.leave();
      assert.equal(await client.exists("ha:snap:h2"), 0, "the ended room's snapshot is deleted before the release");
      assert.deepEqual(await client.smembers(`ha:rooms:${me}`), ["h1"], "the handed room is left for a survivor");
      assert.equal(await client.exists("ha:snap:h1"), 1);
      const { addresses, draining, released } = await ha.store.processes();
      assert.ok(released.has(me), "released");
      assert.equal(addresses.has(me), false, "no address to be asked at");
      assert.equal(draining.has(me), false);

      // Nothing handed over: forgotten.
      await ha.store.beat(me);
      await named(new HighAvailability({ redis: own, logger: pino({ level: "silent" }) })).leave();
      assert.equal((await ha.store.processes()).beats.has(me), false);
    } finally {
      own.disconnect();
    }
  });

  it("a write waiting for its batch when a heartbeat finds Redis emptied still lands: its room is not closed as taken over, and the resave writes the whole snapshot", async () => {
    // A long batch window: the write below waits in it while the heartbeat answers.
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 100 });
    const room = { roomId: "r1", supersede: () => superseded++, resave: () => resaves++ };
    let superseded = 0;
    let resaves = 0;
    const snapshots = ha.attach(room);
    assert.equal(await save(snapshots, () => body(["X", "", ""])), "saved", "the room's first write");

    await client.flushall(); // Redis restarted empty
    // Another room's move just before: the write below is not alone, so it waits for the window.
    void save(ha.attach({ roomId: "r0", supersede: () => undefined, resave: () => undefined }), () => body(["O", "", ""], "r0"));
    const waiting = save(snapshots, () => body(["X", "O", ""]));
    await ha.store.beat("heart"); // finds the data gone
    assert.equal(resaves, 1, "the loss asks the room to write its snapshot again");
    assert.equal(await waiting, "saved", "the write made before the loss was found lands all the same");
    assert.equal(superseded, 0, "nothing was closed");
    assert.notEqual(await client.get("ha:owner:r1"), null, "the room's owner key is back");
    // The resave (what the room does when asked): the whole snapshot, not the changed fields only.
    assert.equal(await save(snapshots, () => body(["X", "O", ""])), "saved");
    const fields = await client.hgetall("ha:snap:r1");
    assert.ok(fields.meta && fields.seats, `the whole snapshot is back: ${Object.keys(fields).join(", ")}`);
    assert.equal(fields["g:board"], JSON.stringify(["X", "O", ""]));
  });
});
