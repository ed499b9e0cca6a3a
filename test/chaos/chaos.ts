/**
 * Chaos scenarios for two server processes on one Redis, under load. Used by the mocha
 * test (test/chaos/chaos.test.ts, small numbers) and by `npm run chaos` (bench/chaos.ts,
 * bigger numbers). Everything runs on 127.0.0.1.
 *
 * - A private `redis-server` (own port, own temp `--dir`), which this module can stop
 *   with `SHUTDOWN SAVE` and start again on the SAME port with the same data file: the
 *   test Redis otherwise runs without persistence (`--save ""`), and after a restart
 *   without its data the rooms created before would no longer be listed
 *   (docs: colyseus-0.18-scaling.md §3) — an explicit save keeps them.
 * - Two real server processes, A and B (test/helpers/cluster.ts: `node --import tsx
 *   src/index.ts`), with MAX_CONNECTIONS_PER_IP=0, MESSAGES_PER_SECOND=MESSAGE_BURST=1000
 *   and PROCESS_SWEEP_MS=500.
 * - A load generator: N TicTacToe matches spread over both processes, two `@colyseus/sdk`
 *   clients each (pointed at A and B alternately; the WebSocket goes to the room's owner),
 *   playing random legal moves with small random think times and asking for a rematch
 *   after every game. It records every confirmed move (time, owning process, latency
 *   from `send` until the mover's own state shows the cell), and every error message,
 *   drop and leave per match.
 *
 * Scenario 1, `sigkillScenario`: SIGKILL B under load. A's matches must make moves in
 * every 500 ms window after the kill and see no error or disconnect; B's rooms must leave
 * A's `/api/rooms?include=all` within LISTING_REMOVAL_BOUND_MS.
 *
 * Scenario 2, `redisRestartScenario`: stop Redis under load (SHUTDOWN SAVE), keep it down,
 * start it again on the same port. Games on both processes must make moves in every
 * 500 ms window during the outage and after; `/health` must answer 503 on both during the
 * outage; once Redis answers PING again, both `/health` must be 200 and a `joinOrCreate`
 * through A and through B must succeed within RECOVERY_BOUND_MS — and those new matches
 * must then play; every running room must stay listed (the data was saved), and neither
 * process may be taken for dead by the other (no `swept:<processId>` receipt in Redis).
 *
 * Each scenario returns a report with its figures and a list of `failures` (bounds
 * missed, invariants broken); an empty list is a pass. Nothing is left running: servers
 * and Redis are SIGKILLed at the end of each scenario (and on process exit, by the
 * helpers' reapers), the temp folder is removed.
 */
import "../../src/polyfills.js";
import { performance } from "node:perf_hooks";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { RoomEntry } from "../../src/rooms/listing.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { startServers, type ServerProcess } from "../helpers/cluster.js";
import { startRestartableRedis, type RestartableRedis } from "../helpers/redis.js";

// ---- bounds --------------------------------------------------------------------------

/** Width of the progress windows: every window must hold at least one confirmed move. */
export const WINDOW_MS = 500;

/**
 * After SIGKILL of B, B's rooms must be gone from A's `/api/rooms?include=all` within this.
 * Expected ≈ one sweep tick (PROCESS_SWEEP_MS = 500) + Colyseus's 2 s IPC health-check
 * timeout + the cleanup itself, i.e. about 2.5–3 s; the bound leaves room for a loaded
 * machine (the same bound as test/scaling/multi-process.test.ts).
 */
export const LISTING_REMOVAL_BOUND_MS = 6000;

/**
 * After Redis answers PING again, both processes must answer `/health` 200 and a
 * `joinOrCreate` through each must succeed within this. Expected: ioredis reconnects
 * with a back-off capped at 2 s (`retryStrategy` default min(n·50, 2000) ms), then queued
 * commands run at once — about 2 s after a long outage, less after a short one.
 */
export const RECOVERY_BOUND_MS = 5000;

/** After Redis is stopped, `/health` must answer 503 on both processes within this. */
export const HEALTH_DOWN_BOUND_MS = 1000;

/** A move not confirmed within this counts as a stall (an error of that match). */
export const STALL_MS = 2000;

/** The server environment the scenarios run with (on top of test/helpers/cluster.ts's). */
export const CHAOS_SERVER_ENV = {
  // These scenarios check the sweep and Redis outages without snapshots; the failover
  // scenario (test/chaos/failover.ts) turns them on.
  SNAPSHOTS: "off",
  MAX_CONNECTIONS_PER_IP: "0",
  MAX_SOCKETS_PER_IP: "0",
  MESSAGES_PER_SECOND: "1000",
  MESSAGE_BURST: "1000",
  PROCESS_SWEEP_MS: "500",
  LISTING_REFRESH_MS: "250",
  LISTING_MAX_ROOMS: "10000", // the scenarios check that every running room is listed
  SEAT_RESERVATION_SECONDS: "10",
  RECONNECT_SECONDS: "10",
  DRAIN_SECONDS: "5",
  LOG_LEVEL: "info",
};

// ---- small utilities ------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();
const round = (ms: number) => Math.round(ms);

/** Resolves with `promise`, or rejects after `ms` (the promise itself keeps running). */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(latencies: number[]): LatencySummary {
  const sorted = latencies.slice().sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

const fmtLatency = (s: LatencySummary) =>
  s.count === 0 ? "no moves" : `${s.count} moves, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

async function httpStatus(url: string, timeoutMs = 1000): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0; // refused / timed out
  }
}

async function listing(p: ServerProcess, timeoutMs = 2000): Promise<string[]> {
  const res = await fetch(`${p.url}/api/rooms?include=all`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET ${p.url}/api/rooms answered ${res.status}`);
  return ((await res.json()) as RoomEntry[]).map((e) => e.roomId);
}

// ---- a private, restartable Redis -----------------------------------------------------

