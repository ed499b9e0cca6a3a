/**
 * High-availability tests' tools: which process owns a room, and a player coming back by
 * itself after its process died, the way the web client does it: `client.reconnect(token)`
 * through a live server address, retried until the room is back (or the time is up).
 */
import assert from "node:assert/strict";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { Redis } from "ioredis";
import { startServers, stopAllServers, type ServerProcess } from "./cluster.js";
import { Player } from "./clients.js";
import { startRedis, type TestRedis } from "./redis.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process whose port the room's WebSocket went to. */
export function ownerOf(room: SdkRoom, processes: readonly ServerProcess[]): ServerProcess {
  const port = Number(new URL(room.connection.url!).port);
  const owner = processes.find((p) => p.port === port);
  if (!owner) throw new Error(`no process listens on ${port}`);
  return owner;
}

/** A joined player whose SDK will not reconnect by itself (the tests drive the fallback). */
export function seated<S>(room: SdkRoom<any, S>): Player<S> & { token: () => string; synced: () => Promise<void> } {
  room.reconnection.enabled = false;
  const player = new Player<S>(room) as Player<S> & { token: () => string; synced: () => Promise<void> };
  player.token = () => room.reconnectionToken;
  // Every game's state has a players map; it is there once the first state is decoded.
  player.synced = () => player.until(() => (room.state as { players?: unknown } | undefined)?.players !== undefined, "the room's state");
  return player;
}

/**
 * Reconnects with `token` through `via` (any live process) until it works: the room is
 * restored a few seconds after its process died. Resolves with the new player and how long
 * it took.
 */
export async function resume<S>(token: string, via: ServerProcess, timeoutMs = 20000): Promise<{ player: ReturnType<typeof seated<S>>; ms: number; tries: number }> {
  const started = Date.now();
  let tries = 0;
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    tries++;
    try {
      const room = await new Client(via.url).reconnect<S>(token);
      const player = seated(room);
      await player.synced();
      return { player, ms: Date.now() - started, tries };
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`could not resume within ${timeoutMs} ms (${tries} tries); last error: ${(last as Error)?.message}`);
}

/** The room's whole state as plain JSON (what a client sees). */
export function snapshotOf(player: Player<any>): unknown {
  return JSON.parse(JSON.stringify((player.state as { toJSON(): unknown }).toJSON()));
}

/** The failover tests' server environment: short HA and sweep intervals, lifted message rate. */
export const FAILOVER_ENV: Record<string, string> = {
  RECONNECT_SECONDS: "30",
  PROCESS_SWEEP_MS: "500",
  HA_CHECK_MS: "250",
  HA_DEAD_AFTER_MS: "1500",
  HA_PROBE_MS: "500",
  LISTING_REFRESH_MS: "250",
  MESSAGES_PER_SECOND: "200",
  MESSAGE_BURST: "200",
  LOG_LEVEL: "info",
};

/** A joined, synced player whose token the test can read. */
export type Seated<S> = ReturnType<typeof seated<S>>;

export interface FailoverSuite {
  /** The processes of the running test (after `start`). */
  readonly processes: ServerProcess[];
  /** A connection to the test's private Redis. */
  readonly redis: Redis;
  readonly redisUrl: string;
  /** Starts `n` server processes on the test's Redis with `env` on top of the suite's. */
  start(n: number, env?: Record<string, string>): Promise<ServerProcess[]>;
  /** Creates or joins a room through `via`; resolves once the state is there. */
  join<S>(via: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>): Promise<Seated<S>>;
  /** Kills the owner of the players' room and resumes every player through a survivor. */
  killAndResume<S>(players: Seated<S>[], signal?: NodeJS.Signals): Promise<{ owner: ServerProcess; survivor: ServerProcess; before: unknown[]; resumed: Seated<S>[]; ms: number[] }>;
  /** Waits until every resumed player sees every seat connected again, then compares each state with the one before. */
  sameStateOnceAllBack<S>(resumed: Seated<S>[], before: unknown[]): Promise<void>;
  /** Players to clean up after the test. */
  track(...players: Seated<any>[]): void;
}

/**
 * The failover tests' setup: a fresh private redis-server per test, processes started by the
 * test, every player's room and every process cleaned up after it (with the processes' last
 * log lines printed when it failed). Call inside a `describe`.
 */
export function failoverSuite(baseEnv: Record<string, string>): FailoverSuite {
  let redis: TestRedis;
  let client: Redis;
  let processes: ServerProcess[] = [];
  const open: Seated<any>[] = [];

  beforeEach(async function () {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    processes = [];
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      for (const p of processes) console.log(`--- process on ${p.port}${p.exited ? " (exited)" : ""}:\n${p.lines.slice(-40).join("\n")}\n${p.stderr().slice(-2000)}`);
    }
    for (const p of open.splice(0)) p.room.removeAllListeners();
    await stopAllServers();
    client?.disconnect();
    await redis?.stop();
  });

  const suite: FailoverSuite = {
    get processes() {
      return processes;
    },
    get redis() {
      return client;
    },
    get redisUrl() {
      return redis.url;
    },
    async start(n, env = {}) {
      const started = await startServers(n, { redisUrl: redis.url, env: { ...baseEnv, ...env } });
      processes.push(...started);
      return started;
    },
    async join<S>(via: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>) {
      const sdk = new Client(via.url);
      const room = method === "create" ? await sdk.create<S>(target, options) : await sdk.joinById<S>(target, options);
      const p = seated(room);
      open.push(p);
      await p.synced();
      return p;
    },
    async killAndResume<S>(players: Seated<S>[], signal: NodeJS.Signals = "SIGKILL") {
      const owner = ownerOf(players[0]!.room, processes);
      const survivor = processes.find((p) => p !== owner && !p.exited)!;
      const before = players.map(snapshotOf);
      const tokens = players.map((p) => p.token());
      owner.kill(signal);
      const back = await Promise.all(tokens.map((t) => resume<S>(t, survivor)));
      const resumed = back.map((b) => b.player);
      open.push(...resumed);
      for (const p of resumed) assert.equal(ownerOf(p.room, processes), survivor, "resumed on the survivor");
      return { owner, survivor, before, resumed, ms: back.map((b) => b.ms) };
    },
    async sameStateOnceAllBack<S>(resumed: Seated<S>[], before: unknown[]) {
      await Promise.all(
        resumed.map((p) =>
          p.until(() => Object.values((snapshotOf(p) as { players: Record<string, { awayUntil?: number }> }).players).every((x) => !x.awayUntil), "every player back", 10000),
        ),
      );
      resumed.forEach((p, i) => assert.deepEqual(snapshotOf(p), before[i], "the state after the restore is the state before the crash"));
    },
    track(...players) {
      open.push(...players);
    },
  };
  return suite;
}

/**
 * Two seated TicTacToe players in a new room created through `via`, the game running:
 * `first` is on turn; `owner` is the process the matchmaker put the room on.
 */
export async function tttPair(suite: Pick<FailoverSuite, "join" | "processes">, via: ServerProcess) {
  const a = await suite.join<BoardGameState>(via, "create", "tictactoe", { name: "Ada" });
  const b = await suite.join<BoardGameState>(via, "joinById", a.room.roomId, { name: "Bob" });
  await a.until(() => a.state.currentTurn !== "", "game start");
  await b.until(() => b.state.currentTurn !== "", "game start");
  const first = a.state.currentTurn === a.id ? a : b;
  return { first, second: first === a ? b : a, roomId: a.room.roomId, owner: ownerOf(a.room, suite.processes) };
}
