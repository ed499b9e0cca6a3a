/**
 * The connection banner: a dropped network shows "reconnecting", the SDK's automatic
 * reconnection brings the same seat back ("connected"); a server shutdown shows the
 * draining notice, then "lost" with the reason in plain words.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { ServerProcess } from "../helpers/cluster.js";
import { board, closeAll, createRoom, launchBrowser, oneMoveGame, openPlayer, PHONE, screenshot, startGameServer, startProxy, text, waitFor, type Player, type Proxy, expectText } from "./helpers.js";

/** Records every value the banner's data-state takes from now on. */
async function recordConnStates(page: Page) {
  await page.evaluate(() => {
    const el = document.querySelector("[data-testid=conn-status]")!;
    const seen: string[] = [];
    (window as unknown as { connStates: string[] }).connStates = seen;
    new MutationObserver(() => seen.push(el.getAttribute("data-state") ?? "")).observe(el, { attributes: true, attributeFilter: ["data-state"] });
  });
}

const connStates = (page: Page) => page.evaluate(() => (window as unknown as { connStates: string[] }).connStates);
const connState = (page: Page) => page.getByTestId("conn-status").getAttribute("data-state");

describe("Browser: connection status", function () {
  this.timeout(60000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let proxy: Proxy | undefined;
  const open: Player[] = [];

  before(async () => {
    // One after the other: a browser that fails to start must not leave server running unowned.
    server = await startGameServer({ DRAIN_SECONDS: "1" });
    browser = await launchBrowser();
    proxy = await startProxy(server.port);
  });
  after(async () => {
    for (const p of open.splice(0)) await p.context.close().catch(() => undefined);
    await proxy?.close();
    await closeAll(browser, server);
  });

  /** Ada (on `viewport`) and Bob, through the proxy, in a TicTacToe game whose first move (cell 4) both see. */
  async function gameWithOneMove(viewport?: { width: number; height: number }) {
    const ada = await openPlayer(browser!, proxy!.url, "Ada", viewport);
    const bob = await openPlayer(browser!, proxy!.url, "Bob");
    open.push(ada, bob);
    return oneMoveGame(ada, bob);
  }

  it("a reload after an automatic reconnection resumes the same seat (issue 12, defect 1)", async () => {
    const { ada, bob, first } = await gameWithOneMove();
    const role = await text(ada.page, "role");

    // Two drops in a row, each reconnected by the SDK (each gives a new token), then a reload.
    for (let drop = 1; drop <= 2; drop++) {
      await new Promise((r) => setTimeout(r, 1200)); // the SDK's minimum uptime before it reconnects
      await recordConnStates(ada.page);
      proxy!.dropAll();
      await waitFor(async () => (await connStates(ada.page)).includes("reconnecting"), `drop ${drop}: reconnecting`);
      await waitFor(async () => (await connState(ada.page)) === "connected", `drop ${drop}: back in the game`, 10000);
      await waitFor(async () => (await connState(bob.page)) === "connected", `drop ${drop}: the other player back`, 10000);
    }
    await ada.page.reload();
    await ada.page.getByTestId("game-screen").waitFor({ timeout: 10000 });
    await waitFor(async () => (await connState(ada.page)) === "connected", "resumed after the reload", 10000);
    assert.equal(await text(ada.page, "role"), role, "the same seat after the reload");
    assert.equal((await board(ada.page))[4], (await board(bob.page))[4], "the same board");
    assert.equal(await ada.page.getByTestId("lobby").count(), 0, "not sent to the lobby");
    // And the game goes on from the reloaded page.
    const second = first === ada ? bob : ada;
    await second.page.getByTestId("cell-0").click();
    await waitFor(async () => (await board(ada.page))[0] !== "" && (await board(bob.page))[0] !== "", "a move after the reload");
    for (const p of [ada, bob]) await p.context.close();
  });

  it("a network change under a player (the page's side of its connection gone, the server's left open and silent, as when a phone moves to mobile data): back in the same seat in about a second, not once the server's own pings notice (6–9 s)", async () => {
    const own = await startProxy(server!.port); // Ada's network alone
    try {
      const ada = await openPlayer(browser!, own.url, "Ada");
      const bob = await openPlayer(browser!, proxy!.url, "Bob");
      open.push(ada, bob);
      const { second } = await oneMoveGame(ada, bob);
      const role = await text(ada.page, "role");
      const before = await board(ada.page);
      await new Promise((r) => setTimeout(r, 1200)); // the SDK's minimum uptime before it reconnects
      await recordConnStates(ada.page);
      const t0 = Date.now();
      own.strand();
      await waitFor(async () => (await connStates(ada.page)).includes("reconnecting"), "the reconnecting banner");
      await waitFor(async () => (await connState(ada.page)) === "connected", "connected again", 10000);
      const took = Date.now() - t0;
      console.log(`      back ${took} ms after the network changed`);
      assert.ok(took < 5000, `back ${took} ms after the network changed: the server's own pings would have taken 6–9 s`);
      assert.equal(await text(ada.page, "role"), role, "the same seat");
      assert.deepEqual(await board(ada.page), before, "the same board");
      await waitFor(async () => (await bob.page.locator(".player.away").count()) === 0, "Bob sees Ada back", 5000);
      await second.page.getByTestId("cell-0").click();
      await waitFor(async () => (await board(ada.page))[0] !== "" && (await board(bob.page))[0] !== "", "a move after the change");
      for (const p of [ada, bob]) await p.context.close();
    } finally {
      await own.close();
    }
  });

  it("a waiting player who closed the tab is neither listed nor matched (issue 12, defect 2)", async () => {
    const ada = await openPlayer(browser!, proxy!.url, "Ada");
    const bob = await openPlayer(browser!, proxy!.url, "Bob");
    open.push(ada, bob);
    const roomId = await createRoom(ada.page, "tictactoe");
    await bob.page.getByTestId(`room-${roomId}`).waitFor();
    await ada.context.close(); // the tab is closed while waiting: the server holds the seat
    await bob.page.getByTestId(`room-${roomId}`).waitFor({ state: "detached", timeout: 5000 });
    await bob.page.getByTestId("btn-quick-tictactoe").click();
    await bob.page.getByTestId("game-screen").waitFor();
    assert.notEqual(await text(bob.page, "room-id"), roomId, "quick match opened a new room");
    await expectText(bob.page, "status", /Waiting for an opponent/, "Bob waits for a real opponent");
    await expectText(bob.page, "searching", /^Searching for an opponent…/, "quick match says it is searching");
    await bob.context.close();
  });

  it("shows reconnecting and connected again after a drop, then the draining notice and lost on shutdown", async () => {
    const { ada, bob, first } = await gameWithOneMove(PHONE);
    const before = await board(ada.page);
    const role = await text(ada.page, "role");
    assert.equal(await connState(ada.page), "connected");

    // The network drops (after the SDK's minimum uptime for automatic reconnection).
    await new Promise((r) => setTimeout(r, 1200));
    await recordConnStates(ada.page);
    await recordConnStates(bob.page);
    proxy!.dropAll();
    await waitFor(async () => (await connStates(ada.page)).includes("reconnecting"), "the reconnecting banner");
    await waitFor(async () => (await connState(ada.page)) === "connected", "connected again", 10000);
    assert.deepEqual(await connStates(ada.page), ["reconnecting", "connected"]);
    assert.deepEqual(await board(ada.page), before, "same board");
    assert.equal(await text(ada.page, "role"), role, "same seat");
    await waitFor(async () => (await connStates(bob.page)).join() === "reconnecting,connected", "the other player connected again", 10000);
    await waitFor(async () => (await ada.page.locator(".player.away").count()) === 0, "nobody shown away", 10000);

    // The game goes on after the reconnection.
    const second = first === ada ? bob : ada;
    await second.page.getByTestId("cell-0").click();
    await waitFor(async () => (await board(first.page))[0] !== "", "a move after the reconnection");

    // Shutdown: the server says it is draining, then closes the running game.
    server!.kill("SIGTERM");
    await ada.page.getByTestId("notice").waitFor({ state: "visible" });
    await expectText(ada.page, "notice", /restarting/);
    await ada.page.getByTestId("lost").waitFor({ timeout: 10000 });
    assert.equal(await connState(ada.page), "lost");
    await expectText(ada.page, "lost", /server is restarting, and this game was closed/);
    assert.equal(await ada.page.evaluate(() => sessionStorage.length), 0, "the saved seat is gone");
    await screenshot(ada.page, "connection-lost");
    await ada.page.getByTestId("btn-lobby").click();
    await ada.page.getByTestId("lobby").waitFor();
  });
});
