/**
 * A signed-in player's running games (src/players/running-games.ts, GameRoom.awaySeat):
 * the index on a real presence, the route's refusals and clean-up, and end to end on real
 * server processes: a player whose page is gone (a closed tab: its connection dropped, its
 * saved seat with it) finds the game in GET /api/me/games and takes the seat back with the
 * token it gives; on two processes the room is asked across them; after a SIGKILL with
 * high availability the survivor's restored room answers.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LocalPresence } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import express from "express";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { RUNNING_GAMES_MAX, RunningGames, runningGamesRoutes, type AwaySeat, type RunningGamesSources } from "../../src/players/running-games.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { dropConnection, eventually } from "../helpers/clients.js";
import { FAILOVER_ENV, failoverSuite, ownerOf, seated, snapshotOf, type Seated } from "../helpers/failover.js";
import { guest, joinAs, type Guest } from "../helpers/match-records.js";
import { lineLogger, type LogLine } from "../helpers/log-lines.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

const JWT_SECRET = "running-games-test-secret-0123456789-abcdefghij";

/** GET /api/me/games on `server` with `token` (none: no Authorization header). */
async function myGames(server: { url: string }, token?: string, header?: string): Promise<{ status: number; body: { games?: AwaySeat[]; code?: number; error?: string } }> {
  const authorization = header ?? (token ? `Bearer ${token}` : undefined);
  const res = await fetch(`${server.url}/api/me/games`, { headers: authorization ? { Authorization: authorization } : {} });
  return { status: res.status, body: (await res.json()) as { games?: AwaySeat[] } };
}

const gamesOf = async (server: { url: string }, who: Guest) => {
  const { status, body } = await myGames(server, who.token);
  assert.equal(status, 200, `GET /api/me/games for ${who.name}: ${status} ${JSON.stringify(body)}`);
  return body.games!;
};

/** Ada creates a TicTacToe room through `via`, Bob joins it; resolves once the game has started. */
async function adaAndBob(via: ServerProcess, ada: Guest, bob: Guest, createOptions: Record<string, unknown> = {}) {
  const pa = await joinAs<Ttt>(via, "create", "tictactoe", { name: "Ada", ...createOptions }, ada);
  const pb = await joinAs<Ttt>(via, "joinById", pa.room.roomId, { name: "Bob" }, bob);
  await Promise.all([pa, pb].map((p) => p.until(() => p.state.phase === "playing", "the game start")));
  return { pa, pb };
}

/** The player on turn moves to the first empty cell; resolves once `watcher` sees it. */
async function oneMove(pa: Seated<Ttt>, pb: Seated<Ttt>, watcher: Seated<Ttt>) {
  const mover = pa.state.currentTurn === pa.id ? pa : pb;
  const cell = Array.from(mover.state.board).findIndex((c) => c === "");
  const filled = Array.from(watcher.state.board).filter((c) => c !== "").length;
  mover.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
  await watcher.until(() => Array.from(watcher.state.board).filter((c) => c !== "").length === filled + 1, "the move");
}

