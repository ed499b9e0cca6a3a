/**
 * Issue 12, defect 9: an action the rules would refuse is not offered as if possible:
 * taken cells are marked, "Owe drahn" waits for a total of 10, and Dice's "Bank" and "Set
 * aside" wait for a selection in which every die scores.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { d6, pick, seededRng } from "../../src/rules/rng.js";
import { browserSuite, createRoom, joinListed, playInTurn, startTwoPlayers, text, waitFor, type Player } from "./helpers.js";

const twoPlayers = (suite: ReturnType<typeof browserSuite>, game: "tictactoe" | "dice" | "owedrahn") => startTwoPlayers(suite, game);

const disabled = (page: Page, testId: string) => page.getByTestId(testId).isDisabled();

describe("Browser: impossible actions do not look possible (issue 12, defect 9)", function () {
  this.timeout(60000);
  const suite = browserSuite();

  it("no focus ring is drawn around the lobby's heading when the page loads (defect 11), and the first Tab reaches the name field", async () => {
    const ada = await suite.player("Ada");
    // The name is remembered now: a reload lands in the lobby with nothing typed.
    await ada.page.reload();
    await ada.page.getByTestId("lobby").waitFor();
    const heading = ada.page.locator("h2[tabindex='-1']");
    await waitFor(async () => heading.evaluate((el) => document.activeElement === el), "the heading focused for screen readers");
    assert.equal(await heading.evaluate((el) => getComputedStyle(el).outlineStyle), "none");
    // The first Tab from there reaches the name field, the first thing to fill in.
    await ada.page.keyboard.press("Tab");
    assert.equal(await ada.page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "name-input", "the first Tab: the name field");
  });

  it("entering a game with the keyboard, the focus is on the game's heading, and stays there once the game's state has arrived", async () => {
    const ada = await suite.player("Ada");
    const bob = await suite.player("Bob");
    const roomId = await createRoom(ada.page, "owedrahn");
    await bob.page.getByTestId("join-link-input").fill(roomId);
    await bob.page.getByTestId("join-link-input").press("Enter");
    await bob.page.getByTestId("btn-ready").waitFor();
    await new Promise((r) => setTimeout(r, 500)); // a few state patches and re-renders later
    const focused = () => bob.page.evaluate(() => ({ tag: document.activeElement?.tagName, inGame: !!document.activeElement?.closest("[data-testid=game-screen]") }));
    assert.deepEqual(await focused(), { tag: "H2", inGame: true }, "the game's heading, not the page's body");
    // From there the keyboard reaches the game's controls (the heading's own controls first).
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await bob.page.keyboard.press("Tab");
      reached = await bob.page.evaluate(() => document.activeElement?.getAttribute("data-testid") === "btn-ready");
    }
    assert.ok(reached, "'I'm ready' within a few Tabs");
  });

  it("'Copy link' without a clipboard (plain http) selects the link and says how to copy it (defect 11)", async () => {
    const ada = await suite.player("Ada");
    await ada.page.evaluate(() => Object.defineProperty(navigator, "clipboard", { value: undefined, configurable: true }));
    await createRoom(ada.page, "tictactoe");
    const link = await ada.page.getByTestId("invite-link").innerText();
    await ada.page.getByTestId("btn-copy-link").click();
    await ada.page.getByTestId("copy-hint").waitFor();
    assert.match(await ada.page.getByTestId("copy-hint").innerText(), /Ctrl\+C/);
    assert.equal(await ada.page.evaluate(() => window.getSelection()?.toString()), link, "the link is selected");
  });

  it("an invite says which game and who invites; a link to a game that has ended offers no Join; the lobby shows who waits (defect 11)", async () => {
    const ada = await suite.player("Ada");
    await createRoom(ada.page, "tictactoe", { private: true, turnSeconds: 30 });
    const link = await ada.page.getByTestId("invite-link").innerText();
    const bob = await suite.player("Bob");
    await bob.page.goto(link);
    await waitFor(async () => /^Ada invites you to TicTacToe \(30 s turns\)\. Pick your name above, then:$/.test(await text(bob.page, "invite-line")), "the invite line");
    assert.equal(await bob.page.getByTestId("btn-invite-join").count(), 1);
    // The heading a screen reader hears first (it has the focus) says it is an invitation.
    assert.equal(await bob.page.evaluate(() => document.activeElement?.textContent), "Lobby: you were invited to a game");

    // A public room: the lobby names who is waiting and the settings.
    const cy = await suite.player("Cy");
    const publicId = await createRoom(cy.page, "dice", { turnSeconds: 30 });
    await waitFor(async () => /^Cy · 1\/2 players · waiting for players · 30 s turns, to 3000 points$/.test((await bob.page.getByTestId(`room-${publicId}`).locator(".room-info").innerText().catch(() => "")).trim()), "the lobby line with names and settings");
    // The seats are said once: "1/4 players", not again as "up to 4 players" (an invite says them so).
    const dee = await suite.player("Dee");
    const oweId = await createRoom(dee.page, "owedrahn", { maxPlayers: 4, turnSeconds: 20 });
    await waitFor(async () => /^Dee · 1\/4 players · waiting for players · 20 s turns$/.test((await bob.page.getByTestId(`room-${oweId}`).locator(".room-info").innerText().catch(() => "")).trim()), "the Owe Drahn room's line, its seats said once");

    // The private game ends (its only player leaves): the link no longer offers Join.
    await ada.page.getByTestId("btn-leave").click();
    await ada.page.getByTestId("lobby").waitFor();
    const dan = await suite.player("Dan");
    await waitFor(async () => {
      await dan.page.goto(link);
      return /no longer exists/.test(await text(dan.page, "invite-line"));
    }, "the ended game's invite");
    assert.equal(await dan.page.getByTestId("btn-invite-join").count(), 0, "no Join for a game that is gone");

    // A link cut short or mistyped holds no room code: the page says so (until 2026-12-05 it
    // showed the lobby without a word), and drops it from the address.
    await dan.page.goto(`${new URL(link).origin}/?join=${encodeURIComponent("nonsense!!")}`);
    await waitFor(async () => /^That invite link is broken: it holds no room code\./.test(await dan.page.getByTestId("error-toast").innerText().catch(() => "")), "the broken link's message");
    assert.equal(await dan.page.getByTestId("invite-panel").count(), 0, "no invitation to a room");
    assert.equal(new URL(dan.page.url()).searchParams.get("join"), null, "the broken parameter is gone from the address");
  });

  it("an invite card follows its room: a seat that frees up mid-game is offered without a reload, and one taken again is not", async () => {
    const ada = await suite.player("Ada");
    await createRoom(ada.page, "tictactoe", { private: true });
    const link = await ada.page.getByTestId("invite-link").innerText();
    const bob = await suite.player("Bob");
    await bob.page.goto(link);
    await bob.page.getByTestId("btn-invite-join").click();
    await waitFor(async () => (await text(bob.page, "turn")).includes("turn"), "the game to start");

    const cy = await suite.player("Cy");
    await cy.page.goto(link);
    await waitFor(async () => /The game has started: you can watch it\.$/.test(await text(cy.page, "invite-line")), "the invite of a running game");
    assert.equal(await cy.page.getByTestId("btn-invite-join").count(), 0, "no Join while both seats are taken");
    // Bob walks out: Cy's card offers the seat by itself (until 2026-12-05 only after a reload).
    await bob.page.getByTestId("btn-leave").click();
    await bob.page.getByTestId("btn-leave-confirm").click();
    await waitFor(async () => /Pick your name above, then:$/.test(await text(cy.page, "invite-line")), "the freed seat offered", 8000);
    // Dan opens the link too, while the seat is free; Cy takes it: Dan's card stops offering it.
    const dan = await suite.player("Dan");
    await dan.page.goto(link);
    await dan.page.getByTestId("btn-invite-join").waitFor();
    await cy.page.getByTestId("btn-invite-join").click();
    await waitFor(async () => (await text(cy.page, "turn")).includes("turn"), "a new game with Cy");
    await waitFor(async () => /you can watch it\.$/.test(await text(dan.page, "invite-line")), "the seat taken again", 8000);
    assert.equal(await dan.page.getByTestId("btn-invite-join").count(), 0, "no Join any more");
  });

  it("Back during a game: the game stays, says to leave first, and keeps its address (a reload resumes it there)", async () => {
    const ada = await suite.player("Ada");
    await ada.page.getByTestId("nav-leaderboard").click();
    await ada.page.getByTestId("leaderboard").waitFor();
    await ada.page.getByTestId("nav-lobby").click();
    await ada.page.getByTestId("lobby").waitFor();
    await createRoom(ada.page, "tictactoe");
    await ada.page.goBack();
    await ada.page.getByTestId("error-toast").filter({ hasText: /Leave the game first/ }).waitFor();
    // Until 2026-12-05 the address stayed at #/leaderboard/… under the game.
    await waitFor(async () => !new URL(ada.page.url()).hash.startsWith("#/leaderboard") || undefined, `the game's address, not ${ada.page.url()}`);
    assert.equal(await ada.page.getByTestId("game-screen").count(), 1, "the game stays");
  });

  it("two players with the same name are told apart: the second is numbered (defect 11)", async () => {
    const first = await suite.player("Ada");
    const second = await suite.player("Ada");
    const roomId = await createRoom(first.page, "tictactoe");
    await second.page.getByTestId(`room-${roomId}`).waitFor();
    await second.page.getByTestId(`btn-join-${roomId}`).click();
    await waitFor(async () => (await first.page.locator("[data-testid=players] .player-name").allInnerTexts()).join("|") === "Ada|Ada (2)", "the numbered name");
    assert.equal((await second.page.locator(".player:has(.badge.you) .player-name").innerText()).trim(), "Ada (2)", "the second sees their own numbered name");
  });

  it("TicTacToe: a taken cell is marked as not playable, a free one is not", async () => {
    const { first, second } = await twoPlayers(suite, "tictactoe");
    await first.page.getByTestId("cell-4").click();
    await waitFor(async () => (await second.page.getByTestId("cell-4").textContent()) !== "", "the move");
    const taken = second.page.getByTestId("cell-4");
    assert.match((await taken.getAttribute("class")) ?? "", /\btaken\b/);
    assert.equal(await taken.evaluate((el) => getComputedStyle(el).cursor), "not-allowed");
    const free = second.page.getByTestId("cell-0");
    assert.doesNotMatch((await free.getAttribute("class")) ?? "", /\btaken\b/);
    // Whose turn is said in words in the player list, not only by colour.
    await waitFor(async () => (await second.page.locator(".player:has(.badge.you) [data-testid=badge-turn]").count()) === 1, "'to play' on the player on turn");
    assert.equal(await second.page.locator("[data-testid=badge-turn]").count(), 1, "on that player only");
    assert.equal((await second.page.getByTestId("badge-turn").textContent())?.trim(), "to play");
    assert.equal(await free.evaluate((el) => getComputedStyle(el).cursor), "pointer");
  });

  for (const game of ["tictactoe", "connectfour"] as const) {
    it(`${game}: the board is inert before and after a game (no hover, no click), and playable while it runs`, async () => {
      const place = game === "tictactoe" ? (i: number) => `cell-${i}` : (i: number) => `cf-col-${i}`;
      const free = (p: Player) => p.page.locator(game === "tictactoe" ? "[data-testid^=cell-]:not(.taken)" : "[data-testid^=cf-col-]:not(.full)");
      const allDisabled = async (p: Player) => {
        const disabled = await free(p).evaluateAll((els) => els.map((el) => (el as HTMLButtonElement).disabled));
        return disabled.length > 0 && disabled.every(Boolean);
      };
      const ada = await suite.player("Ada");
      const roomId = await createRoom(ada.page, game);
      assert.equal(await allDisabled(ada), true, "waiting for an opponent: nothing to play");
      const bob = await suite.player("Bob");
      await bob.page.getByTestId(`room-${roomId}`).waitFor();
      await joinListed(bob.page, roomId);
      let first: Player | undefined;
      await waitFor(async () => (first = (await text(ada.page, "turn")).startsWith("Your turn") ? ada : (await text(bob.page, "turn")).startsWith("Your turn") ? bob : undefined), "the first turn");
      const second = first === ada ? bob : ada;
      for (const p of [ada, bob]) await waitFor(async () => !(await p.page.getByTestId(place(0)).isDisabled()), "a playable board while the game runs");
      assert.equal(await ada.page.getByTestId(place(0)).evaluate((el) => getComputedStyle(el).cursor), "pointer");
      if (game === "connectfour") {
        // Column 2 filled, in turn: refused to the pointer while the game runs.
        await playInTurn([0, 1, 2, 3, 4, 5].map((i) => [i % 2 === 0 ? first! : second, "cf-col-2"] as const));
        await waitFor(async () => (await first!.page.getByTestId("cf-col-2").evaluate((el) => el.classList.contains("full"))) && (await text(first!.page, "turn")).startsWith("Your turn"), "column 2 full, the first player's turn");
        assert.equal(await first!.page.getByTestId("cf-col-2").evaluate((el) => getComputedStyle(el).cursor), "not-allowed", "a full column while the game runs");
      }
      // The first player wins: the top row, or four in column 0.
      await playInTurn(
        game === "tictactoe"
          ? [[first!, "cell-0"], [second, "cell-3"], [first!, "cell-1"], [second, "cell-4"], [first!, "cell-2"]]
          : [[first!, "cf-col-0"], [second, "cf-col-1"], [first!, "cf-col-0"], [second, "cf-col-1"], [first!, "cf-col-0"], [second, "cf-col-1"], [first!, "cf-col-0"]],
      );
      for (const p of [ada, bob]) {
        await p.page.getByTestId("winner").waitFor();
        await waitFor(() => allDisabled(p), "an inert board after the game");
        assert.equal(await free(p).first().evaluate((el) => getComputedStyle(el).cursor), "default");
        // A taken cell, a full column: the whole board is inert.
        const taken = game === "tictactoe" ? "cell-0" : "cf-col-2";
        assert.equal(await p.page.getByTestId(taken).evaluate((el) => getComputedStyle(el).cursor), "default", `${taken} too: the whole board is inert`);
      }
    });
  }

  it("Owe Drahn: 'Owe drahn' is offered only from a total of 10", async () => {
    const { first } = await twoPlayers(suite, "owedrahn");
    assert.equal(await text(first.page, "total"), "0");
    assert.equal(await disabled(first.page, "btn-lose-life"), true, "at total 0");
    assert.match((await first.page.getByTestId("btn-lose-life").getAttribute("title")) ?? "", /total is 10 or more/);
    assert.equal(await disabled(first.page, "btn-roll"), false);
  });

});

describe("Browser: Dice offers Bank only for a scoring selection (issue 12, defect 9)", function () {
  this.timeout(60000);
  // A seed whose first roll holds a die that cannot score alone (a fresh server process draws
  // the first player, then the six dice): found with the server's own generator.
  const seed = (() => {
    for (let s = 1; ; s++) {
      const rng = seededRng(s);
      pick(rng, [0, 1]);
      if (Array.from({ length: 6 }, () => d6(rng)).some((v) => v !== 1 && v !== 5)) return s;
    }
  })();
  const suite = browserSuite({ RNG_SEED: String(seed) });

  it("Bank and Set aside wait for a selection in which every die scores", async () => {
    const { first } = await twoPlayers(suite, "dice");
    const page = first.page;
    assert.equal(await disabled(page, "btn-bank"), true, "nothing selected");
    await page.getByTestId("btn-roll").click();
    const dice = page.locator("[data-testid=dice-row] [data-testid^=dice-]");
    let values: number[] = [];
    await waitFor(async () => {
      values = await dice.evaluateAll((els) => els.map((d) => Number(d.getAttribute("data-value"))));
      return values.length === 6 && values.every((v) => v > 0);
    }, "the roll");
    // A lone 2, 3, 4 or 6 never scores.
    const dud = values.findIndex((v) => v !== 1 && v !== 5);
    assert.ok(dud >= 0, `the seeded roll holds a die that cannot score alone: ${values.join(",")}`);
    await page.getByTestId(`dice-${dud}`).click();
    await waitFor(async () => (await page.getByTestId(`dice-${dud}`).getAttribute("aria-pressed")) === "true", "the die selected");
    assert.equal(await disabled(page, "btn-bank"), true, "a non-scoring selection cannot be banked");
    assert.equal(await disabled(page, "btn-continue"), true, "nor set aside");
    assert.equal((await page.getByTestId("btn-bank").textContent())?.trim(), "Bank", "no 'Bank 0 points'");
    assert.match(await page.locator(".game-dice .hint").innerText(), /Every selected die must score/);
  });
});
