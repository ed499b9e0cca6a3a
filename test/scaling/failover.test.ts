/**
 * High availability (issue 10): real server processes on a private redis-server. The
 * process that owns a game is killed (SIGKILL) or stalled (SIGSTOP); a survivor restores
 * the room from its snapshot, and the players come back with `client.reconnect(token)`
 * through a survivor, with identical state, and finish the game.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { startServers, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { ownerOf, resume, seated, snapshotOf } from "../helpers/failover.js";
import { tttMove } from "../helpers/rooms.js";
import type { Player } from "../helpers/clients.js";

const ENV = {
  RECONNECT_SECONDS: "30",
  PROCESS_SWEEP_MS: "500",
  HA_CHECK_MS: "250",
  HA_DEAD_AFTER_MS: "1500",
  LISTING_REFRESH_MS: "250",
  MESSAGES_PER_SECOND: "200",
  MESSAGE_BURST: "200",
  LOG_LEVEL: "info",
};

type Seated<S> = Player<S> & { token: () => string; synced: () => Promise<void> };

describe("High availability: games survive the death of their process (issue 10)", function () {
  this.timeout(60000);
  let redis: TestRedis;
  let redisClient: Redis;
  let processes: ServerProcess[];
  const open: Seated<any>[] = [];

  beforeEach(async function () {
    redis = await startRedis();
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    redisClient.on("error", () => undefined);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      for (const p of processes ?? []) console.log(`--- process on ${p.port}${p.exited ? " (exited)" : ""}:\n${p.lines.slice(-40).join("\n")}\n${p.stderr().slice(-2000)}`);
    }
    for (const p of open.splice(0)) p.room.removeAllListeners();
    await stopAllServers();
    redisClient?.disconnect();
    await redis?.stop();
  });

  const start = async (n: number, env: Record<string, string> = {}) => {
    processes = await startServers(n, { redisUrl: redis.url, env: { ...ENV, ...env } });
    return processes;
  };

  async function join<S>(via: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>): Promise<Seated<S>> {
    const client = new Client(via.url);
    const room = method === "create" ? await client.create<S>(target, options) : await client.joinById<S>(target, options);
    const p = seated(room);
    open.push(p);
    await p.synced();
    return p;
  }

  /** Kills the owner, resumes every player through a survivor; returns the new players and the states before. */
  async function killAndResume<S>(players: Seated<S>[], signal: NodeJS.Signals = "SIGKILL") {
    const owner = ownerOf(players[0]!.room, processes);
    const survivor = processes.find((p) => p !== owner)!;
    const before = players.map(snapshotOf);
    const tokens = players.map((p) => p.token());
    owner.kill(signal);
    const back = await Promise.all(tokens.map((t) => resume<S>(t, survivor)));
    const resumed = back.map((b) => b.player);
    open.push(...resumed);
    for (const p of resumed) assert.equal(ownerOf(p.room, processes), survivor, "resumed on the survivor");
    return { owner, survivor, before, resumed, ms: back.map((b) => b.ms) };
  }

  /** Waits until every resumed player sees every seat connected again, then compares with the state before. */
  async function sameStateOnceAllBack<S>(resumed: Seated<S>[], before: unknown[]) {
    await Promise.all(
      resumed.map((p) =>
        p.until(() => Object.values((snapshotOf(p) as { players: Record<string, { awayUntil?: number }> }).players).every((x) => !x.awayUntil), "every player back", 10000),
      ),
    );
    resumed.forEach((p, i) => assert.deepEqual(snapshotOf(p), before[i], "the state after the restore is the state before the crash"));
  }

  it("TicTacToe: SIGKILL after two moves; both players resume on the survivor with identical state, then finish the game", async () => {
    const [A] = await start(2);
    const a = await join<Ttt>(A!, "create", "tictactoe", { name: "Ada" });
    const b = await join<Ttt>(A!, "joinById", a.room.roomId, { name: "Bob" });
    await a.until(() => a.state.currentTurn !== "", "game start");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    await tttMove(first, [a, b], 0, 0);
    await tttMove(second, [a, b], 1, 0);

    const { survivor, before, resumed } = await killAndResume([first, second]);
    await sameStateOnceAllBack(resumed, before);
    const [f, s] = resumed as [Seated<Ttt>, Seated<Ttt>];
    assert.equal(f.room.roomId, a.room.roomId, "same room id");
    await tttMove(f, [f, s], 0, 1);
    await tttMove(s, [f, s], 1, 1);
    await tttMove(f, [f, s], 0, 2);
    await f.until(() => (f.state as unknown as { winner: string }).winner === f.id, "a win");
    const restoredLog = survivor.logs().find((l) => l.msg === "room restored");
    assert.ok(restoredLog, "the survivor logs the restore");
    assert.equal(restoredLog.roomId, a.room.roomId);
  });
});
