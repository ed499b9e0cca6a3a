/**
 * Replays in the browser: a finished Owe Drahn game between two guests is opened from the
 * profile's match history and replayed (by the server's own rules, in the page) to the same
 * winner the live game showed; stepping back and forward, the scrubber (pointer-free: keys
 * and a set value) and play / pause move through it; the shareable link opens the same replay
 * in another browser. A TicTacToe replay ends on the live game's final board. A record the
 * rules cannot replay, and an unknown match, are said plainly.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { board, browserSuite, createRoom, expectText, playInTurn, screenshot, startTwoPlayers, text, waitFor, type Player } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The replay's position: [step, total]. */
async function position(page: Page): Promise<[number, number]> {
  const el = page.getByTestId("replay-position");
  return [Number(await el.getAttribute("data-step")), Number(await el.getAttribute("data-total"))];
}

async function expectPosition(page: Page, step: number, what: string): Promise<void> {
  await waitFor(async () => (await position(page))[0] === step, `${what}: step ${step} (at ${(await position(page).catch(() => [NaN]))[0]})`);
}

/** Leaves the finished game, opens the own profile, and returns the newest recorded match of `game` (its list item). */
async function newestMatch(p: Player, game: string) {
  const page = p.page;
  await page.getByTestId("btn-leave").click();
  if ((await page.getByTestId("btn-leave-confirm").count()) > 0) await page.getByTestId("btn-leave-confirm").click();
  await page.getByTestId("lobby").waitFor();
  await page.getByTestId("nav-profile").click();
  // The result is recorded by a queue, a moment after the game: look again until it is there.
  const item = page.locator(`[data-testid=match-history] > li[data-game=${game}]`).first();
  await waitFor(async () => {
    await page.getByTestId("profile-stats").or(page.getByTestId("no-stats")).first().waitFor();
    if ((await item.count()) > 0) return true;
    await page.reload();
    return false;
  }, `the ${game} match in the profile`, 15000);
  return item;
}

