/**
 * The embedded database's WAL checkpoints run in a worker thread (src/players/checkpointer.ts),
 * never inside a game's commit: a checkpoint copies pages and flushes the disk, and on the
 * game loop it stalled every room. A real SQLite file in a temporary folder; the worker is
 * the real one (a failing one where its failure is tested).
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { startCheckpointer, type Checkpointer } from "../../src/players/checkpointer.js";
import { eventually } from "../helpers/clients.js";
import { lineLogger as logger, type LogLine as Line } from "../helpers/log-lines.js";

/** About 2,000 pages of commits, more than SQLite's default checkpoint threshold (1,000 pages): 500 commits of four 4 KB rows. */
function writePages(db: BetterSqlite3.Database) {
  const insert = db.prepare("insert into t (blob) values (?)");
  const commit = db.transaction(() => {
    for (let i = 0; i < 4; i++) insert.run(Buffer.alloc(4000, i));
  });
  for (let i = 0; i < 500; i++) commit();
}

describe("The embedded database's WAL checkpoints, in a worker thread (src/players/checkpointer.ts)", function () {
  this.timeout(30000);
  let dir: string;
  let file: string;
  let db: BetterSqlite3.Database;
  let checkpointer: Checkpointer | undefined;
  const size = () => fs.statSync(file).size;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkpointer-test-"));
    file = path.join(dir, "players.sqlite");
    db = new BetterSqlite3(file);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec("create table t (id integer primary key, blob blob)");
    db.pragma("wal_checkpoint(TRUNCATE)");
  });

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = undefined;
    if (db.open) db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("without it, SQLite checkpoints inside a commit (the control): the database file grows while the game writes", () => {
    const before = size();
    writePages(db);
    assert.ok(size() > before + 1_000_000, `the commits themselves copied pages into the file (${before} → ${size()} bytes)`);
  });

  it("with it, the game's commits only append to the WAL; the worker's checkpoint copies every page into the database file", async () => {
    checkpointer = await startCheckpointer(db, file, undefined, { everyMs: 3_600_000 });
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0, "the game's connection never checkpoints");
    const before = size();
    writePages(db);
    assert.equal(size(), before, "no commit touched the database file");
    const result = await checkpointer.checkpointNow();
    assert.ok(result && result.log > 1000, `the WAL held the pages (${JSON.stringify(result)})`);
    assert.equal(result.checkpointed, result.log, "all of them copied");
    assert.equal(result.busy, 0);
    assert.ok(size() > before + 1_000_000, "the database file holds them now");
    const reader = new BetterSqlite3(file, { readonly: true });
    try {
      assert.equal(reader.prepare("select count(*) from t").pluck().get(), 2000, "another connection reads every row");
    } finally {
      reader.close();
    }
  });

  it("checkpoints unasked, every `everyMs`", async () => {
    checkpointer = await startCheckpointer(db, file, undefined, { everyMs: 100 });
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0, "not the commits: the worker");
    const before = size();
    writePages(db);
    await eventually(() => size() > before + 1_000_000, "a checkpoint by the worker's own timer");
  });

  it("a worker that fails: the game's connection checkpoints by itself again, and an error line says so", async () => {
    const lines: Line[] = [];
    const dies = `require("node:worker_threads").parentPort.postMessage({ type: "ready" }); setTimeout(() => process.exit(1), 50);`;
    checkpointer = await startCheckpointer(db, file, logger(lines), { workerSource: dies });
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
    await eventually(() => db.pragma("wal_autocheckpoint", { simple: true }) === 1000, "the fallback");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, "error");
    assert.match(lines[0]!.msg, /checkpoints on the game loop again/);
    assert.equal(await checkpointer.checkpointNow(), undefined, "nothing to ask any more");
    const before = size();
    writePages(db);
    assert.ok(size() > before + 1_000_000, "the commits checkpoint again: the WAL does not grow without bound");
  });

  it("a worker that cannot start fails the start, with its reason", async () => {
    await assert.rejects(startCheckpointer(db, file, undefined, { workerSource: `throw new Error("no sqlite here")` }), /no sqlite here/);
    await assert.rejects(startCheckpointer(db, file, undefined, { workerSource: `process.exit(0)` }), /ended before it was ready/);
    assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 1000, "the game's connection keeps checkpointing");
  });

  it("stop() ends the worker and its connection (a second stop() waits as long), and resolves also when the worker had already died", async () => {
    checkpointer = await startCheckpointer(db, file);
    writePages(db);
    void checkpointer.stop();
    await checkpointer.stop();
    // Only the last connection to close removes the WAL file: the worker's is closed already.
    db.close();
    assert.equal(fs.existsSync(`${file}-wal`), false, "the worker's connection was closed before stop() resolved");
    db = new BetterSqlite3(file);
    const dies = `require("node:worker_threads").parentPort.postMessage({ type: "ready" }); process.exit(1);`;
    const lines: Line[] = [];
    const dead = await startCheckpointer(db, file, logger(lines), { workerSource: dies });
    await eventually(() => lines.length > 0, "the worker's end");
    await dead.stop();
  });

  it("stop() does not wait for ever for a worker that never answers (stuck in the disk): it gives up after its wait, and the worker is terminated", async () => {
    // Blocked in a native call for 3 s, as in a disk that does not answer: terminate() takes effect only when it returns.
    const stuck = `require("node:worker_threads").parentPort.postMessage({ type: "ready" }); setTimeout(() => require("node:child_process").execSync("sleep 3"), 0);`;
    const hung = await startCheckpointer(db, file, undefined, { workerSource: stuck, stopWaitMs: 300 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await hung.stop();
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 2000, `stop() gave up after its wait, not at the worker's end: ${waited} ms`);
    // Terminated once its call returned: a second stop() (which waits for the worker's end) resolves too.
    await hung.stop();
  });
});
