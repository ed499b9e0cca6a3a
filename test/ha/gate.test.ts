/** The snapshot gate: state goes out only after its snapshot is written, in order, never overlapping. */
import assert from "node:assert/strict";
import { SnapshotGate, type SaveResult } from "../../src/ha/gate.js";

/** A save the test answers by hand (`fail`: the next one throws, as a write that breaks). */
function manualSaves() {
  const pending: { resolve: (r: SaveResult) => void; state: number }[] = [];
  let state = 0;
  let failNext = false;
  return {
    pending,
    setState: (n: number) => (state = n),
    fail: () => (failNext = true),
    save: (resolve: (r: SaveResult) => void) => {
      if (failNext) {
        failNext = false;
        throw new Error("redis down");
      }
      pending.push({ resolve, state });
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("SnapshotGate (src/ha/gate.ts)", () => {
  it("sends the patch only after the snapshot is written, then the events queued behind it, in order", async () => {
    const saves = manualSaves();
    const sent: string[] = [];
    const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => sent.push("superseded"));
    gate.changed();
    gate.send(() => sent.push("event 1"));
    gate.send(() => sent.push("event 2"));
    await tick();
    assert.deepEqual([...sent], [], "nothing goes out before the write completes");
    assert.equal(saves.pending.length, 1);
    saves.pending[0]!.resolve("saved");
    await tick();
    assert.deepEqual([...sent], ["patch", "event 1", "event 2"]);
    gate.send(() => sent.push("event 3"));
    assert.equal(sent.at(-1), "event 3", "with no write pending an event goes out at once");
  });

  it("changes made during a write are written by one more write, and the patch goes out after the last", async () => {
    const saves = manualSaves();
    const sent: string[] = [];
    const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => undefined);
    saves.setState(1);
    gate.changed();
    saves.setState(2);
    gate.changed();
    saves.setState(3);
    gate.changed();
    assert.equal(saves.pending.length, 1, "writes never overlap");
    saves.pending[0]!.resolve("saved");
    await tick();
    assert.deepEqual([...sent], [], "state 3 is not written yet");
    assert.equal(saves.pending.length, 2);
    assert.equal(saves.pending[1]!.state, 3, "the second write holds the latest state");
    saves.pending[1]!.resolve("saved");
    await tick();
    assert.deepEqual([...sent], ["patch"], "one patch for all three changes");
  });

  it("a write that fails or is skipped (Redis down) still lets the patch out: play goes on", async () => {
    const saves = manualSaves();
    const sent: string[] = [];
    const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => undefined);
    saves.fail();
    gate.changed();
    assert.deepEqual([...sent], ["patch"], "a write that throws: the patch goes out at once");
    gate.changed();
    saves.pending[0]!.resolve("skipped");
    assert.deepEqual([...sent], ["patch", "patch"]);
    gate.changed();
    assert.equal(saves.pending.length, 2, "the next change is written again");
  });

  it("an error thrown while sending (the patch) reaches whoever changed the state, and is not taken for a failed write (no second patch)", () => {
    let patches = 0;
    const gate = new SnapshotGate((done) => done("skipped"), () => {
      patches++;
      throw new Error("send failed");
    }, () => undefined);
    assert.throws(() => gate.changed(), /send failed/);
    assert.equal(patches, 1);
  });

  it("an event that throws does not keep the events after it from going out, in order; the first error is thrown after all ran", () => {
    const saves = manualSaves();
    const sent: string[] = [];
    const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => undefined);
    gate.changed();
    gate.send(() => {
      throw new Error("event 1 failed");
    });
    gate.send(() => sent.push("event 2"));
    gate.send(() => {
      throw new Error("event 3 failed");
    });
    assert.throws(() => saves.pending[0]!.resolve("saved"), /event 1 failed/, "the first error");
    assert.deepEqual([...sent], ["patch", "event 2"]);
    gate.send(() => sent.push("event 4"));
    assert.deepEqual([...sent], ["patch", "event 2", "event 4"], "nothing left queued: the next event goes out at once");
  });

  it("a write answered twice counts once: one patch, the events once", () => {
    let answer: ((r: SaveResult) => void) | undefined;
    const sent: string[] = [];
    const gate = new SnapshotGate((done) => (answer = done), () => sent.push("patch"), () => undefined);
    gate.changed();
    gate.send(() => sent.push("event"));
    answer!("saved");
    answer!("saved");
    assert.deepEqual([...sent], ["patch", "event"]);
  });

  it("superseded: nothing more is sent, queued events are dropped, onSuperseded runs once", async () => {
    const saves = manualSaves();
    const sent: string[] = [];
    let superseded = 0;
    const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => superseded++);
    gate.changed();
    gate.send(() => sent.push("event"));
    saves.pending[0]!.resolve("superseded");
    await tick();
    gate.changed();
    gate.send(() => sent.push("late event"));
    await tick();
    assert.deepEqual([...sent], [], "the move a superseded copy made is never shown");
    assert.equal(superseded, 1);
    assert.equal(saves.pending.length, 1, "no more writes");
  });

  describe("afterSaved: what waits for the state as it is now to be saved (a finished match's record)", () => {
    /** A gate whose writes the test answers, and says when each one reads the state (as the service does when the call goes out). */
    function setup() {
      const saves = manualSaves();
      const sent: string[] = [];
      const gate = new SnapshotGate(saves.save, () => sent.push("patch"), () => sent.push("superseded"));
      return { saves, sent, gate };
    }

    it("runs once the write that read the state is saved, even when the room changed meanwhile and its next write is answered 'superseded' (the copy restored elsewhere has that state, and will not record the match)", () => {
      const { saves, sent, gate } = setup();
      gate.changed(); // the move that ends the game
      gate.afterSaved(() => sent.push("recorded"));
      gate.reading(); // the write goes out, holding the ending
      gate.changed(); // a player leaves before the answer
      saves.pending[0]!.resolve("saved");
      assert.deepEqual(sent, ["recorded"], "recorded at once; the patch waits for the next write");
      saves.pending[1]!.resolve("superseded");
      assert.deepEqual(sent, ["recorded", "superseded"]);
    });

    it("is dropped when the write that would have saved the state is answered 'superseded' (the copy restored elsewhere still plays that game, and records it)", () => {
      const { saves, sent, gate } = setup();
      gate.changed();
      gate.afterSaved(() => sent.push("recorded"));
      gate.reading();
      saves.pending[0]!.resolve("superseded");
      assert.deepEqual(sent, ["superseded"]);
    });

    it("waits for the next write when the state changed after the write in flight read it", () => {
      const { saves, sent, gate } = setup();
      gate.changed();
      gate.reading(); // the first write read the state before the ending
      gate.changed(); // the move that ends the game
      gate.afterSaved(() => sent.push("recorded"));
      saves.pending[0]!.resolve("saved");
      assert.deepEqual(sent, [], "the first write did not hold the ending");
      gate.reading();
      saves.pending[1]!.resolve("saved");
      assert.deepEqual(sent, ["recorded", "patch"]);
    });

    it("runs when the write in flight is saved with nothing changed since it read (it holds the state as it is)", () => {
      const { saves, sent, gate } = setup();
      gate.changed();
      gate.reading();
      gate.afterSaved(() => sent.push("recorded"));
      saves.pending[0]!.resolve("saved");
      assert.deepEqual(sent, ["recorded", "patch"]);
      assert.equal(saves.pending.length, 1, "no write more");
    });

    it("runs when the write is skipped (Redis away: nothing is saved, play goes on as without snapshots), and at once when no write is pending", () => {
      const { saves, sent, gate } = setup();
      gate.changed();
      gate.afterSaved(() => sent.push("recorded"));
      gate.changed(); // more changes, not read yet
      saves.pending[0]!.resolve("skipped");
      assert.deepEqual(sent, ["recorded"]);
      gate.reading();
      saves.pending[1]!.resolve("saved");
      assert.deepEqual(sent, ["recorded", "patch"]);
      gate.afterSaved(() => sent.push("at once"));
      assert.deepEqual(sent, ["recorded", "patch", "at once"]);
    });

    it("a superseded gate runs nothing more", () => {
      const { saves, sent, gate } = setup();
      gate.changed();
      saves.pending[0]!.resolve("superseded");
      gate.afterSaved(() => sent.push("recorded"));
      assert.deepEqual(sent, ["superseded"]);
    });
  });
});
