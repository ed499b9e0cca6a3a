/**
 * The process's bound on password work. Each sign-in and registration costs one scrypt
 * (about 16 MB and tens of milliseconds on libuv's thread pool, whose queue has no bound);
 * the per-address limit bounds one address, not many. Here at most `atOnce` run together
 * (the pool keeps threads for the rest: files, DNS), at most `maxWaiting` more wait in
 * order, and beyond that a request is refused at once (the route answers 503), so a flood
 * from many addresses costs a bounded share of the CPU and an honest sign-in waits at most
 * `maxWaiting / atOnce` hashes.
 */
export class PasswordWork {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly atOnce: number,
    private readonly maxWaiting: number,
  ) {}

  /** Runs `fn` when a place is free; `{ ok: false }` at once when `maxWaiting` already wait. */
  async run<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.running < this.atOnce) this.running++;
    else if (this.waiting.length >= this.maxWaiting) return { ok: false };
    // The place of the work that ends is handed over (running stays as it is).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return { ok: true, value: await fn() };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Work running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
