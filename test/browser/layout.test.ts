/**
 * Issue 12, defect 10: the next thing to do is never below the fold: the result and
 * Rematch at a laptop's 1280×800, "Play against a bot" on a phone.
 */
import assert from "node:assert/strict";
import type { Locator } from "playwright-core";
import { browserSuite, createRoom, diceValues, expectText, joinListed, PHONE, scoringSelection, playInTurn, screenshot, startTwoPlayers, text, waitFor, type Player } from "./helpers.js";

const LAPTOP = { width: 1280, height: 800 };

/** A small phone (iPhone SE): the top bar takes a larger share of it. */
const SMALL_PHONE = { width: 375, height: 667 };

/** The element is wholly inside the visible part of the page, below the top bar (it stays on top as the page scrolls). */
const inView = (locator: Locator) =>
  locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.querySelector(".top")?.getBoundingClientRect().bottom ?? 0;
    return r.top >= top && r.bottom <= window.innerHeight && r.height > 0;
  });

/** Where the element is, and the page's scroll and top bar, for a failure's message. */
const where = (locator: Locator) =>
  locator.evaluate((el) => JSON.stringify({ r: el.getBoundingClientRect().toJSON(), y: scrollY, h: innerHeight, bar: document.querySelector(".top")?.getBoundingClientRect().bottom }));

/** What has the keyboard's focus: a test id, "game-area", or a tag name ("BODY": the page, lost). */
const focusOn = (player: Player) =>
  player.page.evaluate(() => {
    const a = document.activeElement;
    return a?.getAttribute("data-testid") ?? (a?.classList.contains("game-area") ? "game-area" : (a?.tagName ?? ""));
  });