// (test/helpers/redis.ts: stopped and started again on the same port, with or without its data)
export type ChaosRedis = RestartableRedis;
export const startChaosRedis = startRestartableRedis;

// ---- the cluster ----------------------------------------------------------------------

export interface ChaosCluster {
  redis: ChaosRedis;
  A: ServerProcess;
  B: ServerProcess;
  /** SIGKILLs both servers (if running), the Redis, removes its folder. */
  destroy(): Promise<void>;
}

export async function startChaosCluster(extraEnv: Record<string, string> = {}): Promise<ChaosCluster> {
  const redis = await startChaosRedis();
  let servers: ServerProcess[];
  try {
    servers = await startServers(2, { redisUrl: redis.url, env: { ...CHAOS_SERVER_ENV, ...extraEnv } });
  } catch (err) {
    await redis.destroy();
    throw err;
  }
  const [A, B] = servers as [ServerProcess, ServerProcess];
  return {
    redis,
    A,
    B,
    async destroy() {
      for (const p of [A, B]) p.kill("SIGKILL");
      await Promise.all([A, B].map((p) => p.waitForExit(10000).catch(() => undefined)));
      await redis.destroy();
    },
  };
}

// ---- the load generator ---------------------------------------------------------------

type Ttt = TicTacToeState;

export interface MoveEvent {
  /** performance.now() when the mover's state showed the move. */
  t: number;
  /** Port of the process owning the room. */
  port: number;
  latencyMs: number;
  match: number;
}

export interface MatchIssue {
  t: number;
  seat: number;
  kind: "error" | "drop" | "leave" | "stall";
  detail: string;
}

interface Seat {
  index: number;
  room: SdkRoom<any, Ttt>;
  pending?: { cell: number; sentAt: number };
  timer?: NodeJS.Timeout;
  askedRematch: boolean;
}

export interface Match {
  index: number;
  roomId: string;
  /** Port of the process owning the room (where both WebSockets go). */
  ownerPort: number;
  /** Ports the two clients were pointed at (matchmaking only). */
  viaPorts: [number, number];
  tag: string;
  seats: Seat[];
  moves: number;
  games: number;
  latencies: number[];
  issues: MatchIssue[];
  /** Set when the owner was killed on purpose: its drops are expected. */
  expectedGone: boolean;
  lastPhase: string;
}

export interface LoadOptions {
  matches: number;
  /** Think time before each move / rematch, uniform in [min, max] ms. @default [5, 30] */
  thinkMs?: [number, number];
  /**
   * Matches created at once; then the placement counts settle in Redis. A batch sent at
   * once lands on one process (all its requests see the same counts). @default half the
   * matches, at most 10
   */
  batch?: number;
  log?: (line: string) => void;
}

/** Port of the process an SDK room's WebSocket went to. */
export function socketPort(room: SdkRoom): number {
  return Number(new URL(room.connection.url!).port);
}

export class LoadGenerator {
  readonly matches: Match[] = [];
  readonly events: MoveEvent[] = [];
  private stopped = false;
  private stallTimer?: NodeJS.Timeout;
  private readonly think: [number, number];
  private readonly extraRooms: SdkRoom[] = [];

  constructor(
    private readonly A: ServerProcess,
    private readonly B: ServerProcess,
    private readonly options: LoadOptions,
  ) {
    this.think = options.thinkMs ?? [5, 30];
  }

  /**
   * Creates the matches, in batches: the matchmaker places a new room on the process with
   * the fewest rooms as recorded in Redis (`roomcount`, persisted at most once a second),
   * so after each batch we wait until `roomcount` counts every room created so far.
   */
  async start(redisUrl: string): Promise<void> {
    const observer = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    observer.on("error", () => undefined);
    try {
      const batch = this.options.batch ?? Math.max(1, Math.min(10, Math.ceil(this.options.matches / 2)));
      for (let i = 0; i < this.options.matches; i += batch) {
        const indexes = Array.from({ length: Math.min(batch, this.options.matches - i) }, (_, k) => i + k);
        await Promise.all(indexes.map((index) => this.createMatch(index)));
        const deadline = now() + 1500;
        while (now() < deadline) {
          const counts = await observer.hgetall("roomcount");
          const total = Object.values(counts).reduce((sum, v) => sum + Number(v.split(",")[0]), 0);
          if (total >= this.matches.length) break;
          await sleep(50);
        }
      }
    } finally {
      observer.disconnect();
    }
    this.stallTimer = setInterval(() => this.checkStalls(), 250);
    this.stallTimer.unref();
  }

  private async createMatch(index: number) {
    const [first, second] = index % 2 === 0 ? [this.A, this.B] : [this.B, this.A];
    const r1 = await new Client(first.url).create<Ttt>("tictactoe", { name: `m${index}x` });
    const r2 = await new Client(second.url).joinById<Ttt>(r1.roomId, { name: `m${index}o` });
    this.adopt([r1, r2], [first.port, second.port], "load", index);
  }

  /** Lets the generator play a match made of already joined SDK rooms (both seats). */
  adopt(rooms: SdkRoom<any, Ttt>[], viaPorts: [number, number], tag: string, index = this.matches.length): Match {
    const match: Match = {
      index,
      roomId: rooms[0]!.roomId,
      ownerPort: socketPort(rooms[0]!),
      viaPorts,
      tag,
      seats: [],
      moves: 0,
      games: 0,
      latencies: [],
      issues: [],
      expectedGone: false,
      lastPhase: "waiting",
    };
    this.matches.push(match);
    rooms.forEach((room, seatIndex) => {
      // Any drop is a finding: no silent automatic reconnection.
      room.reconnection.enabled = false;
      const seat: Seat = { index: seatIndex, room, askedRematch: false };
      match.seats.push(seat);
      room.onStateChange(() => this.act(match, seat));
      room.onMessage("*", (type: string | number, payload: any) => {
        if (type !== "error") return;
        match.issues.push({ t: now(), seat: seatIndex, kind: "error", detail: `${payload?.code}: ${payload?.message}` });
        seat.pending = undefined;
        this.act(match, seat);
      });
      room.onDrop((code: number) => match.issues.push({ t: now(), seat: seatIndex, kind: "drop", detail: `code ${code}` }));
      room.onLeave((code: number) => {
        if (!this.stopped) match.issues.push({ t: now(), seat: seatIndex, kind: "leave", detail: `code ${code}` });
        clearTimeout(seat.timer);
      });
      this.act(match, seat);
    });
    return match;
  }

