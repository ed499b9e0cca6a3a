/**
 * What recording finished games costs the game process on PostgreSQL: the writer with
 * statements prepared once (src/players/postgres-results.ts, the server's) against the
 * query builder's (Kysely, the reference it is tested against), on one private PostgreSQL
 * server (bench/run.ts `benchPostgres`). This process is pinned to the first CPU and
 * PostgreSQL to the others when there are two and taskset is there (`--no-pin`: not), so
 * that a write that wakes PostgreSQL does not hand it this process's CPU. Each writer:
 * rounds of TicTacToe matches between 100 guests in transactions of `--batch` matches (7:
 * what a 50 ms gather holds at about 130 games a second; 30 on a busier server), after a
 * warm-up round; which writer goes first alternates. Prints the CPU of this process per
 * match (what the game server pays) and the wall time per match.
 *
 *   npx tsx bench/record-postgres.ts [--batch 7] [--matches 7000] [--rounds 3]
 */
import os from "node:os";
import { openDatabase } from "../src/players/database.js";
import { PlayerStore } from "../src/players/store.js";
import { finishedMatch } from "./finished-matches.js";
import { benchPostgres, PIN, pin } from "./run.js";

const args = process.argv.slice(2);
const option = (name: string, def: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const BATCH = option("--batch", 7);
const MATCHES = option("--matches", 7000);
const ROUNDS = option("--rounds", 3);
const USERS = 100;

async function main() {
  const pg = await benchPostgres();
  // PostgreSQL is on the other CPUs (benchPostgres); this process on the first.
  if (PIN) pin(process.pid, "0");
  const opened = await openDatabase({ url: pg.url, dataDir: os.tmpdir() });
  try {
    const writers: [string, PlayerStore][] = [
      ["prepared", new PlayerStore(opened)],
      ["kysely", new PlayerStore({ db: opened.db, kind: opened.kind })],
    ];
    const users: string[] = [];
    for (let i = 0; i < USERS; i++) users.push((await writers[0]![1].createGuest(`G${i}`)).id);
    const match = () => finishedMatch(users);
    console.log(`Recording on PostgreSQL: transactions of ${BATCH} matches, ${MATCHES} matches a round${PIN ? ", this process on CPU 0 and PostgreSQL on the others" : ""}`);
    console.log("writer      round   CPU µs/match   wall µs/match");
    for (let round = 0; round <= ROUNDS; round++) {
      // Which goes first alternates from round to round.
      for (const [name, store] of round % 2 === 0 ? writers : [...writers].reverse()) {
        const batches = Array.from({ length: Math.round(MATCHES / BATCH) }, () => Array.from({ length: BATCH }, match));
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (const batch of batches) await store.recordMatches(batch);
        const cpu = process.cpuUsage(cpu0);
        const n = batches.length * BATCH;
        console.log(`${name.padEnd(10)}  ${round === 0 ? "warm-up" : String(round).padStart(7)}   ${((cpu.user + cpu.system) / n).toFixed(0).padStart(12)}   ${(((performance.now() - t0) * 1000) / n).toFixed(0).padStart(13)}`);
      }
    }
  } finally {
    await opened.close();
    await pg.stop();
  }
}

void main();
