/**
 * The web client's list of game views against the server's list of games: each game the
 * server hosts has a view, and each view's replays run that game's own rules (the type
 * system cannot tell TicTacToe's from Connect Four's: both are two-player boards); Dice's
 * view declares its toggle.
 */
import assert from "node:assert/strict";
import { GAMES } from "../../src/games/index.js";
import { clientViews } from "../helpers/views.js";

describe("The client's game views", () => {
  it("every hosted game has a view whose replays run the game's own rules; Dice's select is a toggle", () => {
    const VIEWS = clientViews();
    assert.deepEqual(
      VIEWS.map((v) => v.protocol.name),
      GAMES.map((g) => g.protocol.name),
      "the same games, in the same order",
    );
    for (const game of GAMES) {
      const view = VIEWS.find((v) => v.protocol.name === game.protocol.name)!;
      assert.ok(view.replay, `${game.protocol.name}: a replay view`);
      assert.equal(view.replay.rules, game.rules, `${game.protocol.name}: its replays run its rules`);
    }
    // A die clicked twice quickly is selected, then unselected: the double-click guard must let it go.
    assert.deepEqual(VIEWS.find((v) => v.protocol.name === "dice")!.toggles, ["select"]);
  });
});
