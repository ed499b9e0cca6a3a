/**
 * The browser's own check of a game's dice ("Verify fairness", client/src/fairness.ts), run
 * here with Node's Web Crypto against the reference derivation (test/helpers/fair-reference.ts):
 * every way a server could cheat that the page can see must give ✗ with the words that say
 * which, and an honest game ✓. test/fairness/dice.test.ts has the derivation itself (server
 * and browser against the reference) and more of the seats and the dice the page saw.
 */
import assert from "node:assert/strict";
import { bytesToHex, firstSeat, hexToBytes, hmacKey, newClientSeed, rollsOfSteps, verifyFairness, type FairnessCheck, type FairnessRecord } from "../../client/src/fairness.js";
import { referenceCommitment, referenceFirst, referenceRoll } from "../helpers/fair-reference.js";

const SEED = "8f3a5c0e1d2b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1";
const CLIENT_SEEDS = ["a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"];

/** An honest reveal: rolls of these many dice, derived from the seeds; the seats and who moved first, as the server names them. */
function honest(counts: readonly number[], seed = SEED, clientSeeds = CLIENT_SEEDS): FairnessRecord & { seats: string[]; first: number; rolls: number[][] } {
  return {
    commitment: referenceCommitment(seed),
    seed,
    clientSeeds: clientSeeds.join(":"),
    rolls: counts.map((count, n) => referenceRoll(seed, clientSeeds, n, count)),
    seats: clientSeeds.map((_, i) => `s${i}`),
    first: referenceFirst(seed, clientSeeds, clientSeeds.length),
  };
}

const reasonOf = (check: FairnessCheck) => (check.ok ? "ok" : check.reason);

/** Another face for a die (1–6). */
const other = (face: number) => (face % 6) + 1;

