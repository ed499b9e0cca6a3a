/**
 * The harness of the pure rules tests: apply an action that must be accepted (and must not
 * mutate its input), or one that must be refused with a given code and change nothing.
 */
import assert from "node:assert/strict";
import { scriptedRng, type Rng } from "../../src/rules/rng.js";
import type { Accepted, RuleErrorCode } from "../../src/rules/types.js";

/** Anything with the rules' entry point. */
interface Applies<S, A> {
  apply(state: S, playerId: string, action: A, rng: Rng): { ok: true; state: S; events: readonly unknown[] } | { ok: false; code: RuleErrorCode; message: string };
}

export interface RulesHarness<S, A> {
  /** Applies `action`, which must be accepted; the input state must come out unchanged (immutability). */
  accept(state: S, playerId: string, action: A, rng?: Rng): Accepted<S, unknown>;
  /** Applies `action`, which must be refused with `code`; the state must be deep-equal to before. Returns the message. */
  refuse(state: S, playerId: string, action: unknown, code: RuleErrorCode, rng?: Rng): string;
}

export function rulesHarness<S, A>(rules: Applies<S, A>): RulesHarness<S, A> {
  return {
    accept(state, playerId, action, rng = scriptedRng([])) {
      const before = structuredClone(state);
      const result = rules.apply(state, playerId, action, rng);
      assert.deepEqual(state, before, "apply must not mutate its input");
      if (!result.ok) assert.fail(`${playerId} ${JSON.stringify(action)} rejected: ${result.code} ${result.message}`);
      return result;
    },
    refuse(state, playerId, action, code, rng = scriptedRng([])) {
      const before = structuredClone(state);
      const result = rules.apply(state, playerId, action as A, rng);
      assert.equal(result.ok, false, `${playerId} ${String(JSON.stringify(action))} should be rejected with ${code}`);
      assert.deepEqual(state, before, "a rejected action leaves the state unchanged");
      if (result.ok) throw new Error("unreachable");
      assert.equal(result.code, code, result.message);
      assert.ok(result.message.length > 0, "a rejection says why");
      assert.equal("state" in result, false, "a rejection carries no new state");
      return result.message;
    },
  };
}
