/**
 * Issue 12, what players expect: a tally across rematches, and how long an away player has
 * left to come back.
 */
import assert from "node:assert/strict";
import { browserSuite, createRoom, joinListed, text, waitFor, type Player } from "./helpers.js";

describe("Browser: tally and away time (issue 12)", function () {
  this.timeout(60000);
  const suite = browserSuite();

  async function started() {
    const ada = await suite.player("Ada");
    const bob = await suite.player("Bob");
    const roomId = await createRoom(ada.page, "tictactoe");
    await bob.page.getByTestId(`room-${roomId}`).waitFor();
    await joinListed(bob.page, roomId);
    let x: Player | undefined;
    await waitFor(async () => {
      for (const p of [ada, bob]) if ((await text(p.page, "turn")).startsWith("Your turn")) x = p;
      return x;
    }, "the first turn");
    return { ada, bob, x: x!, o: x === ada ? bob : ada };
  }

  it("the tally counts wins across rematches: 'Ada 1 – 0 Bob', then 'Ada 1 – 1 Bob'", async () => {
    const { ada, bob, x, o } = await started();
    assert.equal(await ada.page.getByTestId("tally").count(), 0, "no tally before a game is won");
    const play = async (moves: Array<[Player, number]>) => {
      for (const [p, cell] of moves) {
        await waitFor(async () => (await text(p.page, "turn")).startsWith("Your turn"), `cell ${cell}: the mover's turn`);
        await p.page.getByTestId(`cell-${cell}`).click();
      }
    };
    await play([[x, 0], [o, 3], [x, 1], [o, 4], [x, 2]]);
    const xName = x === ada ? "Ada" : "Bob";
    const oName = x === ada ? "Bob" : "Ada";
    // The list shows X first: X's wins first.
    for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "tally")) === `${xName} 1 – 0 ${oName}`, "the tally after the first game");

    // Rematch: O opens the second game, and wins it along the top row.
    for (const p of [ada, bob]) await p.page.getByTestId("btn-rematch").click();
    await play([[o, 0], [x, 3], [o, 1], [x, 4], [o, 2]]);
    for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "tally")) === `${xName} 1 – 1 ${oName}`, "the tally after the rematch");
  });

  it("others see how long an away player has to come back, counting down", async () => {
    const { ada, bob } = await started();
    await bob.context.close(); // the tab is gone: the seat is held for RECONNECT_SECONDS (10)
    const badge = ada.page.getByTestId("away");
    await badge.waitFor();
    const seconds = async () => Number(/away — (\d+) s to come back/.exec(await badge.innerText())?.[1] ?? NaN);
    const first = await seconds();
    assert.ok(first >= 1 && first <= 10, `the window's seconds: ${first}`);
    await waitFor(async () => (await seconds()) < first, "the countdown goes down", 3000);
  });
});