  /** Rooms to close at the end besides the matches' (e.g. joins left unused). */
  track(room: SdkRoom) {
    this.extraRooms.push(room);
  }

  private thinkTime() {
    const [min, max] = this.think;
    return min + Math.random() * (max - min);
  }

  private act(match: Match, seat: Seat) {
    const state = seat.room.state;
    if (!state || !state.board) return;
    if (seat.index === 0 && state.phase !== match.lastPhase) {
      if (state.phase === "over") match.games++;
      match.lastPhase = state.phase;
    }
    if (seat.pending) {
      if (state.board[seat.pending.cell] === "") return;
      const latencyMs = now() - seat.pending.sentAt;
      seat.pending = undefined;
      match.moves++;
      match.latencies.push(latencyMs);
      this.events.push({ t: now(), port: match.ownerPort, latencyMs, match: match.index });
    }
    if (state.phase === "playing") seat.askedRematch = false;
    if (this.stopped || seat.timer) return;
    const myTurn = state.phase === "playing" && state.currentTurn === seat.room.sessionId;
    const wantRematch = state.phase === "over" && !seat.askedRematch;
    if (!myTurn && !wantRematch) return;
    seat.timer = setTimeout(() => {
      seat.timer = undefined;
      if (this.stopped || seat.pending) return;
      const s = seat.room.state;
      if (s.phase === "playing" && s.currentTurn === seat.room.sessionId) {
        const free = Array.from(s.board as unknown as string[]).flatMap((c, i) => (c === "" ? [i] : []));
        const cell = free[Math.floor(Math.random() * free.length)]!;
        seat.pending = { cell, sentAt: now() };
        seat.room.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
      } else if (s.phase === "over" && !seat.askedRematch) {
        seat.askedRematch = true;
        seat.room.send("rematch");
      } else {
        this.act(match, seat);
      }
    }, this.thinkTime());
  }

  private checkStalls() {
    const t = now();
    for (const match of this.matches) {
      if (match.expectedGone) continue;
      for (const seat of match.seats) {
        if (seat.pending && t - seat.pending.sentAt > STALL_MS) {
          match.issues.push({ t, seat: seat.index, kind: "stall", detail: `move to cell ${seat.pending.cell} unconfirmed after ${round(t - seat.pending.sentAt)} ms` });
          seat.pending = undefined;
        }
      }
    }
  }

  /** Matches owned by the process on `port`. */
  ownedBy(port: number): Match[] {
    return this.matches.filter((m) => m.ownerPort === port);
  }

  /** Confirmed moves per `WINDOW_MS` window in [from, to) for the rooms owned by `port` (only whole windows). */
  windows(port: number, from: number, to: number, tag?: string): number[] {
    const count = Math.floor((to - from) / WINDOW_MS);
    const counts = new Array<number>(Math.max(0, count)).fill(0);
    const tags = tag ? new Set(this.matches.filter((m) => m.tag === tag).map((m) => m.index)) : undefined;
    for (const e of this.events) {
      if (e.port !== port || e.t < from || (tags && !tags.has(e.match))) continue;
      const k = Math.floor((e.t - from) / WINDOW_MS);
      if (k < count) counts[k]++;
    }
    return counts;
  }

  /** Moves per second in [from, to) on the process at `port` (every process when omitted). */
  rate(from: number, to: number, port?: number): number {
    const n = this.events.filter((e) => e.t >= from && e.t < to && (port === undefined || e.port === port)).length;
    return to > from ? (n * 1000) / (to - from) : 0;
  }

  latency(from: number, to: number, port?: number): LatencySummary {
    return summarize(this.events.filter((e) => e.t >= from && e.t < to && (port === undefined || e.port === port)).map((e) => e.latencyMs));
  }

  /** Issues of matches not expected to go (the ones that count as failures). */
  issues(): Array<MatchIssue & { match: number; port: number; roomId: string }> {
    return this.matches
      .filter((m) => !m.expectedGone)
      .flatMap((m) => m.issues.map((i) => ({ ...i, match: m.index, port: m.ownerPort, roomId: m.roomId })));
  }

  /** Stops playing and closes every client (consented leave where the server still answers). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.stallTimer);
    for (const m of this.matches) for (const s of m.seats) clearTimeout(s.timer);
    const rooms = [...this.matches.flatMap((m) => m.seats.map((s) => s.room)), ...this.extraRooms];
    await Promise.all(
      rooms.map(async (room) => {
        try {
          await withTimeout(room.leave(true), 1000, "leave");
        } catch {
          (room.connection?.transport as unknown as { ws?: { terminate(): void } } | undefined)?.ws?.terminate();
        }
      }),
    );
  }
}

// ---- scenario 1: SIGKILL B under load -------------------------------------------------

export interface ScenarioOptions extends LoadOptions {
  /** How long the load runs before the fault (the "before" figures). @default 2000 */
  warmupMs?: number;
  /** How long the load goes on after recovery (the "after" figures). @default 2000 */
  afterMs?: number;
  /** Extra server environment (e.g. LOG_LEVEL=debug to diagnose). */
  serverEnv?: Record<string, string>;
}

