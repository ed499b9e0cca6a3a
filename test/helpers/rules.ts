/**
 * The harness of the pure rules tests: apply an action that must be accepted (and must not
 * mutate its input), or one that must be refused with a given code and change nothing.
 */
import assert from "node:assert/strict";
import { scriptedRng, type Rng } from "../../src/rules/rng.js";
import type { Accepted, RuleErrorCode } from "../../src/rules/types.js";
import type { Mark, TwoPlayerState } from "../../src/rules/two-player.js";

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

/** The system actions, as the room dispatches them. */
export const join = (name: string) => ({ type: "join", name }) as const;
export const leave = { type: "leave" } as const;
export const timeout = { type: "timeout" } as const;
/** The two-player games' rematch request. */
export const rematch = { type: "rematch" } as const;

/** What every two-player board game's tests start from (see src/rules/two-player.ts). */
export function twoPlayerFixtures<B, A>(
  rules: { setup(config: Record<string, never>, rng: Rng): TwoPlayerState<B> } & Applies<TwoPlayerState<B>, A>,
  run: (s: TwoPlayerState<B>, id: string, action: A, rng?: Rng) => TwoPlayerState<B>,
) {
  const act = (s: TwoPlayerState<B>, id: string, action: unknown, rng?: Rng) => run(s, id, action as A, rng);
  /** Only `a` seated (as X). */
  const alone = () => act(rules.setup({}, scriptedRng([])), "a", join("A"));
  return {
    alone,
    /**
     * `a` (X) and `b` (O) seated and playing; `first` says who moves first (0 = a, 1 = b).
     * A game with a random opener is given that draw; with an alternating one (X opens a
     * room's first game), for b a first game is forfeited on time and a second one started.
     */
    game(first: 0 | 1 = 0) {
      const wanted = first === 0 ? "a" : "b";
      let s = act(alone(), "b", join("B"), scriptedRng([first]));
      if (s.currentTurn !== wanted) s = act(act(act(s, s.currentTurn!, timeout), "a", rematch), "b", rematch, scriptedRng([first]));
      assert.equal(s.currentTurn, wanted, "the fixture's opener");
      return s;
    },
    symbolOf: (s: TwoPlayerState<B>, id: string) => s.players.find((p) => p.id === id)?.symbol,
    idOf: (s: TwoPlayerState<B>, symbol: Mark) => s.players.find((p) => p.symbol === symbol)!.id,
  };
}

/** One row of a rejection table: an action that must be refused with `code`. */
export interface RejectionCase<S, A> {
  title: string;
  state: () => S;
  player: string;
  action: A;
  code: RuleErrorCode;
}

/**
 * Registers one test per row (the action is refused with its code, the state unchanged),
 * and one that every refusal leaves the very same state object untouched, each of its
 * fields (a board, the players…) the same object as before (call inside `describe`). Any
 * game's rules: the state is any object.
 */
export function rejectionTable<S extends object, A>(rules: Applies<S, A>, cases: readonly RejectionCase<S, A>[]) {
  const harness = rulesHarness(rules);
  for (const c of cases) {
    it(`${c.title} is rejected with ${c.code}`, () => {
      harness.refuse(c.state(), c.player, c.action, c.code);
    });
  }
  it("a rejected action leaves the state unchanged, for every rejection above", () => {
    for (const c of cases) {
      const state = c.state();
      const before = structuredClone(state);
      const fields = Object.entries(state);
      const result = rules.apply(state, c.player, c.action, scriptedRng([]));
      assert.equal(result.ok, false, c.title);
      assert.deepEqual(state, before, `${c.title}: the state object must be untouched`);
      for (const [key, value] of fields) assert.equal((state as Record<string, unknown>)[key], value, `${c.title}: ${key}`);
    }
  });
}
