/**
 * A replay's steps in words (client/src/games/*.ts `replay.step`), over states the games' own
 * rules produce: the step that ends a game says how it ended, in every game alike ("Bob did
 * not come back. Ada wins!"), and a step after the game says no winner again. Plain
 * functions: no page needed.
 */
import assert from "node:assert/strict";
import { plainText } from "../../client/src/dom.js";
import type { ReplayView } from "../../client/src/view.js";
import { dice, MAX_TURNS, type DiceState } from "../../src/rules/dice.js";
import { oweDrahn } from "../../src/rules/owe-drahn.js";
import { ticTacToe } from "../../src/rules/tictactoe.js";
import type { Rng } from "../../src/rules/rng.js";
import { clientViews } from "../helpers/views.js";

/** Every draw is the lowest number it may be: X (the first seat) opens, a die shows 1. */
const low: Rng = { int: (min) => min };

interface AnyRules {
  apply(state: unknown, playerId: string, action: unknown, rng: Rng): { ok: true; state: unknown } | { ok: false; message: string };
}

/** Plays `actions` from `start` (drawing from `rng`), and returns each action's step line as the replay shows it. */
function stepLines(game: string, rules: AnyRules, start: unknown, actions: [string, Record<string, unknown> & { type: string }][], rng: Rng = low): string[] {
  const view = clientViews().find((v) => v.protocol.name === game)!.replay as ReplayView<unknown>;
  const names: Record<string, string> = { a: "Ada", b: "Bob", c: "Cy" };
  const lines: string[] = [];
  let state = start;
  for (const [actor, action] of actions) {
    const result = rules.apply(state, actor, action, rng);
    assert.ok(result.ok, `${actor} ${JSON.stringify(action)}: ${result.ok ? "" : result.message}`);
    lines.push(plainText(view.step({ before: state, after: result.state, action, actor, who: names[actor] ?? "" })));
    state = result.state;
  }
  return lines;
}

const seatedTicTacToe = (): unknown => {
  let state: unknown = ticTacToe.setup({}, low);
  for (const [id, name] of [["a", "Ada"], ["b", "Bob"]] as const) {
    const result = (ticTacToe as unknown as AnyRules).apply(state, id, { type: "join", name }, low);
    assert.ok(result.ok);
    state = result.state;
  }
  return state;
};

describe("A replay's steps in words", () => {
  it("TicTacToe: the winning move, a forfeit and a timeout each say who wins; a leave from a finished table does not say it again", () => {
    const rules = ticTacToe as unknown as AnyRules;
    const place = (cell: number) => ({ type: "make_move", row: Math.floor(cell / 3), col: cell % 3 });
    const won = stepLines("tictactoe", rules, seatedTicTacToe(), [["a", place(0)], ["b", place(3)], ["a", place(1)], ["b", place(4)], ["a", place(2)], ["b", { type: "leave" }]]);
    assert.match(won[0]!, /^Ada \(X\): .+\.$/, "a move that does not end the game: no winner");
    assert.match(won[4]!, /^Ada \(X\): .+\. Ada wins!$/);
    assert.equal(won[5], "Bob left the game.", "the game was already over");
    assert.deepEqual(stepLines("tictactoe", rules, seatedTicTacToe(), [["a", place(0)], ["b", { type: "leave", dropped: true }]]).at(-1), "Bob did not come back. Ada wins!");
    assert.deepEqual(stepLines("tictactoe", rules, seatedTicTacToe(), [["a", place(0)], ["b", { type: "timeout" }]]).at(-1), "Time ran out for Bob. Ada wins!");
    const draw = [0, 1, 2, 4, 3, 5, 7, 6, 8];
    assert.equal(stepLines("tictactoe", rules, seatedTicTacToe(), draw.map((cell, i) => [i % 2 === 0 ? "a" : "b", place(cell)])).at(-1)!.endsWith(". A draw."), true, "the last cell of a drawn game");
  });

  it("Owe Drahn: a player out of a running game reads as in the live log ('left the game: out'), the leave that ends it says who wins", () => {
    const rules = oweDrahn as unknown as AnyRules;
    let state: unknown = oweDrahn.setup({ maxPlayers: 8 }, low);
    for (const [id, action] of [["a", { type: "join", name: "Ada" }], ["b", { type: "join", name: "Bob" }], ["c", { type: "join", name: "Cy" }], ["a", { type: "ready", ready: true }], ["b", { type: "ready", ready: true }], ["c", { type: "ready", ready: true }]] as const) {
      const result = rules.apply(state, id, action, low);
      assert.ok(result.ok, result.ok ? "" : result.message);
      state = result.state;
    }
    const first = (state as { currentTurn: string }).currentTurn;
    const [other, last] = ["a", "b", "c"].filter((id) => id !== first) as [string, string];
    const lines = stepLines("owedrahn", rules, state, [[first, { type: "leave" }], [other, { type: "leave", dropped: true }]]);
    const name = (id: string) => ({ a: "Ada", b: "Bob", c: "Cy" })[id];
    assert.equal(lines[0], `${name(first)} left the game: out.`);
    assert.equal(lines[1], `${name(other)} did not come back. ${name(last)} wins!`);
  });

  it("Dice: a bust's end or a timeout on the game's last turn says how the game ended (the higher score wins, or a draw)", () => {
    const rules = dice as unknown as AnyRules;
    let state = dice.setup({ targetScore: 3000 }, low) as DiceState;
    for (const [id, name] of [["a", "Ada"], ["b", "Bob"]] as const) {
      const result = rules.apply(state, id, { type: "join", name }, low);
      assert.ok(result.ok);
      state = result.state as DiceState;
    }
    const lastTurn = (scores: [number, number]): DiceState => ({ ...state, turn: state.firstTurn! + MAX_TURNS - 1, players: state.players.map((p, i) => ({ ...p, score: scores[i]! })) });
    const first = state.currentTurn!;
    const name = first === "a" ? "Ada" : "Bob";
    assert.equal(stepLines("dice", rules, lastTurn([0, 0]), [[first, { type: "timeout" }]])[0], `Time ran out for ${name}: the turn's points are lost. A draw.`);
    assert.equal(stepLines("dice", rules, lastTurn([500, 0]), [[first, { type: "timeout" }]])[0], "Time ran out for " + name + ": the turn's points are lost. Ada wins!");
    // No scoring die: a bust, whose end the rules schedule (no actor).
    const faces = [2, 3, 4, 6, 2, 3];
    const bust: Rng = { int: () => faces.shift() ?? 2 };
    const [rolled, ended] = stepLines("dice", rules, lastTurn([0, 700]), [[first, { type: "roll" }], ["", { type: "end_bust" }]], bust);
    assert.match(rolled!, /bust!$/);
    assert.equal(ended, "After the bust, the turn passes. Bob wins!");
    assert.equal(stepLines("dice", rules, state, [[first, { type: "timeout" }]])[0], `Time ran out for ${name}: the turn's points are lost.`, "not the last turn: the game goes on");
  });
});
