import pino, { type Logger } from "pino";

export type { Logger };

/**
 * The process logger: JSON lines on stdout (pino), level from `LOG_LEVEL` (default `info`,
 * `silent` in tests). Rooms log through a child carrying `roomId` and `roomName`.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({ level, base: { pid: process.pid } });
}
