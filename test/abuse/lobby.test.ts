/**
 * Issue 18, findings 1 and 5: the lobby could hang the process for good (a refresh pass
 * cost lobby clients × rooms, never yielded, looped while notices arrived, and kept
 * closed sockets), and a 10-byte `refresh` returned the whole list. Real server process at
 * its default limits; held rooms and lobby sockets come from many addresses.
 */
import assert from "node:assert/strict";
import { CLOSE_FLOODING, MatchmakingStatus } from "../../src/protocol/errors.js";
import type { RoomEntry } from "../../src/protocol/messages.js";
import { address, clientFrom, healthMs, HonestGame, percentile, startDefaultServer } from "../helpers/abuse.js";
import { eventually, Player, refusedWith } from "../helpers/clients.js";
import { stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { startLoad } from "../helpers/load-process.js";

const PASSWORD = "monitor-password-for-tests";

/** How many clients the monitor shows in this process's lobby room. */
async function lobbyClients(server: ServerProcess): Promise<number> {
  const res = await fetch(`${server.url}/monitor/api`, { headers: { Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}` } });
  const body = (await res.json()) as { rooms: { name: string; clients: number }[] };
  return body.rooms.filter((r) => r.name === "lobby").reduce((n, r) => n + r.clients, 0);
}


describe("Abuse: the lobby (issue 18, findings 1 and 5)", function () {
  this.timeout(120000);
  afterEach(stopAllServers);

  it("under room churn with many rooms and lobby sockets, stays responsive and forgets closed sockets", async () => {
    const server = await startDefaultServer({ MONITOR_PASSWORD: PASSWORD });
    const load = startLoad(server.url);
    try {
      const ROOMS = 200;
      const LOBBIES = 80;
      // Rooms held by a waiting player each, and lobby sockets (4 per address, the cap),
      // from a separate process: this one only times the honest game and /health.
      let stats = await load.run({ op: "holdRooms", n: ROOMS, base: 1000 });
      assert.equal(stats.rooms, ROOMS, stats.errors.join("; "));
      stats = await load.run({ op: "lobbySockets", n: LOBBIES, base: 2000 });
      assert.equal(stats.lobbies, LOBBIES, stats.errors.join("; "));
      await assert.rejects(clientFrom(server, address(2000)).join("lobby", { include: "all" }), refusedWith(MatchmakingStatus.RATE_LIMITED, /lobby connections per address/), "a fifth lobby socket from one address is refused");
      await eventually(async () => (await load.run({ op: "stats" })).lobbyMessages.every((n) => n > 0), "every lobby socket got the list", 10_000);

      // Churn for 5 s: rooms leave and new ones open, ten a second, while an honest game plays.
      const game = await HonestGame.start(server);
      const before = (await load.run({ op: "stats" })).lobbyMessages;
      const health: number[] = [];
      let churning = true;
      const churn = load.run({ op: "churn", perTick: 4, ms: 5000, base: 3000 }).finally(() => (churning = false));
      const probe = (async () => {
        while (churning) {
          health.push(await healthMs(server));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const latencies = await game.playWhile(churn);
      await probe;
      stats = await churn;
      const pushes = stats.lobbyMessages.map((n, i) => n - before[i]!);
      console.log(`      ${ROOMS} rooms, ${LOBBIES} lobby sockets, churn: /health p99 ${percentile(health, 99).toFixed(1)} ms, honest moves p99 ${percentile(latencies, 99).toFixed(1)} ms (${latencies.length}), lobby updates per socket in 5 s: ${Math.min(...pushes)}–${Math.max(...pushes)}`);
      assert.ok(percentile(health, 99) < 100, "/health answers in under 100 ms");
      assert.ok(percentile(latencies, 99) < 50, "an honest game keeps its move latency");
      // Changes are coalesced: at most one update per LOBBY_THROTTLE_MS (500 ms).
      assert.ok(Math.max(...pushes) <= 5000 / 500 + 4, "lobby updates are coalesced");
      assert.ok(Math.min(...pushes) >= 1, "every lobby socket saw the churn");
      assert.ok(Math.max(...stats.lastListSizes) <= 50, "a list holds at most LISTING_MAX_ROOMS (50) entries");

      // Sockets that go away without a goodbye leave the lobby at once.
      assert.equal(await lobbyClients(server), LOBBIES);
      await load.run({ op: "closeLobbies", n: 60 });
      await eventually(async () => (await lobbyClients(server)) === LOBBIES - 60, "the lobby forgets closed sockets", 10_000);
      await game.leave();
    } finally {
      await load.stop();
    }
  });

  it("rate-limits refresh: a refresh flood gets no more than a burst of lists, then is cut", async () => {
    const server = await startDefaultServer();
    await Promise.all(Array.from({ length: 30 }, (_, i) => clientFrom(server, address(100 + i)).create("tictactoe", { name: "Holder" })));
    const lobby = new Player(await clientFrom(server, address(200)).join("lobby", { include: "all" }));
    lobby.room.reconnection.enabled = false;
    await lobby.nth("rooms", 1);
    for (let i = 0; i < 100; i++) lobby.send("refresh");
    await lobby.until(() => lobby.left !== undefined, "cut", 5000);
    assert.equal(lobby.left, CLOSE_FLOODING);
    const lists = lobby.all("rooms") as RoomEntry[][];
    assert.ok(lists.length <= 3, `the first list and at most the burst of 2 refreshes (got ${lists.length})`);
  });

  it("clients only join the server's lobby: create is refused, and joinOrCreate joins the one lobby", async () => {
    const server = await startDefaultServer();
    const create = await fetch(`${server.url}/matchmake/create/lobby`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    assert.equal(create.status, 403);
    const rooms = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const room = await clientFrom(server, address(300 + i)).joinOrCreate("lobby", {});
      room.onMessage("rooms", () => undefined);
      rooms.add(room.roomId);
      await room.leave(true);
    }
    assert.equal(rooms.size, 1, "one lobby room per process");
  });
});