export interface SigkillReport {
  scenario: "SIGKILL B under load";
  matchesOnA: number;
  matchesOnB: number;
  movesPerSecond: { beforeA: number; beforeB: number; afterKillA: number };
  /** A's moves per 500 ms window from the kill to the end of the observation. */
  windowsA: number[];
  /** ms from the SIGKILL until none of B's rooms is listed by A (null: not within the bound + 4 s). */
  listingRemovalMs: number | null;
  listingRemovalBoundMs: number;
  /** ms from the SIGKILL until every client of B's matches saw its connection close. */
  bClientsClosedMs: number | null;
  /** A new room created through A after the sweep: time and the port it landed on. */
  newRoomAfterKill: { ms: number; port: number } | { error: string };
  latencyBeforeA: LatencySummary;
  latencyAfterKillA: LatencySummary;
  issues: string[];
  failures: string[];
}

export async function sigkillScenario(options: ScenarioOptions): Promise<SigkillReport> {
  const log = options.log ?? (() => undefined);
  const cluster = await startChaosCluster(options.serverEnv);
  const { A, B } = cluster;
  const load = new LoadGenerator(A, B, options);
  const failures: string[] = [];
  try {
    log(`processes A :${A.port} and B :${B.port} on Redis :${cluster.redis.port}; creating ${options.matches} matches`);
    await load.start(cluster.redis.url);
    const onA = load.ownedBy(A.port);
    const onB = load.ownedBy(B.port);
    log(`matches: ${onA.length} on A, ${onB.length} on B`);
    if (onA.length === 0 || onB.length === 0) throw new Error(`the matches did not spread over both processes (A ${onA.length}, B ${onB.length})`);

    const warmStart = now();
    await sleep(options.warmupMs ?? 2000);
    const listed = await listing(A);
    const missing = load.matches.filter((m) => !listed.includes(m.roomId));
    if (missing.length) failures.push(`before the kill, A does not list ${missing.length} of the ${load.matches.length} rooms`);

    for (const m of onB) m.expectedGone = true;
    const killedAt = now();
    B.kill("SIGKILL");

    // B's rooms must leave A's listing.
    let listingRemovalMs: number | null = null;
    let aRoomsMissing: string[] = [];
    const bIds = new Set(onB.map((m) => m.roomId));
    while (now() - killedAt < LISTING_REMOVAL_BOUND_MS + 4000) {
      try {
        const ids = await listing(A);
        if (!ids.some((id) => bIds.has(id))) {
          listingRemovalMs = now() - killedAt;
          aRoomsMissing = onA.filter((m) => !ids.includes(m.roomId)).map((m) => m.roomId);
          break;
        }
      } catch (err) {
        failures.push(`A's /api/rooms failed after the kill: ${(err as Error).message}`);
        break;
      }
      await sleep(100);
    }
    if (listingRemovalMs === null) failures.push(`B's rooms were still listed by A ${LISTING_REMOVAL_BOUND_MS + 4000} ms after the kill`);
    else if (listingRemovalMs > LISTING_REMOVAL_BOUND_MS) failures.push(`B's rooms left A's listing after ${round(listingRemovalMs)} ms (bound ${LISTING_REMOVAL_BOUND_MS} ms)`);
    if (aRoomsMissing.length) failures.push(`A's own rooms vanished from its listing with B's: ${aRoomsMissing.join(", ")}`);

    // After the sweep, new rooms go to A.
    let newRoomAfterKill: SigkillReport["newRoomAfterKill"];
    const createdAt = now();
    try {
      const room = await withTimeout(new Client(A.url).create<Ttt>("tictactoe", { name: "late" }), 5000, "create through A after the kill");
      load.track(room);
      newRoomAfterKill = { ms: now() - createdAt, port: socketPort(room) };
      if (newRoomAfterKill.port !== A.port) failures.push(`a room created after the sweep landed on port ${newRoomAfterKill.port}, not A`);
    } catch (err) {
      newRoomAfterKill = { error: (err as Error).message };
      failures.push(`create through A after the kill failed: ${(err as Error).message}`);
    }

    // Observe A's games for at least 3 s after the kill, and 1 s past the listing removal.
    const observeUntil = killedAt + Math.max(3000, (listingRemovalMs ?? 0) + 1000);
    await sleep(Math.max(0, observeUntil - now()));
    const endedAt = now();
    const windowsA = load.windows(A.port, killedAt, endedAt);
    const empty = windowsA.flatMap((n, k) => (n === 0 ? [`${k * WINDOW_MS}–${(k + 1) * WINDOW_MS} ms`] : []));
    if (empty.length) failures.push(`no move on A in the window(s) ${empty.join(", ")} after the kill`);

    const closedTimes = onB.flatMap((m) => m.issues.filter((i) => i.kind === "leave").map((i) => i.t));
    const bClientsClosedMs = closedTimes.length === onB.length * 2 ? Math.max(...closedTimes) - killedAt : null;
    if (bClientsClosedMs === null) failures.push(`only ${closedTimes.length} of ${onB.length * 2} clients of B's matches saw their connection close`);

    const issues = load.issues().map((i) => `match ${i.match} (room ${i.roomId} on :${i.port}) seat ${i.seat}: ${i.kind} ${i.detail} at ${round(i.t - killedAt)} ms after the kill`);
    if (issues.length) failures.push(`${issues.length} error(s)/disconnect(s) in A's matches`);
    if (A.exited) failures.push(`process A exited: ${A.stderr().slice(-2000)}`);

    return {
      scenario: "SIGKILL B under load",
      matchesOnA: onA.length,
      matchesOnB: onB.length,
      movesPerSecond: {
        beforeA: load.rate(warmStart, killedAt, A.port),
        beforeB: load.rate(warmStart, killedAt, B.port),
        afterKillA: load.rate(killedAt, endedAt, A.port),
      },
      windowsA,
      listingRemovalMs,
      listingRemovalBoundMs: LISTING_REMOVAL_BOUND_MS,
      bClientsClosedMs,
      newRoomAfterKill,
      latencyBeforeA: load.latency(warmStart, killedAt, A.port),
      latencyAfterKillA: load.latency(killedAt, endedAt, A.port),
      issues,
      failures,
    };
  } finally {
    await load.stop();
    await cluster.destroy();
  }
}

