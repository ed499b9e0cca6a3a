/**
 * Fixtures of the Dice rules tests (test/rules/dice*.test.ts): scripted actions through the
 * rules harness, seated tables and a finished game.
 */
import assert from "node:assert/strict";
import { DEFAULT_TARGET_SCORE, dice, type DiceAction, type DiceState } from "../../src/rules/dice.js";
import { scriptedRng } from "../../src/rules/rng.js";
import type { RuleErrorCode } from "../../src/rules/types.js";
import { rulesHarness } from "./rules.js";

export const harness = rulesHarness(dice);

/** Applies an action that must be accepted and must use exactly the scripted values; the input must come out unchanged. */
export function run(state: DiceState, playerId: string, action: DiceAction, values: readonly number[] = []) {
  const rng = scriptedRng(values);
  const result = harness.accept(state, playerId, action, rng);
  assert.equal(rng.remaining(), 0, "every scripted value is used");
  return result;
}

/** Applies an action that must be rejected with `code`, leaving the state deep-equal to before; returns the message. */
export function rejects(state: DiceState, playerId: string, action: unknown, code: RuleErrorCode): string {
  return harness.refuse(state, playerId, action, code);
}

/** A room with `ids` seated, named after their ids; with two, the rng draws seat `first` to start. */
export function seated(ids: readonly string[], first = 0, targetScore = DEFAULT_TARGET_SCORE): DiceState {
  let s = dice.setup({ targetScore }, scriptedRng([]));
  ids.forEach((id, n) => {
    s = run(s, id, { type: "join", name: id.toUpperCase() }, n === 1 ? [first] : []).state;
  });
  return s;
}

/** A game between alice and bob, alice on turn. */
export const game = (targetScore = DEFAULT_TARGET_SCORE) => seated(["alice", "bob"], 0, targetScore);

export const player = (s: DiceState, id: string) => s.players.find((p) => p.id === id)!;

/** Selects each index in turn. */
export function selectAll(s: DiceState, id: string, indexes: readonly number[]): DiceState {
  for (const index of indexes) s = run(s, id, { type: "select", index }).state;
  return s;
}

/** Alice wins a 1000-point game against bob at once: phase `over`, both still seated. */
export function aliceWins(): DiceState {
  let s = run(game(1000), "alice", { type: "roll" }, [1, 1, 1, 2, 3, 4]).state;
  s = selectAll(s, "alice", [0, 1, 2]);
  return run(s, "alice", { type: "set_aside", endTurn: true }).state;
}
