/** A logger that keeps what it is given, for tests that assert log lines of code handed a Logger. */
import type { Logger } from "../../src/logger.js";

export interface LogLine {
  level: "info" | "warn" | "error";
  msg: string;
  fields: Record<string, unknown>;
}

/** Appends each info, warn and error call to `lines` (debug is dropped). */
export function lineLogger(lines: LogLine[]): Logger {
  // pino's two forms: (fields, msg) and (msg).
  const at = (level: LogLine["level"]) => (fields: Record<string, unknown> | string, msg?: string) =>
    void lines.push(typeof fields === "string" ? { level, msg: fields, fields: {} } : { level, msg: msg ?? "", fields });
  return { info: at("info"), warn: at("warn"), error: at("error"), debug: () => undefined } as unknown as Logger;
}
