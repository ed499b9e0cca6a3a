/**
 * Failover under load (issue 10), run by `npm run chaos` (bench/chaos.ts): two server
 * processes with SNAPSHOTS=on on a private redis-server, N TicTacToe matches spread over
 * both, played by `@colyseus/sdk` clients with a human-like think time, then SIGKILL of the
 * process holding more of them. Every player of the killed process comes back by itself the
 * way the web client does (src/ha, README "High availability"): on its close event it calls
 * `new Client(survivorUrl).reconnect(savedToken)`, again and again with a short backoff,
 * until the survivor has restored the room (or 60 s pass). The SDK's own reconnection is
 * off on every room: it would only retry the dead process's address.
 *
 * The servers run with the DEFAULT high-availability and sweep settings (HA_CHECK_MS,
 * HA_DEAD_AFTER_MS, PROCESS_SWEEP_MS unset) and RECONNECT_SECONDS=60.
 *
 * Figures and bounds:
 *   - players resumed (target 100 %), matches resumed (both players back);
 *   - state differences once both players of a match are back: every field of the whole
 *     state each player saw before the kill vs after (target 0, nothing ignored);
 *   - time from the kill to each player back: p50, p99 (bound ≤ FAILOVER_P99_BOUND_MS), max;
 *   - then every resumed match plays on until a game ends (the room is live), and the
 *     survivor's own matches must have gone on throughout (a move in every 500 ms window, no
 *     error, disconnect or stall).
 *
 * Nothing is left running: servers and Redis are SIGKILLed at the end (and on exit).
 */
import "../../src/polyfills.js";
import { performance } from "node:perf_hooks";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { RoomEntry } from "../../src/rooms/listing.js";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import type { ServerProcess } from "../helpers/cluster.js";
import { CHAOS_SERVER_ENV, type LatencySummary, sleep, socketPort, STALL_MS, startChaosCluster, summarize, WINDOW_MS } from "./chaos.js";

// ---- bounds and settings --------------------------------------------------------------

/**
 * p99 of the time from the SIGKILL to a player being back in its game. With the default
 * settings: the dead process's last heartbeat is up to HA_CHECK_MS (1 s) old at the kill, it
 * is declared dead once older than HA_DEAD_AFTER_MS (3 s), found at the next check (≤ 1 s),
 * then restored; plus the player's retry backoff and a retry that may have to wait for
 * Colyseus's 2 s IPC timeout (the listing still names the dead process).
 */
export const FAILOVER_P99_BOUND_MS = 8000;

/** How long a player keeps trying to come back (= RECONNECT_SECONDS). */
export const RESUME_WINDOW_MS = 60000;

/** Backoff between two `reconnect` attempts of a player, uniform in [min, max] ms. */
export const RETRY_BACKOFF_MS: [number, number] = [250, 500];

/** After the restore, every resumed match must end a game within this. */
const FINISH_WITHIN_MS = 30000;

/**
 * The servers' environment: the chaos scenarios' (test/chaos/chaos.ts) with snapshots on,
 * RECONNECT_SECONDS=60, and the default HA and sweep settings. An empty variable counts as
 * unset (src/settings.ts), so "" gives the default even where test/helpers/cluster.ts (or
 * the caller's environment) would set one: PROCESS_SWEEP_MS there is 500, the default 2000.
 */
export const FAILOVER_SERVER_ENV: Record<string, string> = {
  ...CHAOS_SERVER_ENV,
  SNAPSHOTS: "on",
  RECONNECT_SECONDS: "60",
  PROCESS_SWEEP_MS: "",
  HA_CHECK_MS: "",
  HA_DEAD_AFTER_MS: "",
};

// ---- small utilities ------------------------------------------------------------------

const now = () => performance.now();
const round = (ms: number) => Math.round(ms);
const uniform = ([min, max]: [number, number]) => min + Math.random() * (max - min);

/** The whole state as plain JSON, as a client sees it (test/helpers/failover.ts's `snapshotOf`). */
function snapshotOf(room: SdkRoom<any, Ttt>): unknown {
  return JSON.parse(JSON.stringify((room.state as unknown as { toJSON(): unknown }).toJSON()));
}

/** Every leaf where `a` and `b` differ, as `path: before → after`. */
export function diffPaths(a: unknown, b: unknown, path = "state"): string[] {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diffPaths(a[k], b[k], `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`];
}

