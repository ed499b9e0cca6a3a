/**
 * Graceful shutdown of one server process without Redis (GameRoom.onBeforeShutdown,
 * `DRAIN_SECONDS`; README "Operations", "Graceful shutdown"): on SIGTERM a room with no game
 * running closes at once (4001), a running game is told `draining { seconds }` and goes on,
 * newcomers are refused (HTTP 503, code 4404), the game's room closes when the game ends or
 * at the cutoff, and the process then exits by itself. A fresh process per test; the
 * two-process drain on Redis is in multi-process.test.ts.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { CloseCode } from "@colyseus/core";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { Player, quiet } from "../helpers/clients.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";

type Ttt = BoardGameState;

/** The close code of a room closed for a shutdown (Colyseus CloseCode.SERVER_SHUTDOWN). */
const SHUTDOWN_CLOSE = 4001;
/**
 * Drain time where the players finish: long, so that "closed right after the game ended"
 * cannot be confused with "closed at the cutoff" even on a slow machine. Costs no time:
 * the process exits as soon as the game is over.
 */
const LONG_DRAIN_SECONDS = 10;
/** Drain time where the game is cut off: the test waits it out. */
const SHORT_DRAIN_SECONDS = 3;
/** A room with no game running closes within this of the SIGTERM (far below either drain time). */
const AT_ONCE_MS = 2000;
/** The room of a game that ended while draining closes within this of the game over. */
const AFTER_GAME_MS = 2000;
/** At the cutoff: the room closes no earlier than DRAIN_SECONDS after the SIGTERM (timer rounding aside)… */
const CUTOFF_EARLY_MS = 50;
/** …and no later than this after it (signal delivery, a loaded CI machine). */
const CUTOFF_LATE_MS = 2500;
/** The process exits within this once its last game room has closed. */
const EXIT_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");

