/**
 * The players' HTTP API (src/players/routes.ts) over the real embedded database, through
 * real HTTP: what a leaderboard, a profile and a match look like, and every refusal.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import type { Logger } from "../../src/logger.js";
import { openDatabase, type PlayersDatabase } from "../../src/players/database.js";
import { LEADERBOARD_MAX } from "../../src/players/leaderboards.js";
import { playerRoutes } from "../../src/players/routes.js";
import { PlayerStore, type MatchRecord } from "../../src/players/store.js";

describe("Players' HTTP API (src/players/routes.ts)", function () {
  this.timeout(20000);
  let dataDir: string;
  let opened: PlayersDatabase;
  let store: PlayerStore;
  let server: Server;
  let base: string;
  const errors: unknown[] = [];
  const log = { error: (o: unknown) => errors.push(o) } as unknown as Logger;
  let ada: string;
  let bob: string;
  const matchIds: string[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "routes-test-"));
    opened = await openDatabase({ dataDir });
    store = new PlayerStore(opened);
    ada = (await store.createGuest("Ada")).id;
    bob = (await store.createGuest("Bob")).id;
    for (let i = 0; i < 6; i++) {
      const m: MatchRecord = {
        id: `route-m${i}`,
        game: "tictactoe",
        startedAt: 1_900_000_000_000 + i * 10_000,
        endedAt: 1_900_000_005_000 + i * 10_000,
        players: [
          { seat: 0, userId: ada, name: "Ada", placement: 1 },
          { seat: 1, userId: bob, name: "Bob", placement: 2 },
        ],
        result: { reason: "won", winner: "Ada" },
        log: [{ seat: 0, action: { type: "make_move", row: i % 3, col: 0 } }],
      };
      matchIds.push(m.id);
      await store.recordMatch(m);
    }
    const app = express();
    // A store whose queries fail, for the 503 case.
    const broken = { leaderboard: () => Promise.reject(new Error("connection refused: secret-host:5432")), profile: () => Promise.reject(new Error("x")), matchJson: () => Promise.reject(new Error("x")) };
    app.use("/broken", playerRoutes(broken, ["tictactoe"], log));
    app.use(playerRoutes(store, ["tictactoe", "dice"], log));
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    await opened?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (p: string) => {
    const res = await fetch(base + p);
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: (await res.json()) as any };
  };

  it("GET /api/leaderboard/:game ranks players with 5+ games; limit cuts it", async () => {
    const { status, body } = await get("/api/leaderboard/tictactoe");
    assert.equal(status, 200);
    assert.equal(body.game, "tictactoe");
    assert.deepEqual(
      body.entries.map((e: any) => [e.rank, e.userId, e.name, e.played, e.won]),
      [
        [1, ada, "Ada", 6, 6],
        [2, bob, "Bob", 6, 0],
      ],
    );
    assert.equal(typeof body.entries[0].rating, "number");
    assert.equal((await get("/api/leaderboard/tictactoe?limit=1")).body.entries.length, 1);
    assert.deepEqual((await get("/api/leaderboard/dice")).body, { game: "dice", minGames: 5, entries: [] }, "an empty board says how many games it takes");
  });

  it("GET /api/players/:id: name, guest, stats per game and the matches, newest first", async () => {
    const { status, body } = await get(`/api/players/${ada}`);
    assert.equal(status, 200);
    assert.equal(body.name, "Ada");
    assert.equal(body.guest, true);
    assert.deepEqual({ ...body.stats.tictactoe, rating: 0 }, { played: 6, won: 6, lost: 0, drawn: 0, rated: 6, rating: 0 });
    assert.deepEqual(
      body.matches.map((m: any) => m.id),
      [...matchIds].reverse(),
    );
    assert.deepEqual(Object.keys(body.matches[0]).sort(), ["endedAt", "game", "id", "placement", "players"]);
    assert.equal(body.email, undefined, "no email in a public profile");
  });

  it("GET /api/matches/:id: players, result and the action log", async () => {
    const { status, body } = await get(`/api/matches/${matchIds[2]}`);
    assert.equal(status, 200);
    assert.deepEqual(body.result, { reason: "won", winner: "Ada" });
    assert.deepEqual(body.log, [{ seat: 0, action: { type: "make_move", row: 2, col: 0 } }]);
    assert.deepEqual(body.players.map((p: any) => p.name), ["Ada", "Bob"]);
    assert.deepEqual(body, await store.match(matchIds[2]!), "the whole record, its log served as stored");
  });

  for (const [what, url, status, message] of [
    ["an unknown game", "/api/leaderboard/chess", 404, /no game "chess"/],
    ["a limit of 0", "/api/leaderboard/tictactoe?limit=0", 400, /limit/],
    [`a limit over ${LEADERBOARD_MAX}`, `/api/leaderboard/tictactoe?limit=${LEADERBOARD_MAX + 1}`, 400, /limit/],
    ["a limit that is not a number", "/api/leaderboard/tictactoe?limit=ten", 400, /limit/],
    ["an unknown player", "/api/players/nobody", 404, /no such player/],
    ["a malformed player id", `/api/players/${"x".repeat(65)}`, 400, /not a player id/],
    ["an unknown match", "/api/matches/nothing", 404, /no such match/],
    ["a malformed match id", "/api/matches/a%20b", 400, /not a match id/],
  ] as [string, string, number, RegExp][]) {
    it(`refuses ${what}: ${status} with { code, error }`, async () => {
      const res = await get(url);
      assert.equal(res.status, status);
      assert.match(res.type, /application\/json/);
      assert.equal(res.body.code, status);
      assert.match(res.body.error, message);
    });
  }

  it("a database failure is 503 with a generic message; the details are logged, not sent", async () => {
    const res = await get("/broken/api/leaderboard/tictactoe");
    assert.equal(res.status, 503);
    assert.doesNotMatch(JSON.stringify(res.body), /secret-host|refused/);
    assert.ok(errors.some((e) => JSON.stringify(e).includes("secret-host")));
  });
});
