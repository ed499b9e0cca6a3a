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

/** The logger Colyseus is given: its four levels, each called with loose arguments. */
export interface LibraryLogger {
  debug(...a: unknown[]): void;
  info(...a: unknown[]): void;
  warn(...a: unknown[]): void;
  error(...a: unknown[]): void;
}

/** Kinds of line counted apart in one second, at most; lines of further kinds share one budget. */
const LINE_KINDS = 16;
/** Lines of each kind a second that always pass: the first of a kind is never hidden by a flood of others. */
const FIRST_LINES = 2;

/** A line's kind: its start, with numbers and hex ids made alike, so a flood of one kind is counted as one. */
function kindOf(first: unknown): string {
  const text = first instanceof Error ? `${first.name}: ${first.message}` : String(first);
  return text.slice(0, 60).replace(/[0-9a-f]{6,}|\d+/gi, "#");
}

/**
 * What Colyseus logs goes through here: some of its lines a client can cause (a reconnection
 * that closes while it is accepted; until 2026-12-06 a WebSocket protocol error, one error
 * line with its stack per connection, which the transport now logs as a cut), so many
 * addresses at once could write as many lines as they open connections. At most
 * `perSecond` lines pass a second, and within that at most `perSecond` of one kind (its
 * first 60 characters, numbers made alike); besides, the first {@link FIRST_LINES} lines of
 * each kind in a second always pass, so a flood (of one kind or several) does not hide a
 * room's exception or a Redis error. At most {@link LINE_KINDS} kinds are counted apart in
 * a second; the rest share one budget. Each line is cut to `maxChars`; the lines over
 * budget are counted (`suppressed`, for a metric) and reported in one warning a second
 * later, with their kinds. The text is only built for a line that passes.
 */
export function libraryLogger(
  logger: Logger,
  { perSecond = 20, maxChars = 4000, suppressed: countSuppressed }: { perSecond?: number; maxChars?: number; suppressed?: () => void } = {},
): LibraryLogger {
  let windowStart = 0;
  const inWindow = new Map<string, number>();
  /** Lines written this second beyond each kind's first ones. */
  let beyondFirst = 0;
  let suppressed = 0;
  const suppressedKinds = new Set<string>();
  let report: NodeJS.Timeout | undefined;
  const flush = () => {
    report = undefined;
    if (suppressed === 0) return;
    logger.warn({ suppressed, perSecond, kinds: [...suppressedKinds] }, "Colyseus log lines suppressed (more of one kind than the lines a second it may write)");
    suppressed = 0;
    suppressedKinds.clear();
  };
  const line = (level: "debug" | "info" | "warn" | "error") => (...a: unknown[]) => {
    if (!logger.isLevelEnabled(level)) return;
    const now = Date.now();
    if (now - windowStart >= 1000) {
      windowStart = now;
      inWindow.clear();
      beyondFirst = 0;
    }
    let kind = kindOf(a[0]);
    if (!inWindow.has(kind) && inWindow.size >= LINE_KINDS) kind = "(other kinds)";
    const written = inWindow.get(kind) ?? 0;
    const first = written < FIRST_LINES;
    if (!first && (written >= perSecond || beyondFirst >= perSecond)) {
      suppressed++;
      if (suppressedKinds.size < LINE_KINDS) suppressedKinds.add(kind);
      countSuppressed?.();
      if (!report) (report = setTimeout(flush, 1000)).unref();
      return;
    }
    inWindow.set(kind, written + 1);
    if (!first) beyondFirst++;
    const text = a.map(String).join(" ");
    logger[level](text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)` : text);
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}
