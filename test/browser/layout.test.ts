/**
 * Issue 12, defect 10: the next thing to do is never below the fold: the result and
 * Rematch at a laptop's 1280×800, "Play against a bot" on a phone.
 */
import assert from "node:assert/strict";
import type { Locator } from "playwright-core";
import { browserSuite, createRoom, PHONE, playInTurn, screenshot, startTwoPlayers, text, waitFor } from "./helpers.js";

const LAPTOP = { width: 1280, height: 800 };

/** The element is wholly inside the visible part of the page. */
const inView = (locator: Locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
  });

describe("Browser: the primary action stays visible (issue 12, defect 10)", function () {
  this.timeout(60000);
  const suite = browserSuite();

  for (const game of ["tictactoe", "connectfour"] as const) {
    it(`${game} at 1280×800: the result and Rematch are on screen when the game ends`, async () => {
      const { ada, bob, first: x, second: o } = await startTwoPlayers(suite, game, {}, LAPTOP);
      // X wins: the top row (TicTacToe), or four in column 0 (Connect Four).
      await playInTurn(
        game === "tictactoe"
          ? [[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"], [x, "cell-2"]]
          : [[x, "cf-col-0"], [o, "cf-col-1"], [x, "cf-col-0"], [o, "cf-col-1"], [x, "cf-col-0"], [o, "cf-col-1"], [x, "cf-col-0"]],
      );
      for (const p of [ada, bob]) {
        await p.page.getByTestId("btn-rematch").waitFor();
        await waitFor(() => inView(p.page.getByTestId("btn-rematch")), `Rematch on screen: ${JSON.stringify(await p.page.getByTestId("btn-rematch").evaluate((el) => ({ r: el.getBoundingClientRect().toJSON(), y: scrollY, h: innerHeight, doc: document.documentElement.scrollHeight, cls: el.className })))}`, 3000);
        assert.ok(await inView(p.page.getByTestId("winner")), "the result on screen");
      }
      await screenshot(x.page, `${game}-over-1280x800`);
    });
  }

  it("Dice on a phone: 'Play against a bot' is on screen", async () => {
    const ada = await suite.player("Ada", PHONE);
    await createRoom(ada.page, "dice");
    await ada.page.getByTestId("btn-add-bot").waitFor();
    await waitFor(() => inView(ada.page.getByTestId("btn-add-bot")), "the bot button on screen", 3000);
    await screenshot(ada.page, "dice-phone-waiting");
  });
});

describe("Browser: a server restart after a game (issue 12, defect 11)", function () {
  this.timeout(60000);
  const suite = browserSuite({ DRAIN_SECONDS: "1" });

  it("says the server is restarting and offers no rematch on the closed game", async () => {
    const { ada, first: x, second: o } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await playInTurn([[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"], [x, "cell-2"]]);
    await ada.page.getByTestId("btn-rematch").waitFor();

    suite.server.kill("SIGTERM"); // a room without a running game closes at once
    await ada.page.getByTestId("lost").waitFor({ timeout: 10000 });
    assert.match(await text(ada.page, "lost"), /server is restarting, and this game was closed/);
    assert.equal(await ada.page.getByTestId("btn-rematch").isVisible(), false, "no rematch on a closed game");
    assert.equal(await ada.page.locator(".game-area .controls button:visible").count(), 0);
    await screenshot(ada.page, "tictactoe-server-restarting");
  });
});

