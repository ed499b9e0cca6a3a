/**
 * Ratings (src/players/ratings.ts): `rateMatch` calls openskill's Bradley–Terry full model
 * itself, without `rate`'s plumbing; it must give exactly what `rate` gives, for any number
 * of players, any order of placements and any ties.
 */
import assert from "node:assert/strict";
import { rate, rating } from "openskill";
import { bradleyTerryFull } from "openskill/models";
import { conservative, initialSkill, rateMatch, type Skill } from "../../src/players/ratings.js";

/** A small deterministic generator (mulberry32), so a failure names its case. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byLibrary = (players: readonly Skill[], placements: readonly number[]) =>
  rate(
    players.map((p) => [rating({ mu: p.mu, sigma: p.sigma })]),
    { rank: [...placements], model: bradleyTerryFull },
  ).map(([r]) => ({ mu: r!.mu, sigma: r!.sigma }));

describe("Ratings (src/players/ratings.ts)", () => {
  it("rateMatch gives what openskill's rate with Bradley–Terry full gives: 2 to 8 players, shuffled placements, ties (500 cases)", () => {
    const random = generator(15);
    for (let c = 0; c < 500; c++) {
      const n = 2 + Math.floor(random() * 7);
      const players = Array.from({ length: n }, () => ({ mu: 10 + random() * 30, sigma: 0.5 + random() * 8 }));
      // Placements 1..n with ties: each player's place drawn from a few values, then made dense as the tracker does.
      const raw = players.map(() => 1 + Math.floor(random() * Math.max(2, n - 1)));
      const distinct = [...new Set(raw)].sort((a, b) => a - b);
      const placements = raw.map((r) => distinct.indexOf(r) + 1);
      const got = rateMatch(players, placements);
      const want = byLibrary(players, placements);
      for (let i = 0; i < n; i++) {
        const where = `case ${c}, player ${i} of ${n}, placements ${placements.join(",")}`;
        assert.ok(Math.abs(got[i]!.mu - want[i]!.mu) < 1e-9, `${where}: μ ${got[i]!.mu} vs ${want[i]!.mu}`);
        assert.ok(Math.abs(got[i]!.sigma - want[i]!.sigma) < 1e-9, `${where}: σ ${got[i]!.sigma} vs ${want[i]!.sigma}`);
      }
    }
  });

  it("a win moves the winner up and the loser down; a draw between equals moves neither's μ, and σ shrinks", () => {
    const [winner, loser] = rateMatch([initialSkill(), initialSkill()], [1, 2]);
    assert.ok(conservative(winner!) > conservative(initialSkill()) && conservative(loser!) < conservative(winner!));
    assert.ok(winner!.mu > 25 && loser!.mu < 25);
    const [a, b] = rateMatch([initialSkill(), initialSkill()], [1, 1]);
    assert.ok(Math.abs(a!.mu - 25) < 1e-9 && Math.abs(b!.mu - 25) < 1e-9, "equals drawing keep μ");
    assert.ok(a!.sigma < 25 / 3 && b!.sigma < 25 / 3, "σ shrinks");
  });

  it("the players come back in the order they went in, whatever the placements", () => {
    const players = [{ mu: 20, sigma: 5 }, { mu: 30, sigma: 2 }, { mu: 25, sigma: 8 }];
    const got = rateMatch(players, [3, 1, 2]);
    assert.ok(got[0]!.mu < 20, "last place falls");
    assert.ok(got[1]!.mu > 30, "first place rises");
    assert.throws(() => rateMatch([initialSkill()], [1]), RangeError);
    assert.throws(() => rateMatch([initialSkill(), initialSkill()], [1]), RangeError);
  });
});
