/**
 * The web client's record of the dice a page saw rolled (client/src/roll-watch.ts), read from
 * the room's history as the state holds it: whole games, late arrivals, entries lost from
 * the window, patches that bring several entries, and a takeover that rewinds the history.
 */
import assert from "node:assert/strict";
import { RollWatcher } from "../../client/src/roll-watch.js";

const C1 = "1".repeat(64);
const C2 = "2".repeat(64);

/** Dice's way: a `roll` entry's data holds its faces. */
const dice = () => new RollWatcher((kind, data) => (kind === "roll" ? (data as { dice: number[] }).dice : undefined));

/** A room's history: entries `[game, kind, who, data]` by sequence number. */
class History {
  entries = new Map<number, string>();
  seq = 0;
  add(game: number, kind: string, data?: unknown) {
    this.entries.set(++this.seq, JSON.stringify(data === undefined ? [game, kind, ""] : [game, kind, "Ada", data]));
    // The room keeps the newest 60.
    if (this.entries.size > 60) this.entries.delete(this.seq - 60);
  }
  roll(game: number, faces: number[]) {
    this.add(game, "roll", { dice: faces });
  }
  get state(): [number, string][] {
    return [...this.entries];
  }
}

/** A game that started and rolled `faces`, and a page that read it. */
function gameSeen(faces: number[]) {
  const h = new History();
  const w = dice();
  h.add(1, "start");
  h.roll(1, faces);
  w.update(h.state, C1);
  return { h, w };
}

