/**
 * Connect Four through the server: real SDK clients against the in-process test server
 * (also on Redis presence and driver: `npm run test:redis`).
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";

type Cf = BoardGameState;

const COLUMNS = 7;
const ROWS = 6;
const cell = (row: number, column: number) => row * COLUMNS + column;

describe("Connect Four room", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Cf>(roomId, options);

  const board = (p: Player<Cf>) => Array.from(p.state.board);
  const discs = (p: Player<Cf>) => board(p).filter((c) => c !== "").length;
  const symbol = (viewer: Player<Cf>, p: Player<Cf>) => viewer.state.players.get(p.id)?.symbol;

  /** A Connect Four room with both seats taken and the game running; `first` is on turn. */
  async function started(options: Record<string, unknown> = {}) {
    const room = await suite.colyseus.createRoom("connectfour", options);
    const a = await join(room.roomId, { name: "Ada" });
    const b = await join(room.roomId, { name: "Bob" });
    for (const p of [a, b]) await p.until(() => p.state.phase === "playing" && p.state.currentTurn !== "", "the game starts");
    const first = a.state.currentTurn === a.id ? a : b;
    return { room, a, b, first, second: first === a ? b : a };
  }

  /** `p` drops into `column`; waits until every watcher sees one more disc. */
  async function drop(p: Player<Cf>, watchers: Player<Cf>[], column: number) {
    const before = watchers.map(discs);
    p.send("drop", { column });
    await Promise.all(watchers.map((w, i) => w.until(() => discs(w) === before[i]! + 1, `the drop into column ${column}`)));
  }

  /** `first` drops four times into `column`, `second` three times into the next one: `first` wins down `column`. */
  async function verticalWin(first: Player<Cf>, second: Player<Cf>, watchers: Player<Cf>[], column = 3) {
    for (let k = 0; k < 3; k++) {
      await drop(first, watchers, column);
      await drop(second, watchers, (column + 1) % COLUMNS);
    }
    await drop(first, watchers, column);
    for (const w of watchers) await w.until(() => w.state.phase === "over", "game over");
  }

  /** Sends `type`/`payload` from `who` and returns the error code it gets back. */
  async function refusal(who: Player<Cf>, type: string, payload?: unknown) {
    who.send(type, payload);
    const error = await who.next("error");
    assert.equal(typeof error.message, "string");
    assert.ok(error.message.length > 0);
    return error.code as string;
  }

  it("plays a whole game to a win that both players see", async () => {
    const { a, b, first, second } = await started();
    assert.equal(symbol(a, a), "X", "the first seated player is X");
    assert.equal(symbol(b, b), "O");
    assert.equal(first, a, "X opens the room's first game");
    assert.equal(a.state.players.get(b.id)?.name, "Bob");
    assert.equal(a.state.board.length, COLUMNS * ROWS, "7 × 6 cells");
    assert.ok(board(a).every((c) => c === ""));

    await drop(first, [a, b], 3);
    assert.equal(b.state.board[cell(5, 3)], "X", "the disc fell to the bottom row");
    await drop(second, [a, b], 3);
    assert.equal(a.state.board[cell(4, 3)], "O", "the next one lands on top of it");
    // X takes the bottom row 2-5 while O stacks on top of X's discs.
    for (const [p, column] of [[first, 4], [second, 4], [first, 2], [second, 2]] as const) await drop(p, [a, b], column);
    assert.equal(a.state.phase, "playing", "three across do not win");
    await drop(first, [a, b], 5);
    for (const p of [a, b]) {
      await p.until(() => p.state.phase === "over", "game over");
      assert.equal(p.state.winner, first.id);
      assert.equal(p.state.draw, false);
      assert.equal(p.state.currentTurn, "");
      const rows = Array.from({ length: ROWS }, (_, r) => board(p).slice(r * COLUMNS, (r + 1) * COLUMNS).map((c) => c || ".").join(""));
      assert.deepEqual(rows, [".......", ".......", ".......", ".......", "..OOO..", "..XXXX."], "four X across the bottom row");
    }
    assert.equal(first.all("error").length + second.all("error").length, 0, "no drop was refused");
  });

  it("answers each kind of bad message with its error code and changes nothing", async () => {
    const { room, a, b, first, second } = await started();
    const spectator = await join(room.roomId, { spectate: true });
    const cases: Array<[Player<Cf>, string, unknown, ErrorCode]> = [
      [first, "drop", { column: "x" }, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", { column: "3" }, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", { column: 3, extra: true }, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", { column: 3, row: 5 }, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", {}, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", undefined, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", { column: 2.5 }, ErrorCode.INVALID_PAYLOAD],
      [first, "drop", [3], ErrorCode.INVALID_PAYLOAD],
      // TicTacToe's message is no message of a Connect Four room.
      [first, "make_move", { row: 0, col: 0 }, ErrorCode.UNKNOWN_ACTION],
      [first, "fly_away", { to: "moon" }, ErrorCode.UNKNOWN_ACTION],
      [spectator, "drop", { column: 3 }, ErrorCode.NOT_A_PLAYER],
      [spectator, "drop", { column: 7 }, ErrorCode.NOT_A_PLAYER],
      [second, "drop", { column: 3 }, ErrorCode.NOT_YOUR_TURN],
      [second, "drop", { column: 7 }, ErrorCode.NOT_YOUR_TURN],
      [first, "drop", { column: 7 }, ErrorCode.INVALID_MOVE],
      [first, "drop", { column: -1 }, ErrorCode.INVALID_MOVE],
      [first, "rematch", undefined, ErrorCode.NOT_ALLOWED],
    ];
    for (const [who, type, payload, code] of cases) {
      assert.equal(await refusal(who, type, payload), code, `${type} ${JSON.stringify(payload)}`);
    }
    assert.equal(discs(a), 0, "nothing was dropped");
    assert.equal(a.state.currentTurn, first.id, "the turn did not pass");

    // Column 0 filled to the top: X O X O X O from the bottom, no four.
    for (let k = 0; k < ROWS; k++) await drop(k % 2 === 0 ? first : second, [a, b], 0);
    assert.equal(a.state.board[cell(0, 0)], "O", "the top cell");
    assert.equal(await refusal(first, "drop", { column: 0 }), ErrorCode.INVALID_MOVE, "a full column");
    assert.equal(await refusal(second, "drop", { column: 0 }), ErrorCode.NOT_YOUR_TURN, "the turn check comes before the full column");
    assert.equal(discs(a), ROWS);
    assert.equal(a.state.currentTurn, first.id);
    await drop(first, [a, b], 1);
    assert.equal(a.state.board[cell(5, 1)], "X", "the other columns still take discs");

    for (const p of [a, b, spectator]) assert.equal(p.left, undefined, "no client was disconnected");
    assert.equal(room.clients.length, 3);
  });

  it("says NOT_STARTED before the second player arrives and GAME_OVER after the end", async () => {
    const room = await suite.colyseus.createRoom("connectfour");
    const a = await join(room.roomId);
    assert.equal(await refusal(a, "drop", { column: 3 }), ErrorCode.NOT_STARTED);
    assert.equal(await refusal(a, "drop", { column: 7 }), ErrorCode.NOT_STARTED, "before the range check");
    assert.equal(a.state.phase, "waiting");
    assert.equal(discs(a), 0);
    const b = await join(room.roomId);
    await a.until(() => a.state.phase === "playing");
    await b.until(() => b.state.phase === "playing");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    await verticalWin(first, second, [a, b]);
    for (const p of [first, second]) {
      assert.equal(await refusal(p, "drop", { column: 0 }), ErrorCode.GAME_OVER);
      assert.equal(await refusal(p, "drop", { column: 7 }), ErrorCode.GAME_OVER, "before the range check");
    }
    assert.equal(discs(a), 7, "nothing was dropped after the end");
  });

  it("starts a rematch when both ask, and the first move alternates: X, then O, then X", async () => {
    const { a, b } = await started();
    const x = a;
    const o = b;
    assert.equal(a.state.currentTurn, x.id, "game 1: X opens");
    await verticalWin(x, o, [a, b]);

    const rematch = async (game: number) => {
      x.send("rematch");
      await o.until(() => o.state.players.get(x.id)?.rematch === true, "the other player sees the request");
      assert.equal(o.state.phase, "over", "one request alone does not restart");
      o.send("rematch");
      for (const p of [a, b]) {
        await p.until(() => p.state.phase === "playing", `game ${game}`);
        assert.equal(discs(p), 0, "a fresh board");
        assert.equal(p.state.winner, "");
        assert.ok([...p.state.players.values()].every((pl) => !pl.rematch), "requests are cleared");
      }
      assert.equal(symbol(a, x), "X", "marks stay with the seats");
      assert.equal(symbol(a, o), "O");
    };

    await rematch(2);
    assert.equal(a.state.currentTurn, o.id, "game 2: O opens");
    await drop(o, [a, b], 2);
    assert.equal(a.state.board[cell(5, 2)], "O", "O's disc first");
    // O wins game 2 down column 2 (O has one disc there already).
    await drop(x, [a, b], 6);
    for (let k = 0; k < 2; k++) {
      await drop(o, [a, b], 2);
      await drop(x, [a, b], 6);
    }
    await drop(o, [a, b], 2);
    for (const p of [a, b]) await p.until(() => p.state.phase === "over");
    assert.equal(a.state.winner, o.id);

    await rematch(3);
    assert.equal(a.state.currentTurn, x.id, "game 3: X opens again");
  });

  it("forfeits the game of the player whose turn runs out (turnSeconds)", async function () {
    this.timeout(10_000);
    // Two-second turns: the opening move must land before the opening turn runs out, which
    // a loaded machine could miss with one second.
    const { a, b, first, second } = await started({ turnSeconds: 2 });
    const t0 = Date.now();
    assert.ok(a.state.turnDeadline > t0 + 900 && a.state.turnDeadline <= t0 + 2100, `a deadline about 2 s ahead: ${a.state.turnDeadline - t0} ms`);
    const firstDeadline = a.state.turnDeadline;
    await drop(first, [a, b], 3);
    await a.until(() => a.state.turnDeadline !== firstDeadline, "the deadline of the next turn");
    assert.ok(a.state.turnDeadline >= firstDeadline, "the next turn has its own deadline");
    assert.equal(a.state.currentTurn, second.id);

    // `second` does not move.
    for (const p of [a, b]) await p.until(() => p.state.phase === "over", "the timeout", 6000);
    const waited = Date.now() - t0;
    for (const p of [a, b]) {
      assert.equal(p.state.winner, first.id, "the player on turn loses");
      assert.equal(p.state.draw, false);
      assert.equal(p.state.currentTurn, "");
      assert.equal(p.state.turnDeadline, 0, "no turn runs after the game");
    }
    assert.ok(waited >= 1900, `the turn lasted about two seconds (${waited} ms)`);
    assert.equal(discs(a), 1, "the board of the forfeited game stays");
  });

  it("is listed under game \"connectfour\" by GET /api/rooms?game=connectfour", async () => {
    const room = await suite.colyseus.createRoom("connectfour");
    const a = await join(room.roomId, { name: "Ada" });
    type Entry = { roomId: string; game: string; players: number; seats: number; started: boolean; open: boolean };
    const listed = async (query: string) => {
      const res = await fetch(`http://127.0.0.1:${suite.port}/api/rooms?${query}`);
      assert.equal(res.status, 200);
      return ((await res.json()) as Entry[]).find((r) => r.roomId === room.roomId);
    };
    /** Polls until `check` accepts the entry: the listing is read at most every 500 ms. */
    const poll = async (query: string, check: (e: Entry | undefined) => boolean, what: string) => {
      const deadline = Date.now() + 3000;
      for (;;) {
        const entry = await listed(query);
        if (check(entry)) return entry;
        assert.ok(Date.now() < deadline, `${what} within 3 s; last: ${JSON.stringify(entry)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const entry = await poll("game=connectfour", (e) => e?.players === 1, "the room with one player");
    assert.deepEqual(entry, { roomId: room.roomId, game: "connectfour", players: 1, seats: 2, started: false, open: true, names: ["Ada"], settings: {} });
    assert.equal(await listed("game=tictactoe"), undefined, "not under another game");
    assert.ok(await listed(""), "and in the list of every game");

    const b = await join(room.roomId, { name: "Bob" });
    await b.until(() => b.state.phase === "playing");
    const running = await poll("game=connectfour&include=all", (e) => e?.started === true, "the running game");
    assert.deepEqual(running, { roomId: room.roomId, game: "connectfour", players: 2, seats: 2, started: true, open: false, names: ["Ada", "Bob"], settings: {} });
    await poll("game=connectfour", (e) => e === undefined, "a full room leaving the joinable list");
    assert.equal(a.left, undefined);
  });
});
