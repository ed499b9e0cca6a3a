import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger };

/** Bytes of log lines buffered before a write; {@link FLUSH_MS} bounds how long a line waits. */
const BUFFER_BYTES = 4096;
const FLUSH_MS = 250;

/**
 * The process logger: JSON lines on stdout (pino), level from `LOG_LEVEL` (default `info`,
 * `silent` in tests). Rooms log through a child carrying `roomId` and `roomName`.
 *
 * Lines are written asynchronously and in batches (pino's SonicBoom destination, `sync:
 * false`, `minLength` 4 KB): a line costs the event loop a buffer append, and a busy server
 * makes one write per 4 KB instead of one per line. A line waits at most 250 ms for its
 * batch. What is still buffered is written synchronously when the process exits (pino does
 * that on `exit`, which also runs after an uncaught exception); only a SIGKILL can lose the
 * last quarter-second of lines.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  const destination = pino.destination({ dest: 1, sync: false, minLength: BUFFER_BYTES });
  let flush: NodeJS.Timeout | undefined;
  const stream: DestinationStream = {
    write(line: string) {
      destination.write(line);
      // One timer while lines wait, none while the log is quiet.
      flush ??= setTimeout(() => {
        flush = undefined;
        destination.flush();
      }, FLUSH_MS).unref();
    },
  };
  return pino({ level, base: { pid: process.pid } }, stream);
}
