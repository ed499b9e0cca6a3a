/**
 * A recorded match's result in words (client/src/outcome.ts), as a player's match history
 * shows it: a draw reads "Draw", not "Draw (1st of 2)", which read like a win.
 */
import assert from "node:assert/strict";
import { matchResult, ordinal, outcomeWord } from "../../client/src/outcome.js";

const seats = (...placements: number[]) => placements.map((placement) => ({ placement }));

describe("A match's result in words (outcome.ts)", () => {
  it("two players: won, lost, or a draw without a place", () => {
    assert.equal(matchResult(1, seats(1, 2)), "Won (1st of 2)");
    assert.equal(matchResult(2, seats(1, 2)), "Lost (2nd of 2)");
    assert.equal(matchResult(1, seats(1, 1)), "Draw");
  });

  it("more players: the winner, a shared first place, and the others by place only", () => {
    assert.equal(matchResult(1, seats(1, 2, 3)), "Won (1st of 3)");
    assert.equal(matchResult(1, seats(1, 1, 3)), "Shared 1st of 3");
    assert.equal(matchResult(3, seats(1, 1, 3)), "3rd of 3");
    assert.equal(matchResult(2, seats(1, 2, 2, 4)), "2nd of 4");
    assert.equal(matchResult(1, seats(1, 1, 1)), "Draw", "everyone first: a draw");
    assert.deepEqual([outcomeWord(2, seats(1, 2, 3)), outcomeWord(1, seats(1, 1, 3)), outcomeWord(2, seats(1, 2))], ["2nd place", "Shared 1st", "Lost"]);
  });

  it("ordinals: 1st, 2nd, 3rd, 4th, and the teens are 'th'", () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinal), ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th"]);
  });
});
