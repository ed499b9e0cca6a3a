/** The snapshot format: what is read back is what was written; anything else is refused with a reason, never thrown. */
import assert from "node:assert/strict";
import { parseSnapshot, SNAPSHOT_VERSION, type Snapshot } from "../../src/ha/snapshot.js";

const valid: Snapshot = {
  v: SNAPSHOT_VERSION,
  roomId: "abc123",
  roomName: "tictactoe",
  epoch: 2,
  owner: "proc1",
  savedAt: 1_800_000_000_000,
  options: { turnSeconds: 30 },
  host: "",
  game: { board: ["", "X", ""], turn: "s1" },
  seats: [{ sessionId: "s1", token: "t1", name: "Ada" }, { sessionId: "s2", token: "t2", name: "Bob", awayUntil: 1_800_000_030_000 }],
  turn: { key: "s1:3", deadline: 1_800_000_020_000 },
  scheduled: [{ due: 1_800_000_002_000, action: { type: "end_bust" } }],
  history: { seq: 4, game: 1, entries: [["4", "[1,\"move\",\"Ada\"]"]] },
};

describe("Snapshot format (src/ha/snapshot.ts)", () => {
  it("round-trips a snapshot through JSON exactly", () => {
    const read = parseSnapshot(JSON.stringify(valid));
    assert.ok(read.ok);
    assert.deepEqual(read.snapshot, valid);
  });

  const refused: [string, string, RegExp][] = [
    ["not JSON", '{"v":1,', /not JSON/],
    ["JSON null", "null", /unknown format version null/],
    ["an unknown version", JSON.stringify({ ...valid, v: 2 }), /unknown format version 2/],
    ["no version", JSON.stringify({ ...valid, v: undefined }), /unknown format version null/],
    ["no game state", JSON.stringify({ ...valid, game: null }), /invalid: game/],
    ["a seat without a token", JSON.stringify({ ...valid, seats: [{ sessionId: "s1", name: "Ada" }] }), /invalid: seats\.0\.token/],
    ["a negative epoch", JSON.stringify({ ...valid, epoch: -1 }), /invalid: epoch/],
    ["a history entry that is not a pair of strings", JSON.stringify({ ...valid, history: { seq: 1, game: 1, entries: [["1", 2]] } }), /invalid: history/],
    ["a scheduled action without a type", JSON.stringify({ ...valid, scheduled: [{ due: 1, action: {} }] }), /invalid: scheduled/],
  ];
  for (const [what, raw, reason] of refused) {
    it(`refuses ${what}, with the reason`, () => {
      const read = parseSnapshot(raw);
      assert.equal(read.ok, false);
      assert.match((read as { reason: string }).reason, reason);
    });
  }
});
