/**
 * Issue 12, what players expect: a tally across rematches, and how long an away player has
 * left to come back.
 */
import assert from "node:assert/strict";
import QRCode from "qrcode";
import { browserSuite, createRoom, playInTurn, startTwoPlayers, text, waitFor, type Player } from "./helpers.js";

describe("Browser: tally and away time (issue 12)", function () {
  this.timeout(60000);
  const suite = browserSuite();

  /** Ada (who created the room: X) and Bob (O) playing; `x` is whoever moves first (drawn), `o` the other. */
  const started = async () => {
    const { ada, bob, first, second } = await startTwoPlayers(suite, "tictactoe");
    return { ada, bob, x: first, o: second };
  };
  /** Waits until one of `players` has the turn; that player. */
  const onTurn = (players: Player[]) =>
    waitFor(async () => {
      for (const p of players) if ((await text(p.page, "turn")).startsWith("Your turn")) return p;
      return undefined;
    }, "someone's turn");

  it("the tally counts wins across rematches: 'Ada 1 – 0 Bob', then 'Ada 1 – 1 Bob'", async () => {
    const { ada, bob, x, o } = await started();
    assert.equal(await ada.page.getByTestId("tally").count(), 0, "no tally before a game is won");
    const play = (moves: Array<[Player, number]>) => playInTurn(moves.map(([p, cell]) => [p, `cell-${cell}`] as const));
    // x (who opened) wins the first game along the top row.
    await play([[x, 0], [o, 3], [x, 1], [o, 4], [x, 2]]);
    // The list shows X (Ada, first to sit) first: Ada's wins first.
    const first = x === ada ? "Ada 1 – 0 Bob" : "Ada 0 – 1 Bob";
    for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "tally")) === first, "the tally after the first game");

    // Rematch (its opener drawn again): o wins it along the top row.
    for (const p of [ada, bob]) await p.page.getByTestId("btn-rematch").click();
    const opener = await onTurn([ada, bob]);
    await play(opener === o ? [[o, 0], [x, 3], [o, 1], [x, 4], [o, 2]] : [[x, 3], [o, 0], [x, 4], [o, 1], [x, 8], [o, 2]]);
    for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "tally")) === "Ada 1 – 1 Bob", "the tally after the rematch");
  });

  it("others see how long an away player has to come back, counting down", async () => {
    const { ada, bob } = await started();
    await bob.context.close(); // the tab is gone: the seat is held for RECONNECT_SECONDS (10)
    const badge = ada.page.getByTestId("away");
    await badge.waitFor();
    const seconds = async () => Number(/away — (\d+) s to come back/.exec(await badge.innerText())?.[1] ?? NaN);
    const first = await seconds();
    assert.ok(first >= 1 && first <= 10, `the window's seconds: ${first}`);
    await waitFor(async () => (await seconds()) < first, "the countdown goes down", 3000);
  });

  it("'your turn' shows in the tab's title and icon; the chime is off until asked for, and the choice is remembered", async () => {
    const { x, o } = await started();
    const title = (p: Player) => p.page.evaluate(() => document.title);
    const iconOf = (p: Player) => p.page.evaluate(() => document.querySelector("link[rel=icon]")?.getAttribute("href") ?? "");
    const chimes = (p: Player) => p.page.evaluate(() => Number(document.body.dataset.turnChimes ?? 0));
    await waitFor(async () => (await title(x)).startsWith("Your turn · TicTacToe"), "the mover's title");
    // Each page renders the patch when it arrives: the other one may be a moment behind.
    await waitFor(async () => (await title(o)) === "TicTacToe · Turn games", "the waiting player's title");
    assert.notEqual(await iconOf(x), await iconOf(o), "the icon says whose turn");

    // Off by default: the turn comes to o without a sound.
    assert.equal(await o.page.getByTestId("btn-sound").getAttribute("aria-pressed"), "false");
    await x.page.getByTestId("cell-0").click();
    await waitFor(async () => (await title(o)).startsWith("Your turn"), "o's turn in o's title");
    assert.equal(await chimes(o), 0, "no sound unless asked for");
    await waitFor(async () => (await title(x)) === "TicTacToe · Turn games", "the title of x, whose turn is over");

    // o turns the sound on; it is remembered across a reload; the next turn chimes.
    await o.page.getByTestId("btn-sound").click();
    await o.page.reload();
    await o.page.getByTestId("game-screen").waitFor();
    await waitFor(async () => (await o.page.getByTestId("btn-sound").getAttribute("aria-pressed")) === "true", "the sound choice remembered");
    await o.page.getByTestId("cell-4").click();
    await waitFor(async () => (await title(x)).startsWith("Your turn"), "x's turn");
    const before = await chimes(o);
    await x.page.getByTestId("cell-8").click();
    await waitFor(async () => (await chimes(o)) === before + 1, "one chime when the turn comes to o");
  });

  it("each game has a rule card at hand; Dice's holds the scoring table, and it stays open while the game goes on", async () => {
    const ada = await suite.player("Ada");
    await createRoom(ada.page, "dice");
    const card = ada.page.getByTestId("rules-card");
    assert.equal(await card.evaluate((el) => (el as HTMLDetailsElement).open), false, "closed at first");
    await card.locator("summary").click();
    const table = ada.page.getByTestId("scoring-table");
    await table.waitFor();
    const rows = await table.locator("tbody tr").allInnerTexts();
    for (const expected of ["Each 1\t100", "Each 5\t50", "Three 1s\t1000", "Three 4s\t400", "Run 1-2-3-4-5-6\t1500", "Run 2-3-4-5-6\t750"]) {
      assert.ok(rows.includes(expected), `${JSON.stringify(expected)} in ${JSON.stringify(rows)}`);
    }
    // The screen re-renders every 250 ms: the card stays open.
    await ada.page.getByTestId("btn-add-bot").click();
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await card.evaluate((el) => (el as HTMLDetailsElement).open), true);
    assert.match(await card.innerText(), /Hot dice/);

    const bob = await suite.player("Bob");
    await createRoom(bob.page, "tictactoe");
    await bob.page.getByTestId("rules-card").locator("summary").click();
    assert.match(await bob.page.getByTestId("rules-card").innerText(), /How to play TicTacToe[\s\S]*Three of your marks in a row/);
  });

  it("a rule card opened right before a re-render stays open (its toggle event comes a task later, after that render)", async () => {
    const ada = await suite.player("Ada");
    await createRoom(ada.page, "dice");
    const card = ada.page.getByTestId("rules-card");
    // Holds the toggle events back for good: every re-render (each 250 ms) comes before them, as one may on a busy page.
    await ada.page.evaluate(() => window.addEventListener("toggle", (event) => event.stopImmediatePropagation(), true));
    await card.evaluate((el) => ((el as HTMLDetailsElement).open = true));
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await card.evaluate((el) => (el as HTMLDetailsElement).open), true, "still open after three re-renders");
    await card.evaluate((el) => ((el as HTMLDetailsElement).open = false));
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await card.evaluate((el) => (el as HTMLDetailsElement).open), false, "and closed when closed");
  });

  it("a new mark and a new roll move, unless the system asks for reduced motion", async () => {
    const { x, o } = await started();
    await o.page.emulateMedia({ reducedMotion: "reduce" });
    await x.page.getByTestId("cell-4").click();
    const animation = (p: Player) => p.page.getByTestId("cell-4").evaluate((el) => getComputedStyle(el).animationName);
    await waitFor(async () => (await x.page.getByTestId("cell-4").textContent()) !== "" && (await o.page.getByTestId("cell-4").textContent()) !== "", "the mark on both pages");
    assert.equal(await animation(x), "ttt-mark-in", "the mark pops in");
    assert.equal(await animation(o), "none", "no motion with prefers-reduced-motion");

    const cy = await suite.player("Cy");
    await createRoom(cy.page, "dice");
    await cy.page.getByTestId("btn-add-bot").click();
    // A rolled die's animation, read the moment one is on the table (the bot plays on fast).
    const animationOfARolledDie = await waitFor(async () => {
      // Cy rolls when it is her turn; otherwise the bot does.
      const roll = cy.page.getByTestId("btn-roll");
      if ((await roll.count()) > 0 && (await roll.isEnabled())) await roll.click().catch(() => undefined);
      return cy.page.evaluate(() => {
        const die = document.querySelector("[data-testid=dice-row] .die:not(.blank)");
        return die ? getComputedStyle(die).animationName : undefined;
      });
    }, "a roll on the table", 10000);
    assert.equal(animationOfARolledDie, "die-tumble");
  });

  it("an invite offers the browser's share sheet and a QR code of the link, and the link stays after a game", async () => {
    const ada = await suite.player("Ada");
    // A browser with Web Share (phones): the page's share button hands over the link.
    // (A string: a function here would be rewritten by the test's TypeScript loader.)
    await ada.page.evaluate(`window.shared = []; Object.defineProperty(navigator, "share", { configurable: true, value: function (data) { window.shared.push(data); return Promise.resolve(); } });`);
    await createRoom(ada.page, "tictactoe");
    const link = await ada.page.getByTestId("invite-link").innerText();
    await ada.page.getByTestId("btn-share-link").click();
    const shared = await ada.page.evaluate(() => (window as unknown as { shared: Array<{ url: string }> }).shared);
    assert.deepEqual(shared.map((d) => d.url), [link]);

    // The QR code is the link's: each module read from the image's pixels matches the code
    // the same library makes for the link here.
    await ada.page.getByTestId("invite-qr").locator("summary").click();
    const expected = QRCode.create(link, { errorCorrectionLevel: "M" }).modules;
    const size = expected.size;
    const read = await ada.page.getByTestId("invite-qr-image").evaluate(
      async (el, size) => {
        const img = el as HTMLImageElement;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const margin = 1;
        const scale = canvas.width / (size + 2 * margin);
        const rows: string[] = [];
        for (let r = 0; r < size; r++) {
          let row = "";
          for (let c = 0; c < size; c++) {
            const x = Math.floor((c + margin + 0.5) * scale);
            const y = Math.floor((r + margin + 0.5) * scale);
            row += data[(y * canvas.width + x) * 4]! < 128 ? "1" : "0";
          }
          rows.push(row);
        }
        return rows;
      },
      size,
    );
    const want = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => (expected.get(r, c) ? "1" : "0")).join(""));
    assert.deepEqual(read, want, "the QR code's modules are the link's");

    // A friend comes, the game is played to the end: the link is still there for the next one.
    const bob = await suite.player("Bob");
    await bob.page.goto(link);
    await bob.page.getByTestId("btn-invite-join").click();
    await ada.page.getByTestId("invite-link").waitFor({ state: "detached" });
    let x: Player | undefined;
    await waitFor(async () => {
      for (const p of [ada, bob]) if ((await text(p.page, "turn")).startsWith("Your turn")) x = p;
      return x;
    }, "the first turn");
    const o = x === ada ? bob : ada;
    await playInTurn([[x!, "cell-0"], [o, "cell-3"], [x!, "cell-1"], [o, "cell-4"], [x!, "cell-2"]]);
    await ada.page.getByTestId("btn-rematch").waitFor();
    assert.equal(await ada.page.getByTestId("invite-link").innerText(), link, "the link after the game");
  });

  it("the history of moves comes from the server: a reload shows it all, with a line where each game began", async () => {
    const { ada, bob, x, o } = await started();
    await playInTurn([[x, "cell-4"], [o, "cell-0"], [x, "cell-8"]]);
    // x moved first (drawn); Ada, first to sit, plays X.
    const xName = x === ada ? "Ada" : "Bob";
    const oName = x === ada ? "Bob" : "Ada";
    const [xMark, oMark] = x === ada ? ["X", "O"] : ["O", "X"];
    const lines = async (p: Player) => (await p.page.getByTestId("event-log").locator("li").allInnerTexts()).map((l) => l.trim());
    await waitFor(async () => (await lines(o)).length === 4, "three moves and the game's line");
    assert.deepEqual(await lines(o), [`${xName} (${xMark}): row 3, column 3`, `You (${oMark}): row 1, column 1`, `${xName} (${xMark}): row 2, column 2`, "Game 1 began"]);

    // A reload (or a newcomer) gets the whole history from the server.
    await o.page.reload();
    await o.page.getByTestId("game-screen").waitFor();
    await waitFor(async () => (await lines(o)).length === 4, "the history after the reload");
    assert.deepEqual(await lines(o), [`${xName} (${xMark}): row 3, column 3`, `You (${oMark}): row 1, column 1`, `${xName} (${xMark}): row 2, column 2`, "Game 1 began"]);
    const cy = await suite.player("Cy");
    await cy.page.getByTestId(`btn-watch-${await text(ada.page, "room-id")}`).click();
    await waitFor(async () => (await lines(cy)).at(-1) === "Game 1 began" && (await lines(cy)).length === 4, "a spectator's history");
    assert.equal((await lines(cy))[1], `${oName} (${oMark}): row 1, column 1`);

    // The game ends and a rematch starts: the end and a new game's line.
    await playInTurn([[o, "cell-1"], [x, "cell-2"], [o, "cell-3"], [x, "cell-6"]]);
    await waitFor(async () => (await lines(x))[0] === "You win!", "the end in the history");
    for (const p of [x, o]) await p.page.getByTestId("btn-rematch").click();
    await waitFor(async () => (await lines(x))[0] === "Game 2 began", "the second game's line");
  });
});

