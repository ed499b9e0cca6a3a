/**
 * Game-server processes for the multi-process tests: the real start script
 * (`src/index.ts`), each in its own Node process, sharing one Redis.
 *
 * The process is `node --import tsx src/index.ts`, not `node tsx/cli src/index.ts`: the
 * tsx CLI runs the script in a *child* process, so a SIGKILL sent to the CLI would leave
 * the real server running as an orphan (checked: tsx 4.23 on Node 20). With `--import tsx`
 * the pid we signal is the server itself.
 *
 * Every spawned process is tracked; `stopAllServers()` (call it from an after/afterEach
 * hook) kills what is left, and a process 'exit' handler SIGKILLs anything still alive.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LIFTED_LIMITS } from "./limits.js";
import { freePort } from "./ports.js";

const REPO_ROOT = path.resolve(__dirname, "../..");
const LISTENING = "game server listening on";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** stdout lines so far (JSON log lines). */
  readonly lines: string[];
  /** stderr so far. */
  stderr(): string;
  /** The parsed JSON log lines (non-JSON lines skipped). */
  logs(): Array<Record<string, any>>;
  /**
   * The first log line matching `match`, waited for up to `timeoutMs`; fails naming `what`.
   * The server writes its log asynchronously (pino, `sync: false`), so a line can reach the
   * pipe after the client-visible event a test awaited: read a line that must be there
   * through this, not through logs() at once.
   */
  logged(match: (line: Record<string, any>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** When the process exited (Date.now()), undefined while it runs. */
  exitedAt?: number;
  readonly exited: boolean;
  kill(signal?: NodeJS.Signals): void;
  /** Resolves when the process has exited (at once if it already has). */
  waitForExit(timeoutMs?: number): Promise<ExitStatus>;
}

export interface StartOptions {
  redisUrl: string;
  /** Extra / overriding environment (e.g. RECONNECT_SECONDS). */
  env?: Record<string, string>;
  /** How long to wait for the "listening" log line. @default 20000 */
  timeoutMs?: number;
  /**
   * Keep the per-address limits at the server's defaults (test/abuse attacks them). By
   * default they are lifted: every test client comes from 127.0.0.1.
   */
  defaultLimits?: boolean;
  /** Extra arguments for node (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Listen on this port (a process started again where one died); by default a free one. */
  port?: number;
}

const spawned = new Set<ChildProcess>();

/** Each server's own data folder (its embedded players' database), removed when the tests end. */
const dataDirs: string[] = [];
function freshDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "game-data-"));
  dataDirs.push(dir);
  return dir;
}

/**
 * Under `npm run coverage` (c8 sets NODE_V8_COVERAGE), servers are ended with SIGUSR2, which a
 * preloaded hook answers by writing the process's coverage and then SIGKILLing itself.
 */
const UNDER_COVERAGE = process.env.NODE_V8_COVERAGE !== undefined;
const COVERAGE_HOOK = ["--require", path.join(__dirname, "coverage-on-signal.cjs")];
const STOP_SIGNAL: NodeJS.Signals = UNDER_COVERAGE ? "SIGUSR2" : "SIGKILL";

const REAPERS = Symbol.for("test-helpers.reapers");

/**
 * Registers `kill` to run when the test process ends: on 'exit', and on SIGINT / SIGTERM /
 * SIGHUP (Ctrl-C, a CI timeout), where Node emits no 'exit'. One shared set of handlers
 * for every helper; after a signal it re-raises the signal, so the test run still stops
 * (unless another module handles that signal itself).
 */
export function killOnExit(kill: () => void) {
  const g = globalThis as { [REAPERS]?: Set<() => void> };
  if (!g[REAPERS]) {
    const reapers = new Set<() => void>();
    g[REAPERS] = reapers;
    const runAll = () => {
      for (const k of reapers) k();
    };
    process.on("exit", runAll);
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(signal, function onSignal() {
        runAll();
        if (process.listenerCount(signal) === 1) {
          process.removeListener(signal, onSignal);
          process.kill(process.pid, signal);
        }
      });
    }
  }
  g[REAPERS].add(kill);
}

