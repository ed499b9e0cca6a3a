/**
 * Snapshot before acknowledging: a room's state changes are sent to its clients only once
 * the snapshot holding them is written, so a player never sees a move that a crash could
 * take back. What the room sends after a change (its events) waits behind the same write,
 * in order. Writes never overlap: changes made while one is in flight are written together
 * by the next, and the patch goes out after the last.
 */
export type SaveResult = "saved" | "superseded" | "skipped";

export class SnapshotGate {
  // Stryker disable next-line BooleanLiteral: equivalent: only changed() starts a write, and it sets the flag first
  private dirty = false;
  private running = false;
  private superseded = false;
  private queue: (() => void)[] = [];
  /** Waiting for a write that reads the state as it is now ({@link afterSaved}). */
  private unread: (() => void)[] = [];
  /** Read by the write in flight: they run once it is saved. */
  private covered: (() => void)[] = [];

  /**
   * @param save - writes the room's state as it is when the write goes out (it calls
   *   {@link reading} then, and reads it), and calls `done` once with the result: "skipped"
   *   when Redis is unreachable (play goes on without snapshots; also when `save` throws),
   *   "superseded" when another process owns the room now: nothing more is sent.
   * @param flush - sends the room's pending state patch.
   * @param onSuperseded - called once, when a write finds the room taken over.
   */
  constructor(
    private readonly save: (done: (result: SaveResult) => void) => void,
    private readonly flush: () => void,
    private readonly onSuperseded: () => void,
  ) {}

  /** The state changed: write it, then send it. */
  changed(): void {
    // Stryker disable next-line ConditionalExpression: equivalent: a superseded gate stays running, so nothing would start either
    if (this.superseded) return;
    this.dirty = true;
    if (!this.running) this.run();
  }

  /** The state is being read for the write under way: the changes made so far are in it. */
  reading(): void {
    this.dirty = false;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent: moving no items changes nothing (this only spares an empty array per write)
    if (this.unread.length > 0) {
      this.covered.push(...this.unread);
      this.unread = [];
    }
  }

  /**
   * Runs `fn` once the state as it is now is saved: when a write that read it is answered
   * "saved" (or "skipped": nothing is saved while Redis is away), possibly before the patch,
   * which waits for the writes of what changed after. Dropped if the room is taken over
   * first: the copy that lives on was restored from a snapshot without this state. At once
   * when no write is pending (the last one saved the state as it is).
   */
  afterSaved(fn: () => void): void {
    // Stryker disable next-line ConditionalExpression: equivalent: a superseded gate stays running, so fn would wait in a list that never runs (this only keeps it from growing)
    if (this.superseded) return;
    if (this.running) this.unread.push(fn);
    else fn();
  }

  /** Sends now, or after the pending write and its patch. */
  send(fn: () => void): void {
    // Stryker disable next-line ConditionalExpression: equivalent: a superseded gate stays running, so fn would wait in a queue that never runs (this only keeps it from growing)
    if (this.superseded) return;
    if (this.running) this.queue.push(fn);
    else fn();
  }

  private run(): void {
    this.running = true;
    this.dirty = false;
    let answered = false;
    const done = (result: SaveResult) => {
      if (answered) return;
      answered = true;
      this.saved(result);
    };
    try {
      this.save(done);
    } catch (err) {
      // Thrown by what the answer ran (a patch, an event): not the write's failure.
      if (answered) throw err;
      done("skipped");
    }
  }

  /** The write was answered: run what it saved, then write again what changed meanwhile, or send. */
  private saved(result: SaveResult): void {
    if (result === "superseded") {
      // Nothing runs again: the gate stays running, and every entry point checks `superseded` first.
      // Stryker disable next-line BooleanLiteral: equivalent: the gate stays running, so nothing would run again either
      this.superseded = true;
      this.queue = [];
      this.unread = [];
      this.covered = [];
      this.onSuperseded();
      return;
    }
    // Each runs whatever another throws (what waited for this write, the patch, then the events, in order); the first error is thrown after.
    let failure: { err: unknown } | undefined;
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (err) {
        failure ??= { err };
      }
    };
    const saved = this.covered;
    this.covered = [];
    // Nothing changed since this write read the state (or nothing is saved at all): it is the state as it is now.
    if (!this.dirty || result === "skipped") {
      saved.push(...this.unread);
      this.unread = [];
    }
    for (const fn of saved) attempt(fn);
    if (this.dirty) this.run();
    else {
      this.running = false;
      const queued = this.queue;
      this.queue = [];
      attempt(this.flush);
      for (const fn of queued) attempt(fn);
    }
    if (failure) throw failure.err;
  }
}
