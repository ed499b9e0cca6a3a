/**
 * Load driver worker for bench/run.ts (forked with an IPC channel; not run by hand).
 *
 * It opens `matches` TicTacToe matches against the server at `port`: per match one SDK
 * client `create`s the room and a second `joinById`s it. Join latency = from the
 * create/joinById call until that client's initial state has arrived.
 *
 * Mode `play`: on "go" every match plays random legal moves in a closed loop (the player
 * whose turn it is sends `make_move`, and the next move waits until BOTH clients' state
 * shows this one; a finished game is followed by a rematch). Move latency = from the
 * mover's send until both clients' state shows the move. "mark" starts the measured
 * window (counters and samples reset), "stop" ends it and reports.
 * Mode `idle`: join, report, and sit there until told to exit.
 *
 * Parent → worker: { cmd: "go" | "mark" | "stop" | "exit" }
 * Worker → parent: { type: "joined", joinMs[], failures, errors }, { type: "result", ... }
 */
import "../src/polyfills.js";
import { performance } from "node:perf_hooks";
import { Client, type Room } from "@colyseus/sdk";

export interface WorkerConfig {
  port: number;
  matches: number;
  mode: "play" | "idle";
  /** Matches joining at the same time. */
  joinConcurrency: number;
}

export type ToWorker = { cmd: "go" | "mark" | "stop" | "exit" };
export type FromWorker =
  | { type: "joined"; joinMs: number[]; failures: number; firstError?: string; joinSeconds: number }
  | { type: "result"; moves: number; games: number; moveMs: number[]; errors: number; firstError?: string };

type Waiter = () => boolean;

interface Tracked {
  room: Room<any>;
  waiters: Waiter[];
  gotState: boolean;
}

interface Match {
  a: Tracked;
  b: Tracked;
}

const config: WorkerConfig = JSON.parse(process.env.BENCH_WORKER ?? "{}");
const send = (msg: FromWorker) => process.send!(msg);

let errors = 0;
let firstError: string | undefined;
const noteError = (what: string) => {
  errors++;
  firstError ??= what;
};

/** One permanent listener per room; never removed (removing SDK listeners mid-dispatch skips others). */
function track(room: Room<any>): Tracked {
  const t: Tracked = { room, waiters: [], gotState: false };
  room.reconnection.enabled = false;
  room.onStateChange(() => {
    t.gotState = true;
    if (t.waiters.length === 0) return;
    const pending = t.waiters;
    t.waiters = [];
    for (const w of pending) if (!w()) t.waiters.push(w);
  });
  room.onError((code, message) => noteError(`room error ${code} ${message}`));
  room.onMessage("error", (p: { code: string; message: string }) => noteError(`server refused: ${p.code} ${p.message}`));
  room.onLeave((code) => {
    if (!stopping) noteError(`left with code ${code}`);
  });
  return t;
}

/** Resolves once `predicate` holds for the room's state, checked on each state change. */
function waitFor(t: Tracked, predicate: () => boolean): Promise<void> {
  if (predicate()) return Promise.resolve();
  return new Promise((resolve) => {
    t.waiters.push(() => (predicate() ? (resolve(), true) : false));
  });
}

async function joinMatch(client: Client, joinMs: number[]): Promise<Match> {
  let t0 = performance.now();
  const ra = await client.create<any>("tictactoe", { name: "A" });
  const a = track(ra);
  await waitFor(a, () => a.gotState);
  joinMs.push(performance.now() - t0);
  t0 = performance.now();
  const rb = await client.joinById<any>(ra.roomId, { name: "B" });
  const b = track(rb);
  await waitFor(b, () => b.gotState);
  joinMs.push(performance.now() - t0);
  return { a, b };
}

let stopping = false;
let playing = false;
let moves = 0;
let games = 0;
let moveMs: number[] = [];

const playingPhase = (t: Tracked) => () => t.room.state.phase === "playing";

async function play(m: Match) {
  const { a, b } = m;
  await Promise.all([waitFor(a, playingPhase(a)), waitFor(b, playingPhase(b))]);
  while (playing) {
    const s = a.room.state;
    if (s.phase === "over") {
      games++;
      a.room.send("rematch");
      b.room.send("rematch");
      await Promise.all([waitFor(a, playingPhase(a)), waitFor(b, playingPhase(b))]);
      continue;
    }
    const mover = s.currentTurn === a.room.sessionId ? a.room : b.room;
    const board = s.board as unknown as ArrayLike<string>;
    const free: number[] = [];
    for (let i = 0; i < 9; i++) if (board[i] === "") free.push(i);
    const cell = free[Math.floor(Math.random() * free.length)]!;
    const t0 = performance.now();
    mover.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
    await Promise.all([waitFor(a, () => a.room.state.board[cell] !== ""), waitFor(b, () => b.room.state.board[cell] !== "")]);
    moveMs.push(performance.now() - t0);
    moves++;
  }
}

async function main() {
  const client = new Client(`http://127.0.0.1:${config.port}`);
  const matches: Match[] = [];
  const joinMs: number[] = [];
  let failures = 0;
  const started = performance.now();
  let next = 0;
  const joiner = async () => {
    while (next < config.matches) {
      next++;
      try {
        matches.push(await joinMatch(client, joinMs));
      } catch (err) {
        failures++;
        noteError(`join failed: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.joinConcurrency, config.matches) }, joiner));
  send({ type: "joined", joinMs, failures, firstError, joinSeconds: (performance.now() - started) / 1000 });

  process.on("message", (msg: ToWorker) => {
    switch (msg.cmd) {
      case "go":
        playing = true;
        for (const m of matches) void play(m);
        break;
      case "mark":
        moves = 0;
        games = 0;
        moveMs = [];
        errors = 0;
        firstError = undefined;
        break;
      case "stop":
        // Loops still waiting for a state finish that move, then end; nothing after this counts.
        playing = false;
        send({ type: "result", moves, games, moveMs, errors, firstError });
        break;
      case "exit":
        stopping = true;
        process.exit(0);
    }
  });
  // The parent going away ends the worker too (no orphans).
  process.on("disconnect", () => {
    stopping = true;
    process.exit(0);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
