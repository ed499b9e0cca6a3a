/**
 * Tools for the attack tests (test/abuse): a server process at its default limits, clients
 * that claim other addresses through `X-Forwarded-For` (the server trusts one proxy hop
 * there), an honest game whose latency is probed while an attack runs, and the server's
 * memory and `/health` time.
 */
import { readFileSync } from "node:fs";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { Player } from "./clients.js";
import { startServer, type ServerProcess } from "./cluster.js";

/** A server process at its default limits, trusting one proxy hop (so tests can speak for many addresses). */
export function startDefaultServer(env: Record<string, string> = {}, redisUrl = "", nodeArgs: string[] = []): Promise<ServerProcess> {
  return startServer({ redisUrl, defaultLimits: true, nodeArgs, env: { TRUST_PROXY: "1", LOG_LEVEL: "info", ...env } });
}

/** `10.<a>.<b>.<c>` for n = 0, 1, 2… : a distinct client address per n. */
export function address(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** An SDK client whose HTTP requests and WebSockets claim to come from `from`. */
export function clientFrom(server: ServerProcess, from: string): Client {
  return new Client(server.url, { headers: { "X-Forwarded-For": from } });
}

/** The server process's resident memory, in MB (from /proc). */
export function rssMb(server: ServerProcess): number {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** How long GET /health takes, in ms (its status must be 200). */
export async function healthMs(server: ServerProcess): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/health`);
  await res.text();
  if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
  return performance.now() - t0;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * An honest TicTacToe game between two players from their own addresses. `move()` plays
 * the next move of a fixed sequence and resolves with the time until both players see it
 * (a rematch starts a new game when one ends), so a test can time real moves while an
 * attack runs.
 */
export class HonestGame {
  private constructor(
    readonly a: Player<TicTacToeState>,
    readonly b: Player<TicTacToeState>,
  ) {}

  static async start(server: ServerProcess, from = ["192.0.2.1", "192.0.2.2"]): Promise<HonestGame> {
    const roomA: SdkRoom<any, TicTacToeState> = await clientFrom(server, from[0]!).create("tictactoe", { name: "Honest A", private: true });
    const a = new Player<TicTacToeState>(roomA);
    const b = new Player<TicTacToeState>(await clientFrom(server, from[1]!).joinById(roomA.roomId, { name: "Honest B" }));
    await a.until(() => a.state.phase === "playing", "honest game started", 5000);
    await b.until(() => b.state.phase === "playing", "honest game started", 5000);
    return new HonestGame(a, b);
  }

  /** Plays one move (or asks for the rematch once a game is over); resolves with its latency in ms. */
  async move(timeoutMs = 5000): Promise<number> {
    const { a, b } = this;
    if (a.state.phase === "over") {
      const t0 = performance.now();
      a.send("rematch");
      b.send("rematch");
      await a.until(() => a.state.phase === "playing", "rematch", timeoutMs);
      await b.until(() => b.state.phase === "playing", "rematch", timeoutMs);
      return performance.now() - t0;
    }
    const mover = a.state.currentTurn === a.id ? a : b;
    const board = Array.from(mover.state.board);
    const free = board.findIndex((c) => c === "");
    const marks = board.filter((c) => c !== "").length;
    const t0 = performance.now();
    mover.send("make_move", { row: Math.floor(free / 3), col: free % 3 });
    const seen = (p: Player<TicTacToeState>) => Array.from(p.state.board).filter((c) => c !== "").length > marks;
    await a.until(() => seen(a), "honest move seen by A", timeoutMs);
    await b.until(() => seen(b), "honest move seen by B", timeoutMs);
    return performance.now() - t0;
  }

  /** Plays moves every `everyMs` until `stop()` resolves; the move latencies. */
  async playWhile(stop: Promise<unknown>, everyMs = 120): Promise<number[]> {
    let done = false;
    void stop.finally(() => (done = true));
    const latencies: number[] = [];
    while (!done) {
      latencies.push(await this.move());
      await new Promise((r) => setTimeout(r, everyMs));
    }
    return latencies;
  }

  async leave() {
    await Promise.allSettled([this.a.room.leave(true), this.b.room.leave(true)]);
  }
}
