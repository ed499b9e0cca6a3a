/**
 * A room's drain for a graceful shutdown (src/rooms/drain.ts) on its own: when the room
 * closes (at once, after the patch that ends its game, at the cutoff), that it closes
 * once, and what the players are told. The whole shutdown of a real process is in
 * test/scaling/drain.test.ts.
 */
import assert from "node:assert/strict";
import type { Client } from "@colyseus/core";
import type { Logger } from "pino";
import { Drain } from "../../src/rooms/drain.js";

function setUp(started: boolean, handOff = false) {
  const room = { started, seen: [] as unknown[][], timers: [] as { ms: number; fn: () => void }[], patches: [] as (() => void)[], cutOff: undefined as (() => void) | undefined };
  const log = { info: (...args: unknown[]) => room.seen.push(["info", args.at(-1)]), warn: (...args: unknown[]) => room.seen.push(["warn", args.at(-1)]) } as unknown as Logger;
  const drain = new Drain({
    started: () => room.started,
    broadcast: (notice) => room.seen.push(["broadcast", notice]),
    afterPatch: (fn) => room.patches.push(fn),
    after: (ms, fn) => room.timers.push({ ms, fn }),
    close: () => room.seen.push(["close"]),
    handOff: (cutOff) => {
      room.seen.push(["handOff"]);
      room.cutOff = cutOff;
      return handOff;
    },
    log,
  });
  const closes = () => room.seen.filter(([what]) => what === "close").length;
  const runTimers = () => room.timers.splice(0).forEach(({ fn }) => fn());
  const patchOut = () => room.patches.splice(0).forEach((fn) => fn());
  return { drain, room, closes, runTimers, patchOut };
}

describe("Drain: a room's graceful shutdown", () => {
  let realNow: () => number;
  beforeEach(() => (realNow = Date.now));
  afterEach(() => (Date.now = realNow));

  it("a room with no game running tells its clients and closes at once, once", () => {
    const { drain, room, closes } = setUp(false);
    assert.equal(drain.draining, false);
    drain.begin(10);
    assert.equal(drain.draining, true);
    assert.deepEqual(room.seen, [["broadcast", { seconds: 10 }], ["info", "draining for shutdown"], ["close"]]);
    assert.equal(room.timers.length, 0, "no cutoff to wait for");
    drain.committed(); // the close's own commit
    drain.begin(10); // a second signal
    assert.deepEqual(room.seen, [["broadcast", { seconds: 10 }], ["info", "draining for shutdown"], ["close"]], "a second signal changes nothing: no second notice, no second close");
    assert.equal(room.patches.length + room.timers.length, 0);
  });

  it("a running game goes on; when it ends, the room closes after the patch that shows how it ended, once", () => {
    const { drain, room, closes, runTimers, patchOut } = setUp(true);
    drain.begin(30);
    assert.deepEqual(room.seen, [["broadcast", { seconds: 30 }], ["info", "draining for shutdown"]]);
    assert.deepEqual(room.timers.map(({ ms }) => ms), [30000], "the cutoff");
    const cutoff = room.timers.splice(0);
    drain.committed(); // a move: the game still runs
    assert.equal(room.patches.length, 0);
    room.started = false;
    drain.committed(); // the move that ends it
    drain.committed(); // a player leaving the ended game
    assert.equal(closes(), 0, "not before the last patch is out");
    assert.equal(room.patches.length, 1, "asked once");
    patchOut();
    assert.equal(closes(), 0, "on the next turn of the room's timers, not inside the patch's callback");
    runTimers();
    assert.equal(closes(), 1);
    assert.deepEqual(room.seen.filter(([what]) => what === "info").at(-1), ["info", "game over while draining; closing the room"]);
    cutoff.forEach(({ fn }) => fn()); // the cutoff's timer, had the room not been disposed yet
    assert.equal(closes(), 1);
    assert.equal(room.seen.some(([what]) => what === "warn"), false, "no 'drain time is over' for a game that ended");
  });

  it("a game that ended but whose last patch never goes out is still closed at the cutoff, without a warning, once", () => {
    const { drain, room, closes, runTimers, patchOut } = setUp(true);
    drain.begin(5);
    room.started = false;
    drain.committed();
    assert.equal(closes(), 0);
    runTimers(); // the cutoff, the patch still waiting (its snapshot held up)
    assert.equal(closes(), 1, "the cutoff holds");
    assert.equal(room.seen.some(([what]) => what === "warn"), false, "the game had ended: no 'drain time is over'");
    patchOut(); // the patch goes out after all
    runTimers();
    assert.equal(closes(), 1);
  });

  it("a game still running at the cutoff is closed then, with a warning, once", () => {
    const { drain, room, closes, runTimers } = setUp(true);
    drain.begin(5);
    drain.committed();
    assert.equal(closes(), 0);
    runTimers();
    assert.equal(closes(), 1);
    assert.deepEqual(room.seen.slice(-3), [["handOff"], ["warn", "drain time is over; closing a game still running"], ["close"]], "offered to another process first (none could take it)");
    room.started = false; // the cut-off game's reveal commits again while the room closes
    drain.committed();
    assert.equal(room.patches.length, 0);
    assert.equal(closes(), 1);
  });

  it("a game still running at the cutoff that another process takes (high availability) is handed over, not closed, and without the warning", () => {
    const { drain, room, closes, runTimers, patchOut } = setUp(true, true);
    drain.begin(5);
    runTimers();
    assert.deepEqual(room.seen.at(-1), ["handOff"]);
    assert.equal(closes(), 0, "the hand-over closes the room its own way");
    assert.equal(room.seen.some(([what]) => what === "warn"), false);
    room.started = false; // the game ends in the move whose write the hand-over waits for
    drain.committed();
    patchOut();
    runTimers();
    assert.equal(closes(), 0, "nor afterwards: the room is the other process's now");
  });

  it("a hand-over that finds no process to take the game cuts it off then, with the warning, once", () => {
    const { drain, room, closes, runTimers } = setUp(true, true);
    drain.begin(5);
    runTimers();
    assert.equal(closes(), 0);
    room.cutOff!();
    assert.deepEqual(room.seen.slice(-2), [["warn", "drain time is over; closing a game still running"], ["close"]]);
    room.cutOff!();
    assert.equal(closes(), 1);
  });

  it("a game that ended before the cutoff is never handed over", () => {
    const { drain, room, runTimers, patchOut } = setUp(true, true);
    drain.begin(5);
    room.started = false;
    drain.committed();
    patchOut();
    runTimers();
    runTimers();
    assert.equal(room.seen.some(([what]) => what === "handOff"), false);
  });

  it("not draining: an ended game closes nothing and an arriving client is told nothing", () => {
    const { drain, room } = setUp(false);
    const sent: unknown[][] = [];
    drain.committed();
    drain.tell({ send: (type: string, payload: unknown) => sent.push([type, payload]) } as unknown as Client);
    assert.deepEqual(room.seen, []);
    assert.deepEqual(room.patches, []);
    assert.deepEqual(sent, []);
  });

  it("a client arriving during the drain is told the seconds left, rounded", () => {
    const { drain } = setUp(true);
    const start = realNow();
    Date.now = () => start;
    drain.begin(10);
    const sent: unknown[][] = [];
    const client = { send: (type: string, payload: unknown) => sent.push([type, payload]) } as unknown as Client;
    Date.now = () => start + 4400;
    drain.tell(client);
    Date.now = () => start + 12000;
    drain.tell(client);
    assert.deepEqual(sent, [
      ["draining", { seconds: 6 }],
      ["draining", { seconds: 0 }],
    ]);
  });
});
