/**
 * Issue 12, defects 3, 5 and 7: every ending says what happened, for players and
 * spectators, in the status and the log, and after a reload too; timeouts are named as
 * timeouts; hot dice is announced.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { scoreDice } from "../../src/rules/dice.js";
import { d6, pick, seededRng } from "../../src/rules/rng.js";
import { browserSuite, createRoom, expectText, joinListed, screenshot, text, waitFor, type Player } from "./helpers.js";

const logText = (page: Page) => page.getByTestId("event-log").innerText();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seats Ada (creator) and Bob in a new room of `game`; a third person watches. */
async function seatedGame(suite: ReturnType<typeof browserSuite>, game: "tictactoe" | "connectfour", options: { turnSeconds?: number } = {}) {
  const ada = await suite.player("Ada");
  const bob = await suite.player("Bob");
  const cy = await suite.player("Cy");
  const roomId = await createRoom(ada.page, game, options);
  await bob.page.getByTestId(`room-${roomId}`).waitFor();
  await joinListed(bob.page, roomId);
  for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "turn")).includes("turn"), "the game to start");
  await cy.page.getByTestId(`btn-watch-${roomId}`).click();
  await waitFor(async () => (await text(cy.page, "role")).includes("watching"), "the spectator");
  return { ada, bob, cy, roomId };
}

