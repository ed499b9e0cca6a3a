/**
 * Connect Four in the browser: two players (two browser profiles, one at phone size) create
 * and join a room from the lobby and play to a win while a spectator watches read-only; the
 * newest disc falls into place (and does not with reduced motion); a rematch starts with O
 * to move; a column with six discs is disabled, and a keyboard's focus on it moves beside it; the board is one Tab stop, the arrow keys passing over a full column. And the lobby offers every game the server
 * hosts, from its list.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { GAME_NAMES } from "../../src/games/index.js";
import { browserSuite, createRoom, expectText, joinListed, PHONE, screenshot, startTwoPlayers, text, tick, waitFor, type Player } from "./helpers.js";

const COLUMNS = 7;
const ROWS = 6;

/** The board as the page shows it: `rows[row][column]`, the top row first, each "", "X" or "O". */
async function cfBoard(page: Page): Promise<string[][]> {
  const marks = await page.evaluate(
    ([rows, columns]) =>
      Array.from({ length: rows! }, (_, r) =>
        Array.from({ length: columns! }, (_, c) => document.querySelector(`[data-testid=cf-cell-${r}-${c}]`)?.getAttribute("data-mark") ?? "?"),
      ),
    [ROWS, COLUMNS],
  );
  return marks;
}

/** Discs in a column, on a page. */
async function discsIn(page: Page, column: number): Promise<number> {
  return (await cfBoard(page)).filter((row) => row[column] !== "").length;
}

/** Records the names of the CSS animations that start on the page from now on. */
async function recordAnimations(page: Page) {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { animations: string[] }).animations = seen;
    document.addEventListener("animationstart", (e) => seen.push(e.animationName));
  });
}
const animations = (page: Page) => page.evaluate(() => (window as unknown as { animations: string[] }).animations);

/** A screenshot once every disc has landed. */
async function shot(page: Page, name: string) {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === "finished"));
  await screenshot(page, name);
}

