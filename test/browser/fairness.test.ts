/**
 * Provably fair dice in the browser: a Dice game against the bot shows its commitment before
 * the first roll, the page sends its own client seed, and after the game "Verify fairness"
 * checks the revealed seed and every roll with Web Crypto ("verified ✓"), against the very
 * commitment shown before. The rolls the page shows are checked again here with Node's
 * crypto (an independent derivation). A rematch is committed to the seed announced as "next".
 */
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import type { Page } from "playwright-core";
import { browserSuite, BROWSER_SERVER_ENV, diceValues, scoringSelection, createRoom, expectText, joinListed, screenshot, text, waitFor } from "./helpers.js";

/** The README's reference derivation, in Node. */
function faces(seedHex: string, clientSeeds: string, n: number, count: number): number[] {
  const out: number[] = [];
  for (let k = 0; out.length < count; k++) {
    const msg = k === 0 ? `${clientSeeds}:${n}` : `${clientSeeds}:${n}:${k}`;
    for (const b of createHmac("sha256", Buffer.from(seedHex, "hex")).update(msg, "utf8").digest()) if (out.length < count && b < 252) out.push((b % 6) + 1);
  }
  return out;
}

/** Plays Ada's turns (roll, set aside the scoring dice, bank) until the game is over. */
async function playToTheEnd(page: Page, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await page.getByTestId("winner").count()) > 0) return;
    const myTurn = (await text(page, "turn")).startsWith("Your turn");
    if (!myTurn || (await text(page, "status")).includes("busted")) {
      await new Promise((r) => setTimeout(r, 40));
      continue;
    }
    const roll = page.getByTestId("btn-roll");
    if ((await roll.count()) > 0 && (await roll.isEnabled())) {
      await roll.click();
      await waitFor(async () => (await diceValues(page)).some((v) => v !== 0) || !(await text(page, "turn")).startsWith("Your turn"), "the roll to land");
      continue;
    }
    const values = await diceValues(page);
    const pick = scoringSelection(values);
    if (values.every((v) => v === 0) || pick.length === 0) {
      await new Promise((r) => setTimeout(r, 40));
      continue;
    }
    for (const i of pick) {
      const die = page.getByTestId(`dice-${i}`);
      if ((await die.getAttribute("aria-pressed")) !== "true") await die.click();
      await waitFor(async () => (await die.getAttribute("aria-pressed")) === "true" || !(await text(page, "turn")).startsWith("Your turn"), `die ${i} selected`);
    }
    const bank = page.getByTestId("btn-bank");
    if ((await bank.count()) > 0 && (await bank.isEnabled())) {
      await bank.click();
      await waitFor(async () => !(await text(page, "turn")).startsWith("Your turn") || (await page.getByTestId("winner").count()) > 0, "the turn to pass after banking");
    }
  }
  throw new Error("the game did not end in time");
}

/**
 * Waits for the game against the bot to have started, and reads in one look whether it
 * still runs and the commitment it shows: the bot, if it starts, may win its first turn
 * (to 1000) within a few hundred milliseconds, so a status read and a commitment read made
 * one after the other could straddle the end. A game that already ended shows a next
 * commitment other than `previousNext` (the one the page showed before this game).
 */
async function startedGame(page: Page, what: string, previousNext = ""): Promise<{ running: boolean; commitment: string }> {
  return waitFor(
    () =>
      page.evaluate((previous) => {
        // (No named function in here: the test's compiler would wrap it in a helper the page lacks.)
        const [status, commitment, next] = ["status", "fairness-commitment", "fairness-next"].map((id) => document.querySelector(`[data-testid=${id}]`)?.textContent?.trim() ?? "");
        if (/First to 1000/.test(status!)) return { running: true, commitment: commitment! };
        return next !== "" && next !== previous ? { running: false, commitment: "" } : undefined;
      }, previousNext),
    what,
  );
}

