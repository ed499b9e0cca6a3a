/** The budget on Colyseus's own log lines (src/logger.ts `libraryLogger`), on a real pino logger. */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { logger as colyseusLogger } from "@colyseus/core";
import { libraryLogger } from "../../src/logger.js";
import { eventually } from "../helpers/clients.js";
import { metric, metricIs } from "../helpers/match-records.js";
import { logMark, logsSince, testServer } from "../helpers/server.js";

function memoryLogger(level = "info") {
  const lines: Array<Record<string, unknown>> = [];
  const out = new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) });
  return { logger: pino({ level }, out), lines };
}

describe("Colyseus's log lines have a budget (libraryLogger)", () => {
  it("passes at most perSecond lines a second, counts the rest, and reports them in one warning a second later", async () => {
    const { logger, lines } = memoryLogger();
    let counted = 0;
    const log = libraryLogger(logger, { perSecond: 3, suppressed: () => counted++ });
    for (let i = 0; i < 10; i++) log.error(new Error(`boom ${i}`));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(lines.map((l) => l.msg), ["Error: boom 0", "Error: boom 1", "Error: boom 2"]);
    assert.equal(counted, 7);
    await new Promise((r) => setTimeout(r, 1100));
    const report = lines.at(-1)!;
    assert.equal(report.suppressed, 7);
    assert.equal(report.level, 40, "a warning");
    log.warn("after", "the", "flood");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(lines.at(-1)!.msg, "after the flood", "a new second's line passes, its arguments joined");
  });

  it("each kind of line has its own budget: a flood of one kind does not hide a line of another; past 16 kinds in a second, the rest share one", async () => {
    const { logger, lines } = memoryLogger();
    const log = libraryLogger(logger, { perSecond: 2 });
    for (let i = 0; i < 50; i++) log.error(`Invalid WebSocket frame: RSV2 and RSV3 must be clear (connection ${i})`);
    log.error(new Error("uncaught exception in room abc123def456"));
    const letters = "abcdefghijklmnopqrst";
    for (const c of letters) log.warn(`kind ${c.repeat(3)} happened`);
    await new Promise((r) => setTimeout(r, 20));
    const msgs = lines.map((l) => String(l.msg));
    assert.equal(msgs.filter((m) => m.startsWith("Invalid WebSocket frame")).length, 2, "the flood: its kind's budget");
    assert.ok(msgs.includes("Error: uncaught exception in room abc123def456"), "the other kind's line is written");
    // 16 kinds in the window (the flood, the exception, 14 of the letters), then 6 letters share one budget of 2.
    assert.equal(msgs.filter((m) => m.startsWith("kind ")).length, 14 + 2);
    await new Promise((r) => setTimeout(r, 1100));
    const report = lines.at(-1)!;
    assert.equal(report.suppressed, 48 + 4);
    assert.deepEqual(report.kinds, ["Invalid WebSocket frame: RSV# and RSV# must be clear (connec", "(other kinds)"]);
  });

  it("a flood of several kinds is held to perSecond lines a second beyond each kind's first two", async () => {
    const { logger, lines } = memoryLogger();
    const log = libraryLogger(logger, { perSecond: 3 });
    for (let round = 0; round < 5; round++) for (const c of "abcdefghij") log.error(`frame error ${c.repeat(4)}`);
    await new Promise((r) => setTimeout(r, 20));
    // Each of the 10 kinds writes its first 2 lines; 3 more lines in all.
    assert.equal(lines.length, 10 * 2 + 3);
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(lines.at(-1)!.suppressed, 50 - 23);
  });

  it("cuts a line to maxChars and says how much was cut; a level the logger does not write costs no budget", async () => {
    const { logger, lines } = memoryLogger("info");
    const log = libraryLogger(logger, { perSecond: 1, maxChars: 10 });
    for (let i = 0; i < 5; i++) log.debug("not written at info");
    log.info("x".repeat(25));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(lines.map((l) => l.msg), [`${"x".repeat(10)}… (15 more characters)`]);
  });

  it("the server hands Colyseus's logger this budget: a burst of one kind writes COLYSEUS_LOG_LINES_PER_SECOND lines, and log_lines_suppressed_total and one warning count the rest", async () => {
    const { env, port } = await testServer();
    const perSecond = env.COLYSEUS_LOG_LINES_PER_SECOND;
    const server = { url: `http://127.0.0.1:${port}` };
    const suppressedTotal = 'log_lines_suppressed_total{source="colyseus"}';
    // /metrics is rendered at most once a second, and other tests read it: the second reading is this moment's.
    await metric(server, suppressedTotal);
    const before = await metric(server, suppressedTotal);
    const mark = logMark();
    const burst = 3 * perSecond;
    for (let i = 0; i < burst; i++) colyseusLogger.error(`budget test line ${i}`);
    const isReport = (l: Record<string, any>) => String(l.msg).startsWith("Colyseus log lines suppressed");
    await eventually(() => logsSince(mark).some(isReport), "the warning counting the rest", 3000);
    const report = logsSince(mark).find(isReport);
    const written = logsSince(mark).filter((l) => String(l.msg).startsWith("budget test line"));
    assert.ok(written.length >= perSecond && written.length <= 2 * perSecond, `${written.length} written: the budget of one second (${perSecond}), or two if the burst straddles one`);
    assert.equal(written[0]!.level, 50, "at Colyseus's level");
    assert.equal(Number(report!.suppressed) + written.length, burst, "every line written or counted in the warning");
    await metricIs(server, suppressedTotal, before + burst - written.length, 4000);
  });
});
