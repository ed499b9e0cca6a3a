/** The snapshot format: what is read back is what was written; anything else is refused with a reason, never thrown. */
import assert from "node:assert/strict";
import { FieldDiff, MAX_SEAT_ALIASES, parseSnapshot, SEAT_KEYS, SEAT_NAME_MAX, snapshotFields, SNAPSHOT_VERSION, type Snapshot, type SnapshotSeat, type StoredSnapshot } from "../../src/ha/snapshot.js";
import { checkName, NAME_MAX_INPUT_LENGTH } from "../../src/protocol/names.js";
import { RoomFairness } from "../../src/fairness/room-fairness.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import { seededRng } from "../../src/rules/rng.js";
import { MatchTracker, NOTHING_DRAWN } from "../../src/players/match-tracker.js";

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
  seats: [{ sessionId: "s1", token: "t1", name: "Ada", userId: "u-ada" }, { sessionId: "s2", token: "t2", name: "Bob", awayUntil: 1_800_000_030_000 }],
  turn: { key: "s1:3", deadline: 1_800_000_020_000 },
  scheduled: [{ due: 1_800_000_002_000, action: { type: "end_bust" } }],
  history: { seq: 4, game: 1, entries: [["3", "[1,\"start\",\"\"]"], ["4", "[1,\"move\",\"Ada\"]"]] },
  match: {
    id: "m-1",
    startedAt: 1_800_000_000_000,
    seats: [{ id: "s1", userId: "u-ada", name: "Ada" }, { id: "s2", userId: null, name: "Bob" }],
    placed: {},
    initial: { board: ["", "", ""], turn: "s1" },
    log: [{ t: 40, seat: 0, action: { type: "make_move", row: 0, col: 1 } }],
  },
  fairness: { seed: "ab".repeat(32), clientSeeds: { s1: "lucky" }, game: { clientSeeds: "lucky:", rolls: [[3, 4]] }, revealed: null },
};
/**
 * The stored hash, written here by hand from the format (not by the code under test): "meta"
 * (what never changes), one field per part, one `g:<key>` per key of the game state, and
 * the match's log and the running game's rolls in chunks of 16 (`ml:<n>`, `fr:<n>`; their
 * parts hold them empty). `inline`: format 2, where the parts held them.
 */
function fieldsOf(o: Record<string, unknown>, inline = false): Record<string, string> {
  const { v, roomId, roomName, epoch, owner, options, host, game, ...parts } = o;
  const fields: Record<string, string> = { meta: JSON.stringify({ v, roomId, roomName, epoch, owner, options, host }) };
  const chunks = (name: string, items: unknown[] | undefined) => {
    for (let n = 0; items && n * 16 < items.length; n++) fields[`${name}:${n}`] = JSON.stringify(items.slice(n * 16, n * 16 + 16));
  };
  const match = parts.match as { log?: unknown[] } | null | undefined;
  const fairness = parts.fairness as { game?: { rolls?: unknown[] } | null } | null | undefined;
  if (!inline && match) {
    chunks("ml", match.log);
    parts.match = { ...match, log: [] };
  }
  if (!inline && fairness?.game) {
    chunks("fr", fairness.game.rolls);
    parts.fairness = { ...fairness, game: { ...fairness.game, rolls: [] } };
  }
  for (const [k, value] of Object.entries(parts)) if (value !== undefined) fields[k] = JSON.stringify(value);
  if (game && typeof game === "object") for (const [k, value] of Object.entries(game)) fields[`g:${k}`] = JSON.stringify(value);
  return fields;
}
/** What is stored: the fields without the history's entries, and the entries' values beside it. */
const storedJson = fieldsOf({ ...valid, history: { seq: 4, game: 1 } });
const storedHistory = valid.history.entries.map((e) => e[1]);
/** The stored hash of `valid` with some of its fair dice, or of its match, changed. */
const withFairness = (change: Partial<NonNullable<Snapshot["fairness"]>>) => fieldsOf({ ...valid, fairness: { ...valid.fairness!, ...change } });
const withMatch = (change: Partial<NonNullable<Snapshot["match"]>>) => fieldsOf({ ...valid, match: { ...valid.match!, ...change } });

