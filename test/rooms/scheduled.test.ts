/**
 * A room's scheduled rule actions (src/rooms/scheduled.ts) on real RoomTimers: each runs
 * once at its due time, and the pending ones are listed for the room's snapshot.
 */
import assert from "node:assert/strict";
import { ScheduledActions, type ScheduledAction } from "../../src/rooms/scheduled.js";
import { RoomTimers } from "../../src/rooms/timers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `done()` holds, or fails after `ms`. */
async function until(done: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) assert.fail(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

describe("ScheduledActions (src/rooms/scheduled.ts)", () => {
  let errors: unknown[];
  let timers: RoomTimers;
  let ran: ScheduledAction[];
  let scheduled: ScheduledActions;

  beforeEach(() => {
    errors = [];
    ran = [];
    timers = new RoomTimers((err) => errors.push(err));
    scheduled = new ScheduledActions(timers, (action) => ran.push(action));
  });
  afterEach(() => timers.clearAll());

  it("an action due in the future runs once, at its time and not before", async () => {
    const action = { type: "bust", player: 1 };
    scheduled.at(Date.now() + 500, action);
    assert.deepEqual([...ran], [], "not synchronously");
    await sleep(0);
    assert.deepEqual([...ran], [], "not on the next tick");
    await sleep(15); // a timer due earlier than the action's fires first (500 ms: room for a loaded machine's late ticks)
    assert.deepEqual([...ran], [], "not before it is due");
    await until(() => ran.length > 0);
    assert.deepEqual([...ran], [action], "the action itself is dispatched");
    await sleep(80);
    assert.equal(ran.length, 1, "once");
    assert.equal(timers.size, 0, "no timer left behind");
    assert.deepEqual(errors, []);
  });

  it("an action whose due time has passed runs at once (on the next tick), ahead of ones due later", async () => {
    scheduled.at(Date.now() + 500, { type: "later" });
    scheduled.at(Date.now() - 5000, { type: "overdue" });
    assert.deepEqual([...ran], [], "not synchronously");
    await sleep(0);
    assert.deepEqual(
      ran.map((a) => a.type),
      ["overdue"],
    );
    await until(() => ran.length === 2);
    assert.deepEqual(
      ran.map((a) => a.type),
      ["overdue", "later"],
    );
  });

  it("list() shows the pending actions in scheduling order, with their due time and action, and drops each once it ran", async () => {
    const now = Date.now();
    const a = { due: now + 900, action: { type: "game-over", winner: "x" } };
    const b = { due: now + 300, action: { type: "bust" } };
    const c = { due: now - 1000, action: { type: "overdue" } };
    for (const s of [a, b, c]) scheduled.at(s.due, s.action);
    assert.deepEqual(scheduled.list(), [a, b, c], "scheduling order, not due order");
    await sleep(0);
    assert.deepEqual(scheduled.list(), [a, b], "the overdue one ran");
    await until(() => ran.length === 2);
    assert.deepEqual(scheduled.list(), [a]);
    await until(() => ran.length === 3);
    assert.deepEqual(scheduled.list(), []);
    assert.deepEqual([...ran], [c.action, b.action, a.action]);
  });

  it("an action is no longer listed while it runs (a snapshot taken by it does not re-arm it)", async () => {
    const listed: unknown[][] = [];
    scheduled = new ScheduledActions(timers, (action) => {
      ran.push(action);
      listed.push(scheduled.list());
    });
    scheduled.at(Date.now() + 20, { type: "first" });
    scheduled.at(Date.now() + 600, { type: "second" });
    await until(() => ran.length === 1);
    assert.deepEqual(listed[0]!.map((s) => (s as { action: ScheduledAction }).action.type), ["second"]);
  });

  it("an action that throws is reported to the timers' error handler, dropped from the list, and later ones still run", async () => {
    const boom = new Error("rule failed");
    scheduled = new ScheduledActions(timers, (action) => {
      ran.push(action);
      if (action.type === "bad") throw boom;
    });
    scheduled.at(Date.now() - 1, { type: "bad" });
    scheduled.at(Date.now() + 30, { type: "good" });
    await until(() => ran.length === 2);
    assert.deepEqual(errors, [boom]);
    assert.deepEqual(scheduled.list(), []);
  });

  it("once the room's timers are cleared, nothing scheduled runs, not even an overdue action, and nothing is listed", async () => {
    scheduled.at(Date.now() + 30, { type: "future" });
    scheduled.at(Date.now() - 1000, { type: "overdue" });
    timers.clearAll();
    assert.equal(timers.stopped, true);
    assert.deepEqual(scheduled.list(), [], "what was pending will never run: not listed");
    scheduled.at(Date.now() - 1000, { type: "after clearAll" });
    assert.deepEqual(scheduled.list(), [], "an action scheduled afterwards is not listed either");
    await sleep(80);
    assert.deepEqual([...ran], []);
    assert.equal(timers.size, 0);
  });
});