export function formatSigkill(r: SigkillReport): string[] {
  const newRoom = "error" in r.newRoomAfterKill ? `failed: ${r.newRoomAfterKill.error}` : `${round(r.newRoomAfterKill.ms)} ms, on :${r.newRoomAfterKill.port}`;
  return [
    `${r.scenario}: ${r.matchesOnA} matches on A, ${r.matchesOnB} on B`,
    `  moves/s before the kill   A ${r.movesPerSecond.beforeA.toFixed(0)}   B ${r.movesPerSecond.beforeB.toFixed(0)}`,
    `  moves/s on A after it     ${r.movesPerSecond.afterKillA.toFixed(0)}   (per ${WINDOW_MS} ms window: min ${Math.min(...r.windowsA)}, ${r.windowsA.join(" ")})`,
    `  B's rooms left A's listing after ${r.listingRemovalMs === null ? "—" : `${round(r.listingRemovalMs)} ms`} (bound ${r.listingRemovalBoundMs} ms)`,
    `  B's clients all closed after ${r.bClientsClosedMs === null ? "—" : `${round(r.bClientsClosedMs)} ms`}`,
    `  create through A after the sweep: ${newRoom}`,
    `  move latency on A before: ${fmtLatency(r.latencyBeforeA)}`,
    `  move latency on A after:  ${fmtLatency(r.latencyAfterKillA)}`,
    `  errors/disconnects in A's matches: ${r.issues.length}${r.issues.length ? "\n    " + r.issues.slice(0, 10).join("\n    ") : ""}`,
    r.failures.length ? `  FAILED:\n    ${r.failures.join("\n    ")}` : `  all bounds met`,
  ];
}

// ---- scenario 2: restart Redis under load ---------------------------------------------

export interface RedisRestartOptions extends ScenarioOptions {
  /** How long Redis stays down. @default 3000 */
  outageMs: number;
}

interface ListingSample {
  /** ms after Redis answered PING again. */
  t: number;
  polled: "A" | "B";
  missingOfA: number;
  missingOfB: number;
  error?: string;
}

export interface ListingGap {
  /** The process whose running rooms were not listed. */
  owner: "A" | "B";
  /** The processes whose /api/rooms did not list them. */
  seenBy: string[];
  fromMs: number;
  toMs: number;
  maxMissing: number;
}

/** Merges the listing samples into periods in which an owner's rooms were missing. */
function gapsOf(samples: ListingSample[]): ListingGap[] {
  const gaps: ListingGap[] = [];
  for (const owner of ["A", "B"] as const) {
    let current: ListingGap | undefined;
    for (const x of samples.slice().sort((a, b) => a.t - b.t)) {
      const missing = owner === "A" ? x.missingOfA : x.missingOfB;
      if (missing > 0) {
        current ??= { owner, seenBy: [], fromMs: x.t, toMs: x.t, maxMissing: 0 };
        current.toMs = x.t;
        current.maxMissing = Math.max(current.maxMissing, missing);
        if (!current.seenBy.includes(x.polled)) current.seenBy.push(x.polled);
      } else if (current) {
        gaps.push(current);
        current = undefined;
      }
    }
    if (current) gaps.push(current);
  }
  return gaps;
}

export interface ProbeResult {
  /** ms after Redis answered PING again; null when not within the deadline. */
  ms: number | null;
  attempts: number;
  lastError?: string;
}

export interface RedisRestartReport {
  scenario: "restart Redis under load";
  outageMs: number;
  matchesOnA: number;
  matchesOnB: number;
  movesPerSecond: { before: { A: number; B: number }; during: { A: number; B: number }; after: { A: number; B: number } };
  /** Moves per 500 ms window during the outage. */
  windowsDuring: { A: number[]; B: number[] };
  /** Moves per 500 ms window from Redis back until the end. */
  windowsAfter: { A: number[]; B: number[] };
  /** ms after the shutdown until /health answered 503 (null: never). */
  health503Ms: { A: number | null; B: number | null };
  /** /health answers seen during the outage (after the first 503), other than 503. */
  healthOtherDuringOutage: string[];
  /** A create through A sent in the middle of the outage: what became of it. */
  joinDuringOutage: { ok: true; ms: number; afterRedisBackMs: number } | { ok: false; ms: number; error: string } | { ok: false; pending: true };
  /** ms from the restart command until Redis answered PING. */
  redisStartMs: number;
  recovery: { healthA: ProbeResult; healthB: ProbeResult; joinViaA: ProbeResult; joinViaB: ProbeResult };
  /** Slowest of the four probes (ms after Redis was back), null when one missed the deadline. */
  recoveryMs: number | null;
  recoveryBoundMs: number;
  /** Moves played by the matches made of the recovery joins. */
  recoveredMatchMoves: number;
  /** Running rooms (by owner) not listed at the end (should be none: the data was saved). */
  listingMissingAtEnd: { A: number; B: number };
  /** Periods after Redis was back in which running pre-outage rooms were not listed. */
  listingGaps: ListingGap[];
  /** `swept:<process>` receipts seen in Redis after it was back (a live process taken for dead), ms after. */
  sweptReceipts: Array<{ process: string; ms: number }>;
  /** Listing polls after Redis was back (both processes, every ~200 ms). */
  listingPolls: number;
  latency: { before: LatencySummary; during: LatencySummary; after: LatencySummary };
  issues: string[];
  failures: string[];
  /** The servers' log lines (JSON), kept only when something failed, for diagnosis. */
  serverLogs?: { A: string[]; B: string[] };
}