function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? "—" : `${round(ms)} ms`;
}

const pct = (n: number, of: number) => (of === 0 ? "—" : `${((100 * n) / of).toFixed(1)} %`);

// ---- the players ----------------------------------------------------------------------

interface Issue {
  t: number;
  match: number;
  seat: number;
  kind: "error" | "leave" | "stall" | "seat";
  detail: string;
}

interface Seat {
  index: number;
  sessionId: string;
  /** The current connection (replaced when the player comes back). */
  room: SdkRoom<any, Ttt>;
  /** The last reconnection token the player holds (`roomId:token`). */
  token: string;
  /** An action sent and not yet seen in the state. */
  pending?: { kind: "move"; cell: number; sentAt: number } | { kind: "rematch"; sentAt: number };
  timer?: NodeJS.Timeout;
  /** The connection is closed and the player is not back (yet). */
  gone: boolean;
  /** performance.now() of the close event after the kill, its code. */
  closedAt?: number;
  closeCode?: number;
  /** performance.now() when the player was back with the room's state. */
  backAt?: number;
  backPort?: number;
  tries: number;
  lastError?: string;
}

interface FMatch {
  index: number;
  roomId: string;
  /** Port of the process owning the room (the survivor's after the restore). */
  ownerPort: number;
  /** Owned by the process that was killed. */
  victim: boolean;
  seats: Seat[];
  /** No new action is sent (before the kill, and until the state is compared after it). */
  hold: boolean;
  lastPhase: string;
  moves: number;
  games: number;
  /** Each seat's state right before the kill (victim matches). */
  before?: unknown[];
  phaseAtKill?: string;
  cellsAtKill?: number;
  /** performance.now() when the last of its players was back. */
  allBackAt?: number;
  /** Differences found once both players were back (victim matches; undefined until compared). */
  diffs?: string[];
  /** performance.now() when play resumed after the comparison. */
  releasedAt?: number;
  /** performance.now() of the first game end after the release. */
  finishedAt?: number;
}

interface MoveEvent {
  t: number;
  match: number;
  latencyMs: number;
}

export interface FailoverOptions {
  matches: number;
  /** Think time before each move / rematch, uniform in [min, max] ms. @default [300, 800] */
  thinkMs?: [number, number];
  /** Play before the kill, once every match is created. @default 4000 */
  warmupMs?: number;
  /** Extra server environment (e.g. LOG_LEVEL=debug to diagnose). */
  serverEnv?: Record<string, string>;
  log?: (line: string) => void;
}

export interface FailoverReport {
  scenario: "SIGKILL with high availability";
  matchesOnA: number;
  matchesOnB: number;
  victim: "A" | "B";
  survivor: "A" | "B";
  victimMatches: number;
  /** Victim matches by phase at the kill, and the mean number of filled cells of those playing. */
  phasesAtKill: Record<string, number>;
  meanCellsPlaying: number;
  /** How long the victim's matches held still before the kill so that no action was in flight. */
  quietMs: number;
  players: number;
  /** Players that saw their connection close after the kill, and the latest close (ms after it). */
  closed: number;
  lastCloseMs: number | null;
  resumedPlayers: number;
  resumedMatches: number;
  /** Players back on a process other than the survivor, or in another seat. */
  misplaced: string[];
  /** Victim matches whose states were compared, those with a difference, and the differences. */
  compared: number;
  matchesWithDiffs: number;
  diffCount: number;
  diffSamples: string[];
  backMs: LatencySummary;
  lastBackMs: number | null;
  triesMean: number;
  triesMax: number;
  /** Refusals seen by the players while the room was not back yet, by kind. */
  refusals: Array<[string, number]>;
  /** What the survivor logged. */
  takeover: { rooms: number; restored: number; silentMs: number; ms: number; atMs: number } | null;
  restoredLogLines: number;
  /** ms after the kill of the first and the last "room restored" log line of the victim's rooms. */
  firstRestoreMs: number | null;
  lastRestoreMs: number | null;
  listedAtEnd: number | null;
  finishedAfterRestore: number;
  /** ms from the release until the last resumed match ended a game. */
  finishMs: number | null;
  survivorMatches: number;
  survivorMovesPerSecond: { before: number; during: number };
  survivorWindows: number[];
  survivorLatencyDuring: LatencySummary;
  issues: string[];
  failures: string[];
}

