/**
 * Which reconnects the matchmaking route answers at once while a room is taken over
 * (src/ha/unanswered.ts): a listed room with no process listening for it. The decision is
 * tested with each answer set by the test; the matchmaker's lookup against the test
 * server's matchmaker and a private redis-server; the whole through a SIGKILL in
 * test/scaling/failover.test.ts.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { Redis } from "ioredis";
import { matchmakerLookup, mayComeBack, unanswered, type RoomLookup } from "../../src/ha/unanswered.js";
import { suiteRedis } from "../helpers/redis.js";
import { testServer } from "../helpers/server.js";

function lookup(room: { local?: boolean; listed?: boolean | Error; listening?: boolean | Error; saved?: boolean | Error }): RoomLookup & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (what: string, value: boolean | Error | undefined) => {
    asked.push(what);
    if (value instanceof Error) throw value;
    return value ?? false;
  };
  return {
    asked,
    local: () => room.local ?? false,
    listed: () => answer("listed", room.listed),
    listening: () => answer("listening", room.listening),
    saved: () => answer("saved", room.saved),
  };
}

describe("A reconnect to a room being taken over (unanswered)", () => {
  it("a listed room nobody listens for is unanswered: its process died and it is not restored yet", async () => {
    assert.equal(await unanswered("r1", lookup({ listed: true, listening: false })), true);
  });

  it("a room some process listens for (alive, restored, or only stalled) is answered the usual way, without reading the listing", async () => {
    const l = lookup({ listed: true, listening: true });
    assert.equal(await unanswered("r1", l), false);
    assert.deepEqual(l.asked, ["listening"]);
  });

  it("a room that is not listed goes the usual way, saved or not (Colyseus answers 522 at once; the route asks mayComeBack then)", async () => {
    for (const saved of [false, true]) {
      const l = lookup({ listed: false, listening: false, saved });
      assert.equal(await unanswered("r1", l), false);
      assert.deepEqual(l.asked, ["listening", "listed"]);
    }
  });

  it("a listed room nobody listens for is unanswered without reading its snapshot", async () => {
    const l = lookup({ listed: true, listening: false, saved: false });
    assert.equal(await unanswered("r1", l), true);
    assert.deepEqual(l.asked, ["listening", "listed"]);
  });

  it("a room on this process is answered without asking Redis", async () => {
    const l = lookup({ local: true, listed: true, listening: false });
    assert.equal(await unanswered("r1", l), false);
    assert.deepEqual(l.asked, []);
  });

  it("when Redis cannot be asked, the reconnect goes the usual way", async () => {
    assert.equal(await unanswered("r1", lookup({ listed: new Error("Connection is closed.") })), false);
    assert.equal(await unanswered("r1", lookup({ listed: true, listening: new Error("Connection is closed.") })), false);
  });
});

describe("A reconnect Colyseus found unlisted (mayComeBack)", () => {
  it("may come back while its snapshot is in Redis, and when Redis cannot tell; not when there is none", async () => {
    assert.equal(await mayComeBack("r1", lookup({ saved: true })), true);
    assert.equal(await mayComeBack("r1", lookup({ saved: false })), false);
    assert.equal(await mayComeBack("r1", lookup({ saved: new Error("Connection is closed.") })), true);
  });
});

describe("The matchmaker's room lookup (matchmakerLookup)", () => {
  let client: Redis;
  let subscriber: Redis;
  // Before suiteRedis()'s: after hooks run in order, and the subscriber goes before its server.
  after(() => subscriber?.disconnect());
  const suite = suiteRedis();

  before(async () => {
    await testServer();
    client = suite.client;
    subscriber = new Redis(suite.redis.url);
  });

  it("a room on this process is local and listed; an unknown id is neither", async () => {
    const lookup = matchmakerLookup(client);
    const room = await matchMaker.createRoom("tictactoe", {});
    try {
      assert.equal(lookup.local(room.roomId), true);
      assert.equal(await lookup.listed(room.roomId), true);
      assert.equal(lookup.local("noSuchRoom1"), false);
      assert.equal(await lookup.listed("noSuchRoom1"), false, "another room's row does not count");
    } finally {
      await matchMaker.remoteRoomCall(room.roomId, "disconnect").catch(() => undefined);
    }
  });

  it("saved is whether the room's owner key is in Redis (ha:owner:<roomId>), only that room's", async () => {
    const lookup = matchmakerLookup(client);
    assert.equal(await lookup.saved("r77"), false, "no snapshot yet");
    await client.set("ha:owner:r77", "1|p1");
    assert.equal(await lookup.saved("r77"), true);
    assert.equal(await lookup.saved("r7"), false, "another room's key does not count");
    await client.del("ha:owner:r77");
    assert.equal(await lookup.saved("r77"), false, "gone once the room ended");
  });

  it("listening counts the subscribers of the room's presence channel ($<roomId>), only that channel's", async () => {
    const lookup = matchmakerLookup(client);
    assert.equal(await lookup.listening("r42"), false, "nobody subscribed yet");
    await subscriber.subscribe("$r42");
    assert.equal(await lookup.listening("r42"), true);
    assert.equal(await lookup.listening("r4"), false, "a channel whose name only starts the same is another room's");
    await subscriber.unsubscribe("$r42");
    assert.equal(await lookup.listening("r42"), false, "gone once its subscriber left");
  });
});
