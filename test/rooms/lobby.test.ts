import assert from "node:assert/strict";
import type { Room as SdkRoom } from "@colyseus/sdk";
import type { RoomEntry } from "../../src/protocol/messages.js";
import { Redis } from "ioredis";
import { roomSuite } from "../helpers/rooms.js";
import { testServer } from "../helpers/server.js";

/** A lobby client: the latest `rooms` list, and a way to wait for one that satisfies a test. */
async function watchLobby(room: SdkRoom) {
  let latest: RoomEntry[] | undefined;
  const waiters: Array<() => void> = [];
  room.onMessage("rooms", (rooms: RoomEntry[]) => {
    latest = rooms;
    for (const w of waiters.splice(0)) w();
  });
  room.send("refresh"); // the first list may have come before the handler
  const until = async (predicate: (rooms: RoomEntry[]) => boolean, what: string, timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    while (!latest || !predicate(latest)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`lobby never showed ${what}; last list: ${JSON.stringify(latest)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, left);
      });
    }
    return latest;
  };
  return { until };
}

describe("Lobby", () => {
  const suite = roomSuite();

  it("lists a joinable room live, and drops it the moment it starts", async () => {
    const lobby = await watchLobby(await suite.colyseus.sdk.joinOrCreate("lobby"));
    const everything = await watchLobby(await suite.colyseus.sdk.joinOrCreate("lobby", { include: "all" }));
    const a = await suite.colyseus.sdk.create("tictactoe", { name: "Ada" });
    const shown = await lobby.until((rooms) => rooms.some((r) => r.roomId === a.roomId && r.players === 1), "the new room with its player");
    assert.deepEqual(shown.find((r) => r.roomId === a.roomId), { roomId: a.roomId, game: "tictactoe", players: 1, seats: 2, started: false, open: true, names: ["Ada"], settings: {} });

    await suite.colyseus.sdk.joinById(a.roomId, { name: "Bob" });
    await lobby.until((rooms) => !rooms.some((r) => r.roomId === a.roomId), "the started room gone from the joinable list");
    const all = await everything.until((rooms) => rooms.some((r) => r.roomId === a.roomId && r.started), "the started room, to watch");
    assert.deepEqual(all.find((r) => r.roomId === a.roomId), { roomId: a.roomId, game: "tictactoe", players: 2, seats: 2, started: true, open: false, names: ["Ada", "Bob"], settings: {} });
  });

  it("never lists a private room, and filters by game", async () => {
    const dice = await watchLobby(await suite.colyseus.sdk.joinOrCreate("lobby", { game: "dice" }));
    const hidden = await suite.colyseus.sdk.create("dice", { private: true });
    const ttt = await suite.colyseus.sdk.create("tictactoe");
    const listed = await suite.colyseus.sdk.create("dice");
    const rooms = await dice.until((list) => list.some((r) => r.roomId === listed.roomId), "the public dice room");
    assert.ok(!rooms.some((r) => r.roomId === hidden.roomId), "a private room stays hidden");
    assert.ok(!rooms.some((r) => r.roomId === ttt.roomId), "other games are filtered out");
    assert.ok(rooms.every((r) => r.game === "dice"));
  });

  it("drops a room from the list when it is disposed", async () => {
    const lobby = await watchLobby(await suite.colyseus.sdk.joinOrCreate("lobby"));
    const a = await suite.colyseus.sdk.create("owedrahn");
    await lobby.until((rooms) => rooms.some((r) => r.roomId === a.roomId), "the new room");
    await a.leave();
    await lobby.until((rooms) => !rooms.some((r) => r.roomId === a.roomId), "the disposed room gone");
  });

  it("GET /api/rooms/:id describes one room, private ones too (an invite page), with names and settings; 404 once it is gone", async () => {
    const api = (path: string) => fetch(`http://127.0.0.1:${suite.port}/api/rooms/${path}`);
    const a = await suite.colyseus.sdk.create("dice", { name: "Ada", private: true, targetScore: 5000, turnSeconds: 30 });
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 40 && (body.players ?? 0) !== 1; i++) {
      const res = await api(a.roomId);
      assert.equal(res.status, 200);
      body = (await res.json()) as Record<string, unknown>;
      if (body.players !== 1) await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(body, { roomId: a.roomId, game: "dice", players: 1, seats: 2, started: false, open: true, names: ["Ada"], settings: { targetScore: 5000, turnSeconds: 30 } });
    // Still never in the public list.
    const all = (await (await fetch(`http://127.0.0.1:${suite.port}/api/rooms?include=all`)).json()) as Array<{ roomId: string }>;
    assert.equal(all.some((r) => r.roomId === a.roomId), false);

    await a.leave();
    let gone = await api(a.roomId);
    for (let i = 0; i < 40 && gone.status !== 404; i++) {
      await new Promise((r) => setTimeout(r, 50));
      gone = await api(a.roomId);
    }
    assert.equal(gone.status, 404);
    assert.match(((await gone.json()) as { error: string }).error, /no such game/);
    assert.equal((await api("not a room id!")).status, 404, "a malformed id is just not found");
  });

  // In the Redis pass of npm test (TEST_PRESENCE=redis) only: in memory there is no listing to read whole.
  if (process.env.TEST_PRESENCE === "redis")
  it("GET /api/rooms/:id reads that one room's row: on Redis, 30 requests do not read the whole listing 30 times", async () => {
    const { redis } = await testServer();
    const client = new Redis(redis!.url);
    try {
      const calls = async () => {
        const stats = await client.info("commandstats");
        const count = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
        return { hgetall: count("hgetall"), hget: count("hget") };
      };
      const a = await suite.colyseus.sdk.create("dice", { name: "Ada" });
      const before = await calls();
      for (let i = 0; i < 30; i++) assert.equal((await fetch(`http://127.0.0.1:${suite.port}/api/rooms/${a.roomId}`)).status, 200);
      const after = await calls();
      assert.ok(after.hget - before.hget >= 30, `one row read a request (${after.hget - before.hget} HGET)`);
      assert.ok(after.hgetall - before.hgetall < 10, `${after.hgetall - before.hgetall} reads of the whole listing for 30 requests`);
      await a.leave();
    } finally {
      client.disconnect();
    }
  });
});
