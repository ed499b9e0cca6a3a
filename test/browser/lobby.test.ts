/**
 * The lobby's room lists do not move under a mouse that is aiming at them (a play-test:
 * Bob pointed at Fay's "Join", Eve's game started meanwhile, the list reordered, and his
 * click made him a spectator of Eve's game), nor push the forms below them away from it. A
 * new list waits while the mouse moves over the lists or below them, and shows once it goes
 * above them or rests. And a lobby the page left before its connection answered (a game
 * created at once) leaves nothing behind that the SDK warns about.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";
import { browserSuite, createRoom, joinListed, waitFor } from "./helpers.js";

/** The test id of the button (or its row) under the point. */
const under = (page: Page, x: number, y: number) => page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.closest("[data-testid]")?.getAttribute("data-testid") ?? "", [x, y]);

/**
 * Moves the mouse onto the middle of `target` and keeps it moving a pixel there every 150 ms
 * (a hand aiming), until `stop()`; resolves with the point and `stop`.
 */
async function aimAt(page: Page, target: Locator): Promise<{ x: number; y: number; stop: () => Promise<void> }> {
  const box = (await target.boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y, { steps: 4 });
  let aiming = true;
  const hand = (async () => {
    for (let i = 0; aiming; i++) {
      await page.mouse.move(x + (i % 2), y);
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return {
    x,
    y,
    stop: async () => {
      aiming = false;
      await hand;
    },
  };
}

describe("Browser: the lobby's lists hold still under the mouse", function () {
  this.timeout(60000);
  const suite = browserSuite();

  it("a room that starts while the mouse aims at another's Join does not slide under it; the list shows once the mouse leaves", async () => {
    const eve = await suite.player("Eve");
    const fay = await suite.player("Fay");
    const bob = await suite.player("Bob");
    const ada = await suite.player("Ada");
    const eveRoom = await createRoom(eve.page, "dice");
    const fayRoom = await createRoom(fay.page, "dice");
    for (const p of [bob, ada]) for (const id of [eveRoom, fayRoom]) await p.page.getByTestId(`btn-join-${id}`).waitFor();

    // Bob moves his mouse onto Fay's Join, and keeps it moving a little there (a hand aiming).
    const { x, y, stop } = await aimAt(bob.page, bob.page.getByTestId(`btn-join-${fayRoom}`));
    try {
      // Eve's game starts (a bot takes the other seat): Ada, whose mouse is elsewhere, sees it at once.
      await eve.page.getByTestId("btn-add-bot").click();
      await ada.page.getByTestId(`btn-watch-${eveRoom}`).waitFor();
      // The bot's seat is named as one (the listing names the humans only).
      assert.match((await ada.page.getByTestId(`room-${eveRoom}`).textContent()) ?? "", /Eve and a bot · 2\/2 players · playing/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await under(bob.page, x, y), `btn-join-${fayRoom}`, "Fay's Join is still under Bob's mouse");
      assert.equal(await bob.page.getByTestId(`btn-join-${eveRoom}`).count(), 1, "Bob's list waits");
    } finally {
      await stop();
    }

    // The mouse leaves the lists: the new list shows, Eve's game to watch.
    await bob.page.mouse.move(1, 1);
    await bob.page.getByTestId(`btn-watch-${eveRoom}`).waitFor({ timeout: 3000 });
    assert.equal(await bob.page.getByTestId(`btn-join-${eveRoom}`).count(), 0);
  });

  it("a room gone from above the Join the keyboard is on: that button keeps the focus, the same element (it is not rebuilt)", async () => {
    const eve = await suite.player("Eve");
    const fay = await suite.player("Fay");
    const bob = await suite.player("Bob");
    const eveRoom = await createRoom(eve.page, "dice");
    const fayRoom = await createRoom(fay.page, "dice");
    const fayJoin = bob.page.getByTestId(`btn-join-${fayRoom}`);
    await bob.page.getByTestId(`btn-join-${eveRoom}`).waitFor();
    await fayJoin.waitFor();
    // Eve's row is above Fay's. Bob's mouse is away from the lists (the list shows at once).
    const rows = await bob.page.locator("[data-testid^=room-]").evaluateAll((els) => els.map((el) => el.getAttribute("data-testid")));
    assert.ok(rows.indexOf(`room-${eveRoom}`) < rows.indexOf(`room-${fayRoom}`), `Eve's row above Fay's (${rows.join(", ")})`);
    await bob.page.mouse.move(1, 1);
    await fayJoin.evaluate((el) => {
      (el as HTMLElement & { marked?: boolean }).marked = true;
      (el as HTMLElement).focus();
    });
    // Eve leaves: her room goes from Bob's list.
    await eve.page.getByTestId("btn-leave").click();
    await bob.page.getByTestId(`room-${eveRoom}`).waitFor({ state: "detached" });
    await new Promise((r) => setTimeout(r, 300));
    const focused = await bob.page.evaluate(() => {
      const el = document.activeElement as (HTMLElement & { marked?: boolean }) | null;
      return { id: el?.getAttribute("data-testid") ?? el?.tagName ?? "", same: el?.marked === true };
    });
    assert.deepEqual(focused, { id: `btn-join-${fayRoom}`, same: true }, "Fay's Join keeps the focus, the same element");
  });

  it("a room created while the mouse aims at Create room (below the lists) does not push the button away; the list shows once the mouse goes up", async () => {
    const eve = await suite.player("Eve");
    // A tall window: the whole lobby on screen, the form below the lists.
    const bob = await suite.player("Bob", { width: 900, height: 1400 });
    const ada = await suite.player("Ada");
    const { x, y, stop } = await aimAt(bob.page, bob.page.getByTestId("btn-create"));
    let eveRoom = "";
    try {
      eveRoom = await createRoom(eve.page, "dice");
      await ada.page.getByTestId(`btn-join-${eveRoom}`).waitFor();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await under(bob.page, x, y), "btn-create", "Create room is still under Bob's mouse");
      assert.equal(await bob.page.getByTestId(`btn-join-${eveRoom}`).count(), 0, "Bob's list waits");
    } finally {
      await stop();
    }
    // Up to the name field, above the lists: the list shows at once.
    const nameBox = (await bob.page.getByTestId("name-input").boundingBox())!;
    await bob.page.mouse.move(nameBox.x + 5, nameBox.y + 5, { steps: 3 });
    await bob.page.getByTestId(`btn-join-${eveRoom}`).waitFor({ timeout: 1000 });
  });

  it("a mouse that stops moving on the lists lets the new list show 1.5 s later", async () => {
    const eve = await suite.player("Eve");
    const bob = await suite.player("Bob");
    const ada = await suite.player("Ada");
    const { stop } = await aimAt(bob.page, bob.page.getByTestId("rooms-dice"));
    let eveRoom = "";
    try {
      eveRoom = await createRoom(eve.page, "dice");
      await ada.page.getByTestId(`btn-join-${eveRoom}`).waitFor();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(await bob.page.getByTestId(`btn-join-${eveRoom}`).count(), 0, "held while Bob's mouse moves over the lists");
    } finally {
      await stop();
    }
    // The mouse rests where it is (still over the lists): the list shows after the hold.
    const rested = Date.now();
    await bob.page.getByTestId(`btn-join-${eveRoom}`).waitFor({ timeout: 4000 });
    assert.ok(Date.now() - rested < 3000, `shown ${Date.now() - rested} ms after the mouse stopped`);
  });
});

describe("Browser: a lobby left before its connection answered", function () {
  this.timeout(60000);
  const suite = browserSuite();

  it("a player who creates a game before the lobby's join answers: the lobby's first list, arriving as it leaves, raises no SDK warning in the console", async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    suite.track({ context, page, errors: [] });
    const warnings: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "warning" && msg.text().includes("@colyseus/sdk")) warnings.push(msg.text());
    });
    // The lobby's join (the matchmaker's step) answers 1.5 s late: the page is in its game by then.
    let held = 0;
    await page.route("**/matchmake/join/lobby", async (route) => {
      held++;
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue().catch(() => undefined);
    });
    await page.goto(suite.server.url);
    await page.getByTestId("lobby").waitFor();
    await page.getByTestId("name-input").fill("Ada");
    await createRoom(page, "tictactoe");
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(held, 1, "the lobby's join was held");
    assert.deepEqual(warnings, [], "no SDK warning");
    await page.getByTestId("game-screen").waitFor();
  });
});

