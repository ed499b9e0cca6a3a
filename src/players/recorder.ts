/**
 * Records finished matches without ever blocking or breaking a game: a room hands its
 * result over and goes on; the results wait in a bounded queue, written one at a time, in
 * order, and retried with a growing pause while the database is down. A log line says
 * when recording stops and starts again, and the backlog is a metric. The database
 * records each match id once (src/players/store.ts), so a retry after a write that did
 * land (the answer was lost) changes nothing.
 *
 * A result the database refuses for what it holds (an SQL data or constraint error, which
 * the store recognises) must not hold up every result behind it: the batch it is in is
 * halved until it is alone, tried `refusedTries` times, then set aside with an error line
 * that holds the whole record (so an operator can look at it) and a metric; the rest go on.
 */
import type { Logger } from "../logger.js";
import type { MatchRecord } from "./store.js";

export interface RecorderMetrics {
  /** Results waiting (gauge). */
  backlog(n: number): void;
  /** `n` results written. */
  recorded(n: number): void;
  /** A result dropped because the backlog was full. */
  dropped(): void;
  /** A result set aside because the database refused it, for what it holds. */
  refused?(): void;
  /** One transaction written: how long it took, and how many results it held. */
  written?(seconds: number, results: number): void;
}

export interface RecorderOptions {
  /** Writes matches in one transaction, in order. */
  store: {
    recordMatches(matches: readonly MatchRecord[]): Promise<unknown>;
    /** Whether `err` says the database refused these results for what they hold (not that it is unavailable). */
    refusesRecord?(err: unknown): boolean;
  };
  logger: Logger;
  metrics?: RecorderMetrics;
  /** Results kept while the database is down; beyond it the oldest are dropped (logged, counted). @default 10000 */
  maxBacklog?: number;
  /** The first pause after a failure; it doubles up to `maxRetryMs`. @default 500 */
  retryMs?: number;
  /** @default 30000 */
  maxRetryMs?: number;
  /** Results written in one transaction at most (a busy server's results share a commit). @default 100 */
  maxBatch?: number;
  /** How long results gather before a write (a busy server then writes many in one transaction, far cheaper per result). @default 0 */
  gatherMs?: number;
  /** Times a result alone is refused (with the retry pause between) before it is set aside. @default 3 */
  refusedTries?: number;
}

export class ResultRecorder {
  private readonly queue: MatchRecord[] = [];
  /** Results at the head of the queue in the write under way: never dropped (they may land). */
  private writing = 0;
  private running = false;
  private failing = false;
  private stopped = false;
  /** Waiting for results to gather (a full batch cuts the wait short). */
  private gathering = false;
  private wake?: () => void;
  private readonly maxBacklog: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly maxBatch: number;
  private readonly gatherMs: number;
  private readonly refusedTries: number;

  constructor(private readonly options: RecorderOptions) {
    this.maxBacklog = options.maxBacklog ?? 10_000;
    this.retryMs = options.retryMs ?? 500;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    this.maxBatch = options.maxBatch ?? 100;
    this.gatherMs = options.gatherMs ?? 0;
    this.refusedTries = options.refusedTries ?? 3;
  }

  /** Results not yet written. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Queues a finished match; returns at once and never throws. */
  record(match: MatchRecord): void {
    if (this.stopped) return;
    if (this.queue.length >= this.maxBacklog) {
      // The oldest not being written (a write under way may land: what it holds is not lost);
      // when the write under way holds them all, this one.
      const lost = this.writing < this.queue.length ? this.queue.splice(this.writing, 1)[0]! : match;
      this.options.metrics?.dropped();
      this.options.logger.error({ matchId: lost.id, backlog: this.queue.length }, "match results backlog full: the oldest result waiting was dropped");
      if (lost === match) return;
    }
    this.queue.push(match);
    this.options.metrics?.backlog(this.queue.length);
    if (!this.running) void this.drain();
    else if (this.gathering && this.queue.length >= this.maxBatch) this.wake?.();
  }