killOnExit(() => {
  for (const child of spawned) if (isAlive(child)) child.kill(STOP_SIGNAL);
  for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function isAlive(child: ChildProcess) {
  return child.exitCode === null && child.signalCode === null;
}

/** Starts one server process and resolves once it logs that it is listening. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  // freePort() can race with another process grabbing the port; retry once on EADDRINUSE.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options.port ?? (await freePort()), options);
    } catch (err) {
      if (attempt >= 2 || !/EADDRINUSE/.test((err as Error).message)) throw err;
    }
  }
}

/** Starts `n` server processes on one Redis, in parallel. */
export function startServers(n: number, options: StartOptions): Promise<ServerProcess[]> {
  return Promise.all(Array.from({ length: n }, () => startServer(options)));
}

function startOnce(port: number, options: StartOptions): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NODE_APP_INSTANCE: "0",
    HOST: "127.0.0.1",
    REDIS_URL: options.redisUrl,
    PUBLIC_ADDRESS: "127.0.0.1:{port}",
    LOG_LEVEL: "info",
    RECONNECT_SECONDS: "10",
    DRAIN_SECONDS: "30",
    PROCESS_SWEEP_MS: "500",
    // Its own players' database (an embedded one is locked by the process that opens it).
    DATA_DIR: options.env?.DATA_DIR ?? freshDataDir(),
    ...(options.defaultLimits ? {} : LIFTED_LIMITS),
    ...options.env,
  };
  const child = spawn(process.execPath, [...(UNDER_COVERAGE ? COVERAGE_HOOK : []), ...(options.nodeArgs ?? []), "--import", "tsx", "src/index.ts"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  spawned.add(child);

  const lines: string[] = [];
  let stderr = "";
  let partial = "";
  const lineWaiters: Array<(line: string) => void> = [];
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      for (const w of lineWaiters.slice()) w(line);
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));

  let exitStatus: ExitStatus | undefined;
  const exitedPromise = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (code, signal) => {
      exitStatus = { code, signal };
      proc.exitedAt = Date.now();
      spawned.delete(child);
      resolve(exitStatus);
    });
  });

  const proc: ServerProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    lines,
    stderr: () => stderr,
    logs: () =>
      lines.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, any>];
        } catch {
          return [];
        }
      }),
    async logged(match, what, timeoutMs = 2000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const line = proc.logs().find(match);
        if (line) return line;
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for the server's log line: ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    get exited() {
      return exitStatus !== undefined;
    },
    kill(signal: NodeJS.Signals = "SIGTERM") {
      if (isAlive(child)) child.kill(signal);
    },
    waitForExit(timeoutMs = 20000) {
      if (exitStatus) return Promise.resolve(exitStatus);
      return new Promise<ExitStatus>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server on port ${port} (pid ${child.pid}) did not exit within ${timeoutMs} ms`)), timeoutMs);
        void exitedPromise.then((status) => {
          clearTimeout(timer);
          resolve(status);
        });
      });
    },
  };

  const timeoutMs = options.timeoutMs ?? 20000;
  return new Promise<ServerProcess>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const i = lineWaiters.indexOf(onLine);
      if (i >= 0) lineWaiters.splice(i, 1);
      fn();
    };
    const onLine = (line: string) => {
      try {
        const entry = JSON.parse(line) as { msg?: unknown };
        if (typeof entry.msg === "string" && entry.msg.startsWith(LISTENING)) settle(() => resolve(proc));
      } catch {
        // not a log line
      }
    };
    lineWaiters.push(onLine);
    for (const line of lines) onLine(line);
    const timer = setTimeout(() => {
      settle(() => {
        child.kill("SIGKILL");
        reject(new Error(`server on port ${port} did not log "${LISTENING}" within ${timeoutMs} ms; stderr:\n${stderr}\nstdout:\n${lines.join("\n")}`));
      });
    }, timeoutMs);
    void exitedPromise.then((status) =>
      settle(() =>
        reject(new Error(`server on port ${port} exited before listening (code ${status.code}, signal ${status.signal}); stderr:\n${stderr}\nstdout:\n${lines.join("\n")}`)),
      ),
    );
  });
}

/** Kills every server process still running (SIGKILL) and waits until they are gone. */
export async function stopAllServers(): Promise<void> {
  const alive = [...spawned].filter(isAlive);
  await Promise.all(
    alive.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (!isAlive(child)) return resolve();
          child.once("exit", () => resolve());
          child.kill(STOP_SIGNAL);
        }),
    ),
  );
  spawned.clear();
}

/** Runs `src/index.ts` directly (no readiness wait): for start-ups that must fail. */
export function runServerExpectingExit(env: Record<string, string>, timeoutMs = 20000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const { JWT_SECRET: _secret, ...inherited } = process.env;
  return runToExit(["src/index.ts"], { ...inherited, HOST: "127.0.0.1", LOG_LEVEL: "info", ...env }, timeoutMs, "the server");
}

/** Runs a TypeScript file of the repository (`args`: the file, then its arguments) with `env` until it exits; rejects after `timeoutMs`. */
export function runToExit(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, what = args[0]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what} did not exit within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}
