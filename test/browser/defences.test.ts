/**
 * The browser side of the server's defences: a page of another origin cannot take a
 * waiting room's seats through matchmaking; a name with a text-direction override is
 * refused in the lobby with the reason, an emoji name is shown whole, and names render
 * isolated (<bdi>); a spectator whose connection drops comes back as a spectator by itself
 * (the server keeps no place for spectators, so the page joins the room again).
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client, type Room } from "@colyseus/sdk";
import type { Browser } from "playwright-core";
import type { ServerProcess } from "../helpers/cluster.js";
import { Player as SdkPlayer } from "../helpers/clients.js";
import { board, closeAll, createRoom, expectText, launchBrowser, openPlayer, startGameServer, text, tick, waitFor, type Player } from "./helpers.js";

interface TttState {
  phase: string;
  currentTurn: string;
  board: ArrayLike<string>;
}

interface Listed {
  roomId: string;
  open: boolean;
  started: boolean;
}

/** What the foreign page's script could read of each request it made. */
interface Attempt {
  contentType: string;
  status?: number;
  ok?: boolean;
  body?: string;
  error?: string;
}

/** An HTTP server on another port (another origin) serving one page. */
async function servePage(html: string): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url === "/" || req.url?.startsWith("/?")) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The page's script: 10 simple (no-preflight) POSTs, then one JSON POST (needs a preflight). */
function attackPage(target: string): string {
  const script = `
    (async () => {
      const target = ${JSON.stringify(target)};
      const results = [];
      const attempt = async (contentType) => {
        try {
          const res = await fetch(target, { method: "POST", body: "{}", headers: { "Content-Type": contentType } });
          results.push({ contentType, status: res.status, ok: res.ok, body: (await res.text()).slice(0, 200) });
        } catch (err) {
          results.push({ contentType, error: String(err && err.name) + ": " + String(err && err.message) });
        }
      };
      for (let i = 0; i < 10; i++) await attempt("text/plain");
      await attempt("application/json");
      window.attempts = results;
    })();`;
  return `<!doctype html><meta charset="utf-8"><title>another site</title><p>Nothing to see.</p><script>${script}</script>`;
}

async function listedRooms(serverUrl: string): Promise<Listed[]> {
  const res = await fetch(`${serverUrl}/api/rooms?game=tictactoe`);
  assert.equal(res.status, 200, "GET /api/rooms");
  return (await res.json()) as Listed[];
}

/** The SDK player whose turn it is makes a move on the first empty cell of `preferred`. */
function moveOnTurn(players: SdkPlayer<TttState>[], preferred: number[]): number {
  const state = players[0]!.state;
  const mover = players.find((p) => p.id === state.currentTurn);
  assert.ok(mover, "someone is on turn");
  const cells = Array.from(state.board);
  const index = preferred.find((i) => cells[i] === "");
  assert.ok(index !== undefined, "a free cell");
  mover.send("make_move", { row: Math.floor(index / 3), col: index % 3 });
  return index;
}

