/**
 * A board is one Tab stop, and the arrow keys move inside it (client/src/grid.ts): a
 * keyboard player no longer tabs through all nine TicTacToe cells, taken ones too, to get
 * past the board (until 2026-12-07). Connect Four's columns: test/browser/connectfour.test.ts.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { board, browserSuite, startTwoPlayers, text, waitFor, type Player } from "./helpers.js";

const focusOn = (player: Player) => player.page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName ?? "");

/** The cells Tab stops on: those with tabindex 0 (every other cell has -1). */
const tabStops = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll("[data-testid=board] button")).filter((b) => b.getAttribute("tabindex") !== "-1").map((b) => b.getAttribute("data-testid")));

describe("Browser: a board is one Tab stop, the arrow keys move inside it", function () {
  this.timeout(60000);
  const suite = browserSuite();

  it("TicTacToe: arrows, Home and End move between the cells, Space plays the one focused, and Tab leaves the board and comes back to it", async () => {
    const { first, second } = await startTwoPlayers(suite, "tictactoe");
    assert.deepEqual(await tabStops(first.page), ["cell-0"], "one Tab stop, the first cell");
    // Tab from the top of the game's area reaches the board on its first cell.
    await first.page.locator(".game-area").focus();
    const reached: string[] = [];
    for (let i = 0; i < 10 && !/^cell-/.test(reached.at(-1) ?? ""); i++) {
      await first.page.keyboard.press("Tab");
      reached.push(await focusOn(first));
    }
    assert.equal(reached.at(-1), "cell-0", `Tab enters the board on its first cell (${reached.join(", ")})`);
    // Whether the page's own keydown handler took a key (an arrow key taken never scrolls the page).
    await first.page.evaluate(() => document.addEventListener("keydown", (e) => ((window as unknown as { taken: boolean }).taken = e.defaultPrevented)));
    const taken = () => first.page.evaluate(() => (window as unknown as { taken: boolean }).taken);

    const steps: [string, string][] = [
      ["ArrowRight", "cell-1"],
      ["ArrowDown", "cell-4"],
      ["End", "cell-5"],
      ["Home", "cell-3"],
      ["Control+End", "cell-8"],
      ["ArrowRight", "cell-8"], // the edge: no wrap
      ["Control+Home", "cell-0"],
      ["ArrowLeft", "cell-0"],
      ["ArrowDown", "cell-3"],
      ["ArrowUp", "cell-0"],
      ["ArrowDown", "cell-3"],
      ["ArrowRight", "cell-4"],
    ];
    for (const [key, cell] of steps) {
      await first.page.keyboard.press(key);
      assert.equal(await focusOn(first), cell, `${key} lands on ${cell}`);
      assert.equal(await taken(), true, `${key} is the board's (the page does not scroll)`);
    }
    assert.deepEqual(await tabStops(first.page), ["cell-4"], "the cell the arrows reached is the board's Tab stop");
    await first.page.keyboard.press("Space");
    // Who moves first is drawn: their mark may be X or O.
    await waitFor(async () => (await board(second.page))[4] !== "", "the first mover's mark in the centre");
    await waitFor(async () => (await text(second.page, "turn")).startsWith("Your turn"), "the second player's turn");
    await new Promise((r) => setTimeout(r, 400)); // renders after the move
    assert.equal(await focusOn(first), "cell-4", "the cell played keeps the focus");
    assert.deepEqual(await tabStops(first.page), ["cell-4"], "and stays the Tab stop through the renders");

    // Tab leaves the board at once (until 2026-12-07 it went on to cell 5, then 6, 7, 8); Shift+Tab comes back to the cell last used.
    await first.page.keyboard.press("Tab");
    const after = await focusOn(first);
    assert.ok(!/^cell-/.test(after), `one Tab leaves the board (the focus is on ${after})`);
    await first.page.keyboard.press("Shift+Tab");
    assert.equal(await focusOn(first), "cell-4", "Shift+Tab: back on the cell last used");

    // The second player Tabs into the board: the first cell, their page's stop (nothing focused there yet); Tab and Shift+Tab come back to it.
    await second.page.locator(".game-area").focus();
    const reachedBySecond: string[] = [];
    for (let i = 0; i < 10 && !/^cell-/.test(reachedBySecond.at(-1) ?? ""); i++) {
      await second.page.keyboard.press("Tab");
      reachedBySecond.push(await focusOn(second));
    }
    assert.equal(reachedBySecond.at(-1), "cell-0", `Tab enters the second player's board on its first cell (${reachedBySecond.join(", ")})`);
    await second.page.keyboard.press("Tab");
    await second.page.keyboard.press("Shift+Tab");
    assert.equal(await focusOn(second), "cell-0", "back on it");
    // The arrows pass over nothing: a taken cell is still a cell (a press there gets the refusal that says why).
    await second.page.keyboard.press("ArrowRight");
    await second.page.keyboard.press("ArrowDown");
    assert.equal(await focusOn(second), "cell-4", "the taken centre is reached, as every cell is");
    await second.page.keyboard.press("ArrowRight");
    await second.page.keyboard.press("Enter");
    await waitFor(async () => (await board(first.page))[5] !== "", "the second mark on the right of the centre");
    assert.deepEqual(await tabStops(second.page), ["cell-5"]);
  });
});
