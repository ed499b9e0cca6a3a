/** MatchTracker: one record per finished game, with the right places, seats and log. */
import assert from "node:assert/strict";
import { MatchTracker, NOTHING_DRAWN, recordingRng, type MatchProgress, type Standing } from "../../src/players/match-tracker.js";
import type { MatchRecord } from "../../src/players/store.js";
import { seededRng } from "../../src/rules/rng.js";

const seat = (id: string, userId: string | null = `u-${id}`) => ({ id, userId, name: id.toUpperCase() });
const inPlay = (...contenders: string[]): Standing => ({ contenders, winners: [] });

function tracker(now = { t: 1000 }) {
  const records: MatchRecord[] = [];
  const t = new MatchTracker("owedrahn", (r) => records.push(r), () => now.t);
  return { t, records, now };
}

const placements = (r: MatchRecord) => Object.fromEntries(r.players.map((p) => [p.name, p.placement]));

describe("MatchTracker", () => {
  it("records one match per game: seats in order, identities, times, the initial state and every step", () => {
    const { t, records, now } = tracker();
    t.start([seat("a"), seat("b", null)], { board: "start" });
    now.t = 1500;
    t.step("a", { type: "make_move", row: 0, col: 0 }, NOTHING_DRAWN, inPlay("a", "b"));
    now.t = 2000;
    t.step("b", { type: "make_move", row: 1, col: 1 }, NOTHING_DRAWN, inPlay("a", "b"));
    t.end({ contenders: ["a", "b"], winners: ["a"] }, { reason: "won", name: "A" }, { over: true });
    t.end({ contenders: ["a", "b"], winners: ["a"] }, { reason: "won", name: "A" }, { over: true });
    assert.equal(records.length, 1, "a second end without a new start records nothing");
    const r = records[0]!;
    assert.equal(r.game, "owedrahn");
    assert.equal(r.startedAt, 1000);
    assert.equal(r.endedAt, 2000);
    assert.deepEqual(r.players, [
      { seat: 0, userId: "u-a", name: "A", placement: 1 },
      { seat: 1, userId: null, name: "B", placement: 2 },
    ]);
    assert.deepEqual(r.result, { reason: "won", name: "A" });
    assert.deepEqual(r.log, {
      seats: ["a", "b"],
      initial: { board: "start" },
      final: { over: true },
      steps: [
        { t: 500, seat: 0, action: { type: "make_move", row: 0, col: 0 } },
        { t: 1000, seat: 1, action: { type: "make_move", row: 1, col: 1 } },
      ],
    });
    assert.equal(t.progress(), undefined);
  });

  it("gives each game its own id", () => {
    const { t, records } = tracker();
    for (let i = 0; i < 3; i++) {
      t.start([seat("a"), seat("b")], {});
      t.end({ contenders: ["a", "b"], winners: ["b"] }, null, { over: true });
    }
    assert.equal(new Set(records.map((r) => r.id)).size, 3);
  });

  it("places players out of contention behind those still in, in elimination order (Owe Drahn)", () => {
    const { t, records } = tracker();
    t.start([seat("a"), seat("b"), seat("c"), seat("d")], {});
    t.step("b", { type: "roll" }, { dice: [6], other: [] }, inPlay("a", "c", "d")); // b busts: 4th
    t.step("c", { type: "roll" }, { dice: [5], other: [] }, inPlay("a", "c", "d"));
    t.step("d", { type: "roll" }, { dice: [6], other: [] }, inPlay("a", "c")); // d: 3rd
    t.step("a", { type: "roll" }, { dice: [4], other: [] }, inPlay("c")); // a: 2nd
    t.end({ contenders: ["c"], winners: ["c"] }, { reason: "won", name: "C" }, { over: true });
    assert.deepEqual(placements(records[0]!), { A: 2, B: 4, C: 1, D: 3 });
  });

  it("lets players who drop out at the same step share their place (a tie), and ranks the rest densely", () => {
    const { t, records } = tracker();
    t.start([seat("a"), seat("b"), seat("c"), seat("d")], {});
    t.step("a", { type: "roll" }, NOTHING_DRAWN, inPlay("a", "d")); // b and c out together: both 3rd
    t.step("d", { type: "roll" }, NOTHING_DRAWN, inPlay("d")); // a: 2nd
    t.end({ contenders: ["d"], winners: ["d"] }, null, { over: true });
    assert.deepEqual(placements(records[0]!), { A: 2, B: 3, C: 3, D: 1 });

    // The player whose own roll put them out (not a leave) ties with the one who went out with them.
    t.start([seat("x"), seat("y"), seat("z")], {});
    t.step("y", { type: "roll" }, NOTHING_DRAWN, inPlay("x"));
    t.end({ contenders: ["x"], winners: ["x"] }, null, { over: true });
    assert.deepEqual(placements(records[1]!), { X: 1, Y: 2, Z: 2 });
  });

  it("places whoever leaves or runs out of time last of those not yet placed, even when others go out with them", () => {
    const { t, records } = tracker();
    t.start([seat("human"), seat("bot", null)], {});
    // Dice: the last human leaves and the bot leaves with them: the bot is not behind the quitter.
    t.step("human", { type: "leave" }, NOTHING_DRAWN, inPlay());
    t.end({ contenders: [], winners: [] }, null, { over: true });
    assert.deepEqual(placements(records[0]!), { HUMAN: 2, BOT: 1 });

    t.start([seat("a"), seat("b"), seat("c")], {});
    t.step("b", { type: "timeout" }, NOTHING_DRAWN, inPlay("a", "c"));
    t.end({ contenders: ["a", "c"], winners: ["c"] }, null, { over: true });
    assert.deepEqual(placements(records[1]!), { A: 2, B: 3, C: 1 });

    // Running out of time counts as leaving: b times out and a goes out with them; a is not behind b.
    t.start([seat("a"), seat("b"), seat("c")], {});
    t.step("b", { type: "timeout" }, NOTHING_DRAWN, inPlay("c"));
    t.end({ contenders: ["c"], winners: ["c"] }, null, { over: true });
    assert.deepEqual(placements(records[2]!), { A: 2, B: 3, C: 1 });
  });

  it("makes a draw a shared first place", () => {
    const { t, records } = tracker();
    t.start([seat("a"), seat("b")], {});
    t.end({ contenders: ["a", "b"], winners: ["a", "b"] }, { reason: "draw", name: "" }, { over: true });
    assert.deepEqual(placements(records[0]!), { A: 1, B: 1 });
  });

  it("records nothing for a game without a signed-in player (programs and bots)", () => {
    const { t, records } = tracker();
    t.start([seat("a", null), seat("b", null)], {});
    t.end({ contenders: ["a", "b"], winners: ["a"] }, null, { over: true });
    assert.equal(records.length, 0);
  });

  it("ignores steps and ends outside a game", () => {
    const { t, records } = tracker();
    t.step("a", { type: "make_move" }, NOTHING_DRAWN, inPlay("a"));
    t.end({ contenders: [], winners: [] }, null, { over: true });
    assert.equal(records.length, 0);
    assert.equal(t.progress(), undefined);
  });

  it("goes on after a restore from its progress: same id, earlier steps and places kept", () => {
    const first = tracker();
    first.t.start([seat("a"), seat("b"), seat("c")], { s: 0 });
    first.t.step("b", { type: "roll" }, { dice: [6], other: [] }, inPlay("a", "c"));
    const saved = JSON.parse(JSON.stringify(first.t.progress())) as MatchProgress;

    const second = tracker({ t: 5000 });
    second.t.restore(saved);
    second.t.step("a", { type: "roll" }, { dice: [3], other: [] }, inPlay("c"));
    second.t.end({ contenders: ["c"], winners: ["c"] }, null, { over: true });
    const r = second.records[0]!;
    assert.equal(r.id, saved.id);
    assert.deepEqual(placements(r), { A: 2, B: 3, C: 1 });
    assert.deepEqual((r.log as { steps: unknown[] }).steps.length, 2);
  });

  it("shows each step in its progress (what a snapshot saves): the log grows and whoever dropped out is placed", () => {
    const { t } = tracker();
    t.start([seat("a"), seat("b"), seat("c")], {});
    assert.deepEqual(t.progress()!.placed, {});
    t.step("a", { type: "roll" }, NOTHING_DRAWN, inPlay("a", "b"));
    assert.deepEqual(t.progress()!.placed, { c: 3 });
    assert.equal(t.progress()!.log.length, 1);
    t.step("b", { type: "roll" }, NOTHING_DRAWN, inPlay("a"));
    assert.deepEqual(t.progress()!.placed, { c: 3, b: 2 });
    assert.equal(t.progress()!.log.length, 2);
  });

  it("logs the dice and other numbers a step drew, apart", () => {
    const { t, records } = tracker();
    t.start([seat("a"), seat("b")], {});
    t.step("a", { type: "roll" }, { dice: [3, 5], other: [] }, inPlay("a", "b"));
    t.step("b", { type: "join" }, { dice: [], other: [1] }, inPlay("a", "b"));
    t.end({ contenders: ["a", "b"], winners: ["a"] }, null, { over: true });
    const steps = (records[0]!.log as { steps: { dice?: number[]; rng?: number[] }[] }).steps;
    assert.deepEqual([steps[0]!.dice, steps[0]!.rng], [[3, 5], undefined]);
    assert.deepEqual([steps[1]!.dice, steps[1]!.rng], [undefined, [1]]);
  });
});

describe("recordingRng", () => {
  it("hands out the same numbers as the RNG it wraps, and gives back what each step drew, dice apart, once", () => {
    const plain = seededRng(7);
    const { rng, take } = recordingRng(seededRng(7));
    // A die is int(1, 6) and nothing else: int(0, 6) and int(1, 5) are other numbers.
    const drawn = [rng.int(1, 6), rng.int(0, 9), rng.int(1, 6), rng.int(1, 5), rng.int(0, 6)];
    assert.deepEqual(drawn, [plain.int(1, 6), plain.int(0, 9), plain.int(1, 6), plain.int(1, 5), plain.int(0, 6)]);
    assert.deepEqual(take(), { dice: [drawn[0], drawn[2]], other: [drawn[1], drawn[3], drawn[4]] });
    assert.deepEqual(take(), { dice: [], other: [] });
    rng.int(1, 6);
    assert.equal(take().dice.length, 1);
  });
});
