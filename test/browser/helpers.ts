/**
 * Browser tests: a real game server process (the start script, in-memory presence, no
 * Redis) serving the built client, and a headless Chromium (the system's, never a
 * downloaded one) driven by playwright-core.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import type { GameName } from "../../src/games/index.js";
import { startServer, type ServerProcess } from "../helpers/cluster.js";

const REPO_ROOT = path.resolve(__dirname, "../..");
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-results", "screenshots");

/** Short pauses so games move quickly; every other setting is the server's default. */
export const BROWSER_SERVER_ENV: Record<string, string> = {
  // No Redis: one process, in-memory presence (empty counts as unset).
  REDIS_URL: "",
  PUBLIC_ADDRESS: "",
  BUST_DELAY_MS: "300",
  BOT_DELAY_MS: "50",
  GAME_OVER_DELAY_MS: "1000",
  RECONNECT_SECONDS: "10",
  SEAT_RESERVATION_SECONDS: "5",
  DRAIN_SECONDS: "0",
  // startServer waits for the "listening" line, which is logged at info.
  LOG_LEVEL: "info",
};

/** Builds client/dist when it is missing (npm test builds it before mocha runs). */
export function ensureClientBuilt(): void {
  if (existsSync(path.join(REPO_ROOT, "client", "dist", "index.html"))) return;
  const result = spawnSync("npm", ["run", "build:client"], { cwd: REPO_ROOT, stdio: "inherit" });
  if (result.status !== 0) throw new Error("npm run build:client failed");
}

/** One game server process for a test file. */
export function startGameServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  ensureClientBuilt();
  return startServer({ redisUrl: "", env: { ...BROWSER_SERVER_ENV, ...env } });
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 900, height: 1000 };

export interface Player {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors, for the assertion messages. */
  errors: string[];
}

/** A fresh browser profile (own storage) on the lobby, with its name typed in. */
export async function openPlayer(browser: Browser, url: string, name: string, viewport = DESKTOP): Promise<Player> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(8000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  await page.getByTestId("lobby").waitFor();
  await page.getByTestId("name-input").fill(name);
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: a full-page shot of a scrolled page draws the sticky bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Text of a test id, trimmed ("" when hidden or absent). */
export async function text(page: Page, testId: string): Promise<string> {
  const loc = page.getByTestId(testId);
  if ((await loc.count()) === 0) return "";
  return ((await loc.first().textContent()) ?? "").trim();
}

/** Polls `fn` until it returns a truthy value, or throws after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
}

/**
 * Waits until the element's text matches `pattern` (the page renders asynchronously, so
 * an immediate read can see the previous screen), then returns the text.
 */
export async function expectText(page: Page, testId: string, pattern: RegExp, message?: string, timeoutMs = 8000): Promise<string> {
  let last = "";
  try {
    return await waitFor(async () => {
      last = await text(page, testId);
      return pattern.test(last) ? last : undefined;
    }, `${testId} to match ${pattern}`, timeoutMs);
  } catch {
    throw new Error(`${message ? message + ": " : ""}${testId} shows ${JSON.stringify(last)}, expected ${pattern}`);
  }
}

/**
 * Ticks a radio button or checkbox. Playwright clicks where the box was a moment before; the
 * lobby's live room list above the create form (a room listed or gone), or its sign-in
 * help text, can move the form in between, and the click misses ("did not change its
 * state"). Like a player, it clicks again (at most three times).
 */
export async function tick(box: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await box.check();
      return;
    } catch (err) {
      if (attempt === 3 || !String(err).includes("did not change its state")) throw err;
    }
  }
}

/**
 * Creates a room from the lobby form; resolves when the game screen shows. `options`: the
 * common ones (private, turnSeconds) and the game's own create options by key (the form's
 * field of option `key` is `create-<game>-<key>`, an input or a select).
 */
