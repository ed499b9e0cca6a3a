/**
 * A profile's rating cell (client/src/rating.ts): before a player's first rated game in a
 * game (only bot games, or games between tabs of their own) it reads "—" and says why,
 * instead of the starting rating 0.0, which read like a measured one.
 */
import assert from "node:assert/strict";
import { ratingCell } from "../../client/src/rating.js";

describe("A profile's rating cell (rating.ts)", () => {
  it("no rated game yet: '—', with the reason in its title", () => {
    assert.deepEqual(ratingCell({ rated: 0, rating: 0 }), { text: "—", title: "Not rated yet: games against bots, and between tabs of the same player, are not rated" });
  });

  it("rated games: the rating with one decimal, negative or not, and no title", () => {
    assert.deepEqual(ratingCell({ rated: 1, rating: 2.345 }), { text: "2.3" });
    assert.deepEqual(ratingCell({ rated: 12, rating: -0.96 }), { text: "-1.0" });
    assert.deepEqual(ratingCell({ rated: 3, rating: 0 }), { text: "0.0" }, "a measured 0.0 is shown as a number");
  });

  it("an older server's answer without `rated` (a rolling upgrade): the rating", () => {
    assert.deepEqual(ratingCell({ rating: 0 }), { text: "0.0" });
  });
});
