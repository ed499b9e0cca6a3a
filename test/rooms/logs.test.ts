/**
 * What an operator reads in a room's log (README, "Operations"): one line at creation, at
 * each game's end and at disposal (info), per-player lines at debug, warnings for cut
 * clients, errors for failures; and never a player's name at info or above. The test server
 * keeps its log lines in memory (test/helpers/server.ts).
 */
import assert from "node:assert/strict";
import { CLOSE_FLOODING, JoinErrorCode } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { dropConnection, eventually, Player, refusedWith } from "../helpers/clients.js";
import { roomSuite, topRowWin } from "../helpers/rooms.js";
import { roomLog, roomLogs, TEST_ENV } from "../helpers/server.js";

type Ttt = TicTacToeState;

const INFO = 30;
const WARN = 40;
const ERROR = 50;
const DEBUG = 20;


describe("A room's log lines", () => {
  const suite = roomSuite();

  it("a game's life: created (options, seats), joined and left at debug, game over (how, not who), disposed (joins, games); no player name at info", async () => {
    const { room, a, b, first, second } = await suite.startedTicTacToe({ turnSeconds: 30, name: "Ada" });
    const roomId = room.roomId;
    const created = roomLog(roomId, "room created");
    assert.equal(created.level, INFO);
    assert.equal(created.roomName, "tictactoe");
    assert.equal(created.seats, 2);
    assert.equal(created.options.turnSeconds, 30);
    assert.equal("name" in created.options, false, "the creator's name is not logged");
    const joined = roomLogs(roomId).filter((l) => l.msg === "joined");
    assert.deepEqual(joined.map((l) => [l.level, l.sessionId, l.spectator]), [[DEBUG, a.id, false], [DEBUG, b.id, false]]);

    const watcher = await suite.join<Ttt>(roomId, { spectate: true });
    await topRowWin(first, second, [first, second]);
    const applied = roomLogs(roomId).filter((l) => l.msg === "action applied");
    assert.deepEqual(
      applied.map((l) => [l.level, l.playerId, l.action]),
      [[DEBUG, a.id, "join"], [DEBUG, b.id, "join"], ...[first, second, first, second, first].map((p) => [DEBUG, p.id, "make_move"])],
      "one debug line per accepted action, with who and what",
    );
    await watcher.room.leave();
    await eventually(() => roomLogs(roomId).some((l) => l.msg === "left" && l.sessionId === watcher.id), "the spectator's leave");
    assert.equal(roomLogs(roomId).some((l) => l.msg === "system action refused"), false, "a spectator's leave is not offered to the rules");
    const over = roomLog(roomId, "game over");
    assert.equal(over.level, INFO);
    assert.deepEqual([over.game, over.turns, over.ending, over.by], [1, 5, "won", "make_move"]);

    await a.room.leave();
    await b.room.leave();
    await eventually(() => roomLogs(roomId).some((l) => l.msg === "room disposed"), "the room to be disposed");
    const disposed = roomLog(roomId, "room disposed");
    assert.equal(disposed.level, INFO);
    assert.deepEqual([disposed.joins, disposed.games], [3, 1], "two players and a spectator; one game");
    assert.ok(disposed.seconds >= 0 && disposed.seconds <= 5, `the room's age: ${disposed.seconds} s`);
    const left = roomLogs(roomId).filter((l) => l.msg === "left");
    assert.deepEqual(left.map((l) => [l.level, l.sessionId, l.consented]), [[DEBUG, watcher.id, true], [DEBUG, a.id, true], [DEBUG, b.id, true]]);

    const audible = roomLogs(roomId).filter((l) => l.level >= INFO);
    assert.deepEqual(audible.map((l) => l.msg), ["room created", "game over", "room disposed"]);
    for (const line of audible) assert.doesNotMatch(JSON.stringify(line), /Ada|Bob/, `a player's name in an info line: ${JSON.stringify(line)}`);
  });

  it("a drop and a return, then a turn that runs out: seat held (info), reconnected (info), turn timed out (info), game over by timeout", async function () {
    this.timeout(10_000);
    const { room, first, second } = await suite.startedTicTacToe({ turnSeconds: 1 });
    const roomId = room.roomId;
    second.room.reconnection.minUptime = 0;
    let back = 0;
    second.room.onReconnect(() => back++);
    dropConnection(second.room);
    await second.until(() => back === 1, "automatic reconnection", 5000);
    const held = roomLog(roomId, "connection dropped; seat held");
    assert.equal(held.level, INFO);
    assert.equal(held.sessionId, second.id);
    assert.equal(held.code, 1006);
    const reconnected = roomLog(roomId, "reconnected");
    assert.equal(reconnected.level, INFO);
    assert.equal(reconnected.sessionId, second.id);

    await first.until(() => first.state.phase === "over", "the timeout", 4000);
    const timedOut = roomLog(roomId, "turn timed out");
    assert.equal(timedOut.level, INFO);
    assert.equal(timedOut.playerId, first.id, "the player on turn");
    const over = roomLog(roomId, "game over");
    assert.deepEqual([over.ending, over.by], ["timeout", "timeout"]);
  });

  it("a refused join is one info line with its code and reason; a flooder's cut is a warning", async () => {
    const { room, first } = await suite.startedTicTacToe();
    const roomId = room.roomId;
    await assert.rejects(suite.colyseus.sdk.joinById(roomId, { name: "Cy" }), refusedWith(JoinErrorCode.GAME_STARTED));
    const refused = roomLog(roomId, "join refused");
    assert.equal(refused.level, INFO);
    assert.equal(refused.methodName, "onJoin");
    assert.equal(refused.code, JoinErrorCode.GAME_STARTED);
    assert.match(refused.reason, /The game has started/);
    assert.equal(roomLogs(roomId).filter((l) => l.level >= ERROR).length, 0, "a refusal is not an error");

    const messages = Number(TEST_ENV.MESSAGE_BURST) + 2 * Number(TEST_ENV.FLOOD_DISCONNECT_AFTER);
    const reason = new Promise<string | undefined>((resolve) => first.room.onLeave((_code, why) => resolve(why)));
    const sentAt = Date.now();
    for (let i = 0; i < messages; i++) first.send("fly_away");
    await first.until(() => first.left !== undefined, "the flooder's disconnect");
    // The bucket refills meanwhile (MESSAGES_PER_SECOND): on a slow machine a token or two more
    // than the burst; whatever came after the cut (FLOOD_DISCONNECT_AFTER more) would be far beyond.
    const refilled = Math.ceil((Number(TEST_ENV.MESSAGES_PER_SECOND) * (Date.now() - sentAt)) / 1000);
    assert.equal(first.left, CLOSE_FLOODING);
    assert.equal(await reason, "too many messages", "the close frame says why");
    const codes = first.all("error").map((e: { code: string }) => e.code);
    const handled = codes.filter((c) => c === "UNKNOWN_ACTION").length;
    assert.ok(handled >= Number(TEST_ENV.MESSAGE_BURST) && handled <= Number(TEST_ENV.MESSAGE_BURST) + refilled, `only the burst (and what refilled while it came) was handled, nothing after the cut: ${handled} handled, ${refilled} refilled`);
    assert.ok(handled < messages - Number(TEST_ENV.FLOOD_DISCONNECT_AFTER), "not every message after the cut was handled");
    // One RATE_LIMITED per run of refusals; a refilled token accepted between refusals starts a new run.
    const limited = codes.filter((c) => c === "RATE_LIMITED").length;
    assert.ok(limited >= 1 && limited <= 1 + refilled, `one RATE_LIMITED per run of refusals: ${limited}`);
    const cut = roomLog(roomId, "disconnecting a client that keeps flooding");
    assert.equal(cut.level, WARN);
    assert.equal(cut.sessionId, first.id);
    await eventually(() => roomLogs(roomId).some((l) => l.msg === "left" && l.sessionId === first.id), "the flooder's leave");
    const left = roomLogs(roomId).find((l) => l.msg === "left" && l.sessionId === first.id)!;
    assert.deepEqual([left.code, left.consented], [CLOSE_FLOODING, false], "cut, not a consented leave");
  });
});