export async function createRoom(
  page: Page,
  game: GameName,
  { private: isPrivate, turnSeconds, ...own }: { private?: boolean; turnSeconds?: number; [key: string]: number | boolean | undefined } = {},
): Promise<string> {
  await tick(page.getByTestId(`create-game-${game}`));
  if (isPrivate) await tick(page.getByTestId("create-private"));
  if (turnSeconds !== undefined) {
    // The form offers 15 s and up; a test may ask for a shorter timer (the server takes 1 s
    // and up), which is added to the list first.
    const timer = page.getByTestId("create-timer");
    await timer.evaluate((el, value) => {
      const select = el as HTMLSelectElement;
      if (![...select.options].some((o) => o.value === value)) select.add(new Option(`${value} seconds`, value));
    }, String(turnSeconds));
    await timer.selectOption(String(turnSeconds));
  }
  for (const [key, value] of Object.entries(own)) {
    if (value === undefined) continue;
    const field = page.getByTestId(`create-${game}-${key}`);
    if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(String(value));
    else await field.fill(String(value));
  }
  await page.getByTestId("btn-create").click();
  await page.getByTestId("game-screen").waitFor();
  return text(page, "room-id");
}

/** Joins a listed room from the lobby list. */
export async function joinListed(page: Page, roomId: string): Promise<void> {
  await page.getByTestId(`btn-join-${roomId}`).click();
  await page.getByTestId("game-screen").waitFor();
}

/** The board of a TicTacToe page, as 9 strings. */
export async function board(page: Page): Promise<string[]> {
  return page.locator("[data-testid^=cell-]").evaluateAll((cells) => cells.map((c) => (c.textContent ?? "").trim()));
}

/** Closes what a test file opened, even when a step failed. */
export async function closeAll(browser: Browser | undefined, server: ServerProcess | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
  if (server && !server.exited) {
    server.kill("SIGKILL");
    await server.waitForExit(5000).catch(() => undefined);
  }
}

/**
 * A TCP proxy in front of the game server (pages loaded through it make every request and
 * WebSocket through it too: the client talks to its own origin) whose network can be cut for a while: `cut()`
 * resets every connection and refuses new ones (the browser sees close code 1006, and its
 * retries fail) until `restore()`. `cutSlow(roomId)` ends the room's WebSocket the way the
 * server ends a connection that does not read its messages in time: close code 4430 to the
 * browser, while the server only sees the connection drop (so it holds the seat).
 * `strand()` is a network change under the page (a phone moving from Wi-Fi to mobile data):
 * the browser's side of every connection is reset, the server's is left open and silent;
 * `stall()` leaves both sides open and silent.
 */
export interface Proxy {
  url: string;
  /** Resets every connection through it, as a network outage does (the browser sees 1006); new ones pass. */
  dropAll(): void;
  /** {@link dropAll}, and refuses new connections until {@link restore}. */
  cut(): void;
  restore(): void;
  cutSlow(roomId: string): number;
  /** Resets the browser's side of every connection (1006) and leaves the server's open, reading and answering nothing, until {@link close}. */
  strand(): void;
  /**
   * The room's WebSocket stops carrying anything, either way, with both sides left open (a
   * stalled mobile network: the browser still counts it open); other connections (idle HTTP
   * keep-alives a later request may reuse) and new ones pass. How many were stalled.
   */
  stall(roomId: string): number;
  close(): Promise<void>;
}

/** Whether a connection whose first bytes are `head` is the WebSocket of room `roomId`. */
function isRoomSocket(head: string, roomId: string): boolean {
  const lower = head.toLowerCase();
  return lower.startsWith("get ") && lower.includes("upgrade: websocket") && head.includes(roomId);
}

