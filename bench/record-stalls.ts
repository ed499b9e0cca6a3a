/**
 * How long recording finished games holds the event loop, on the embedded database: with
 * its WAL checkpoints in a worker thread (the server's way, src/players/checkpointer.ts)
 * and with SQLite checkpointing inside the commits (its default, the server's way before).
 * better-sqlite3 is synchronous, so a transaction's wall time is time every room of the
 * process waits. Each setting: a fresh database with 1,000 guests, then 3 rounds of 400
 * transactions of 13 TicTacToe matches each (about what a 50 ms gather holds at 260 games a
 * second); per round, each transaction's wall time (p50, p90, p99, max) and the CPU per match.
 * The settings alternate, twice each.
 *
 *   npx tsx bench/record-stalls.ts
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../src/players/database.js";
import { PlayerStore } from "../src/players/store.js";
import { finishedMatch } from "./finished-matches.js";
import { pct } from "./run.js";

const BATCH = 13;
const TRANSACTIONS = 400;
const ROUNDS = 3;

async function run(inCommits: boolean) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "record-stalls-"));
  const db = await openDatabase({ dataDir });
  try {
    if (inCommits) {
      // SQLite's default, as before the checkpointer: the commit that crosses 1,000 pages checkpoints.
      await db.checkpointer!.stop();
      db.sqlite!.pragma("wal_autocheckpoint = 1000");
    }
    const store = new PlayerStore(db);
    const users: string[] = [];
    for (let i = 0; i < 1000; i++) users.push((await store.createGuest(`G${i}`)).id);
    const match = () => finishedMatch(users);
    for (let round = 1; round <= ROUNDS; round++) {
      const batches = Array.from({ length: TRANSACTIONS }, () => Array.from({ length: BATCH }, match));
      const walls: number[] = [];
      const cpu0 = process.cpuUsage();
      for (const batch of batches) {
        const t0 = performance.now();
        await store.recordMatches(batch);
        walls.push(performance.now() - t0);
        // Between gathers the event loop runs (and the worker checkpoints meanwhile).
        await new Promise((r) => setImmediate(r));
      }
      const cpu = process.cpuUsage(cpu0);
      walls.sort((x, y) => x - y);
      const at = (p: number) => pct(walls, p).toFixed(2).padStart(6);
      const perMatch = (cpu.user + cpu.system) / (TRANSACTIONS * BATCH);
      console.log(`${(inCommits ? "in the commits" : "in a worker").padEnd(16)} round ${round}   ${at(50)}  ${at(90)}  ${at(99)}  ${at(100)}     ${perMatch.toFixed(0).padStart(5)}`);
    }
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`Recording on the embedded database: transactions of ${BATCH} matches, wall time per transaction (ms), CPU per match (µs, this thread and the worker)`);
  console.log("checkpoints               p50     p90     p99     max   CPU/match");
  for (const inCommits of [false, true, false, true]) await run(inCommits);
}

void main();
