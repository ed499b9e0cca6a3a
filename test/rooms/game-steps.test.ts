/**
 * GameSteps (src/rooms/game-steps.ts) on its own, with the real TicTacToe and Owe Drahn definitions: a
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
import type { AnyGame } from "../../src/games/definition.js";
import type { GameRules, MoveMap } from "../../src/rules/types.js";

describe("GameSteps: the history and log of each accepted step", () => {
  /** GameSteps over `definition`'s real rules: `act` applies an action (it must be accepted) and records the step. */
  function harness<S>(definition: AnyGame) {
    const map = new MapSchema<string>();
    const records = new GameRecords({ game: definition, rng: seededRng(1), fairDice: false, afterSaved: (fn) => fn(), nameOf: () => undefined });
    const logged: { fields: Record<string, unknown>; msg: string }[] = [];
    const steps = new GameSteps(definition, new RoomHistory(map), records, { info: ((fields: Record<string, unknown>, msg: string) => logged.push({ fields, msg })) as never });
    const rules = definition.rules as unknown as GameRules<S, unknown, MoveMap>;
    const h = { map, logged, steps, game: rules.setup(definition.config({}), seededRng(1)) };
    const act = (playerId: string, action: { type: string; [k: string]: unknown }) => {
      const result = rules.apply(h.game, playerId, action as never, seededRng(2));
      assert.ok(result.ok, JSON.stringify(action));
      const before = h.game;
      h.game = result.state;
      steps.record({ before, after: h.game, playerId, action, events: result.events as never }, NOTHING_DRAWN);
    };
    return Object.assign(h, { act });
  }

  it("writes a start line and one line per move, and logs each game's end with its reason, turns and count", () => {
    const t = harness<ReturnType<typeof ticTacToe.rules.setup>>(ticTacToe);
    const { map, logged, steps, act } = t;
    act("a", { type: "join", name: "Ada" });
    act("b", { type: "join", name: "Bob" });
    assert.equal(logged.length, 0);
    const first = t.game.currentTurn!;
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
    assert.deepEqual(logged[0]!.fields, { game: 1, turns: ticTacToe.rules.turnNumber(t.game), ending: "won", by: "make_move" });
    assert.ok(!JSON.stringify(logged).includes("Ada"), "no player name in the log");
  });

  it("Owe Drahn: the game over is logged when the game is decided (by the leave that decided it, 'dropped'), not when the game-over pause ends", () => {
    const o = harness<ReturnType<typeof oweDrahn.rules.setup>>(oweDrahn);
    const { logged, steps, act } = o;
    act("a", { type: "join", name: "Ada" });
    act("b", { type: "join", name: "Bob" });
    act("a", { type: "ready", ready: true });
    act("b", { type: "ready", ready: true });
    assert.equal(o.game.phase, "playing");
    act("b", { type: "leave", dropped: true });
    assert.equal(o.game.phase, "over");
    assert.deepEqual(logged.map((l) => [l.msg, l.fields.ending, l.fields.by]), [["game over", "dropped", "leave"]], "logged as the game is decided");
    assert.equal(steps.gamesEnded, 1);
    act("", { type: "reset" });
    assert.equal(o.game.phase, "lobby");
    assert.equal(logged.length, 1, "not again when the pause ends (until 2026-12-05 the only line, 'by': 'reset')");
    assert.equal(steps.gamesEnded, 1);
  });
});