export async function redisRestartScenario(options: RedisRestartOptions): Promise<RedisRestartReport> {
  const log = options.log ?? (() => undefined);
  const cluster = await startChaosCluster(options.serverEnv);
  const { A, B, redis } = cluster;
  const load = new LoadGenerator(A, B, options);
  const failures: string[] = [];
  const pollers: Array<Promise<unknown>> = [];
  const closers: Array<() => void> = [];
  try {
    log(`processes A :${A.port} and B :${B.port} on Redis :${redis.port} (data file in ${redis.dir}); creating ${options.matches} matches`);
    await load.start(redis.url);
    const onA = load.ownedBy(A.port);
    const onB = load.ownedBy(B.port);
    log(`matches: ${onA.length} on A, ${onB.length} on B`);
    if (onA.length === 0 || onB.length === 0) throw new Error(`the matches did not spread over both processes (A ${onA.length}, B ${onB.length})`);
    const preIds = load.matches.map((m) => m.roomId);
    // Which Colyseus processId is A and which is B (from the listings in Redis).
    const observer = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    observer.on("error", () => undefined);
    closers.push(() => observer.disconnect());
    const processIds: { A?: string; B?: string } = {};
    for (const [name, m] of [["A", onA[0]!], ["B", onB[0]!]] as const) {
      const cached = await observer.hget("roomcaches", m.roomId);
      processIds[name] = cached ? (JSON.parse(cached) as { processId?: string }).processId : undefined;
    }

    const warmStart = now();
    await sleep(options.warmupMs ?? 2000);
    for (const p of [A, B]) {
      const status = await httpStatus(`${p.url}/health`);
      if (status !== 200) failures.push(`/health on :${p.port} answered ${status} before the outage`);
    }

    // ---- the outage
    const downStart = now();
    await redis.shutdownSave();
    const downAt = now();
    log(`Redis stopped (SHUTDOWN SAVE took ${round(downAt - downStart)} ms); down for ${options.outageMs} ms`);

    // /health during the outage, on both processes.
    const health503Ms: { A: number | null; B: number | null } = { A: null, B: null };
    const healthOtherDuringOutage: string[] = [];
    let outageOver = false;
    for (const [name, p] of [["A", A], ["B", B]] as const) {
      pollers.push(
        (async () => {
          while (!outageOver) {
            const t = now();
            const status = await httpStatus(`${p.url}/health`);
            if (outageOver) break;
            if (status === 503) health503Ms[name] ??= t - downAt;
            else if (health503Ms[name] !== null) healthOtherDuringOutage.push(`${name} ${status} at ${round(t - downAt)} ms`);
            await sleep(200);
          }
        })(),
      );
    }

    // A join in the middle of the outage: it waits for Redis (or fails).
    let joinDuringOutage: RedisRestartReport["joinDuringOutage"] = { ok: false, pending: true };
    let redisBackAt = Infinity;
    const outageJoin = (async () => {
      await sleep(options.outageMs / 2);
      const sentAt = now();
      try {
        const room = await new Client(A.url).create<Ttt>("tictactoe", { name: "outage", private: true });
        load.track(room);
        joinDuringOutage = { ok: true, ms: now() - sentAt, afterRedisBackMs: now() - redisBackAt };
      } catch (err) {
        joinDuringOutage = { ok: false, ms: now() - sentAt, error: (err as Error).message };
      }
    })();

    await sleep(Math.max(0, downAt + options.outageMs - now()));
    outageOver = true;
    const restartAt = now();
    await redis.restart();
    redisBackAt = now();
    const redisStartMs = redisBackAt - restartAt;
    log(`Redis answering again after ${round(redisBackAt - downAt)} ms down`);

    // From now on, watch both listings: every pre-outage room must be listed by both
    // processes (the data was saved), and stay listed. Also watch Redis for `swept:<id>`
    // receipts: a process left one when it took the other for dead and removed its rooms.
    let afterOver = false;
    const samples: ListingSample[] = [];
    const sweptSeen = new Map<string, number>();
    const ownerOf = new Map(load.matches.map((m) => [m.roomId, m.ownerPort === A.port ? "A" : "B"] as const));
    pollers.push(
      (async () => {
        while (!afterOver) {
          await Promise.all(
            ([["A", A], ["B", B]] as const).map(async ([name, p]) => {
              const t = now() - redisBackAt;
              try {
                const ids = new Set(await listing(p, 3000));
                const missing = preIds.filter((id) => !ids.has(id));
                samples.push({ t, polled: name, missingOfA: missing.filter((id) => ownerOf.get(id) === "A").length, missingOfB: missing.filter((id) => ownerOf.get(id) === "B").length });
              } catch (err) {
                samples.push({ t, polled: name, missingOfA: 0, missingOfB: 0, error: (err as Error).message });
              }
            }),
          );
          try {
            for (const key of await observer.keys("swept:*")) {
              const id = key.slice("swept:".length);
              const name = id === processIds.A ? "A" : id === processIds.B ? "B" : id;
              if (!sweptSeen.has(name)) sweptSeen.set(name, now() - redisBackAt);
            }
          } catch {
            /* the observer reconnects by itself */
          }
          await sleep(200);
        }
      })(),
    );

    for (const name of ["A", "B"] as const) {
      const ms = health503Ms[name];
      if (ms === null) failures.push(`/health on ${name} never answered 503 during the outage`);
      else if (ms > HEALTH_DOWN_BOUND_MS) failures.push(`/health on ${name} answered 503 only ${round(ms)} ms into the outage (bound ${HEALTH_DOWN_BOUND_MS} ms)`);
    }
    if (healthOtherDuringOutage.length) failures.push(`/health answered other than 503 during the outage: ${healthOtherDuringOutage.join(", ")}`);

    // ---- recovery: probes from the moment Redis answers PING
    const deadline = redisBackAt + RECOVERY_BOUND_MS + 5000;
    const probeHealth = async (p: ServerProcess): Promise<ProbeResult> => {
      let attempts = 0;
      let last = 0;
      while (now() < deadline) {
        attempts++;
        last = await httpStatus(`${p.url}/health`);
        if (last === 200) return { ms: now() - redisBackAt, attempts };
        await sleep(100);
      }
      return { ms: null, attempts, lastError: `status ${last}` };
    };
    const recoveryRooms: SdkRoom<any, Ttt>[] = [];
    const roomVia = new Map<SdkRoom, number>();
    const probeJoin = async (p: ServerProcess): Promise<ProbeResult> => {
      let attempts = 0;
      let lastError: string | undefined;
      while (now() < deadline) {
        attempts++;
        try {
          const pending = new Client(p.url).joinOrCreate<Ttt>("tictactoe", { name: `back${p.port}` });
          // A join that outlives the deadline still gets closed at the end.
          let given = false;
          pending.then((room) => given && load.track(room), () => undefined);
          const room = await withTimeout(pending, Math.max(1, deadline - now()), `joinOrCreate through :${p.port}`).finally(() => (given = true));
          recoveryRooms.push(room);
          roomVia.set(room, p.port);
          return { ms: now() - redisBackAt, attempts };
        } catch (err) {
          lastError = (err as Error).message;
          await sleep(100);
        }
      }
      return { ms: null, attempts, lastError };
    };
    const [healthA, healthB, joinViaA, joinViaB] = await Promise.all([probeHealth(A), probeHealth(B), probeJoin(A), probeJoin(B)]);
    const recovery = { healthA, healthB, joinViaA, joinViaB };
    const probeTimes = Object.values(recovery).map((r) => r.ms);
    const recoveryMs = probeTimes.some((ms) => ms === null) ? null : Math.max(...(probeTimes as number[]));
    for (const [name, r] of Object.entries(recovery)) {
      if (r.ms === null) failures.push(`recovery probe ${name} did not succeed within ${RECOVERY_BOUND_MS + 5000} ms of Redis being back (${r.attempts} attempts; last: ${r.lastError})`);
      else if (r.ms > RECOVERY_BOUND_MS) failures.push(`recovery probe ${name} took ${round(r.ms)} ms after Redis was back (bound ${RECOVERY_BOUND_MS} ms)`);
    }
    log(`recovered: ${Object.entries(recovery).map(([k, r]) => `${k} ${r.ms === null ? "—" : round(r.ms)} ms`).join(", ")}`);

    // The recovery joins become matches: pair them up (filling a lone seat through the other process) and play.
    const recoveredMatches: Match[] = [];
    const byRoom = new Map<string, SdkRoom<any, Ttt>[]>();
    for (const room of recoveryRooms) byRoom.set(room.roomId, [...(byRoom.get(room.roomId) ?? []), room]);
    for (const [roomId, rooms] of byRoom) {
      try {
        if (rooms.length === 1) {
          const via = roomVia.get(rooms[0]!) === A.port ? B : A;
          const filler = await withTimeout(new Client(via.url).joinById<Ttt>(roomId, { name: "filler" }), 5000, `joinById through :${via.port}`);
          rooms.push(filler);
        }
        const vias = rooms.map((r) => roomVia.get(r) ?? (roomVia.get(rooms[0]!) === A.port ? B.port : A.port));
        recoveredMatches.push(load.adopt(rooms, [vias[0]!, vias[1]!], "recovered"));
      } catch (err) {
        failures.push(`a new match after recovery could not be completed: ${(err as Error).message}`);
        for (const r of rooms) load.track(r);
      }
    }

    await sleep(Math.max(0, redisBackAt + (options.afterMs ?? 2000) - now()));
    afterOver = true;
    const endedAt = now();
    await withTimeout(outageJoin, 5000, "the join sent during the outage").catch(() => undefined);
    await Promise.all(pollers);

    // At the end, through A's /api/rooms (both read the same Redis): every room still running must be listed.
    const listingMissingAtEnd = { A: 0, B: 0 };
    try {
      const ids = new Set(await listing(A, 5000));
      for (const m of load.matches) if (!ids.has(m.roomId)) listingMissingAtEnd[m.ownerPort === A.port ? "A" : "B"]++;
    } catch (err) {
      failures.push(`/api/rooms on A failed at the end: ${(err as Error).message}`);
    }
    if (listingMissingAtEnd.A || listingMissingAtEnd.B) {
      failures.push(`running rooms not listed at the end: ${listingMissingAtEnd.A} of A's, ${listingMissingAtEnd.B} of B's`);
    }
    const listingGaps = gapsOf(samples);
    for (const gap of listingGaps) {
      failures.push(
        `${gap.maxMissing} of ${gap.owner}'s running rooms were missing from the listing of ${gap.seenBy.join(" and ")} from ${round(gap.fromMs)} to ${round(gap.toMs)} ms after Redis was back` +
          (gap.toMs >= endedAt - redisBackAt - 250 ? " (still at the end)" : ""),
      );
    }
    const listingErrors = samples.filter((x) => x.error).map((x) => `${x.polled} at ${round(x.t)} ms: ${x.error}`);
    if (listingErrors.length) failures.push(`/api/rooms failed after Redis was back: ${listingErrors.slice(0, 5).join("; ")}`);
    const sweptReceipts = [...sweptSeen].map(([name, ms]) => ({ process: name, ms }));
    // Colyseus writes `swept:<processId>` after removing the listings of a process that did
    // not answer its health check; both processes ran throughout, so any receipt is a false death.
    for (const x of sweptReceipts) {
      failures.push(`live process ${x.process} was taken for dead after Redis was back: its room listings were removed (swept:${x.process} receipt seen ${round(x.ms)} ms after)`);
    }

    const recoveredMatchMoves = recoveredMatches.reduce((sum, m) => sum + m.moves, 0);
    if (recoveredMatches.length === 0 || recoveredMatches.some((m) => m.moves === 0)) failures.push(`the matches made of the recovery joins did not play (moves: ${recoveredMatches.map((m) => m.moves).join(", ") || "no match"})`);

    const windowsDuring = { A: load.windows(A.port, downAt, redisBackAt, "load"), B: load.windows(B.port, downAt, redisBackAt, "load") };
    const windowsAfter = { A: load.windows(A.port, redisBackAt, endedAt, "load"), B: load.windows(B.port, redisBackAt, endedAt, "load") };
    for (const [phase, w] of [["during the outage", windowsDuring], ["after Redis was back", windowsAfter]] as const) {
      for (const name of ["A", "B"] as const) {
        const empty = w[name].flatMap((n, k) => (n === 0 ? [`${k * WINDOW_MS}–${(k + 1) * WINDOW_MS} ms`] : []));
        if (empty.length) failures.push(`no move on ${name} ${phase} in window(s) ${empty.join(", ")}`);
      }
    }

    const issues = load.issues().map((i) => `match ${i.match} (room ${i.roomId} on :${i.port}) seat ${i.seat}: ${i.kind} ${i.detail} at ${round(i.t - downAt)} ms after Redis went down`);
    if (issues.length) failures.push(`${issues.length} error(s)/disconnect(s)/stall(s) in the matches`);
    for (const [name, p] of [["A", A], ["B", B]] as const) if (p.exited) failures.push(`process ${name} exited: ${p.stderr().slice(-2000)}`);

    return {
      scenario: "restart Redis under load",
      outageMs: redisBackAt - downAt,
      matchesOnA: onA.length,
      matchesOnB: onB.length,
      movesPerSecond: {
        before: { A: load.rate(warmStart, downStart, A.port), B: load.rate(warmStart, downStart, B.port) },
        during: { A: load.rate(downAt, redisBackAt, A.port), B: load.rate(downAt, redisBackAt, B.port) },
        after: { A: load.rate(redisBackAt, endedAt, A.port), B: load.rate(redisBackAt, endedAt, B.port) },
      },
      windowsDuring,
      windowsAfter,
      health503Ms,
      healthOtherDuringOutage,
      joinDuringOutage,
      redisStartMs,
      recovery,
      recoveryMs,
      recoveryBoundMs: RECOVERY_BOUND_MS,
      recoveredMatchMoves,
      listingMissingAtEnd,
      listingGaps,
      sweptReceipts,
      listingPolls: samples.length,
      latency: { before: load.latency(warmStart, downStart), during: load.latency(downAt, redisBackAt), after: load.latency(redisBackAt, endedAt) },
      issues,
      failures,
      serverLogs: failures.length ? { A: A.lines.slice(), B: B.lines.slice() } : undefined,
    };
  } finally {
    for (const close of closers) close();
    await load.stop();
    await cluster.destroy();
  }
}