/** Listens on a free port of 127.0.0.1: its address as a page's URL. */
function listenLocal(server: net.Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`));
  });
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  let down = false;
  const links = new Set<{ client: net.Socket; upstream: net.Socket; head: string; upstreamClosed: () => void }>();
  /** Server sides left open by strand(). */
  const stranded: net.Socket[] = [];
  const server = net.createServer((client) => {
    client.on("error", () => undefined);
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    upstream.on("error", () => undefined);
    const link = { client, upstream, head: "", upstreamClosed: () => void client.destroy() };
    links.add(link);
    client.once("data", (chunk: Buffer) => (link.head = chunk.toString("latin1", 0, 2048)));
    client.pipe(upstream).pipe(client);
    client.on("close", () => {
      links.delete(link);
      if (!stranded.includes(upstream)) upstream.destroy();
    });
    upstream.on("close", link.upstreamClosed);
  });
  /** Stops `link` passing anything either way; its two sockets stay as they are. */
  const detach = (link: typeof links extends Set<infer L> ? L : never) => {
    link.upstream.off("close", link.upstreamClosed);
    link.client.unpipe(link.upstream);
    link.upstream.unpipe(link.client);
  };
  // A socket whose side was ended already (cutSlow's close frame) is destroyed, not reset:
  // its reset fails (the connection is shut down), and the handle it left open kept the test
  // process from exiting (Node spun in its exit cleanup: CI, 2026-12-08, after the 4430 test
  // that cuts the network right after cutSlow).
  const drop = (socket: net.Socket) => (socket.writableEnded || socket.destroyed ? socket.destroy() : socket.resetAndDestroy());
  const dropAll = () => {
    for (const { client, upstream } of links) {
      drop(client);
      drop(upstream);
    }
  };
  /** Detaches each link that is room `roomId`'s WebSocket and hands it to `fn`; how many there were. */
  const eachRoomLink = (roomId: string, fn: (link: typeof links extends Set<infer L> ? L : never) => void) => {
    let count = 0;
    for (const link of links) {
      if (!isRoomSocket(link.head, roomId)) continue;
      count++;
      detach(link);
      fn(link);
    }
    return count;
  };
  const url = await listenLocal(server);
  return {
    url,
    dropAll,
    cut() {
      down = true;
      dropAll();
    },
    restore() {
      down = false;
    },
    cutSlow(roomId) {
      return eachRoomLink(roomId, (link) => {
        // The server's side goes (it sees the connection drop, and holds the seat); the
        // browser's side gets the close frame, then the end of the connection.
        link.upstream.destroy();
        // A close frame (FIN, opcode 8; unmasked, from the server): code 4430 and the server's reason.
        const reason = Buffer.from("too slow: reconnect");
        const payload = Buffer.concat([Buffer.from([4430 >> 8, 4430 & 0xff]), reason]);
        link.client.end(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
      });
    },
    strand() {
      for (const link of links) {
        detach(link);
        // Read nothing more: the server's pings go unanswered, as to a phone that went away.
        link.upstream.pause();
        stranded.push(link.upstream);
        link.client.resetAndDestroy();
      }
    },
    stall(roomId) {
      return eachRoomLink(roomId, (link) => {
        // What either side sends is read and dropped: the browser still counts its side open,
        // and each side sees the other's close as usual.
        link.client.on("data", () => undefined);
        link.upstream.on("data", () => undefined);
        link.client.resume();
        link.upstream.resume();
        // Its server side stays open when the browser gives up on its side (strand()'s list).
        stranded.push(link.upstream);
      });
    },
    close: () =>
      new Promise<void>((done) => {
        for (const upstream of stranded.splice(0)) upstream.destroy();
        for (const { client, upstream } of links) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => done());
      }),
  };
}

/**
 * A slow network in front of the game server: every byte, both ways, arrives `delayMs` late
 * (a bad mobile link; Chromium's own throttling does not reach WebSockets). Pages loaded
 * through `url` make every request and WebSocket through it.
 */
export async function startSlowLink(targetPort: number, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const late = (from: net.Socket, to: net.Socket) => {
    // Equal delays keep the order (timers of one duration fire in the order they were set).
    from.on("data", (chunk: Buffer) => void setTimeout(() => to.destroyed || to.write(chunk), delayMs));
    from.on("end", () => void setTimeout(() => to.end(), delayMs));
    from.on("close", () => void setTimeout(() => to.destroy(), delayMs));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    late(client, upstream);
    late(upstream, client);
  });
  return {
    url: await listenLocal(server),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * Ada creates a TicTacToe room, Bob joins it from the lobby, and whoever is on turn (the
 * first mover is drawn) plays cell 4, seen by both.
 */
export async function oneMoveGame(ada: Player, bob: Player) {
  const roomId = await createRoom(ada.page, "tictactoe");
  await bob.page.getByTestId(`room-${roomId}`).waitFor();
  await joinListed(bob.page, roomId);
  for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "turn")).includes("turn"), "the game to start");
  const first = (await text(ada.page, "turn")).startsWith("Your turn") ? ada : bob;
  await first.page.getByTestId("cell-4").click();
  await waitFor(async () => (await board(ada.page))[4] !== "" && (await board(bob.page))[4] !== "", "the first move");
  return { ada, bob, roomId, first, second: first === ada ? bob : ada };
}

export interface BrowserSuite {
  readonly server: ServerProcess;
  readonly browser: Browser;
  /** Opens a page for a new player (closed after each test). */
  player(name: string, viewport?: { width: number; height: number }): Promise<Player>;
  /** Closes `p`'s page after the test (for players opened another way). */
  track(...players: Player[]): void;
}

/**
 * Registers a browser suite's hooks (call inside `describe`): one game server process (with
 * `env`) and one Chromium for the file, every player's page closed after each test.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  const open: Player[] = [];
  before(async () => {
    // One after the other: a browser that fails to start must not leave server running unowned.
    server = await startGameServer(env);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const p of open.splice(0)) await p.context.close().catch(() => undefined);
  });
  after(async () => {
    await closeAll(browser, server);
  });
  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
    async player(name, viewport) {
      const p = await openPlayer(browser!, server!.url, name, viewport);
      open.push(p);
      return p;
    },
    track(...players) {
      open.push(...players);
    },
  };
}

/** Two seated players of a fresh room: Ada created it, Bob joined from the lobby; `first` is on turn. */
export interface TwoPlayers {
  ada: Player;
  bob: Player;
  first: Player;
  second: Player;
  roomId: string;
}

/**
 * Ada creates a room of `game` (with `options`), Bob joins it from the lobby list, and
 * (Owe Drahn) both say they are ready; resolves once a turn runs, with who is on it.
 */
export async function startTwoPlayers(suite: BrowserSuite, game: GameName, options: Parameters<typeof createRoom>[2] = {}, viewport?: { width: number; height: number }): Promise<TwoPlayers> {
  const ada = await suite.player("Ada", viewport);
  const bob = await suite.player("Bob", viewport);
  const roomId = await createRoom(ada.page, game, options);
  await bob.page.getByTestId(`room-${roomId}`).waitFor();
  await joinListed(bob.page, roomId);
  if (game === "owedrahn") for (const p of [ada, bob]) await p.page.getByTestId("btn-ready").click();
  let first: Player | undefined;
  await waitFor(async () => {
    for (const p of [ada, bob]) if ((await text(p.page, "turn")).startsWith("Your turn")) first = p;
    return first;
  }, "the first turn");
  return { ada, bob, first: first!, second: first === ada ? bob : ada, roomId };
}

/** Clicks each `[player, testId]` in order, each once it is that player's turn. */
export async function playInTurn(moves: ReadonlyArray<readonly [Player, string]>): Promise<void> {
  for (const [p, id] of moves) {
    await waitFor(async () => (await text(p.page, "turn")).startsWith("Your turn"), `${id}: the mover's turn`);
    await p.page.getByTestId(id).click();
  }
}

/** Indexes of dice worth setting aside: every 1 and 5, else the largest three-or-more of a kind. */
export function scoringSelection(values: number[]): number[] {
  const ones = values.flatMap((v, i) => (v === 1 || v === 5 ? [i] : []));
  if (ones.length) return ones;
  for (let face = 6; face >= 2; face--) {
    const same = values.flatMap((v, i) => (v === face ? [i] : []));
    if (same.length >= 3) return same;
  }
  return [];
}

/** The faces on the Dice table, in order. */
export async function diceValues(page: Page): Promise<number[]> {
  return page.locator("[data-testid=dice-row] [data-testid^=dice-]").evaluateAll((dice) => dice.map((d) => Number(d.getAttribute("data-value"))));
}
