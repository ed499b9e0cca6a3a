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
  history: { seq: 4, game: 1, entries: [["3", "[1,\"start\",\"\"]"], ["4", "[1,\"move\",\"Ada\"]"]] },
};
/** What is stored: the JSON without the history's entries, and the entries' values beside it. */
const storedJson = JSON.stringify({ ...valid, history: { seq: 4, game: 1 } });
const storedHistory = valid.history.entries.map((e) => e[1]);

describe("Snapshot format (src/ha/snapshot.ts)", () => {
  it("round-trips a snapshot through JSON and its history list exactly (the entries' keys end at seq)", () => {
    const read = parseSnapshot(storedJson, storedHistory);
    assert.ok(read.ok);
    assert.deepEqual(read.snapshot, valid);
  });

  it("refuses a history list longer than its seq allows", () => {
    const read = parseSnapshot(JSON.stringify({ ...valid, history: { seq: 1, game: 1 } }), storedHistory);
    assert.equal(read.ok, false);
    assert.match((read as { reason: string }).reason, /history: 2 entries for seq 1/);
  });

  const refused: [string, string, RegExp][] = [
    ["not JSON", '{"v":1,', /not JSON/],
    ["JSON null", "null", /unknown format version null/],
    ["an unknown version", JSON.stringify({ ...valid, v: 2 }), /unknown format version 2/],
    ["no version", JSON.stringify({ ...valid, v: undefined }), /unknown format version null/],
    ["no game state", JSON.stringify({ ...valid, game: null }), /invalid: game/],
    ["a seat without a token", JSON.stringify({ ...valid, seats: [{ sessionId: "s1", name: "Ada" }] }), /invalid: seats\.0\.token/],
    ["a negative epoch", JSON.stringify({ ...valid, epoch: -1 }), /invalid: epoch/],
    ["a history without its counters", JSON.stringify({ ...valid, history: { seq: 1 } }), /invalid: history\.game/],
    ["a scheduled action without a type", JSON.stringify({ ...valid, scheduled: [{ due: 1, action: {} }] }), /invalid: scheduled/],
    ["no game key at all", JSON.stringify({ ...valid, game: undefined }), /invalid: game/],
    ["an empty room id", JSON.stringify({ ...valid, roomId: "" }), /invalid: roomId/],
    ["a room id over 64 characters", JSON.stringify({ ...valid, roomId: "r".repeat(65) }), /invalid: roomId/],
    ["an owner over 64 characters", JSON.stringify({ ...valid, owner: "p".repeat(65) }), /invalid: owner/],
    ["an empty session id", JSON.stringify({ ...valid, seats: [{ sessionId: "", token: "t", name: "A" }] }), /invalid: seats\.0\.sessionId/],
    ["a session id over 64 characters", JSON.stringify({ ...valid, seats: [{ sessionId: "s".repeat(65), token: "t", name: "A" }] }), /invalid: seats\.0\.sessionId/],
    ["an empty token", JSON.stringify({ ...valid, seats: [{ sessionId: "s1", token: "", name: "A" }] }), /invalid: seats\.0\.token/],
    ["a token over 128 characters", JSON.stringify({ ...valid, seats: [{ sessionId: "s1", token: "t".repeat(129), name: "A" }] }), /invalid: seats\.0\.token/],
    ["a name over 200 characters", JSON.stringify({ ...valid, seats: [{ sessionId: "s1", token: "t", name: "n".repeat(201) }] }), /invalid: seats\.0\.name/],
    ["more than 64 seats", JSON.stringify({ ...valid, seats: Array.from({ length: 65 }, (_, i) => ({ sessionId: `s${i}`, token: "t", name: "" })) }), /invalid: seats/],
    ["more than 64 scheduled actions", JSON.stringify({ ...valid, scheduled: Array.from({ length: 65 }, () => ({ due: 1, action: { type: "x" } })) }), /invalid: scheduled/],
    ["a negative history seq", JSON.stringify({ ...valid, history: { seq: -1, game: 1 } }), /invalid: history\.seq/],
    ["a negative game number", JSON.stringify({ ...valid, history: { seq: 1, game: -1 } }), /invalid: history\.game/],
  ];

  it("accepts values at the limits: ids of 64 and tokens of 128 characters, names of 200, 64 seats, a history list exactly as long as its seq", () => {
    const seats = Array.from({ length: 64 }, (_, i) => ({ sessionId: `${i}`.padStart(64, "s"), token: `${i}`.padStart(128, "t"), name: "n".repeat(200) }));
    const raw = JSON.stringify({ ...valid, roomId: "r".repeat(64), owner: "p".repeat(64), seats, history: { seq: 2, game: 0 } });
    const read = parseSnapshot(raw, storedHistory);
    assert.ok(read.ok, (read as { reason?: string }).reason);
    assert.equal(read.snapshot.seats.length, 64);
    assert.deepEqual(read.snapshot.history.entries.map((e) => e[0]), ["1", "2"]);
    assert.equal(read.snapshot.history.game, 0);
  });

  it("a snapshot with no history entries reads with an empty list (nothing made up)", () => {
    const read = parseSnapshot(JSON.stringify({ ...valid, history: { seq: 0, game: 0 } }));
    assert.ok(read.ok);
    assert.deepEqual(read.snapshot.history.entries, []);
  });
  for (const [what, raw, reason] of refused) {
    it(`refuses ${what}, with the reason`, () => {
      const read = parseSnapshot(raw);
      assert.equal(read.ok, false);
      assert.match((read as { reason: string }).reason, reason);
    });
  }
});
