/**
 * High availability in Chromium (issue 10): the web client resumes by itself after the
 * process holding its game is killed. Real nginx (deploy/nginx.ts's configuration) in front
 * of two real server processes on a private Redis, every page and socket through the one
 * nginx address. Two players start a TicTacToe game and play two moves; the process that
 * owns the room gets SIGKILL, or SIGTERM (a planned restart: at the end of its drain it hands
 * the running game over). Both pages say "The server restarted; bringing your game back…",
 * then are connected again (no reload) to the room the survivor restored, with the same
 * board, and the game is finished by clicking (a spectator watches on, after the SIGTERM).
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, startServers, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { startNginx, type TestNginx } from "../helpers/nginx.js";
import { freePort } from "../helpers/ports.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { board, createRoom, ensureClientBuilt, expectText, joinListed, launchBrowser, openPlayer, text, waitFor, type Player } from "./helpers.js";

const RESTORING = "The server restarted; bringing your game back…";

/**
 * Short sweeps and checks, so the survivor notices the death within a few seconds; a death
 * threshold a little above the default (3 s), so the pages' first tries (2 s after the drop,
 * later on a busy machine) meet the survivor's "not back yet" (523), the server's word that
 * the process is gone, before the room is back.
 */
const ENV = {
  PROCESS_SWEEP_MS: "500",
  HA_CHECK_MS: "250",
  HA_DEAD_AFTER_MS: "4000",
  LISTING_REFRESH_MS: "250",
  RECONNECT_SECONDS: "30",
  GAME_OVER_DELAY_MS: "1000",
  LOG_LEVEL: "info",
};

/** From the kill until both pages play again. */
const BACK_WITHIN_MS = 20_000;

interface Watched extends Player {
  name: string;
  /** Every WebSocket URL the page opened, in order. */
  sockets: string[];
  /** The page's WebSockets still open, by URL. */
  open: Set<string>;
}

/**
 * Records, from now on, whether the page ever showed `RESTORING` in the game's status line
 * and in the connection banner (the fallback's status lasts a few seconds; a poll could miss it).
 */
async function watchForRestoring(page: Page) {
  // A string: tsx would wrap a named function in a helper the page does not have (__name).
  await page.evaluate(`(() => {
    const phrase = ${JSON.stringify(RESTORING)};
    const seen = { status: false, banner: false };
    window.__restoring = seen;
    const check = () => {
      if (document.querySelector("[data-testid=status]")?.textContent?.trim() === phrase) seen.status = true;
      if (document.querySelector("[data-testid=conn-status]")?.textContent?.trim() === phrase) seen.banner = true;
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    check();
  })()`);
}

const sawRestoring = (page: Page) => page.evaluate(() => (window as unknown as { __restoring: { status: boolean; banner: boolean } }).__restoring);