describe("Browser: defences", function () {
  this.timeout(60000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const open: Player[] = [];
  const rooms: Room[] = [];
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    // Debug: the joins and leaves of a spectator are read from the server's log.
    // One after the other: a browser that fails to start must not leave server running unowned.
    server = await startGameServer({ LOG_LEVEL: "debug" });
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.context.close().catch(() => undefined);
    // leave() waits for the close; a room the server already closed never answers.
    for (const r of rooms.splice(0)) await Promise.race([r.leave(true).catch(() => undefined), new Promise((done) => setTimeout(done, 2000))]);
    for (const close of closers.splice(0)) await close().catch(() => undefined);
  });
  after(async () => {
    await closeAll(browser, server);
  });

  /** Two SDK players in a running TicTacToe game. */
  async function runningGame(hostName: string, guestName: string) {
    const host = new SdkPlayer<TttState>(await new Client(server!.url).create("tictactoe", { name: hostName }));
    rooms.push(host.room);
    const guest = new SdkPlayer<TttState>(await new Client(server!.url).joinById(host.room.roomId, { name: guestName }));
    rooms.push(guest.room);
    for (const p of [host, guest]) await p.until(() => p.state?.phase === "playing", "the game to start", 5000);
    return { host, guest, roomId: host.room.roomId, players: [host, guest] };
  }

  it("a page of another origin cannot hold a waiting room's seat through matchmaking", async () => {
    const host = new SdkPlayer<TttState>(await new Client(server!.url).create("tictactoe", { name: "Host" }));
    rooms.push(host.room);
    const roomId = host.room.roomId;
    await waitFor(async () => (await listedRooms(server!.url)).find((r) => r.roomId === roomId && r.open), "the room listed as open");

    // server.url is http://127.0.0.1:<port>; the page is on http://localhost:<other port>.
    const page = await servePage(attackPage(`${server!.url}/matchmake/joinById/${encodeURIComponent(roomId)}`));
    closers.push(page.close);
    const context = await browser!.newContext();
    open.push({ context, page: await context.newPage(), errors: [] });
    const tab = open[open.length - 1]!.page;
    await tab.goto(`http://localhost:${page.port}/`);
    const attempts = await waitFor(
      () => tab.evaluate(() => (window as unknown as { attempts?: Attempt[] }).attempts),
      "the page's 11 matchmaking requests",
      20000,
    );

    assert.equal(attempts.length, 11, "the page made 11 requests");
    // Nothing readable came back: CORS hides the refusal (a TypeError), and the JSON request
    // failed its preflight before it was sent.
    assert.deepEqual(attempts.filter((a) => a.ok === true || a.status !== undefined), [], "the page read no response");
    for (const a of attempts) assert.match(a.error ?? "", /^TypeError/, `${a.contentType}: ${JSON.stringify(a)}`);
    // The simple requests reached the server, which refused them for their origin.
    await waitFor(
      async () => server!.logs().some((l) => l.msg === "matchmaking refused" && l.status === 403 && l.room === roomId),
      "the server's log of a refused cross-origin request",
    );

    // The room is still open: no seat was reserved.
    const listed = (await listedRooms(server!.url)).find((r) => r.roomId === roomId);
    assert.ok(listed, "the room is still listed");
    assert.equal(listed.open, true, "the room is still open");
    assert.equal(listed.started, false, "the game has not started");

    // A real player joins it, and the game starts.
    const guest = new SdkPlayer<TttState>(await new Client(server!.url).joinById(roomId, { name: "Guest" }));
    rooms.push(guest.room);
    for (const p of [host, guest]) await p.until(() => p.state?.phase === "playing", "the game to start", 5000);
  });

  it("refuses a name with a right-to-left override, and shows an emoji name whole, isolated like every name", async () => {
    const dev = await openPlayer(browser!, server!.url, "Ada\u202Eevil");
    open.push(dev);
    const page = dev.page;
    const input = page.getByTestId("name-input");
    // No maxlength: it counts UTF-16 units, and cut 20 family emoji (220 units) to 18 and a lone 👩, silently (until 2026-12-05).
    assert.equal(await input.getAttribute("maxlength"), null, "the name field's maxlength");
    const family = "👩‍👩‍👧‍👦";
    await input.fill(family.repeat(21));
    await input.press("Enter");
    await expectText(page, "name-error", /^Name is too long/, "21 emoji: too long, said");
    assert.equal(await input.inputValue(), family.repeat(21), "nothing cut");
    await input.fill(family.repeat(20));
    await input.press("Enter");
    await page.getByTestId("name-error").waitFor({ state: "hidden" });
    assert.equal(await input.inputValue(), family.repeat(20), "20 emoji, whole");
    // A right-to-left name is typed right to left (dir="auto"; until 2026-12-07 the field stayed left to right: play-test).
    await input.fill("שרה");
    assert.equal(await input.evaluate((el) => el.matches(":dir(rtl)")), true, "the name field reads a Hebrew name right to left");
    await input.fill("Ada");
    assert.equal(await input.evaluate((el) => el.matches(":dir(ltr)")), true, "and a Latin one left to right");
    await input.fill("Ada\u202Eevil");

    await tick(page.getByTestId("create-game-tictactoe"));
    await page.getByTestId("btn-create").click();
    const reason = await expectText(page, "name-error", /U\+202E/, "the refusal names the character");
    assert.match(reason, /right-to-left override/);
    assert.equal(await page.getByTestId("game-screen").count(), 0, "no room was created");
    assert.equal(await input.getAttribute("aria-invalid"), "true", "the name field is marked invalid");

    // An emoji ZWJ sequence (5 UTF-16 units) and a space: accepted and shown whole.
    const name = "👩‍💻 Dev";
    await input.fill(name);
    await page.getByTestId("name-error").waitFor({ state: "hidden" });
    const roomId = await createRoom(page, "tictactoe");
    await waitFor(async () => (await page.locator("[data-testid=players] bdi.player-name").allTextContents()).includes(name), "the emoji name in the player list");

    // A right-to-left name (allowed) joins: every place it shows, it is in its own <bdi>.
    const hebrew = "שרה";
    const guest = new SdkPlayer<TttState>(await new Client(server!.url).joinById(roomId, { name: hebrew }));
    rooms.push(guest.room);
    await expectText(page, "turn", /turn/);
    await waitFor(async () => (await page.locator("[data-testid=players] bdi.player-name").allTextContents()).includes(hebrew), "the RTL name in the player list");
    if (guest.state.currentTurn !== guest.id) {
      // Make it the guest's turn, so the turn line names them.
      await page.getByTestId("cell-0").click();
      await guest.until(() => guest.state.currentTurn === guest.id, "the guest's turn");
    }
    await expectText(page, "turn", new RegExp(`^${hebrew}'s turn`));
    assert.deepEqual(await page.locator("[data-testid=turn] bdi").allTextContents(), [hebrew], "the name in the turn line is isolated");
    // Nothing in the page holds a name outside a <bdi>: the text of every bdi-free element has no name in it.
    const loose = await page.evaluate(
      (names) => {
        const found: string[] = [];
        const walker = document.createTreeWalker(document.getElementById("app")!, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest("bdi, input")) continue;
          if (names.some((n) => node!.nodeValue!.includes(n))) found.push(node.nodeValue!);
        }
        return found;
      },
      [name, hebrew],
    );
    assert.deepEqual(loose, [], "every name is in a <bdi>");
    assert.deepEqual(dev.errors, []);
  });

  it("a spectator whose connection drops comes back as a spectator by itself", async () => {
    const { roomId, players } = await runningGame("Ann", "Ben");
    const cat = await openPlayer(browser!, server!.url, "Cat");
    open.push(cat);
    const page = cat.page;
    await page.getByTestId(`btn-watch-${roomId}`).click();
    await page.getByTestId("game-screen").waitFor().catch(async (err: Error) => {
      throw new Error(`${err.message}\njoin-error: ${await text(page, "join-error")}\ntoasts: ${await text(page, "error-toast")}\nerrors: ${cat.errors.join("; ")}`);
    });
    await expectText(page, "role", /watching/);
    const spectatorSession = await waitFor(
      async () => server!.logs().find((l) => l.msg === "joined" && l.spectator === true && l.roomId === roomId)?.sessionId as string | undefined,
      "the server's log of the spectator's join",
    );

    const first = moveOnTurn(players, [4]);
    await waitFor(async () => (await board(page))[first] !== "", "the first move on the spectator's page");

    // The page's network goes away: the server drops the spectator at once (no place kept).
    await cat.context.setOffline(true);
    await page.getByTestId("reconnecting").waitFor({ timeout: 8000 });
    await expectText(page, "reconnecting", /Reconnecting…/);
    await waitFor(
      async () => server!.logs().some((l) => l.msg === "left" && l.sessionId === spectatorSession),
      "the server to drop the spectator",
      15000,
    );
    // The players move meanwhile.
    const second = moveOnTurn(players, [0, 1, 2]);
    for (const p of players) await p.until(() => Array.from(p.state.board)[second] !== "", "the move while the spectator is away");
    const expected = Array.from(players[0]!.state.board).map(String);
    // Still waiting, offline: shown as reconnecting, not as lost.
    assert.equal(await page.getByTestId("lost").count(), 0, "not shown as lost while offline");
    assert.equal(await page.getByTestId("conn-status").getAttribute("data-state"), "reconnecting", "the banner while offline");

    await cat.context.setOffline(false);
    await page.getByTestId("reconnecting").waitFor({ state: "detached", timeout: 15000 });
    await waitFor(async () => (await board(page)).join() === expected.join(), "the current board on the spectator's page");
    await expectText(page, "role", /watching/);
    assert.equal(await page.getByTestId("conn-status").getAttribute("data-state"), "connected", "the banner after coming back");
    assert.equal(await page.getByTestId("lost").count(), 0, "not shown as lost after coming back");
    assert.equal(await text(page, "room-id"), roomId, "the same room");
    assert.equal(await page.getByTestId("cell-0").isDisabled(), true, "still only watching");

    // The view is live again: the next move shows up.
    const third = moveOnTurn(players, [8, 7, 6, 5, 3]);
    await waitFor(async () => (await board(page))[third] !== "", "a move after the spectator came back");

    // A reload watches the same game again (a spectator has no seat to reconnect to).
    const now = await board(page);
    await page.reload();
    await page.getByTestId("game-screen").waitFor();
    await expectText(page, "role", /watching/);
    await waitFor(async () => (await board(page)).join() === now.join(), "the board after a reload");
    assert.equal(await page.getByTestId("error-toast").count(), 0, "no error after the reload");
    assert.deepEqual(cat.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|WebSocket/i.test(e)), []);
  });
});

