/**
 * Provably fair dice: the derivation against a reference written from the README's words alone
 * (test/helpers/fair-reference.ts), and verification that catches one changed byte at the right roll.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { commitmentOf, FairDice, firstSeat, rollFaces, SEED_BYTES } from "../../src/fairness/dice.js";
import { RoomFairness } from "../../src/fairness/room-fairness.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import { firstSeat as browserFirstSeat, hmacKey, rollFaces as browserRollFaces, unrevealedRoll, verifyFairness } from "../../client/src/fairness.js";
import { d6, pick, scriptedRng, seededRng } from "../../src/rules/rng.js";
import { referenceCommitment, referenceFirst, referenceRoll, referenceRollBytes } from "../helpers/fair-reference.js";

const seedHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const seed = Buffer.from(seedHex, "hex");

/** A finished match's record, as the server stores it: the log's dice come from the seeds. */
function recordOf(rolls: number[], clientSeeds: string[]) {
  const steps = rolls.flatMap((count, n) => [
    { t: n * 10, seat: n % 2, action: { type: "roll" }, dice: referenceRoll(seedHex, clientSeeds, n, count) },
    { t: n * 10 + 5, seat: n % 2, action: { type: "bank" } },
  ]);
  return { id: "m1", game: "dice", log: { seats: clientSeeds.map((_, i) => `s${i}`), initial: {}, steps, fairness: { commitment: commitmentOf(seed), seed: seedHex, clientSeeds: clientSeeds.join(":"), rolls: [] } } };
}

