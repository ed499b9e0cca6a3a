/**
 * Move-to-board latency: one server process (the real start script), two SDK clients
 * playing TicTacToe on loopback. For each move, the time from `send("make_move")` until
 * BOTH players' state shows the new board. Prints median, p90, p99 over N moves.
 *
 *   npm run bench:latency            (default 300 moves)
 *   npm run bench:latency -- 1000
 */
import "../src/polyfills.js";
import { spawn } from "node:child_process";
import { LIFTED_LIMITS } from "../test/helpers/limits.js";
import path from "node:path";
import { Client, type Room } from "@colyseus/sdk";
import { freePort } from "../test/helpers/ports.js";

const MOVES = Number(process.argv[2] ?? 300);

async function startServer(port: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: path.resolve(__dirname, ".."),
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...LIFTED_LIMITS, MESSAGES_PER_SECOND: "1000", MESSAGE_BURST: "1000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("server did not start");
}

const waiters = new Map<Room, Array<() => boolean>>();

/** Resolves once `predicate` holds for `room`'s state (checked on each state change). */
function waitFor(room: Room, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve();
  if (!waiters.has(room)) {
    const list: Array<() => boolean> = [];
    waiters.set(room, list);
    // One permanent listener per room: removing SDK listeners while they run skips others.
    room.onStateChange(() => {
      for (const w of list.slice()) if (w()) list.splice(list.indexOf(w), 1);
    });
  }
  return new Promise((resolve) => {
    waiters.get(room)!.push(() => (predicate() ? (resolve(), true) : false));
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main() {
  const port = await freePort();
  const server = await startServer(port);
  process.on("exit", () => server.kill("SIGKILL")); // never leave the server behind, even on a crash
  try {
    const client = new Client(`http://127.0.0.1:${port}`);
    const a = await client.create<any>("tictactoe", { name: "A" });
    const b = await client.joinById<any>(a.roomId, { name: "B" });
    await waitFor(a, () => a.state.phase === "playing");
    await waitFor(b, () => b.state.phase === "playing");
    const bySession = new Map([[a.sessionId, a], [b.sessionId, b]]);
    const samples: number[] = [];
    while (samples.length < MOVES) {
      if (a.state.phase === "over") {
        a.send("rematch");
        b.send("rematch");
        await waitFor(a, () => a.state.phase === "playing");
        await waitFor(b, () => b.state.phase === "playing");
        continue;
      }
      const mover = bySession.get(a.state.currentTurn)!;
      const free = Array.from(a.state.board as string[]).flatMap((c, i) => (c === "" ? [i] : []));
      const cell = free[Math.floor(Math.random() * free.length)]!;
      const t0 = process.hrtime.bigint();
      mover.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
      await Promise.all([waitFor(a, () => a.state.board[cell] !== ""), waitFor(b, () => b.state.board[cell] !== "")]);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const sorted = samples.slice().sort((x, y) => x - y);
    console.log(`move → both boards updated, ${samples.length} moves, one server process on loopback:`);
    console.log(`  median ${pct(sorted, 50).toFixed(2)} ms   p90 ${pct(sorted, 90).toFixed(2)} ms   p99 ${pct(sorted, 99).toFixed(2)} ms   max ${sorted.at(-1)!.toFixed(2)} ms`);
    await a.leave();
    await b.leave();
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
