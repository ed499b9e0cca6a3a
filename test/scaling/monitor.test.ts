/**
 * The /monitor dashboard against a real server process (src/index.ts, no Redis) and real
 * SDK clients: it is read-only (room methods cannot be called from it, only GET/HEAD
 * pass), its login is rate-limited and logged, and every answer carries the headers that
 * keep it out of frames, caches and referrers.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { eventually, Player } from "../helpers/clients.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";

type Ttt = TicTacToeState;

const PASSWORD = "correct-horse";
const WRONG_PASSWORD = "wrong-horse-3f9a1c";
const ROOM_CALL_ERROR = "the monitor is read-only: room methods cannot be called from it";

function basic(user: string, password: string) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
const RIGHT = { Authorization: basic("admin", PASSWORD) };
const WRONG = { Authorization: basic("admin", WRONG_PASSWORD) };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function request(server: ServerProcess, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, { method: options.method ?? "GET", headers: options.headers, body: options.body, redirect: "manual" });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function json(answer: Answer): any {
  return JSON.parse(answer.text);
}

function callPath(roomId: string, method: string, args: unknown[] = []) {
  const q = new URLSearchParams({ roomId, method, args: JSON.stringify(args) });
  return `/monitor/api/room/call?${q.toString()}`;
}

function assertSecurityHeaders(answer: Answer, what: string) {
  assert.equal(answer.headers.get("cache-control"), "no-store", `${what}: Cache-Control`);
  assert.equal(answer.headers.get("x-frame-options"), "DENY", `${what}: X-Frame-Options`);
  assert.equal(answer.headers.get("content-security-policy"), "frame-ancestors 'none'", `${what}: Content-Security-Policy`);
  assert.equal(answer.headers.get("referrer-policy"), "no-referrer", `${what}: Referrer-Policy`);
}

const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");


describe("Monitor (read-only, rate-limited login)", function () {
  this.timeout(60000);
  const openRooms: SdkRoom[] = [];

  afterEach(async () => {
    await Promise.all(openRooms.splice(0).map((r) => r.leave().catch(() => undefined)));
    await stopAllServers();
  });

  async function enter(pending: Promise<SdkRoom>): Promise<Player<Ttt>> {
    const room = await pending;
    openRooms.push(room);
    let initial = false;
    room.onStateChange(() => (initial = true));
    const player = new Player<Ttt>(room);
    await player.until(() => initial, "initial state");
    return player;
  }

  /** A TicTacToe game with two players; [first, second] in turn order. */
  async function game(server: ServerProcess) {
    const a = await enter(new Client(server.url).create("tictactoe", { name: "Alice" }));
    const roomId = a.room.roomId;
    const b = await enter(new Client(server.url).joinById(roomId, { name: "Bob" }));
    await a.until(() => a.state.phase === "playing", "game start");
    await b.until(() => b.state.phase === "playing", "game start");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    return { roomId, a, b, first, second };
  }

  /** `p` moves; both players see the board change. */
  async function move(p: Player<Ttt>, players: Player<Ttt>[], row: number, col: number) {
    assert.equal(p.state.currentTurn, p.id, "the mover is on turn");
    const before = players.map(board);
    p.send("make_move", { row, col });
    await Promise.all(players.map((w, i) => w.until(() => board(w) !== before[i], `board change after (${row},${col})`)));
  }

  function assertConnected(players: Player<Ttt>[]) {
    for (const p of players) {
      assert.equal(p.left, undefined, `${p.id} was not sent away`);
      for (const q of players) assert.equal(p.state.players.get(q.id)?.connected, true, `${p.id} sees ${q.id} connected`);
    }
  }

  it("refuses every room-method call (the reproduced attack): 403, and both players stay connected and keep playing", async () => {
    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD } });
    const { roomId, a, b, first, second } = await game(server);

    const attacks: Array<[string, unknown[]]> = [
      ["disconnect", []],
      ["_forciblyCloseClient", [a.id, 4000]],
      ["_forceClientDisconnect", [b.id]],
      ["_sendMessageToClient", [a.id, "error", { code: "FAKE", message: "fake error" }]],
      ["_onLeave", [a.id]],
      ["lock", []],
      ["setPrivate", [true]],
      ["onJoin", [{ sessionId: "x" }, { name: "" }]],
      ["getInspectData", []],
    ];
    for (const [method, args] of attacks) {
      const answer = await request(server, callPath(roomId, method, args), { headers: RIGHT });
      assert.equal(answer.status, 403, `${method}: ${answer.text}`);
      assert.deepEqual(json(answer), { error: ROOM_CALL_ERROR }, method);
    }
    // Other spellings of the same route never reach the package either.
    const query = `?roomId=${roomId}&method=disconnect&args=[]`;
    for (const path of ["/api/room/call/", "/API/Room/Call", "/api/room/%63all", "/api//room/call", "/api/room/call;x", "/api/room/call/..%2f"]) {
      const answer = await request(server, `/monitor${path}${query}`, { headers: RIGHT });
      assert.ok(answer.status === 403 || answer.status === 404, `${path}: ${answer.status} ${answer.text}`);
    }
    // Without credentials the call is not even considered.
    assert.equal((await request(server, callPath(roomId, "disconnect"))).status, 401);

    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 1);
    await move(first, [a, b], 0, 1);
    assertConnected([a, b]);
    assert.equal(a.state.phase, "playing");
    assert.equal(a.all("error").length + b.all("error").length, 0, "no (fake) error reached the players");
    const listed = json(await request(server, "/monitor/api", { headers: RIGHT }));
    const entry = listed.rooms.find((r: { roomId: string }) => r.roomId === roomId);
    assert.ok(entry, "the room is still listed");
    assert.equal(entry.clients, 2);
  });

  it("refuses _editStateProperty / _deleteStateProperty with a __proto__ path; rooms can still be created", async () => {
    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD } });
    const { roomId, a, b, first } = await game(server);

    const paths = [
      ["__proto__", "__proto__", "__proto__", "polluted"],
      ["__proto__", "polluted"],
      ["constructor", "prototype", "polluted"],
      ["players", "__proto__", "polluted"],
    ];
    for (const path of paths) {
      for (const [method, args] of [
        ["_editStateProperty", [path, true]],
        ["_deleteStateProperty", [path]],
      ] as const) {
        const answer = await request(server, callPath(roomId, method, [...args]), { headers: RIGHT });
        assert.equal(answer.status, 403, `${method} ${path.join(".")}`);
        assert.deepEqual(json(answer), { error: ROOM_CALL_ERROR });
      }
    }
    // A polluted Object.prototype made every room creation fail (523); it still works.
    const c = await enter(new Client(server.url).create("tictactoe", { name: "Carol" }));
    assert.equal(c.state.phase, "waiting");
    assert.notEqual(c.room.roomId, roomId);
    assert.equal((await request(server, "/health")).status, 200);
    await move(first, [a, b], 2, 2);
    const inspected = json(await request(server, `/monitor/api/room?roomId=${roomId}`, { headers: RIGHT }));
    assert.equal(inspected.state.polluted, undefined);
    assert.equal(inspected.state.players.polluted, undefined);
  });

  it("answers 405 to every method but GET/HEAD, even with the right password", async () => {
    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD } });
    const c = await enter(new Client(server.url).create("tictactoe", { name: "Carol" }));
    const roomId = c.room.roomId;
    const paths = ["/monitor/", "/monitor/api", `/monitor/api/room?roomId=${roomId}`, callPath(roomId, "disconnect"), "/monitor/anything"];
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      for (const path of paths) {
        const body = method === "DELETE" ? undefined : JSON.stringify({ roomId, method: "disconnect", args: [] });
        const answer = await request(server, path, { method, headers: { ...RIGHT, "Content-Type": "application/json" }, body });
        assert.equal(answer.status, 405, `${method} ${path}: ${answer.text}`);
        assert.deepEqual(json(answer), { error: "the monitor is read-only" });
        assertSecurityHeaders(answer, `${method} ${path}`);
      }
    }
    assert.equal(c.left, undefined);
    assert.equal((await request(server, `/monitor/api/room?roomId=${roomId}`, { headers: RIGHT })).status, 200, "the room is still there");
  });

  it("still lists rooms, inspects one room, and serves the panel's page and assets", async () => {
    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD } });
    const { roomId, a, b, first } = await game(server);
    await move(first, [a, b], 1, 1);

    const list = await request(server, "/monitor/api", { headers: RIGHT });
    assert.equal(list.status, 200);
    const listed = json(list);
    assert.ok(Array.isArray(listed.rooms));
    assert.ok(listed.rooms.some((r: { roomId: string; name: string }) => r.roomId === roomId && r.name === "tictactoe"), list.text);

    const one = await request(server, `/monitor/api/room?roomId=${encodeURIComponent(roomId)}`, { headers: RIGHT });
    assert.equal(one.status, 200, one.text);
    const inspected = json(one);
    assert.equal(inspected.roomId, roomId);
    assert.equal(inspected.state.phase, "playing");
    assert.equal(inspected.state.board[4], a.state.board[4]);
    assert.notEqual(inspected.state.board[4], "");
    assert.deepEqual(Object.keys(inspected.state.players).sort(), [a.id, b.id].sort());
    assert.deepEqual(inspected.clients.map((c: { sessionId: string }) => c.sessionId).sort(), [a.id, b.id].sort());

    // A bad or repeated roomId never reaches the matchmaker.
    for (const q of ["", "?roomId=", "?roomId=__proto__", "?roomId=constructor", `?roomId=${roomId}&roomId=other`, "?roomId=a%2Fb"]) {
      assert.equal((await request(server, `/monitor/api/room${q}`, { headers: RIGHT })).status, 400, q);
    }

    const page = await request(server, "/monitor/", { headers: RIGHT });
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(page.text, /<html/i);
    const redirect = await request(server, "/monitor", { headers: RIGHT });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get("location"), "/monitor/");

    // The page loads its assets relatively (./assets/…) and calls `<page>/api…`.
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.some((p) => p.endsWith(".js")), page.text);
    for (const asset of assets) {
      const answer = await request(server, `/monitor/${asset}`, { headers: RIGHT });
      assert.equal(answer.status, 200, asset);
      assert.ok(answer.text.length > 0, asset);
      if (asset.endsWith(".js")) assert.match(answer.text, /\/api\/room\?roomId=/, "the panel asks <page>/api/room?roomId=…");
      assertSecurityHeaders(answer, asset);
    }
    assert.equal((await request(server, "/monitor/assets/missing.js", { headers: RIGHT })).status, 404);

    const head = await fetch(`${server.url}/monitor/api`, { method: "HEAD", headers: RIGHT });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  });

  it("limits failed logins per address: 5 × 401, then 429 with Retry-After even for the right password; logs without passwords", async () => {
    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD, TRUST_PROXY: "1" } });
    const from = (n: number) => ({ "X-Forwarded-For": `10.0.0.${n}` });

    const statuses: number[] = [];
    let blocked: Answer | undefined;
    for (let i = 0; i < 20 && !blocked; i++) {
      const answer = await request(server, "/monitor/api", { headers: { ...WRONG, ...from(7) } });
      statuses.push(answer.status);
      if (answer.status === 401) assert.equal(answer.headers.get("www-authenticate"), 'Basic realm="monitor"');
      if (answer.status === 429) blocked = answer;
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429]);
    const retryAfter = Number(blocked!.headers.get("retry-after"));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15 * 60, `Retry-After: ${blocked!.headers.get("retry-after")}`);
    assertSecurityHeaders(blocked!, "429");

    for (let i = 0; i < 5; i++) assert.equal((await request(server, "/monitor/api", { headers: { ...WRONG, ...from(7) } })).status, 429, "still locked");
    const right = await request(server, "/monitor/api", { headers: { ...RIGHT, ...from(7) } });
    assert.equal(right.status, 429, "the right password does not get through a lock");
    assert.match(right.headers.get("retry-after") ?? "", /^\d+$/);
    assert.equal((await request(server, "/monitor/", { headers: from(7) })).status, 429, "nor does a request without credentials");
    assert.equal((await request(server, callPath("x", "disconnect"), { headers: { ...RIGHT, ...from(7) } })).status, 429);

    // Another address is not affected, and a correct login does not count as a failure.
    for (let i = 0; i < 8; i++) assert.equal((await request(server, "/monitor/api", { headers: { ...RIGHT, ...from(8) } })).status, 200);
    const other = await request(server, "/monitor/api", { headers: { ...WRONG, ...from(8) } });
    assert.equal(other.status, 401);
    assert.equal(other.headers.get("www-authenticate"), 'Basic realm="monitor"');
    assert.equal((await request(server, "/monitor/api", { headers: { ...RIGHT, ...from(8) } })).status, 200);
    // A user name other than the monitor's is logged as "(another)", never as typed: the
    // password typed into the name field, or a header built without the colon, would reach
    // the log. The last failed login is also the log marker.
    const noColon = { Authorization: `Basic ${Buffer.from(PASSWORD).toString("base64")}` };
    assert.equal((await request(server, "/monitor/api", { headers: { ...noColon, ...from(10) } })).status, 401);
    const longUser = `mallory-${"x".repeat(200)}`;
    assert.equal((await request(server, "/monitor/api", { headers: { Authorization: basic(longUser, WRONG_PASSWORD), ...from(9) } })).status, 401);

    const failedLogins = () => server.logs().filter((l) => l.msg === "monitor login failed");
    await eventually(() => failedLogins().some((l) => l.address === "10.0.0.9"), "the last failed-login log line");
    const failed = failedLogins();
    assert.equal(failed.filter((l) => l.address === "10.0.0.7").length, 5, "one line per counted failure, none while locked");
    assert.equal(failed.filter((l) => l.address === "10.0.0.8").length, 1);
    for (const l of failed.filter((l) => l.address !== "10.0.0.9" && l.address !== "10.0.0.10")) assert.equal(l.user, "admin");
    assert.equal(failed.find((l) => l.address === "10.0.0.10")?.user, "(another)", "the password sent as the user name is not logged");
    const marker = failed.find((l) => l.address === "10.0.0.9")!;
    assert.equal(marker.user, "(another)");
    assert.equal(marker.level, 40, "warn");
    const locked = server.logs().filter((l) => l.msg === "monitor login locked");
    assert.equal(locked.length, 1, "one lock line for the address, not one per attempt");
    assert.equal(locked[0]!.address, "10.0.0.7");
    for (const line of [...server.lines, server.stderr()]) {
      assert.ok(!line.includes(WRONG_PASSWORD), `a log line holds the password: ${line}`);
      assert.ok(!line.includes(PASSWORD), `a log line holds the real password: ${line}`);
    }
  });

  it("puts the security headers on every monitor answer, and no CORS grant", async () => {
    const off = await startServer({ redisUrl: "" });
    const offAnswer = await request(off, "/monitor/api", { headers: RIGHT });
    assert.equal(offAnswer.status, 404);
    assert.equal(offAnswer.text, "The monitor is off: set MONITOR_PASSWORD to turn it on.");
    assertSecurityHeaders(offAnswer, "monitor off");

    const server = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: PASSWORD } });
    const c = await enter(new Client(server.url).create("tictactoe", { name: "Carol" }));
    const roomId = c.room.roomId;
    const origin = { Origin: "https://evil.example" };
    const cases: Array<[string, string, Record<string, string>, number]> = [
      ["GET", "/monitor/", {}, 401],
      ["GET", "/monitor/api", WRONG, 401],
      ["GET", "/monitor/", RIGHT, 200],
      ["GET", "/monitor", RIGHT, 302],
      ["GET", "/monitor/api", RIGHT, 200],
      ["HEAD", "/monitor/api", RIGHT, 200],
      ["GET", `/monitor/api/room?roomId=${roomId}`, RIGHT, 200],
      ["GET", "/monitor/api/room?roomId=", RIGHT, 400],
      ["GET", callPath(roomId, "disconnect"), RIGHT, 403],
      ["POST", "/monitor/api", RIGHT, 405],
      ["GET", "/monitor/nothing-here", RIGHT, 404],
    ];
    for (const [method, path, headers, status] of cases) {
      const answer = await request(server, path, { method, headers: { ...headers, ...origin } });
      assert.equal(answer.status, status, `${method} ${path}: ${answer.text}`);
      assertSecurityHeaders(answer, `${method} ${path} (${status})`);
      assert.equal(answer.headers.get("access-control-allow-origin"), null, `${method} ${path}: no CORS grant`);
      assert.equal(answer.headers.get("access-control-allow-credentials"), null, `${method} ${path}: no CORS grant`);
    }
  });
});