describe("A signed-in player's running games: GET /api/me/games (src/players/running-games.ts)", function () {
  this.timeout(60000);

  describe("the index, on Colyseus's in-memory presence", () => {
    it("lists the rooms a player sits in until they leave them, each player their own, at most RUNNING_GAMES_MAX", async () => {
      const index = new RunningGames(new LocalPresence(), lineLogger([]), false);
      index.seated("ada", "room1", "tictactoe");
      index.seated("ada", "room2", "dice");
      index.seated("bob", "room1", "tictactoe");
      await eventually(async () => (await index.rooms("ada")).length === 2, "Ada's two rooms");
      assert.deepEqual((await index.rooms("ada")).sort(), ["room1", "room2"]);
      assert.deepEqual(await index.rooms("bob"), ["room1"]);
      assert.deepEqual(await index.rooms("carol"), [], "nobody else's rooms");
      index.left("ada", "room1");
      await eventually(async () => (await index.rooms("ada")).length === 1, "Ada left room1");
      assert.deepEqual(await index.rooms("ada"), ["room2"]);
      assert.deepEqual(await index.rooms("bob"), ["room1"], "Bob still sits in room1");
      for (let i = 0; i < RUNNING_GAMES_MAX + 5; i++) index.seated("dan", `r${i}`, "dice");
      await eventually(async () => (await index.rooms("dan")).length === RUNNING_GAMES_MAX, `at most ${RUNNING_GAMES_MAX} rooms read`);
    });

    it("a failed write is logged, and the seat's game goes on (nothing thrown)", async () => {
      const lines: LogLine[] = [];
      const failing = { hset: () => Promise.reject(new Error("redis away")), hdel: () => Promise.reject(new Error("redis away")), hgetall: () => Promise.resolve({}), expire: () => undefined };
      const index = new RunningGames(failing, lineLogger(lines), true);
      assert.doesNotThrow(() => index.seated("ada", "room1", "tictactoe"));
      assert.doesNotThrow(() => index.left("ada", "room1"));
      await eventually(() => lines.filter((l) => l.msg === "running games index: write failed").length === 2, "both failures logged");
      assert.deepEqual(
        lines.map((l) => l.fields.what).sort(),
        ["left", "seated"],
      );
    });
  });

  describe("the route, over real HTTP", () => {
    let server: Server;
    let base: { url: string };
    let sources: RunningGamesSources;
    const forgotten: string[] = [];
    const seat = (roomId: string): AwaySeat => ({ roomId, game: "dice", reconnectionToken: `${roomId}:tok`, private: false, until: 1 });

    before(async () => {
      const app = express();
      app.use(
        runningGamesRoutes(
          {
            index: { rooms: (userId) => sources.index.rooms(userId), left: (userId, roomId) => sources.index.left(userId, roomId) },
            signedIn: (req) => sources.signedIn(req),
            ask: (roomId, userId) => sources.ask(roomId, userId),
            gone: (roomId) => sources.gone(roomId),
          },
          lineLogger([]),
        ),
      );
      server = app.listen(0, "127.0.0.1");
      await new Promise((r) => server.once("listening", r));
      base = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    });
    after(() => void server.close());

    beforeEach(() => {
      forgotten.length = 0;
      sources = {
        index: { rooms: async () => ["away", "here", "gone", "silent"], left: (_u, roomId) => void forgotten.push(roomId) },
        signedIn: async (req) => (req.headers.authorization === "Bearer good" ? { id: "ada" } : undefined),
        // "away": Ada's seat is held; "here": she is connected; "gone" and "silent" do not answer.
        ask: async (roomId, userId) => {
          assert.equal(userId, "ada", "each room is asked about the signed-in player");
          if (roomId === "away") return seat(roomId);
          if (roomId === "here") return null;
          throw new Error("remote room timed out");
        },
        gone: async (roomId) => roomId === "gone",
      };
    });

    it("refuses a request without a valid token (401, with a code)", async () => {
      for (const header of [undefined, "Bearer bad", "Basic good", "good"]) {
        const { status, body } = await myGames(base, undefined, header);
        assert.equal(status, 401, `Authorization: ${String(header).slice(0, 20)}`);
        assert.equal(body.code, 401);
        assert.match(body.error ?? "", /Sign in first/);
      }
    });

    it("lists only the seats a room says are held; forgets a room gone for good, keeps one that is silent but may come back (restored on a survivor)", async () => {
      const { status, body } = await myGames(base, "good");
      assert.equal(status, 200);
      assert.deepEqual(body.games, [seat("away")]);
      assert.deepEqual(forgotten, ["gone"]);
    });

    it("a failed lookup is 503 with a generic message", async () => {
      sources.index.rooms = async () => {
        throw new Error("ECONNREFUSED 10.0.0.7:6379");
      };
      const { status, body } = await myGames(base, "good");
      assert.equal(status, 503);
      assert.equal(body.code, 503);
      assert.doesNotMatch(body.error ?? "", /ECONNREFUSED|10\.0\.0\.7/, "nothing internal leaks");
    });
  });

  describe("one server process (embedded database)", () => {
    let server: ServerProcess;
    const open: Seated<any>[] = [];

    before(async () => {
      server = await startServer({ redisUrl: "", env: { JWT_SECRET, RECONNECT_SECONDS: "30", LOG_LEVEL: "info" } });
    });
    afterEach(async function () {
      if (this.currentTest?.state === "failed") console.log(`--- server log:\n${server.lines.slice(-40).join("\n")}\n${server.stderr().slice(-2000)}`);
      await Promise.all(open.splice(0).map((p) => Promise.race([p.room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
    });
    after(() => stopAllServers());

    it("a player whose page is gone finds the game and takes the seat back with its token, where the game went on; nobody else sees it", async () => {
      const [ada, bob, carol] = await Promise.all([guest(server, "Ada"), guest(server, "Bob"), guest(server, "Carol")]);
      const { pa, pb } = await adaAndBob(server, ada, bob);
      open.push(pa, pb);
      await oneMove(pa, pb, pa);
      assert.deepEqual(await gamesOf(server, ada), [], "connected: not offered (another tab of hers may be playing it)");

      // Ada's tab closes: her connection drops, and with it the seat the page kept.
      const roomId = pa.room.roomId;
      dropConnection(pa.room);
      await pb.until(() => ((snapshotOf(pb) as { players: Record<string, { awayUntil?: number }> }).players[pa.id]?.awayUntil ?? 0) > 0, "Ada away");
      const games = await gamesOf(server, ada);
      assert.equal(games.length, 1, "her game is offered");
      const g = games[0]!;
      assert.equal(g.roomId, roomId);
      assert.equal(g.game, "tictactoe");
      assert.equal(g.private, false);
      assert.ok(g.until > Date.now() && g.until <= Date.now() + 31_000, "until her window ends");
      assert.ok(g.reconnectionToken.startsWith(`${roomId}:`), "a token for client.reconnect()");
      assert.deepEqual(await gamesOf(server, bob), [], "Bob is connected");
      assert.deepEqual(await gamesOf(server, carol), [], "Carol sits nowhere");
      assert.equal((await myGames(server)).status, 401, "no token, no list");
      // Ada registers (from another device, say): her record and her game move along; the guest token is done.
      const reg = await fetch(`${server.url}/auth/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${ada.token}` },
        body: JSON.stringify({ email: `ada-${Date.now()}@example.org`, password: "correct horse battery" }),
      });
      assert.equal(reg.status, 201, `register: ${reg.status}`);
      const registered = { ...ada, token: ((await reg.json()) as { token: string }).token };
      assert.equal((await myGames(server, ada.token)).status, 401, "the guest's token names nobody now");
      assert.deepEqual(await gamesOf(server, registered), games, "the registered player's game is her guest's");

      // Meanwhile Bob moves if it is his turn; Ada comes back to the game as it is now.
      if (pb.state.currentTurn === pb.id) {
        const cell = Array.from(pb.state.board).findIndex((c) => c === "");
        pb.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
        await pb.until(() => pb.state.currentTurn === pa.id, "Bob's move");
      }
      const back = seated(await new Client(server.url).reconnect<Ttt>(g.reconnectionToken));
      open.push(back);
      await back.synced();
      assert.equal(back.id, pa.id, "her own seat, not a new one");
      await back.until(() => Array.from(back.state.board).join() === Array.from(pb.state.board).join(), "the board as Bob sees it");
      assert.equal(back.state.currentTurn, back.id, "her turn");
      assert.deepEqual(await gamesOf(server, registered), [], "connected again: not offered");
      // And she plays on.
      const cell = Array.from(back.state.board).findIndex((c) => c === "");
      const filled = Array.from(pb.state.board).filter((c) => c !== "").length;
      back.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
      await pb.until(() => Array.from(pb.state.board).filter((c) => c !== "").length === filled + 1, "Ada's move after coming back");
    });

    it("a private room's game is offered with private: true (from which the page that takes the seat back shows its 'private' badge)", async () => {
      const [ada, bob] = await Promise.all([guest(server, "Ada"), guest(server, "Bob")]);
      const { pa, pb } = await adaAndBob(server, ada, bob, { private: true });
      open.push(pb);
      dropConnection(pa.room);
      await pb.until(() => ((snapshotOf(pb) as { players: Record<string, { awayUntil?: number }> }).players[pa.id]?.awayUntil ?? 0) > 0, "Ada away");
      const games = await gamesOf(server, ada);
      assert.deepEqual(games.map((g) => [g.roomId, g.private]), [[pa.room.roomId, true]]);
    });

    it("only a running game is offered: not one the player left, nor a finished one, nor a room still waiting for players", async () => {
      const [ada, bob, carol] = await Promise.all([guest(server, "Ada"), guest(server, "Bob"), guest(server, "Carol")]);
      const drops = () => server.logs().filter((l) => l.msg === "connection dropped; seat held").length;
      // Carol waits for an opponent, and her connection drops.
      const pc = await joinAs<Ttt>(server, "create", "tictactoe", { name: "Carol" }, carol);
      open.push(pc);
      let before = drops();
      dropConnection(pc.room);
      await eventually(() => drops() === before + 1, "Carol's drop noticed");
      assert.deepEqual(await gamesOf(server, carol), [], "a room waiting for players is not offered");

      const { pa, pb } = await adaAndBob(server, ada, bob);
      open.push(pb);
      await pa.room.leave(true);
      await pb.until(() => pb.state.phase === "over", "the forfeit");
      before = drops();
      dropConnection(pb.room);
      await eventually(() => drops() === before + 1, "Bob's drop noticed");
      assert.deepEqual(await gamesOf(server, ada), [], "Ada left: her seat is gone");
      assert.deepEqual(await gamesOf(server, bob), [], "Bob's seat is held, but the game is over");
    });
  });

  describe("several processes on Redis, one shared PostgreSQL", () => {
    let pg: TestPostgres;
    before(async () => {
      pg = await startPostgres();
    });
    after(async () => {
      await pg?.stop();
    });
    const suite = failoverSuite({ ...FAILOVER_ENV, JWT_SECRET });

    it("asked through a process that does not run the room; after a SIGKILL of its process, the survivor's restored room offers every seat", async () => {
      const [p0, p1] = await suite.start(2, { DATABASE_URL: pg.url, SNAPSHOTS: "on" });
      const [ada, bob] = await Promise.all([guest(p0!, "Ada"), guest(p0!, "Bob")]);
      const { pa, pb } = await adaAndBob(p0!, ada, bob);
      suite.track(pa, pb);
      await oneMove(pa, pb, pb);
      const owner = ownerOf(pa.room, suite.processes);
      const other = suite.processes.find((p) => p !== owner)!;

      assert.deepEqual(await suite.redis.hgetall(`running:${ada.id}`), { [pa.room.roomId]: "tictactoe" }, "the index in Redis: Ada sits in this room");
      const ttl = await suite.redis.ttl(`running:${ada.id}`);
      assert.ok(ttl > 6 * 86_400 && ttl <= 7 * 86_400, `the entry expires in a week (TTL ${ttl} s)`);
      dropConnection(pa.room);
      await eventually(async () => (await gamesOf(other, ada)).length === 1, "Ada's game, asked through the other process");
      const g = (await gamesOf(other, ada))[0]!;
      assert.equal(g.roomId, pa.room.roomId);
      const back = seated(await new Client(other.url).reconnect<Ttt>(g.reconnectionToken));
      suite.track(back);
      await back.synced();
      assert.equal(back.id, pa.id);
      assert.equal(ownerOf(back.room, suite.processes), owner, "back in the room where it runs");
      assert.deepEqual(await gamesOf(other, ada), []);

      // The room's process dies with both pages gone: the survivor restores the room, and
      // both players find it there (their saved tokens died with their pages).
      const board = Array.from(pb.state.board).join();
      back.room.removeAllListeners();
      pb.room.removeAllListeners();
      owner.kill("SIGKILL");
      for (const who of [ada, bob]) {
        await eventually(async () => (await gamesOf(other, who)).length === 1, `${who.name}'s game offered by the survivor`, 15000);
      }
      const found = await Promise.all([ada, bob].map(async (who) => (await gamesOf(other, who))[0]!));
      const resumed = await Promise.all(found.map(async (f) => seated(await new Client(other.url).reconnect<Ttt>(f.reconnectionToken))));
      suite.track(...resumed);
      await Promise.all(resumed.map((p) => p.synced()));
      assert.deepEqual(
        resumed.map((p) => p.id),
        [pa.id, pb.id],
        "each in their own seat",
      );
      assert.equal(Array.from(resumed[0]!.state.board).join(), board, "the board as it was");
      assert.equal(ownerOf(resumed[0]!.room, suite.processes), other);
      // Both leave: the room ends, and the index forgets it.
      await Promise.all(resumed.map((p) => p.room.leave(true)));
      for (const who of [ada, bob]) await eventually(async () => Object.keys(await suite.redis.hgetall(`running:${who.id}`)).length === 0, `${who.name}'s entry gone with the room`);
    });
  });
});