describe("RollWatcher (the web client's seen rolls)", () => {
  it("a page that reads every entry from the game's start saw it whole, patch by patch or several entries at once", () => {
    const h = new History();
    const w = dice();
    h.add(1, "start");
    w.update(h.state, C1);
    h.roll(1, [1, 2, 3]);
    w.update(h.state, C1);
    h.add(1, "aside", { values: [1] });
    h.roll(1, [4, 5]);
    h.roll(1, [6]);
    w.update(h.state, C1);
    w.update(h.state, C1); // the same state again: nothing new
    assert.deepEqual(w.rollsOf(C1), { rolls: [[1, 2, 3], [4, 5], [6]], complete: true });
    assert.equal(w.rollsOf(C2), undefined, "another game's commitment");
  });

  it("a page that arrives mid-game reads what the history still holds: whole if the start is there, else in part", () => {
    const h = new History();
    h.add(1, "start");
    h.roll(1, [2, 2]);
    const early = dice();
    early.update(h.state, C1);
    assert.deepEqual(early.rollsOf(C1), { rolls: [[2, 2]], complete: true }, "the start is still in the window");
    for (let i = 0; i < 70; i++) h.roll(1, [i % 6 + 1]);
    const late = dice();
    late.update(h.state, C1);
    const seen = late.rollsOf(C1)!;
    assert.equal(seen.complete, false, "the start left the window");
    assert.equal(seen.rolls.length, 60);
  });

  it("entries that left the window before the page read them after a drop make the game incomplete; a number skipped while connected is reported", () => {
    const { h, w } = gameSeen([1]);
    w.interrupted(); // the connection dropped
    for (let i = 0; i < 65; i++) h.roll(1, [5]);
    w.update(h.state, C1);
    assert.deepEqual({ ...w.rollsOf(C1)!, rolls: undefined }, { rolls: undefined, complete: false }, "a long drop: part of the game, nothing skipped");

    // Connected all along, the room numbers an entry it never shows (a roll it hid).
    const { h: g, w: v } = gameSeen([2]);
    g.seq++; // entry 3 never appears
    g.roll(1, [4]);
    v.update(g.state, C1);
    assert.deepEqual(v.rollsOf(C1), { rolls: [[2], [4]], complete: false, skipped: { from: 3, to: 3 } });
  });

  it("a new game starts a new record; a game's rolls are kept under the commitment read with its start", () => {
    const { h, w } = gameSeen([3]);
    h.add(1, "end");
    w.update(h.state, C1);
    h.add(2, "start");
    h.roll(2, [4]);
    w.update(h.state, C2);
    assert.equal(w.rollsOf(C1), undefined, "the first game's record gave way");
    assert.deepEqual(w.rollsOf(C2), { rolls: [[4]], complete: true });
  });

  it("a takeover that restored an older snapshot: the entries after it are replaced, and the rolls read from them forgotten", () => {
    const { h, w } = gameSeen([1, 1]);
    const saved = new Map(h.entries);
    const savedSeq = h.seq;
    // Played on (the snapshots of these steps were lost), then the process died.
    h.roll(1, [6, 6]);
    h.add(1, "aside", { values: [6] });
    w.update(h.state, C1);
    // The survivor goes on from the snapshot: other steps, the same roll numbers.
    h.entries = saved;
    h.seq = savedSeq;
    h.add(1, "bank", { points: 100 });
    w.update(h.state, C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[1, 1]], complete: true }, "the lost roll is forgotten (fewer entries now)");
    h.roll(1, [6, 6]);
    h.roll(1, [2]);
    w.update(h.state, C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[1, 1], [6, 6], [2]], complete: true }, "and what follows is read as it comes");
    // A rewind to before the game's start: the start is read again, and the game from it.
    const fresh = new History();
    fresh.add(0, "bot");
    fresh.add(1, "start");
    fresh.roll(1, [3]);
    const w2 = dice();
    w2.update(fresh.state, C1);
    fresh.entries = new Map([[1, JSON.stringify([0, "bot", ""])], [2, JSON.stringify([0, "name", ""])], [3, JSON.stringify([1, "start", ""])], [4, JSON.stringify([1, "roll", "Bob", { dice: [4] }])]]);
    w2.update(fresh.state, C1);
    assert.deepEqual(w2.rollsOf(C1), { rolls: [[4]], complete: true });
  });

  it("entries it cannot read are skipped", () => {
    const w = dice();
    w.update([[1, JSON.stringify([1, "start", ""])], [2, "not json"], [3, JSON.stringify({ no: "array" })], [4, JSON.stringify([1, "roll", "", { dice: [5] }])]], C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[5]], complete: true });
    // JSON that is no list at all, and lists of other shapes.
    w.update([[5, "7"], [6, "null"], [7, JSON.stringify("roll")], [8, JSON.stringify(["1", "roll", "", { dice: [1] }])], [9, JSON.stringify([1, 2])], [10, JSON.stringify([1, "roll", "", { dice: [6] }])]], C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[5], [6]], complete: true });
  });

  it("the history as the state iterates it: read in sequence order, whatever the order it comes in; numbers no room writes (0, negative, fractions) ignored; an empty history changes nothing", () => {
    const w = dice();
    const entries: [number, string][] = [
      [3, JSON.stringify([1, "roll", "", { dice: [3] }])],
      [0, JSON.stringify([1, "roll", "", { dice: [6, 6] }])],
      [1, JSON.stringify([1, "start", "", { first: "ada" }])],
      [-4, JSON.stringify([1, "roll", "", { dice: [6, 6, 6] }])],
      [2.5, JSON.stringify([1, "roll", "", { dice: [6, 6, 6, 6] }])],
      [2, JSON.stringify([1, "roll", "", { dice: [2] }])],
    ];
    w.update(entries, C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[2], [3]], complete: true, startedBy: "ada" }, "the start's `first` is who moved first");
    w.update([], C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[2], [3]], complete: true, startedBy: "ada" });
    w.update([[0, JSON.stringify([1, "roll", "", { dice: [1] }])], [-1, JSON.stringify([1, "start", ""])]], C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[2], [3]], complete: true, startedBy: "ada" }, "a history of such numbers only is no rewind");
    w.update([[4, JSON.stringify([1, "roll", "", { dice: [4] }])], ...entries], C1);
    assert.deepEqual(w.rollsOf(C1)?.rolls, [[2], [3], [4]], "entry 4 came first in the iteration, and is read after 3");
  });

  it("a roll of a later game whose start the page missed begins that game's record, in part", () => {
    const { h, w } = gameSeen([1, 2]);
    w.interrupted();
    h.add(1, "end");
    h.add(2, "start");
    // Game 2's start left the window before the page read it.
    for (let i = 0; i < 60; i++) h.roll(2, [i % 6 + 1]);
    w.update(h.state, C2);
    const seen = w.rollsOf(C2);
    assert.equal(seen?.complete, false);
    assert.equal(seen?.rolls.length, 60, "only game 2's rolls");
    assert.deepEqual(seen?.rolls[0], [1]);
  });

  it("a history cut short (a takeover restored a snapshot older than the newest entries read): the rolls of the entries gone are forgotten; a second, deeper rewind too", () => {
    const h = new History();
    const w = dice();
    h.add(1, "start");
    for (const faces of [[1], [2], [3], [4], [5]]) h.roll(1, faces); // entries 2–6
    w.update(h.state, C1);
    const upTo = (seq: number) => [...h.entries].filter(([s]) => s <= seq);
    // Restored at entry 4: entries 5 and 6 are gone, and nothing new yet.
    w.update(upTo(4), C1);
    assert.deepEqual(w.rollsOf(C1)?.rolls, [[1], [2], [3]]);
    // The survivor rolls again under the same numbers.
    const replaced: [number, string][] = [...upTo(4), [5, JSON.stringify([1, "roll", "", { dice: [6, 6] }])], [6, JSON.stringify([1, "roll", "", { dice: [6] }])]];
    w.update(replaced, C1);
    assert.deepEqual(w.rollsOf(C1)?.rolls, [[1], [2], [3], [6, 6], [6]]);
    // Then that process dies too, and the next one had a snapshot from entry 2 on: entries 3 on are other ones.
    const deeper: [number, string][] = [...upTo(2), [3, JSON.stringify([1, "bank", "", { points: 50 }])]];
    w.update(deeper, C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[1]], complete: true });
    w.update([...deeper, [4, JSON.stringify([1, "roll", "", { dice: [5, 5] }])]], C1);
    assert.deepEqual(w.rollsOf(C1), { rolls: [[1], [5, 5]], complete: true });
  });

  it("keeps at most 120 entries read, however long the room plays (the room's own window is 60)", () => {
    const h = new History();
    const w = dice();
    h.add(1, "start");
    for (let i = 0; i < 500; i++) {
      h.roll(1, [i % 6 + 1]);
      w.update(h.state, C1);
    }
    // (Private: the room keeps 60 entries, so no history a page receives shows the bound.)
    assert.equal(w["read"].size, 120);
    assert.equal(w.rollsOf(C1)?.rolls.length, 500);
    assert.equal(w.rollsOf(C1)?.complete, true);
  });
});
