/**
 * The embedded database's WAL checkpoints, off the event loop.
 *
 * SQLite in WAL mode appends every commit to the `-wal` file and, once it holds about
 * 1,000 pages, copies them into the database file and flushes both to disk (a checkpoint).
 * By default the commit that crosses the line does this itself: on the game loop, because
 * better-sqlite3 is synchronous, and the disk flushes stalled every move of every room for
 * 10–15 ms about once a second under load (a recorded TicTacToe game dirties about five pages).
 *
 * Here the game's connection never checkpoints (`wal_autocheckpoint = 0`); a worker thread
 * with a connection of its own runs a passive checkpoint every {@link CHECKPOINT_EVERY_MS}.
 * A passive checkpoint never waits for, nor blocks, the game's connection; the next commit
 * after a complete one starts the WAL file over (and flushes its header: one flush per
 * checkpoint stays on the game loop). Should the worker fail, the game's connection
 * checkpoints again by itself (logged). A checkpoint cannot complete while a reader holds
 * an older snapshot (an outside program's long read): the WAL grows meanwhile, with or
 * without the worker.
 */
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import type { Logger } from "../logger.js";

/** How often the worker checkpoints (at 250 recorded games a second, about 1,300 pages a second arrive). */
export const CHECKPOINT_EVERY_MS = 1000;
/** better-sqlite3, resolved here: an evaluated worker would resolve it from the working directory. */
const DRIVER = require.resolve("better-sqlite3");
/** SQLite's default: what the game's connection goes back to if the worker fails. */
const AUTOCHECKPOINT_PAGES = 1000;
/** How long stop() waits for the worker to end before it terminates it. */
const STOP_WAIT_MS = 5000;

/**
 * The worker (CommonJS, evaluated: no file to resolve, built or transpiled). It answers
 * "checkpoint" with the checkpoint's result (for tests), reports a failure once, and ends on "stop".
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 1000 });
db.pragma("synchronous = NORMAL");
let failed = false;
const checkpoint = () => {
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)");
    return row;
  } catch (err) {
    if (!failed) parentPort.postMessage({ type: "error", message: String(err && err.message) });
    failed = true;
    return undefined;
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on("message", (msg) => {
  if (msg === "checkpoint") parentPort.postMessage({ type: "checkpointed", row: checkpoint() });
  if (msg === "stop") {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage({ type: "ready" });
`;

/** What a passive checkpoint reports: pages in the WAL, and how many of them are in the database file now. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Runs a checkpoint now, in the worker (tests); undefined if it failed. */
  checkpointNow(): Promise<CheckpointResult | undefined>;
  /** Ends the worker (before the game's connection closes, which checkpoints what is left). */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` in a worker thread and stops the game's connection `sqlite`
 * from checkpointing by itself; resolves once the worker's connection is open.
 * `options.workerSource` replaces the worker's code (tests: a worker that fails), and
 * `options.stopWaitMs` how long stop() waits for it (tests: a worker that never answers).
 */
export async function startCheckpointer(sqlite: BetterSqlite3.Database, file: string, logger?: Logger, options: { everyMs?: number; workerSource?: string; stopWaitMs?: number } = {}): Promise<Checkpointer> {
  // execArgv []: the worker is plain CommonJS, it needs none of the server's loaders (tsx).
  const worker = new Worker(options.workerSource ?? WORKER, { eval: true, execArgv: [], workerData: { file, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS, driver: DRIVER } });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let stopping = false;
  let fellBack = false;
  const answers: ((row: CheckpointResult | undefined) => void)[] = [];
  /** The worker failed: the game's connection checkpoints by itself again. */
  const fallBack = (why: string) => {
    while (answers.length) answers.shift()!(undefined);
    if (fellBack || stopping || !sqlite.open) return;
    fellBack = true;
    // A worker that reported a failure but still runs checkpoints no more.
    worker.postMessage("stop");
    try {
      sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    } catch (err) {
      logger?.error({ err: (err as Error).message }, "the players' database could not checkpoint on the game loop either");
    }
    logger?.error({ reason: why }, "the players' database checkpoints on the game loop again: its background checkpointer failed");
  };
  let ready = false;
  // Every handler is in place before the worker can say anything: its "ready" and an exit
  // right after it arrive in one go, before this function would resume.
  const started = new Promise<void>((resolve, reject) => {
    worker.on("message", (msg: { type: string; row?: CheckpointResult; message?: string }) => {
      if (msg.type === "ready" && !ready) {
        ready = true;
        try {
          sqlite.pragma("wal_autocheckpoint = 0");
          resolve();
        } catch (err) {
          reject(err);
        }
      } else if (msg.type === "checkpointed") answers.shift()?.(msg.row);
      else if (msg.type === "error") fallBack(msg.message ?? "checkpoint failed");
    });
    worker.on("error", (err) => (ready ? fallBack(err.message) : reject(err)));
    worker.on("exit", () => (ready ? fallBack("the worker ended") : reject(new Error("the checkpointer ended before it was ready"))));
  });
  await started;
  // The worker alone must not keep the process alive.
  worker.unref();
  return {
    checkpointNow() {
      if (fellBack || stopping) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        answers.push(resolve);
        worker.postMessage("checkpoint");
      });
    },
    async stop() {
      if (stopping) return exited;
      stopping = true;
      // Referenced again: a process with nothing else to do waits for the worker's end.
      worker.ref();
      worker.postMessage("stop");
      // A worker stuck in the disk must not hold up the shutdown: after STOP_WAIT_MS it is
      // told to terminate (which takes effect once its call returns) and not waited for.
      let timer: NodeJS.Timeout | undefined;
      const givenUp = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          void worker.terminate();
          worker.unref();
          resolve();
        }, options.stopWaitMs ?? STOP_WAIT_MS);
      });
      await Promise.race([exited, givenUp]);
      clearTimeout(timer);
    },
  };
}
