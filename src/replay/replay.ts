/**
 * Replays a recorded match (GET /api/matches/:id) with the same pure rules the server runs
 * (src/rules), in Node and in the browser alike (this module imports nothing Node-only):
 * from the state the game started in, each logged action is applied again, fed the dice
 * and other numbers the log says it drew. The states it yields are the game's, step by
 * step; the last one is the recorded final state, exactly.
 */
import type { Rng } from "../rules/rng.js";
import type { LoggedStep, MatchLog } from "../protocol/players.js";

/** What replays need of a game's rules (each game's rules object, src/rules, is one; the web client's view of a game names its own). */
export interface ReplayRules<R = any> {
  apply(state: R, playerId: string, action: any, rng: Rng): { ok: true; state: unknown } | { ok: false; code: string; message: string };
}

/** What a replay reads of a match's log (GET /api/matches/:id, `log`). */
export type ReplayLog = Pick<MatchLog, "seats" | "initial" | "steps"> & { final?: unknown };

export type Replay = { ok: true; states: unknown[] } | { ok: false; states: unknown[]; step: number; reason: string };

/** The numbers one step drew, handed out again in order: dice to `int(1, 6)`, the rest to any other range. */
function stepRng(step: LoggedStep): Rng & { left(): number } {
  const dice = [...(step.dice ?? [])];
  const other = [...(step.rng ?? [])];
  return {
    int(min, max) {
      const list = min === 1 && max === 6 ? dice : other;
      const value: unknown = list.shift();
      // A stored log is untrusted JSON: only a whole number in range is a draw the rules could have made ("3" or 2.5 would replay into a state no game reaches).
      if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw new Error(`the log has no ${min === 1 && max === 6 ? "die" : "number"} in [${min}, ${max}] for this step`);
      return value;
    },
    left: () => dice.length + other.length,
  };
}

/** Every state of the match: the initial one, then one per logged step. */
export function replay(rules: ReplayRules, log: ReplayLog): Replay {
  const states: unknown[] = [log.initial];
  let state = log.initial;
  for (const [i, step] of log.steps.entries()) {
    const rng = stepRng(step);
    try {
      const result = rules.apply(state, step.seat >= 0 ? (log.seats[step.seat] ?? "") : "", step.action, rng);
      if (!result.ok) return { ok: false, states, step: i, reason: `the rules refused it: ${result.message}` };
      if (rng.left() > 0) return { ok: false, states, step: i, reason: "it drew fewer numbers than the log holds" };
      state = result.state;
    } catch (err) {
      return { ok: false, states, step: i, reason: (err as Error).message };
    }
    states.push(state);
  }
  return { ok: true, states };
}