export function formatRedisRestart(r: RedisRestartReport): string[] {
  const mps = (x: { A: number; B: number }) => `A ${x.A.toFixed(0)}   B ${x.B.toFixed(0)}`;
  const probe = (p: ProbeResult) => (p.ms === null ? `— (${p.attempts} attempts, ${p.lastError})` : `${round(p.ms)} ms`);
  const j = r.joinDuringOutage;
  const outageJoin =
    "pending" in j ? "still pending at the end" : j.ok ? `succeeded after ${round(j.ms)} ms (${round(j.afterRedisBackMs)} ms after Redis was back)` : `failed after ${round(j.ms)} ms: ${j.error}`;
  const minOf = (w: number[]) => (w.length ? Math.min(...w) : "—");
  return [
    `${r.scenario}: ${r.matchesOnA} matches on A, ${r.matchesOnB} on B, Redis down ${round(r.outageMs)} ms`,
    `  moves/s before   ${mps(r.movesPerSecond.before)}`,
    `  moves/s during   ${mps(r.movesPerSecond.during)}   (min per ${WINDOW_MS} ms window: A ${minOf(r.windowsDuring.A)}, B ${minOf(r.windowsDuring.B)})`,
    `  moves/s after    ${mps(r.movesPerSecond.after)}   (min per ${WINDOW_MS} ms window: A ${minOf(r.windowsAfter.A)}, B ${minOf(r.windowsAfter.B)})`,
    `  /health 503 after the shutdown: A ${r.health503Ms.A === null ? "never" : `${round(r.health503Ms.A)} ms`}, B ${r.health503Ms.B === null ? "never" : `${round(r.health503Ms.B)} ms`} (bound ${HEALTH_DOWN_BOUND_MS} ms)`,
    `  create through A sent mid-outage: ${outageJoin}`,
    `  Redis restart to PING: ${round(r.redisStartMs)} ms`,
    `  recovery after Redis was back (bound ${r.recoveryBoundMs} ms): /health A ${probe(r.recovery.healthA)}, B ${probe(r.recovery.healthB)}; joinOrCreate via A ${probe(r.recovery.joinViaA)}, via B ${probe(r.recovery.joinViaB)} → ${r.recoveryMs === null ? "—" : `${round(r.recoveryMs)} ms`}`,
    `  moves in the matches made of those joins: ${r.recoveredMatchMoves}`,
    `  listing after Redis was back (${r.listingPolls} polls of /api/rooms): ${
      r.listingGaps.length
        ? r.listingGaps.map((g) => `${g.maxMissing} of ${g.owner}'s rooms unlisted (seen by ${g.seenBy.join("+")}) ${round(g.fromMs)}–${round(g.toMs)} ms`).join("; ")
        : "every pre-outage room listed by both throughout"
    }; unlisted at the end: ${r.listingMissingAtEnd.A} of A's rooms, ${r.listingMissingAtEnd.B} of B's`,
    `  swept:<process> receipts after Redis was back: ${r.sweptReceipts.length ? r.sweptReceipts.map((x) => `${x.process} at ${round(x.ms)} ms`).join(", ") : "none"}`,
    `  move latency before: ${fmtLatency(r.latency.before)}`,
    `  move latency during: ${fmtLatency(r.latency.during)}`,
    `  move latency after:  ${fmtLatency(r.latency.after)}`,
    `  errors/disconnects/stalls: ${r.issues.length}${r.issues.length ? "\n    " + r.issues.slice(0, 10).join("\n    ") : ""}`,
    r.failures.length ? `  FAILED:\n    ${r.failures.join("\n    ")}` : `  all bounds met`,
  ];
}
