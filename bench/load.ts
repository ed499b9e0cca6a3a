/**
 * Load driver worker for bench/run.ts (forked with an IPC channel; not run by hand).
 *
 * Modes (`matches` TicTacToe matches against the server at `port`):
 *
 * - `play`: per match one SDK client `create`s the room and a second `joinById`s it (join
 *   latency = from the create/joinById call until that client's initial state arrived).
 *   On "go" every match plays random legal moves in a closed loop (the player whose turn it
 *   is sends `make_move`, and the next move waits until BOTH clients' state shows this one;
 *   a finished game is followed by a rematch in the same room).
 * - `quick`: how players really arrive. On "go", 2 × `matches` players each loop: quick
 *   match (`joinOrCreate`), wait for an opponent, play the game, leave; the room is
 *   disposed and the player quick-matches again. Join latency = from `joinOrCreate` until
 *   the initial state; the joins in the window count.
 * - `idle`: join as in `play`, report, and sit there until told to exit.
 * - `storm`: join as in `play` with the SDK's automatic reconnection on (its defaults), wait
 *   until every room is past the SDK's minimum uptime, then on "storm" cut every client's
 *   socket at once (as when a network link flaps) and report when each is back, and
 *   whether its state after the reconnection equals the state before the cut.
 *
 * With `signIn`, every player first signs in as a guest of its own (`POST /auth/anonymous`,
 * before any timing starts) and joins with its own SDK `Client` holding that token
 * (`client.auth.token`: matchmaking sends it as a Bearer header, the room's socket as
 * `_authToken`), so the server knows each seat's user and records every finished game.
 * Without it, the worker's clients share one SDK `Client` and carry no token.
 *
 * Move latency = from the mover's send until every client of the match shows the move.
 * "mark" starts the measured window (counters and samples reset), "stop" ends it and reports.
 *
 * Parent → worker: { cmd: "go" | "mark" | "stop" | "storm" | "exit" }
 * Worker → parent: { type: "joined", … }, { type: "result", … }, { type: "stormed" }, { type: "storm", … }
 */
import "../src/polyfills.js";
import { performance } from "node:perf_hooks";
import { Client, type Room } from "@colyseus/sdk";

export interface WorkerConfig {
  port: number;
  matches: number;
  mode: "play" | "idle" | "quick" | "storm";
  /** Matches joining at the same time (`play`, `idle`, `storm`). */
  joinConcurrency: number;
  /**
   * `play`: each match moves once every `paceMs`, from a random start within the first
   * period, whatever a move's latency (an open-loop paced load, below saturation: a server
   * that answers slower serves the same moves per second, so CPU per move compares at the
   * same rate). A move that is still waited for when its next one is due delays that one,
   * without a catch-up burst. 0: each match moves again as soon as both players see its
   * last move (saturated). @default 0
   */
  paceMs?: number;
  /** Each player signs in as a new guest before joining and joins with its token (one SDK Client per player). @default false */
  signIn?: boolean;
}

export type ToWorker = { cmd: "go" | "mark" | "stop" | "exit" | "storm" };
export type FromWorker =
  | { type: "joined"; joinMs: number[]; failures: number; firstError?: string; joinSeconds: number }
  | { type: "result"; moves: number; games: number; moveMs: number[]; joinMs: number[]; errors: number; firstError?: string }
  | { type: "stormed"; clients: number }
  | { type: "storm"; clients: number; back: number; sameState: number; backMs: number[]; errors: number; firstError?: string };

type Waiter = () => boolean;

interface Tracked {
  room: Room<any>;
  waiters: Waiter[];
  gotState: boolean;
  /** This client left on purpose (no error when its connection closes). */
  leaving: boolean;
}

interface Match {
  a: Tracked;
  b: Tracked;
}

const config: WorkerConfig = JSON.parse(process.env.BENCH_WORKER ?? "{}");
const send = (msg: FromWorker) => process.send!(msg);
// The SDK narrates every reconnection attempt on console.info: thousands of lines in a storm.
console.info = () => undefined;

let errors = 0;
let firstError: string | undefined;
const noteError = (what: string) => {
  errors++;
  firstError ??= what;
};

