import pino, { type Logger } from "pino";

export type { Logger };

/**
 * The process logger: JSON lines on stdout (pino), level from `LOG_LEVEL` (default `info`,
 * `silent` in tests). Rooms log through a child carrying `roomId` and `roomName`.
 *
 * Lines are written asynchronously (pino's SonicBoom destination, `sync: false`): a line
 * costs the event loop a buffer append, and lines logged while a write is under way go out
 * together in the next one. What is still buffered is written synchronously when the
 * process exits (pino does that on `exit`, which also runs after an uncaught exception);
 * only a SIGKILL can lose the last lines. (Batching lines into 4 KB writes with a flush
 * timer was tried: no difference the benchmark could see, and log lines up to 250 ms late.)
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 1, sync: false }));
}

/**
 * For lines an attacker can cause at will (a refused connection, a bad request): the call for `key`
 * says `log` at most once per `ms`, and how many it turned down since
 * (`suppressed`), so a flood costs one line a second, not one a request. Keys are few and
 * fixed (reasons), never taken from a request.
 */
export function everyMs(ms: number): (key: string) => { log: boolean; suppressed: number } {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key) => {
    const now = Date.now();
    const seen = last.get(key);
    if (seen && now - seen.at < ms) {
      seen.suppressed++;
      return { log: false, suppressed: seen.suppressed };
    }
    last.set(key, { at: now, suppressed: 0 });
    return { log: true, suppressed: seen?.suppressed ?? 0 };
  };
}
