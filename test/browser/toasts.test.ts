/**
 * The error toast's detail line (client/src/ui.ts addsTo): shown only when it says more than
 * the title. A double click on a cell gave "It is not your turn yet. It is not your turn."
 * (found by a play-test).
 */
import assert from "node:assert/strict";
import { addsTo } from "../../client/src/ui.js";

describe("Error toasts: the detail under the title", () => {
  it("is left out when the title already says it, whatever the case and punctuation", () => {
    assert.equal(addsTo("It is not your turn yet.", "It is not your turn."), false);
    assert.equal(addsTo("The game is over.", "the game is over"), false);
    assert.equal(addsTo("Some title", ""), false);
    assert.equal(addsTo("Some title", " … "), false, "punctuation alone says nothing");
  });

  it("is shown when it says more", () => {
    assert.equal(addsTo("You cannot do that right now.", "You already lost a life this turn."), true);
    assert.equal(addsTo("That move is against the rules.", "That cell is taken."), true);
    assert.equal(addsTo("Ο", "Όχι ακόμα"), true, "letters of any script count");
  });
});