describe("Graceful shutdown of one process (no Redis)", function () {
  this.timeout(30000);

  let server: ServerProcess;
  let openRooms: SdkRoom[] = [];
  /** Date.now() when each SDK room saw its connection close. */
  const leftAt = new Map<SdkRoom, number>();

  async function start(drainSeconds: number) {
    server = await startServer({ redisUrl: "", env: { DRAIN_SECONDS: String(drainSeconds), LOG_LEVEL: "info" } });
  }

  afterEach(async function () {
    this.timeout(10000);
    for (const room of openRooms.splice(0)) {
      // No reconnection attempts to a process that is gone (SIGKILLed below).
      room.reconnection.enabled = false;
      if (room.connection?.isOpen) await Promise.race([room.leave(true), sleep(500)]);
      else room.removeAllListeners();
    }
    leftAt.clear();
    await stopAllServers();
  });

  // ---- clients ------------------------------------------------------------------------

  /** Waits for a joined room's first full state and wraps it; records when it closes. */
  async function enter(pending: Promise<SdkRoom>): Promise<Player<Ttt>> {
    const room = await pending;
    openRooms.push(room);
    // Plain handlers registered before Player's (see multi-process.test.ts on `once`).
    let initial = false;
    room.onStateChange(() => (initial = true));
    room.onLeave(() => leftAt.set(room, Date.now()));
    const player = new Player<Ttt>(room);
    await player.until(() => initial, "initial state");
    return player;
  }

  /** One player waiting in a room of their own, and a running TicTacToe game; [first, second] in turn order. */
  async function scene() {
    const client = new Client(server.url);
    const waiting = await enter(client.create("tictactoe", { name: "Wendy" }));
    const a = await enter(client.create("tictactoe", { name: "Ann" }));
    const b = await enter(client.joinById(a.room.roomId, { name: "Bob" }));
    for (const p of [a, b]) await p.until(() => p.state.phase === "playing", "game start");
    assert.equal(waiting.state.phase, "waiting");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    return { client, waiting, a, b, first, second };
  }

  async function move(p: Player<Ttt>, watchers: Player<Ttt>[], row: number, col: number) {
    const before = watchers.map(board);
    p.send("make_move", { row, col });
    await Promise.all(watchers.map((w, i) => w.until(() => board(w) !== before[i], `board change after (${row},${col})`)));
  }

  /** Both players' `draining` notices, which also tell that the process has taken the signal. */
  async function drainingNotices(players: Player<Ttt>[], seconds: number) {
    const notices = await Promise.all(players.map((p) => p.nth("draining", 1, 5000)));
    for (const [i, n] of notices.entries()) {
      assert.deepEqual(n, { seconds }, "draining { seconds } with the configured DRAIN_SECONDS");
      assert.equal(players[i].all("draining").length, 1, "one draining notice");
    }
  }

  /** Waits until the room of `p` is closed; returns when (Date.now()). */
  async function closed(p: Player<Ttt>, what: string, timeoutMs: number): Promise<number> {
    await p.until(() => p.left !== undefined, what, timeoutMs);
    assert.equal(p.left, SHUTDOWN_CLOSE, `${what}: close code SERVER_SHUTDOWN`);
    return leftAt.get(p.room)!;
  }

  /** A newcomer's matchmaking request over HTTP. */
  async function matchmake(method: string) {
    const res = await fetch(`${server.url}/matchmake/${method}/tictactoe`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Newcomer" }),
    });
    return { status: res.status, body: (await res.json()) as { code?: unknown; error?: unknown } };
  }

  /** Every log message of the process, once it has exited and its last line ("server stopped") is read. */
  async function finalLogs(): Promise<string[]> {
    // Waiting for the exit also lets the process write its coverage (npm run coverage); a SIGKILL would lose it.
    await server.waitForExit(5000);
    await server.logged((l) => l.msg === "server stopped", `the "server stopped" log line`, 3000);
    return server.logs().map((l) => String(l.msg));
  }

  /** A room closed for the shutdown holds no seat: nobody's close reads as a drop the game waits out. */
  function assertNoSeatHeld(logs: string[]) {
    assert.ok(logs.includes("room disposed"), "the rooms' own lines were read");
    assert.deepEqual(logs.filter((m) => m === "connection dropped; seat held"), [], "no seat held by a room the shutdown closed");
  }

  // ---- tests --------------------------------------------------------------------------

  it("at SIGTERM: the waiting player is closed at once (4001), both players of the running game get draining and can still move, newcomers get 503 / 4404", async () => {
    assert.equal(CloseCode.SERVER_SHUTDOWN, SHUTDOWN_CLOSE);
    await start(LONG_DRAIN_SECONDS);
    const { client, waiting, a, b, first, second } = await scene();

    const sigtermAt = Date.now();
    server.kill("SIGTERM");
    const waitingLeftAt = await closed(waiting, "the waiting player's room closes", AT_ONCE_MS + 3000);
    assert.ok(waitingLeftAt - sigtermAt < AT_ONCE_MS, `the idle room closed ${waitingLeftAt - sigtermAt} ms after SIGTERM (bound ${AT_ONCE_MS} ms)`);
    assert.deepEqual(waiting.all("draining"), [{ seconds: LONG_DRAIN_SECONDS }], "the waiting player was told too, before the close");
    await drainingNotices([a, b], LONG_DRAIN_SECONDS);

    // Newcomers: the body code is JoinErrorCode.SHUTTING_DOWN, the status MatchmakingStatus.SHUTTING_DOWN (README).
    for (const method of ["create", "joinOrCreate"]) {
      const { status, body } = await matchmake(method);
      assert.equal(status, 503, `${method}: HTTP status (${JSON.stringify(body)})`);
      assert.equal(body.code, 4404, `${method}: body code`);
      assert.equal(typeof body.error, "string");
    }
    // What a client built on the SDK sees: a MatchMakeError carrying the HTTP status.
    await assert.rejects(client.joinOrCreate("tictactoe", { name: "Newcomer" }), (err: { code?: unknown }) => {
      assert.equal(err.code, 503);
      return true;
    });

    // The running game goes on.
    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 1);
    for (const p of [a, b]) {
      assert.equal(p.state.phase, "playing");
      assert.equal(p.left, undefined, "still connected");
    }
    assert.equal(board(a), board(b));
    assert.equal(server.exited, false, "the process waits for the running game");
  });

  it("a player whose connection drops while draining comes back through the matchmaker (a reload, the web client's resume) into the running game, which goes on", async () => {
    await start(LONG_DRAIN_SECONDS);
    const { client, a, b, first, second } = await scene();
    server.kill("SIGTERM");
    await drainingNotices([a, b], LONG_DRAIN_SECONDS);
    await move(first, [a, b], 0, 0);

    // The second mover's phone drops; the page reloads and reconnects with its saved token.
    const token = second.room.reconnectionToken;
    second.room.reconnection.enabled = false;
    (second.room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
    const other = second === a ? b : a;
    await other.until(() => other.state.players.get(second.id)?.connected === false, "the dropped player shown away");
    const back = await enter(client.reconnect(token));
    assert.equal(back.id, second.id, "the same seat");
    await other.until(() => other.state.players.get(second.id)?.connected === true, "the player shown back");
    await move(back, [back, other], 1, 1);
    assert.equal(board(back), board(other));
    assert.equal(back.state.phase, "playing");
  });

  it("a game its players finish while draining: its room closes right after the game over (4001), and the process exits with code 0", async () => {
    await start(LONG_DRAIN_SECONDS);
    const { waiting, a, b, first, second } = await scene();

    const sigtermAt = Date.now();
    server.kill("SIGTERM");
    await drainingNotices([a, b], LONG_DRAIN_SECONDS);
    await closed(waiting, "the waiting player's room closes", AT_ONCE_MS + 3000);

    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 0);
    await move(first, [a, b], 0, 1);
    await move(second, [a, b], 1, 1);
    first.send("make_move", { row: 0, col: 2 });
    for (const p of [a, b]) await p.until(() => p.state.phase === "over", "game over");
    const gameOverAt = Date.now();
    for (const p of [a, b]) assert.equal(p.state.winner, first.id);

    for (const p of [a, b]) {
      const at = await closed(p, "the finished game's room closes", AFTER_GAME_MS + 3000);
      assert.ok(at - gameOverAt < AFTER_GAME_MS, `closed ${at - gameOverAt} ms after the game over (bound ${AFTER_GAME_MS} ms)`);
    }
    const exit = await server.waitForExit(EXIT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, `exits cleanly by itself; stderr: ${server.stderr()}`);
    assert.ok(server.exitedAt! - sigtermAt < LONG_DRAIN_SECONDS * 1000, `exited ${server.exitedAt! - sigtermAt} ms after SIGTERM: before the cutoff`);

    const logs = await finalLogs();
    assert.ok(logs.includes("game over while draining; closing the room"));
    assert.ok(!logs.includes("drain time is over; closing a game still running"));
    assertNoSeatHeld(logs);
  });

  it(`a game still running at the cutoff: its room closes DRAIN_SECONDS (${SHORT_DRAIN_SECONDS} s) after SIGTERM, not before and not much after, and the process exits with code 0`, async () => {
    await start(SHORT_DRAIN_SECONDS);
    const { waiting, a, b, first, second } = await scene();
    const drainMs = SHORT_DRAIN_SECONDS * 1000;

    const sigtermAt = Date.now();
    server.kill("SIGTERM");
    await drainingNotices([a, b], SHORT_DRAIN_SECONDS);
    await closed(waiting, "the waiting player's room closes", AT_ONCE_MS + 3000);
    await move(first, [a, b], 1, 1);
    // Midway through the drain the game still runs.
    await quiet(Math.max(0, sigtermAt + drainMs / 2 - Date.now()));
    await move(second, [a, b], 0, 0);
    for (const p of [a, b]) assert.equal(p.left, undefined, "still connected midway through the drain");

    for (const p of [a, b]) {
      const at = await closed(p, "the running game's room closes at the cutoff", drainMs + CUTOFF_LATE_MS + 3000);
      const after = at - sigtermAt;
      assert.ok(after >= drainMs - CUTOFF_EARLY_MS, `closed ${after} ms after SIGTERM: before the ${drainMs} ms cutoff`);
      assert.ok(after <= drainMs + CUTOFF_LATE_MS, `closed ${after} ms after SIGTERM: long after the ${drainMs} ms cutoff`);
      assert.equal(p.state.phase, "playing", "the game was still running when its room closed");
    }
    const lastClose = Math.max(...[a, b].map((p) => leftAt.get(p.room)!));
    const exit = await server.waitForExit(EXIT_MS);
    assert.deepEqual(exit, { code: 0, signal: null }, `exits cleanly by itself; stderr: ${server.stderr()}`);
    assert.ok(server.exitedAt! - lastClose < EXIT_MS);

    const logs = await finalLogs();
    assert.ok(logs.includes("drain time is over; closing a game still running"));
    assert.ok(!logs.includes("game over while draining; closing the room"));
    assertNoSeatHeld(logs);
  });
});