describe("Provably fair dice", () => {
  it("commits with the SHA-256 of the seed, in lowercase hex", () => {
    assert.equal(commitmentOf(seed), referenceCommitment(seedHex));
    assert.match(commitmentOf(seed), /^[0-9a-f]{64}$/);
  });

  it("derives every roll as the reference does, for many seeds, client seeds, roll numbers and dice counts (past 32 bytes too), on the server and in the browser alike", async () => {
    const rng = seededRng(11);
    // The bytes the reference draws: some skipped (252 and more), some exactly 252 (the boundary).
    const drawn: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = crypto.randomBytes(SEED_BYTES);
      const clients = Array.from({ length: rng.int(1, 8) }, () => (rng.int(0, 3) === 0 ? "" : `c${rng.int(0, 1e6)}é`));
      const n = rng.int(0, 500);
      const count = rng.int(1, 80); // 80 dice need more than one 32-byte block
      const expected = referenceRoll(s.toString("hex"), clients, n, count);
      assert.deepEqual(rollFaces(s, clients.join(":"), n, count), expected);
      assert.deepEqual(await browserRollFaces(await hmacKey(new Uint8Array(s)), clients.join(":"), n, count), expected, "the browser's check derives the same faces");
      drawn.push(...referenceRollBytes(s.toString("hex"), clients, n, count));
    }
    assert.ok(drawn.includes(252), `a byte of 252 among the ${drawn.length} drawn`);
    assert.ok(drawn.some((b) => b > 252));
  });

  it("gives each face about as often (the skipped bytes leave no bias a test of 60,000 dice can see)", () => {
    const counts = [0, 0, 0, 0, 0, 0];
    for (let n = 0; n < 10_000; n++) for (const f of rollFaces(seed, "a:b", n, 6)) counts[f - 1]!++;
    for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `face counts ${counts.join(", ")}`);
  });

  it("who moves first: the seat the reference gives, for many seeds, client seeds and seat counts, on the server and in the browser alike; each seat about as often", async () => {
    const rng = seededRng(12);
    for (let i = 0; i < 200; i++) {
      const s = crypto.randomBytes(SEED_BYTES);
      const clients = Array.from({ length: rng.int(1, 8) }, () => (rng.int(0, 3) === 0 ? "" : `c${rng.int(0, 1e6)}é`));
      const expected = referenceFirst(s.toString("hex"), clients, clients.length);
      assert.equal(firstSeat(s, clients.join(":"), clients.length), expected);
      assert.equal(await browserFirstSeat(await hmacKey(new Uint8Array(s)), clients.join(":"), clients.length), expected, "the browser's check derives the same seat");
    }
    const counts = [0, 0, 0];
    for (let i = 0; i < 6000; i++) counts[firstSeat(crypto.randomBytes(SEED_BYTES), "a:b:c", 3)]!++;
    for (const c of counts) assert.ok(Math.abs(c - 2000) < 200, `first seats ${counts.join(", ")}`);
    assert.equal(firstSeat(seed, "", 1), 0, "one seat: that one");
    // A first byte at or above the largest multiple of the seats is skipped (found here for 3 seats: 255).
    let skipped = "";
    for (let i = 0; skipped === ""; i++) if (crypto.createHmac("sha256", seed).update(`c${i}:first`).digest()[0]! >= 255) skipped = `c${i}`;
    const second = crypto.createHmac("sha256", seed).update(`${skipped}:first`).digest()[1]!;
    assert.equal(firstSeat(seed, skipped, 3), second % 3, "the next byte decides");
    assert.equal(await browserFirstSeat(await hmacKey(new Uint8Array(seed)), skipped, 3), second % 3);
  });

  it("the rules' RNG: dice from the seeds, one roll per accepted step that rolled; refused steps and other draws do not count", () => {
    const fair = new FairDice(seed, "x:y", scriptedRng([1, 0]));
    assert.equal(pick(fair, ["a", "b"]), "b", "who starts comes from the other RNG");
    fair.stepDone();
    assert.equal(fair.rollCount, 0, "a step without dice is no roll");
    const first = [d6(fair), d6(fair), d6(fair)];
    fair.stepRefused();
    assert.equal(fair.rollCount, 0);
    const again = [d6(fair), d6(fair), d6(fair)];
    assert.deepEqual(again, first, "a refused step's dice are drawn again by the next step");
    assert.deepEqual(fair.stepDone(), again);
    assert.deepEqual(again, referenceRoll(seedHex, ["x", "y"], 0, 3));
    assert.deepEqual([d6(fair)], referenceRoll(seedHex, ["x", "y"], 1, 1));
    fair.stepDone();
    assert.equal(fair.rollCount, 2);
  });

  it("a room's fairness: the commitment before the game, client seeds until the start, the reveal at the end, a new commitment next", () => {
    const room = new RoomFairness(seededRng(1));
    const before = room.view();
    assert.match(before.commitment, /^[0-9a-f]{64}$/);
    assert.equal(before.seed, "");
    assert.ok(room.setClientSeed("b", "bee"));
    assert.ok(room.setClientSeed("a", "ay"));
    room.start(["a", "b", "c"]);
    assert.equal(room.setClientSeed("a", "late"), false, "no client seed once the game runs");
    assert.equal(room.view().seed, "", "the seed stays secret while the game runs");
    const faces = [d6(room.rng), d6(room.rng)];
    assert.deepEqual(room.stepDone(), faces);
    const revealed = room.end()!;
    assert.equal(revealed.commitment, before.commitment);
    assert.equal(commitmentOf(Buffer.from(revealed.seed, "hex")), before.commitment);
    assert.equal(revealed.clientSeeds, "ay:bee:");
    assert.deepEqual(revealed.rolls, [faces]);
    assert.deepEqual(faces, referenceRoll(revealed.seed, ["ay", "bee", ""], 0, 2));
    const after = room.view();
    assert.equal(after.seed, revealed.seed);
    assert.match(after.next, /^[0-9a-f]{64}$/);
    assert.notEqual(after.next, before.commitment, "every game has a new seed");
  });

  it("a room's fairness: who moves first in the game a step starts comes from that game's seed and client seeds; the reveal names the seats and that seat, also after a takeover", () => {
    const firsts = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const room = new RoomFairness(seededRng(i));
      room.setClientSeed("a", "ay");
      room.setClientSeed("b", `bee ${i}`);
      const first = room.rng.firstMover!(["a", "b", "c"]);
      room.start(["a", "b", "c"], first);
      const copy = new RoomFairness(seededRng(99));
      copy.restore(JSON.parse(JSON.stringify(room.snapshot())));
      const revealed = copy.end()!;
      assert.equal(first, referenceFirst(revealed.seed, ["ay", `bee ${i}`, ""], 3));
      assert.deepEqual([revealed.seats, revealed.first], [["a", "b", "c"], first]);
      firsts.add(first);
    }
    assert.equal(firsts.size, 3, "every seat moves first in some game");
  });

  it("a room's fairness survives a takeover through its snapshot (same seed, roll numbers go on)", () => {
    const room = new RoomFairness(seededRng(1));
    room.setClientSeed("a", "s");
    room.start(["a", "b"]);
    d6(room.rng);
    room.stepDone();
    const copy = new RoomFairness(seededRng(2));
    copy.restore(JSON.parse(JSON.stringify(room.snapshot())));
    assert.equal(copy.view().commitment, room.view().commitment);
    const next = [d6(copy.rng)];
    copy.stepDone();
    const revealed = copy.end()!;
    assert.deepEqual(next, referenceRoll(revealed.seed, ["s", ""], 1, 1));
    assert.equal(revealed.rolls.length, 2);
  });

  describe("verification (npm run verify)", () => {
    it("passes a genuine record", () => {
      assert.deepEqual(verifyMatch(recordOf([5, 3, 6, 1], ["p1", "p2"])), { ok: true, rolls: 4, dice: 15 });
    });

    it("fails at the right roll when one logged die is changed", () => {
      const record = recordOf([5, 3, 6, 1], ["p1", "p2"]);
      const step = record.log.steps[4]!; // roll 2
      step.dice![3] = (step.dice![3]! % 6) + 1;
      const result = verifyMatch(record);
      assert.equal(result.ok, false);
      assert.equal((result as { roll: number }).roll, 2);
    });

    it("fails when one byte of the seed is changed (the commitment no longer matches)", () => {
      const record = recordOf([2, 2], ["p1", "p2"]);
      record.log.fairness.seed = "01" + seedHex.slice(2);
      const result = verifyMatch(record);
      assert.equal(result.ok, false);
      assert.match((result as { reason: string }).reason, /commitment/);
    });

    it("fails at roll 0 when a client seed is changed", () => {
      const record = recordOf([6, 6, 6], ["p1", "p2"]);
      record.log.fairness.clientSeeds = "p1:p3";
      assert.equal((verifyMatch(record) as { roll?: number }).roll, 0);
    });

    it("with the player's own client seed: ✗ when the game's client seeds do not hold it, or hold an entry that is no seat's, although the rolls follow from them (a server that chose the client seeds itself)", async () => {
      // The players sent "alice-seed" and "bob-seed"; the server rolled with client seeds of its choosing.
      const swapped = recordOf([6, 6], ["alice-seed", "232"]);
      assert.deepEqual(verifyMatch(swapped), { ok: true, rolls: 2, dice: 12 }, "without a seed of the player's, nothing shows it");
      assert.deepEqual(verifyMatch(swapped, "alice-seed"), { ok: true, rolls: 2, dice: 12 });
      const bob = verifyMatch(swapped, "bob-seed");
      assert.equal(bob.ok, false);
      assert.match((bob as { reason: string }).reason, /your client seed "bob-seed" is not among the game's client seeds/);
      // Both players' seeds kept, and one more entry of the server's: two seats, three entries.
      const added = recordOf([6, 6], ["alice-seed", "bob-seed", "425"]);
      added.log.seats = ["s0", "s1"];
      for (const own of ["alice-seed", "bob-seed"]) {
        const result = verifyMatch(added, own);
        assert.equal(result.ok, false, own);
        assert.match((result as { reason: string }).reason, /hold 3 entries for 2 seats/);
      }

      // The browser's check (client/src/fairness.ts, Web Crypto) says the same, and checks the seat when the page knows it.
      const browser = (record: ReturnType<typeof recordOf>) => ({ ...record.log.fairness, rolls: record.log.steps.flatMap((st) => (st.dice ? [st.dice] : [])) });
      const commitment = swapped.log.fairness.commitment;
      assert.equal((await verifyFairness(browser(swapped), commitment, { seed: "alice-seed", seats: 2, seat: 0 })).ok, true);
      assert.equal((await verifyFairness(browser(swapped), commitment, { seed: "alice-seed", seats: 2 })).ok, true);
      const cases: [ReturnType<typeof recordOf>, { seed: string; seats: number; seat?: number }, RegExp][] = [
        [swapped, { seed: "bob-seed", seats: 2, seat: 1 }, /Your client seed \(bob-seed\) is not the game's client seed of your seat/],
        [swapped, { seed: "bob-seed", seats: 2 }, /Your client seed \(bob-seed\) is not among the game's client seeds/],
        [swapped, { seed: "alice-seed", seats: 2, seat: 1 }, /not the game's client seed of your seat/],
        [added, { seed: "alice-seed", seats: 2, seat: 0 }, /hold 3 entries for 2 seats/],
      ];
      for (const [record, own, reason] of cases) {
        const result = await verifyFairness(browser(record), commitment, own);
        assert.equal(result.ok, false, JSON.stringify(own));
        assert.match((result as { reason: string }).reason, reason);
      }
    });

    it("who moved first: ✓ when it is the seat the seeds give and that seat's player is on turn in the game's initial state; ✗ when either differs, here and in the browser; a record from before says nothing of it", async () => {
      const record = recordOf([5, 3], ["p1", "p2"]);
      const first = referenceFirst(seedHex, ["p1", "p2"], 2);
      const seats = record.log.seats;
      const withFirst = (seat: number, onTurn: string) => ({ ...record, log: { ...record.log, initial: { currentTurn: onTurn }, fairness: { ...record.log.fairness, seats, first: seat } } });
      assert.deepEqual(verifyMatch(withFirst(first, seats[first]!)), { ok: true, rolls: 2, dice: 8, first });
      assert.deepEqual(verifyMatch(record), { ok: true, rolls: 2, dice: 8 }, "a record from before 2026-12-04: not covered");
      for (const [bad, why] of [
        [withFirst(1 - first, seats[1 - first]!), "the other seat revealed as first"],
        [withFirst(first, seats[1 - first]!), "the other player on turn at the start"],
      ] as const) {
        const result = verifyMatch(bad);
        assert.equal(result.ok, false, why);
        assert.match((result as { reason: string }).reason, /who moved first/, why);
      }
      // npm run verify: a seat named twice, and a bot's client seed the server chose (a bot sends none).
      const twice = withFirst(first, seats[first]!);
      twice.log.fairness.seats = [seats[first]!, seats[first]!];
      assert.match((verifyMatch({ ...twice, log: { ...twice.log, seats: twice.log.fairness.seats } }) as { reason: string }).reason, /name one player twice/);
      const botGame = withFirst(first, seats[first]!);
      const withBot = { ...botGame, log: { ...botGame.log, initial: { currentTurn: seats[first], players: [{ id: seats[0] }, { id: seats[1], isBot: true }] } } };
      assert.match((verifyMatch(withBot) as { reason: string }).reason, /the bot's client seed \("p2"\) is not empty/);

      const rolls = record.log.steps.flatMap((st) => (st.dice ? [st.dice] : []));
      const browser = (seat: number, order: readonly string[] = seats) => ({ ...record.log.fairness, rolls, seats: order, first: seat });
      const reason = async (...args: Parameters<typeof verifyFairness>) => {
        const result = await verifyFairness(...args);
        return result.ok ? "ok" : result.reason;
      };
      const good = await verifyFairness(browser(first), undefined, undefined, { rolls, complete: true }, { startedBy: seats[first], seats, ordered: true });
      assert.deepEqual([good.ok, (good as { first?: number }).first], [true, first]);
      assert.match(await reason(browser(1 - first)), /Who moved first: the game says seat/);
      assert.match(await reason(browser(first), undefined, undefined, undefined, { startedBy: seats[1 - first] }), /this page saw the game begin with another player on turn/);
      // The page's own seed at its place in the revealed seats.
      assert.match(await reason(browser(first), undefined, { seed: "p1", seats: 2, id: seats[1] }), /not the game's client seed of your seat/);
      assert.equal(await reason(browser(first), undefined, { seed: "p2", seats: 2, id: seats[1] }), "ok");

      // A server that put the other player on turn and revealed the seats in the order that makes it look right:
      const swapped = [seats[1]!, seats[0]!];
      const cover = browser(first, swapped); // seats[first] of the swapped order is the other player
      assert.match(await reason(cover, undefined, undefined, undefined, { startedBy: swapped[first], seats, ordered: true }), /seat order is not the one this page saw/, "a page that saw the order (Owe Drahn)");
      assert.match(await reason(cover, undefined, undefined, undefined, { startedBy: swapped[first], seats: ["s0", "x"], ordered: false }), /not the players this page saw/, "a page that saw the players (Dice)");
      // ...or named one player twice, or left the page's own out, or hid the seats altogether.
      assert.match(await reason(browser(first, [seats[0]!, seats[0]!])), /name one player twice/);
      assert.match(await reason(browser(first), undefined, { seed: "p1", seats: 2, id: "someone-else" }), /Your seat is not among the revealed seats/);
      const { seats: _s, first: _f, ...hidden } = browser(first);
      assert.match(await reason(hidden, undefined, undefined, undefined, { startedBy: seats[first] }), /reveal does not say the seats/);
      assert.match(await reason({ ...hidden, first }), /not the seats/);
      assert.equal(await reason(hidden), "ok", "a reveal from an older server, seen without a start entry naming who moves first");
      // A bot sends no client seed: a non-empty entry at its seat was the server's choice.
      const botRecord = recordOf([4], ["p1", "grind-17"]);
      const botFirst = referenceFirst(seedHex, ["p1", "grind-17"], 2);
      const botReveal = { ...botRecord.log.fairness, rolls: botRecord.log.steps.flatMap((st) => (st.dice ? [st.dice] : [])), seats: ["s0", "bot-1"], first: botFirst };
      assert.match(await reason(botReveal, undefined, undefined, undefined, { seats: ["s0", "bot-1"], ordered: false, bots: ["bot-1"] }), /The bot's client seed \(grind-17\) is not empty/);
      assert.equal(await reason(botReveal, undefined, undefined, undefined, { seats: ["s0", "bot-1"], ordered: false, bots: [] }), "ok");
    });

    it("the browser's check compares the dice the page saw rolled with the revealed rolls: one for one when it saw the whole game, else each seen roll among them in order", async () => {
      const record = recordOf([6, 2, 1, 3], ["p1", "p2"]);
      const rolls = record.log.steps.flatMap((st) => (st.dice ? [st.dice] : []));
      const browser = { ...record.log.fairness, rolls };
      const check = (seen: number[][], complete: boolean) => verifyFairness(browser, undefined, undefined, { rolls: seen, complete });
      const whole = await check(rolls, true);
      assert.deepEqual([whole.ok, (whole as { seen?: number }).seen], [true, 4], "the whole game seen: the same rolls");
      const some = await check([rolls[1]!, rolls[3]!], false);
      assert.deepEqual([some.ok, (some as { seen?: number }).seen], [true, 2], "a page that missed rolls (it came late, lost the connection for long)");
      assert.equal((await check([], false)).ok, true, "none seen");
      assert.equal((await verifyFairness(browser)).ok, true, "a replay: nothing seen to compare");
      assert.equal(((await verifyFairness(browser)) as { seen?: number }).seen, undefined);
      // The page saw the whole game, and the server drew a roll it never showed (the third).
      const hidden = await check([rolls[0]!, rolls[1]!, rolls[3]!], true);
      assert.equal(hidden.ok, false, "a roll drawn and not shown");
      assert.match((hidden as { reason: string }).reason, /Roll #2: this page saw .*, the revealed roll is/);
      const short = await check(rolls.slice(0, 3), true);
      assert.match((short as { reason: string }).reason, /saw the whole game: 3 rolls, but 4 were revealed/);
      // The history skipped a number while the page was connected: ✗, whatever the rolls.
      const skipped = await verifyFairness(browser, undefined, undefined, { rolls: [rolls[0]!, rolls[1]!], complete: false, skipped: { from: 7, to: 7 } });
      assert.equal(skipped.ok, false);
      assert.match((skipped as { reason: string }).reason, /history skipped entry #7 while this page was connected/);
      // Other dice than the seeds gave (one face changed), or two rolls in the wrong order.
      const shown = rolls.map((r) => [...r]);
      shown[2]![0] = (shown[2]![0]! % 6) + 1;
      for (const complete of [true, false]) assert.equal((await check(shown, complete)).ok, false, `a changed face, complete: ${complete}`);
      assert.match(((await check(shown, false)) as { reason: string }).reason, new RegExp(`The dice this page saw rolled \\(${shown[2]!.join(", ")}, the 3rd roll it saw\\) are not among the revealed rolls`));
      const reordered = await check([rolls[2]!, rolls[1]!], false);
      assert.equal(reordered.ok, false, "out of order");
      assert.match((reordered as { reason: string }).reason, /the 2nd roll it saw/);
      // unrevealedRoll alone: a seen roll may match only a revealed roll after the previous match.
      assert.equal(unrevealedRoll([[1], [1]], [[1], [2]]), 1, "one revealed 1 cannot stand for two seen");
      assert.equal(unrevealedRoll([[1], [1]], [[1], [2], [1]]), -1);
      assert.equal(unrevealedRoll([[1, 2]], [[1, 2, 3]]), 0, "a roll of other length is another roll");
      assert.equal(unrevealedRoll([[1, 2, 3]], [[1, 2]]), 0);
    });

    it("npm run verify: ✓ for a genuine record file, the first mismatch and a failing exit status for a tampered one", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-"));
      try {
        const good = path.join(dir, "good.json");
        const bad = path.join(dir, "bad.json");
        const record = recordOf([5, 3, 6], ["p1", "p2"]);
        fs.writeFileSync(good, JSON.stringify(record));
        record.log.steps[2]!.dice![0] = (record.log.steps[2]!.dice![0]! % 6) + 1;
        fs.writeFileSync(bad, JSON.stringify(record));
        const run = (file: string) => spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", file], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" });
        const ok = run(good);
        assert.equal(ok.status, 0, ok.stderr);
        assert.match(ok.stdout, /✓ dice m1: .*all 3 rolls \(14 dice\)/);
        const failed = run(bad);
        assert.equal(failed.status, 1);
        assert.match(failed.stdout, /✗ dice m1: roll 1: the log has/);
        // --client-seed: the player's own seed must be among the game's.
        const runWith = (file: string, clientSeed: string) => spawnSync(process.execPath, ["--import", "tsx", "scripts/verify.ts", file, "--client-seed", clientSeed], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8" });
        assert.equal(runWith(good, "p2").status, 0);
        const notMine = runWith(good, "p9");
        assert.equal(notMine.status, 1);
        assert.match(notMine.stdout, /✗ dice m1: your client seed "p9" is not among the game's client seeds/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("refuses a record without fairness, or with a malformed seed", () => {
      assert.equal(verifyMatch({ log: { steps: [] } }).ok, false);
      const record = recordOf([1], ["a"]);
      record.log.fairness.seed = "zz";
      assert.equal(verifyMatch(record).ok, false);
    });
  });
});
