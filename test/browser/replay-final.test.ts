/**
 * A replay ends in the state the match recorded (client/src/view.ts `endsAsRecorded`): the
 * page warns that the rules changed when it does not. A match recorded by an earlier version
 * of a game's rules that ended differently only in a way the game declares (its replay's
 * `earlierFinal`) still ends as recorded. Plain functions: no page needed.
 */
import assert from "node:assert/strict";
import { endsAsRecorded, type ReplayView } from "../../client/src/view.js";
import { dice, type DiceState } from "../../src/rules/dice.js";
import { ticTacToe } from "../../src/rules/tictactoe.js";
import type { Rng } from "../../src/rules/rng.js";
import { clientViews } from "../helpers/views.js";

/** Every draw is the lowest it may be: the first seat starts, every die shows 1. */
const low: Rng = { int: (min) => min };

const replayOf = (game: string) => clientViews().find((v) => v.protocol.name === game)!.replay as ReplayView<unknown>;

/** Plays `actions` (each accepted) from `state`. */
function play<S>(rules: { apply(s: S, id: string, a: never, rng: Rng): { ok: boolean; state?: S } }, state: S, actions: [string, object][]): S {
  for (const [id, action] of actions) {
    const result = rules.apply(state, id, action as never, low);
    assert.ok(result.ok, JSON.stringify(action));
    state = result.state!;
  }
  return state;
}

describe("A replay ends in the recorded final state", () => {
  it("Dice: a game won by a bank ends on its winning roll today, and a match recorded before 2026-12-06 (at a cleared table) still ends as recorded; any other difference does not", () => {
    const joined = play(dice, dice.setup({ targetScore: 1000 }, low), [["a", { type: "join", name: "Ada" }], ["b", { type: "join", name: "Bob" }]]);
    // Six 1s, all set aside and banked: 8000, past the target.
    const final = play(dice, joined, [["a", { type: "roll" }], ...[0, 1, 2, 3, 4, 5].map((index) => ["a", { type: "select", index }] as [string, object]), ["a", { type: "set_aside", endTurn: true }]]) as DiceState;
    assert.deepEqual([final.phase, final.winner, final.dice, final.selected], ["over", "a", [1, 1, 1, 1, 1, 1], [0, 1, 2, 3, 4, 5]], "today's rules keep the winning roll");
    const view = replayOf("dice");
    assert.equal(endsAsRecorded(view, final, structuredClone(final)), true, "recorded today");
    const earlier = { ...final, dice: [0, 0, 0, 0, 0, 0], selected: [], setAside: [] };
    assert.equal(endsAsRecorded(view, final, earlier), true, "recorded before 2026-12-06, at a cleared table");
    assert.equal(endsAsRecorded(view, final, { ...earlier, winner: "b" }), false, "another winner");
    assert.equal(endsAsRecorded(view, final, { ...final, players: final.players.map((p) => ({ ...p, score: p.score + 50 })) }), false, "other scores");
    assert.equal(endsAsRecorded(view, final, { ...final, dice: [1, 1, 1, 1, 1, 2] }), false, "another roll on the table");
  });

  it("TicTacToe (no earlier rules declared): only the exact final state is as recorded", () => {
    const joined = play(ticTacToe, ticTacToe.setup({}, low), [["a", { type: "join", name: "Ada" }], ["b", { type: "join", name: "Bob" }]]);
    const final = play(ticTacToe, joined, [["a", { type: "make_move", row: 0, col: 0 }]]);
    const view = replayOf("tictactoe");
    assert.equal(view.earlierFinal, undefined);
    assert.equal(endsAsRecorded(view, final, structuredClone(final)), true);
    assert.equal(endsAsRecorded(view, final, { ...(final as object), phase: "over" }), false);
  });
});
