/**
 * The base room's less travelled paths, as a player or an operator meets them, on the
 * in-process test server (so the mutation run, `npm run mutate`, sees them too): options
 * refused by the room itself, a handler that throws (INTERNAL_ERROR, nothing changed),
 * odd message types, default and numbered names, a join that skips the HTTP route's
 * validation, a live session's token, and a drain of one room (Colyseus's
 * `onBeforeShutdown`, which the process calls on SIGTERM: test/scaling/drain.test.ts
 * covers the whole process).
 */
import assert from "node:assert/strict";
import { ErrorCode as ColyseusErrorCode, CloseCode, matchMaker } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import WebSocket from "ws";
import { CLOSE_NO_JOIN_ACK, ErrorCode, JoinErrorCode } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import type { OweDrahnState } from "../../src/schema/OweDrahnState.js";
import type { DiceState } from "../../src/schema/DiceState.js";
import { dropConnection, eventually, Player, quietReconnection, refusedWith } from "../helpers/clients.js";
import { roomSuite, topRowWin } from "../helpers/rooms.js";
import { logMark, logsSince, roomLog, roomLogs, TEST_ENV } from "../helpers/server.js";
import { keepers } from "../helpers/dice-picks.js";

type Ttt = TicTacToeState;

/** The parts of a live GameRoom instance these tests reach into (fault injection, settings). */
interface RoomInternals {
  /** The path every action takes to the rules (src/rooms/rules-path.ts): a test swaps in faulty rules there. */
  path: { parts: { rules: { apply: (...args: unknown[]) => unknown } } };
  settings: { drainSeconds: number };
  onBeforeShutdown(): void;
  disconnect(): Promise<unknown>;
}

