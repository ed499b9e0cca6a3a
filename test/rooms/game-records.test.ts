/**
 * GameRecords (src/rooms/game-records.ts) on its own, driven as the base room drives it,
 * with the real Owe Drahn definition: who sat as whom, the record handed over only once the
 * ending step is saved, the dice from committed seeds and their reveal, the snapshot.
 */
import assert from "node:assert/strict";
import { oweDrahn } from "../../src/games/owedrahn.js";
import { GameRecords } from "../../src/rooms/game-records.js";
import type { MatchRecord } from "../../src/players/store.js";
import { rollFaces } from "../../src/fairness/dice.js";
import { seededRng } from "../../src/rules/rng.js";
import type { OweDrahnState } from "../../src/rules/owe-drahn.js";

function room(options: { fairDice?: boolean; results?: boolean; joinNames?: boolean } = {}) {
  const records: MatchRecord[] = [];
  const pendingSaved: (() => void)[] = [];
  // The names given at join (none: the match takes each player's name from the game's state, as for bots).
  const names = new Map(options.joinNames === false ? [] : [["a", "Ada"], ["b", "Bob"]]);
  const r = new GameRecords({
    game: oweDrahn,
    rng: seededRng(3),
    fairDice: options.fairDice ?? true,
    results: options.results === false ? undefined : { record: (m) => records.push(m) },
    afterSaved: (fn) => pendingSaved.push(fn),
    nameOf: (id) => names.get(id),
  });
  let game: OweDrahnState = oweDrahn.rules.setup(oweDrahn.config({}), seededRng(1));
  /** One action through the records, as RulesPath.apply does (src/rooms/rules-path.ts); the revealed seeds if the game ended. */
  const act = (playerId: string, action: { type: string; [k: string]: unknown }) => {
    const result = oweDrahn.rules.apply(game, playerId, action as never, r.rng);
    const drawn = r.applied(result.ok);
    if (!result.ok) return { ok: false as const };
    const before = game;
    game = result.state;
    return { ok: true as const, revealed: r.step({ before, after: game, playerId, action, events: result.events }, drawn) };
  };
  return { r, records, pendingSaved, act, state: () => game };
}

/** Ada (signed in as user-a) and Bob (anonymous) sit down and get ready: the game starts. */
function startGame(t: ReturnType<typeof room>) {
  t.act("a", { type: "join", name: "Ada" });
  t.r.seated("a", "user-a");
  t.act("b", { type: "join", name: "Bob" });
  t.act("a", { type: "ready", ready: true });
  t.act("b", { type: "ready", ready: true });
}

/** Plays to the end: whoever's turn it is rolls; returns the reveal. */
async function playOut(t: ReturnType<typeof room>) {
  for (let i = 0; i < 10_000; i++) {
    const s = t.state();
    if (s.phase !== "playing") break;
    const res = t.act(s.currentTurn!, { type: "roll" });
    if (res.ok && res.revealed) return res.revealed;
    if (!res.ok) t.act(s.currentTurn!, { type: "lose_life" });
  }
  return undefined;
}