describe("Browser: provably fair dice", function () {
  this.timeout(150000);
  // Fair dice need a server without injected dice.
  assert.equal(BROWSER_SERVER_ENV.RNG_SEED, undefined, "the browser test server rolls real dice");
  const suite = browserSuite();

  it("a finished Dice game against the bot is verified in the browser, against the commitment shown before the first roll", async () => {
    const ada = await suite.player("Ada");
    const page = ada.page;
    await createRoom(page, "dice", { targetScore: 1000 });
    // Before the game (and before any roll): the commitment to this game's seed.
    const shownBefore = await expectText(page, "fairness-commitment", /^[0-9a-f]{64}$/, "the commitment before the game");
    assert.equal(await page.getByTestId("btn-verify-fairness").count(), 0, "nothing to verify before a game ended");
    await page.getByTestId("btn-add-bot").click();
    // The game runs: the same commitment, still before any roll of Ada's (the bot may have rolled).
    // (A bot that starts may win its first turn, to 1000, before this look: then the check below
    // against the revealed commitment is the one that counts.)
    const started = await startedGame(page, "the game against the bot");
    if (started.running) assert.equal(started.commitment, shownBefore, "the running game's commitment is the one shown before it");
    await screenshot(page, "fairness-commitment");

    await playToTheEnd(page, 100000);
    await expectText(page, "winner", /win/);
    // The seed is out: the next game's commitment shows instead, and the game can be verified.
    const next = await expectText(page, "fairness-next", /^[0-9a-f]{64}$/);
    assert.notEqual(next, shownBefore, "a new seed for the next game");
    await page.getByTestId("btn-verify-fairness").click();
    await page.getByTestId("fairness-view").waitFor();
    await expectText(page, "fairness-result", /^verified ✓/, "the browser's check");
    // Ada's page watched the whole game: the rolls it read from the room's history are the revealed ones, one for one.
    const revealed = await page.locator("[data-testid^=verify-roll-]").count();
    assert.match(await text(page, "fairness-result"), new RegExp(`; this page saw the whole game roll the same ${revealed === 1 ? "roll" : `${revealed} rolls`}\\.$`), "the page saw every roll");
    assert.match(await text(page, "fairness-result"), /, and so does who moved first \(seat [12] of 2\);/, "who moved first is checked against the seeds and the player the page saw begin");
    assert.equal(await text(page, "verify-commitment"), shownBefore, "the revealed commitment is the one shown before the first roll");
    const seed = await text(page, "verify-seed");
    const clientSeeds = await text(page, "verify-client-seeds");
    assert.equal(createHash("sha256").update(Buffer.from(seed, "hex")).digest("hex"), shownBefore, "SHA-256(seed) is the commitment (Node)");
    // Ada's page sent its own seed (16 hex characters) before the game; the bot sends none.
    assert.match(clientSeeds, /^[0-9a-f]{16}:$/, "the page's client seed, then the bot's empty one");
    // The page's acknowledged seed, checked: one entry per seat, the page's among them.
    assert.match(await text(page, "fairness-view"), /yours: [0-9a-f]{16}, checked/);

    // Every roll shown, ticked, and the same as Node's derivation gives.
    const rolls = await page.locator("[data-testid^=verify-roll-]").evaluateAll((items) => items.map((li) => ({ faces: li.getAttribute("data-faces") ?? "", ok: li.classList.contains("ok") })));
    // At least the winner's last roll (to 1000, three 1s and a 5 can win with the first roll).
    assert.ok(rolls.length >= 1, `rolls were shown: ${rolls.length}`);
    rolls.forEach((roll, n) => {
      const shown = roll.faces.split(",").map(Number);
      assert.ok(roll.ok, `roll #${n} ticked`);
      assert.deepEqual(faces(seed, clientSeeds, n, shown.length), shown, `roll #${n} derives from the seeds (Node)`);
    });
    await screenshot(page, "fairness-verified");

    // The recorded match (another tab of Ada's, signed in as the same guest): its replay ends
    // on the same winner, and its dice verify against the same commitment.
    const liveWinner = (await text(page, "winner")).startsWith("You win") ? "Ada" : "Hans|Henry|Katherine|Janek|Bartholomew|Konrad|Esther|Ignatius|Margarethe|Leopold|Agnes|Ottokar|Wilhelmina|Friedrich";
    const tab = await ada.context.newPage();
    tab.on("pageerror", (err) => ada.errors.push(`pageerror: ${err.message}`));
    await tab.goto(suite.server.url);
    await tab.getByTestId("lobby").waitFor();
    await tab.getByTestId("nav-profile").click();
    const item = tab.locator("[data-testid=match-history] > li[data-game=dice]").first();
    await waitFor(async () => {
      await tab.getByTestId("profile-stats").or(tab.getByTestId("no-stats")).first().waitFor();
      if ((await item.count()) > 0) return true;
      await tab.reload();
      return false;
    }, "the Dice match in the profile", 15000);
    await item.getByTestId("match-replay").click();
    await expectText(tab, "replay-heading", /^Replay: Dice$/);
    await tab.getByTestId("replay-last").click();
    await expectText(tab, "winner", new RegExp(`^(${liveWinner})( \\(bot\\))? wins with \\d+ points!$`), "the replay's winner");
    assert.equal(await text(tab, "replay-position"), `Step ${await tab.getByTestId("replay-position").getAttribute("data-total")} / ${await tab.getByTestId("replay-position").getAttribute("data-total")}`);
    await tab.getByTestId("btn-verify-fairness").click();
    await expectText(tab, "fairness-result", /^verified ✓.*, and so does who moved first \(seat [12] of 2\)/, "the recorded match's check, who moved first included");
    assert.equal(await text(tab, "verify-commitment"), shownBefore);
    assert.equal(await tab.locator("[data-testid^=verify-roll-]").count(), rolls.length, "the log's rolls are the game's");
    await screenshot(tab, "fairness-replay-dice");
    await tab.close();

    // A rematch: the game plays with the seed announced as "next", and the page's new client seed.
    await page.getByTestId("btn-verify-close").click();
    await page.getByTestId("btn-rematch").click();
    const rematch = await startedGame(page, "the rematch", next);
    if (rematch.running) assert.equal(rematch.commitment, next, "the rematch's commitment was announced after the first game");
    else {
      // The bot won the rematch in its first turn: its reveal names the commitment.
      await page.getByTestId("btn-verify-fairness").click();
      await expectText(page, "fairness-result", /^verified ✓/, "the rematch's check");
      assert.equal(await text(page, "verify-commitment"), next, "the rematch's commitment was announced after the first game");
    }
    // The client seeds were never refused in plain sight.
    assert.equal(await page.getByTestId("move-error").count(), 0, "no refusal shown");
    assert.deepEqual(ada.errors, []);
  });

  it("two people: the page that joins from the lobby sends a seed with its join, which counts in the game its join starts, and is checked at its reveal", async () => {
    const ada = await suite.player("Ada");
    const bea = await suite.player("Bea");
    const roomId = await createRoom(ada.page, "dice", { targetScore: 1000 });
    const listed = await expectText(ada.page, "fairness-commitment", /^[0-9a-f]{64}$/);
    await bea.page.getByTestId(`room-${roomId}`).waitFor();
    await joinListed(bea.page, roomId);
    // Dice starts as Bea sits down: the game running is the one whose commitment was listed.
    await expectText(bea.page, "fairness-commitment", new RegExp(`^${listed}$`), "the game Bea's join started");
    // Ada leaves: Bea wins by forfeit, and the seeds are revealed.
    await ada.page.getByTestId("btn-leave").click();
    await ada.page.getByTestId("btn-leave-confirm").click();
    await expectText(bea.page, "winner", /win/);
    await bea.page.getByTestId("btn-verify-fairness").click();
    await expectText(bea.page, "fairness-result", /^verified ✓/, "Bea's check");
    assert.equal(await text(bea.page, "verify-commitment"), listed);
    assert.match(await text(bea.page, "verify-client-seeds"), /^[0-9a-f]{16}:[0-9a-f]{16}$/, "both pages' seeds, in seat order");
    const view = await text(bea.page, "fairness-view");
    assert.match(view, /yours: [0-9a-f]{16}, checked/, `Bea's own seed, sent with her join, was checked: ${view}`);
    assert.deepEqual([...ada.errors, ...bea.errors].filter((e) => e.startsWith("pageerror")), []);
  });
});
