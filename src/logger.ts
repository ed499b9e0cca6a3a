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