describe("The browser's fairness check (client/src/fairness.ts)", () => {
  it("an honest game: ✓, each roll re-derived to the same faces, the dice counted, who moved first given back", async () => {
    const record = honest([6, 5, 1, 3, 2]);
    const check = await verifyFairness(record);
    assert.equal(check.ok, true, reasonOf(check));
    assert.deepEqual(check.rolls, record.rolls.map((faces, n) => ({ n, faces, expected: faces, ok: true })));
    assert.equal((check as { dice: number }).dice, 17);
    assert.equal((check as { first?: number }).first, record.first);
    // A reveal from a server before 2026-12-04 says neither seats nor who moved first: no `first` in the verdict.
    const { seats: _seats, first: _first, ...older } = record;
    const olderCheck = await verifyFairness(older);
    assert.equal(olderCheck.ok, true);
    assert.equal("first" in olderCheck, false, "no verdict on who moved first when the record does not say");
    assert.deepEqual(await verifyFairness({ ...older, rolls: [] }), { ok: true, rolls: [], dice: 0, seen: undefined }, "a game without a roll");
  });

  it("one die changed, in any roll and at any place in it: ✗ at that roll, the others ✓, with the game's faces and the seeds' in words", async () => {
    const record = honest([6, 4, 1]);
    for (const [n, faces] of record.rolls.entries()) {
      for (const i of [0, faces.length - 1]) {
        const rolls = record.rolls.map((r) => [...r]);
        rolls[n]![i] = other(rolls[n]![i]!);
        const check = await verifyFairness({ ...record, rolls });
        assert.equal(check.ok, false, `roll ${n}, die ${i}`);
        assert.equal((check as { roll?: number }).roll, n);
        assert.equal(reasonOf(check), `Roll #${n}: the game has ${rolls[n]!.join(", ")}, the seeds give ${record.rolls[n]!.join(", ")}.`);
        assert.deepEqual(check.rolls.map((r) => r.ok), record.rolls.map((_, m) => m !== n), "each roll shows its own ✓ or ✗");
      }
    }
    // Two rolls swapped: the first of them is named.
    const swapped = await verifyFairness({ ...record, rolls: [record.rolls[1]!, record.rolls[0]!, record.rolls[2]!] });
    assert.equal((swapped as { roll?: number }).roll, 0);
  });

  it("the seed must be the one committed to: one changed byte, a commitment of another seed, or another commitment than the page was shown, each ✗", async () => {
    const record = honest([3]);
    const changed = `${SEED.slice(0, 62)}${SEED.slice(62) === "e1" ? "e2" : "e1"}`;
    assert.equal(reasonOf(await verifyFairness({ ...record, seed: changed })), `The seed does not match the commitment: SHA-256(seed) = ${referenceCommitment(changed)}, committed ${record.commitment}.`);
    // A commitment to another seed, with rolls derived from the revealed one.
    const elsewhere = honest([3], changed);
    assert.match(reasonOf(await verifyFairness({ ...elsewhere, commitment: record.commitment })), /^The seed does not match the commitment/);
    // The commitment the page was shown before the game.
    const shown = referenceCommitment(changed);
    assert.equal(reasonOf(await verifyFairness(record, shown)), `The revealed commitment ${record.commitment} is not the one shown before the game (${shown}).`);
    assert.equal(reasonOf(await verifyFairness(record, record.commitment)), "ok", "the commitment shown is the one revealed");
    assert.equal(reasonOf(await verifyFairness(record, "")), "ok", "nothing shown (a replay, a page that came after the start)");
  });

  it("a seed or commitment that is not 32 bytes of lowercase hex is refused as such, before anything is derived from it", async () => {
    const record = honest([2]);
    for (const seed of [`0${SEED}`, `${SEED}0`, `g${SEED.slice(1)}`, SEED.toUpperCase(), SEED.slice(2), ""]) {
      assert.equal(reasonOf(await verifyFairness({ ...record, seed })), "The revealed seed is not 32 bytes of hex.", JSON.stringify(seed));
    }
    for (const commitment of [`0${record.commitment}`, `${record.commitment}0`, record.commitment.toUpperCase(), record.commitment.slice(1)]) {
      assert.equal(reasonOf(await verifyFairness({ ...record, commitment })), "The commitment is not a SHA-256 in hex.", JSON.stringify(commitment));
    }
  });

  it("who moved first, in words with seats counted from 1", async () => {
    const record = honest([1]);
    const wrong = 1 - record.first;
    assert.equal(reasonOf(await verifyFairness({ ...record, first: wrong })), `Who moved first: the game says seat ${wrong + 1}, the seeds give seat ${record.first + 1}.`);
    assert.equal(
      reasonOf(await verifyFairness(record, undefined, undefined, undefined, { startedBy: record.seats[wrong] })),
      `Who moved first: this page saw the game begin with another player on turn than the seeds give (seat ${record.first + 1}): the server chose who started.`,
    );
    assert.equal(reasonOf(await verifyFairness(record, undefined, undefined, undefined, { startedBy: record.seats[record.first] })), "ok");
  });

  it("the revealed seats against the client seeds and what the page saw: each mismatch ✗ in its own words", async () => {
    const record = honest([2]);
    const { first: _first, ...noFirst } = record;
    const cases: [string, () => Promise<FairnessCheck>, string][] = [
      ["more seats than client seeds", () => verifyFairness({ ...record, seats: ["s0", "s1", "s2"] }), "The game's client seeds hold 2 entries for its 3 seats."],
      ["the start named who moves first, the reveal not which seat", () => verifyFairness(noFirst, undefined, undefined, undefined, { startedBy: "s0" }), "The game's start named who moves first, but the reveal does not say which seat that was."],
      ["fewer players than the page saw (in order)", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s0", "s1", "s2"], ordered: true }), "The revealed seat order is not the one this page saw when the game began."],
      ["fewer players than the page saw (as a set)", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s0", "s1", "s2"], ordered: false }), "The revealed seats are not the players this page saw when the game began."],
      ["more players than the page saw (in order)", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s0"], ordered: true }), "The revealed seat order is not the one this page saw when the game began."],
      ["more players than the page saw (as a set)", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s1"], ordered: false }), "The revealed seats are not the players this page saw when the game began."],
      ["another player in the set", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s1", "x"], ordered: false }), "The revealed seats are not the players this page saw when the game began."],
      ["the page's seat, client seeds for another number of seats", () => verifyFairness(record, undefined, { seed: CLIENT_SEEDS[0]!, seats: 3 }), "The game's client seeds hold 2 entries for 3 seats: one is not a player's."],
      ["the page's seed missing", () => verifyFairness(record, undefined, { seed: "ffffffffffffffff", seats: 2 }), "Your client seed (ffffffffffffffff) is not among the game's client seeds: the server did not use it."],
      ["the page's seed at another seat than its own (the state's order)", () => verifyFairness(record, undefined, { seed: CLIENT_SEEDS[0]!, seats: 2, seat: 1 }), `Your client seed (${CLIENT_SEEDS[0]}) is not the game's client seed of your seat: the server did not use it.`],
      ["another player at a place of the order", () => verifyFairness(record, undefined, undefined, undefined, { seats: ["s0", "x"], ordered: true }), "The revealed seat order is not the one this page saw when the game began."],
    ];
    for (const [what, check, reason] of cases) assert.equal(reasonOf(await check()), reason, what);
    // Seats revealed without who moved first, and no start read: nothing to hold against it.
    assert.equal(reasonOf(await verifyFairness(noFirst)), "ok");
    // A bot sends no client seed: its entry is empty, at any seat; a bot the page saw that has no seat changes nothing.
    const botSeeds = ["", CLIENT_SEEDS[1]!];
    const withBot = { ...honest([3], SEED, botSeeds), seats: ["bot-1", "s1"] };
    assert.equal(reasonOf(await verifyFairness(withBot, undefined, undefined, undefined, { bots: ["bot-1"] })), "ok");
    assert.equal(reasonOf(await verifyFairness(record, undefined, undefined, undefined, { bots: ["bot-9"] })), "ok");
    const chosen = { ...honest([3], SEED, ["4242", CLIENT_SEEDS[1]!]), seats: ["bot-1", "s1"] };
    assert.equal(reasonOf(await verifyFairness(chosen, undefined, undefined, undefined, { bots: ["bot-1"] })), "The bot's client seed (4242) is not empty: a bot sends none, so the server chose it.");
    // The same at the second seat.
    const secondSeat = { ...honest([3], SEED, [CLIENT_SEEDS[0]!, ""]), seats: ["s0", "bot-1"] };
    assert.equal(reasonOf(await verifyFairness(secondSeat, undefined, undefined, undefined, { bots: ["bot-1"] })), "ok");
    const chosenSecond = { ...honest([3], SEED, [CLIENT_SEEDS[0]!, "4243"]), seats: ["s0", "bot-1"] };
    assert.equal(reasonOf(await verifyFairness(chosenSecond, undefined, undefined, undefined, { bots: ["bot-1"] })), "The bot's client seed (4243) is not empty: a bot sends none, so the server chose it.");
    // The same seats, in the same order or as a set, and the page's seed where it belongs: ✓.
    assert.equal(reasonOf(await verifyFairness(record, undefined, undefined, undefined, { seats: ["s0", "s1"], ordered: true })), "ok");
    assert.equal(reasonOf(await verifyFairness(record, undefined, undefined, undefined, { seats: ["s1", "s0"], ordered: false })), "ok");
    assert.equal(reasonOf(await verifyFairness(record, undefined, { seed: CLIENT_SEEDS[1]!, seats: 2, seat: 1 })), "ok");
    assert.equal(reasonOf(await verifyFairness(record, undefined, { seed: CLIENT_SEEDS[1]!, seats: 2 })), "ok", "no seat known: among the client seeds");
  });

  it("what the page saw, against what was revealed: the first seen roll that differs is named (roll #0 too), a history gap as entries #from–#to", async () => {
    const record = honest([2, 3, 1, 4]);
    const seenFirstDiffers: number[][] = record.rolls.map((r) => [...r]);
    seenFirstDiffers[0]![1] = other(seenFirstDiffers[0]![1]!);
    assert.equal(
      reasonOf(await verifyFairness(record, undefined, undefined, { rolls: seenFirstDiffers, complete: true })),
      `Roll #0: this page saw ${seenFirstDiffers[0]!.join(", ")}, the revealed roll is ${record.rolls[0]!.join(", ")}: the game showed other dice than the seeds gave.`,
    );
    // The page saw the whole game, and one roll more than was revealed.
    const more = [...record.rolls, [6]];
    assert.equal(reasonOf(await verifyFairness(record, undefined, undefined, { rolls: more, complete: true })), "Roll #4: this page saw 6, the revealed roll is missing: the game showed other dice than the seeds gave.");
    // Part of the game seen: the first seen roll is not among the revealed ones.
    assert.equal(
      reasonOf(await verifyFairness(record, undefined, undefined, { rolls: [[6, 6, 6, 6, 6]], complete: false })),
      "The dice this page saw rolled (6, 6, 6, 6, 6, the 1st roll it saw) are not among the revealed rolls in that order: the game showed other dice than the seeds gave.",
    );
    // A seen roll that shares some faces with a revealed one is still another roll.
    const partly = [record.rolls[1]![0]!, other(record.rolls[1]![1]!), record.rolls[1]![2]!];
    assert.match(reasonOf(await verifyFairness(record, undefined, undefined, { rolls: [partly], complete: false })), /the 1st roll it saw/);
    assert.equal(
      reasonOf(await verifyFairness(record, undefined, undefined, { rolls: [record.rolls[0]!], complete: false, skipped: { from: 12, to: 15 } })),
      "The game's history skipped entries #12–#15 while this page was connected: what it held (a roll?) was never shown.",
    );
  });

  it("the nth roll it saw, in English ordinals", async () => {
    // Seen: rolls that are revealed, then one that is not, at place n.
    const record = honest(Array.from({ length: 24 }, () => 1));
    for (const [n, word] of [[1, "1st"], [2, "2nd"], [3, "3rd"], [4, "4th"], [10, "10th"], [11, "11th"], [12, "12th"], [13, "13th"], [21, "21st"], [22, "22nd"], [23, "23rd"]] as const) {
      const seen = [...record.rolls.slice(0, n - 1), [1, 1]];
      assert.match(reasonOf(await verifyFairness(record, undefined, undefined, { rolls: seen, complete: false })), new RegExp(`the ${word} roll it saw`));
    }
  });

  it("a browser without Web Crypto (a plain-http page) gives no verdict on the dice, and says how to check them elsewhere", async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto")!;
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    try {
      const check = await verifyFairness(honest([2]));
      assert.equal(check.ok, false);
      assert.equal((check as { unavailable?: true }).unavailable, true);
      assert.match(reasonOf(check), /Web Crypto only on a secure page.*npm run verify/);
    } finally {
      Object.defineProperty(globalThis, "crypto", saved);
    }
    assert.equal((await verifyFairness(honest([2]))).ok, true);
  });

  it("who moves first is asked for 1–256 seats: any other number is a range error, in words", async () => {
    const key = await hmacKey(hexToBytes(SEED));
    assert.equal(await firstSeat(key, "a:b", 256), referenceFirst(SEED, ["a", "b"], 256));
    for (const seats of [0, -1, 257, 1.5, Number.NaN]) await assert.rejects(firstSeat(key, "a:b", seats), { name: "RangeError", message: `${seats} seats` });
  });

  it("hex both ways, a record's rolls from its steps, and fresh client seeds", () => {
    assert.deepEqual([...hexToBytes("00ff10a0")], [0, 255, 16, 160]);
    assert.equal(bytesToHex(new Uint8Array([0, 255, 16, 160])), "00ff10a0");
    assert.equal(bytesToHex(hexToBytes(SEED)), SEED);
    assert.deepEqual(rollsOfSteps([{ dice: [1, 2] }, {}, { dice: [] }, { dice: [6] }]), [[1, 2], [6]]);
    const seeds = new Set(Array.from({ length: 50 }, () => newClientSeed()));
    assert.equal(seeds.size, 50);
    for (const seed of seeds) assert.match(seed, /^[0-9a-f]{16}$/);
  });
});