describe("Browser: a game survives the death of its process (issue 10)", function () {
  this.timeout(120_000);
  let redis: TestRedis | undefined;
  let nginx: TestNginx | undefined;
  let processes: ServerProcess[] = [];
  let browser: Browser | undefined;
  const pages: Watched[] = [];

  before(async () => {
    ensureClientBuilt();
    // One after the other: a browser that fails to start must not leave redis running unowned.
    redis = await startRedis();
    browser = await launchBrowser();
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      // What each side saw, so a failure says where it stopped.
      for (const p of pages) {
        const state = await Promise.all([
          p.page.getByTestId("conn-status").getAttribute("data-state").catch(() => "?"),
          text(p.page, "conn-status").catch(() => "?"),
          text(p.page, "status").catch(() => "?"),
          text(p.page, "lost").catch(() => "?"),
        ]);
        console.log(`--- page ${p.name}: banner [${state[0]}] ${JSON.stringify(state[1])}, status ${JSON.stringify(state[2])}, lost ${JSON.stringify(state[3])}`);
        console.log(`    sockets (${p.sockets.length}), the last ones: ${p.sockets.slice(-3).join(" ")}`);
        console.log(`    console errors, the last distinct ones: ${[...new Set(p.errors)].slice(-6).join(" | ")}`);
      }
      for (const proc of processes) {
        console.log(`--- process on ${proc.port}${proc.exited ? " (killed)" : ""}, last log lines:\n${proc.lines.slice(-30).join("\n")}\n${proc.stderr().slice(-2000)}`);
      }
    }
    for (const p of pages.splice(0)) await p.context.close().catch(() => undefined);
    await nginx?.stop();
    nginx = undefined;
    await stopAllServers();
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await redis?.stop();
  });

  async function open(name: string, url = nginx!.url): Promise<Watched> {
    const sockets: string[] = [];
    const openSockets = new Set<string>();
    const player = await openPlayer(browser!, url, name);
    player.page.on("websocket", (ws) => {
      sockets.push(ws.url());
      openSockets.add(ws.url());
      ws.on("close", () => openSockets.delete(ws.url()));
    });
    const watched = { ...player, name, sockets, open: openSockets };
    pages.push(watched);
    return watched;
  }

  it("SIGKILL of the owner after two moves: both pages say the server restarted, come back by themselves with the same board, and finish the game", async () => {
    await survives("SIGKILL");
  });

  it("SIGTERM of the owner (a planned restart) with the game still running when its drain ends: the game is handed over; both pages say so, come back by themselves with the same board and finish it, and a spectator watches on", async () => {
    await survives("SIGTERM");
  });

  /**
   * Two pages play two moves; the owner gets `signal`. SIGTERM: the owner drains for
   * DRAIN_SECONDS, then hands the game over (4412) and exits; a spectator's page watches too.
   */
  async function survives(signal: "SIGKILL" | "SIGTERM") {
    const port = await freePort();
    processes = await startServers(2, {
      redisUrl: redis!.url,
      env: { ...ENV, TRUST_PROXY: "1", PUBLIC_ADDRESS: `127.0.0.1:${port}/p{port}`, DRAIN_SECONDS: signal === "SIGTERM" ? "2" : "30" },
    });
    nginx = await startNginx({ port, processes: processes.map((p) => p.port) });

    // Two players start a game through nginx, and play two moves.
    const ada = await open("Ada");
    const bob = await open("Bob");
    const roomId = await createRoom(ada.page, "tictactoe");
    await bob.page.getByTestId(`room-${roomId}`).waitFor();
    await joinListed(bob.page, roomId);
    for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "turn")).includes("turn"), `${p.name}: the game to start`);
    const first = (await text(ada.page, "turn")).startsWith("Your turn") ? ada : bob;
    const second = first === ada ? bob : ada;
    const move = async (p: Watched, cell: number) => {
      await waitFor(async () => (await text(p.page, "turn")).startsWith("Your turn"), `${p.name}'s turn for cell ${cell}`);
      await p.page.getByTestId(`cell-${cell}`).click();
      for (const q of [ada, bob]) await waitFor(async () => (await board(q.page))[cell] !== "", `cell ${cell} on ${q.name}'s board`);
    };
    await move(first, 0);
    await move(second, 3);
    const before = await board(ada.page);
    assert.deepEqual(await board(bob.page), before, "both boards agree before the kill");
    assert.equal(before.filter((c) => c !== "").length, 2, `two moves on the board: ${JSON.stringify(before)}`);

    // The room's owner: the process that created it (its log), where both game sockets went (through /p<port>/).
    // The log is written asynchronously (pino, sync: false): wait for the line before counting.
    await waitFor(async () => processes.some((p) => p.logs().some((l) => l.msg === "room created" && l.roomId === roomId)), `the "room created" line of room ${roomId}`, 2000);
    const owners = processes.filter((p) => p.logs().some((l) => l.msg === "room created" && l.roomId === roomId));
    assert.equal(owners.length, 1, `exactly one process created room ${roomId}: ${owners.map((p) => p.port).join(", ")}`);
    const owner = owners[0]!;
    const survivor = processes.find((p) => p !== owner)!;
    const gameSocket = (p: Watched) => [...p.sockets].reverse().find((u) => u.includes(`/${roomId}?`));
    for (const p of [ada, bob]) assert.match(gameSocket(p) ?? "", new RegExp(`/p${owner.port}/`), `${p.name}'s game socket goes to the owner`);

    // A spectator (the planned restart only): watches the game through the hand-over.
    const cy = signal === "SIGTERM" ? await open("Cy") : undefined;
    if (cy) {
      await cy.page.getByTestId(`btn-watch-${roomId}`).click();
      await waitFor(async () => (await board(cy.page)).join() === before.join(), "Cy: the board as it is");
    }

    // A mark on each page: a reload would lose it.
    for (const p of [ada, bob]) {
      await p.page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
      await watchForRestoring(p.page);
    }
    // The SDK reconnects by itself only after a minimum uptime (the client sets 1 s).
    await new Promise((r) => setTimeout(r, 1200));

    owner.kill(signal);
    // SIGTERM: the drain's end (DRAIN_SECONDS), when the game is handed over and the owner exits.
    assert.deepEqual(await owner.waitForExit(15_000), signal === "SIGKILL" ? { code: null, signal: "SIGKILL" } : { code: 0, signal: null });
    const killedAt = Date.now();
    if (signal === "SIGTERM") await owner.logged((l) => l.msg === "drain time is over; the game still running is handed over to another process" && l.roomId === roomId, "the owner handed the game over");

    // Both pages say so while the survivor restores the room.
    for (const p of [ada, bob]) {
      await waitFor(async () => {
        const seen = await sawRestoring(p.page);
        return seen.status && seen.banner;
      }, `${p.name}: "${RESTORING}" in the status line and the banner`, 10_000).catch(async (err: Error) => {
        throw new Error(`${err.message}; seen ${JSON.stringify(await sawRestoring(p.page))}; banner now ${JSON.stringify(await text(p.page, "conn-status"))}, status ${JSON.stringify(await text(p.page, "status"))}`);
      });
    }

    // Then both are back, on the survivor, with the same board, and nobody reloaded.
    for (const p of [ada, bob]) {
      const left = BACK_WITHIN_MS - (Date.now() - killedAt);
      await waitFor(
        async () => (await p.page.getByTestId("conn-status").getAttribute("data-state")) === "connected" && (await text(p.page, "status")) !== RESTORING,
        `${p.name} connected again within ${BACK_WITHIN_MS / 1000} s of the kill`,
        Math.max(left, 1),
      ).catch(async (err: Error) => {
        const restored = survivor.logs().find((l) => l.msg === "room restored" && l.roomId === roomId);
        throw new Error(
          `${err.message}. Banner ${JSON.stringify(await text(p.page, "conn-status"))}, status ${JSON.stringify(await text(p.page, "status"))}, lost ${JSON.stringify(await text(p.page, "lost"))}; ` +
            (restored ? `the survivor restored the room after ${restored.ms} ms` : "the survivor never logged 'room restored' for this room (is the server's takeover there?)"),
        );
      });
    }
    const backMs = Date.now() - killedAt;
    for (const p of [ada, bob]) {
      assert.equal(await p.page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 1, `${p.name}'s page was not reloaded`);
      assert.equal(await p.page.getByTestId("lost").count(), 0, `${p.name}'s game not shown as lost`);
      assert.equal(await p.page.getByTestId("lobby").count(), 0, `${p.name} not sent to the lobby`);
      assert.equal(await text(p.page, "room-id"), roomId, `${p.name}: the same room id`);
      assert.deepEqual(await board(p.page), before, `${p.name}: the same board after the restore`);
      // The open one: a retry of the SDK's own, to the dead process, may come after the page's way back (it fails, and is off then).
      const live = [...p.open].filter((u) => u.includes(`/${roomId}?`));
      assert.ok(live.length === 1 && new RegExp(`/p${survivor.port}/`).test(live[0]!), `${p.name}'s game socket now goes to the survivor: open ${JSON.stringify(live)}, the last ones ${JSON.stringify(p.sockets.slice(-3))}`);
    }
    await survivor.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the survivor logged the restore");

    // The game goes on from the same pages, to a win along the top row.
    await move(first, 1);
    await move(second, 4);
    await move(first, 2);
    await expectText(first.page, "winner", /You win!/);
    await expectText(second.page, "winner", /wins/);
    if (cy) {
      await expectText(cy.page, "winner", /wins/, "Cy watched the game to its end");
      assert.equal(await cy.page.getByTestId("lost").count(), 0, "Cy's page did not show the game as lost");
    }
    console.log(`      (both pages back ${backMs} ms after the ${signal === "SIGKILL" ? "kill" : "owner exited"})`);
  }

  it("one process without Redis, killed and started again: within seconds both pages say the game is gone (not a minute of 'bringing it back'), and the lobby is one click away", async () => {
    // One data folder for both runs: the pages' guest sign-ins stay valid after the restart.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "game-restart-"));
    try {
      const env = { LOG_LEVEL: "info", RECONNECT_SECONDS: "60", DATA_DIR: dataDir };
      const first = await startServer({ redisUrl: "", env });
      processes = [first];
      const ada = await open("Ada", first.url);
      const bob = await open("Bob", first.url);
      const roomId = await createRoom(ada.page, "tictactoe");
      await bob.page.getByTestId(`room-${roomId}`).waitFor();
      await joinListed(bob.page, roomId);
      for (const p of [ada, bob]) await waitFor(async () => (await text(p.page, "turn")).includes("turn"), `${p.name}: the game to start`);
      // The SDK reconnects by itself only after a minimum uptime (the client sets 1 s).
      await new Promise((r) => setTimeout(r, 1200));

      first.kill("SIGKILL");
      await first.waitForExit(5000);
      const again = await startServer({ redisUrl: "", env, port: first.port });
      processes.push(again);
      const upAt = Date.now();

      // The restarted process answers every reconnect "no such room" (522): three in a row end the fallback.
      for (const p of [ada, bob]) {
        await waitFor(async () => (await p.page.getByTestId("lost").count()) > 0, `${p.name}: the game shown as lost soon after the restart`, 15_000).catch(async (err: Error) => {
          throw new Error(`${err.message}; banner ${JSON.stringify(await text(p.page, "conn-status"))}, status ${JSON.stringify(await text(p.page, "status"))}`);
        });
        assert.match(await text(p.page, "lost"), /no longer on the server/, `${p.name}: the lost panel says the game is gone`);
      }
      const shownMs = Date.now() - upAt;
      await ada.page.getByTestId("btn-lobby").click();
      await ada.page.getByTestId("lobby").waitFor({ timeout: 10_000 });
      console.log(`      (both pages said the game was gone ${shownMs} ms after the restarted process listened)`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
