/**
 * The kept leaderboards (src/players/leaderboards.ts) over the real embedded database: a
 * flood of requests costs one read a game, a recorded result shows within a second (and
 * not sooner than that, however many requests), a failed read is not kept.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type PlayersDatabase } from "../../src/players/database.js";
import { LEADERBOARD_MAX, Leaderboards } from "../../src/players/leaderboards.js";
import { PlayerStore, type MatchRecord } from "../../src/players/store.js";

let seq = 0;
const win = (game: string, winner: string, loser: string): MatchRecord => ({
  id: `lb-${++seq}`,
  game,
  startedAt: 1_900_000_000_000 + seq,
  endedAt: 1_900_000_000_000 + seq + 1000,
  players: [
    { seat: 0, userId: winner, name: "W", placement: 1 },
    { seat: 1, userId: loser, name: "L", placement: 2 },
  ],
  result: { reason: "won" },
  log: [],
});

describe("Leaderboards (src/players/leaderboards.ts) on the embedded database", () => {
  let dataDir: string;
  let opened: PlayersDatabase;
  let store: PlayerStore;
  let clock: number;
  let reads: string[];
  let failNext: boolean;
  const boards = (options: { maxAgeMs?: number; minAgeMs?: number } = {}) =>
    new Leaderboards({
      read: (game, limit) => {
        reads.push(game);
        assert.equal(limit, LEADERBOARD_MAX, "the whole kept length is read, whatever the request asked for");
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error("database down"));
        }
        return store.leaderboard(game, limit);
      },
      now: () => clock,
      ...options,
    });
  const names = (entries: { name: string }[]) => entries.map((e) => e.name);

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "leaderboards-test-"));
    opened = await openDatabase({ dataDir });
    store = new PlayerStore(opened, 1);
    clock = 1_000_000;
    reads = [];
    failNext = false;
  });
  afterEach(async () => {
    await opened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a flood of requests (any limit, some at once) reads each game once until its time is up; then once more", async () => {
    const [ada, bob] = [await store.createGuest("Ada"), await store.createGuest("Bob")];
    await store.recordMatch(win("tictactoe", ada.id, bob.id));
    const lb = boards();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => lb.leaderboard("tictactoe", 1 + (i % 3))));
    assert.deepEqual(names(answers[0]!), ["Ada"]);
    assert.deepEqual(names(answers[1]!), ["Ada", "Bob"], "a slice of what is kept");
    for (let t = 0; t < 9_999; t += 1000) {
      clock = 1_000_000 + t;
      await lb.leaderboard("tictactoe", 20);
    }
    assert.deepEqual(reads, ["tictactoe"], "one read for 60 requests within 10 s");
    await lb.leaderboard("dice", 20);
    assert.deepEqual(reads, ["tictactoe", "dice"], "each game has its own");
    clock = 1_000_000 + 10_000;
    await lb.leaderboard("tictactoe", 20);
    assert.deepEqual(reads, ["tictactoe", "dice", "tictactoe"], "read again after 10 s");
  });

  it("a recorded result of a game shows at the first request a second or more after the last read, and not before; another game's result changes nothing", async () => {
    const [ada, bob] = [await store.createGuest("Ada"), await store.createGuest("Bob")];
    await store.recordMatch(win("tictactoe", ada.id, bob.id));
    const lb = boards();
    const t0 = clock;
    assert.deepEqual(names(await lb.leaderboard("tictactoe", 20)), ["Ada", "Bob"]);
    // Bob wins twice: he passes Ada.
    clock = t0 + 500;
    await store.recordMatch(win("tictactoe", bob.id, ada.id));
    await store.recordMatch(win("tictactoe", bob.id, ada.id));
    lb.changed(["tictactoe"]);
    clock = t0 + 900;
    assert.deepEqual(names(await lb.leaderboard("tictactoe", 20)), ["Ada", "Bob"], "within a second of the last read: kept");
    clock = t0 + 1000;
    assert.deepEqual(names(await lb.leaderboard("tictactoe", 20)), ["Bob", "Ada"], "a second after it: read again, with the new results");
    assert.equal(reads.length, 2);
    clock = t0 + 1999;
    lb.changed(["tictactoe"]);
    await lb.leaderboard("tictactoe", 20);
    assert.equal(reads.length, 2, "changes keep coming: still at most one read a second");
    // A Dice result: the TicTacToe leaderboard stays kept (read 1 s ago, not changed since).
    clock = t0 + 2000;
    await lb.leaderboard("tictactoe", 20);
    assert.equal(reads.length, 3);
    await store.recordMatch(win("dice", ada.id, bob.id));
    lb.changed(["dice"]);
    clock = t0 + 8000;
    await lb.leaderboard("tictactoe", 20);
    assert.equal(reads.length, 3, "another game's result changes nothing");
  });

  it("a failed read is answered as a failure and not kept: the next request reads again", async () => {
    const lb = boards();
    failNext = true;
    await assert.rejects(lb.leaderboard("tictactoe", 20), /database down/);
    assert.deepEqual(await lb.leaderboard("tictactoe", 20), []);
    assert.equal(reads.length, 2);
  });
});