describe("Browser: a refused lobby connection", function () {
  this.timeout(60000);
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const open: Player[] = [];

  before(async () => {
    // One lobby connection per address: a second page of the same player is refused (429).
    // One after the other: a browser that fails to start must not leave server running unowned.
    server = await startGameServer({ LOBBY_MAX_PER_IP: "1" });
    browser = await launchBrowser();
  });
  after(async () => {
    for (const p of open.splice(0)) await p.context.close().catch(() => undefined);
    await closeAll(browser, server);
  });

  it("says why in plain words, and joins by itself once there is room", async () => {
    const ada = await openPlayer(browser!, server!.url, "Ada");
    open.push(ada);
    await waitFor(async () => (await ada.page.getByTestId("conn-status").getAttribute("data-state")) === "connected", "the first page in the lobby");
    const bob = await openPlayer(browser!, server!.url, "Bob");
    open.push(bob);
    await expectText(bob.page, "lobby-problem", /not taking more connections from your network.*Trying again in \d+ s/);
    assert.equal(await bob.page.getByTestId("conn-status").getAttribute("data-state"), "lost", "the banner while refused");
    // Meanwhile the open games still show, read over HTTP: a game opened elsewhere appears.
    const cy = await new Client(server!.url).create("tictactoe", { name: "Cy" });
    await expectText(bob.page, "lobby-rooms", /Cy/, "a room opened while the lobby refuses this page");
    await cy.leave();
    await waitFor(async () => !/Cy/.test(await text(bob.page, "lobby-rooms")), "the room gone from the list", 10000);

    // The first page goes away: the second one gets in at its next try (no reload).
    await ada.context.close();
    await bob.page.getByTestId("lobby-problem").waitFor({ state: "detached", timeout: 20000 });
    await waitFor(async () => (await bob.page.getByTestId("conn-status").getAttribute("data-state")) === "connected", "the second page in the lobby");
    await expectText(bob.page, "lobby-rooms", /No public rooms yet/);
  });
});
