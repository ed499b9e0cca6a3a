/**
 * A room's turn clock (src/rooms/turn-clock.ts) on real RoomTimers: the player on turn
 * loses it when the deadline passes; the clock is re-armed only when the turn, or a stage of it timed on its own, changes; a
 * restored room keeps its running turn's deadline.
 */
import assert from "node:assert/strict";
import { TurnClock } from "../../src/rooms/turn-clock.js";
import { RoomTimers } from "../../src/rooms/timers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("TurnClock (src/rooms/turn-clock.ts)", () => {
  let timers: RoomTimers;
  let shown: number[];
  let timedOut: string[];
  let clock: TurnClock;
  const SECONDS = 0.2;

  beforeEach(() => {
    timers = new RoomTimers((err) => assert.fail(String(err)));
    shown = [];
    timedOut = [];
    clock = new TurnClock(timers, SECONDS, (d) => shown.push(d), (p) => timedOut.push(p));
  });
  afterEach(() => timers.clearAll());

  it("the player on turn times out at the deadline it shows, once", async () => {
    const before = Date.now();
    clock.arm("ada", 1);
    assert.equal(shown.length, 1);
    const deadline = shown[0]!;
    assert.ok(deadline >= before + SECONDS * 1000 && deadline <= Date.now() + SECONDS * 1000, "deadline = now + the limit");
    assert.deepEqual(clock.running(), { key: "ada:1", deadline });
    await sleep(SECONDS * 1000 - 60);
    assert.deepEqual(timedOut, [], "not before the deadline");
    await sleep(120);
    assert.deepEqual(timedOut, ["ada"]);
    await sleep(SECONDS * 1000 + 50);
    assert.deepEqual(timedOut, ["ada"], "once");
  });

  it("the same turn again does not extend it; the next turn (same player or another) gets a fresh deadline and cancels the old", async () => {
    clock.arm("ada", 1);
    await sleep(100);
    clock.arm("ada", 1);
    assert.equal(shown.length, 1, "same turn: nothing re-armed");
    clock.arm("ada", 2);
    assert.equal(shown.length, 2);
    assert.ok(shown[1]! > shown[0]!, "a new deadline");
    assert.deepEqual(clock.running(), { key: "ada:2", deadline: shown[1] });
    await sleep(SECONDS * 1000 - 40);
    assert.deepEqual(timedOut, [], "the first turn's deadline passed without a timeout");
    clock.arm("bob", 3);
    await sleep(SECONDS * 1000 + 60);
    assert.deepEqual(timedOut, ["bob"]);
  });

  it("a stage of the turn timed on its own (Owe Drahn's choice) gets a fresh deadline; the same stage again does not; the snapshot names it", async () => {
    const TURN_MS = 600;
    const staged = new TurnClock(timers, TURN_MS / 1000, (d) => shown.push(d), (p) => timedOut.push(p));
    staged.arm("ada", 1);
    await sleep(300);
    staged.arm("ada", 1, 0);
    assert.equal(shown.length, 1, "stage 0 is the turn itself");
    const choiceStarted = Date.now();
    staged.arm("ada", 1, 1);
    assert.equal(shown.length, 2);
    assert.ok(shown[1]! >= choiceStarted + TURN_MS, "the choice gets a whole turn's time, not what was left of the turn");
    assert.deepEqual(staged.running(), { key: "ada:1:1", deadline: shown[1] });
    staged.arm("ada", 1, 1);
    assert.equal(shown.length, 2, "same stage: nothing re-armed");
    await sleep(400);
    assert.deepEqual(timedOut, [], "the turn's own deadline passed without a timeout");
    await sleep(TURN_MS - 400 + 150);
    assert.deepEqual(timedOut, ["ada"], "the choice's deadline");
  });

  it("restored during a stage timed on its own: the same stage keeps its deadline; the turn's first stage (a snapshot taken before the choice, or by code that named no stage) gets a fresh one", () => {
    const old = Date.now() + 100;
    clock.restore({ key: "ada:4:1", deadline: old });
    clock.arm("ada", 4, 1);
    assert.deepEqual(shown, [old], "the choice keeps the deadline it had");
    const other = new TurnClock(timers, SECONDS, (d) => shown.push(d), (p) => timedOut.push(p));
    other.restore({ key: "ada:4", deadline: old });
    const before = Date.now();
    other.arm("ada", 4, 1);
    assert.ok(shown.at(-1)! >= before + SECONDS * 1000, "a snapshot of the turn before its choice: the choice gets a fresh deadline");
  });

  it("nobody on turn: the deadline shown is 0, no timer runs, and the snapshot has no turn", async () => {
    clock.arm("ada", 1);
    clock.arm(null, 1);
    clock.arm(null, 2);
    assert.deepEqual(shown.slice(1), [0], "shown once: nobody's turn stays nobody's turn whatever its number");
    assert.equal(clock.running(), null);
    assert.equal(timers.size, 0);
    await sleep(SECONDS * 1000 + 50);
    assert.deepEqual(timedOut, []);
  });

  it("restored: the same turn keeps its old deadline (fires then); a different turn gets a fresh one; only the first arm uses it", async () => {
    const old = Date.now() + 80;
    clock.restore({ key: "ada:4", deadline: old });
    clock.arm("ada", 4);
    assert.deepEqual(shown, [old]);
    await sleep(130);
    assert.deepEqual(timedOut, ["ada"], "fired at the old deadline, not a full turn later");

    const other = new TurnClock(timers, SECONDS, (d) => shown.push(d), (p) => timedOut.push(p));
    other.restore({ key: "ada:4", deadline: old });
    const before = Date.now();
    other.arm("bob", 5);
    assert.ok(shown.at(-1)! >= before + SECONDS * 1000, "another turn: a fresh deadline");
    other.arm("ada", 4);
    assert.ok(shown.at(-1)! >= before + SECONDS * 1000, "the restored turn is forgotten after the first arm");
  });
});