describe("Snapshot format (src/ha/snapshot.ts)", () => {
  it("(the test harness) a failed assert.ok without a message fails at once, naming the value, in this long file as in any (test/helpers/assert-messages.ts)", () => {
    // Checked first: without the helper, the failing call below would not fail but run on.
    assert.equal(assert.ok.name, "withMessage", "test/helpers/assert-messages.ts is loaded");
    const read = parseSnapshot({});
    assert.throws(() => assert.ok(read.ok), (err: Error) => err.message === "expected a truthy value, got false" && /snapshot\.test\.ts/.test(err.stack!.split("\n")[1]!));
    assert.throws(() => assert.ok(undefined, undefined), { message: "expected a truthy value, got undefined" });
    assert.throws(() => assert.ok(read.ok, "with its own message"), { message: "with its own message" });
  });

  it("round-trips a snapshot through JSON and its history list exactly (the entries' keys end at seq)", () => {
    const read = parseSnapshot(storedJson, storedHistory);
    assert.ok(read.ok);
    assert.deepEqual(read.snapshot, valid);
  });

  it("reads a format-2 snapshot (servers before the chunks: the log and the rolls inline in their parts)", () => {
    const read = parseSnapshot(fieldsOf({ ...valid, v: 2, history: { seq: 4, game: 1 } }, true), storedHistory);
    assert.ok(read.ok, (read as { reason?: string }).reason);
    assert.deepEqual(read.snapshot, { ...valid, v: 2 });
  });

  it("refuses a history list longer than its seq allows", () => {
    const read = parseSnapshot(fieldsOf({ ...valid, history: { seq: 1, game: 1 } }), storedHistory);
    assert.equal(read.ok, false);
    assert.match((read as { reason: string }).reason, /history: 2 entries for seq 1/);
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    ["a field that is not JSON", { ...storedJson, "g:board": '["",' }, /not JSON: g:board/],
    ["meta that is not JSON", { ...storedJson, meta: '{"v":2,' }, /not JSON: meta/],
    ["meta null", { ...storedJson, meta: "null" }, /unknown format version null/],
    ["no fields at all (not a hash)", {}, /unknown format version null/],
    ["an older format (version 1, one JSON string)", fieldsOf({ ...valid, v: 1 }), /unknown format version 1/],
    ["an unknown version", fieldsOf({ ...valid, v: 4 }), /unknown format version 4/],
    ["a log chunk missing before the next one", (({ "ml:0": _, ...rest }) => ({ ...rest, "ml:1": "[]" }))(storedJson), /ml: chunk 0 missing/],
    ["a rolls chunk that is not an array", { ...storedJson, "fr:0": "{}" }, /not a chunk: fr:0/],
    ["a log chunk that is not JSON", { ...storedJson, "ml:0": "[{" }, /not JSON: ml:0/],
    ["no version", fieldsOf({ ...valid, v: undefined }), /unknown format version null/],
    ["no game state", fieldsOf({ ...valid, game: null }), /invalid: game/],
    ["a seat without a token", fieldsOf({ ...valid, seats: [{ sessionId: "s1", name: "Ada" }] }), /invalid: seats\.0\.token/],
    ["a negative epoch", fieldsOf({ ...valid, epoch: -1 }), /invalid: epoch/],
    ["a history without its counters", fieldsOf({ ...valid, history: { seq: 1 } }), /invalid: history\.game/],
    ["a scheduled action without a type", fieldsOf({ ...valid, scheduled: [{ due: 1, action: {} }] }), /invalid: scheduled/],
    ["no game key at all", fieldsOf({ ...valid, game: undefined }), /invalid: game/],
    ["only emptied game keys", { ...fieldsOf({ ...valid, game: undefined }), "g:board": "" }, /invalid: game/],
    ["an empty room id", fieldsOf({ ...valid, roomId: "" }), /invalid: roomId/],
    ["a room id over 64 characters", fieldsOf({ ...valid, roomId: "r".repeat(65) }), /invalid: roomId/],
    ["an owner over 64 characters", fieldsOf({ ...valid, owner: "p".repeat(65) }), /invalid: owner/],
    ["an empty session id", fieldsOf({ ...valid, seats: [{ sessionId: "", token: "t", name: "A" }] }), /invalid: seats\.0\.sessionId/],
    ["a session id over 64 characters", fieldsOf({ ...valid, seats: [{ sessionId: "s".repeat(65), token: "t", name: "A" }] }), /invalid: seats\.0\.sessionId/],
    ["an empty token", fieldsOf({ ...valid, seats: [{ sessionId: "s1", token: "", name: "A" }] }), /invalid: seats\.0\.token/],
    ["a token over 128 characters", fieldsOf({ ...valid, seats: [{ sessionId: "s1", token: "t".repeat(129), name: "A" }] }), /invalid: seats\.0\.token/],
    ["a name longer than any a player may choose, numbered", fieldsOf({ ...valid, seats: [{ sessionId: "s1", token: "t", name: "n".repeat(SEAT_NAME_MAX + 1) }] }), /invalid: seats\.0\.name/],
    ["more than 64 seats", fieldsOf({ ...valid, seats: Array.from({ length: 65 }, (_, i) => ({ sessionId: `s${i}`, token: "t", name: "" })) }), /invalid: seats/],
    ["more than 64 scheduled actions", fieldsOf({ ...valid, scheduled: Array.from({ length: 65 }, () => ({ due: 1, action: { type: "x" } })) }), /invalid: scheduled/],
    ["a negative history seq", fieldsOf({ ...valid, history: { seq: -1, game: 1 } }), /invalid: history\.seq/],
    ["a negative game number", fieldsOf({ ...valid, history: { seq: 1, game: -1 } }), /invalid: history\.game/],
    ["an empty room name", fieldsOf({ ...valid, roomName: "" }), /invalid: roomName/],
    ["a room name over 64 characters", fieldsOf({ ...valid, roomName: "n".repeat(65) }), /invalid: roomName/],
    ["an empty owner", fieldsOf({ ...valid, owner: "" }), /invalid: owner/],
    ["a host key over 200 characters", fieldsOf({ ...valid, host: "h".repeat(201) }), /invalid: host/],
    ["a user id over 64 characters", fieldsOf({ ...valid, seats: [{ sessionId: "s1", token: "t", name: "A", userId: "u".repeat(65) }] }), /invalid: seats\.0\.userId/],
    ["an empty user id", fieldsOf({ ...valid, seats: [{ sessionId: "s1", token: "t", name: "A", userId: "" }] }), /invalid: seats\.0\.userId/],
    // The server seed: exactly 64 lowercase hex characters, nothing before or after (a restored room rolls its dice from it).
    ...(
      [
        ["one character short", "a".repeat(63)],
        ["with something before", `x${"a".repeat(64)}`],
        ["with something after", `${"a".repeat(64)}x`],
        ["in upper case", "A".repeat(64)],
        ["not hex", "g".repeat(64)],
      ] as const
    ).map(([how, seed]): [string, Record<string, string>, RegExp] => [`a server seed ${how}`, withFairness({ seed }), /invalid: fairness\.seed/]),
    ["a player's client seed over 64 characters", withFairness({ clientSeeds: { s1: "c".repeat(65) } }), /invalid: fairness\.clientSeeds\.s1/],
    ["a running game's client seeds over 4096 characters", withFairness({ game: { clientSeeds: "c".repeat(4097), rolls: [] } }), /invalid: fairness\.game\.clientSeeds/],
    ["a running game's first mover past the 64 seats", withFairness({ game: { clientSeeds: "", rolls: [], first: 64 } }), /invalid: fairness\.game\.first/],
    ["a running game's first mover below 0", withFairness({ game: { clientSeeds: "", rolls: [], first: -1 } }), /invalid: fairness\.game\.first/],
    ["a running game with 65 seats", withFairness({ game: { clientSeeds: "", rolls: [], seats: Array.from({ length: 65 }, (_, i) => `s${i}`) } }), /invalid: fairness\.game\.seats/],
    ["a running game's seat id over 64 characters", withFairness({ game: { clientSeeds: "", rolls: [], seats: ["s".repeat(65)] } }), /invalid: fairness\.game\.seats\.0/],
    ["a revealed commitment over 64 characters", withFairness({ revealed: { commitment: "c".repeat(65), seed: "", clientSeeds: "", rolls: [] } }), /invalid: fairness\.revealed\.commitment/],
    ["a revealed seed over 64 characters", withFairness({ revealed: { commitment: "", seed: "s".repeat(65), clientSeeds: "", rolls: [] } }), /invalid: fairness\.revealed\.seed/],
    ["a revealed game's client seeds over 4096 characters", withFairness({ revealed: { commitment: "", seed: "", clientSeeds: "c".repeat(4097), rolls: [] } }), /invalid: fairness\.revealed\.clientSeeds/],
    ["a revealed game's first mover past the 64 seats", withFairness({ revealed: { commitment: "", seed: "", clientSeeds: "", rolls: [], first: 64 } }), /invalid: fairness\.revealed\.first/],
    ["an empty match id", withMatch({ id: "" }), /invalid: match\.id/],
    ["a match id over 64 characters", withMatch({ id: "m".repeat(65) }), /invalid: match\.id/],
    ["a match with 65 seats", withMatch({ seats: Array.from({ length: 65 }, (_, i) => ({ id: `s${i}`, userId: null, name: "" })) }), /invalid: match\.seats/],
    ["a match seat's id over 64 characters", withMatch({ seats: [{ id: "s".repeat(65), userId: null, name: "" }] }), /invalid: match\.seats\.0\.id/],
    ["a match seat's user id over 64 characters", withMatch({ seats: [{ id: "s1", userId: "u".repeat(65), name: "" }] }), /invalid: match\.seats\.0\.userId/],
    ["a match seat's name longer than any a player may choose, numbered", withMatch({ seats: [{ id: "s1", userId: null, name: "n".repeat(SEAT_NAME_MAX + 1) }] }), /invalid: match\.seats\.0\.name/],
  ];

  it("accepts values at the limits: ids of 64 and tokens of 128 characters, names as long as a player may choose and numbered, 64 seats, a history list exactly as long as its seq", () => {
    // 20 kisses with skin tones (300 UTF-16 units), which checkName accepts: refused here until 2026-12-05 (names of at most 200).
    const kisses = "\u{1F469}\u{1F3FB}\u200D\u2764\uFE0F\u200D\u{1F48B}\u200D\u{1F468}\u{1F3FC}".repeat(20);
    assert.ok(checkName(kisses).ok);
    const longest = `${"n".repeat(NAME_MAX_INPUT_LENGTH)} (64)`;
    assert.ok(longest.length <= SEAT_NAME_MAX);
    const seats = Array.from({ length: 64 }, (_, i) => ({ sessionId: `${i}`.padStart(64, "s"), token: `${i}`.padStart(128, "t"), name: i === 0 ? kisses : longest }));
    const raw = fieldsOf({ ...valid, roomId: "r".repeat(64), owner: "p".repeat(64), seats, history: { seq: 2, game: 0 } });
    const read = parseSnapshot(raw, storedHistory);
    assert.ok(read.ok, (read as { reason?: string }).reason);
    assert.equal(read.snapshot.seats.length, 64);
    assert.deepEqual(read.snapshot.history.entries.map((e) => e[0]), ["1", "2"]);
    assert.equal(read.snapshot.history.game, 0);
  });

  it("accepts the fair dice and the match at their limits: 64 seats, the first mover at seat 63 or 0, seeds and ids of 64 characters (a seat's user id too), 4096 characters of client seeds, seat names as long as a player may choose and numbered", () => {
    const seats = Array.from({ length: 64 }, (_, i) => `${i}`.padStart(64, "s"));
    const name = `${"n".repeat(NAME_MAX_INPUT_LENGTH)} (64)`;
    const fairness = {
      seed: "0123456789abcdef".repeat(4),
      clientSeeds: { [seats[0]!]: "c".repeat(64) },
      game: { clientSeeds: "c".repeat(4096), rolls: [[1, 6]], seats, first: 63 },
      revealed: { commitment: "f".repeat(64), seed: "e".repeat(64), clientSeeds: "c".repeat(4096), rolls: [[2]], seats, first: 0 },
    };
    const match = { ...valid.match!, id: "m".repeat(64), seats: seats.map((id) => ({ id, userId: "u".repeat(64), name })) };
    const signedIn = [{ sessionId: "s1", token: "t1", name: "Ada", userId: "u".repeat(64) }];
    const read = parseSnapshot(fieldsOf({ ...valid, fairness, match, seats: signedIn, roomName: "n".repeat(64), host: "h".repeat(200), history: { seq: 4, game: 1 } }), storedHistory);
    assert.ok(read.ok, (read as { reason?: string }).reason);
    assert.deepEqual(read.snapshot.seats, signedIn);
    assert.deepEqual(read.snapshot.fairness, fairness);
    assert.deepEqual(read.snapshot.match, match);
  });

  it("a seat's other tokens (also) read as written, and a longer list than this server keeps (a newer one wrote it) is cut to its first " + MAX_SEAT_ALIASES + ", the room still restored", () => {
    const seats = [{ ...valid.seats[0]!, also: ["t0"] }, { ...valid.seats[1]!, also: ["x1", "x2", "x3", "x4", "x5"] }];
    const read = parseSnapshot(fieldsOf({ ...valid, seats, history: { seq: 4, game: 1 } }), storedHistory);
    assert.ok(read.ok, (read as { reason?: string }).reason);
    assert.deepEqual(read.snapshot.seats.map((seat) => seat.also), [["t0"], ["x1", "x2", "x3"].slice(0, MAX_SEAT_ALIASES)]);
  });

  it("a snapshot with no history entries reads with an empty list (nothing made up)", () => {
    const read = parseSnapshot(fieldsOf({ ...valid, history: { seq: 0, game: 0 } }));
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
  describe("FieldDiff: a write sends only what changed", () => {
    const base: StoredSnapshot = { ...valid, history: { seq: 4, game: 1 } };
    /** Applies writes to a hash the way Redis does (HSET; whole: the hash is replaced first). */
    const apply = (hash: Record<string, string>, w: { whole: boolean; fields: string[] }) => {
      const out = w.whole ? {} : { ...hash };
      for (let i = 0; i < w.fields.length; i += 2) out[w.fields[i]!] = w.fields[i + 1]!;
      return out;
    };
    const names = (w: { fields: string[] }) => w.fields.filter((_, i) => i % 2 === 0).sort();
    /**
     * Writes `snap` as a diff into `hash`; `lost`: the write fails (the hash keeps what it had,
     * and the next write is whole). Checks that a hash written to reads back as `snap`, and
     * returns the hash.
     */
    const writeAndCheck = (diff: FieldDiff, hash: Record<string, string>, snap: StoredSnapshot, lost: boolean, what: string) => {
      const w = diff.next(snap);
      if (lost) {
        diff.lost();
        return hash;
      }
      const out = apply(hash, w);
      diff.landed();
      const read = parseSnapshot(out);
      assert.ok(read.ok, (read as { reason?: string }).reason);
      assert.deepEqual({ ...read.snapshot, history: snap.history }, JSON.parse(JSON.stringify(snap)), what);
      return out;
    };

    it("the first write is whole; after it landed, a move sends the game keys it replaced and savedAt, nothing else", () => {
      const diff = new FieldDiff();
      const first = diff.next(base);
      assert.equal(first.whole, true);
      assert.deepEqual(apply({}, first), snapshotFields(base));
      // With and without a match or a dice game running: the log and the rolls always in their chunks.
      for (const snap of [base, { ...base, match: null }, { ...base, fairness: null }, { ...base, match: null, fairness: null }, { ...base, fairness: { ...base.fairness!, game: null } }]) {
        assert.deepEqual(snapshotFields(snap), fieldsOf(snap), "the fields are the documented format");
      }
      diff.landed();
      const game = base.game as { board: string[]; turn: string };
      const moved: StoredSnapshot = { ...base, savedAt: base.savedAt + 1, game: { ...game, board: ["X", "X", ""] } };
      const w = diff.next(moved);
      assert.equal(w.whole, false);
      assert.deepEqual(names(w), ["g:board", "savedAt"]);
    });

    it("seats, turn, scheduled and history go out when their content changes (not their identity)", () => {
      const diff = new FieldDiff();
      diff.next(base);
      diff.landed();
      assert.deepEqual(names(diff.next({ ...base, seats: base.seats.map((s) => ({ ...s })) })), [], "same seats, new objects");
      diff.landed();
      const w = diff.next({ ...base, seats: [base.seats[0]!], turn: null, scheduled: [], history: { seq: 5, game: 1 } });
      assert.deepEqual(names(w), ["history", "scheduled", "seats", "turn"]);
    });

    it("a game key that disappears is sent as \"\" and read as absent; one that comes back is sent again", () => {
      const diff = new FieldDiff();
      let hash = apply({}, diff.next(base));
      diff.landed();
      const { turn: _gone, ...rest } = base.game as Record<string, unknown>;
      const w = diff.next({ ...base, game: rest });
      assert.deepEqual(w.fields.slice(w.fields.indexOf("g:turn"), w.fields.indexOf("g:turn") + 2), ["g:turn", ""]);
      hash = apply(hash, w);
      diff.landed();
      const read = parseSnapshot(hash, storedHistory);
      assert.ok(read.ok);
      assert.deepEqual(read.snapshot.game, rest);
      assert.ok(names(diff.next(base)).includes("g:turn"));
    });

    it("a game key whose value becomes undefined (absent, as JSON has it) is sent as \"\" and read as absent", () => {
      const diff = new FieldDiff();
      let hash = apply({}, diff.next(base));
      diff.landed();
      const w = diff.next({ ...base, game: { ...(base.game as Record<string, unknown>), turn: undefined } });
      assert.deepEqual(w.fields.slice(w.fields.indexOf("g:turn"), w.fields.indexOf("g:turn") + 2), ["g:turn", ""]);
      hash = apply(hash, w);
      const read = parseSnapshot(hash, storedHistory);
      assert.ok(read.ok);
      assert.equal("turn" in (read.snapshot.game as object), false);
    });

    it("content compared as JSON would serialize it: a nested change, a longer or shorter array, an object for null are sent; a member that is undefined (as good as absent) is not, nor the same turn with its members in another order", () => {
      const diff = new FieldDiff();
      diff.next(base);
      diff.landed();
      const send = (changed: Partial<StoredSnapshot>) => {
        const w = names(diff.next({ ...base, ...changed }));
        diff.next(base); // back to what Redis holds, so each case is compared with base
        return w;
      };
      assert.deepEqual(send({ seats: [base.seats[0]!, { ...base.seats[1]!, name: "Rob" }] }), ["seats"], "a name inside a seat");
      assert.deepEqual(send({ seats: [...base.seats, { sessionId: "s3", token: "t3", name: "Cy" }] }), ["seats"], "one seat more");
      assert.deepEqual(send({ seats: [base.seats[0]!] }), ["seats"], "one seat less");
      assert.deepEqual(send({ seats: [{ ...base.seats[0]!, awayUntil: undefined }, base.seats[1]!] }), [], "an undefined member is no change");
      assert.deepEqual(send({ seats: [base.seats[0]!, { ...base.seats[1]!, awayUntil: undefined }] }), ["seats"], "a member gone is a change");
      assert.deepEqual(send({ turn: { deadline: base.turn!.deadline, key: base.turn!.key } }), [], "the same members in another order: the same turn");
      assert.deepEqual(send({ turn: { ...base.turn!, deadline: base.turn!.deadline + 1 } }), ["turn"], "a later deadline");
      assert.deepEqual(send({ turn: null }), ["turn"]);
      assert.deepEqual(send({ scheduled: { 0: base.scheduled[0] } as unknown as StoredSnapshot["scheduled"] }), ["scheduled"], "an object with the array's entries is not the array");
      assert.deepEqual(send({ scheduled: [{ ...base.scheduled[0]!, action: { type: "end_bust", extra: 1 } }] }), ["scheduled"], "a member more, deep inside");
    });

    it("the parts seen unchanged without their JSON are sent when they change: the history's game counter alone, the fair dice and the match appearing or going", () => {
      const start: StoredSnapshot = { ...base, match: null, fairness: null };
      const fairness: StoredSnapshot["fairness"] = { seed: "a".repeat(64), clientSeeds: {}, game: null, revealed: null };
      const match: StoredSnapshot["match"] = { id: "m1", startedAt: 1, seats: [], placed: {}, initial: null, log: [] };
      const cases: [string, StoredSnapshot, StoredSnapshot, string][] = [
        ["the history's game counter", start, { ...start, history: { ...start.history, game: start.history.game + 1 } }, "history"],
        ["an action scheduled where none was", { ...start, scheduled: [] }, { ...start, scheduled: base.scheduled }, "scheduled"],
        ["the schedule emptied", start, { ...start, scheduled: [] }, "scheduled"],
        ["fair dice appearing", start, { ...start, fairness }, "fairness"],
        ["fair dice going", { ...start, fairness }, start, "fairness"],
        ["a match appearing", start, { ...start, match }, "match"],
        ["a match going", { ...start, match }, start, "match"],
      ];
      for (const [what, from, to, part] of cases) {
        const diff = new FieldDiff();
        diff.next(from);
        diff.landed();
        assert.deepEqual(names(diff.next(to)), [part], what);
      }
    });

    it("a write where nothing changed serializes nothing: equal copies of the seats, the turn (or none) and the history's counters, no schedule, no match or fair dice", () => {
      const stringify = JSON.stringify;
      for (const turn of [null, { key: "s1:3", deadline: 5000 }]) {
        const start: StoredSnapshot = { ...base, turn, scheduled: [], match: null, fairness: null };
        const diff = new FieldDiff();
        diff.next(start);
        diff.landed();
        const serialized: unknown[] = [];
        JSON.stringify = ((value: unknown, ...rest: []) => {
          serialized.push(value);
          return stringify(value, ...rest);
        }) as typeof JSON.stringify;
        let write: { fields: string[] };
        try {
          write = diff.next({ ...start, seats: start.seats.map((seat) => ({ ...seat })), turn: turn && { ...turn }, history: { ...start.history }, scheduled: [] });
        } finally {
          JSON.stringify = stringify;
        }
        assert.deepEqual(serialized, [], `turn ${JSON.stringify(turn)}: nothing serialized`);
        assert.deepEqual(write.fields, []);
      }
    });

    it("every member of a seat counts: a change to any one of them is sent (the seats are compared member by member, not as JSON)", () => {
      const full: SnapshotSeat = { sessionId: "s1", token: "t1", also: ["t0"], name: "Ada", awayUntil: 1000, userId: "u1" };
      const other: SnapshotSeat = { sessionId: "s9", token: "t9", also: ["t0", "t8"], name: "Zed", awayUntil: 2000, userId: "u9" };
      assert.deepEqual([...SEAT_KEYS].sort(), Object.keys(full).sort(), "the test covers every member a seat has");
      for (const key of SEAT_KEYS) {
        const diff = new FieldDiff();
        diff.next({ ...base, seats: [full] });
        diff.landed();
        assert.deepEqual(names(diff.next({ ...base, seats: [{ ...full, [key]: other[key] }] })), ["seats"], key);
        assert.deepEqual(names(diff.next({ ...base, seats: [{ ...full }] })), [], `${key}: an equal copy is no change`);
      }
      const diff = new FieldDiff();
      diff.next({ ...base, seats: [full] });
      diff.landed();
      assert.deepEqual(names(diff.next({ ...base, seats: [{ ...full, also: ["t0"] }] })), [], "the same other tokens in a new list: no change");
      assert.deepEqual(names(diff.next({ ...base, seats: [{ ...full, also: ["t7"] }] })), ["seats"], "others of the same number: a change");
      assert.deepEqual(names(diff.next({ ...base, seats: [{ ...full, also: undefined }] })), ["seats"], "none any more: a change");
    });

    it("a whole snapshot leaves out a game key whose value is undefined (JSON has no undefined)", () => {
      const fields = snapshotFields({ ...base, game: { board: [], gone: undefined } });
      assert.deepEqual(Object.keys(fields).filter((f) => f.startsWith("g:")), ["g:board"]);
      assert.ok(Object.values(fields).every((v) => typeof v === "string"));
    });

    it("without landed() (a write that failed) nothing is assumed: lost() makes the next write whole", () => {
      const diff = new FieldDiff();
      diff.next(base);
      diff.lost();
      assert.equal(diff.next(base).whole, true);
      diff.landed();
      assert.equal(diff.next(base).whole, false);
      diff.lost();
      assert.equal(diff.next(base).whole, true);
    });

    it("a fair-dice game taken over after rolls that changed nothing else rolls on from the same place, and its reveal verifies (the rolls grow in place)", () => {
      const other = { int: (min: number) => min };
      const live = new RoomFairness(other);
      live.start(["s1", "s2"]);
      const roll = (f: RoomFairness) => {
        const faces = Array.from({ length: 5 }, () => f.rng.int(1, 6));
        f.stepDone();
        return faces;
      };
      const diff = new FieldDiff();
      let hash: Record<string, string> = {};
      const write = () => {
        hash = apply(hash, diff.next({ ...base, match: null, fairness: live.snapshot() }));
        diff.landed();
      };
      const rolled = [roll(live)];
      write();
      for (let i = 0; i < 20; i++) {
        rolled.push(roll(live));
        write();
      }
      const read = parseSnapshot(hash);
      assert.ok(read.ok, (read as { reason?: string }).reason);
      const restored = new RoomFairness(other);
      restored.restore(read.snapshot.fairness!);
      const next = roll(restored);
      assert.deepEqual(next, roll(live), "the restored room's next roll is the live room's next roll");
      const revealed = restored.end()!;
      const verdict = verifyMatch({ log: { steps: [...rolled, next].map((dice) => ({ dice })), fairness: revealed } });
      assert.deepEqual(verdict, { ok: true, rolls: 22, dice: 110 });
      assert.deepEqual(revealed.rolls, [...rolled, next]);
    });

    it("a running match's placements, changed in place by the match tracker, go out with the step that made them: a takeover keeps who was already out", () => {
      const tracker = new MatchTracker("oweDrahn", () => undefined, () => 1000);
      tracker.start(["s1", "s2", "s3"].map((id) => ({ id, userId: null, name: id })), {});
      const diff = new FieldDiff();
      let hash: Record<string, string> = {};
      const write = (savedAt: number) => {
        hash = apply(hash, diff.next({ ...base, savedAt, match: tracker.progress()!, fairness: null }));
        diff.landed();
      };
      write(1);
      tracker.step("s1", { type: "roll" }, NOTHING_DRAWN, { contenders: ["s1", "s2", "s3"], winners: [] });
      write(2);
      // s3 drops out of contention: placed third, in the same match object.
      tracker.step("s2", { type: "roll" }, NOTHING_DRAWN, { contenders: ["s1", "s2"], winners: [] });
      write(3);
      const read = parseSnapshot(hash);
      assert.ok(read.ok, (read as { reason?: string }).reason);
      assert.deepEqual(read.snapshot.match!.placed, { s3: 3 });
      assert.equal(read.snapshot.match!.log.length, 2);
    });

    it("what a move writes does not grow with the game: a 400-step match sends its newest steps, not its whole log (also right after a whole write)", () => {
      const diff = new FieldDiff();
      let hash: Record<string, string> = {};
      const log: NonNullable<StoredSnapshot["match"]>["log"] = [];
      let snap: StoredSnapshot = { ...base, match: { ...base.match!, log } };
      hash = apply(hash, diff.next(snap));
      diff.landed();
      let largest = 0;
      for (let step = 0; step < 400; step++) {
        log.push({ t: step * 900, seat: step % 3, action: { type: "roll" }, dice: [1 + (step % 6), 2, 3, 4, 5] });
        snap = { ...snap, savedAt: snap.savedAt + 1, match: { ...snap.match!, placed: { ...snap.match!.placed } } };
        // A write that fails mid-game: the next one is whole.
        if (step === 255) {
          diff.next(snap);
          diff.lost();
          continue;
        }
        const w = diff.next(snap);
        if (!w.whole) largest = Math.max(largest, w.fields.reduce((n, f) => n + f.length, 0));
        // The 16th step fills the first chunk; the 17th starts the second.
        if (step === 15) assert.deepEqual(names(w), ["ml:0", "savedAt"]);
        if (step === 16 || step === 257) assert.deepEqual(names(w), [`ml:${Math.floor(step / 16)}`, "savedAt"]);
        hash = apply(hash, w);
        diff.landed();
      }
      const read = parseSnapshot(hash);
      assert.ok(read.ok, (read as { reason?: string }).reason);
      assert.equal(read.snapshot.match!.log.length, 400);
      assert.deepEqual(read.snapshot.match, snap.match);
      const whole = JSON.stringify(log).length;
      assert.ok(whole > 25_000, `the log is ${whole} bytes`);
      assert.ok(largest < 1_500, `the largest write of a move was ${largest} bytes`);
    });

    it("a new match's log as long as the last one's (written together, one write in flight meanwhile) is sent, step for step", () => {
      const diff = new FieldDiff();
      const step = (t: number) => ({ t, seat: 0, action: { type: "roll" } });
      const old: StoredSnapshot = { ...base, match: { ...base.match!, log: [step(1), step(2), step(3)] } };
      let hash = apply({}, diff.next(old));
      diff.landed();
      const next: StoredSnapshot = { ...base, match: { ...base.match!, id: "m-2", log: [step(4), step(5), step(6)] } };
      const w = diff.next(next);
      assert.ok(names(w).includes("ml:0"), `sent: ${names(w).join(", ")}`);
      hash = apply(hash, w);
      const read = parseSnapshot(hash);
      assert.ok(read.ok, (read as { reason?: string }).reason);
      assert.deepEqual(read.snapshot.match, next.match);
    });

    it("a run of random changes to the log and the rolls (growing in place, new games, lost writes) reads back exactly as the last snapshot", () => {
      const rng = seededRng(11);
      const rand = (n: number) => rng.int(0, n - 1);
      const diff = new FieldDiff();
      let hash: Record<string, string> = {};
      let log: NonNullable<StoredSnapshot["match"]>["log"] = [];
      let rolls: number[][] = [];
      let match: StoredSnapshot["match"] = { ...base.match!, log };
      let fairness: StoredSnapshot["fairness"] = { ...base.fairness!, game: { clientSeeds: "", rolls } };
      for (let step = 0; step < 600; step++) {
        const what = rand(20);
        if (what === 0) match = null;
        else if (what === 1) match = { ...base.match!, id: `m-${step}`, log: (log = []) };
        else if (what === 2) fairness = { ...base.fairness!, game: null };
        else if (what === 3) fairness = { ...base.fairness!, game: { clientSeeds: `c${step}`, rolls: (rolls = []) } };
        else if (match) {
          log.push({ t: step, seat: rand(3), action: { type: "roll" }, dice: [rand(6) + 1] });
          match = { ...match, placed: rand(9) === 0 ? { ...match.placed, [`s${rand(3)}`]: rand(3) + 1 } : match.placed };
          if (fairness?.game) rolls.push([rand(6) + 1, rand(6) + 1]);
        }
        const snap: StoredSnapshot = { ...base, savedAt: base.savedAt + step, match, fairness: fairness && { ...fairness } };
        hash = writeAndCheck(diff, hash, snap, rand(9) === 0, `step ${step}`);
      }
    });

    it("a run of random changes written as diffs reads back exactly as the last snapshot", () => {
      const rng = seededRng(7);
      const rand = (n: number) => rng.int(0, n - 1);
      const diff = new FieldDiff();
      let hash: Record<string, string> = {};
      let snap: StoredSnapshot = base;
      for (let step = 0; step < 300; step++) {
        const game = { ...(snap.game as Record<string, unknown>) };
        const key = ["board", "turn", "extra", "score"][rand(4)]!;
        // The board always stays: a state with no key at all is not a game (refused when read).
        if (rand(5) === 0 && key !== "board") delete game[key];
        else game[key] = key === "board" ? [rand(3), rand(3)] : rand(10);
        snap = { ...snap, game, savedAt: snap.savedAt + 1, turn: rand(3) === 0 ? null : { key: `s1:${rand(4)}`, deadline: 1 }, history: { seq: 4 + step, game: 1 } };
        hash = writeAndCheck(diff, hash, snap, rand(7) === 0, `step ${step}`);
      }
    });
  });
});
