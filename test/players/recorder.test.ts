/**
 * Recording results never blocks or breaks a game (src/players/recorder.ts), on the real
 * embedded database: while it is closed (down), results wait in order and are retried;
 * once it is back they are all written, each exactly once; the backlog is bounded.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lineLogger as logger, type LogLine as Line } from "../helpers/log-lines.js";
import { openDatabase, type PlayersDatabase } from "../../src/players/database.js";
import { ResultRecorder } from "../../src/players/recorder.js";
import { PlayerStore, type MatchRecord } from "../../src/players/store.js";

const match = (n: number, userId: string): MatchRecord => ({
  id: `rec-${n}`,
  game: "tictactoe",
  startedAt: 1_900_000_000_000 + n,
  endedAt: 1_900_000_000_000 + n + 1000,
  players: [
    { seat: 0, userId, name: "A", placement: 1 },
    { seat: 1, userId: null, name: "bot", placement: 2 },
  ],
  result: { reason: "won" },
  log: [],
});

describe("ResultRecorder (src/players/recorder.ts) on the embedded database", function () {
  this.timeout(20000);
  let dataDir: string;
  let opened: PlayersDatabase;
  let current: PlayerStore;
  let lines: Line[];
  let metrics: { backlog: number[]; recorded: number; dropped: number; written: { seconds: number; results: number }[] };
  /** The recorder's view of the database: whatever is open now (a closed one throws, as a database that is down). */
  const store = { recordMatches: (ms: readonly MatchRecord[]) => current.recordMatches(ms) };

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "recorder-test-"));
    opened = await openDatabase({ dataDir });
    current = new PlayerStore(opened);
    lines = [];
    metrics = { backlog: [], recorded: 0, dropped: 0, written: [] };
  });
  afterEach(async () => {
    await opened.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const recorder = (maxBacklog = 100) =>
    new ResultRecorder({
      store,
      logger: logger(lines),
      metrics: { backlog: (n) => metrics.backlog.push(n), recorded: (n) => (metrics.recorded += n), dropped: () => metrics.dropped++, written: (seconds, results) => metrics.written.push({ seconds, results }) },
      maxBacklog,
      retryMs: 20,
      maxRetryMs: 50,
    });

  it("record() returns at once; the result is written soon after, and the backlog ends at 0", async () => {
    const user = await current.createGuest("A");
    const r = recorder();
    r.record(match(1, user.id));
    assert.equal(r.backlog, 1, "queued, not written inside record()");
    assert.equal(await r.flush(5000), true);
    assert.equal((await current.profile(user.id))?.stats.tictactoe?.played, 1);
    assert.equal(metrics.recorded, 1);
    assert.equal(metrics.backlog.at(-1), 0);
  });

  it("database down: results wait (one error line, the backlog grows), and when it is back all are written in order, once each, with one line saying so", async () => {
    const user = await current.createGuest("A");
    await opened.close(); // down
    const r = recorder();
    for (let i = 1; i <= 5; i++) r.record(match(i, user.id));
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(r.backlog, 5, "nothing lost, nothing written");
    assert.equal(metrics.written.length, 0, "a failed write is not a written transaction");
    assert.equal(lines.filter((l) => l.level === "error").length, 1, "one error line for the outage, not one per retry");
    assert.match(lines[0]!.msg, /cannot be recorded/);
    opened = await openDatabase({ dataDir }); // back
    current = new PlayerStore(opened);
    assert.equal(await r.flush(5000), true);
    const profile = (await current.profile(user.id))!;
    assert.equal(profile.stats.tictactoe?.played, 5, "each exactly once");
    assert.equal(metrics.written.reduce((n, w) => n + w.results, 0), 5, "the transactions' write times are observed with their sizes");
    assert.ok(metrics.written.every((w) => w.seconds > 0 && w.seconds < 5));
    assert.deepEqual(
      profile.matches.map((m) => m.id),
      ["rec-5", "rec-4", "rec-3", "rec-2", "rec-1"],
    );
    assert.ok(lines.some((l) => l.level === "info" && /recorded again/.test(l.msg)));
  });

  it("results waiting together are written in batches (one transaction each, at most maxBatch), in order, each once", async () => {
    const user = await current.createGuest("A");
    const batches: number[] = [];
    const r = new ResultRecorder({
      store: { recordMatches: (ms) => (batches.push(ms.length), current.recordMatches(ms)) },
      logger: logger(lines),
      maxBatch: 4,
    });
    for (let i = 1; i <= 10; i++) r.record(match(i, user.id));
    assert.equal(await r.flush(5000), true);
    assert.deepEqual(batches, [1, 4, 4, 1], "the first alone (written at once), then what queued meanwhile, 4 at a time");
    const profile = (await current.profile(user.id))!;
    assert.equal(profile.stats.tictactoe?.played, 10);
    assert.deepEqual(profile.matches.map((m) => m.id).slice(0, 3), ["rec-10", "rec-9", "rec-8"]);
  });

  it("a refusal that passes (a batch refused once, then written) costs a few smaller batches, then batches are full again; nothing is set aside", async () => {
    const user = await current.createGuest("A");
    // A real refusal of the database: a match with two players in one seat.
    const bad = match(0, user.id);
    bad.players[1]!.seat = 0;
    const refusal = await current.recordMatches([bad]).then(() => undefined, (e: unknown) => e);
    assert.equal(current.refusesRecord(refusal), true);
    const batches: number[] = [];
    let refuseOnce = true;
    let refused = 0;
    const r = new ResultRecorder({
      store: {
        recordMatches: (ms) => {
          batches.push(ms.length);
          if (refuseOnce && ms.length > 1) {
            refuseOnce = false;
            return Promise.reject(refusal);
          }
          return current.recordMatches(ms);
        },
        refusesRecord: (err) => current.refusesRecord(err),
      },
      logger: logger(lines),
      metrics: { backlog: () => undefined, recorded: () => undefined, dropped: () => undefined, refused: () => refused++ },
      maxBatch: 8,
    });
    r.record(match(1, user.id)); // written at once, alone
    for (let i = 2; i <= 41; i++) r.record(match(i, user.id));
    assert.equal(await r.flush(5000), true);
    assert.deepEqual(batches, [1, 8, 4, 8, 8, 8, 8, 4], "refused at 8, halved to 4, then full batches of 8 again");
    assert.equal(refused, 0);
    assert.equal((await current.profile(user.id))!.stats.tictactoe?.played, 41);
  });

  it("with gatherMs, results finishing close together wait for each other and share one transaction", async () => {
    const user = await current.createGuest("A");
    const batches: number[] = [];
    const r = new ResultRecorder({ store: { recordMatches: (ms) => (batches.push(ms.length), current.recordMatches(ms)) }, logger: logger(lines), gatherMs: 40 });
    for (let i = 1; i <= 3; i++) r.record(match(i, user.id));
    await new Promise((res) => setTimeout(res, 10));
    for (let i = 4; i <= 6; i++) r.record(match(i, user.id));
    await new Promise((res) => setTimeout(res, 150));
    assert.deepEqual(batches, [6]);
    assert.equal(r.backlog, 0);
    assert.equal((await current.profile(user.id))!.stats.tictactoe?.played, 6);
  });

  it("a result recorded twice (a retry after a lost answer, a restored room) counts once", async () => {
    const user = await current.createGuest("A");
    const r = recorder();
    r.record(match(7, user.id));
    r.record(match(7, user.id));
    assert.equal(await r.flush(5000), true);
    assert.equal((await current.profile(user.id))?.stats.tictactoe?.played, 1);
  });

  it("bounded: over the limit the oldest waiting result is dropped (not the one being written), with an error line and the dropped counter", async () => {
    const user = await current.createGuest("A");
    await opened.close();
    const r = recorder(3);
    for (let i = 1; i <= 5; i++) r.record(match(i, user.id));
    assert.equal(r.backlog, 3);
    assert.equal(metrics.dropped, 2);
    // rec-1's write is under way (it fails: the database is closed, but a write under way may land).
    assert.deepEqual(
      lines.filter((l) => /backlog full/.test(l.msg)).map((l) => l.fields),
      [
        { matchId: "rec-2", backlog: 2 },
        { matchId: "rec-3", backlog: 2 },
      ],
      "each line names the dropped result",
    );
    r.stop();
    assert.ok(lines.some((l) => /not recorded at shutdown/.test(l.msg)), "what is left at shutdown is logged");
    opened = await openDatabase({ dataDir });
    current = new PlayerStore(opened);
  });

  it("a full backlog never drops a result from the write under way: it lands, and is counted recorded, not dropped; stop() meanwhile names it apart", async () => {
    const user = await current.createGuest("A");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // The first write waits until released; the later ones go at once.
    const slow = {
      recordMatches: async (ms: readonly MatchRecord[]) => {
        await held;
        return current.recordMatches(ms);
      },
    };
    const r = new ResultRecorder({ store: slow, logger: logger(lines), metrics: { backlog: () => undefined, recorded: (n) => (metrics.recorded += n), dropped: () => metrics.dropped++ }, maxBacklog: 2, retryMs: 20 });
    r.record(match(1, user.id)); // written at once: its write waits
    await new Promise((res) => setTimeout(res, 20));
    r.record(match(2, user.id));
    r.record(match(3, user.id)); // full: rec-2 goes, not rec-1
    const dropped = lines.filter((l) => /backlog full/.test(l.msg)).map((l) => l.fields.matchId);
    assert.deepEqual(dropped, ["rec-2"]);
    // A write that holds the whole backlog: the newcomer is the one dropped.
    const all = new ResultRecorder({ store: { recordMatches: () => new Promise(() => undefined) }, logger: logger(lines), maxBacklog: 1, retryMs: 20 });
    all.record(match(7, user.id));
    await new Promise((res) => setTimeout(res, 20));
    all.record(match(8, user.id));
    assert.deepEqual(lines.filter((l) => /backlog full/.test(l.msg)).map((l) => l.fields.matchId), ["rec-2", "rec-8"]);
    all.stop();
    assert.deepEqual(lines.find((l) => /not recorded at shutdown/.test(l.msg))?.fields, { backlog: 0, matchIds: [], writing: ["rec-7"] }, "the one being written is named apart");

    release();
    assert.equal(await r.flush(5000), true);
    assert.equal(metrics.recorded, 2, "rec-1 and rec-3 recorded");
    assert.equal(metrics.dropped, 1);
    assert.equal((await current.profile(user.id))?.stats.tictactoe?.played, 2);
  });

  it("a write that never failed says nothing; each outage is logged once when it starts and once when it ends; results after an idle time are written too", async () => {
    const user = await current.createGuest("A");
    const r = recorder();
    r.record(match(1, user.id));
    assert.equal(await r.flush(5000), true);
    assert.equal(lines.length, 0, "no line for a write that worked");
    r.record(match(2, user.id));
    assert.equal(await r.flush(5000), true, "the recorder starts again after it went idle");
    for (const outage of [1, 2]) {
      await opened.close();
      r.record(match(10 + outage, user.id));
      await new Promise((res) => setTimeout(res, 120));
      const errors = lines.filter((l) => l.level === "error");
      assert.equal(errors.length, outage, `outage ${outage}: one error line`);
      assert.equal(errors.at(-1)!.fields.backlog, 1);
      opened = await openDatabase({ dataDir });
      current = new PlayerStore(opened);
      assert.equal(await r.flush(5000), true);
      const back = lines.filter((l) => l.level === "info");
      assert.equal(back.length, outage, `outage ${outage}: one line when it ends`);
      assert.deepEqual(back.at(-1)!.fields, { backlog: 0 });
    }
    assert.equal((await current.profile(user.id))?.stats.tictactoe?.played, 4);
  });

  it("flush() gives up after its time while the database stays down; stop() names what is left and ignores later results", async () => {
    const user = await current.createGuest("A");
    const idle = recorder();
    idle.stop();
    assert.equal(lines.length, 0, "nothing left, nothing logged");
    await opened.close();
    const r = recorder();
    for (let i = 1; i <= 25; i++) r.record(match(i, user.id));
    const t0 = Date.now();
    assert.equal(await r.flush(100), false);
    assert.ok(Date.now() - t0 < 2000, `flush(100) returned after ${Date.now() - t0} ms`);
    r.stop();
    const shutdown = lines.find((l) => /not recorded at shutdown/.test(l.msg))!;
    assert.deepEqual(shutdown.fields, { backlog: 25, matchIds: Array.from({ length: 20 }, (_, i) => `rec-${i + 1}`) });
    r.record(match(26, user.id));
    assert.equal(r.backlog, 25, "a stopped recorder takes no more results");
    opened = await openDatabase({ dataDir });
    current = new PlayerStore(opened);
  });

  it("with gatherMs, a batch that fills up is written without waiting for the rest of the gather time", async () => {
    const user = await current.createGuest("A");
    const batches: number[] = [];
    const r = new ResultRecorder({ store: { recordMatches: (ms) => (batches.push(ms.length), current.recordMatches(ms)) }, logger: logger(lines), gatherMs: 10_000, maxBatch: 2 });
    try {
      r.record(match(1, user.id));
      r.record(match(2, user.id)); // arrives while the first waits for others: the batch is full
      await new Promise((res) => setTimeout(res, 150));
      assert.deepEqual(batches, [2]);
      r.record(match(3, user.id));
      r.record(match(4, user.id));
      await new Promise((res) => setTimeout(res, 150));
      assert.deepEqual(batches, [2, 2]);
      assert.equal(r.backlog, 0);
    } finally {
      r.stop();
    }
  });
});