export async function failoverScenario(options: FailoverOptions): Promise<FailoverReport> {
  const log = options.log ?? (() => undefined);
  const think = options.thinkMs ?? [300, 800];
  const cluster = await startChaosCluster({ ...FAILOVER_SERVER_ENV, ...options.serverEnv });
  const { A, B, redis } = cluster;
  const matches: FMatch[] = [];
  const events: MoveEvent[] = [];
  const issues: Issue[] = [];
  const failures: string[] = [];
  const refusals = new Map<string, number>();
  const backgrounds: Promise<unknown>[] = [];
  let stopped = false;
  let killedAt = Infinity;
  let survivor: ServerProcess = A;
  let onAllCompared: () => void = () => undefined;

  // -- one player's behaviour: think, then move (or ask for a rematch when the game is over)
  function act(match: FMatch, seat: Seat) {
    const s = seat.room.state;
    if (!s || !s.board || !s.players) return;
    if (seat.index === 0 && s.phase !== match.lastPhase) {
      if (s.phase === "over") {
        match.games++;
        if (match.releasedAt !== undefined && match.finishedAt === undefined) {
          match.finishedAt = now();
          maybeAllFinished();
        }
      }
      match.lastPhase = s.phase;
    }
    const me = s.players.get(seat.sessionId);
    if (seat.pending) {
      const p = seat.pending;
      const confirmed = p.kind === "move" ? s.board[p.cell] !== "" : s.phase !== "over" || me?.rematch === true;
      if (!confirmed) return;
      seat.pending = undefined;
      if (p.kind === "move") {
        match.moves++;
        events.push({ t: now(), match: match.index, latencyMs: now() - p.sentAt });
      }
    }
    if (stopped || match.hold || seat.gone || seat.timer) return;
    const myTurn = s.phase === "playing" && s.currentTurn === seat.sessionId;
    const wantRematch = s.phase === "over" && me?.rematch !== true;
    if (!myTurn && !wantRematch) return;
    seat.timer = setTimeout(() => {
      seat.timer = undefined;
      if (stopped || match.hold || seat.gone || seat.pending) return;
      const st = seat.room.state;
      if (st.phase === "playing" && st.currentTurn === seat.sessionId) {
        const free = Array.from(st.board as unknown as string[]).flatMap((c, i) => (c === "" ? [i] : []));
        const cell = free[Math.floor(Math.random() * free.length)]!;
        seat.pending = { kind: "move", cell, sentAt: now() };
        seat.room.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
      } else if (st.phase === "over" && st.players.get(seat.sessionId)?.rematch !== true) {
        seat.pending = { kind: "rematch", sentAt: now() };
        seat.room.send("rematch");
      } else {
        act(match, seat);
      }
    }, uniform(think));
  }

  function listen(match: FMatch, seat: Seat, room: SdkRoom<any, Ttt>) {
    // The player drives the fallback itself: the SDK would only retry the dead address.
    room.reconnection.enabled = false;
    room.onStateChange(() => {
      if (seat.room === room) act(match, seat);
    });
    room.onMessage("*", (type: string | number, payload: any) => {
      if (type !== "error" || seat.room !== room) return;
      issues.push({ t: now(), match: match.index, seat: seat.index, kind: "error", detail: `${payload?.code}: ${payload?.message}` });
      seat.pending = undefined;
      act(match, seat);
    });
    room.onLeave((code: number) => {
      if (stopped || seat.room !== room) return;
      seat.gone = true;
      seat.pending = undefined;
      clearTimeout(seat.timer);
      seat.timer = undefined;
      if (match.victim && now() >= killedAt) {
        seat.closedAt = now();
        seat.closeCode = code;
        backgrounds.push(resume(match, seat)); // at once, like the web client
      } else {
        issues.push({ t: now(), match: match.index, seat: seat.index, kind: "leave", detail: `code ${code}` });
      }
    });
  }

  /** Resolves with the room once its state (with the players) is there. */
  function stateOf(room: SdkRoom<any, Ttt>, ms: number): Promise<void> {
    if ((room.state as Partial<Ttt> | undefined)?.players) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no state within ${ms} ms`)), ms);
      room.onStateChange(() => {
        if ((room.state as Partial<Ttt> | undefined)?.players) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** The web client's fallback: reconnect with the saved token through the survivor until it works. */
  async function resume(match: FMatch, seat: Seat) {
    const [roomId, secret] = seat.token.split(":") as [string, string];
    const deadline = killedAt + RESUME_WINDOW_MS;
    while (!stopped && now() < deadline) {
      seat.tries++;
      try {
        const room = await new Client(survivor.url).reconnect<Ttt>(seat.token);
        if (stopped) {
          room.leave(true).catch(() => undefined);
          return;
        }
        room.reconnection.enabled = false;
        await stateOf(room, 5000).catch((err) => {
          room.leave(false).catch(() => undefined); // frees the seat for the next attempt
          throw err;
        });
        seat.backAt = now();
        seat.backPort = socketPort(room);
        if (room.sessionId !== seat.sessionId) issues.push({ t: now(), match: match.index, seat: seat.index, kind: "seat", detail: `back as ${room.sessionId}, was ${seat.sessionId}` });
        seat.room = room;
        seat.token = room.reconnectionToken;
        seat.gone = false;
        match.ownerPort = seat.backPort;
        listen(match, seat, room);
        if (match.seats.every((x) => x.backAt !== undefined)) {
          match.allBackAt = now();
          backgrounds.push(compareAndRelease(match));
        }
        return;
      } catch (err) {
        const e = err as { code?: number; message?: string };
        const kind = `${e.code ?? "?"} ${String(e.message ?? err)}`.replaceAll(roomId, "<room>").replaceAll(secret, "<token>");
        seat.lastError = kind;
        refusals.set(kind, (refusals.get(kind) ?? 0) + 1);
        await sleep(uniform(RETRY_BACKOFF_MS));
      }
    }
  }

  /** Once both players are back: wait until each sees everyone connected, compare with before, play on. */
  async function compareAndRelease(match: FMatch) {
    const allConnected = (seat: Seat) => {
      const players = (snapshotOf(seat.room) as { players: Record<string, { connected: boolean; awayUntil: number }> }).players;
      return Object.values(players).every((p) => p.connected && p.awayUntil === 0);
    };
    const until = now() + 10000;
    while (!match.seats.every(allConnected) && now() < until) await sleep(20);
    // Nothing is ignored: the whole state, every field, as each player saw it before the kill.
    match.diffs = match.seats.flatMap((seat, i) => diffPaths(match.before![i], snapshotOf(seat.room)).map((d) => `seat ${i}: ${d}`));
    match.hold = false;
    // A game that had ended before the kill (waiting for the rematch) does not count: the
    // next game's end does.
    match.releasedAt = now();
    for (const seat of match.seats) act(match, seat);
    if (matches.filter((m) => m.victim).every((m) => m.diffs !== undefined)) onAllCompared();
  }

  let onAllFinished: () => void = () => undefined;
  function maybeAllFinished() {
    if (matches.filter((m) => m.victim && m.releasedAt !== undefined).every((m) => m.finishedAt !== undefined)) onAllFinished();
  }

  // -- stall watch: an action unconfirmed for STALL_MS is a finding
  const stallTimer = setInterval(() => {
    const t = now();
    for (const m of matches) {
      for (const seat of m.seats) {
        if (seat.pending && !seat.gone && t - seat.pending.sentAt > STALL_MS) {
          issues.push({ t, match: m.index, seat: seat.index, kind: "stall", detail: `${seat.pending.kind} unconfirmed after ${round(t - seat.pending.sentAt)} ms` });
          seat.pending = undefined;
          act(m, seat);
        }
      }
    }
  }, 250);

  async function createMatch(index: number) {
    const [first, second] = index % 2 === 0 ? [A, B] : [B, A];
    const r1 = await new Client(first.url).create<Ttt>("tictactoe", { name: `m${index}x` });
    const r2 = await new Client(second.url).joinById<Ttt>(r1.roomId, { name: `m${index}o` });
    await Promise.all([stateOf(r1, 5000), stateOf(r2, 5000)]);
    const match: FMatch = { index, roomId: r1.roomId, ownerPort: socketPort(r1), victim: false, seats: [], hold: false, lastPhase: "waiting", moves: 0, games: 0 };
    matches.push(match);
    [r1, r2].forEach((room, i) => {
      const seat: Seat = { index: i, sessionId: room.sessionId, room, token: room.reconnectionToken, gone: false, tries: 0 };
      match.seats.push(seat);
      listen(match, seat, room);
      act(match, seat);
    });
  }

  try {
    log(`processes A :${A.port} and B :${B.port} on Redis :${redis.port}, snapshots on; creating ${options.matches} matches`);
    // In batches, as the chaos load does: the matchmaker places a room on the process with
    // the fewest rooms as counted in Redis (`roomcount`), written at most once a second.
    const observer = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    observer.on("error", () => undefined);
    try {
      const batch = Math.max(1, Math.min(10, Math.ceil(options.matches / 2)));
      for (let i = 0; i < options.matches; i += batch) {
        await Promise.all(Array.from({ length: Math.min(batch, options.matches - i) }, (_, k) => createMatch(i + k)));
        const deadline = now() + 1500;
        while (now() < deadline) {
          const counts = await observer.hgetall("roomcount");
          if (Object.values(counts).reduce((sum, v) => sum + Number(v.split(",")[0]), 0) >= matches.length) break;
          await sleep(50);
        }
      }
    } finally {
      observer.disconnect();
    }
    matches.sort((a, b) => a.index - b.index);
    const onA = matches.filter((m) => m.ownerPort === A.port);
    const onB = matches.filter((m) => m.ownerPort === B.port);
    log(`matches: ${onA.length} on A, ${onB.length} on B`);
    if (onA.length === 0 || onB.length === 0) throw new Error(`the matches did not spread over both processes (A ${onA.length}, B ${onB.length})`);

    const warmStart = now();
    await sleep(options.warmupMs ?? 4000);

    const victimName = onB.length >= onA.length ? "B" : "A";
    const victim = victimName === "B" ? B : A;
    survivor = victim === B ? A : B;
    const victimMatches = victimName === "B" ? onB : onA;
    const survivorMatches = victimName === "B" ? onA : onB;
    for (const m of victimMatches) m.victim = true;

    // Hold the victim's matches still for a moment, so that no action is in flight at the
    // kill: a move the server had written to its snapshot but whose patch never went out is
    // rightly in the restored state while its player never saw it, which would read as a
    // difference. Holding ~100 ms is within the players' think time (the survivor's matches
    // play on); every game is still mid-play.
    const quietStart = now();
    for (const m of victimMatches) m.hold = true;
    const quietDeadline = now() + 3000;
    while (victimMatches.some((m) => m.seats.some((s) => s.pending)) && now() < quietDeadline) await sleep(10);
    await sleep(100); // the last patches reach both players
    const inFlight = victimMatches.filter((m) => m.seats.some((s) => s.pending)).length;
    if (inFlight) failures.push(`${inFlight} victim match(es) still had an action unconfirmed 3 s after play was held`);
    for (const m of victimMatches) {
      m.before = m.seats.map((s) => snapshotOf(s.room));
      const st = m.seats[0]!.room.state;
      m.phaseAtKill = st.phase;
      m.cellsAtKill = Array.from(st.board as unknown as string[]).filter((c) => c !== "").length;
    }
    const quietMs = now() - quietStart;

    const allCompared = new Promise<void>((resolve) => (onAllCompared = resolve));
    const allFinished = new Promise<void>((resolve) => (onAllFinished = resolve));
    killedAt = now();
    const killedWall = Date.now();
    victim.kill("SIGKILL");
    log(`SIGKILL ${victimName} (:${victim.port}) holding ${victimMatches.length} matches; players resume through ${victimName === "B" ? "A" : "B"} (:${survivor.port})`);

    // Until every victim match is compared (or the players' window is over).
    await Promise.race([allCompared, sleep(RESUME_WINDOW_MS + 12000)]);
    const victimSeats = victimMatches.flatMap((m) => m.seats);
    const lastBack = Math.max(...victimSeats.map((s) => s.backAt ?? -Infinity));
    const duringEnd = Number.isFinite(lastBack) ? Math.max(lastBack, killedAt + 3000) : now();
    log(`${victimSeats.filter((s) => s.backAt !== undefined).length} of ${victimSeats.length} players back; playing the resumed games to their end`);

    // Every resumed match plays on until a game ends.
    maybeAllFinished();
    await Promise.race([allFinished, sleep(FINISH_WITHIN_MS)]);
    stopped = true;

    // ---- figures
    const resumedMatches = victimMatches.filter((m) => m.seats.every((s) => s.backAt !== undefined));
    const resumedPlayers = victimSeats.filter((s) => s.backAt !== undefined).length;
    const backTimes = victimSeats.map((s) => (s.backAt === undefined ? Infinity : s.backAt - killedAt));
    const backMs = summarize(backTimes);
    const misplaced = victimSeats.flatMap((s) => (s.backAt !== undefined && s.backPort !== survivor.port ? [`a player came back on :${s.backPort}, not the survivor :${survivor.port}`] : []));
    const compared = victimMatches.filter((m) => m.diffs !== undefined);
    const withDiffs = compared.filter((m) => m.diffs!.length > 0);
    const diffSamples = withDiffs.slice(0, 5).flatMap((m) => m.diffs!.slice(0, 6).map((d) => `match ${m.index} (room ${m.roomId}) ${d}`));
    const closedSeats = victimSeats.filter((s) => s.closedAt !== undefined);
    const tries = victimSeats.map((s) => s.tries);

    const logs = survivor.logs();
    const victimIds = new Set(victimMatches.map((m) => m.roomId));
    const restoredLines = logs.filter((l) => l.msg === "room restored" && victimIds.has(l.roomId));
    const restoreTimes = restoredLines.map((l) => Number(l.time) - killedWall).sort((a, b) => a - b);
    const takeoverLine = logs.find((l) => l.msg === "process dead: its rooms were taken over");
    const takeover = takeoverLine
      ? { rooms: Number(takeoverLine.rooms), restored: Number(takeoverLine.restored), silentMs: Number(takeoverLine.silentMs), ms: Number(takeoverLine.ms), atMs: Number(takeoverLine.time) - killedWall }
      : null;

    let listedAtEnd: number | null = null;
    try {
      const res = await fetch(`${survivor.url}/api/rooms?include=all`, { signal: AbortSignal.timeout(3000) });
      const ids = new Set(((await res.json()) as RoomEntry[]).map((e) => e.roomId));
      listedAtEnd = resumedMatches.filter((m) => ids.has(m.roomId)).length;
    } catch (err) {
      failures.push(`the survivor's /api/rooms failed at the end: ${(err as Error).message}`);
    }

    const finished = resumedMatches.filter((m) => m.finishedAt !== undefined);
    const released = resumedMatches.filter((m) => m.releasedAt !== undefined);
    const finishMs = finished.length === released.length && released.length > 0 ? Math.max(...finished.map((m) => m.finishedAt! - m.releasedAt!)) : null;

    const survivorIds = new Set(survivorMatches.map((m) => m.index));
    const survivorEvents = events.filter((e) => survivorIds.has(e.match));
    const rate = (from: number, to: number) => (to > from ? (survivorEvents.filter((e) => e.t >= from && e.t < to).length * 1000) / (to - from) : 0);
    const windowCount = Math.floor((duringEnd - killedAt) / WINDOW_MS);
    const survivorWindows = new Array<number>(Math.max(0, windowCount)).fill(0);
    for (const e of survivorEvents) {
      const k = Math.floor((e.t - killedAt) / WINDOW_MS);
      if (e.t >= killedAt && k < windowCount) survivorWindows[k]!++;
    }
    const survivorLatencyDuring = summarize(survivorEvents.filter((e) => e.t >= killedAt && e.t < duringEnd).map((e) => e.latencyMs));

    // ---- bounds
    const players = victimSeats.length;
    if (resumedPlayers < players) {
      const missing = victimSeats.filter((s) => s.backAt === undefined);
      failures.push(`${players - resumedPlayers} of ${players} players did not resume within ${RESUME_WINDOW_MS / 1000} s (last error: ${missing[0]?.lastError ?? "none"}${missing.some((s) => s.closedAt === undefined) ? `; ${missing.filter((s) => s.closedAt === undefined).length} never saw their connection close` : ""})`);
    }
    if (misplaced.length) failures.push(...misplaced.slice(0, 5));
    if (compared.length < resumedMatches.length) failures.push(`${resumedMatches.length - compared.length} resumed match(es) were never compared`);
    if (withDiffs.length) failures.push(`${withDiffs.reduce((n, m) => n + m.diffs!.length, 0)} state difference(s) in ${withDiffs.length} resumed match(es): ${diffSamples.slice(0, 3).join("; ")}`);
    if (!(backMs.p99 <= FAILOVER_P99_BOUND_MS)) failures.push(`kill → player back p99 ${fmtMs(backMs.p99)} (bound ${FAILOVER_P99_BOUND_MS} ms)`);
    if (finished.length < resumedMatches.length) failures.push(`${resumedMatches.length - finished.length} of ${resumedMatches.length} resumed matches did not end a game within ${FINISH_WITHIN_MS / 1000} s of the restore`);
    if (restoredLines.length !== victimMatches.length) failures.push(`the survivor logged ${restoredLines.length} "room restored" lines for the ${victimMatches.length} rooms of the dead process`);
    if (listedAtEnd !== null && listedAtEnd < resumedMatches.length) failures.push(`${resumedMatches.length - listedAtEnd} resumed room(s) not in the survivor's listing at the end`);
    const emptyWindows = survivorWindows.flatMap((n, k) => (n === 0 ? [`${k * WINDOW_MS}–${(k + 1) * WINDOW_MS} ms`] : []));
    if (emptyWindows.length) failures.push(`no move in the survivor's own matches in window(s) ${emptyWindows.join(", ")} after the kill`);
    const issueLines = issues
      .sort((a, b) => a.t - b.t)
      .map((i) => `match ${i.match} (${matches.find((m) => m.index === i.match)?.victim ? "victim" : "survivor"}'s) seat ${i.seat}: ${i.kind} ${i.detail} at ${round(i.t - killedAt)} ms ${i.t >= killedAt ? "after" : "before"} the kill`.replace("at -", "at "));
    if (issueLines.length) failures.push(`${issueLines.length} error(s)/disconnect(s)/stall(s) in the matches`);
    if (survivor.exited) failures.push(`the survivor exited: ${survivor.stderr().slice(-2000)}`);

    const phasesAtKill: Record<string, number> = {};
    for (const m of victimMatches) phasesAtKill[m.phaseAtKill!] = (phasesAtKill[m.phaseAtKill!] ?? 0) + 1;
    const playing = victimMatches.filter((m) => m.phaseAtKill === "playing");

    return {
      scenario: "SIGKILL with high availability",
      matchesOnA: onA.length,
      matchesOnB: onB.length,
      victim: victimName,
      survivor: victimName === "B" ? "A" : "B",
      victimMatches: victimMatches.length,
      phasesAtKill,
      meanCellsPlaying: playing.length ? playing.reduce((n, m) => n + m.cellsAtKill!, 0) / playing.length : 0,
      quietMs,
      players,
      closed: closedSeats.length,
      lastCloseMs: closedSeats.length ? Math.max(...closedSeats.map((s) => s.closedAt! - killedAt)) : null,
      resumedPlayers,
      resumedMatches: resumedMatches.length,
      misplaced,
      compared: compared.length,
      matchesWithDiffs: withDiffs.length,
      diffCount: withDiffs.reduce((n, m) => n + m.diffs!.length, 0),
      diffSamples,
      backMs,
      lastBackMs: Number.isFinite(lastBack) ? lastBack - killedAt : null,
      triesMean: tries.reduce((a, b) => a + b, 0) / Math.max(1, tries.length),
      triesMax: Math.max(0, ...tries),
      refusals: [...refusals].sort((a, b) => b[1] - a[1]),
      takeover,
      restoredLogLines: restoredLines.length,
      firstRestoreMs: restoreTimes[0] ?? null,
      lastRestoreMs: restoreTimes.at(-1) ?? null,
      listedAtEnd,
      finishedAfterRestore: finished.length,
      finishMs,
      survivorMatches: survivorMatches.length,
      survivorMovesPerSecond: { before: rate(warmStart, quietStart), during: rate(killedAt, duringEnd) },
      survivorWindows,
      survivorLatencyDuring,
      issues: issueLines,
      failures,
    };
  } finally {
    stopped = true;
    clearInterval(stallTimer);
    for (const m of matches) for (const s of m.seats) clearTimeout(s.timer);
    await Promise.all(
      matches.flatMap((m) =>
        m.seats
          .filter((s) => !s.gone)
          .map(async (s) => {
            const left = s.room.leave(true);
            const timeout = sleep(1000).then(() => "timeout" as const);
            if ((await Promise.race([left, timeout])) === "timeout") (s.room.connection?.transport as unknown as { ws?: { terminate(): void } } | undefined)?.ws?.terminate();
          }),
      ),
    );
    await Promise.race([Promise.allSettled(backgrounds), sleep(2000)]);
    await cluster.destroy();
  }
}