  /** Waits until every queued result is written, or `timeoutMs` passed; true if the backlog is empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < end) {
      this.wake?.();
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.queue.length === 0;
  }

  /** Stops retrying (the process is ending); what is left is logged (a write under way may still land: named apart). */
  stop(): void {
    this.stopped = true;
    this.wake?.();
    const left = this.queue.slice(this.writing);
    if (left.length > 0 || this.writing > 0) {
      const writing = this.queue.slice(0, this.writing).map((m) => m.id);
      this.options.logger.error({ backlog: left.length, matchIds: left.slice(0, 20).map((m) => m.id), ...(writing.length > 0 ? { writing: writing.slice(0, 20) } : {}) }, "match results not recorded at shutdown");
    }
  }

  /** A pause that flush() and stop() cut short. */
  private async sleep(ms: number) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async drain() {
    this.running = true;
    let pause = this.retryMs;
    /** The batch's size now: smaller than maxBatch while a refused result is looked for. */
    let limit = this.maxBatch;
    /** Times the result at the head was refused alone, in a row. */
    let refusals = 0;
    while (this.queue.length > 0 && !this.stopped) {
      if (this.gatherMs > 0 && this.queue.length < limit) {
        this.gathering = true;
        await this.sleep(this.gatherMs);
        this.gathering = false;
      }
      const batch = this.queue.slice(0, limit);
      this.writing = batch.length;
      try {
        const start = performance.now();
        await this.options.store.recordMatches(batch);
        this.options.metrics?.written?.((performance.now() - start) / 1000, batch.length);
      } catch (err) {
        this.writing = 0;
        const refused = this.options.store.refusesRecord?.(err) === true;
        if (refused && batch.length > 1) {
          // One of them (or more) is refused: the first half alone, at once, until it is found.
          limit = Math.ceil(batch.length / 2);
          continue;
        }
        if (refused) {
          // Alone and refused: maybe a passing conflict, so tried again after a pause, then set aside.
          if (++refusals >= this.refusedTries) {
            this.setAside(batch[0]!, err);
            refusals = 0;
            limit = this.maxBatch;
          } else await this.sleep(this.retryMs);
          continue;
        }
        if (!this.failing) {
          this.failing = true;
          this.options.logger.error({ err: (err as Error).message, backlog: this.queue.length }, "match results cannot be recorded (database unavailable?); games go on, results wait and are retried");
        }
        await this.sleep(pause);
        pause = Math.min(pause * 2, this.maxRetryMs);
        continue;
      }
      // Written (or already there): the next ones.
      this.writing = 0;
      this.remove(batch);
      refusals = 0;
      // Back to full batches, step by step (a refusal that passed, or the refused one is further on).
      limit = Math.min(this.maxBatch, limit * 2);
      pause = this.retryMs;
      this.options.metrics?.recorded(batch.length);
      this.options.metrics?.backlog(this.queue.length);
      if (this.failing) {
        this.failing = false;
        this.options.logger.info({ backlog: this.queue.length }, "match results are recorded again");
      }
    }
    this.running = false;
  }

  /** Takes the written (or set aside) results off the head of the queue. */
  private remove(batch: readonly MatchRecord[]) {
    const done = new Set(batch);
    let n = 0;
    while (n < this.queue.length && done.has(this.queue[n]!)) n++;
    this.queue.splice(0, n);
  }

  /** A result the database keeps refusing: logged whole, counted, and the rest go on. */
  private setAside(match: MatchRecord, err: unknown) {
    this.remove([match]);
    this.options.metrics?.refused?.();
    this.options.metrics?.backlog(this.queue.length);
    this.options.logger.error(
      { matchId: match.id, game: match.game, err: (err as Error).message, record: match, backlog: this.queue.length },
      "match result refused by the players' database: set aside (not recorded), the results after it go on",
    );
  }
}
