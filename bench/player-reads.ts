/**
 * What the players' API costs the event loop on the embedded database (better-sqlite3 is
 * synchronous: a read's wall time is time every room of the process waits), as the
 * database grows: a leaderboard read (the best rated players, read from an index in their
 * order; half the players only played the bot and are not in it; the server keeps it and
 * reads it at most once a second, src/players/leaderboards.ts),
 * a profile (its last 20 matches, read from the index on player and end) of a player
 * with many matches, and a match with a long action log. Fresh databases, filled
 * directly; each read 5 times, median and max.
 *
 *   npx tsx bench/player-reads.ts [players=100000] [matches=50000]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../src/players/database.js";
import { PlayerStore } from "../src/players/store.js";

const players = Number(process.argv[2] ?? 100_000);
const matches = Number(process.argv[3] ?? 50_000);

async function timed(what: string, read: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await read();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  console.log(`${what}: median ${ms[2]!.toFixed(2)} ms, max ${ms[4]!.toFixed(2)} ms`);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "player-reads-"));
  const db = await openDatabase({ dataDir });
  try {
    const store = new PlayerStore(db);
    const sqlite = db.sqlite!;
    const user = sqlite.prepare("insert into users (id, name, email, password, guest, created_at) values (?, ?, null, null, 0, 0)");
    const stats = sqlite.prepare("insert into stats (user_id, game, played, won, lost, drawn, rated, mu, sigma) values (?, 'dice', ?, 0, 0, 0, ?, ?, ?)");
    const match = sqlite.prepare("insert into matches (id, game, started_at, ended_at, rated, result, log) values (?, 'tictactoe', ?, ?, 0, '{}', '[]')");
    const seat = sqlite.prepare("insert into match_players (match_id, seat, user_id, name, placement, ended_at) values (?, ?, ?, 'x', ?, ?)");
    sqlite.transaction(() => {
      for (let i = 0; i < players; i++) {
        user.run(`u${i}`, `Player ${i}`);
        // Half played only the bot (no rated game: a new player's 0.0, all alike), half rated games.
        if (i % 2 === 0) stats.run(`u${i}`, 5 + (i % 50), 0, 25, 25 / 3);
        else stats.run(`u${i}`, 5 + (i % 50), 5 + (i % 50), 25 + Math.random() * 10, 8 * Math.random());
      }
      for (let i = 0; i < matches; i++) {
        const id = `m${String(i).padStart(9, "0")}`;
        match.run(id, i * 1000, i * 1000 + 500);
        seat.run(id, 0, "u0", 1, i * 1000 + 500);
        seat.run(id, 1, "u1", 2, i * 1000 + 500);
      }
    })();
    console.log(`${players} players with Dice stats; one player with ${matches} TicTacToe matches`);
    await timed("leaderboard read (once a second at most per game)", () => store.leaderboard("dice", 100));
    await timed(`profile of the player with ${matches} matches`, () => store.profile("u0"));
    await timed("profile of a player with none", () => store.profile("u2"));
    // A match with a long log (a Dice game's 30 selection changes between each of 300 rolls
    // is about this size): the answer as the API sends it, then as it was built until 2026-12-03
    // (the log parsed and serialised again for each request).
    const steps = Array.from({ length: 3000 }, (_, i) => ({ t: i * 500, seat: i % 2, action: { type: "toggle_die", index: i % 6 }, dice: [1, 2, 3, 4, 5, 6] }));
    match.run("m-long", 0, 1);
    sqlite.prepare("update matches set log = ? where id = 'm-long'").run(JSON.stringify({ initial: {}, steps }));
    seat.run("m-long", 0, "u0", 1, 1);
    const size = (await store.matchJson("m-long"))!.length;
    await timed(`match with a ${Math.round(size / 1024)} KB log, as the API answers it (stored log sent as it is)`, () => store.matchJson("m-long"));
    await timed(`the same, parsed and serialised again (before 2026-12-03)`, async () => JSON.stringify(await store.match("m-long")));
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
