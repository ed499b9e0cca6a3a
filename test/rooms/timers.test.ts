/**
 * A room's timers (src/rooms/timers.ts) on their own, on Node's mocked clock: what a room
 * relies on for turn timers, pauses, bots and deadlines.
 */
import assert from "node:assert/strict";
import { mock } from "node:test";
import { RoomTimers } from "../../src/rooms/timers.js";

describe("RoomTimers", () => {
  let errors: unknown[];
  let timers: RoomTimers;

  beforeEach(() => {
    mock.timers.enable({ apis: ["setTimeout", "setInterval"] });
    errors = [];
    timers = new RoomTimers((err) => errors.push(err));
  });
  afterEach(() => {
    timers.clearAll();
    mock.timers.reset();
  });

  it("after(ms) fires once, at ms and not before, and is then no longer pending", () => {
    let fired = 0;
    timers.after(1000, () => fired++);
    assert.equal(timers.size, 1);
    mock.timers.tick(999);
    assert.equal(fired, 0, "not before its time");
    mock.timers.tick(1);
    assert.equal(fired, 1);
    mock.timers.tick(10_000);
    assert.equal(fired, 1, "once");
    assert.equal(timers.size, 0);
  });

  it("a negative delay fires on the next tick", () => {
    let fired = 0;
    timers.after(-50, () => fired++);
    mock.timers.tick(0);
    assert.equal(fired, 1);
  });

  it("clear() cancels a pending timer and forgets it; clearing after it fired is harmless", () => {
    let fired = 0;
    const timer = timers.after(100, () => fired++);
    timer.clear();
    assert.equal(timers.size, 0);
    mock.timers.tick(1000);
    assert.equal(fired, 0);
    const other = timers.after(100, () => fired++);
    mock.timers.tick(100);
    other.clear();
    assert.equal(fired, 1);
  });

  it("every(ms) repeats until cleared", () => {
    let fired = 0;
    const timer = timers.every(100, () => fired++);
    mock.timers.tick(350);
    assert.equal(fired, 3);
    assert.equal(timers.size, 1, "an interval stays pending");
    timer.clear();
    assert.equal(timers.size, 0);
    mock.timers.tick(1000);
    assert.equal(fired, 3);
  });

  it("a callback that throws is reported, and the other timers still fire", () => {
    const boom = new Error("boom");
    let fired = 0;
    timers.after(10, () => {
      throw boom;
    });
    timers.every(10, () => {
      fired++;
      if (fired === 1) throw boom;
    });
    timers.after(20, () => fired++);
    mock.timers.tick(20);
    assert.deepEqual(errors, [boom, boom]);
    assert.equal(fired, 3, "the interval went on after throwing, and the later timer fired");
  });

  it("clearAll() cancels everything pending, and timers asked for afterwards never fire (a disposed room)", () => {
    let fired = 0;
    timers.after(100, () => fired++);
    timers.every(100, () => fired++);
    timers.clearAll();
    assert.equal(timers.size, 0);
    const late = timers.after(10, () => fired++);
    const lateEvery = timers.every(10, () => fired++);
    assert.equal(timers.size, 0, "nothing is scheduled into a disposed room");
    mock.timers.tick(1000);
    assert.equal(fired, 0);
    late.clear();
    lateEvery.clear();
  });
});
