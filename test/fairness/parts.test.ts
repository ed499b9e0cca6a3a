/**
 * The parts behind fair dice and replays, on their own: the replay engine's draws
 * (src/replay/replay.ts: dice to `int(1, 6)`, every other number to any other range, and
 * what it says when a log does not fit), the room's fair dice (src/fairness/room-fairness.ts:
 * a refused step's draw given back, client seeds forgotten, what players see before any
 * reveal), and a match's verification refusing a malformed seed (src/fairness/verify.ts).
 */
import assert from "node:assert/strict";
import { replay, type ReplayRules, type ReplayLog } from "../../src/replay/replay.js";
import { RoomFairness } from "../../src/fairness/room-fairness.js";
import { rollFaces } from "../../src/fairness/dice.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import { seededRng } from "../../src/rules/rng.js";

/** Rules whose one action draws a die, a number in [1, 3] and one in [0, 6], and keeps them with the actor. */
const drawing: ReplayRules = {
  apply(_state, playerId, action: { type: string }, rng) {
    if (action.type === "no") return { ok: false, code: "NOT_ALLOWED", message: "no, never" };
    return { ok: true, state: { by: playerId, die: rng.int(1, 6), small: rng.int(1, 3), wide: rng.int(0, 6) } };
  },
};

const log = (step: Partial<ReplayLog["steps"][number]>): ReplayLog => ({
  seats: ["ada"],
  initial: {},
  steps: [{ t: 0, seat: 0, action: { type: "draw" }, ...step }],
});

describe("Replay engine: each draw from its list", () => {
  it("a die comes from the step's dice, any other range from its other numbers, in order; the actor from the seat, '' for the rules' own steps", () => {
    const ok = replay(drawing, log({ dice: [4], rng: [2, 5] }));
    assert.ok(ok.ok);
    assert.deepEqual(ok.states[1], { by: "ada", die: 4, small: 2, wide: 5 });
    const system = replay(drawing, log({ seat: -1, dice: [6], rng: [1, 0] }));
    assert.ok(system.ok);
    assert.deepEqual(system.states[1], { by: "", die: 6, small: 1, wide: 0 });
  });

  it("a missing die and a missing number are named as such", () => {
    const noDie = replay(drawing, log({ rng: [2, 5] }));
    assert.equal(noDie.ok, false);
    assert.equal(!noDie.ok && noDie.reason, "the log has no die in [1, 6] for this step");
    const noNumber = replay(drawing, log({ dice: [4], rng: [2] }));
    assert.equal(!noNumber.ok && noNumber.reason, "the log has no number in [0, 6] for this step");
  });

  it("a step whose log holds more than it drew, or that the rules refuse, stops the replay with the reason", () => {
    const extra = replay(drawing, log({ dice: [4, 1], rng: [2, 5, 3] }));
    assert.equal(!extra.ok && extra.reason, "it drew fewer numbers than the log holds");
    assert.equal(!extra.ok && extra.step, 0);
    const refused = replay(drawing, log({ action: { type: "no" } }));
    assert.equal(!refused.ok && refused.reason, "the rules refused it: no, never");
  });
});

describe("RoomFairness: the room's fair dice", () => {
  it("runs from a game's start to its end; before any reveal players see the commitment only", () => {
    const f = new RoomFairness(seededRng(1));
    const view = f.view();
    assert.match(view.commitment, /^[0-9a-f]{64}$/);
    assert.deepEqual(view, { commitment: view.commitment, seed: "", clientSeeds: "", next: "" });
    assert.equal(f.running, false);
    f.start(["a", "b"]);
    assert.equal(f.running, true);
    f.end();
    assert.equal(f.running, false);
  });

  it("what a refused step drew is given back: the next accepted roll is the stream's first", () => {
    const f = new RoomFairness(seededRng(1));
    f.start(["a"]);
    f.rng.int(1, 6);
    f.stepRefused();
    const face = f.rng.int(1, 6);
    assert.deepEqual(f.stepDone(), [face]);
    const revealed = f.end()!;
    assert.deepEqual(revealed.rolls, [rollFaces(Buffer.from(revealed.seed, "hex"), revealed.clientSeeds, 0, 1)]);
  });

  it("a player who leaves takes their client seed along; a running game keeps the seeds it started with", () => {
    const f = new RoomFairness(seededRng(1));
    f.setClientSeed("a", "ay");
    f.setClientSeed("b", "bee");
    f.forget("a");
    f.start(["a", "b"]);
    f.forget("b");
    assert.equal(f.end()!.clientSeeds, ":bee");
    assert.deepEqual(f.snapshot().clientSeeds, {}, "no seed of a player who left stays in the snapshot");
    f.start(["a", "b"]);
    assert.equal(f.end()!.clientSeeds, ":");
  });

  it("a restore shows players the restored state (what they see counts as changed)", () => {
    const f = new RoomFairness(seededRng(1));
    const before = f.changes;
    f.restore(f.snapshot());
    assert.ok(f.changes > before);
  });
});

describe("verifyMatch: a malformed record is refused with its reason", () => {
  const seed = "ab".repeat(32);
  it("no fairness record, or a seed that is not exactly 64 hex digits", () => {
    assert.deepEqual(verifyMatch({ log: { steps: [] } }), { ok: false, reason: "this match has no fairness record (not a dice game, or played with test dice)" });
    for (const bad of [`0${seed}`, `${seed}0`, seed.toUpperCase()]) {
      assert.deepEqual(verifyMatch({ log: { steps: [], fairness: { commitment: "", seed: bad, clientSeeds: "" } } }), { ok: false, reason: "the revealed seed is not 32 bytes of hex" }, bad);
    }
  });
});
