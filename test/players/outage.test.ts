/**
 * The players' database goes down in the middle of a game (src/players/recorder.ts over a
 * real server process and a private PostgreSQL, stopped with `pg_ctl stop -m fast`): the
 * game goes on and ends normally for its players; the server logs one error line saying
 * results wait, and /metrics shows a backlog of 1; once PostgreSQL is back, the result lands
 * exactly once and the backlog returns to 0. And the database goes silent instead (the
 * network drops every packet, no reset: a proxy in front of it, test/helpers/silent-proxy.ts):
 * the same, and sign-ins and the players' pages answer 503 within the database timeout
 * instead of hanging.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import type { Seated } from "../helpers/failover.js";
import { guest, joinAs, matchRecord, metric, metricIs, newMatchOf, profile, recordedOnceFor, statsOf } from "../helpers/match-records.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { controlPostgres, type PostgresControl } from "../helpers/postgres-control.js";
import { silentProxy, type SilentProxy } from "../helpers/silent-proxy.js";
import { topRowMoves, tttMove } from "../helpers/rooms.js";

const WAITING = /match results cannot be recorded/;
const BACK = /match results are recorded again/;
const BACKLOG = "match_results_backlog";

describe("The players' database down mid-game (PostgreSQL stopped, or the network to it gone silent): the game goes on, its result waits and lands once it is back", function () {
  this.timeout(60000);
  /** The silent case's DATABASE_TIMEOUT_MS. */
  const TIMEOUT_MS = 1000;
  /** The server's statement timeout, the driver's margin (2 s) and slack. */
  const ANSWERED_WITHIN_MS = TIMEOUT_MS + 2000 + 2000;
  let pg: TestPostgres;
  let control: PostgresControl;
  /** In front of PostgreSQL, for the silent case. */
  let proxy: SilentProxy;
  /** On PostgreSQL directly (stopped and started), and through the proxy (cut and healed). */
  let direct: ServerProcess;
  let behindProxy: ServerProcess;
  const open: Seated<Ttt>[] = [];
  let server: ServerProcess;

  before(async () => {
    pg = await startPostgres();
    control = await controlPostgres(pg);
    const target = new URL(pg.url);
    proxy = await silentProxy({ host: target.hostname, port: Number(target.port) });
    const viaProxy = new URL(pg.url);
    viaProxy.port = String(proxy.port);
    [direct, behindProxy] = await Promise.all([
      startServer({ redisUrl: "", env: { DATABASE_URL: pg.url, LOG_LEVEL: "info", RECONNECT_SECONDS: "10" } }),
      startServer({ redisUrl: "", env: { DATABASE_URL: viaProxy.toString(), DATABASE_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: "info", RECONNECT_SECONDS: "10" } }),
    ]);
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(`--- server log:\n${server.lines.slice(-40).join("\n")}\n${server.stderr().slice(-3000)}`);
    // A leave the server never answers (it is gone) does not hold the suite up.
    await Promise.all(open.splice(0).map((p) => Promise.race([p.room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
  });
  after(async () => {
    await stopAllServers();
    if (control && !control.running) await control.start().catch(() => undefined);
    await proxy?.close();
    await pg?.stop();
  });

  /**
   * Ada and Bob, signed in, play TicTacToe on `server`; `down()` after two moves; Ada wins in
   * five or six moves, seen normally by both. Returns them and their profiles from before.
   */
  async function gameAcross(down: () => void) {
    const ada = await guest(server, "Ada");
    const bob = await guest(server, "Bob");
    const before = [await profile(server, ada.id), await profile(server, bob.id)];
    const a = await joinAs<Ttt>(server, "create", "tictactoe", { name: "Ada" }, ada);
    const b = await joinAs<Ttt>(server, "joinById", a.room.roomId, { name: "Bob" }, bob);
    open.push(a, b);
    const ps = [a, b];
    await Promise.all(ps.map((p) => p.until(() => p.state.phase === "playing", "the game start")));
    assert.equal(await metric(server, BACKLOG), 0);

    // Ada takes the top row, Bob the middle row (and a corner, when he opened: the first mover is drawn).
    const moves = topRowMoves(a, b, a.state.currentTurn === a.id);
    for (const [i, [p, row, col]] of moves.entries()) {
      if (i === 2) down();
      await tttMove(p, ps, row, col);
    }
    for (const p of ps) {
      await p.until(() => p.state.phase === "over", "the game over");
      assert.equal(p.state.winner, a.id, "the game ends normally for its players");
      assert.equal(p.state.endReason, "won");
      assert.equal(p.all("error").length, 0, "no error reached a player");
    }
    assert.equal(a.left, undefined, "still connected");
    return { ada, bob, before, moves: moves.length };
  }

  it("TicTacToe signed in; PostgreSQL stopped after two moves: the game ends normally, one error line, backlog 1; PostgreSQL back: recorded once, backlog 0", async () => {
    server = direct;
    const { ada, bob, before, moves } = await gameAcross(() => control.stop()); // mid-game: every open connection of the server's pool is cut

    await server.logged((l) => WAITING.test(l.msg), "the error line about results waiting", 5000);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(
      !server.exited && !server.logs().some((l) => l.msg === "draining for shutdown"),
      `the server keeps running while its database is down; it logged: ${server.logs().filter((l) => l.level >= 50).map((l) => l.msg.split("\n")[0]).join(" | ")}`,
    );
    await metricIs(server, BACKLOG, 1);
    // Retried for a while (1 s and more): still one line.
    await new Promise((r) => setTimeout(r, 1500));
    const waiting = server.logs().filter((l) => WAITING.test(l.msg));
    assert.equal(waiting.length, 1, "one error line for the outage, not one per retry");
    assert.equal(waiting[0]!.level, 50, "at error level");
    assert.equal(waiting[0]!.backlog, 1);
    assert.equal(await metric(server, BACKLOG), 1);
    assert.ok(!server.exited, "the server is still running");

    await control.start();
    const id = await newMatchOf(server, ada, before[0]!, 40000);
    const [pAda, pBob] = await recordedOnceFor(server, "tictactoe", id, [ada, bob], before);
    await metricIs(server, BACKLOG, 0);
    await server.logged((l) => BACK.test(l.msg), "a line says results are recorded again");
    assert.deepEqual({ ...statsOf(pAda!, "tictactoe"), rating: 0 }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 1, rating: 0 });
    assert.deepEqual({ ...statsOf(pBob!, "tictactoe"), rating: 0 }, { played: 1, won: 0, lost: 1, drawn: 0, rated: 1, rating: 0 });
    const m = await matchRecord(server, id);
    assert.equal(m.rated, true);
    assert.deepEqual(
      m.players.map((p) => [p.userId, p.placement]),
      [
        [ada.id, 1],
        [bob.id, 2],
      ],
    );
    assert.equal(m.log.steps.length, moves, "every move, before and during the outage");
    assert.equal(await metric(server, "match_results_recorded_total"), 1, "written once");
    assert.equal(server.logs().filter((l) => WAITING.test(l.msg)).length, 1, "still one error line");
  });

  /** A request's status and how long it took to be answered (a hung one fails the test at the bound). */
  async function timed(path: string, init?: RequestInit): Promise<{ status: number; ms: number; body: { code?: unknown } }> {
    const started = Date.now();
    const res = await fetch(server.url + path, { ...init, signal: AbortSignal.timeout(ANSWERED_WITHIN_MS + 5000) });
    const body = (await res.json()) as { code?: unknown };
    return { status: res.status, ms: Date.now() - started, body };
  }

  it("TicTacToe signed in; the network to PostgreSQL cut after two moves: the game ends normally, a guest sign-in and the leaderboard answer 503 within the timeout; the network back: the result is recorded once", async () => {
    server = behindProxy;
    const { ada, bob, before } = await gameAcross(() => proxy.cut()); // mid-game: every connection of the server's pool goes silent, and so does every new one

    // What a visitor meets meanwhile: answers, not pages that never load.
    const [signIn, board, page] = await Promise.all([
      timed("/auth/anonymous", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ options: { name: "Cy" } }) }),
      timed("/api/leaderboard/tictactoe"),
      timed(`/api/players/${ada.id}`),
    ]);
    for (const [what, r] of [["guest sign-in", signIn], ["leaderboard", board], ["profile", page]] as const) {
      assert.equal(r.status, 503, `${what} while the database is silent: ${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(r.ms < ANSWERED_WITHIN_MS, `${what} answered after ${r.ms} ms, within ${ANSWERED_WITHIN_MS} ms`);
    }
    assert.equal(signIn.body.code, "UNAVAILABLE");
    // A signed-in player still gets into a new game: the join's check of their token gives up on the database after 1 s.
    const joinStarted = Date.now();
    const again = await joinAs<Ttt>(server, "create", "tictactoe", { name: "Ada" }, ada);
    open.push(again);
    await again.until(() => again.state.players.size === 1, "Ada seated in a new room");
    const joinMs = Date.now() - joinStarted;
    assert.ok(joinMs < 2000, `the join took ${joinMs} ms while the database was silent`);
    await server.logged((l) => WAITING.test(l.msg), "the error line about results waiting", ANSWERED_WITHIN_MS + 3000);
    await metricIs(server, BACKLOG, 1);
    assert.ok(!server.exited, "the server is still running");

    proxy.heal();
    const id = await newMatchOf(server, ada, before[0]!, 40000);
    const [pAda, pBob] = await recordedOnceFor(server, "tictactoe", id, [ada, bob], before);
    await metricIs(server, BACKLOG, 0);
    assert.deepEqual({ ...statsOf(pAda!, "tictactoe"), rating: 0 }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 1, rating: 0 });
    assert.deepEqual({ ...statsOf(pBob!, "tictactoe"), rating: 0 }, { played: 1, won: 0, lost: 1, drawn: 0, rated: 1, rating: 0 });
    assert.equal((await timed("/api/leaderboard/tictactoe")).status, 200, "the leaderboard answers again");
    assert.equal(await metric(server, "match_results_recorded_total"), 1, "written once");
  });
});