describe("GameRecords (the base room's game records)", () => {
  it("records a finished game with each seat's identity, only once the ending step is saved", async () => {
    const t = room({ fairDice: false });
    startGame(t);
    assert.equal(t.state().phase, "playing");
    await playOut(t);
    assert.notEqual(t.state().phase, "playing");
    await Promise.resolve(); // the hand-over waits a microtask, then for the step to be out
    assert.equal(t.records.length, 0, "not before the step is saved");
    for (const fn of t.pendingSaved.splice(0)) fn();
    assert.equal(t.records.length, 1);
    const record = t.records[0]!;
    assert.deepEqual(record.players.map((p) => [p.name, p.userId]), [["Ada", "user-a"], ["Bob", null]]);
    assert.ok((record.log as { steps: unknown[] }).steps.length > 0);
    // The result is how the game ended, as the rules' state says (the profile and the history read it).
    assert.ok(t.state().ending, "the game has an ending");
    assert.deepEqual(record.result, t.state().ending);
  });

  it("a player no longer seated: their identity goes, and their client seed with them (the next game's seeds leave it out)", () => {
    const t = room({ results: false });
    t.act("a", { type: "join", name: "Ada" });
    t.r.seated("a", "user-a");
    t.act("b", { type: "join", name: "Bob" });
    t.r.seated("b", "user-b");
    assert.equal(t.r.clientSeed("a", "ada-seed"), true);
    assert.equal(t.r.clientSeed("b", "bob-seed"), true);
    t.r.unseated("a");
    assert.equal(t.r.userIdOf("a"), undefined);
    assert.equal(t.r.userIdOf("b"), "user-b", "the others keep theirs");
    assert.deepEqual(t.r.snapshot().fairness!.clientSeeds, { b: "bob-seed" });
  });

  it("fair dice: the reveal names the seats in order and the seat that moved first, whichever it was (seat 1 or seat 2)", async () => {
    const firsts = new Set<number>();
    // Who moves first comes from the room's own random server seed: play until both seats have.
    for (let game = 0; game < 64 && firsts.size < 2; game++) {
      const t = room({ results: false });
      startGame(t);
      const first = t.state().currentTurn!;
      const revealed = (await playOut(t))!;
      assert.deepEqual(revealed.seats, ["a", "b"]);
      assert.equal(revealed.first, ["a", "b"].indexOf(first), `game ${game}: ${first} moved first`);
      firsts.add(revealed.first!);
    }
    assert.deepEqual([...firsts].sort(), [0, 1]);
  });

  it("a disposed room hands over what was waiting, unless it was superseded", async () => {
    for (const superseded of [false, true]) {
      const t = room({ fairDice: false });
      startGame(t);
      await playOut(t);
      await Promise.resolve();
      t.r.disposed(superseded);
      assert.equal(t.records.length, superseded ? 0 : 1);
    }
  });

  it("fair dice: the commitment before the game, client seeds only before the start, every roll from the seeds, the reveal at the end", async () => {
    const t = room({ results: false });
    const before = t.r.fairnessChange()!;
    assert.match(before.commitment, /^[0-9a-f]{64}$/);
    assert.equal(t.r.fairnessChange(), undefined, "nothing new to show");
    t.act("a", { type: "join", name: "Ada" });
    t.act("b", { type: "join", name: "Bob" });
    assert.equal(t.r.clientSeed("b", "bee"), true);
    t.act("a", { type: "ready", ready: true });
    t.act("b", { type: "ready", ready: true });
    assert.equal(t.r.clientSeed("a", "late"), false, "no client seed once the game runs");
    const revealed = (await playOut(t))!;
    assert.equal(revealed.commitment, before.commitment);
    assert.equal(revealed.clientSeeds, ":bee");
    revealed.rolls.forEach((faces, n) => assert.deepEqual(faces, rollFaces(Buffer.from(revealed.seed, "hex"), revealed.clientSeeds, n, faces.length)));
    const after = t.r.fairnessChange()!;
    assert.equal(after.seed, revealed.seed);
    assert.notEqual(after.next, before.commitment);
  });

  it("a game cut off by a shutdown is no result, but its seeds are revealed", () => {
    const t = room();
    startGame(t);
    t.act(t.state().currentTurn!, { type: "roll" });
    assert.ok(t.r.snapshot().match, "a match runs");
    const revealed = t.r.cutOff();
    assert.ok(revealed && revealed.rolls.length === 1);
    assert.equal(t.r.snapshot().match, null);
    t.r.disposed(false);
    assert.equal(t.records.length, 0);
  });

  it("a restore from the snapshot keeps the seats' identities, the match and the seeds", async () => {
    const t = room();
    startGame(t);
    const saved = JSON.parse(JSON.stringify(t.r.snapshot()));
    const copy = room();
    copy.r.restore({ ...saved, seats: [{ sessionId: "a", userId: "user-a" }, { sessionId: "b" }] });
    assert.equal(copy.r.userIdOf("a"), "user-a");
    assert.equal(copy.r.userIdOf("b"), undefined);
    assert.deepEqual(copy.r.snapshot(), saved);
    // The restored room's first projection shows the restored seeds' commitment.
    assert.equal(copy.r.fairnessChange()?.commitment, t.r.commitment);
  });

  it("a match's seats without a join name take each player's own name from the game", async () => {
    const t = room({ fairDice: false, joinNames: false });
    startGame(t);
    await playOut(t);
    await Promise.resolve();
    for (const fn of t.pendingSaved.splice(0)) fn();
    assert.deepEqual(t.records[0]!.players.map((p) => p.name), ["Ada", "Bob"]);
  });

  it("a finished match is handed over once, whether the step is saved before or after the room is disposed", async () => {
    for (const order of ["saved, then disposed", "disposed, then saved"]) {
      const t = room({ fairDice: false });
      startGame(t);
      await playOut(t);
      await Promise.resolve();
      if (order === "saved, then disposed") {
        for (const fn of t.pendingSaved.splice(0)) fn();
        t.r.disposed(false);
      } else {
        t.r.disposed(false);
        for (const fn of t.pendingSaved.splice(0)) fn();
      }
      assert.equal(t.records.length, 1, order);
    }
  });

  it("fairDice says whether the room takes client seeds; without fair dice a client seed is refused", () => {
    assert.equal(room({ fairDice: true }).r.fairDice, true);
    const plain = room({ fairDice: false });
    assert.equal(plain.r.fairDice, false);
    plain.act("a", { type: "join", name: "Ada" });
    assert.equal(plain.r.clientSeed("a", "bee"), false);
  });

  it("fair dice: what a refused step drew is no roll (the next roll is the stream's first, and only accepted rolls are revealed)", async () => {
    const t = room({ results: false });
    startGame(t);
    // A step the rules refused after drawing (as a rule could): its draw is given back.
    t.r.rng.int(1, 6);
    t.r.applied(false);
    let accepted = 0;
    let revealed;
    for (let i = 0; i < 10_000 && !revealed; i++) {
      const s = t.state();
      if (s.phase !== "playing") break;
      const res = t.act(s.currentTurn!, { type: "roll" });
      if (res.ok) accepted++;
      else t.act(s.currentTurn!, { type: "lose_life" });
      if (res.ok && res.revealed) revealed = res.revealed;
    }
    assert.ok(revealed, "the game ended");
    assert.equal(revealed.rolls.length, accepted, "one revealed roll per accepted roll");
    revealed.rolls.forEach((faces, n) => assert.deepEqual(faces, rollFaces(Buffer.from(revealed.seed, "hex"), revealed.clientSeeds, n, faces.length), `roll ${n}`));
  });
});