describe("Room paths: refusals, failures, names, drain", () => {
  const suite = roomSuite();
  const url = () => `http://127.0.0.1:${suite.port}`;
  const internals = (roomId: string) => suite.colyseus.getRoomById(roomId) as unknown as RoomInternals;
  const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");

  /** A reservation for room `roomId` from the HTTP route, not used yet. */
  async function reserve(roomId: string, options: Record<string, unknown> = {}) {
    const res = await fetch(`${url()}/matchmake/joinById/${roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(options) });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  }

  it("a failure inside the matchmaker (here its driver's connection gone) is answered 500 without its text, which may name internal addresses; the log has it", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    // Under Colyseus's own matchmaker, which hands such a failure on as its generic 523 with the error's text.
    const driver = matchMaker.driver as unknown as { findOne: (...args: unknown[]) => Promise<unknown> };
    const findOne = driver.findOne;
    driver.findOne = () => Promise.reject(new Error("connect ECONNREFUSED 10.20.30.40:6379"));
    const logged = logMark();
    try {
      const res = await fetch(`${url()}/matchmake/joinById/${room.roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      const text = await res.text();
      assert.equal(res.status, 500);
      assert.doesNotMatch(text, /10\.20\.30\.40|ECONNREFUSED/, `the answer: ${text}`);
      assert.deepEqual(JSON.parse(text), { code: 500, error: "The server failed to handle that request." });
    } finally {
      driver.findOne = findOne;
    }
    const line = logsSince(logged).find((l) => l.msg === "matchmaking request failed");
    assert.equal(line?.level, 50, "an error line");
    assert.match(JSON.stringify(line?.err), /10\.20\.30\.40/, "the operator's log names it");
  });

  it("a room refuses invalid create options itself, whoever asks (the HTTP route checks them first), and nothing is listed; the log has the refusal and no error", async () => {
    const before = logMark();
    await assert.rejects(suite.colyseus.createRoom("tictactoe", { turnSeconds: 5000 }), refusedWith(JoinErrorCode.INVALID_OPTIONS, /turnSeconds/));
    await assert.rejects(suite.colyseus.createRoom("dice", { targetScore: "lots" }), refusedWith(JoinErrorCode.INVALID_OPTIONS));
    assert.deepEqual(await matchMaker.query({}), [], "no room was left behind");
    // Colyseus disposes a refused room at once; its disposal may follow the refusal by a tick.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = logsSince(before).filter((l) => l.roomName === "tictactoe" || l.roomName === "dice");
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.methodName]),
      [
        [30, "join refused", "onCreate"],
        [30, "join refused", "onCreate"],
      ],
      "one refusal each, at info: no error from the refused room's disposal, and no 'room disposed' for a room never created",
    );
  });

  it("a join that skips the HTTP route's validation is refused by the room (INVALID_OPTIONS), and its seat is free again at once", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const a = await suite.join<Ttt>(room.roomId, { name: "Ada" });
    const [cached] = await matchMaker.query({ roomId: room.roomId });
    const reservation = await matchMaker.reserveSeatFor(cached!, { name: 42 });
    await assert.rejects(suite.colyseus.sdk.consumeSeatReservation(reservation as never), refusedWith(JoinErrorCode.INVALID_OPTIONS, /name/));
    const refused = roomLog(room.roomId, "join refused");
    assert.deepEqual([refused.level, refused.methodName, refused.code], [30, "onAuth", JoinErrorCode.INVALID_OPTIONS], "a refusal (info), not an error");
    const [listed] = await matchMaker.query({ roomId: room.roomId });
    assert.equal(listed!.metadata.open, true, "listed as open again: the refused reservation holds no seat");
    assert.equal(listed!.metadata.players, 1);
    const b = await suite.join<Ttt>(room.roomId, { name: "Bob" });
    await a.until(() => a.state.phase === "playing", "both seats taken by the next two players");
    assert.deepEqual([...b.state.players.values()].map((p) => p.name).sort(), ["Ada", "Bob"]);
  });

  it("a rules failure answers the sender INTERNAL_ERROR, changes nothing, and the game goes on", async () => {
    const { room, a, b, first, second } = await suite.startedTicTacToe();
    const live = internals(room.roomId);
    const rules = live.path.parts.rules;
    const failing = Object.create(rules) as typeof rules;
    failing.apply = (...args: unknown[]) => {
      const action = args[2] as { type: string; row?: number; col?: number };
      if (action.type === "make_move" && action.row === 1 && action.col === 1) throw new Error("a bug in the rules");
      return rules.apply(...args);
    };
    live.path.parts.rules = failing;

    first.send("make_move", { row: 1, col: 1 });
    const error = await first.next("error");
    assert.equal(error.code, ErrorCode.INTERNAL_ERROR);
    assert.match(error.message, /nothing changed/);
    assert.equal(board(first), ",,,,,,,,", "the board is unchanged");
    assert.equal(first.state.currentTurn, first.id, "still the sender's turn");
    assert.equal(second.all("error").length, 0, "the opponent is told nothing");

    first.send("make_move", { row: 0, col: 0 });
    for (const p of [a, b]) await p.until(() => p.state.board[0] !== "" && p.state.currentTurn === second.id, "the next move is played");
    assert.equal(first.left, undefined, "the sender stays connected");
    const logged = roomLog(room.roomId, "uncaught exception in room");
    assert.equal(logged.level, 50, "an error line");
    assert.equal(logged.methodName, "onMessage");
    assert.match(logged.err.message, /a bug in the rules/);
  });

  it("a bot move the rules refuse (a bug in the bot) ends the bot's turn as a timeout, logged as an error: the game never waits on it", async () => {
    const room = await suite.colyseus.createRoom("dice", { targetScore: 10000 });
    const human = await suite.join<DiceState>(room.roomId, { name: "Hilde" });
    const live = internals(room.roomId);
    const rules = live.path.parts.rules;
    const failing = Object.create(rules) as typeof rules;
    // Every move of a bot's is refused, but the room's own timeout.
    failing.apply = (...args: unknown[]) => {
      const [, playerId, action] = args as [unknown, string, { type: string }];
      if (playerId.startsWith("bot-") && action.type !== "timeout") return { ok: false, code: "INVALID_MOVE", message: "a bug in the bot" };
      return rules.apply(...args);
    };
    live.path.parts.rules = failing;
    human.send("add_bot");
    await human.until(() => human.state.players.size === 2 && human.state.phase === "playing", "the game against the bot");
    const botId = Array.from(human.state.players.keys()).find((id) => id !== human.id)!;
    if (human.state.currentTurn === human.id) {
      // Hilde's turn first: she rolls, and banks what scores (or busts).
      human.send("roll");
      await human.until(() => human.state.phase === "busted" || Array.from(human.state.dice).some((d) => d !== 0), "the roll");
      if (human.state.phase === "playing") {
        for (const index of keepers(Array.from(human.state.dice))) human.send("select", { index });
        human.send("set_aside", { endTurn: true });
      }
      await human.until(() => human.state.currentTurn === botId && human.state.phase === "playing", "the bot's turn");
    }
    const busted = await human.nth("busted", human.all("busted").filter((b) => b.playerId === botId).length + 1, 5000);
    assert.deepEqual(busted, { playerId: botId, reason: "timeout" }, "the bot's turn ended as a timeout");
    await human.until(() => human.state.currentTurn === human.id && human.state.phase === "playing", "Hilde's turn again");
    const logged = roomLog(room.roomId, "bot move refused; its turn ends as a timeout");
    assert.equal(logged.level, 50);
    assert.equal(logged.playerId, botId);
  });

  it("a message whose type is '*' or a number gets UNKNOWN_ACTION naming it, like any unknown type", async () => {
    const { first } = await suite.startedTicTacToe();
    first.send("*", { row: 0, col: 0 });
    let error = await first.next("error");
    assert.equal(error.code, ErrorCode.UNKNOWN_ACTION);
    assert.equal(error.message, 'Unknown message type "*".');
    first.room.send(7 as never);
    error = await first.next("error");
    assert.equal(error.code, ErrorCode.UNKNOWN_ACTION);
    assert.equal(error.message, 'Unknown message type "7".');
    assert.equal(board(first), ",,,,,,,,");
    first.send("teleport_to_the_moon_and_back_again_and_again_and_again");
    error = await first.next("error");
    assert.equal(error.message, 'Unknown message type "teleport_to_the_moon_and_back_again_and_".', "a type is named by its first 40 characters");
  });

  it("the rooms and clients gauges in /metrics follow rooms and clients, and a room refused at creation is never counted", async () => {
    // /metrics is rendered at most once a second: each reading waits for the value it expects.
    const gauge = async (name: string) => {
      const text = await (await fetch(`${url()}/metrics`)).text();
      return Number(new RegExp(`^${name}\\{game="tictactoe"\\} (-?\\d+)$`, "m").exec(text)?.[1] ?? 0);
    };
    const expect = (name: string, value: number, what: string) => eventually(async () => (await gauge(name)) === value, `${name} = ${value}: ${what}`, 3000);
    await expect("game_rooms", 0, "no tictactoe room (the suite cleans up before each test)");
    await expect("game_clients", 0, "nobody in one");
    const logged = logMark();
    await assert.rejects(suite.colyseus.createRoom("tictactoe", { turnSeconds: 5000 }), refusedWith(JoinErrorCode.INVALID_OPTIONS));
    // Only this refusal's line: an earlier one may still be in the log (a mutation runner's worker runs this test many times).
    const refusedAt = logsSince(logged).find((l) => l.msg === "join refused");
    assert.equal(refusedAt?.methodName, "onCreate", "logged as a refusal, not an error");
    assert.equal(refusedAt?.level, 30);

    const { a, b } = await suite.startedTicTacToe();
    await expect("game_rooms", 1, "the game's room, and not the refused one (counted out, never in)");
    await expect("game_clients", 2, "its two players");
    await a.room.leave();
    await expect("game_clients", 1, "one player left");
    await b.room.leave();
    await expect("game_rooms", 0, "the room is gone");
    await expect("game_clients", 0, "and its players");

    // A room closed while a dropped player's seat is held (here by its server; a drain or a
    // superseded copy do the same): that player is counted out too.
    const held = await suite.startedTicTacToe();
    await expect("game_clients", 2, "two new players");
    held.b.room.reconnection.enabled = false;
    dropConnection(held.b.room);
    await held.a.until(() => [...held.a.state.players.values()].some((p) => !p.connected), "b away, the seat held");
    await expect("game_clients", 2, "a held seat still counts");
    await internals(held.room.roomId).disconnect();
    await expect("game_rooms", 0, "the room is gone");
    await expect("game_clients", 0, "and both its players, the held one too");
  });

  it("a failing timer (here the turn timer's action) is logged as an error and the room goes on", async () => {
    const { room, a, b, first, second } = await suite.startedTicTacToe({ turnSeconds: 1 });
    const live = internals(room.roomId);
    const rules = live.path.parts.rules;
    const failing = Object.create(rules) as typeof rules;
    let thrown = 0;
    failing.apply = (...args: unknown[]) => {
      if ((args[2] as { type: string }).type === "timeout" && thrown++ === 0) throw new Error("a bug in the timeout");
      return rules.apply(...args);
    };
    live.path.parts.rules = failing;
    await eventually(() => roomLogs(room.roomId).some((l) => l.msg === "uncaught exception in a room timer"), "the timer's error line", 3000);
    const line = roomLog(room.roomId, "uncaught exception in a room timer");
    assert.equal(line.level, 50);
    assert.match(line.err.message, /a bug in the timeout/);
    assert.equal(first.state.phase, "playing", "nothing changed");
    first.send("make_move", { row: 0, col: 0 });
    for (const p of [a, b]) await p.until(() => p.state.board[0] !== "" && p.state.currentTurn === second.id, "the game goes on");
  });

  it("a spectator joining by game name (join / joinOrCreate with spectate: true) is placed in a running game", async () => {
    const { room } = await suite.startedTicTacToe();
    const watcher = await suite.colyseus.sdk.join<Ttt>("tictactoe", { spectate: true });
    assert.equal(watcher.roomId, room.roomId, "a started room is not open, but a spectator may join it");
    await watcher.leave();
  });

  it("while the game waits, there is no turn deadline; a roll within a Dice turn does not move it", async () => {
    const ttt = await suite.colyseus.createRoom("tictactoe", { turnSeconds: 5 });
    const alone = await suite.join<Ttt>(ttt.roomId, { name: "Ada" });
    assert.equal(alone.state.turnDeadline, 0, "nobody is on turn yet");

    const dice = await suite.colyseus.createRoom("dice", { turnSeconds: 30, targetScore: 10000 }); // the bot cannot win a first turn
    const human = await suite.join<DiceState>(dice.roomId, { name: "Hilde" });
    human.send("add_bot");
    // A first roll can bust (the turn passes): try turns until a roll keeps the turn.
    let checked = false;
    for (let turn = 0; turn < 20 && !checked; turn++) {
      await human.until(() => human.state.phase === "playing" && human.state.currentTurn === human.id && Array.from(human.state.dice).every((d) => d === 0), "my turn", 10_000);
      const deadline = human.state.turnDeadline;
      assert.ok(deadline > Date.now());
      human.send("roll");
      await human.until(() => human.state.phase !== "playing" || Array.from(human.state.dice).some((d) => d !== 0), "the rolled dice");
      if (human.state.phase === "playing" && human.state.currentTurn === human.id) {
        assert.equal(human.state.turnDeadline, deadline, "the same turn keeps its deadline");
        checked = true;
      }
    }
    assert.ok(checked, "a roll that kept the turn within 20 turns");
  });

  it("the listing names only the room's people, not its bots", async () => {
    const dice = await suite.colyseus.createRoom("dice");
    const human = await suite.join<DiceState>(dice.roomId, { name: "Hilde" });
    human.send("add_bot");
    await human.until(() => human.state.players.size === 2, "the bot seated");
    await eventually(async () => (await matchMaker.query({ roomId: dice.roomId }))[0]?.metadata.players === 2, "the listing to show two players");
    const [listed] = await matchMaker.query({ roomId: dice.roomId });
    assert.deepEqual(listed!.metadata.names, ["Hilde"]);
  });

  it("in a waiting Owe Drahn room, one away player of two does not keep a third from sitting down", async () => {
    const owe = await suite.colyseus.createRoom("owedrahn");
    const ada = await suite.join<OweDrahnState>(owe.roomId, { name: "Ada" });
    const bob = await suite.join<OweDrahnState>(owe.roomId, { name: "Bob" });
    bob.room.reconnection.enabled = false;
    dropConnection(bob.room);
    await ada.until(() => ada.state.players.find((p) => p.id === bob.id)?.connected === false, "Bob away");
    const away = ada.state.players.find((p) => p.id === bob.id)!.awayUntil;
    const windowMs = Number(TEST_ENV.RECONNECT_SECONDS) * 1000;
    assert.ok(Math.abs(away - (Date.now() + windowMs)) < 1000, `awayUntil is the end of the reconnection window (${away - Date.now()} ms from now, window ${windowMs} ms)`);
    const cy = await suite.join<OweDrahnState>(owe.roomId, { name: "Cy" });
    await cy.until(() => cy.state.players.length === 3, "Cy seated");
  });

  it("players without a name are 'Player 1', 'Player 2'; a third 'Ada' is 'Ada (3)'", async () => {
    const ttt = await suite.colyseus.createRoom("tictactoe");
    const x = await suite.join<Ttt>(ttt.roomId);
    const y = await suite.join<Ttt>(ttt.roomId);
    await x.until(() => x.state.players.size === 2);
    assert.equal(x.state.players.get(x.id)!.name, "Player 1");
    assert.equal(x.state.players.get(y.id)!.name, "Player 2");

    const owe = await suite.colyseus.createRoom("owedrahn");
    const adas: Player<OweDrahnState>[] = [];
    for (let i = 0; i < 3; i++) adas.push(await suite.join<OweDrahnState>(owe.roomId, { name: "Ada" }));
    const last = adas[2]!;
    await last.until(() => last.state.players.length === 3);
    assert.deepEqual(
      adas.map((p) => last.state.players.find((q) => q.id === p.id)!.name),
      ["Ada", "Ada (2)", "Ada (3)"],
    );
  });

  it("a player who leaves a waiting room gives up their name: the next 'Ada' is 'Ada', not 'Ada (2)'", async () => {
    const room = await suite.colyseus.createRoom("owedrahn");
    const bob = await suite.join<OweDrahnState>(room.roomId, { name: "Bob" });
    const ada = await suite.join<OweDrahnState>(room.roomId, { name: "Ada" });
    await bob.until(() => bob.state.players.length === 2);
    await ada.room.leave();
    await bob.until(() => bob.state.players.length === 1, "Ada gone from the lobby");
    const again = await suite.join<OweDrahnState>(room.roomId, { name: "Ada" });
    await bob.until(() => bob.state.players.length === 2);
    assert.equal(bob.state.players.find((p) => p.id === again.id)!.name, "Ada");
  });

  it("a live session's reconnection token is refused (expired), and its owner stays connected", async () => {
    const { a, b, first } = await suite.startedTicTacToe();
    await assert.rejects(new Client(url()).reconnect(a.room.reconnectionToken), refusedWith(ColyseusErrorCode.MATCHMAKE_EXPIRED));
    first.send("make_move", { row: 0, col: 0 });
    for (const p of [a, b]) await p.until(() => p.state.board[0] !== "", "the game goes on");
    assert.equal(a.left, undefined);
    assert.equal(b.state.players.get(a.id)!.connected, true);
  });

  it("a seated client that never acknowledges its join is cut (4408) without a reconnection window, and the seat is free again", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const ada = await suite.join<Ttt>(room.roomId, { name: "Ada" });
    const live = internals(room.roomId) as unknown as { settings: { joinAckSeconds: number } };
    live.settings = { ...live.settings, joinAckSeconds: 0.3 };
    // The matchmaker's HTTP step, then a bare WebSocket that never answers the join.
    const r = (await reserve(room.roomId, { name: "Mute" })) as { processId: string; roomId: string; sessionId: string };
    const ws = new WebSocket(`ws://127.0.0.1:${suite.port}/${r.processId}/${r.roomId}?sessionId=${r.sessionId}`);
    const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
    await ada.until(() => ada.state.players.size === 2, "the mute client seated");
    assert.equal(await closed, CLOSE_NO_JOIN_ACK);
    await ada.until(() => ada.state.players.size === 1, "its seat freed at once: no reconnection window", 1000);
    const warned = roomLog(room.roomId, "join not acknowledged in time; disconnecting");
    assert.equal(warned.level, 40);
    assert.equal(warned.sessionId, r.sessionId);
    assert.equal(roomLogs(room.roomId).some((l) => l.msg === "connection dropped; seat held"), false);
  });

  it("a player whose reconnection drops again before it acknowledges the join keeps the seat (no forfeit), and comes back with the token that connection was given", async () => {
    const { a, b, first } = await suite.startedTicTacToe();
    b.room.reconnection.enabled = false;
    dropConnection(b.room);
    await a.until(() => a.state.players.get(b.id)?.connected === false, "Bob away");
    // The SDK's reconnection, by hand: the matchmaker's step, then a WebSocket that gets the
    // join (and its new token) but dies before its acknowledgement goes out.
    const [roomId, token] = b.room.reconnectionToken.split(":");
    const res = await fetch(`${url()}/matchmake/reconnect/${roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reconnectionToken: token }) });
    assert.equal(res.status, 200, await res.clone().text());
    const r = (await res.json()) as { processId: string; roomId: string; sessionId: string };
    const ws = new WebSocket(`ws://127.0.0.1:${suite.port}/${r.processId}/${r.roomId}?sessionId=${r.sessionId}&reconnectionToken=${token}`);
    const given = await new Promise<string>((resolve) =>
      ws.on("message", (data: Buffer) => {
        if (data[0] === 10 /* JOIN_ROOM: [code, length, token…] */) resolve(data.subarray(2, 2 + data[1]!).toString());
      }),
    );
    await a.until(() => a.state.players.get(b.id)?.connected === true, "Bob back for a moment");
    ws.terminate();
    await a.until(() => a.state.players.get(b.id)?.connected === false, "Bob away again");
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(a.state.phase, "playing", "no forfeit");

    const back = new Player<Ttt>(await new Client(url()).reconnect<Ttt>(`${roomId}:${given}`));
    await a.until(() => a.state.players.get(b.id)?.connected === true, "Bob back");
    await back.until(() => back.state.phase === "playing", "Bob's state");
    const mover = first === a ? a : back;
    mover.send("make_move", { row: 0, col: 0 });
    for (const p of [a, back]) await p.until(() => p.state.board[0] !== "", "the game goes on");
  });

  describe("a player whose reconnection goes quiet before it acknowledges the join (a phone whose network died again as it came back)", () => {
    for (const [comesBackWith, quietTimes] of [["the token it had (the join never reached it)", 2], ["the token it was given", 1]] as const) {
      it(`is cut with 4010 (try again), keeps the seat, and comes back with ${comesBackWith}${quietTimes > 1 ? `, after ${quietTimes} such reconnections` : ""}`, async () => {
        const { room, a, b, first } = await suite.startedTicTacToe();
        const live = internals(room.roomId) as unknown as { settings: { joinAckSeconds: number } };
        live.settings = { ...live.settings, joinAckSeconds: 0.3 };
        b.room.reconnection.enabled = false;
        dropConnection(b.room);
        await a.until(() => a.state.players.get(b.id)?.connected === false, "Bob away");
        let given = "";
        for (let i = 0; i < quietTimes; i++) {
          const quiet = await quietReconnection(url(), b.room.reconnectionToken);
          given = await quiet.given;
          assert.equal(await quiet.closed, CloseCode.MAY_TRY_RECONNECT, "cut with 'may try to reconnect', not 4408");
          assert.notEqual(given, b.room.reconnectionToken, "that connection was given a new token");
          await a.until(() => a.state.players.get(b.id)?.connected === false, "Bob away again");
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(a.state.phase, "playing", "no forfeit");
        assert.equal(roomLog(room.roomId, "reconnection not acknowledged in time; disconnecting").sessionId, b.id);
        assert.ok(roomLogs(room.roomId).some((l) => l.msg === "connection dropped; seat held" && l.cut === "no-ack" && l.sessionId === b.id), "the seat held after the cut");

        const token = comesBackWith === "the token it was given" ? given : b.room.reconnectionToken;
        const back = new Player<Ttt>(await new Client(url()).reconnect<Ttt>(token));
        await a.until(() => a.state.players.get(b.id)?.connected === true, "Bob back");
        await back.until(() => back.state.phase === "playing", "Bob's state");
        const mover = first === a ? a : back;
        mover.send("make_move", { row: 0, col: 0 });
        for (const p of [a, back]) await p.until(() => p.state.board[0] !== "", "the game goes on");
        // The other tokens went with the hold: none takes the seat a second time.
        const other = token === given ? b.room.reconnectionToken : given;
        await assert.rejects(new Client(url()).reconnect(other), refusedWith(ColyseusErrorCode.MATCHMAKE_EXPIRED));
      });
    }
  });

  it("a player whose connection Colyseus drops for an undecodable frame (4002) gets no reconnection window: the opponent wins at once", async () => {
    const { a, first, second } = await suite.startedTicTacToe();
    const ws = (second.room.connection.transport as unknown as { ws: { send(data: Uint8Array): void } }).ws;
    // ROOM_DATA (13), type "x" (fixstr), then a msgpack str8 of 255 bytes that never come.
    ws.send(new Uint8Array([13, 0xa1, 0x78, 0xd9, 0xff]));
    await first.until(() => first.state.phase === "over", "the forfeit", 1000);
    assert.equal(first.state.winner, first.id);
    assert.equal(first.state.endReason, "left");
    assert.equal(roomLogs(a.room.roomId).some((l) => l.msg === "connection dropped; seat held"), false);
  });

  describe("drain of one room (onBeforeShutdown)", () => {
    it("a room with no game running closes at once with 4001", async () => {
      const room = await suite.colyseus.createRoom("tictactoe");
      const waiting = await suite.join<Ttt>(room.roomId, { name: "Ada" });
      const live = internals(room.roomId);
      live.settings = { ...live.settings, drainSeconds: 30 }; // at once, not at the cutoff
      live.onBeforeShutdown();
      await waiting.until(() => waiting.left !== undefined, "the room closes");
      assert.equal(waiting.left, CloseCode.SERVER_SHUTDOWN);
    });

    it("a player away when the drain began, back during it, and a spectator let in during it are told `draining` too, with the seconds left", async () => {
      const { room, a, b } = await suite.startedTicTacToe();
      b.room.reconnection.enabled = false;
      dropConnection(b.room);
      await a.until(() => a.state.players.get(b.id)?.connected === false, "Bob away");
      const live = internals(room.roomId);
      live.settings = { ...live.settings, drainSeconds: 30 };
      live.onBeforeShutdown();
      assert.deepEqual(await a.nth("draining", 1), { seconds: 30 });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const back = new Player<Ttt>(await new Client(url()).reconnect<Ttt>(b.room.reconnectionToken));
      // (Listening from the join on, as the web client does: the notice comes with the first state.)
      const watcher = new Player<Ttt>(await suite.colyseus.sdk.joinById<Ttt>(room.roomId, { spectate: true }));
      for (const p of [back, watcher]) {
        const { seconds } = (await p.nth("draining", 1)) as { seconds: number };
        assert.ok(seconds >= 27 && seconds <= 29, `told ${seconds} s are left`);
      }
      // The drain would keep the room for 30 s.
      await (suite.colyseus.getRoomById(room.roomId) as unknown as { disconnect(): Promise<unknown> }).disconnect();
    });

    it("a running game is told `draining`, a reservation taken before is refused SHUTTING_DOWN, and the room closes at the game's end", async () => {
      const { room, a, b, first, second } = await suite.startedTicTacToe();
      const late = await reserve(room.roomId, { name: "Late" });
      const live = internals(room.roomId);
      live.settings = { ...live.settings, drainSeconds: 30 };
      // A clock that moves a millisecond with every reading: the drain's length is still 30 s, not 29.999 (a CI run's failure, 2026-12-06).
      const realNow = Date.now;
      let tick = realNow();
      Date.now = () => tick++;
      try {
        live.onBeforeShutdown();
      } finally {
        Date.now = realNow;
      }
      for (const p of [a, b]) assert.deepEqual(await p.nth("draining", 1), { seconds: 30 });
      await assert.rejects(suite.colyseus.sdk.consumeSeatReservation(late as never), refusedWith(JoinErrorCode.SHUTTING_DOWN, /restarting/));

      await topRowWin(first, second, [a, b]);
      for (const p of [a, b]) await p.until(() => p.left !== undefined, "the room closes after the game over");
      assert.equal(a.left, CloseCode.SERVER_SHUTDOWN);
      assert.equal(b.left, CloseCode.SERVER_SHUTDOWN);
      assert.equal(a.state.winner, first.id, "the game was played to its end first");
      assert.equal(roomLog(room.roomId, "draining for shutdown").drainSeconds, 30);
      assert.equal(roomLog(room.roomId, "game over while draining; closing the room").level, 30);
      assert.equal(roomLogs(room.roomId).some((l) => l.msg === "drain time is over; closing a game still running"), false);
    });

    it("a game still running at the cutoff is closed then (4001), not before", async () => {
      const { room, a, b } = await suite.startedTicTacToe();
      const live = internals(room.roomId);
      live.settings = { ...live.settings, drainSeconds: 0.5 };
      const at = Date.now();
      live.onBeforeShutdown();
      for (const p of [a, b]) await p.until(() => p.left !== undefined, "the cutoff", 3000);
      const after = Date.now() - at;
      assert.ok(after >= 450, `closed ${after} ms after the drain began (cutoff 500 ms)`);
      assert.equal(a.left, CloseCode.SERVER_SHUTDOWN);
      assert.equal(a.state.phase, "playing", "the game had not ended");
      assert.equal(roomLog(room.roomId, "drain time is over; closing a game still running").level, 40, "a warning");
    });
  });
});