/** One permanent listener per room; never removed (removing SDK listeners mid-dispatch skips others). */
function track(room: Room<any>, reconnect = false): Tracked {
  const t: Tracked = { room, waiters: [], gotState: false, leaving: false };
  room.reconnection.enabled = reconnect;
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
    if (!stopping && !t.leaving) noteError(`left with code ${code}`);
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

const endpoint = `http://127.0.0.1:${config.port}`;

/**
 * The SDK client one player joins with: the worker's shared one, or with `signIn` a client
 * of its own holding a new guest's token. The sign-in goes straight to `POST /auth/anonymous`
 * (what `client.auth.signInAnonymously()` sends): the SDK method would also keep the token
 * in its process-wide storage stand-in, which every `Client` constructed later reads.
 */
async function playerClient(shared: Client): Promise<Client> {
  if (!config.signIn) return shared;
  const res = await fetch(`${endpoint}/auth/anonymous`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
  if (!res.ok) throw new Error(`sign-in refused: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  const { token } = (await res.json()) as { token?: string };
  if (!token) throw new Error("sign-in answered without a token");
  const client = new Client(endpoint);
  client.auth.token = token;
  return client;
}

async function joinMatch(shared: Client, joinMs: number[], reconnect: boolean): Promise<Match> {
  // Signing in is not part of the join latency.
  const [ca, cb] = await Promise.all([playerClient(shared), playerClient(shared)]);
  let t0 = performance.now();
  const ra = await ca.create<any>("tictactoe", { name: "A" });
  const a = track(ra, reconnect);
  await waitFor(a, () => a.gotState);
  joinMs.push(performance.now() - t0);
  t0 = performance.now();
  const rb = await cb.joinById<any>(ra.roomId, { name: "B" });
  const b = track(rb, reconnect);
  await waitFor(b, () => b.gotState);
  joinMs.push(performance.now() - t0);
  return { a, b };
}

let stopping = false;
let playing = false;
let moves = 0;
let games = 0;
let moveMs: number[] = [];
let windowJoinMs: number[] = [];

const playingPhase = (t: Tracked) => () => t.room.state.phase === "playing";

/** A random free cell of the board in `t`'s state. */
function randomFreeCell(t: Tracked): number {
  const board = t.room.state.board as unknown as ArrayLike<string>;
  const free: number[] = [];
  for (let i = 0; i < 9; i++) if (board[i] === "") free.push(i);
  return free[Math.floor(Math.random() * free.length)]!;
}

/** Sends a move for `mover` and waits until every client in `watchers` shows it. */
async function move(mover: Tracked, watchers: Tracked[]) {
  const cell = randomFreeCell(mover);
  const t0 = performance.now();
  mover.room.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
  await Promise.all(watchers.map((w) => waitFor(w, () => w.room.state.board[cell] !== "")));
  moveMs.push(performance.now() - t0);
  moves++;
}

async function play(m: Match) {
  const { a, b } = m;
  await Promise.all([waitFor(a, playingPhase(a)), waitFor(b, playingPhase(b))]);
  const pace = config.paceMs ?? 0;
  let due = performance.now() + Math.random() * pace;
  while (playing) {
    const s = a.room.state;
    if (s.phase === "over") {
      games++;
      a.room.send("rematch");
      b.room.send("rematch");
      await Promise.all([waitFor(a, playingPhase(a)), waitFor(b, playingPhase(b))]);
      continue;
    }
    if (pace) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      due = Math.max(due + pace, performance.now());
      if (!playing) break;
      if (a.room.state.phase !== "playing") continue;
    }
    const now = a.room.state;
    await move(now.currentTurn === a.room.sessionId ? a : b, [a, b]);
  }
}

/** The clients of this worker in each room (quick mode: a move waits for all of them). */
const inRoom = new Map<string, Tracked[]>();

/** One quick-match player: joinOrCreate, play the game through, leave; again while playing. */
async function quickPlayer(client: Client, n: number) {
  while (playing) {
    let t: Tracked | undefined;
    try {
      const t0 = performance.now();
      const room = await client.joinOrCreate<any>("tictactoe", { name: `P${n}` });
      t = track(room);
      const me = t;
      await waitFor(me, () => me.gotState);
      windowJoinMs.push(performance.now() - t0);
      const peers = inRoom.get(room.roomId) ?? [];
      peers.push(me);
      inRoom.set(room.roomId, peers);
      await waitFor(me, () => me.room.state.phase !== "waiting");
      for (;;) {
        const s = me.room.state;
        if (s.phase === "over") break;
        if (s.currentTurn === room.sessionId) await move(me, inRoom.get(room.roomId) ?? [me]);
        else await waitFor(me, () => me.room.state.phase === "over" || me.room.state.currentTurn === room.sessionId);
      }
      // Both players count the game: half a game each.
      games += 0.5;
    } catch (err) {
      noteError(`quick match failed: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      if (t) {
        t.leaving = true;
        const id = t.room.roomId;
        const peers = (inRoom.get(id) ?? []).filter((p) => p !== t);
        if (peers.length) inRoom.set(id, peers);
        else inRoom.delete(id);
        await t.room.leave(true).catch(() => undefined);
      }
    }
  }
}

/** JSON of a room's state, for comparing before and after a reconnection. */
const stateJson = (t: Tracked) => JSON.stringify(t.room.state.toJSON());

/** Cuts every client's socket at once; reports when each is back and whether its state is the same. */
async function storm(matches: Match[]) {
  const clients = matches.flatMap((m) => [m.a, m.b]);
  const before = clients.map(stateJson);
  const backMs: number[] = [];
  let sameState = 0;
  const t0 = performance.now();
  const resumed = clients.map(
    (t) =>
      new Promise<void>((resolve) => {
        t.room.onReconnect(() => {
          backMs.push(performance.now() - t0);
          // The full state follows the reconnection's handshake.
          t.gotState = false;
          void waitFor(t, () => t.gotState).then(() => resolve());
        });
        t.room.onLeave(() => resolve());
      }),
  );
  for (const t of clients) (t.room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
  send({ type: "stormed", clients: clients.length });
  // The SDK retries for about a minute at most; the parent bounds the wait as well.
  await Promise.race([Promise.all(resumed), new Promise((r) => setTimeout(r, 90_000))]);
  // Until its opponent is back too, a player sees the opponent away: compare once everyone
  // is back and the last patches have arrived.
  await new Promise((r) => setTimeout(r, 500));
  clients.forEach((t, i) => {
    if (stateJson(t) === before[i]) sameState++;
  });
  send({ type: "storm", clients: clients.length, back: backMs.length, sameState, backMs, errors, firstError });
}

async function main() {
  const client = new Client(endpoint);
  const matches: Match[] = [];
  const joinMs: number[] = [];
  let failures = 0;
  const started = performance.now();
  let next = 0;
  const joiner = async () => {
    while (next < config.matches) {
      next++;
      try {
        matches.push(await joinMatch(client, joinMs, config.mode === "storm"));
      } catch (err) {
        failures++;
        noteError(`join failed: ${(err as Error).message}`);
      }
    }
  };
  if (config.mode !== "quick") await Promise.all(Array.from({ length: Math.min(config.joinConcurrency, config.matches) }, joiner));
  // Quick match with sign-in: every player's client (and token) is made before the window.
  const quickClients: Client[] = [];
  if (config.mode === "quick") {
    let n = 0;
    const signer = async () => {
      while (n < 2 * config.matches) {
        n++;
        try {
          quickClients.push(await playerClient(client));
        } catch (err) {
          failures++;
          noteError(`sign-in failed: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.joinConcurrency, 2 * config.matches) }, signer));
  }
  const joinSeconds = (performance.now() - started) / 1000;
  if (config.mode === "storm") {
    // The SDK reconnects by itself only in rooms it has been in for `minUptime` (5 s): the
    // last room joined has to be that old.
    const minUptime = matches[0]?.a.room.reconnection.minUptime ?? 0;
    await new Promise((r) => setTimeout(r, minUptime + 500));
  }
  send({ type: "joined", joinMs, failures, firstError, joinSeconds });

  process.on("message", (msg: ToWorker) => {
    switch (msg.cmd) {
      case "go":
        playing = true;
        if (config.mode === "quick") quickClients.forEach((c, n) => void quickPlayer(c, n));
        else for (const m of matches) void play(m);
        break;
      case "mark":
        moves = 0;
        games = 0;
        moveMs = [];
        windowJoinMs = [];
        errors = 0;
        firstError = undefined;
        break;
      case "stop":
        // Loops still waiting for a state finish that move, then end; nothing after this counts.
        playing = false;
        send({ type: "result", moves, games, moveMs, joinMs: windowJoinMs, errors, firstError });
        break;
      case "storm":
        errors = 0;
        firstError = undefined;
        void storm(matches);
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