describe("Browser: the lobby's rows name each player apart", function () {
  this.timeout(60000);
  const suite = browserSuite();

  it("a right-to-left first name keeps its place: the host first, then who joined, each name isolated (until 2026-12-07 one <bdi> for all turned the list around: \"Tom ,שרה\")", async () => {
    const hebrew = "שרה";
    const host = await suite.player(hebrew);
    const roomId = await createRoom(host.page, "owedrahn");
    const tom = await suite.player("Tom");
    await joinListed(tom.page, roomId);
    const viewer = await suite.player("Vi");
    const row = viewer.page.getByTestId(`room-${roomId}`);
    const names = row.locator("bdi.player-name");
    await waitFor(async () => (await names.allTextContents()).join("|") === `${hebrew}|Tom` || undefined, "each name in a <bdi> of its own, in seat order");
    // As the page shows them: the host's name left of Tom's, and the comma after it.
    const [first, second] = await names.evaluateAll((els) => els.map((el) => el.getBoundingClientRect()));
    assert.ok(first!.right <= second!.left, `the host's name (${first!.left}–${first!.right}) is left of Tom's (${second!.left}–${second!.right})`);
    assert.match((await row.locator(".room-info").innerText()).trim(), new RegExp(`^${hebrew}, Tom · 2/8 players · waiting for players$`));
  });
});
