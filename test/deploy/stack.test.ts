/**
 * `npm run stack` / `npm run stack:stop` (deploy/stack.ts), as an operator runs them: the
 * whole stack (its own Redis, two game processes under pm2, nginx) on private ports, with
 * its run folder in a temporary directory. An operator play-test found (2026-12-05) that
 * the stop needed the start's variables again (else it stopped another port's Redis and
 * left the stack's), that it stopped nginx before the games' drain (a page reloaded during
 * it was refused), and that the start said "The stack is up" while the processes crash-looped.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runToExit } from "../helpers/cluster.js";
import { freePort, listening, twoFreePorts } from "../helpers/ports.js";

/** Runs `tsx deploy/stack.ts <command>` with `env` on top of this process's environment (minus the stack's own settings); its output, stdout then stderr. */
async function stackCommand(command: "start" | "stop", env: Record<string, string>, timeoutMs = 150_000): Promise<{ code: number | null; output: string }> {
  const { REDIS_URL: _r, PUBLIC_PORT: _p, PORT: _port, STACK_REDIS_PORT: _s, INSTANCES: _i, DATABASE_URL: _d, JWT_SECRET: _j, ...inherited } = process.env;
  const { code, stdout, stderr } = await runToExit(["deploy/stack.ts", command], { ...inherited, ...env }, timeoutMs, `stack ${command}`);
  return { code, output: stdout + stderr };
}

describe("npm run stack / stack:stop (deploy/stack.ts)", function () {
  this.timeout(300_000);
  const runDirs: string[] = [];
  const settings = async () => {
    const run = mkdtempSync(path.join(os.tmpdir(), "stack-run-"));
    runDirs.push(run);
    return { STACK_RUN_DIR: run, PUBLIC_PORT: String(await freePort()), PORT: String(await twoFreePorts()), STACK_REDIS_PORT: String(await freePort()), INSTANCES: "2", DRAIN_SECONDS: "2" };
  };
  after(() => {
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  });

  it("starts, serves the page through its one port, and stops from a shell without its variables: the stack's Redis, nginx and the processes are gone", async () => {
    const s = await settings();
    let started = false;
    try {
      const up = await stackCommand("start", s);
      started = true;
      assert.equal(up.code, 0, up.output);
      assert.match(up.output, new RegExp(`The stack is up: open http://localhost:${s.PUBLIC_PORT}`), up.output);
      const page = await fetch(`http://127.0.0.1:${s.PUBLIC_PORT}/`);
      assert.equal(page.status, 200);
      for (const port of [s.STACK_REDIS_PORT, s.PORT, String(Number(s.PORT) + 1)]) assert.ok(await listening(Number(port)), `port ${port} up`);
    } finally {
      // Only the run folder: not the start's ports (until 2026-12-05 it shut down 6390's Redis instead).
      if (started) {
        const down = await stackCommand("stop", { STACK_RUN_DIR: s.STACK_RUN_DIR });
        assert.equal(down.code, 0, down.output);
        assert.match(down.output, new RegExp(`Redis \\(127\\.0\\.0\\.1:${s.STACK_REDIS_PORT}\\)`), down.output);
        // The games are stopped before nginx (their drain while players can still reach them).
        assert.ok(down.output.indexOf("· pm2") < down.output.indexOf("· nginx"), down.output);
      }
    }
    for (const port of [s.STACK_REDIS_PORT, s.PUBLIC_PORT, s.PORT, String(Number(s.PORT) + 1)]) assert.equal(await listening(Number(port)), false, `port ${port} still listening after the stop`);
  });

  it("a start whose processes cannot come up (a setting they refuse) says so, with their error, stops what it started, and fails", async () => {
    const s = await settings();
    // Accounts on a shared database in production need JWT_SECRET: every process refuses to start.
    const { code, output } = await stackCommand("start", { ...s, DATABASE_URL: "postgres://127.0.0.1:9/none", STACK_READY_SECONDS: "8" });
    assert.equal(code, 1, output);
    assert.doesNotMatch(output, /The stack is up/);
    assert.match(output, /The stack did not come up: no answer from the game processes on port \d+, \d+ within 8 s/, output);
    assert.match(output, /JWT_SECRET/, "the processes' own reason, from their error log");
    for (const port of [s.STACK_REDIS_PORT, s.PUBLIC_PORT, s.PORT]) assert.equal(await listening(Number(port)), false, `port ${port} still listening`);
  });
});