export function formatFailover(r: FailoverReport): string[] {
  const phases = Object.entries(r.phasesAtKill)
    .map(([phase, n]) => `${n} ${phase}`)
    .join(", ");
  const t = r.takeover;
  const lat = r.survivorLatencyDuring;
  const minWindow = r.survivorWindows.length ? Math.min(...r.survivorWindows) : "—";
  return [
    `${r.scenario}: ${r.matchesOnA} matches on A, ${r.matchesOnB} on B; SIGKILL of ${r.victim} holding ${r.victimMatches} matches (${phases}; ${r.meanCellsPlaying.toFixed(1)} of 9 cells filled on average in those playing; held still ${round(r.quietMs)} ms before the kill so no move was in flight)`,
    `  ${r.closed} of ${r.players} players saw their connection close, the last ${fmtMs(r.lastCloseMs)} after the kill; each then looped reconnect(token) through ${r.survivor} every ${RETRY_BACKOFF_MS[0]}–${RETRY_BACKOFF_MS[1]} ms`,
    `  players resumed: ${r.resumedPlayers}/${r.players} (${pct(r.resumedPlayers, r.players)}); matches resumed: ${r.resumedMatches}/${r.victimMatches} (${pct(r.resumedMatches, r.victimMatches)})   (target 100 %)`,
    `  state differences once both players were back (whole state, nothing ignored): ${r.diffCount} in ${r.matchesWithDiffs} of ${r.compared} matches compared   (target 0)${r.diffSamples.length ? "\n    " + r.diffSamples.join("\n    ") : ""}`,
    `  kill → player back: p50 ${fmtMs(r.backMs.p50)}, p99 ${fmtMs(r.backMs.p99)}, max ${fmtMs(r.backMs.max)}   (bound p99 ≤ ${FAILOVER_P99_BOUND_MS} ms); kill → last player back: ${fmtMs(r.lastBackMs)}`,
    `  reconnect attempts per player: mean ${r.triesMean.toFixed(1)}, max ${r.triesMax}; refusals while the room was not back: ${r.refusals.length ? r.refusals.map(([k, n]) => `${n}× "${k}"`).join(", ") : "none"}`,
    `  survivor ${r.survivor}: ${t ? `declared ${r.victim} dead ${fmtMs(t.atMs)} after the kill (heartbeat silent ${fmtMs(t.silentMs)}), took over ${t.rooms} rooms, restored ${t.restored} in ${fmtMs(t.ms)}` : `no "process dead" log line`}; "room restored" lines for the victim's rooms: ${r.restoredLogLines} (${fmtMs(r.firstRestoreMs)} … ${fmtMs(r.lastRestoreMs)} after the kill); listed by the survivor at the end: ${r.listedAtEnd ?? "—"}/${r.resumedMatches}`,
    `  resumed matches that played on and finished a game after the restore: ${r.finishedAfterRestore}/${r.resumedMatches}${r.finishMs === null ? "" : ` (the last ${fmtMs(r.finishMs)} after play resumed)`}`,
    `  survivor's own ${r.survivorMatches} matches: ${r.survivorMovesPerSecond.before.toFixed(0)} moves/s before, ${r.survivorMovesPerSecond.during.toFixed(0)} from the kill to the last player back (min ${minWindow} per ${WINDOW_MS} ms window); move latency then: ${lat.count ? `p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms` : "no moves"}`,
    `  errors/disconnects/stalls in the matches: ${r.issues.length}${r.issues.length ? "\n    " + r.issues.slice(0, 10).join("\n    ") : ""}`,
    r.failures.length ? `  FAILED:\n    ${r.failures.join("\n    ")}` : `  all bounds met`,
  ];
}