describe("Browser: Connect Four", function () {
  this.timeout(90000);
  const suite = browserSuite();
  const player = (name: string, viewport?: { width: number; height: number }) => suite.player(name, viewport);

  /** `p` drops a disc into `column`; resolves when every page in `watching` shows it. */
  async function drop(p: Player, column: number, watching: Player[]) {
    const before = await discsIn(p.page, column);
    await p.page.getByTestId(`cf-col-${column}`).click();
    for (const w of watching) await waitFor(async () => (await discsIn(w.page, column)) === before + 1, `disc ${before + 1} in column ${column}`);
  }

  it("two players play to a win, the new disc falls, a rematch opens with O, a full column is disabled", async () => {
    const ada = await player("Ada");
    const bob = await player("Bob", PHONE);
    const roomId = await createRoom(ada.page, "connectfour");
    await expectText(ada.page, "status", /Waiting for an opponent/);
    await expectText(ada.page, "role", /^· You are playing as X, red$/);
    await bob.page.getByTestId(`room-${roomId}`).waitFor();
    await expectText(bob.page, `room-${roomId}`, /1\/2 players · waiting/);
    assert.equal(await bob.page.getByTestId(`btn-join-${roomId}`).getAttribute("aria-label"), `Join Connect Four room ${roomId}`);
    await joinListed(bob.page, roomId);
    assert.equal(await bob.page.locator("[data-testid=game-screen] h2").textContent(), "Connect Four");

    // X opens a room's first game: Ada took the first seat.
    await expectText(ada.page, "turn", /^Your turn \(X, red\)$/);
    await expectText(bob.page, "turn", /^Ada's turn \(X, red\)$/);
    await expectText(bob.page, "status", /four in a row wins/);
    assert.deepEqual(await cfBoard(ada.page), Array.from({ length: ROWS }, () => Array<string>(COLUMNS).fill("")));

    // A spectator, with reduced motion: the board is read-only, and discs do not fall.
    const cat = await player("Cat");
    await cat.page.emulateMedia({ reducedMotion: "reduce" });
    await cat.page.getByTestId(`btn-watch-${roomId}`).click();
    await cat.page.getByTestId("game-screen").waitFor();
    await expectText(cat.page, "role", /watching/);
    for (let c = 0; c < COLUMNS; c++) assert.equal(await cat.page.getByTestId(`cf-col-${c}`).isDisabled(), true, "a spectator cannot drop a disc");

    const all = [ada, bob, cat];
    for (const p of all) await recordAnimations(p.page);

    // Ada (X) drops into column 0 four times, Bob (O) into column 1 three times.
    await drop(ada, 0, all);
    // The new disc fell into the bottom cell: it has the animation, which ran.
    const first = bob.page.locator("[data-testid=cf-cell-5-0] .cf-disc");
    assert.match((await first.getAttribute("class")) ?? "", /\bcf-drop\b/);
    assert.equal(await first.evaluate((el) => getComputedStyle(el).animationName), "cf-fall");
    await waitFor(async () => (await animations(bob.page)).includes("cf-fall"), "the drop animation to start on the other page");
    assert.ok((await animations(ada.page)).includes("cf-fall"), "the drop animation started on the mover's page");
    // Reduced motion: the same disc, no animation.
    assert.equal(await cat.page.locator("[data-testid=cf-cell-5-0] .cf-disc").evaluate((el) => getComputedStyle(el).animationName), "none");
    assert.deepEqual(await animations(cat.page), []);
    // The disc is X in text, not only in colour.
    assert.equal(await first.textContent(), "X");
    assert.equal(await bob.page.getByTestId("cf-col-0").getAttribute("aria-label"), "Column 1: X from the bottom");

    await drop(bob, 1, all);
    // Only the newest disc falls.
    assert.equal(await ada.page.locator(".cf-drop").count(), 1);
    assert.equal(await ada.page.locator("[data-testid=cf-cell-5-1] .cf-disc.cf-drop").count(), 1);
    await expectText(ada.page, "turn", /^Your turn/);
    await drop(ada, 0, all);
    await drop(bob, 1, all);
    await drop(ada, 0, all);
    await drop(bob, 1, all);
    await shot(bob.page, "connectfour-playing-phone");
    await drop(ada, 0, all);

    await expectText(ada.page, "winner", /^You win!$/);
    await expectText(bob.page, "winner", /^Ada wins!$/);
    await expectText(cat.page, "winner", /^Ada wins!$/);
    for (const p of all) assert.equal(await p.page.locator(".cf-disc.win").count(), 4, "the winning four are marked");
    assert.equal(await cat.page.getByTestId("btn-rematch").count(), 0, "no rematch for a spectator");
    const final = await cfBoard(cat.page);
    assert.deepEqual(final.map((row) => row.slice(0, 2).join("")), ["", "", "X", "XO", "XO", "XO"]);
    await shot(ada.page, "connectfour-win-desktop");
    await shot(bob.page, "connectfour-win-phone");

    // The rematch: the first move alternates, so O (Bob) opens the second game.
    await bob.page.getByTestId("btn-rematch").click();
    await expectText(bob.page, "btn-rematch", /waiting for the other player/i);
    await expectText(ada.page, "status", /Bob wants a rematch/);
    await ada.page.getByTestId("btn-rematch").click();
    for (const p of all) await waitFor(async () => (await cfBoard(p.page)).flat().every((c) => c === ""), "an empty board");
    await expectText(bob.page, "turn", /^Your turn \(O, yellow\)$/);
    await expectText(ada.page, "turn", /^Bob's turn \(O, yellow\)$/);
    assert.equal(await text(ada.page, "winner"), "");

    // Six discs in column 3, alternating (no four in a row): the column is full. Ada drops
    // the last one by keyboard: the focus goes to the column beside it, not to the first.
    for (let i = 0; i < ROWS - 1; i++) await drop(i % 2 === 0 ? bob : ada, 3, all);
    await ada.page.getByTestId("cf-col-3").focus();
    await ada.page.keyboard.press("Enter");
    for (const w of all) await waitFor(async () => (await discsIn(w.page, 3)) === ROWS, "the sixth disc in column 3");
    const focused = () => ada.page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName);
    await waitFor(async () => (await focused()) === "cf-col-4", `the focus on the next column (it is on ${await focused()})`, 3000);
    // The board is one Tab stop, and the arrow keys pass over the full column (client/src/grid.ts).
    const stops = () => ada.page.evaluate(() => Array.from(document.querySelectorAll("[data-testid^=cf-col-]")).filter((b) => b.getAttribute("tabindex") !== "-1").map((b) => b.getAttribute("data-testid")));
    await waitFor(async () => JSON.stringify(await stops()) === '["cf-col-4"]', `one Tab stop, the focused column (${JSON.stringify(await stops())})`, 3000);
    await ada.page.keyboard.press("ArrowLeft");
    assert.equal(await focused(), "cf-col-2", "ArrowLeft passes over the full column");
    await ada.page.keyboard.press("ArrowRight");
    assert.equal(await focused(), "cf-col-4", "and so does ArrowRight");
    await ada.page.keyboard.press("End");
    assert.equal(await focused(), "cf-col-6", "End: the last column");
    assert.deepEqual(await stops(), ["cf-col-6"]);
    for (const p of [ada, bob]) {
      const column = p.page.getByTestId("cf-col-3");
      assert.equal(await column.isDisabled(), true, "a full column is disabled");
      assert.match((await column.getAttribute("class")) ?? "", /\bfull\b/);
      assert.match((await column.getAttribute("aria-label")) ?? "", /^Column 4, full: O, X, O, X, O, X from the bottom$/);
      assert.equal(await p.page.getByTestId("cf-col-2").isDisabled(), false, "the other columns are not");
    }
    assert.equal(await text(ada.page, "winner"), "", "the game goes on");
    await expectText(bob.page, "turn", /^Your turn/);
    await shot(ada.page, "connectfour-full-column-desktop");
    await shot(bob.page, "connectfour-full-column-phone");
    assert.deepEqual([...ada.errors, ...bob.errors, ...cat.errors], []);
  });

  it("a double click on a column drops one disc and shows no error (the second click is not sent)", async () => {
    const { first, second } = await startTwoPlayers(suite, "connectfour");
    await first.page.getByTestId("cf-col-3").dblclick();
    await waitFor(async () => (await discsIn(second.page, 3)) === 1, "the disc, on the other page");
    await expectText(first.page, "turn", /^(?!Your turn)\S+'s? turn/, "the turn passed");
    // The second click's refusal ("It is not your turn") would come within a few ms; give it plenty.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(await first.page.getByTestId("move-error").count(), 0, "no 'not your turn' after one's own move");
    assert.equal(await discsIn(first.page, 3), 1);
    // The other player's single click goes through at once, and so does the first player's next move in the same column.
    await second.page.getByTestId("cf-col-3").click();
    await waitFor(async () => (await discsIn(first.page, 3)) === 2, "the second disc");
    await first.page.getByTestId("cf-col-3").click();
    await waitFor(async () => (await discsIn(second.page, 3)) === 3, "the third disc: the same message again, on a new turn");
    assert.equal(await first.page.getByTestId("move-error").count(), 0);
  });

  it("every game the server hosts has its place in the lobby; quick match pairs two players", async () => {
    const ada = await player("Ada");
    const bob = await player("Bob", PHONE);
    for (const game of GAME_NAMES) {
      await ada.page.getByTestId(`create-game-${game}`).waitFor();
      await ada.page.getByTestId(`rooms-${game}`).waitFor();
      await ada.page.getByTestId(`btn-quick-${game}`).waitFor();
    }
    // Only the chosen game's own create options show.
    await tick(ada.page.getByTestId("create-game-connectfour"));
    assert.equal(await ada.page.getByTestId("create-dice-targetScore").isVisible(), false);
    await tick(ada.page.getByTestId("create-game-dice"));
    assert.equal(await ada.page.getByTestId("create-dice-targetScore").isVisible(), true);

    await ada.page.getByTestId("btn-quick-connectfour").click();
    await ada.page.getByTestId("game-screen").waitFor();
    const roomId = await text(ada.page, "room-id");
    await bob.page.getByTestId("btn-quick-connectfour").click();
    await bob.page.getByTestId("game-screen").waitFor();
    await expectText(bob.page, "room-id", new RegExp(`^${roomId}$`), "the quick match found the waiting room");
    await expectText(ada.page, "turn", /^Your turn \(X, red\)$/);
    await expectText(bob.page, "turn", /^Ada's turn/);
    assert.deepEqual([...ada.errors, ...bob.errors], []);
  });

  it("a saved seat of a game this page cannot show lands in the lobby", async () => {
    const ada = await player("Ada");
    await ada.page.evaluate(() => sessionStorage.setItem("turn-games.seat", JSON.stringify({ roomId: "abc", game: "nosuchgame", reconnectionToken: "abc:def" })));
    await ada.page.reload();
    await ada.page.getByTestId("lobby").waitFor();
    assert.equal(await ada.page.evaluate(() => sessionStorage.getItem("turn-games.seat")), null, "the seat is forgotten");
    assert.deepEqual(ada.errors, []);
  });
});
