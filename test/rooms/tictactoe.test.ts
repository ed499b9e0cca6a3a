import assert from "node:assert/strict";
import { CLOSE_FLOODING, ErrorCode, JoinErrorCode, MatchmakingStatus } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { Player, quiet } from "../helpers/clients.js";
import { roomSuite, topRowWin, tttMove } from "../helpers/rooms.js";

type Ttt = TicTacToeState;

describe("TicTacToe room", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Ttt>(roomId, options);
  const startedGame = (options: Record<string, unknown> = {}) => suite.startedTicTacToe(options);

  const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");


  it("plays a whole game to a win that both players see", async () => {
    const { first, second, a, b } = await startedGame();
    assert.equal(a.state.players.get(a.id)?.symbol, "X", "the first seated player is X");
    assert.equal(b.state.players.get(b.id)?.symbol, "O");
    assert.equal(a.state.players.get(b.id)?.name, "Bob");
    await topRowWin(first, second, [a, b]);
    for (const p of [a, b]) {
      await p.until(() => p.state.phase === "over");
      assert.equal(p.state.winner, first.id);
      assert.equal(p.state.draw, false);
      assert.equal(p.state.currentTurn, "");
    }
    const symbol = a.state.players.get(first.id)!.symbol;
    assert.deepEqual(Array.from(a.state.board).slice(0, 3), [symbol, symbol, symbol]);
  });

  it("answers each kind of bad message with its error code and changes nothing", async () => {
    const { room, first, second, a } = await startedGame();
    const spectator = await join(room.roomId, { spectate: true });
    const snapshot = board(a);

    const cases: Array<[Player<Ttt>, string, unknown, ErrorCode]> = [
      [first, "make_move", { row: "0", col: 0 }, ErrorCode.INVALID_PAYLOAD],
      [first, "make_move", { row: 0 }, ErrorCode.INVALID_PAYLOAD],
      [first, "make_move", { row: 0.5, col: 0 }, ErrorCode.INVALID_PAYLOAD],
      [first, "make_move", "garbage", ErrorCode.INVALID_PAYLOAD],
      [first, "fly_away", { to: "moon" }, ErrorCode.UNKNOWN_ACTION],
      [spectator, "make_move", { row: 0, col: 0 }, ErrorCode.NOT_A_PLAYER],
      [second, "make_move", { row: 0, col: 0 }, ErrorCode.NOT_YOUR_TURN],
      [first, "make_move", { row: 3, col: 0 }, ErrorCode.INVALID_MOVE],
      [first, "make_move", { row: 0, col: -1 }, ErrorCode.INVALID_MOVE],
      [first, "rematch", undefined, ErrorCode.NOT_ALLOWED],
    ];
    for (const [who, type, payload, code] of cases) {
      who.send(type, payload);
      const error = await who.next("error");
      assert.equal(error.code, code, `${type} ${JSON.stringify(payload)}`);
      assert.equal(typeof error.message, "string");
      assert.ok(error.message.length > 0);
    }
    await tttMove(first, [a], 1, 1);
    first.send("make_move", { row: 1, col: 1 }); // now the other's turn
    assert.equal((await first.next("error")).code, ErrorCode.NOT_YOUR_TURN);
    second.send("make_move", { row: 1, col: 1 });
    assert.equal((await second.next("error")).code, ErrorCode.INVALID_MOVE, "an occupied cell");
    assert.notEqual(board(a), snapshot, "the one legal move was applied");
    assert.equal(first.left, undefined, "no client was disconnected");
    assert.equal(second.left, undefined);
    assert.equal(spectator.left, undefined);
    assert.equal(room.clients.length, 3);
  });

  it("says NOT_STARTED before the second player arrives and GAME_OVER after the end", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const a = await join(room.roomId);
    a.send("make_move", { row: 0, col: 0 });
    assert.equal((await a.next("error")).code, ErrorCode.NOT_STARTED);
    assert.equal(a.state.phase, "waiting");
    assert.equal(board(a), ",,,,,,,,");
    const b = await join(room.roomId);
    await a.until(() => a.state.phase === "playing");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    await topRowWin(first, second, [a, b]);
    await second.until(() => second.state.phase === "over");
    second.send("make_move", { row: 2, col: 2 });
    assert.equal((await second.next("error")).code, ErrorCode.GAME_OVER);
    assert.equal(second.state.board[8], "");
  });

  it("rejects a third player with a clear error and lets them watch instead", async () => {
    const { room, a } = await startedGame();
    await assert.rejects(suite.colyseus.sdk.joinById(room.roomId, { name: "Cy" }), (err: any) => {
      assert.equal(err.code, JoinErrorCode.GAME_STARTED);
      assert.match(err.message, /spectate/);
      return true;
    });
    const watcher = await join(room.roomId, { spectate: true });
    assert.equal(watcher.state.players.size, 2, "a spectator sees the players");
    assert.equal(watcher.state.players.has(watcher.id), false, "and has no seat");
    assert.equal(a.state.players.size, 2);
  });

  it("never places a player in a started room through joinOrCreate", async () => {
    const { room } = await startedGame();
    const joined = await suite.colyseus.sdk.joinOrCreate("tictactoe", { name: "Cy" });
    await joined.waitForInitialState();
    const c = new Player<Ttt>(joined);
    assert.notEqual(c.room.roomId, room.roomId);
    assert.equal(c.state.phase, "waiting");
  });

  it("rejects invalid join options", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const host = await join(room.roomId); // keeps the room alive between the failed joins
    for (const name of ["", "   ", "x".repeat(21), "bad\u0000name", 42]) {
      await assert.rejects(suite.colyseus.sdk.joinById(room.roomId, { name }), (err: any) => err.code === MatchmakingStatus.INVALID_OPTIONS);
    }
    const ok = await join(room.roomId, { name: "  Zoë 🎲  " });
    await host.until(() => host.state.players.size === 2);
    assert.equal(ok.state.players.get(ok.id)?.name, "Zoë 🎲", "names are trimmed");
  });

  it("gives players default names", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const a = await join(room.roomId);
    const b = await join(room.roomId);
    await b.until(() => b.state.players.size === 2);
    assert.equal(b.state.players.get(a.id)?.name, "Player 1");
    assert.equal(b.state.players.get(b.id)?.name, "Player 2");
  });

  it("does not let a spectator act or restart", async () => {
    const { room, first, second, a } = await startedGame();
    const spectator = await join(room.roomId, { spectate: true });
    spectator.send("make_move", { row: 2, col: 2 });
    assert.equal((await spectator.next("error")).code, ErrorCode.NOT_A_PLAYER);
    await topRowWin(first, second, [a]);
    await spectator.until(() => spectator.state.phase === "over");
    spectator.send("rematch");
    assert.equal((await spectator.next("error")).code, ErrorCode.NOT_A_PLAYER);
    await quiet(100);
    assert.equal(a.state.phase, "over", "the spectator's rematch changed nothing");
  });

  it("restarts only when both players ask for a rematch", async () => {
    const { first, second, a, b } = await startedGame();
    await topRowWin(first, second, [a, b]);
    await a.until(() => a.state.phase === "over");
    first.send("rematch");
    await second.until(() => second.state.players.get(first.id)?.rematch === true, "the other player sees the request");
    assert.equal(second.state.players.get(second.id)?.rematch, false);
    first.send("rematch");
    assert.equal((await first.next("error")).code, ErrorCode.NOT_ALLOWED, "asking twice does not count twice");
    assert.equal(a.state.phase, "over", "one player alone cannot restart");
    second.send("rematch");
    for (const p of [a, b]) {
      await p.until(() => p.state.phase === "playing", "rematch");
      assert.equal(board(p), ",,,,,,,,");
      assert.equal(p.state.winner, "");
      assert.ok([a.id, b.id].includes(p.state.currentTurn));
      assert.ok(Array.from(p.state.players.values()).every((pl) => !pl.rematch), "requests are cleared by the new game");
    }
    assert.equal(a.state.players.get(a.id)?.symbol, "X", "symbols stay with the seats");
    // The room's history numbers the games: every entry of the first says 1, the rematch's start says 2.
    const entries = [...a.state.history.entries()].sort(([x], [y]) => Number(x) - Number(y)).map(([, v]) => JSON.parse(v) as [number, string]);
    const games = entries.map(([game]) => game);
    assert.deepEqual([...new Set(games)], [1, 2], `games in the history: ${JSON.stringify(entries)}`);
    assert.deepEqual(entries.filter(([game]) => game === 2).map(([, kind]) => kind), ["start"], "the second game has just started");
  });

  it("treats a consented leave during the game as a forfeit", async () => {
    const { first, second } = await startedGame();
    await first.room.leave(true);
    await second.until(() => second.state.phase === "over");
    assert.equal(second.state.winner, second.id);
  });

  it("answers a flood with RATE_LIMITED, then disconnects a client that keeps flooding", async () => {
    const { first, second } = await startedGame();
    for (let i = 0; i < 60; i++) first.send("fly_away");
    await first.until(() => first.all("error").some((e) => e.code === ErrorCode.RATE_LIMITED), "RATE_LIMITED");
    const limited = first.all("error").filter((e) => e.code === ErrorCode.RATE_LIMITED);
    assert.equal(limited.length, 1, "one RATE_LIMITED per burst, not one per message");
    for (let i = 0; i < 200; i++) first.send("fly_away");
    await first.until(() => first.left !== undefined, "disconnect");
    assert.equal(first.left, CLOSE_FLOODING);
    await second.until(() => second.state.phase === "over", "forfeit of the flooder");
    assert.equal(second.state.winner, second.id);
  });
});
