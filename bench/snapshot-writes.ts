/**
 * What one move's high-availability snapshot write costs as a game grows (src/ha/snapshot.ts):
 * a Dice game with its match recorded (accounts on) and fair dice, step after step, each
 * step's snapshot written as a diff (FieldDiff), as a room does after every accepted action.
 * Prints, at several game lengths, the bytes a step's write sent and its CPU (each the mean
 * over the 50 steps before that length, median of 15 games), beside the size of the whole
 * log then: the write should stay flat while the log grows.
 *
 *   npx tsx bench/snapshot-writes.ts
 */
import { FieldDiff, SNAPSHOT_VERSION, type StoredSnapshot } from "../src/ha/snapshot.js";
import { RoomFairness } from "../src/fairness/room-fairness.js";
import { MatchTracker } from "../src/players/match-tracker.js";
import { seededRng } from "../src/rules/rng.js";

const LENGTHS = [50, 100, 200, 400, 800];
const WINDOW = 50;
const GAMES = 15;

function game(): Map<number, { bytes: number; micros: number; logBytes: number }> {
  const rng = seededRng(1);
  const fairness = new RoomFairness(rng);
  const tracker = new MatchTracker("dice", () => undefined);
  const seats = [{ id: "s1", userId: "u1", name: "Ada" }, { id: "s2", userId: "u2", name: "Bob" }];
  let state = { players: [{ id: "s1", score: 0 }, { id: "s2", score: 0 }], dice: [0, 0, 0, 0, 0, 0], turn: "s1" };
  tracker.start(seats, state);
  fairness.start(["s1", "s2"]);
  const diff = new FieldDiff();
  const snapshot = (savedAt: number): StoredSnapshot => ({
    v: SNAPSHOT_VERSION,
    roomId: "room",
    roomName: "dice",
    epoch: 0,
    owner: "process",
    savedAt,
    options: { targetScore: 10000 },
    host: "",
    game: state,
    seats: [{ sessionId: "s1", token: "t1", name: "Ada" }, { sessionId: "s2", token: "t2", name: "Bob" }],
    turn: { key: `${state.turn}:1`, deadline: savedAt + 30000 },
    scheduled: [],
    history: { seq: 0, game: 1 },
    match: tracker.progress() ?? null,
    fairness: fairness.snapshot(),
  });
  diff.next(snapshot(0));
  diff.landed();
  const out = new Map<number, { bytes: number; micros: number; logBytes: number }>();
  let spent = 0;
  let sent = 0;
  for (let step = 1; step <= LENGTHS.at(-1)!; step++) {
    // A roll: six dice from the fair stream, a new state that shares what did not change.
    const dice = Array.from({ length: 6 }, () => fairness.rng.int(1, 6));
    fairness.stepDone();
    const turn = step % 3 === 0 ? (state.turn === "s1" ? "s2" : "s1") : state.turn;
    state = { ...state, dice, turn };
    const started = process.cpuUsage();
    tracker.step(turn, { type: "roll" }, { dice, other: [] }, { contenders: ["s1", "s2"], winners: [] });
    const write = diff.next(snapshot(step));
    diff.landed();
    const used = process.cpuUsage(started);
    spent += used.user + used.system;
    sent += write.fields.reduce((n, f) => n + f.length, 0);
    if (step % WINDOW === 0) {
      if (LENGTHS.includes(step)) out.set(step, { bytes: Math.round(sent / WINDOW), micros: spent / WINDOW, logBytes: JSON.stringify(tracker.progress()!.log).length });
      spent = 0;
      sent = 0;
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runs = Array.from({ length: GAMES }, game);
console.log(`A Dice game's snapshot write per step (match recorded, fair dice), median of ${GAMES} games:`);
console.log("steps   write bytes   CPU µs/write   whole log bytes");
for (const n of LENGTHS) {
  const at = runs.map((r) => r.get(n)!);
  console.log(`${String(n).padStart(5)}   ${String(median(at.map((a) => a.bytes))).padStart(11)}   ${median(at.map((a) => a.micros)).toFixed(1).padStart(12)}   ${String(median(at.map((a) => a.logBytes))).padStart(15)}`);
}