describe("Browser: endings say what happened (issue 12)", function () {
  this.timeout(90000);

  describe("two-player games", function () {
    const suite = browserSuite();

    it("a leave mid-game: the winner, a spectator and a reloaded page all read who left and that it was a forfeit", async () => {
      const { ada, bob, cy } = await seatedGame(suite, "tictactoe");
      await bob.page.getByTestId("btn-leave").click();
      await bob.page.getByTestId("btn-leave-confirm").click();
      await bob.page.getByTestId("lobby").waitFor();

      await expectText(ada.page, "winner", /^Bob left — you win by forfeit\.$/);
      await expectText(cy.page, "winner", /^Bob left — Ada wins by forfeit\.$/);
      // The spectator is not told to wait for a rematch that cannot come (until 2026-12-05: "Both players may ask for a rematch").
      await expectText(cy.page, "status", /^Bob left\. Waiting for a new opponent to join…$/);
      await waitFor(async () => (await logText(ada.page)).includes("Bob left — you win by forfeit."), "the winner's log");
      await waitFor(async () => (await logText(cy.page)).includes("Bob left — Ada wins by forfeit."), "the spectator's log");
      assert.doesNotMatch(await text(ada.page, "winner"), /^You win!$/);
      // Defect 4: alone after the forfeit, Ada is not left waiting for a rematch that cannot
      // come: she is offered the invite link and the way back to the lobby.
      await expectText(ada.page, "status", /^Bob left\. Invite someone with the link, or go back to the lobby\.$/);
      assert.equal(await ada.page.getByTestId("btn-rematch").count(), 0, "no rematch with nobody");
      await ada.page.getByTestId("invite-link").waitFor();
      const mySymbol = (await ada.page.locator(".player:has(.badge.you) .symbol").textContent())?.trim();
      const freeSymbol = (await ada.page.locator(".player.empty .symbol").textContent())?.trim();
      assert.notEqual(freeSymbol, mySymbol, "the free seat shows the free mark");
      await screenshot(ada.page, "ending-forfeit-left");

      // The reason is in the state: a reload shows it too.
      await ada.page.reload();
      await expectText(ada.page, "winner", /^Bob left — you win by forfeit\.$/, "after a reload", 10000);

      // Someone takes the free seat through the link: a new game starts at once.
      const dan = await suite.player("Dan");
      await dan.page.goto(await ada.page.getByTestId("invite-link").innerText());
      await dan.page.getByTestId("btn-invite-join").click();
      await waitFor(async () => (await text(dan.page, "turn")).includes("turn"), "a new game with the newcomer");
      await ada.page.getByTestId("btn-back-lobby").waitFor({ state: "detached" });
    });

    it("a spectator takes the seat a player left: a new game starts with them, the one who stayed plays it, and a taken seat is not offered", async () => {
      const { ada, bob, cy, roomId } = await seatedGame(suite, "tictactoe");
      const dan = await suite.player("Dan");
      await dan.page.getByTestId(`btn-watch-${roomId}`).click();
      await waitFor(async () => (await text(dan.page, "role")).includes("watching"), "the second spectator");
      // No seat during the game.
      await sleep(3500);
      assert.equal(await cy.page.getByTestId("btn-take-seat").count(), 0, "no seat offered while both play");

      await bob.page.getByTestId("btn-leave").click();
      await bob.page.getByTestId("btn-leave-confirm").click();
      await expectText(cy.page, "status", /^Bob left\. Waiting for a new opponent to join…$/);
      // Offered to both spectators (until 2026-12-05 neither could take it: only watch).
      for (const [p, who] of [[cy, "Cy"], [dan, "Dan"]] as const) await expectText(p.page, "take-seat", /^A seat is free: you can play instead of watching\./, `${who}: the seat offered`, 8000);
      await screenshot(cy.page, "spectator-take-seat");
      await cy.page.getByTestId("btn-take-seat").click();
      await waitFor(async () => /playing as [XO]$/.test(await text(cy.page, "role")), "Cy playing");
      for (const [p, who] of [[ada, "Ada"], [cy, "Cy"]] as const) await waitFor(async () => (await text(p.page, "turn")).includes("turn"), `${who}: a new game`);
      await waitFor(async () => (await ada.page.locator(".player").allInnerTexts()).some((t) => t.includes("Cy")) || undefined, "Ada sees Cy in the free seat");
      // Cy's seat is taken: the other spectator is no longer offered it, and reads the new game.
      await waitFor(async () => (await dan.page.getByTestId("btn-take-seat").count()) === 0 || undefined, "the taken seat withdrawn from Dan", 8000);
      assert.match(await text(dan.page, "role"), /watching$/);
      // Cy plays: a move of hers is seen by Ada.
      const cyTurn = (await text(cy.page, "turn")).startsWith("Your turn") ? cy : ada;
      await cyTurn.page.getByTestId("cell-4").click();
      for (const [p, who] of [[ada, "Ada"], [cy, "Cy"], [dan, "Dan"]] as const) await waitFor(async () => (await p.page.getByTestId("cell-4").innerText()).trim() !== "", `${who}: the move`);
      assert.deepEqual([...ada.errors, ...cy.errors, ...dan.errors], []);
    });

    it("a spectator who leaves while their seat is being taken is not pulled back into the game: the seat stays free", async () => {
      const { ada, bob, cy, roomId } = await seatedGame(suite, "tictactoe");
      await bob.page.getByTestId("btn-leave").click();
      await bob.page.getByTestId("btn-leave-confirm").click();
      await cy.page.getByTestId("btn-take-seat").waitFor({ timeout: 8000 });
      // The join's first request (the room's fair-dice commitment) is held 2 s: Cy leaves meanwhile.
      await cy.page.route(`**/api/rooms/${roomId}`, async (route) => {
        await sleep(2000);
        await route.continue();
      });
      await cy.page.getByTestId("btn-take-seat").click();
      await cy.page.getByTestId("btn-leave").click();
      await cy.page.getByTestId("lobby").waitFor();
      await sleep(3500);
      assert.equal(await cy.page.getByTestId("game-screen").count(), 0, "Cy is still in the lobby");
      assert.ok(!(await ada.page.locator(".player").allInnerTexts()).some((t) => t.includes("Cy")), "Cy did not take the seat");
      await expectText(ada.page, "status", /^Bob left\. Invite someone with the link, or go back to the lobby\.$/);
    });

    it("a turn that runs out: the loser, the winner and a spectator read whose time ran out", async () => {
      const { ada, bob, cy } = await seatedGame(suite, "connectfour", { turnSeconds: 2 });
      const onTurn = (await text(ada.page, "turn")).startsWith("Your turn") ? ada : bob;
      const other = onTurn === ada ? bob : ada;
      const loser = onTurn === ada ? "Ada" : "Bob";
      const winner = onTurn === ada ? "Bob" : "Ada";
      await expectText(onTurn.page, "winner", new RegExp(`^Your time ran out — ${winner} wins\\.$`), "the player whose time ran out", 8000);
      await expectText(other.page, "winner", new RegExp(`^Time ran out for ${loser} — you win\\.$`));
      await expectText(cy.page, "winner", new RegExp(`^Time ran out for ${loser} — ${winner} wins\\.$`));
      await waitFor(async () => (await logText(cy.page)).includes(`Time ran out for ${loser} — ${winner} wins.`), "the spectator's log");
      await screenshot(other.page, "ending-timeout");
    });

    it("the player left after a game, and a spectator, read that the opponent left, and a win by the rules still reads as a win", async () => {
      const { ada, bob, cy } = await seatedGame(suite, "tictactoe");
      // X (the first to move) wins along the top row.
      const x = (await text(ada.page, "turn")).startsWith("Your turn") ? ada : bob;
      const o = x === ada ? bob : ada;
      for (const [p, cell] of [[x, 0], [o, 3], [x, 1], [o, 4], [x, 2]] as const) {
        await p.page.getByTestId(`cell-${cell}`).click();
        await waitFor(async () => (await p.page.getByTestId(`cell-${cell}`).textContent()) !== "", `cell ${cell}`);
      }
      await expectText(x.page, "winner", /^You win!$/);
      await o.page.getByTestId("btn-leave").click();
      await o.page.getByTestId("lobby").waitFor();
      const oName = o === ada ? "Ada" : "Bob";
      await expectText(x.page, "status", new RegExp(`^${oName} left\\. Waiting for a new opponent to join…$`));
      // The lobby at hand where Rematch was (until 2026-12-06 only the header's Leave).
      await x.page.getByTestId("btn-back-lobby").waitFor();
      await waitFor(async () => (await logText(x.page)).includes(`${oName} left.`), "the log says so");
      // The spectator reads the same (until 2026-12-05 a plain "Waiting for an opponent to join…").
      await expectText(cy.page, "status", new RegExp(`^${oName} left\\. Waiting for a new opponent to join…$`));
      assert.equal(await cy.page.getByTestId("btn-back-lobby").count(), 0, "a spectator has no seat to give up");

      // Someone else of the same name takes the free seat: the last game's moves are not theirs
      // (until 2026-12-05 their log read "You (O): row 2, column 1" for moves they never made).
      const namesake = await suite.player(oName);
      await joinListed(namesake.page, await text(x.page, "room-id"));
      await waitFor(async () => (await text(namesake.page, "turn")).includes("turn"), "a new game with the newcomer");
      const log = await logText(namesake.page);
      assert.match(log, new RegExp(`${oName} \\([XO]\\): row 2, column`), `the last game's moves under their player's name: ${log}`);
      assert.doesNotMatch(log, /You \(/, `none of them "You": ${log}`);
      // Their own move in the new game is theirs.
      const mover = (await text(namesake.page, "turn")).startsWith("Your turn") ? namesake : x;
      await mover.page.getByTestId("cell-8").click();
      if (mover === x) await waitFor(async () => (await text(namesake.page, "turn")).startsWith("Your turn") || undefined, "the newcomer's turn");
      if (mover === x) await namesake.page.getByTestId("cell-7").click();
      await waitFor(async () => /You \(.\): row 3, column/.test(await logText(namesake.page)) || undefined, "the newcomer's own move, as You");
      // A reload keeps which games were before their seat (until 2026-12-07 it forgot, and the
      // last game's moves read "You (O)" again after it).
      await namesake.page.reload();
      await namesake.page.getByTestId("game-screen").waitFor();
      await waitFor(async () => /You \(.\): row 3, column/.test(await logText(namesake.page)) || undefined, "after a reload, the newcomer's own move, as You");
      const reloaded = await logText(namesake.page);
      assert.match(reloaded, new RegExp(`${oName} \\([XO]\\): row 2, column`), `after a reload, the last game's moves still under their player's name: ${reloaded}`);
      assert.doesNotMatch(reloaded.replace(/You \(.\): row 3, column \d/g, ""), /You \(/, `none of them "You": ${reloaded}`);
    });
  });

  describe("Dice", function () {
    // A seed whose first roll scores with all six dice (a fresh server process draws the
    // first player, then the six dice, from it): found with the same generator as the server.
    const seed = (() => {
      for (let s = 1; s < 100_000; s++) {
        const rng = seededRng(s);
        pick(rng, [0, 1]);
        const dice = Array.from({ length: 6 }, () => d6(rng));
        if (scoreDice(dice).valid) return s;
      }
      throw new Error("no seed found");
    })();
    const suite = browserSuite({ RNG_SEED: String(seed) });

    it("hot dice is announced to both players, and a turn that runs out is named a timeout, not a bust", async () => {
      const ada = await suite.player("Ada");
      const bob = await suite.player("Bob");
      const roomId = await createRoom(ada.page, "dice", { turnSeconds: 5 });
      await bob.page.getByTestId(`room-${roomId}`).waitFor();
      await joinListed(bob.page, roomId);
      const players: Player[] = [ada, bob];
      let first: Player | undefined;
      await waitFor(async () => {
        for (const p of players) if ((await text(p.page, "turn")).startsWith("Your turn")) first = p;
        return first;
      }, "the first turn");
      const second = first === ada ? bob : ada;
      const firstName = first === ada ? "Ada" : "Bob";

      await first!.page.getByTestId("btn-roll").click();
      const dice = first!.page.locator("[data-testid=dice-row] [data-testid^=dice-]");
      await waitFor(async () => (await dice.count()) === 6 && !(await dice.first().getAttribute("data-value"))?.startsWith("0"), "the roll");
      for (let i = 0; i < 6; i++) {
        const die = first!.page.getByTestId(`dice-${i}`);
        await die.click();
        await waitFor(async () => (await die.getAttribute("aria-pressed")) === "true", `die ${i} selected`);
      }
      await first!.page.getByTestId("btn-continue").click();
      await expectText(first!.page, "hot-dice", /^Hot dice! All six scored: roll all six again\.$/);
      await expectText(second.page, "hot-dice", new RegExp(`^Hot dice! All six scored: ${firstName} rolls all six again\\.$`));
      await waitFor(async () => (await logText(second.page)).includes("Hot dice!"), "the other player's log");
      await screenshot(second.page, "dice-hot-dice");

      // Now nobody moves: the turn timer (5 s) runs out.
      await waitFor(async () => (await logText(second.page)).includes(`Time ran out for ${firstName}: the turn's points are lost.`), "a timeout in the log", 8000);
      await waitFor(async () => (await logText(first!.page)).includes("Your time ran out: this turn's points are lost."), "the player's own log");
      assert.doesNotMatch(await logText(second.page), /busted: no scoring dice/, "a timeout is not called a bust");
    });
  });

  describe("Dice, alone after a forfeit", function () {
    const suite = browserSuite();

    it("the player left alone is offered a bot, the invite link and the lobby; a bot starts a new game", async () => {
      const ada = await suite.player("Ada");
      const bob = await suite.player("Bob");
      const roomId = await createRoom(ada.page, "dice");
      await bob.page.getByTestId(`room-${roomId}`).waitFor();
      await joinListed(bob.page, roomId);
      await expectText(ada.page, "status", /First to/);
      const cy = await suite.player("Cy");
      await cy.page.getByTestId(`btn-watch-${roomId}`).click();
      await waitFor(async () => (await text(cy.page, "role")).includes("watching"), "the spectator");
      // Dice on the table when Bob walks out (after a bust, once in about 43, none: the check below holds then too).
      const roller = await waitFor(async () => ((await text(ada.page, "turn")) === "Your turn" ? ada : (await text(bob.page, "turn")) === "Your turn" ? bob : undefined), "a turn");
      await roller.page.getByTestId("btn-roll").click();
      await waitFor(async () => (await roller.page.getByTestId("dice-0").isEnabled()) || (await text(roller.page, "turn")) !== "Your turn", "the roll");
      await bob.page.getByTestId("btn-leave").click();
      await bob.page.getByTestId("btn-leave-confirm").click();
      await expectText(ada.page, "winner", /^Bob left — you win by forfeit\.$/);
      // A forfeit is not won by a roll: no dice, where a bank's win shows the winning roll (a
      // bust's notice may still show where the table was, for its few seconds).
      for (const p of [ada, cy]) assert.equal(await p.page.getByTestId("dice-row").count(), 0, "no dice after a forfeit");
      // The spectator is not told to wait for a rematch that cannot come (until 2026-12-05: "Both players may ask for a rematch").
      await expectText(cy.page, "status", /^Bob left\. Waiting for a new player…$/);
      await expectText(ada.page, "status", /^Bob left\. Invite someone with the link, play against a bot, or go back to the lobby\.$/);
      assert.equal(await ada.page.getByTestId("btn-rematch").count(), 0);
      await ada.page.getByTestId("invite-link").waitFor();
      await ada.page.getByTestId("btn-back-lobby").waitFor();
      await screenshot(ada.page, "dice-alone-after-forfeit");
      await ada.page.getByTestId("btn-add-bot").click();
      await expectText(ada.page, "status", /First to 3000 points wins\./);
      assert.match((await ada.page.getByTestId("player-1").textContent()) ?? "", /bot/);

      // Cy watches Ada against the bot; Ada walks out, and the bot goes with her: Cy reads
      // why the table emptied (until 2026-12-05 a spectator saw an empty table and no word).
      await expectText(cy.page, "status", /First to 3000 points wins\./);
      await ada.page.getByTestId("btn-leave").click();
      await ada.page.getByTestId("btn-leave-confirm").click();
      await expectText(cy.page, "status", /^Ada left\. Waiting for players…$/);
      await waitFor(async () => (await logText(cy.page)).includes("Ada left."), "the spectator's log");
    });
  });

  describe("Owe Drahn", function () {
    const suite = browserSuite();

    it("a timeout says the server rolled for the player, never 'You rolled'", async () => {
      const ada = await suite.player("Ada");
      const bob = await suite.player("Bob");
      const roomId = await createRoom(ada.page, "owedrahn", { turnSeconds: 2 });
      await bob.page.getByTestId(`room-${roomId}`).waitFor();
      await joinListed(bob.page, roomId);
      for (const p of [ada, bob]) await p.page.getByTestId("btn-ready").click();
      await waitFor(async () => (await logText(ada.page)).includes("Time ran out for") || (await logText(ada.page)).includes("Your time ran out"), "a timeout roll", 8000);
      const log = await logText(ada.page);
      assert.match(log, /(Your time ran out: the server rolled \d for you|Time ran out for (Ada|Bob): the server rolled \d for them)/);
      assert.doesNotMatch(log, /^You rolled/m, "nobody rolled by hand");
    });
  });
});