/** Waits until the page stops scrolling (it scrolls smoothly to a new primary action). */
async function atRest(player: Player, who = "the") {
  await waitFor(async () => {
    const before = await player.page.evaluate(() => scrollY);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return before === (await player.page.evaluate(() => scrollY));
  }, `${who} page at rest`, 3000);
}

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
        // The winner's row, and only it, carries the badge, on both pages.
        assert.deepEqual(await p.page.locator("[data-testid=players] li:has(.badge.win) .player-name").allTextContents(), [x === ada ? "Ada" : "Bob"], "the winner's badge");
      }
      await screenshot(x.page, `${game}-over-1280x800`);
    });
  }

  it("Owe Drahn on a phone with five players: on one's turn the total, 'Your turn', the countdown and Roll are on screen together", async () => {
    const players: Player[] = [];
    for (const name of ["Ada", "Bob", "Cyd", "Dee", "Eve"]) players.push(await suite.player(name, PHONE));
    const [ada, ...others] = players;
    await createRoom(ada!.page, "owedrahn", { private: true, maxPlayers: 5, turnSeconds: 60 });
    const link = await expectText(ada!.page, "invite-link", /\/\?join=/);
    for (const p of others) {
      await p.page.goto(link);
      await p.page.getByTestId("btn-invite-join").click();
      await p.page.getByTestId("game-screen").waitFor();
    }
    for (const p of players) await p.page.getByTestId("btn-ready").click();
    let actor: Player | undefined;
    await waitFor(async () => {
      for (const p of players) if ((await p.page.getByTestId("btn-roll").count()) > 0) actor = p;
      return actor !== undefined;
    }, "a player's turn", 10000);
    const page = actor!.page;
    await expectText(page, "turn", /^Your turn$/);
    // The page settles (it scrolls Roll into view when Roll is off screen).
    await atRest(actor!);
    for (const id of ["total", "turn", "countdown", "btn-roll"]) assert.ok(await inView(page.getByTestId(id)), `${id} on screen: ${await where(page.getByTestId(id))}`);
    // The status line's "Running total: 0. Above 15 you are out." says again what the Total box
    // shows: on a phone it takes no line (until 2026-12-07 it did), and screen readers still hear it.
    const status = page.getByTestId("status");
    assert.match(await status.textContent() ?? "", /^Running total: \d+\. Above 15 you are out\.$/);
    assert.equal(await status.getAttribute("aria-live"), "polite");
    // Screen-reader only (.sr-only: out of the flow, 1 px), not hidden (display: none would silence it too).
    assert.match((await status.getAttribute("class")) ?? "", /\bsr-only\b/);
    const box = await status.boundingBox();
    assert.ok(box !== null && box.height <= 1, `the status takes no line on a phone, and is still rendered: ${await where(status)}`);
    assert.equal(await status.evaluate((el) => getComputedStyle(el).position), "absolute", "out of the page's flow");
    await screenshot(page, "owedrahn-phone-turn");
  });

  it("TicTacToe on a small phone: the player who lost sees the winning row, the result and Rematch together, none under the top bar", async () => {
    const { ada, bob, first: x, second: o } = await startTwoPlayers(suite, "tictactoe", {}, SMALL_PHONE);
    await playInTurn([[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"], [x, "cell-2"]]);
    for (const p of [ada, bob]) {
      await p.page.getByTestId("btn-rematch").waitFor();
      await atRest(p);
      for (const id of ["cell-0", "cell-2", "winner", "btn-rematch"]) assert.ok(await inView(p.page.getByTestId(id)), `${p === o ? "the loser" : "the winner"}: ${id} on screen: ${await where(p.page.getByTestId(id))}`);
    }
    await screenshot(o.page, "tictactoe-lost-small-phone");
  });

  it("Dice on a small phone against the bot: after a roll, the dice on the table and Roll / Bank are on screen together, none under the top bar", async () => {
    const ada = await suite.player("Ada", SMALL_PHONE);
    await createRoom(ada.page, "dice");
    await ada.page.getByTestId("btn-add-bot").click();
    // The bot may begin: wait for this player's Roll. A first roll busts once in about 43 (the
    // turn passes to the bot, the dice never selectable): then Ada rolls again on her next turn.
    for (let tries = 0; ; tries++) {
      await waitFor(async () => (await ada.page.getByTestId("btn-roll").isEnabled().catch(() => false)) && (await text(ada.page, "turn")) === "Your turn", "Ada's turn", 20000);
      await atRest(ada);
      await ada.page.getByTestId("btn-roll").click();
      const rolled = await waitFor(async () => ((await ada.page.getByTestId("dice-0").isEnabled()) ? "dice" : (await text(ada.page, "turn")) !== "Your turn" ? "bust" : undefined), "the dice rolled (selectable), or the turn gone (a bust)");
      if (rolled === "dice") break;
      assert.ok(tries < 4, "five busts in a row");
    }
    await atRest(ada);
    for (const id of ["dice-row", "btn-roll", "btn-bank"]) assert.ok(await inView(ada.page.getByTestId(id)), `${id} on screen: ${await where(ada.page.getByTestId(id))}`);
    await screenshot(ada.page, "dice-rolled-small-phone");
  });

  it("keyboard only: the winning move played with Space leaves the focus on Rematch, not on the page (the next Tab does not start over from the top)", async () => {
    const { first: x, second: o } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await playInTurn([[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"]]);
    await waitFor(async () => (await text(x.page, "turn")).startsWith("Your turn"), "X's turn");
    await x.page.getByTestId("cell-2").focus();
    await x.page.keyboard.press("Space");
    await x.page.getByTestId("btn-rematch").waitFor();
    await waitFor(async () => (await focusOn(x)) === "btn-rematch", `the focus on Rematch (it is on ${await focusOn(x)})`, 3000);
    // Rematch asked with Space: the button is disabled ("Rematch asked — waiting…"), and the focus stays in the game (until 2026-12-06 it fell to the page).
    await x.page.keyboard.press("Space");
    await expectText(x.page, "status", /You asked for a rematch/);
    await waitFor(async () => (await focusOn(x)) === "game-area", `the focus on the game (it is on ${await focusOn(x)})`, 3000);
  });

  it("a focus the player moved out of the game is not pulled back into it when the game ends", async () => {
    const { first: x, second: o } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await playInTurn([[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"], [x, "cell-8"]]);
    // X's last move focused cell-8; X then moves to "Sound", and the focus leaves the page's controls.
    await x.page.getByTestId("btn-sound").focus();
    await x.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await waitFor(async () => (await text(o.page, "turn")).startsWith("Your turn"), "O's turn");
    await o.page.getByTestId("cell-5").click();
    await x.page.getByTestId("btn-rematch").waitFor();
    await new Promise((r) => setTimeout(r, 300)); // the renders after the game's end
    assert.equal(await focusOn(x), "BODY", "the focus left where the player put it, not moved to Rematch");
  });

  it("keyboard only, Dice against the bot: after Roll the focus is on the dice, and Roll takes it on the next turn; after Bank it never falls to the page", async () => {
    const ada = await suite.player("Ada", SMALL_PHONE);
    const { page } = ada;
    await createRoom(page, "dice", { targetScore: 10000 });
    await page.getByTestId("btn-add-bot").click();
    const yourTurn = async () => (await page.getByTestId("btn-roll").isEnabled().catch(() => false)) && (await text(page, "turn")) === "Your turn";
    // The bot may begin; a first roll busts once in about 43 (the turn passes): Ada rolls again on her next turn.
    for (let tries = 0; ; tries++) {
      await waitFor(yourTurn, "Ada's turn", 20000);
      await page.getByTestId("btn-roll").focus();
      await page.keyboard.press("Space");
      const rolled = await waitFor(async () => ((await page.getByTestId("dice-0").isEnabled()) ? "dice" : (await text(page, "turn")) !== "Your turn" ? "bust" : undefined), "the dice rolled (selectable), or the turn gone (a bust)");
      if (rolled === "dice") break;
      assert.ok(tries < 4, "five busts in a row");
    }
    await waitFor(async () => /^dice-\d$/.test(await focusOn(ada)), `the focus on a die after the roll (it is on ${await focusOn(ada)})`, 3000);
    // The dice are one Tab stop, the arrow keys move along them (client/src/grid.ts).
    const stops = () => page.evaluate(() => Array.from(document.querySelectorAll("[data-testid=dice-row] button")).filter((b) => b.getAttribute("tabindex") !== "-1").map((b) => b.getAttribute("data-testid")));
    const onDie = await focusOn(ada);
    assert.deepEqual(await stops(), [onDie], "one Tab stop among the dice: the focused one");
    const dieCount = await page.locator("[data-testid=dice-row] button").count();
    await page.keyboard.press("End");
    assert.equal(await focusOn(ada), `dice-${dieCount - 1}`, "End: the last die");
    await page.keyboard.press("Home");
    assert.equal(await focusOn(ada), "dice-0", "Home: the first");
    await page.keyboard.press("ArrowRight");
    assert.equal(await focusOn(ada), "dice-1", "ArrowRight: the next");
    for (const i of scoringSelection(await diceValues(page))) {
      await page.getByTestId(`dice-${i}`).focus();
      await page.keyboard.press("Space");
      await waitFor(async () => (await page.getByTestId(`dice-${i}`).getAttribute("aria-pressed")) === "true", `die ${i} selected`);
    }
    await page.getByTestId("btn-bank").focus();
    await page.keyboard.press("Space");
    await waitFor(async () => (await text(page, "turn")) !== "Your turn", "the bank");
    // The bot's turn: nothing to use, the focus on the game; then Ada's Roll takes it.
    const seen = new Set<string>();
    await waitFor(async () => {
      seen.add(await focusOn(ada));
      return (await yourTurn()) && (await focusOn(ada)) === "btn-roll";
    }, `the focus on Roll on Ada's next turn (it is on ${await focusOn(ada)})`, 20000);
    assert.ok(!seen.has("BODY"), `the focus never on the page: ${[...seen].join(", ")}`);
  });

  it("keyboard only, Owe Drahn: the focus resting on the game after a roll stays there when the game ends (the invite appearing above it moves nothing), and 'I'm ready' takes it for the next game", async () => {
    const ada = await suite.player("Ada", LAPTOP);
    const bob = await suite.player("Bob", LAPTOP);
    const roomId = await createRoom(ada.page, "owedrahn");
    await joinListed(bob.page, roomId);
    for (const p of [ada, bob]) await p.page.getByTestId("btn-ready").click();
    await ada.page.evaluate(() => ((window as unknown as { area?: Element | null }).area = document.querySelector(".game-area")));
    const rollsBy = { ada: 0, bob: 0 };
    while ((await text(ada.page, "winner")) === "") {
      assert.ok(rollsBy.ada + rollsBy.bob < 80, "the game ends");
      for (const [name, p] of [["ada", ada], ["bob", bob]] as const) {
        if ((await p.page.getByTestId("btn-roll").count()) === 0 || (await text(ada.page, "winner")) !== "") continue;
        // Ada plays by keyboard (Space on Roll, where the focus is at her turn); Bob clicks.
        if (p === ada) {
          await waitFor(async () => (await focusOn(ada)) === "btn-roll", `Roll focused at Ada's turn (the focus is on ${await focusOn(ada)})`, 3000);
          await ada.page.keyboard.press("Space");
        } else await bob.page.getByTestId("btn-roll").click();
        rollsBy[name]++;
        await waitFor(async () => (await p.page.getByTestId("btn-roll").count()) === 0, "the roll taken");
      }
    }
    assert.ok(rollsBy.ada > 0, "Ada rolled");
    await ada.page.getByTestId("invite").waitFor();
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(await focusOn(ada), "game-area", "the focus stays on the game at its end");
    assert.equal(await ada.page.evaluate(() => (window as unknown as { area?: Element | null }).area === document.querySelector(".game-area")), true, "the same area, kept in place");
    await waitFor(async () => (await focusOn(ada)) === "btn-ready", `'I'm ready' focused for the next game (the focus is on ${await focusOn(ada)})`, 10000);
  });

  it("keyboard only: a focus resting on the game's area comes back into it when the area is rebuilt elsewhere on the screen", async () => {
    const { first: x } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await x.page.locator(".game-area").focus();
    assert.equal(await focusOn(x), "game-area");
    // The area is keyed, so the screen's patcher finds it wherever it stands (the invite
    // appearing above it at a game's end moves nothing: the Owe Drahn test above). Were it not
    // (its key taken off here), with one part fewer above it than the next render has (the
    // summary removed here), its element would be patched into the summary, a part that takes
    // no focus, and the area built anew below it: as happened at a game's end until 2026-12-06.
    const rebuilt = () => x.page.evaluate(() => (window as unknown as { old: Element }).old !== document.querySelector(".game-area"));
    await x.page.evaluate(() => {
      const area = document.querySelector(".game-area")!;
      (window as unknown as { old: Element }).old = area;
      area.removeAttribute("data-key");
      area.previousElementSibling!.remove();
    });
    await waitFor(rebuilt, "the next render", 3000);
    // In the game again: on its first usable control (a free cell), as for any focus the area lost.
    await waitFor(async () => (await focusOn(x)) === "cell-0", `the focus back in the game (it is on ${await focusOn(x)})`, 3000);
  });

  it("keyboard only: when the opponent leaves mid-game, the focus a cell held goes to 'Back to the lobby' (the board went inert)", async () => {
    const { ada, bob } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await ada.page.getByTestId("cell-8").focus();
    await bob.page.getByTestId("btn-leave").click();
    await bob.page.getByTestId("btn-leave-confirm").click();
    await ada.page.getByTestId("btn-back-lobby").waitFor();
    const active = () => ada.page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? document.activeElement?.tagName);
    await waitFor(async () => (await active()) === "btn-back-lobby", `the focus on Back to the lobby (it is on ${await active()})`, 3000);
  });

  it("Dice on a phone: 'Play against a bot' is on screen", async () => {
    const ada = await suite.player("Ada", PHONE);
    await createRoom(ada.page, "dice");
    await ada.page.getByTestId("btn-add-bot").waitFor();
    await waitFor(() => inView(ada.page.getByTestId("btn-add-bot")), "the bot button on screen", 3000);
    await screenshot(ada.page, "dice-phone-waiting");
  });

  for (const viewport of [PHONE, { width: 640, height: 800 }]) {
    it(`at ${viewport.width} px, a long name saved as the player presses Join does not move the page: the click lands (the account bar keeps its height)`, async () => {
      const long = "M".repeat(20);
      const ada = await suite.player("Ada", viewport);
      const roomId = await createRoom(ada.page, "tictactoe");
      const mo = await suite.player("Mo", viewport);
      const { page } = mo;
      // "Mo" becomes the profile's name as the field is left.
      await page.getByTestId("name-input").press("Tab");
      await expectText(page, "account-who", /^Playing as Mo\s*guest$/);
      const barHeight = () => page.locator("#account-bar").evaluate((el) => el.getBoundingClientRect().height);
      const before = await barHeight();
      await page.getByTestId("name-input").fill(long);
      const join = page.getByTestId(`btn-join-${roomId}`);
      await join.scrollIntoViewIfNeeded();
      const box = (await join.boundingBox())!;
      // The press takes the focus from the field, which saves the name; the release comes after the rename landed.
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await expectText(page, "account-who", new RegExp(`^Playing as ${long}\\s*guest$`));
      const after = await barHeight();
      // The bar cuts the name to fit, and its title holds it whole.
      const title = await page.locator("#account-bar .player-name").getAttribute("title");
      await page.mouse.up();
      assert.equal(after, before, "the account bar's height with the long name (it grew, and moved Join away from the pointer)");
      assert.equal(title, long);
      await page.getByTestId("game-screen").waitFor();
      await waitFor(async () => (await text(ada.page, "turn")).includes("turn"), "the game to start");
    });
  }

  it("a 20-letter name without spaces does not widen a phone's page ('MMMM…'s turn')", async () => {
    const long = "M".repeat(20);
    const ada = await suite.player("Ada", PHONE);
    const roomId = await createRoom(ada.page, "tictactoe");
    const m = await suite.player(long, PHONE);
    await m.page.getByTestId(`room-${roomId}`).waitFor();
    // On the game's screen first. Twice in CI (2026-12-06) the join never came: the rename as the field was left grew the
    // account bar between the click's press and release, so the release missed Join (the test above; mended in style.css).
    await joinListed(m.page, roomId).catch(async (err: Error) => {
      throw new Error(`${err.message}; the joiner's toasts: ${JSON.stringify(await m.page.locator("#toasts").innerText().catch(() => ""))}, errors ${JSON.stringify(m.errors)}`);
    });
    await waitFor(async () => (await text(ada.page, "turn")).includes("turn"), "the game to start");
    if ((await text(ada.page, "turn")).startsWith("Your turn")) await ada.page.getByTestId("cell-4").click();
    await expectText(ada.page, "turn", new RegExp(`^${long}'s turn`));
    // Until 2026-12-05 the turn line ran past the edge: the page was 439 px wide on a 375 px phone.
    const [scroll, client] = await ada.page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    assert.ok(scroll <= client, `the page is ${scroll} px wide on a ${client} px screen`);
    await screenshot(ada.page, "phone-long-name");
  });
});

describe("Browser: a server restart after a game (issue 12, defect 11)", function () {
  this.timeout(60000);
  const suite = browserSuite({ DRAIN_SECONDS: "1" });

  it("says the server is restarting and offers no rematch on the closed game, nor a countdown for a player away", async () => {
    const { ada, first: x, second: o } = await startTwoPlayers(suite, "tictactoe", {}, LAPTOP);
    await playInTurn([[x, "cell-0"], [o, "cell-3"], [x, "cell-1"], [o, "cell-4"], [x, "cell-2"]]);
    await ada.page.getByTestId("btn-rematch").waitFor();
    // The other player's tab closes: Ada sees them away, with their window counting down.
    await (x === ada ? o : x).page.close();
    await expectText(ada.page, "away", /^away — \d+ s to come back$/);

    suite.server.kill("SIGTERM"); // a room without a running game closes at once
    await ada.page.getByTestId("lost").waitFor({ timeout: 10000 });
    assert.match(await text(ada.page, "lost"), /server is restarting, and this game was closed/);
    assert.equal(await ada.page.getByTestId("btn-rematch").isVisible(), false, "no rematch on a closed game");
    assert.equal(await ada.page.locator(".game-area .controls button:visible").count(), 0);
    // No invitation to the closed room, and no empty status box (until 2026-12-05 both stayed).
    assert.equal(await ada.page.getByTestId("invite-link").isVisible(), false, "no invite link to a closed game");
    assert.equal(await ada.page.locator(".summary").isVisible(), false, "no empty status box");
    // Nor a countdown that no longer counts (until 2026-12-05 it stayed, frozen).
    assert.equal(await ada.page.getByTestId("away").isVisible(), false, "no 'away — N s to come back' on a closed game");
    await screenshot(ada.page, "tictactoe-server-restarting");
  });
});

