/**
 * The high-availability service (src/ha/service.ts) on a real (private) redis-server, with
 * a stand-in room: what happens to a write that was waiting for its batch when Redis was
 * found to have lost its data.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import pino from "pino";
import { HighAvailability, type SnapshotBody } from "../../src/ha/service.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

const body = (board: string[]): SnapshotBody => ({
  roomId: "r1",
  roomName: "tictactoe",
  options: {},
  host: "",
  game: { board, turn: "s1" },
  seats: [{ sessionId: "s1", token: "t1", name: "Ada" }],
  turn: null,
  scheduled: [],
  history: { seq: 0, game: 0, entries: [] },
});

describe("HighAvailability (src/ha/service.ts) on redis-server", function () {
  this.timeout(20000);
  let redis: TestRedis;
  let client: Redis;

  before(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { enableOfflineQueue: false, lazyConnect: true });
    await client.connect();
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it("a write waiting for its batch when a heartbeat finds Redis emptied still lands: its room is not closed as taken over, and the resave writes the whole snapshot", async () => {
    // A long batch window: the write below waits in it while the heartbeat answers.
    const ha = new HighAvailability({ redis: client, logger: pino({ level: "silent" }), batchMs: 100 });
    const room = { roomId: "r1", supersede: () => superseded++, resave: () => resaves++ };
    let superseded = 0;
    let resaves = 0;
    const snapshots = ha.attach(room);
    assert.equal(await snapshots.write(body(["X", "", ""])), "saved", "the room's first write");

    await client.flushall(); // Redis restarted empty
    const waiting = snapshots.write(body(["X", "O", ""]));
    await ha.store.beat("heart"); // finds the data gone
    assert.equal(resaves, 1, "the loss asks the room to write its snapshot again");
    assert.equal(await waiting, "saved", "the write made before the loss was found lands all the same");
    assert.equal(superseded, 0, "nothing was closed");
    assert.notEqual(await client.get("ha:owner:r1"), null, "the room's owner key is back");
    // The resave (what the room does when asked): the whole snapshot, not the changed fields only.
    assert.equal(await snapshots.write(body(["X", "O", ""])), "saved");
    const fields = await client.hgetall("ha:snap:r1");
    assert.ok(fields.meta && fields.seats, `the whole snapshot is back: ${Object.keys(fields).join(", ")}`);
    assert.equal(fields["g:board"], JSON.stringify(["X", "O", ""]));
  });
});
