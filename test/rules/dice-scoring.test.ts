import assert from "node:assert/strict";
import { holdsScoringDie, ofAKind, scoreDice } from "../../src/rules/dice-scoring.js";
import { scoreDice as reexported } from "../../src/rules/dice.js";
import { seededRng, d6 } from "../../src/rules/rng.js";

type Case = [dice: number[], score: number, valid: boolean, why?: string];

describe("Dice scoring", () => {
  describe("the examples of games.md", () => {
    const table: Case[] = [
      [[1, 2, 3, 4, 5, 1], 600, true, "run 1-5 and a leftover 1"],
      [[1, 2, 3, 4, 5, 3], 500, false, "run 1-5, the extra 3 scores nothing"],
      [[2, 3, 4, 5, 6, 5], 800, true, "run 2-6 and a leftover 5"],
      [[1, 1, 1, 5], 1050, true, "three 1s and a 5"],
      [[1, 1, 1, 2, 2, 2], 1200, true, "three 1s and three 2s"],
      [[1, 1, 3], 200, false, "two 1s, a 3 unused"],
      [[2, 2, 3, 5, 6, 6], 50, false, "a lone 5 among non-scorers"],
      [[1, 2, 3, 4, 5, 6], 1500, true, "the full run"],
      [[1, 2, 3, 4, 5], 500, true, "run 1-5"],
      [[2, 3, 4, 5, 6], 750, true, "run 2-6"],
      [[4, 4, 4, 4], 800, true, "four 4s"],
      [[1, 1, 1, 1, 1, 1], 8000, true, "six 1s"],
    ];
    for (const [values, score, valid, why] of table) {
      it(`${values.join(",")} scores ${score}, ${valid ? "valid" : "invalid"} (${why})`, () => {
        assert.deepEqual(scoreDice(values), { score, valid });
      });
    }
  });

  describe("edge cases", () => {
    const table: Case[] = [
      [[], 0, false, "an empty set is never a move"],
      [[1], 100, true, "a single 1"],
      [[5], 50, true, "a single 5"],
      [[2], 0, false, "a lone 2"],
      [[1, 5], 150, true, "a 1 and a 5"],
      [[1, 1, 5, 5], 300, true, "pairs of 1s and 5s score singly"],
      [[1, 5, 2], 150, false, "a 2 spoils the set"],
      [[2, 2, 2], 200, true, "three 2s"],
      [[5, 5, 5], 500, true, "three 5s are 500, not three times 50"],
      [[5, 5, 5, 5], 1000, true, "four 5s"],
      [[1, 1, 1], 1000, true, "three 1s"],
      [[1, 1, 1, 1], 2000, true, "four 1s"],
      [[1, 1, 1, 1, 1], 4000, true, "five 1s"],
      [[3, 3, 3, 3, 3], 1200, true, "five 3s"],
      [[6, 6, 6, 6, 6, 6], 4800, true, "six 6s"],
      [[2, 2, 2, 3, 3, 3], 500, true, "two triples"],
      [[5, 5, 5, 6, 6, 6], 1100, true, "two triples with 5s"],
      [[1, 1, 1, 5, 5, 5], 1500, true, "triple 1s and triple 5s"],
      [[1, 2, 3, 4, 5, 5], 550, true, "run 1-5 and a leftover 5"],
      [[2, 3, 4, 5, 6, 6], 750, false, "run 2-6, the extra 6 unused"],
      [[6, 5, 4, 3, 2, 1], 1500, true, "order does not matter"],
      [[2, 3, 4, 6], 0, false, "no run without a 5"],
      [[1, 3, 4, 5, 6], 150, false, "a gap breaks the run"],
      [[1, 2, 3, 4, 5, 6, 1], 1600, true, "more than six values still score (never on the table)"],
      [[0, 1], 100, false, "an unrolled die is never used"],
      [[7], 0, false, "not a face"],
      [[1.5, 1], 100, false, "not a whole number"],
      [[Number.NaN], 0, false, "NaN"],
      [[-1, 5], 50, false, "negative"],
    ];
    for (const [values, score, valid, why] of table) {
      it(`${values.join(",") || "(none)"} scores ${score}, ${valid ? "valid" : "invalid"} (${why})`, () => {
        assert.deepEqual(scoreDice(values), { score, valid });
      });
    }
  });

  it("three or more of a kind double for each die beyond three", () => {
    assert.equal(ofAKind(4, 3), 400);
    assert.equal(ofAKind(4, 4), 800);
    assert.equal(ofAKind(4, 5), 1600);
    assert.equal(ofAKind(1, 3), 1000);
    assert.equal(ofAKind(1, 6), 8000);
    assert.equal(ofAKind(6, 2), 0);
  });

  it("dice.ts re-exports the same scoreDice", () => {
    assert.equal(reexported, scoreDice);
  });

  describe("a roll holds a scoring die", () => {
    const table: [number[], boolean][] = [
      [[2, 3, 4, 6, 6, 2], false],
      [[2, 3, 4, 6], false],
      [[2, 2, 2, 3, 4, 6], true],
      [[1, 2, 3, 4, 6, 6], true],
      [[5], true],
      [[6, 6, 6], true],
      [[], false],
      [[0, 0, 0], false],
    ];
    for (const [values, holds] of table) {
      it(`${values.join(",") || "(none)"}: ${holds}`, () => assert.equal(holdsScoringDie(values), holds));
    }

    it("exactly when some subset of the roll scores (every roll of 1 to 6 dice, sampled)", () => {
      const rng = seededRng(7);
      for (let n = 0; n < 3000; n++) {
        const roll = Array.from({ length: 1 + (n % 6) }, () => d6(rng));
        let best = 0;
        for (let mask = 1; mask < 1 << roll.length; mask++) {
          best = Math.max(best, scoreDice(roll.filter((_, i) => mask & (1 << i))).score);
        }
        assert.equal(holdsScoringDie(roll), best > 0, roll.join(","));
      }
    });

    it("a valid set always scores, and only 1s and 5s score alone", () => {
      const rng = seededRng(11);
      for (let n = 0; n < 3000; n++) {
        const set = Array.from({ length: 1 + (n % 6) }, () => d6(rng));
        const { score, valid } = scoreDice(set);
        assert.ok(score >= 0);
        if (valid) assert.ok(score > 0, set.join(","));
      }
      for (let face = 1; face <= 6; face++) assert.equal(scoreDice([face]).valid, face === 1 || face === 5);
    });
  });
});
