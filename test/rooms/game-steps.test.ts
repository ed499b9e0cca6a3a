/**
 * GameSteps (src/rooms/game-steps.ts) on its own, with the real TicTacToe definition: a
 * history line where each game begins and one per move, and one "game over" log line per
 * ended game saying how it ended and never who.
 */
import assert from "node:assert/strict";
import { MapSchema } from "@colyseus/schema";
import { ticTacToe } from "../../src/games/tictactoe.js";
import { oweDrahn } from "../../src/games/owedrahn.js";
import { GameRecords } from "../../src/rooms/game-records.js";
import { GameSteps } from "../../src/rooms/game-steps.js";
import { RoomHistory } from "../../src/rooms/history.js";
import { seededRng } from "../../src/rules/rng.js";
import { NOTHING_DRAWN } from "../../src/players/match-tracker.js";

describe("GameSteps: the history and log of each accepted step", () => {
  it("writes a start line and one line per move, and logs each game's end with its reason, turns and count", () => {
    const map = new MapSchema<string>();
    const records = new GameRecords({ game: ticTacToe, rng: seededRng(1), fairDice: false, afterSaved: (fn) => fn(), nameOf: () => undefined });
    const logged: { fields: Record<string, unknown>; msg: string }[] = [];
    const steps = new GameSteps(ticTacToe, new RoomHistory(map), records, { info: ((fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg })) as never });
    let game = ticTacToe.rules.setup(ticTacToe.config({}), seededRng(1));
    const act = (playerId: string, action: { type: string; [k: string]: unknown }) => {
      const result = ticTacToe.rules.apply(game, playerId, action as never, seededRng(2));
      assert.ok(result.ok, JSON.stringify(action));
      const before = game;
      game = result.state;
      steps.record({ before, after: game, playerId, action, events: result.events }, NOTHING_DRAWN);
    };
    act("a", { type: "join", name: "Ada" });
    act("b", { type: "join", name: "Bob" });
    assert.equal(logged.length, 0);
    const first = game.currentTurn!;
    const other = first === "a" ? "b" : "a";
    const kinds = () => [...map.values()].map((v) => JSON.parse(v)[1] as string);
    assert.ok(kinds().includes("start"), `a start line: ${kinds().join(",")}`);
    const before = map.size;
    act(first, { type: "make_move", row: 0, col: 0 });
    assert.equal(map.size, before + 1, "one line for the move");
    act(other, { type: "make_move", row: 1, col: 0 });
    act(first, { type: "make_move", row: 0, col: 1 });
    act(other, { type: "make_move", row: 1, col: 1 });
    act(first, { type: "make_move", row: 0, col: 2 });
    assert.equal(steps.gamesEnded, 1);
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.msg, "game over");
    assert.deepEqual(logged[0]!.fields, { game: 1, turns: ticTacToe.rules.turnNumber(game), ending: "won", by: "make_move" });
    assert.ok(!JSON.stringify(logged).includes("Ada"), "no player name in the log");
  });

  it("Owe Drahn: the game over is logged when the game is decided (by the leave that decided it, 'dropped'), not when the game-over pause ends", () => {
    const map = new MapSchema<string>();
    const records = new GameRecords({ game: oweDrahn, rng: seededRng(1), fairDice: false, afterSaved: (fn) => fn(), nameOf: () => undefined });
    const logged: { fields: Record<string, unknown>; msg: string }[] = [];
    const steps = new GameSteps(oweDrahn, new RoomHistory(map), records, { info: ((fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg })) as never });
    let game = oweDrahn.rules.setup(oweDrahn.config({}), seededRng(1));
    const act = (playerId: string, action: { type: string; [k: string]: unknown }) => {
      const result = oweDrahn.rules.apply(game, playerId, action as never, seededRng(2));
      assert.ok(result.ok, JSON.stringify(action));
      const before = game;
      game = result.state;
      steps.record({ before, after: game, playerId, action, events: result.events }, NOTHING_DRAWN);
    };
    act("a", { type: "join", name: "Ada" });
    act("b", { type: "join", name: "Bob" });
    act("a", { type: "ready", ready: true });
    act("b", { type: "ready", ready: true });
    assert.equal(game.phase, "playing");
    act("b", { type: "leave", dropped: true });
    assert.equal(game.phase, "over");
    assert.deepEqual(logged.map((l) => [l.msg, l.fields.ending, l.fields.by]), [["game over", "dropped", "leave"]], "logged as the game is decided");
    assert.equal(steps.gamesEnded, 1);
    act("", { type: "reset" });
    assert.equal(game.phase, "lobby");
    assert.equal(logged.length, 1, "not again when the pause ends (until 2026-12-05 the only line, 'by': 'reset')");
    assert.equal(steps.gamesEnded, 1);
  });
});