describe("Browser: replays", function () {
  this.timeout(150000);
  // A longer game-over pause, so both pages are seen showing the winner.
  const suite = browserSuite({ GAME_OVER_DELAY_MS: "4000" });

  it("an Owe Drahn game replays from the profile's match history to the same winner; step, scrubber, play and the shared link work", async () => {
    const { ada, bob } = await startTwoPlayers(suite, "owedrahn");
    const players = [ada, bob];
    // Roll until someone goes over 15 (the other one wins).
    const deadline = Date.now() + 60000;
    while (Date.now() < deadline) {
      const winners = await Promise.all(players.map((p) => text(p.page, "winner")));
      if (winners.every((w) => w !== "")) break;
      let acted = false;
      for (const p of players) {
        if ((await p.page.getByTestId("btn-roll").count()) === 0) continue;
        const log = await text(p.page, "event-log");
        await p.page.getByTestId("btn-roll").click().catch(() => undefined);
        await waitFor(async () => (await text(p.page, "event-log")) !== log, "the roll in the log").catch(() => undefined);
        acted = true;
      }
      if (!acted) await sleep(40);
    }
    const winners = await Promise.all(players.map((p) => text(p.page, "winner")));
    const liveWinner = winners.find((w) => w !== "You win!");
    assert.ok(liveWinner && winners.includes("You win!"), `a winner on both pages: ${JSON.stringify(winners)}`);
    assert.match(liveWinner, /^(Ada|Bob) wins!$/);

    // Ada opens the match from her profile's history.
    const match = await newestMatch(ada, "owedrahn");
    const matchId = (await match.getAttribute("data-match"))!;
    await match.getByTestId("match-replay").click();
    const page = ada.page;
    await page.getByTestId("replay").waitFor();
    await expectText(page, "replay-heading", /^Replay: Owe Drahn$/);
    assert.equal(new URL(page.url()).hash, `#/replay/${matchId}`);
    // It starts at the start: both players with all their lives, the total at 0.
    await expectText(page, "replay-position", /^Step 0 \/ \d+$/);
    const [, total] = await position(page);
    assert.ok(total >= 2, `steps: ${total}`);
    await expectText(page, "replay-step", /The game starts/);
    assert.equal(await text(page, "total"), "0");
    assert.deepEqual(await page.locator("[data-testid^=lives-]").evaluateAll((els) => els.map((e) => e.getAttribute("data-lives"))), ["6", "6"]);
    assert.equal(await page.getByTestId("winner").count(), 0, "no winner at the start");

    // Forward one step: a roll, in words, and the total moves.
    await page.getByTestId("replay-forward").click();
    await expectPosition(page, 1, "forward");
    await expectText(page, "replay-step", /(Ada|Bob) rolled \d/);
    assert.match(await text(page, "replay-position"), new RegExp(`^Step 1 / ${total}$`));

    // The last step: the same winner as the live game-over screen.
    await page.getByTestId("replay-last").click();
    await expectPosition(page, total, "last");
    await expectText(page, "winner", new RegExp(`^${liveWinner}$`), "the replay's winner");
    await expectText(page, "replay-step", /over 15, out!/);
    await screenshot(page, "replay-owedrahn-end");
    // Back one: the game still runs, nobody has won yet.
    await page.getByTestId("replay-back").click();
    await expectPosition(page, total - 1, "back");
    assert.equal(await page.getByTestId("winner").count(), 0, "no winner one step before the end");
    assert.equal(await page.getByTestId("replay-forward").isEnabled(), true);

    // The scrubber: with the keyboard (Home, an arrow) and set to any step.
    const scrubber = page.getByTestId("replay-scrubber");
    await scrubber.focus();
    await page.keyboard.press("Home");
    await expectPosition(page, 0, "scrubber Home");
    assert.equal(await page.getByTestId("replay-back").isDisabled(), true, "nothing before the start");
    await page.keyboard.press("ArrowRight");
    await expectPosition(page, 1, "scrubber arrow");
    const middle = Math.floor(total / 2);
    await scrubber.evaluate((el, value) => {
      (el as HTMLInputElement).value = String(value);
      el.dispatchEvent(new Event("input", { bubbles: true }));
    }, middle);
    await expectPosition(page, middle, "scrubber set");
    assert.equal(await scrubber.inputValue(), String(middle));
    // The address holds the step, so a reload shows it again (until 2026-12-05 the start);
    // Back then leaves the replay, as before (the step replaces the address, it adds none).
    const hashIs = (hash: string) => waitFor(async () => new URL(page.url()).hash === hash || undefined, `the address ${hash}`, 3000);
    await hashIs(`#/replay/${matchId}/${middle}`);
    const stepShown = await text(page, "replay-step");
    await page.reload();
    await expectPosition(page, middle, "after a reload");
    assert.equal(await text(page, "replay-step"), stepShown);
    await page.getByTestId("replay-first").click();
    await expectPosition(page, 0, "first, after the reload");
    await hashIs(`#/replay/${matchId}`); // the start: the replay's own address
    await page.goBack();
    await page.getByTestId("profile").waitFor();
    await page.goForward();
    await expectPosition(page, 0, "forward to the replay");
    await page.goto(`${suite.server.url}/#/replay/${matchId}/999999`);
    await expectPosition(page, total, "a step past the end: the end");
    await scrubber.focus();
    await page.keyboard.press("End");
    await expectPosition(page, total, "scrubber End");
    await expectText(page, "winner", new RegExp(`^${liveWinner}$`));

    // Play from the start, then pause: it moves on by itself, and stops when paused.
    await page.getByTestId("replay-first").click();
    await expectPosition(page, 0, "first");
    await page.getByTestId("replay-play").click();
    await expectText(page, "replay-play", /Pause/);
    await waitFor(async () => (await position(page))[0] >= 1, "playing moves on", 5000);
    await page.getByTestId("replay-play").click();
    await expectText(page, "replay-play", /Play/);
    const paused = (await position(page))[0];
    await sleep(1600);
    assert.equal((await position(page))[0], paused, "paused stays");

    // The shareable link opens the same replay in another browser (Bob's, on the lobby).
    const link = await text(page, "replay-link");
    assert.equal(link, `${suite.server.url}/#/replay/${matchId}`);
    await bob.page.getByTestId("btn-leave").click();
    await bob.page.getByTestId("lobby").waitFor();
    await bob.page.goto(link);
    await bob.page.getByTestId("replay").waitFor();
    await expectText(bob.page, "replay-position", new RegExp(`^Step 0 / ${total}$`));
    await bob.page.getByTestId("replay-last").click();
    await expectText(bob.page, "winner", new RegExp(`^${liveWinner}$`));

    // The dice of the recorded match verify against its revealed seeds.
    await page.getByTestId("btn-verify-fairness").click();
    await expectText(page, "fairness-result", /^verified ✓/);
    assert.equal(await page.locator("[data-testid^=verify-roll-]").count(), await page.locator("[data-testid=replay-steps] li").filter({ hasText: /rolled/ }).count(), "one roll per rolling step");

    for (const p of players) assert.deepEqual(p.errors.filter((e) => e.startsWith("pageerror")), []);
  });

  it("a Dice game its player left to the bot replays to the bot's win by forfeit, as the record places it, at the table as it was", async () => {
    const ada = await suite.player("Ada");
    await createRoom(ada.page, "dice");
    await ada.page.getByTestId("btn-add-bot").click();
    await expectText(ada.page, "status", /First to 3000 points wins\./);
    // Ada walks out mid-game: the bot goes with her, and the table empties.
    const match = await newestMatch(ada, "dice");
    const placed = (await match.textContent()) ?? "";
    const bot = /1st (\S+?)\s*2nd Ada/.exec(placed)?.[1];
    assert.ok(bot, `the record places the bot first: ${placed}`);
    // The profile's links in the site's colour, the games table's too (until 2026-12-05 the browser's blue).
    const colour = (l: import("playwright-core").Locator) => l.first().evaluate((el) => getComputedStyle(el).color);
    assert.equal(await colour(ada.page.locator("[data-testid=profile-stats] a")), await colour(match.getByTestId("match-replay")), "a game's link in the games table, like the replay's");
    await match.getByTestId("match-replay").click();
    const page = ada.page;
    await page.getByTestId("replay").waitFor();
    await page.getByTestId("replay-last").click();
    // Until 2026-12-05 the replay ended on "Ada left the game." at an empty table ("Free seat"), no winner.
    await expectText(page, "replay-step", new RegExp(`· Ada left the game\\. ${bot} wins!$`));
    await expectText(page, "winner", new RegExp(`^Ada left — ${bot} wins by forfeit\\.$`));
    const seat = (await page.getByTestId("player-0").textContent()) ?? "";
    assert.ok(seat.includes(bot) && seat.includes("winner"), `the bot's seat, the winner's: ${seat}`);
    await screenshot(page, "replay-dice-left-to-bot");

    // A step with a player to play: the scoreboard's "to play" badge is a badge, set off from
    // the name, not the step's turn line (until 2026-12-05 it took that line's size and margins).
    await page.getByTestId("replay-first").click();
    const badge = page.getByTestId("badge-turn");
    for (let i = 0; i < 6 && (await badge.count()) === 0; i++) await page.getByTestId("replay-forward").click();
    await badge.waitFor();
    // Nobody is waited for in a replay (until 2026-12-06 the table read "Waiting for Ada…").
    assert.equal(await page.getByTestId("dice-hint").count(), 0, `no hint at a step with a player to play: ${await text(page, "dice-hint")}`);
    const [badgeStyle, lineStyle] = await Promise.all([badge, page.getByTestId("replay-turn")].map((l) => l.evaluate((el) => ({ marginLeft: parseFloat(getComputedStyle(el).marginLeft), fontSize: parseFloat(getComputedStyle(el).fontSize) }))));
    assert.ok(badgeStyle!.marginLeft > 0, `a space between the name and the badge: ${JSON.stringify(badgeStyle)}`);
    assert.ok(badgeStyle!.fontSize < lineStyle!.fontSize, `the badge smaller than the turn line: ${JSON.stringify([badgeStyle, lineStyle])}`);

    // A browser without Web Crypto (a page on plain http at a LAN address): the check cannot
    // run, which is said as such, not as a failed check (until 2026-12-05: red "✗ Not verified").
    await page.addInitScript(`Object.defineProperty(Crypto.prototype, "subtle", { get: () => undefined, configurable: true })`);
    await page.reload();
    await page.getByTestId("btn-verify-fairness").click();
    const result = page.getByTestId("fairness-result");
    await expectText(page, "fairness-result", /^Not checked here: this browser offers Web Crypto only on a secure page/);
    assert.doesNotMatch((await result.getAttribute("class")) ?? "", /\bbad\b/, "not styled as a failure");
  });

  it("a TicTacToe replay ends on the live game's final board", async () => {
    const { ada, bob, first } = await startTwoPlayers(suite, "tictactoe");
    // Whoever moves first wins on the diagonal; the other takes two cells of the top row.
    const second = first === ada ? bob : ada;
    await playInTurn([
      [first, "cell-0"],
      [second, "cell-1"],
      [first, "cell-4"],
      [second, "cell-2"],
      [first, "cell-8"],
    ]);
    await expectText(first.page, "winner", /^You win!$/);
    const liveBoard = await board(first.page);
    const liveWinner = await text(second.page, "winner");
    assert.deepEqual(liveBoard.filter((c) => c !== "").length, 5);

    const match = await newestMatch(second, "tictactoe");
    await match.getByTestId("match-replay").click();
    const page = second.page;
    await page.getByTestId("replay").waitFor();
    await expectText(page, "replay-position", /^Step 0 \/ 5$/);
    assert.deepEqual(await board(page), Array(9).fill(""), "an empty board at the start");
    await page.getByTestId("replay-forward").click();
    await expectPosition(page, 1, "forward");
    await expectText(page, "replay-step", /\((X|O)\): row 1, column 1/);
    await page.getByTestId("replay-last").click();
    await expectPosition(page, 5, "last");
    assert.deepEqual(await board(page), liveBoard, "the replay's final board is the live one");
    await expectText(page, "winner", new RegExp(`^${liveWinner}$`));
    // The board is shown, not played: its cells are disabled.
    assert.equal(await page.getByTestId("cell-3").isDisabled(), true);
    // No dice: nothing to verify.
    assert.equal(await page.getByTestId("btn-verify-fairness").count(), 0);
    await screenshot(page, "replay-tictactoe-end");

    // A record the rules refuse (a move by the wrong seat) is said plainly, and the start still shows.
    const id = decodeURIComponent(new URL(page.url()).hash.split("/")[2]!);
    const real = (await (await fetch(`${suite.server.url}/api/matches/${id}`)).json()) as { log: { steps: { seat: number }[] } };
    real.log.steps[0]!.seat = 1 - real.log.steps[0]!.seat;
    await page.route(`**/api/matches/${id}`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(real) }));
    await page.reload();
    await expectText(page, "replay-error", /This replay failed at step 1 of 5: the rules refused it/);
    await expectText(page, "replay-position", /^Step 0 \/ 0$/);
    await page.unroute(`**/api/matches/${id}`);

    // An unknown match: the server's word for it.
    await page.goto(`${suite.server.url}/#/replay/no-such-match`);
    await expectText(page, "load-error", /There is no such match/);
    assert.deepEqual([...ada.errors, ...bob.errors].filter((e) => e.startsWith("pageerror")), []);
  });
});
