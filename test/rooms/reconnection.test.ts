import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import { ErrorCode as ColyseusErrorCode } from "@colyseus/core";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { dropConnection, eventually, Player, refusedWith } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV } from "../helpers/server.js";

type Ttt = TicTacToeState;


describe("Reconnection and seat reservation", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Ttt>(roomId, options);
  const startedGame = () => suite.startedTicTacToe();

  const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");

  it("a player who drops keeps the seat, shows as away, and comes back to the same game", async () => {
    const { first, second } = await startedGame();
    first.send("make_move", { row: 1, col: 1 });
    await second.until(() => second.state.board[4] !== "");
    const sessionId = second.id;
    const boardBefore = board(second);

    let dropped = 0;
    let reconnected = 0;
    second.room.onDrop(() => dropped++);
    second.room.onReconnect(() => reconnected++);
    dropConnection(second.room);

    await first.until(() => first.state.players.get(sessionId)?.connected === false, "the other player sees the drop");
    await second.until(() => reconnected === 1, "automatic reconnection", 5000);
    assert.equal(dropped, 1);
    assert.equal(second.room.sessionId, sessionId, "same session, same seat");
    await first.until(() => first.state.players.get(sessionId)?.connected === true, "back online");
    assert.equal(board(second), boardBefore, "the whole state is there");
    assert.equal(second.state.currentTurn, sessionId);

    second.send("make_move", { row: 0, col: 0 });
    await first.until(() => first.state.board[0] !== "", "the game goes on");
    assert.equal(first.state.board[0], second.state.players.get(sessionId)!.symbol);
  });

  it("a player who stays away past the window forfeits, and the game says they did not come back (not that they left)", async () => {
    const { first, second } = await startedGame();
    const name = second.state.players.get(second.id)!.name;
    second.room.reconnection.enabled = false;
    const started = Date.now();
    dropConnection(second.room);
    await first.until(() => first.state.players.get(second.id)?.connected === false);
    assert.equal(first.state.phase, "playing", "the seat is held during the window");
    const windowMs = Number(TEST_ENV.RECONNECT_SECONDS) * 1000;
    await first.until(() => first.state.phase === "over", "forfeit", windowMs + 3000);
    assert.ok(Date.now() - started >= windowMs - 100, "not before the window is over");
    assert.equal(first.state.winner, first.id);
    assert.equal(first.state.players.has(second.id), false, "the seat is free again");
    // Until 2026-12-05 this read "left", as after the Leave button.
    assert.equal(first.state.endReason, "dropped");
    assert.equal(first.state.endName, name);
    const end = [...first.state.history.values()].map((v) => JSON.parse(v) as [number, string, string, Record<string, unknown>?]).find(([, kind]) => kind === "end");
    assert.deepEqual(end?.[3], { reason: "dropped", name, winner: first.state.players.get(first.id)!.name }, "the history's end line says so too");
  });

  it("a reloaded page comes back with its stored token to the same seat and board", async () => {
    const { first, second } = await startedGame();
    first.send("make_move", { row: 2, col: 2 });
    await second.until(() => second.state.board[8] !== "");
    const token = second.room.reconnectionToken;
    const sessionId = second.id;
    second.room.reconnection.enabled = false; // the old page is gone
    dropConnection(second.room);
    await first.until(() => first.state.players.get(sessionId)?.connected === false);

    const reloaded = new Client(`http://127.0.0.1:${suite.port}`);
    const room = await reloaded.reconnect<Ttt>(token);
    await room.waitForInitialState();
    const back = new Player<Ttt>(room);
    assert.equal(back.id, sessionId);
    assert.equal(board(back), board(first), "the same board");
    assert.equal(back.state.currentTurn, sessionId);
    back.send("make_move", { row: 0, col: 0 });
    await first.until(() => first.state.board[0] !== "");
    await first.until(() => first.state.players.get(sessionId)?.connected === true);
  });

  it("refuses a reconnection token once the window has passed", async () => {
    const { first, second } = await startedGame();
    const token = second.room.reconnectionToken;
    second.room.reconnection.enabled = false;
    dropConnection(second.room);
    await first.until(() => first.state.phase === "over", "forfeit", Number(TEST_ENV.RECONNECT_SECONDS) * 1000 + 3000);
    await assert.rejects(new Client(`http://127.0.0.1:${suite.port}`).reconnect(token), refusedWith(ColyseusErrorCode.MATCHMAKE_EXPIRED));
  });

  it("an unused seat reservation holds the seat, then expires and frees it", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const a = await join(room.roomId);
    const listed = async () => (await (await fetch(`http://127.0.0.1:${suite.port}/api/rooms?game=tictactoe`)).json()) as { roomId: string }[];
    assert.ok((await listed()).some((r) => r.roomId === room.roomId), "open with one seat free");

    // A reservation nobody uses: the matchmaker's HTTP step without the WebSocket.
    const res = await fetch(`http://127.0.0.1:${suite.port}/matchmake/joinById/${room.roomId}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Ghost" }),
    });
    assert.equal(res.status, 200);
    // The listing is read at most once per LOBBY_THROTTLE_MS: the room leaves it within that.
    const t1 = Date.now();
    while ((await listed()).some((r) => r.roomId === room.roomId)) {
      assert.ok(Date.now() - t1 < 2000, "the reserved seat is taken: the room leaves the listing");
      await new Promise((r) => setTimeout(r, 50));
    }
    const racing = await suite.colyseus.sdk.joinOrCreate("tictactoe");
    assert.notEqual(racing.roomId, room.roomId, "a racing join goes elsewhere");
    await racing.leave();

    const expiry = Number(TEST_ENV.SEAT_RESERVATION_SECONDS) * 1000;
    const t0 = Date.now();
    while (!(await listed()).some((r) => r.roomId === room.roomId)) {
      assert.ok(Date.now() - t0 < expiry + 3000, "the reservation expires");
      await new Promise((r) => setTimeout(r, 100));
    }
    const b = await join(room.roomId, { name: "Real" });
    await a.until(() => a.state.phase === "playing", "the freed seat was taken");
    assert.equal(a.state.players.get(b.id)?.name, "Real");
  });

  it("a waiting player who drops is neither listed nor matched, and finds the seat on return (issue 12, defect 2)", async () => {
    const sdk = suite.colyseus.sdk;
    const host = new Player<Ttt>(await sdk.create("tictactoe", { name: "Ada" }));
    await host.room.waitForInitialState();
    host.room.reconnection.enabled = false; // the tab is closed: only a reload would come back
    const roomId = host.room.roomId;
    const listed = async () => ((await (await fetch(`http://127.0.0.1:${suite.port}/api/rooms?include=all`)).json()) as Array<{ roomId: string }>).map((r) => r.roomId);
    await eventually(async () => (await listed()).includes(roomId), "the waiting room listed");

    const token = host.room.reconnectionToken;
    dropConnection(host.room);
    await eventually(async () => !(await listed()).includes(roomId), "the room unlisted while its player is away", 3000);

    // Quick match does not put anyone in with the absent player: it opens a new room.
    const bob = new Player<Ttt>(await sdk.joinOrCreate("tictactoe", { name: "Bob" }));
    assert.notEqual(bob.room.roomId, roomId, "quick match never picks the room of an absent player");
    // Nor does a join by id (an old link): the game does not start against nobody.
    await assert.rejects(sdk.joinById(roomId, { name: "Cy" }), (err: Error) => /away/.test(err.message));

    // The player comes back within the window: the seat is still theirs, the room is listed
    // again, and the next player starts the game with them.
    const back = new Player<Ttt>(await sdk.reconnect(token));
    await back.room.waitForInitialState();
    await back.until(() => back.state.players.get(back.id)?.connected === true, "shown connected again");
    assert.equal(back.state.phase, "waiting");
    assert.equal(back.state.players.size, 1, "the same single seat");
    await eventually(async () => (await listed()).includes(roomId), "listed again", 3000);
    const cy = await suite.join<Ttt>(roomId, { name: "Cy" });
    await cy.until(() => cy.state.phase === "playing", "the game starts with both there");
    assert.deepEqual([...cy.state.players.values()].map((p) => p.connected), [true, true]);
    for (const p of [back, bob, cy]) await p.room.leave(true);
  });
});
