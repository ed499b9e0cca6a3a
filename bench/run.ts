/**
 * `npm run bench` — throughput, latency, CPU and memory of the TicTacToe room, against a
 * minimal plain-Colyseus baseline (bench/baseline-server.ts) measured in the same run with
 * the same clients. Not a test: it prints figures and PASS/MISS against the targets.
 *
 * Each server is its own child process (ours: `node --import tsx src/index.ts`; baseline:
 * `node --import tsx bench/baseline-server.ts`), started fresh for every configuration.
 * The load driver (bench/load.ts) runs in forked worker process(es) of real @colyseus/sdk
 * clients. Six sections, each at 50 and 500 matches where it applies, ours and the
 * baseline in alternating order:
 *
 *   play   rooms reused: M matches joined once, then random legal moves in a closed loop and
 *          rematches in the same rooms (the per-move cost); servers at LOG_LEVEL=warn
 *   quick  quick match: 2 × M players each looping joinOrCreate → one game → leave (the
 *          room is disposed), as players arrive; ours at its production defaults (info
 *          logs into a file, metrics on)
 *   idle   5,000 connected clients in 2,500 rooms: RSS per client and idle CPU
 *   storm  ours only: 1,000 players in 500 running rooms lose their connections at once;
 *          time until the last is back, state compared, server CPU and RSS peak
 *   snapshots  ours only, on a private redis-server: the play load with SNAPSHOTS=on vs off
 *          (high availability's cost per move), in the same run: saturated and paced, three
 *          on/off pairs each (one with --short), the verdict on the median pair
 *   accounts  ours only: (a) the play load with ACCOUNTS=on and every client signed in as a
 *          guest of its own (POST /auth/anonymous; each finished game recorded in the
 *          embedded SQLite database) vs ACCOUNTS=off without tokens: CPU per move, moves/s,
 *          games/s, latency, matches recorded (/metrics) and the backlog left, saturated and
 *          paced, three on/off pairs per load (one with --short), the verdict on the median
 *          pair; (b) start-up
 *          without load, 3× off and 3× on with an empty DATA_DIR (the database created and
 *          migrated), alternating: time from spawn until the port accepts connections, and
 *          RSS 2 s later; medians and on − off
 *
 * Every ours server gets a DATA_DIR of its own, made in the system's temporary folder and
 * removed when it stops (no data/ in the repository; two servers never share a database
 * lock). Ours runs with ACCOUNTS=off in every section but `accounts` (no client signs in
 * there, and the baseline has no database: the figures stay comparable with earlier runs).
 *
 * Only what loopback load needs is lifted: the per-address limits (every client is
 * 127.0.0.1) and the message rate. CPU time, RSS and syscall counts of both servers are
 * read the same way, from /proc/<pid>/{stat,status,io}; CPU per move = Δ(utime+stime) /
 * moves over the measured window (after a warm-up).
 *
 *   npx tsx bench/run.ts [--only=play,quick,idle,storm,snapshots,accounts] [--short] [--repeat] [--workers N]
 *                        [--profile [--profile-matches N] [--profile-baseline]]
 *
 *   --only=…    the sections to run (default: all six)
 *   --short     5 s windows, 2,000 idle clients, a 200-player storm (a smoke run; rough figures)
 *   --repeat    run 500 matches twice per server (ours, baseline, baseline, ours) and use the mean
 *   --no-pin    snapshots, accounts: do not pin the server to CPU 0 and the driver (and Redis) to the others
 *   --postgres  accounts: the server with ACCOUNTS=on records into a private PostgreSQL server (DATABASE_URL;
 *               initdb and pg_ctl as the tests start it, pinned with the load driver) instead of the
 *               embedded database; its CPU per move is printed beside the server's; no start-up part
 *   --together  snapshots, accounts: measure each on/off pair side by side instead of one after the
 *               other: both servers run at once on the same CPU, each with its own load driver (and
 *               its own Redis), their windows aligned, so a change in the machine's speed (other
 *               tenants of a shared host) hits both alike; paced loads only, at half the rate each
 *               (a move every 50 ms per match, 500 ms for 500 matches: 1,000 moves/s per server),
 *               five pairs per load (two with --short)
 *   --workers N load driver processes (default 1; on 2 cores the server and one driver
 *               already fill the machine at 500 matches, so more do not add throughput)
 *   --profile   afterwards, run ours (or, with --profile-baseline, the baseline) under
 *               `node --cpu-prof` in the first section selected (quick, play or idle) and
 *               summarize where its time goes in the measured window (bench/profile-summary.ts)
 *
 * BENCH_NODE_ARGS (environment) adds Node options to every server started, for experiments
 * (`--trace-deopt`, `--perf-basic-prof`).
 *
 * Absolute figures drift between days on shared machines; the ours/baseline ratios count.
 * The "other CPU" column shows how much the rest of the machine was busy in each window.
 */
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { LIFTED_LIMITS } from "../test/helpers/limits.js";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { FromWorker, ToWorker, WorkerConfig } from "./load.js";
import { summarize } from "./profile-summary.js";
import { freePort } from "../test/helpers/ports.js";
import { startRedis } from "../test/helpers/redis.js";
import { startPostgres } from "../test/helpers/postgres.js";
import { Redis } from "ioredis";

const ROOT = path.resolve(__dirname, "..");
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};

const SHORT = flag("--short");
const REPEAT = flag("--repeat");
const TOGETHER = flag("--together");
/** The accounts section records into a private PostgreSQL server (DATABASE_URL) instead of the embedded database. */
const POSTGRES = flag("--postgres");
const PROFILE = flag("--profile");
const WORKERS = option("--workers", 1);
const PROFILE_MATCHES = option("--profile-matches", 500);
const PROFILE_KIND: Kind = flag("--profile-baseline") ? "baseline" : "ours";
const WARMUP_MS = 2000;
/**
 * The snapshots section pins the server to the first CPU and the load driver and Redis to
 * the others (`taskset`, when there are at least two CPUs): otherwise the three share
 * both cores, and how they happen to interleave moves the server's CPU per move by more
 * than the difference being measured. `--no-pin` turns it off.
 */
export const PIN = !flag("--no-pin") && os.cpus().length >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Moves a running process (every thread of it) onto `cpus` (a taskset list: "0", "1-3"). */
export function pin(pid: number, cpus: string) {
  execFileSync("taskset", ["-a", "-pc", cpus, String(pid)], { stdio: "ignore" });
}
const OTHER_CPUS = `1-${os.cpus().length - 1}`;
const IDLE_SAMPLE_MS = 2000;
const PLAN = [
  { matches: 50, seconds: SHORT ? 5 : 10 },
  { matches: 500, seconds: SHORT ? 5 : 15 },
];
const IDLE_CLIENTS = SHORT ? 2000 : 5000;
/** After the last join: first IDLE_QUIET_MS (past the joins' 5 s acknowledgement deadlines), then the measured window. */
const IDLE_QUIET_MS = 6000;
const IDLE_SETTLE_MS = 5000;
const JOIN_CONCURRENCY = 50;

/** Players in the reconnect storm: 1,000 in 500 rooms. */
const STORM_MATCHES = SHORT ? 100 : 500;

/** Targets from the issues. */
const TARGET_CPU_RATIO = 1.0;
const TARGET_IDLE_KB = 40;
const TARGET_IDLE_CPU_PCT = 2;
/** A window in which the rest of the machine used more than this (% of one core) is measured again. */
const CONTENDED_PCT = 25;

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());

type Kind = "ours" | "baseline";

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();
/** The temporary DATA_DIRs of ours servers still running (removed when each stops; at exit, whatever is left). */
const dataDirs = new Set<string>();
function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  dataDirs.clear();
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

interface LiveMemory {
  heapUsed: number;
  external: number;
}

interface Server {
  kind: Kind;
  child: ChildProcess;
  port: number;
  /** Ours: its own temporary DATA_DIR (the players' database and token secret when ACCOUNTS=on), removed when it stops. */
  dataDir?: string;
  /** Milliseconds from spawn until the port accepted a connection (polled every 10 ms). */
  startMs: number;
  output: string[];
  /** Live memory reports seen on stderr (bench/gc-signal.ts), oldest first. */
  gcReports: LiveMemory[];
}

/**
 * How the server runs: `bench` at LOG_LEVEL=warn with its output kept by this process (the
 * room-reuse load); `production` at the production defaults, `info` logs written to a file
 * (`logFile`), metrics on. Both lift only what loopback load needs lifted: the per-address
 * limits (every client is 127.0.0.1) and the message rate (a bot moves as fast as it can).
 */
interface ServerMode {
  production?: boolean;
  logFile?: string;
}

/**
 * Starts a server and waits until its port accepts connections. Ours runs with ACCOUNTS=off
 * (no players' database: comparable with the baseline, which has none) unless `extraEnv`
 * says otherwise, and always gets a DATA_DIR of its own in the system's temporary folder,
 * so no run writes data/ into the repository and two servers never share a database.
 */
async function startServer(kind: Kind, extraEnv: Record<string, string> = {}, nodeArgs: string[] = [], mode: ServerMode = {}): Promise<Server> {
  const port = await freePort();
  const script = kind === "ours" ? "src/index.ts" : "bench/baseline-server.ts";
  const dataDir = kind === "ours" ? fs.mkdtempSync(path.join(os.tmpdir(), "bench-data-")) : undefined;
  if (dataDir) dataDirs.add(dataDir);
  const logFd = mode.logFile ? fs.openSync(mode.logFile, "w") : undefined;
  const extraArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(" ") : [];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", ...extraArgs, ...nodeArgs, script], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      NODE_APP_INSTANCE: "",
      LOG_LEVEL: mode.production ? "info" : "warn",
      // Loopback load comes from one address: the per-address limits are lifted (the
      // defences themselves stay on; test/abuse attacks them at their defaults).
      ...LIFTED_LIMITS,
      MESSAGES_PER_SECOND: "1000",
      MESSAGE_BURST: "1000",
      DRAIN_SECONDS: "0",
      REDIS_URL: "",
      ...(dataDir ? { ACCOUNTS: "off", DATABASE_URL: "" } : {}),
      ...extraEnv,
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
    },
    stdio: ["ignore", logFd ?? "pipe", "pipe"],
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  children.add(child);
  const output: string[] = [];
  const server: Server = { kind, child, port, dataDir, startMs: NaN, output, gcReports: [] };
  const keep = (b: Buffer) => {
    const text = b.toString();
    for (const m of text.matchAll(/bench-gc-done (\{[^\n]*\})/g)) server.gcReports.push(JSON.parse(m[1]!) as LiveMemory);
    output.push(text);
    if (output.length > 50) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr!.on("data", keep);
  const deadline = spawnedAt + 20_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await canConnect(port)) {
      server.startMs = performance.now() - spawnedAt;
      return server;
    }
    await sleep(10);
  }
  child.kill("SIGKILL");
  await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));
  children.delete(child);
  removeDataDir(server);
  throw new Error(`${kind} server did not start:\n${output.join("")}`);
}

function removeDataDir(s: Server) {
  if (!s.dataDir) return;
  fs.rmSync(s.dataDir, { recursive: true, force: true });
  dataDirs.delete(s.dataDir);
}

async function stopServer(s: Server, graceMs = 8000) {
  const { child } = s;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
  children.delete(child);
  removeDataDir(s);
}

/**
 * Sums of the named series in a server's GET /metrics (Prometheus text; every label set of
 * a name added up); NaN for a name not there or when /metrics did not answer. The bench
 * reads it from 127.0.0.1, an internal address: no METRICS_TOKEN needed.
 */
async function readMetrics(port: number, names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(names.map((n) => [n, NaN]));
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return out;
    for (const line of (await res.text()).split("\n")) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m || !(m[1]! in out)) continue;
      out[m[1]!] = (Number.isNaN(out[m[1]!]!) ? 0 : out[m[1]!]!) + Number(m[2]);
    }
  } catch {
    // NaN: not known
  }
  return out;
}

interface ProcStat {
  cpuSeconds: number;
  rss: number;
  /** read-like / write-like system calls and bytes written (sockets included), from /proc/<pid>/io. */
  syscr: number;
  syscw: number;
  wchar: number;
  /** Context switches of the main thread (the event loop), voluntary (it waited) and not (preempted), from /proc/<pid>/status. */
  switches: number;
}

/**
 * A process's /proc/<pid>/stat after "pid (comm) ": field 3 (state) is index 0, so ppid is
 * 1, utime 11, stime 12, cutime 13 and cstime 14 (children waited for).
 */
function statFields(pid: number | string): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds (user + system), RSS in bytes and I/O counters of a process, from /proc. */
function procStat(pid: number): ProcStat {
  const fields = statFields(pid);
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  const switches = Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? NaN) + Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  const io = Object.fromEntries(
    fs
      .readFileSync(`/proc/${pid}/io`, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(": ") as [string, string])
      .map(([k, v]) => [k, Number(v)]),
  );
  return { cpuSeconds: ticks / CLK_TCK, rss: kb * 1024, syscr: io.syscr ?? NaN, syscw: io.syscw ?? NaN, wchar: io.wchar ?? NaN, switches };
}

/** CPU seconds all CPUs spent busy (not idle/iowait) since boot, from /proc/stat. */
function systemBusySeconds(): number {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  const busy = cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!;
  return busy / CLK_TCK;
}

/**
 * Shared machines: waits (up to `maxMs`, and up to 30 s over the whole bench) until the rest
 * of the machine has used less than `pct`% CPU over a 1 s sample, so a run does not start in
 * the middle of someone's build. Returns the last sample (in % of one CPU).
 */
let quietBudgetMs = 30000;
async function waitForQuiet(pct = 25, maxMs = 8000): Promise<number> {
  const started = Date.now();
  const until = started + Math.min(maxMs, quietBudgetMs);
  for (;;) {
    const mine = [...children].filter((c) => c.pid && c.exitCode === null).map((c) => c.pid!);
    const ownCpu = () => mine.reduce((n, pid) => n + (fs.existsSync(`/proc/${pid}`) ? procStat(pid).cpuSeconds : 0), process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6);
    const b0 = systemBusySeconds();
    const o0 = ownCpu();
    await sleep(1000);
    const other = 100 * (systemBusySeconds() - b0 - (ownCpu() - o0));
    if (other < pct || Date.now() >= until) {
      quietBudgetMs = Math.max(0, quietBudgetMs - (Date.now() - started - 1000));
      return other;
    }
  }
}

interface Worker {
  child: ChildProcess;
  next(type: FromWorker["type"]): Promise<FromWorker>;
  tell(msg: ToWorker): void;
}

function startWorker(cfg: WorkerConfig): Worker {
  const child = fork(path.join(__dirname, "load.ts"), [], {
    cwd: ROOT,
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_WORKER: JSON.stringify(cfg) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  let dead: Error | undefined;
  child.on("message", (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  child.on("exit", (code) => {
    children.delete(child);
    dead ??= new Error(`load worker exited (${code})`);
    wake?.();
  });
  return {
    child,
    async next(type) {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0]!;
        if (dead) throw dead;
        await new Promise<void>((r) => (wake = r));
      }
    },
    tell(msg) {
      if (child.connected) child.send(msg);
    },
  };
}

async function stopWorkers(workers: Worker[]) {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
          w.child.once("exit", () => resolve());
          w.tell({ cmd: "exit" });
          setTimeout(() => w.child.kill("SIGKILL"), 5000).unref();
        }),
    ),
  );
}

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0)).filter((n) => n > 0);
}

// ---------------------------------------------------------------- measurements

export const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const sortNum = (xs: number[]) => Float64Array.from(xs).sort() as unknown as number[];

interface LoadResult {
  kind: Kind;
  mode: "play" | "quick";
  matches: number;
  gamesPerSec: number;
  movesPerGame: number;
  /** Bytes of log the server wrote per game in the window (quick mode: `info` to a file). */
  logBytesPerGame: number;
  movesPerSec: number;
  moveP50: number;
  moveP99: number;
  joinP50: number;
  joinP99: number;
  cpuMicrosPerMove: number;
  /** The same minus the server's background CPU (measured with all clients connected, no moves). */
  netCpuMicrosPerMove: number;
  /** That background, in % of one core. */
  idleCpuPct: number;
  /** Server read + write system calls per move, and bytes it wrote per move. */
  syscallsPerMove: number;
  bytesOutPerMove: number;
  /** Context switches of the server's main thread per move: how often its event loop went to sleep and was woken (or was preempted). */
  switchesPerMove: number;
  serverCpuPct: number;
  driverCpuPct: number;
  /** CPU used by every other process on the machine during the window (contention). */
  otherCpuPct: number;
  rss: number;
  rssPerClient: number;
  moves: number;
  errors: number;
  firstError?: string;
  joinSeconds: number;
  /** With `LoadOptions.metrics`: those series of the server's /metrics just before the window and just after it. */
  metricsBefore?: Record<string, number>;
  metricsAfter?: Record<string, number>;
}

/** Extras of a load run (the accounts section). */
interface LoadOptions {
  /** Every client signs in as a guest of its own before joining (WorkerConfig.signIn). */
  signIn?: boolean;
  /** Series read from the server's /metrics right before and right after the window (outside its CPU figures). */
  metrics?: string[];
  /** Side by side with another load (--together): awaited before the moves start and before the window, so both windows line up. */
  meet?: () => Promise<void>;
  /** Called as the measured window starts and as it ends (where other processes' figures are read: PostgreSQL's CPU). */
  atWindow?: (edge: "start" | "end") => void;
}

/** Size of a log file (0 without one). */
function logBytes(file: string | undefined): number {
  return file && fs.existsSync(file) ? fs.statSync(file).size : 0;
}

interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/**
 * One load window against a fresh server. `play`: matches joined first, then rematches in
 * the same rooms; `quick`: every game a new quick match (joinOrCreate → play → leave →
 * room disposed) against the server at production defaults.
 */
export async function runLoad(
  kind: Kind,
  matches: number,
  seconds: number,
  nodeArgs: string[] = [],
  mode: "play" | "quick" = "play",
  env: Record<string, string> = {},
  paceMs = 0,
  pinned = false,
  options: LoadOptions = {},
): Promise<LoadResult & { server: Server; window: ProfileWindow }> {
  const logFile = mode === "quick" ? path.join(os.tmpdir(), `bench-${kind}-${process.pid}.log`) : undefined;
  const server = await startServer(kind, env, nodeArgs, mode === "quick" ? { production: true, logFile } : {});
  const pid = server.child.pid!;
  let workers: Worker[] = [];
  try {
    await sleep(1000);
    const before = procStat(pid);
    if (pinned) pin(pid, "0");
    workers = split(matches, WORKERS).map((m) => startWorker({ port: server.port, matches: m, mode, joinConcurrency: JOIN_CONCURRENCY, paceMs, signIn: options.signIn }));
    if (pinned) for (const w of workers) pin(w.child.pid!, OTHER_CPUS);
    const joined = (await Promise.all(workers.map((w) => w.next("joined")))) as Extract<FromWorker, { type: "joined" }>[];
    const failures = joined.reduce((n, j) => n + j.failures, 0);
    if (failures > 0) throw new Error(`${failures} of ${matches} matches failed to join (${joined.find((j) => j.firstError)?.firstError})`);
    // Background CPU with every client connected and no moves (per-room clock ticks, pings):
    // subtracted for the "net" CPU per move, so a throughput difference does not skew it.
    await sleep(500);
    const i0 = procStat(pid);
    const it0 = process.hrtime.bigint();
    await sleep(IDLE_SAMPLE_MS);
    const idleCpuRate = (procStat(pid).cpuSeconds - i0.cpuSeconds) / (Number(process.hrtime.bigint() - it0) / 1e9);
    await options.meet?.();
    for (const w of workers) w.tell({ cmd: "go" });
    await sleep(WARMUP_MS);
    await options.meet?.();
    const driverCpu = () => workers.reduce((n, w) => n + procStat(w.child.pid!).cpuSeconds, 0);
    const metricsBefore = options.metrics ? await readMetrics(server.port, options.metrics) : undefined;
    const sys0 = systemBusySeconds();
    const d0 = driverCpu();
    const s0 = procStat(pid);
    options.atWindow?.("start");
    const log0 = logBytes(logFile);
    const t0 = process.hrtime.bigint();
    for (const w of workers) w.tell({ cmd: "mark" });
    await sleep(seconds * 1000);
    for (const w of workers) w.tell({ cmd: "stop" });
    const s1 = procStat(pid);
    options.atWindow?.("end");
    const t1 = process.hrtime.bigint();
    const log1 = logBytes(logFile);
    const d1 = driverCpu();
    const sys1 = systemBusySeconds();
    const metricsAfter = options.metrics ? await readMetrics(server.port, options.metrics) : undefined;
    const results = (await Promise.all(workers.map((w) => w.next("result")))) as Extract<FromWorker, { type: "result" }>[];
    const windowSec = Number(t1 - t0) / 1e9;
    const moves = results.reduce((n, r) => n + r.moves, 0);
    const games = results.reduce((n, r) => n + r.games, 0);
    const moveMs = sortNum(results.flatMap((r) => r.moveMs));
    // Quick match: the joins in the window (every game starts with one); play: the joins before it.
    const joinMs = sortNum(mode === "quick" ? results.flatMap((r) => r.joinMs) : joined.flatMap((j) => j.joinMs));
    const cpu = s1.cpuSeconds - s0.cpuSeconds;
    return {
      kind,
      mode,
      matches,
      gamesPerSec: games / windowSec,
      movesPerGame: games > 0 ? moves / games : NaN,
      logBytesPerGame: logFile && games > 0 ? (log1 - log0) / games : NaN,
      movesPerSec: moves / windowSec,
      moveP50: pct(moveMs, 50),
      moveP99: pct(moveMs, 99),
      joinP50: pct(joinMs, 50),
      joinP99: pct(joinMs, 99),
      cpuMicrosPerMove: (cpu * 1e6) / moves,
      netCpuMicrosPerMove: ((cpu - idleCpuRate * windowSec) * 1e6) / moves,
      idleCpuPct: 100 * idleCpuRate,
      syscallsPerMove: (s1.syscr + s1.syscw - s0.syscr - s0.syscw) / moves,
      bytesOutPerMove: (s1.wchar - s0.wchar) / moves,
      switchesPerMove: (s1.switches - s0.switches) / moves,
      serverCpuPct: (100 * cpu) / windowSec,
      driverCpuPct: (100 * (d1 - d0)) / windowSec,
      otherCpuPct: (100 * (sys1 - sys0 - (d1 - d0) - cpu)) / windowSec,
      rss: s1.rss,
      rssPerClient: (s1.rss - before.rss) / (2 * matches),
      moves,
      errors: results.reduce((n, r) => n + r.errors, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
      joinSeconds: Math.max(...joined.map((j) => j.joinSeconds)),
      metricsBefore,
      metricsAfter,
      server,
      window: { fromUs: Number(t0 / 1000n), toUs: Number(t1 / 1000n) },
    };
  } finally {
    await stopWorkers(workers);
    await stopServer(server);
    if (logFile) fs.rmSync(logFile, { force: true });
  }
}

interface IdleResult {
  kind: Kind;
  clients: number;
  rssBefore: number;
  rssAfter: number;
  perClient: number;
  /** Live memory (V8 heap used + external) after a full GC at both points (NaN if the server did not answer). */
  liveBefore: number;
  liveAfter: number;
  livePerClient: number;
  idleCpuPct: number;
  joinP50: number;
  joinP99: number;
  joinSeconds: number;
  /** The settle window (for --profile). */
  window: ProfileWindow;
}

function fdLimit(): number {
  try {
    return Number(execFileSync("sh", ["-c", "ulimit -n"]).toString().trim());
  } catch {
    return NaN;
  }
}

/**
 * Two full garbage collections in a server started with GC_ARGS (bench/gc-signal.ts), then
 * its live memory (V8 heap used + external); NaN when the server did not answer within 10 s.
 */
async function liveMemoryAfterGc(server: Server): Promise<number> {
  const seen = server.gcReports.length;
  server.child.kill("SIGWINCH");
  for (let i = 0; i < 200; i++) {
    await sleep(50);
    const r = server.gcReports[seen];
    if (r) return r.heapUsed + r.external;
  }
  return NaN;
}

const GC_ARGS = ["--expose-gc", "--import", "./bench/gc-signal.ts"];

export async function runIdle(kind: Kind, clients: number, driverProcs: number, nodeArgs: string[] = []): Promise<IdleResult> {
  // GC_ARGS only add a SIGWINCH → gc() + memoryUsage() hook, for the live-memory figures.
  const logFile = path.join(os.tmpdir(), `bench-idle-${kind}-${process.pid}.log`);
  const server = await startServer(kind, {}, [...GC_ARGS, ...nodeArgs], { production: true, logFile });
  const pid = server.child.pid!;
  let workers: Worker[] = [];
  try {
    await sleep(1500);
    const before = procStat(pid);
    const liveBefore = await liveMemoryAfterGc(server);
    workers = split(clients / 2, driverProcs).map((m) => startWorker({ port: server.port, matches: m, mode: "idle", joinConcurrency: JOIN_CONCURRENCY }));
    const joined = (await Promise.all(workers.map((w) => w.next("joined")))) as Extract<FromWorker, { type: "joined" }>[];
    const failures = joined.reduce((n, j) => n + j.failures, 0);
    if (failures > 0) throw new Error(`${failures} idle matches failed to join (${joined.find((j) => j.firstError)?.firstError})`);
    // The joins' own after-effects (each join's acknowledgement deadline fires once, 5 s
    // later) pass before the window: it measures the steady cost of connected clients.
    await sleep(IDLE_QUIET_MS);
    const s0 = procStat(pid);
    const t0 = process.hrtime.bigint();
    await sleep(IDLE_SETTLE_MS);
    const s1 = procStat(pid);
    const t1 = process.hrtime.bigint();
    const liveAfter = await liveMemoryAfterGc(server);
    const joinMs = sortNum(joined.flatMap((j) => j.joinMs));
    return {
      kind,
      clients,
      rssBefore: before.rss,
      rssAfter: s1.rss,
      perClient: (s1.rss - before.rss) / clients,
      liveBefore,
      liveAfter,
      livePerClient: (liveAfter - liveBefore) / clients,
      idleCpuPct: (100 * (s1.cpuSeconds - s0.cpuSeconds)) / (Number(t1 - t0) / 1e9),
      joinP50: pct(joinMs, 50),
      joinP99: pct(joinMs, 99),
      joinSeconds: Math.max(...joined.map((j) => j.joinSeconds)),
      window: { fromUs: Number(t0 / 1000n), toUs: Number(t1 / 1000n) },
    };
  } finally {
    await stopWorkers(workers);
    await stopServer(server);
    fs.rmSync(logFile, { force: true });
  }
}

// ---------------------------------------------------------------- report

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "—");
const mb = (b: number) => (Number.isFinite(b) ? (b / 1048576).toFixed(1) : "—");
const kb = (b: number) => (Number.isFinite(b) ? (b / 1024).toFixed(1) : "—");
const pad = (s: string, n: number) => s.padStart(n);
const row = (cells: string[], widths: number[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : pad(c, widths[i]!))).join("  ");

function mean(rs: LoadResult[]): LoadResult {
  if (rs.length === 1) return rs[0]!;
  const avg = (k: keyof LoadResult) => rs.reduce((n, r) => n + (r[k] as number), 0) / rs.length;
  return {
    ...rs[0]!,
    movesPerSec: avg("movesPerSec"),
    gamesPerSec: avg("gamesPerSec"),
    movesPerGame: avg("movesPerGame"),
    logBytesPerGame: avg("logBytesPerGame"),
    moveP50: avg("moveP50"),
    moveP99: avg("moveP99"),
    joinP50: avg("joinP50"),
    joinP99: avg("joinP99"),
    cpuMicrosPerMove: avg("cpuMicrosPerMove"),
    netCpuMicrosPerMove: avg("netCpuMicrosPerMove"),
    idleCpuPct: avg("idleCpuPct"),
    syscallsPerMove: avg("syscallsPerMove"),
    bytesOutPerMove: avg("bytesOutPerMove"),
    switchesPerMove: avg("switchesPerMove"),
    serverCpuPct: avg("serverCpuPct"),
    driverCpuPct: avg("driverCpuPct"),
    otherCpuPct: avg("otherCpuPct"),
    rss: avg("rss"),
    rssPerClient: avg("rssPerClient"),
    moves: avg("moves"),
    errors: avg("errors"),
  };
}

type Section = "play" | "quick" | "idle" | "storm" | "snapshots" | "accounts";
const SECTIONS: Section[] = ["play", "quick", "idle", "storm", "snapshots", "accounts"];
const ONLY = (args.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",") ?? SECTIONS).filter((s): s is Section => SECTIONS.includes(s as Section));

/**
 * Measures until a window is not contended (other processes used more than
 * {@link CONTENDED_PCT} % of a core in it), measuring again at most `retries.left` times in
 * the whole bench; `window` picks the load result out of what `measure` returns.
 */
async function uncontended<T>(retries: { left: number }, label: string, measure: () => Promise<T>, window: (t: T) => LoadResult): Promise<T> {
  for (;;) {
    const t = await measure();
    if (window(t).otherCpuPct <= CONTENDED_PCT || retries.left <= 0) return t;
    retries.left--;
    console.log(`    (contended window: measuring ${label}again)`);
  }
}

/** Ours and the baseline at each plan entry, alternating which goes first; contended windows measured again. */
async function measurePairs(mode: "play" | "quick", retries: { left: number }): Promise<LoadResult[][]> {
  const results: LoadResult[][] = [];
  for (const [i, { matches, seconds }] of PLAN.entries()) {
    // Alternate the order between configurations to spread drift over both servers.
    const order: Kind[] = i % 2 === 0 ? ["ours", "baseline"] : ["baseline", "ours"];
    if (REPEAT && matches === 500) order.push(...order.slice().reverse());
    const runs: LoadResult[] = [];
    for (const kind of order) {
      const measure = async () => {
        const other = await waitForQuiet();
        process.stdout.write(`  ${mode === "quick" ? "quick match, " : ""}${matches} matches, ${kind}: ${seconds} s window${other >= 25 ? ` (machine busy: ${f(other, 0)}% CPU used by others)` : ""} ... `);
        const r = await runLoad(kind, matches, seconds, [], mode);
        console.log(
          `${f(r.movesPerSec, 0)} moves/s${mode === "quick" ? `, ${f(r.gamesPerSec, 0)} games/s` : ""}, p99 ${f(r.moveP99, 2)} ms, ${f(r.cpuMicrosPerMove, 1)} µs CPU/move (${f(r.netCpuMicrosPerMove, 1)} net), ` +
            `other processes ${f(r.otherCpuPct, 0)}% CPU${mode === "play" ? `, joins took ${f(r.joinSeconds, 1)} s` : ""}${r.errors ? `, ${r.errors} errors (${r.firstError})` : ""}`,
        );
        return r;
      };
      runs.push(await uncontended(retries, `${kind} `, measure, (r) => r));
    }
    results.push([mean(runs.filter((r) => r.kind === "ours")), mean(runs.filter((r) => r.kind === "baseline"))]);
  }
  return results;
}

/**
 * High availability's cost: ours on a private redis-server, rooms reused (the play load),
 * with snapshots on and off in the same run, alternating which goes first. With snapshots
 * on, every move writes the room's snapshot to Redis (one EVAL) before its patch goes out.
 */
type SnapshotRun = { paceMs: number; on: LoadResult; off: LoadResult; redisOn: number; redisOff: number };

/**
 * The loads a feature's cost (snapshots, accounts) is measured under, per match count:
 * saturated (moves back to back: the machine's 2 cores are shared by the driver, the server
 * and Redis, so CPU per move also depends on how busy each is, and a server that does more
 * per game serves fewer moves, each sharing its socket writes with fewer others), and paced
 * (each match moves once every N ms on a fixed schedule, whatever a move's latency: on and
 * off serve the same moves per second, below saturation, so the difference is the cost
 * itself; 2,000 moves/s at both match counts).
 *
 * The paced load used to wait N ms after each acknowledged move (closed loop): a setting
 * that made moves slower then served fewer moves per second, and a server's CPU per move
 * rises as its rate falls (fewer messages share each wake-up), which was counted against
 * the setting (seen with HA_BATCH_MS=10: 1,140 moves/s on against 1,740 off).
 */
const ON_OFF_LOADS = (matches: number) => [0, Math.round(matches / 2)];
/**
 * On/off pairs measured per load, alternating which goes first: on these shared 2-core
 * machines one pair's ratio swings by tens of percent from run to run, so the verdict is
 * on the median pair.
 */
const SNAPSHOT_PAIRS = SHORT ? 1 : 3;

/**
 * --together: the paced load only, each server at half the sequential rate (a move every
 * `matches` ms per match: 1,000 moves/s each, 2,000 in all, as in the sequential pairs),
 * so that the two servers sharing one CPU stay well below saturation; more pairs, since
 * each costs half the time.
 */
const TOGETHER_LOADS = (matches: number) => [matches];
const TOGETHER_PAIRS = SHORT ? 2 : 5;
const pairsPerLoad = (sequential: number) => (TOGETHER ? TOGETHER_PAIRS : sequential);

/** The on/off pairs a section measures: per match count and load, `sequential` pairs (TOGETHER_PAIRS side by side). */
function pairPlan(sequential: number): { matches: number; seconds: number; paceMs: number }[] {
  return PLAN.flatMap(({ matches, seconds }) =>
    (TOGETHER ? TOGETHER_LOADS(matches) : ON_OFF_LOADS(matches)).flatMap((paceMs) => Array.from({ length: pairsPerLoad(sequential) }, () => ({ matches, seconds, paceMs }))),
  );
}

type Setting = "on" | "off";
/** Which setting of pair `i` goes first: alternating, to spread drift over both. */
const settingsOrder = (i: number): [Setting, Setting] => (i % 2 === 0 ? ["on", "off"] : ["off", "on"]);

/** Where two loads run side by side meet: each waits there until the other arrives, or fails. */
class Meeting {
  private waiting?: { resolve: () => void; reject: (err: Error) => void };
  private broken?: Error;

  arrive(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const other = this.waiting;
    if (other) {
      this.waiting = undefined;
      other.resolve();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** One side failed: the other stops at its next meeting (and its finally stops its server). */
  break(err: Error) {
    this.broken = err;
    this.waiting?.reject(err);
    this.waiting = undefined;
  }
}

/**
 * Runs the on and off loads of pair `i` at once (started in {@link settingsOrder}), their
 * windows lined up (runLoad's `meet`); both finish (and clean up) before a failure is thrown.
 */
async function sideBySide<T extends LoadResult>(i: number, load: (setting: Setting, meet: () => Promise<void>) => Promise<T>): Promise<Record<Setting, T>> {
  const meeting = new Meeting();
  const order = settingsOrder(i);
  const settled = await Promise.allSettled(
    order.map((setting) =>
      load(setting, () => meeting.arrive()).catch((err: Error) => {
        meeting.break(err);
        throw err;
      }),
    ),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  const [first, second] = settled.map((r) => (r as PromiseFulfilledResult<T>).value) as [T, T];
  return order[0] === "on" ? { on: first, off: second } : { on: second, off: first };
}

/** A side-by-side pair's line: each server's rate, CPU per move, event-loop wake-ups (context switches) per move and p99 (`extra` after the on server's), and on vs off. */
function pairLine(on: LoadResult, off: LoadResult, extra = ""): string {
  const one = (r: LoadResult) => `${f(r.movesPerSec, 0)} moves/s, ${f(r.cpuMicrosPerMove, 1)} µs CPU/move, ${f(r.switchesPerMove, 2)} switches/move, p99 ${f(r.moveP99, 2)} ms`;
  const errors = on.errors + off.errors;
  return `on ${one(on)}${extra}; off ${one(off)}: ${change(on.cpuMicrosPerMove / off.cpuMicrosPerMove)}${errors ? `, ${errors} errors (${on.firstError ?? off.firstError})` : ""}`;
}

/** Redis's CPU (seconds) over a whole run (joins, warm-up and window), per move of the whole run (estimated from the window's rate), in µs. */
const redisMicrosPerMove = (cpuSeconds: number, r: LoadResult, seconds: number) => (cpuSeconds * 1e6) / Math.max(1, r.moves * ((seconds + WARMUP_MS / 1000) / seconds));

const loadLabel = (paceMs: number) => (paceMs ? `paced (a move every ${paceMs} ms per match)` : "saturated");

/** A private redis-server for the snapshots section, pinned with the load driver, and its own CPU seconds so far (INFO cpu). */
async function benchRedis() {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  if (PIN) pin(Number(/process_id:(\d+)/.exec(await client.info("server"))?.[1]), OTHER_CPUS);
  const cpu = async () => {
    const info = await client.info("cpu");
    const read = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return read("used_cpu_user") + read("used_cpu_sys");
  };
  const stop = async () => {
    client.disconnect();
    await redis.stop();
  };
  return { url: redis.url, client, cpu, stop };
}

async function measureSnapshots(retries: { left: number }): Promise<SnapshotRun[]> {
  if (TOGETHER) return measureSnapshotsTogether();
  const { url, client, cpu: redisCpu, stop } = await benchRedis();
  if (PIN) console.log(`  pinned: each server to CPU 0; the load driver and Redis to CPUs ${OTHER_CPUS} (--no-pin: not)`);
  const out: SnapshotRun[] = [];
  try {
    for (const [i, { matches, seconds, paceMs }] of pairPlan(SNAPSHOT_PAIRS).entries()) {
      const runs: Partial<Record<Setting, { r: LoadResult; redisPerMove: number }>> = {};
      for (const setting of settingsOrder(i)) {
        const measure = async () => {
          await waitForQuiet();
          process.stdout.write(`  snapshots ${setting}, ${matches} matches, ${loadLabel(paceMs)}, ours on Redis: ${seconds} s window ... `);
          await client.flushall();
          const c0 = await redisCpu();
          const r = await runLoad("ours", matches, seconds, [], "play", { REDIS_URL: url, SNAPSHOTS: setting, PUBLIC_ADDRESS: "127.0.0.1:{port}" }, paceMs, PIN);
          const redisPerMove = redisMicrosPerMove((await redisCpu()) - c0, r, seconds);
          console.log(`${f(r.movesPerSec, 0)} moves/s, p99 ${f(r.moveP99, 2)} ms, ${f(r.cpuMicrosPerMove, 1)} µs CPU/move (${f(r.netCpuMicrosPerMove, 1)} net), Redis ~${f(redisPerMove, 1)} µs/move${r.errors ? `, ${r.errors} errors (${r.firstError})` : ""}`);
          return { r, redisPerMove };
        };
        runs[setting] = await uncontended(retries, "", measure, (m) => m.r);
      }
      out.push({ paceMs, on: runs.on!.r, off: runs.off!.r, redisOn: runs.on!.redisPerMove, redisOff: runs.off!.redisPerMove });
    }
  } finally {
    await stop();
  }
  return out;
}

/** --together: each pair's on and off servers at once, on the same CPU, each on its own private Redis. */
async function measureSnapshotsTogether(): Promise<SnapshotRun[]> {
  const redises = { on: await benchRedis(), off: await benchRedis() };
  console.log(`  side by side: both servers of a pair at once${PIN ? ` on CPU 0; their load drivers and Redis servers on CPUs ${OTHER_CPUS}` : ""}; each on its own Redis`);
  const out: SnapshotRun[] = [];
  try {
    for (const [i, { matches, seconds, paceMs }] of pairPlan(SNAPSHOT_PAIRS).entries()) {
      await waitForQuiet();
      process.stdout.write(`  snapshots on and off side by side, ${matches} matches each, ${loadLabel(paceMs)}: ${seconds} s window ... `);
      await redises.on.client.flushall();
      await redises.off.client.flushall();
      const c0 = { on: await redises.on.cpu(), off: await redises.off.cpu() };
      const r = await sideBySide(i, (setting, meet) =>
        runLoad("ours", matches, seconds, [], "play", { REDIS_URL: redises[setting].url, SNAPSHOTS: setting, PUBLIC_ADDRESS: "127.0.0.1:{port}" }, paceMs, PIN, { meet }),
      );
      const redisPerMove = async (setting: Setting) => redisMicrosPerMove((await redises[setting].cpu()) - c0[setting], r[setting], seconds);
      out.push({ paceMs, on: r.on, off: r.off, redisOn: await redisPerMove("on"), redisOff: await redisPerMove("off") });
      console.log(pairLine(r.on, r.off));
    }
  } finally {
    await redises.on.stop();
    await redises.off.stop();
  }
  return out;
}

function printSnapshotTable(results: SnapshotRun[]) {
  console.log("");
  console.log("Snapshots (high availability): ours on a private redis-server, rooms reused (the play load), SNAPSHOTS=on vs off in the same run;");
  console.log("  CPU µs/mv = the server's own CPU per move; Redis µs/mv = redis-server's CPU per move (INFO cpu over the whole run, estimated);");
  console.log(`  load: saturated (moves back to back) or paced (a move every N ms per match); ${pairsPerLoad(SNAPSHOT_PAIRS)} on/off pair(s) per load${TOGETHER ? ", each pair's two servers side by side (--together)" : ""}${PIN ? ", server pinned to CPU 0" : ""}:`);
  const W = [8, 10, 10, 9, 9, 9, 10, 10, 10, 7];
  console.log(row(["matches", "load", "snapshots", "moves/s", "move p50", "move p99", "CPU µs/mv", "net µs/mv", "Redis µs/mv", "errors"], W));
  const more = (ratio: number) => `${ratio >= 1 ? "+" : ""}${f((ratio - 1) * 100, 1)}%`;
  const median = (xs: number[]) => {
    const s = sortNum(xs);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const groups = new Map<string, SnapshotRun[]>();
  for (const run of results) {
    const key = `${run.on.matches}|${run.paceMs}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  for (const runs of groups.values()) {
    const { paceMs, on: first } = runs[0]!;
    const load = paceMs ? `every ${paceMs} ms` : "saturated";
    for (const { on, off, redisOn, redisOff } of runs) {
      for (const [label, r, redisUs] of [["on", on, redisOn], ["off", off, redisOff]] as const) {
        console.log(row([String(r.matches), load, label, f(r.movesPerSec, 0), f(r.moveP50, 2), f(r.moveP99, 2), f(r.cpuMicrosPerMove, 1), f(r.netCpuMicrosPerMove, 1), f(redisUs, 1), f(r.errors, 0)], W));
      }
    }
    const cpu = runs.map((r) => r.on.cpuMicrosPerMove / r.off.cpuMicrosPerMove);
    const net = runs.map((r) => r.on.netCpuMicrosPerMove / r.off.netCpuMicrosPerMove);
    const p99 = runs.map((r) => r.on.moveP99 / r.off.moveP99);
    const verdict = median(cpu) <= 1.15 ? "PASS" : "MISS";
    console.log(
      `  ${first.matches} matches, ${load}, on vs off: CPU per move ${more(median(cpu))} (median of ${runs.length}: ${cpu.map(more).join(", ")}; net ${more(median(net))}; target ≤ +15%: ${verdict}), ` +
        `move p99 ${more(median(p99))}`,
    );
  }
}

// ---------------------------------------------------------------- accounts

/** Recording's cost: CPU per move with ACCOUNTS=on (every client signed in) within this much of ACCOUNTS=off. */
const TARGET_RECORDING_CPU = 1.05;
/** The embedded database's price at start-up: RSS and time until the port accepts connections, on − off. */
const TARGET_DB_RSS_MB = 60;
const TARGET_DB_START_MS = 1000;
/** On/off pairs per load (one with --short), alternating which goes first; the verdict is on the median pair. */
const ACCOUNT_PAIRS = SHORT ? 1 : 3;
/** Server starts per setting in the start-up part, alternating off/on. */
const STARTUP_RUNS = 3;
/** RSS is read this long after the port first accepted a connection. */
const STARTUP_SETTLE_MS = 2000;
const RECORDED = "match_results_recorded_total";
const BACKLOG = "match_results_backlog";
const DROPPED = "match_results_dropped_total";
/** The recorder's transactions: total seconds and results written (src/players/recorder.ts; the embedded database's writes are synchronous, so their time is CPU or disk waits of the event loop). */
const WRITE_SECONDS = "match_results_write_seconds_sum";

type WindowedResult = LoadResult & { window: ProfileWindow };
/** `databaseOn`: with --postgres, PostgreSQL's own CPU per move of the server with accounts on (µs, over its window). */
type AccountsRun = { paceMs: number; on: WindowedResult; off: WindowedResult; databaseOn?: number };
interface StartupRun {
  setting: Setting;
  startMs: number;
  rss: number;
  /** The "players' database ready" log line's `ms` (opening and migrating it); NaN with ACCOUNTS=off. */
  dbOpenMs: number;
  /** Bytes in DATA_DIR when the RSS was read. */
  dataBytes: number;
}
interface AccountsResult {
  runs: AccountsRun[];
  /** With --postgres: recorded into PostgreSQL (`where` says which; no start-up part then). */
  postgres: boolean;
  startups: StartupRun[];
  /** Where the temporary DATA_DIRs are, and its file system (SQLite's commits pay its fsync). */
  where: string;
}

function dirBytes(dir: string | undefined): number {
  if (!dir || !fs.existsSync(dir)) return NaN;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isFile() ? fs.statSync(path.join(dir, e.name)).size : e.isDirectory() ? dirBytes(path.join(dir, e.name)) : 0), 0);
}

function fileSystemOf(dir: string): string {
  try {
    return execFileSync("stat", ["-f", "-c", "%T", dir]).toString().trim();
  } catch {
    return "?";
  }
}

/**
 * --postgres: a private PostgreSQL server (test/helpers/postgres.ts: fsync off, as in the
 * tests), pinned with the load drivers, and its CPU seconds so far: the postmaster with
 * every child it has waited for, and its live children (the server's connections).
 */
export async function benchPostgres() {
  const pg = await startPostgres();
  const port = new URL(pg.url).port;
  const ticks = (fields: string[], from: number, n: number) => fields.slice(from, from + n).reduce((sum, x) => sum + Number(x), 0);
  const fieldsOf = (pid: string) => {
    try {
      return statFields(pid);
    } catch {
      return undefined; // gone meanwhile
    }
  };
  const pids = () => fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const postmaster = pids().find((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return argv.some((a) => a.endsWith("/postgres") || a === "postgres") && argv.includes("-p") && argv[argv.indexOf("-p") + 1] === port;
    } catch {
      return false;
    }
  });
  if (!postmaster) throw new Error(`the private PostgreSQL's postmaster (port ${port}) was not found in /proc`);
  const family = () => [postmaster, ...pids().filter((pid) => fieldsOf(pid)?.[1] === postmaster)];
  // Its background processes now; connections fork from the postmaster later and inherit its CPUs.
  if (PIN) for (const pid of family()) pin(Number(pid), OTHER_CPUS);
  const cpu = () => {
    let t = 0;
    for (const pid of family()) {
      const fields = fieldsOf(pid);
      // utime and stime; the postmaster's also cutime and cstime (its connections that ended).
      if (fields) t += ticks(fields, 11, pid === postmaster ? 4 : 2);
    }
    return t / CLK_TCK;
  };
  return { url: pg.url, cpu, stop: () => pg.stop() };
}

async function measureAccounts(retries: { left: number }): Promise<AccountsResult> {
  const postgres = POSTGRES ? await benchPostgres() : undefined;
  try {
    return await measureAccountsOn(retries, postgres);
  } finally {
    await postgres?.stop();
  }
}

async function measureAccountsOn(retries: { left: number }, postgres: Awaited<ReturnType<typeof benchPostgres>> | undefined): Promise<AccountsResult> {
  const where = postgres ? "a private PostgreSQL server (fsync off)" : `${os.tmpdir()} (${fileSystemOf(os.tmpdir())})`;
  if (PIN) console.log(`  accounts: each server pinned to CPU 0, the load driver${postgres ? " and PostgreSQL" : ""} to CPUs ${OTHER_CPUS} (--no-pin: not)`);
  if (postgres) console.log("  the server with accounts on records into a private PostgreSQL server (DATABASE_URL)");
  const runs: AccountsRun[] = [];
  if (TOGETHER) console.log(`  side by side: both servers of a pair at once${PIN ? ` on CPU 0, their load drivers on CPUs ${OTHER_CPUS}` : ""}`);
  for (const [i, { matches, seconds, paceMs }] of pairPlan(ACCOUNT_PAIRS).entries()) {
    const pair: Partial<Record<Setting, WindowedResult>> = {};
    /** PostgreSQL's CPU seconds over the window of the server with accounts on. */
    let databaseCpu = NaN;
    const atWindow = postgres ? (edge: "start" | "end") => (databaseCpu = edge === "start" ? postgres.cpu() : postgres.cpu() - databaseCpu) : undefined;
    const load = (setting: Setting, meet?: () => Promise<void>) =>
      runLoad("ours", matches, seconds, [], "play", { ACCOUNTS: setting, ...(setting === "on" && postgres ? { DATABASE_URL: postgres.url } : {}) }, paceMs, PIN, {
        signIn: setting === "on",
        metrics: [RECORDED, BACKLOG, DROPPED, WRITE_SECONDS],
        meet,
        atWindow: setting === "on" ? atWindow : undefined,
      });
    /** PostgreSQL's CPU per move of `r` (the server with accounts on) over its window, in µs. */
    const databasePerMove = (r: LoadResult) => (postgres ? (databaseCpu * 1e6) / Math.max(1, r.moves) : undefined);
    const databaseNote = (us: number | undefined) => (us === undefined ? "" : `, PostgreSQL ${f(us, 1)} µs/move`);
    if (TOGETHER) {
      await waitForQuiet();
      process.stdout.write(`  accounts on (every client signed in) and off side by side, ${matches} matches each, ${loadLabel(paceMs)}: ${seconds} s window ... `);
      const { on, off } = await sideBySide(i, load);
      const databaseOn = databasePerMove(on);
      const recorded = (on.metricsAfter?.[RECORDED] ?? NaN) - (on.metricsBefore?.[RECORDED] ?? NaN);
      console.log(pairLine(on, off, `, ${f(on.gamesPerSec, 0)} games/s, ${f(recorded, 0)} recorded${databaseNote(databaseOn)}`));
      runs.push({ paceMs, on, off, databaseOn });
      continue;
    }
    let databaseOn: number | undefined;
    for (const setting of settingsOrder(i)) {
      const measure = async () => {
        await waitForQuiet();
        process.stdout.write(`  accounts ${setting}, ${matches} matches, ${loadLabel(paceMs)}${setting === "on" ? ", every client signed in" : ""}: ${seconds} s window ... `);
        const r = await load(setting);
        if (setting === "on") databaseOn = databasePerMove(r);
        const recorded = (r.metricsAfter?.[RECORDED] ?? NaN) - (r.metricsBefore?.[RECORDED] ?? NaN);
        console.log(
          `${f(r.movesPerSec, 0)} moves/s, ${f(r.gamesPerSec, 0)} games/s, p99 ${f(r.moveP99, 2)} ms, ${f(r.cpuMicrosPerMove, 1)} µs CPU/move (${f(r.netCpuMicrosPerMove, 1)} net)` +
            `${setting === "on" ? `, ${f(recorded, 0)} recorded in the window, backlog ${f(r.metricsAfter?.[BACKLOG] ?? NaN, 0)} at its end${databaseNote(databaseOn)}` : ""}` +
            `, joins${setting === "on" ? " (with sign-ins)" : ""} took ${f(r.joinSeconds, 1)} s${r.errors ? `, ${r.errors} errors (${r.firstError})` : ""}`,
        );
        return r;
      };
      pair[setting] = await uncontended(retries, "", measure, (r) => r);
    }
    runs.push({ paceMs, on: pair.on!, off: pair.off!, databaseOn });
  }

  const startups: StartupRun[] = [];
  // The start-up targets are the embedded database's.
  for (let i = 0; i < (postgres ? 0 : 2 * STARTUP_RUNS); i++) {
    const setting: Setting = i % 2 === 0 ? "off" : "on";
    await waitForQuiet();
    process.stdout.write(`  start-up ${setting}${setting === "on" ? " (empty DATA_DIR)" : ""} ... `);
    // LOG_LEVEL=info for the database's own "ready" line (a handful of lines at start, both settings alike).
    const server = await startServer("ours", { ACCOUNTS: setting, LOG_LEVEL: "info" });
    try {
      await sleep(STARTUP_SETTLE_MS);
      const { rss } = procStat(server.child.pid!);
      const ready = /"ms":(\d+)[^\n]*players' database ready|players' database ready[^\n]*"ms":(\d+)/.exec(server.output.join(""));
      const run: StartupRun = { setting, startMs: server.startMs, rss, dbOpenMs: ready ? Number(ready[1] ?? ready[2]) : NaN, dataBytes: dirBytes(server.dataDir) };
      startups.push(run);
      console.log(`listening after ${f(run.startMs, 0)} ms, RSS ${mb(rss)} MB ${STARTUP_SETTLE_MS / 1000} s later${setting === "on" ? `, database opened and migrated in ${f(run.dbOpenMs, 0)} ms, DATA_DIR ${kb(run.dataBytes)} KB` : ""}`);
    } finally {
      await stopServer(server);
    }
  }
  return { runs, startups, where, postgres: postgres !== undefined };
}

const medianOf = (xs: number[]) => {
  const s = sortNum(xs.filter((x) => !Number.isNaN(x)));
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const change = (ratio: number) => (Number.isFinite(ratio) ? `${ratio >= 1 ? "+" : ""}${f((ratio - 1) * 100, 1)}%` : "—");

function printAccountsTable({ runs, startups, where, postgres }: AccountsResult) {
  console.log("");
  console.log(`Accounts (players' database, ${postgres ? "PostgreSQL" : "embedded SQLite"}): rooms reused (the play load), ours with ACCOUNTS=on and every client signed in as a`);
  console.log("  guest of its own (each finished game recorded: one transaction with its action log) vs ACCOUNTS=off and no tokens, in the same run;");
  console.log(`  ${postgres ? `the server with accounts on recording into ${where}` : `each server with a fresh DATA_DIR under ${where}`}; recorded = Δ${RECORDED} over the window (/metrics), vs games`);
  console.log(`  finished in it; backlog = ${BACKLOG} at the window's end; load: saturated (moves back to back) or paced (a move every N ms per`);
  console.log(`  match on a fixed schedule, so on and off serve the same moves per second); ${pairsPerLoad(ACCOUNT_PAIRS)} on/off pair(s) per load${TOGETHER ? ", each pair's two servers side by side (--together)" : ""}${PIN ? ", server pinned to CPU 0" : ""}:`);
  const W = [8, 10, 9, 8, 8, 9, 9, 10, 10, 9, 8, 8, 7, 6];
  console.log(row(["matches", "load", "accounts", "moves/s", "games/s", "move p50", "move p99", "CPU µs/mv", "net µs/mv", "recorded", "/game", "backlog", "RSS MB", "errors"], W));
  const groups = new Map<string, AccountsRun[]>();
  for (const run of runs) {
    const key = `${run.on.matches}/${run.paceMs}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  const verdicts: string[] = [];
  for (const group of groups.values()) {
    const matches = group[0]!.on.matches;
    const load = group[0]!.paceMs ? `every ${group[0]!.paceMs} ms` : "saturated";
    for (const { on, off } of group) {
      for (const [label, r] of [["on", on], ["off", off]] as const) {
        const recorded = (r.metricsAfter?.[RECORDED] ?? NaN) - (r.metricsBefore?.[RECORDED] ?? NaN);
        const games = r.gamesPerSec * (r.window.toUs - r.window.fromUs) / 1e6;
        const dropped = (r.metricsAfter?.[DROPPED] ?? 0) - (r.metricsBefore?.[DROPPED] ?? 0);
        console.log(
          row(
            [String(r.matches), load, label, f(r.movesPerSec, 0), f(r.gamesPerSec, 0), f(r.moveP50, 2), f(r.moveP99, 2), f(r.cpuMicrosPerMove, 1), f(r.netCpuMicrosPerMove, 1), f(recorded, 0), games > 0 ? f(recorded / games, 2) : "—", `${f(r.metricsAfter?.[BACKLOG] ?? NaN, 0)}${dropped > 0 ? ` (${f(dropped, 0)} dropped)` : ""}`, mb(r.rss), f(r.errors, 0)],
            W,
          ),
        );
      }
    }
    const ratio = (k: keyof LoadResult) => group.map(({ on, off }) => (on[k] as number) / (off[k] as number));
    const cpu = ratio("cpuMicrosPerMove");
    const ok = medianOf(cpu) <= TARGET_RECORDING_CPU;
    console.log(
      `  ${matches} matches, ${load}, on / off: CPU per move ${change(medianOf(cpu))} (median of ${group.length}: ${cpu.map(change).join(", ")}; net ${change(medianOf(ratio("netCpuMicrosPerMove")))}), ` +
        `moves/s ${f(medianOf(ratio("movesPerSec")), 2)}×, games/s ${f(medianOf(ratio("gamesPerSec")), 2)}×, move p50 ${f(medianOf(ratio("moveP50")), 2)}×, p99 ${f(medianOf(ratio("moveP99")), 2)}×`,
    );
    // What a recorded game costs whatever the load: the extra CPU per move times the moves of a game (each pair's, then the median).
    const perGame = group.map(({ on, off }) => (on.cpuMicrosPerMove - off.cpuMicrosPerMove) * (on.movesPerSec / on.gamesPerSec));
    console.log(`    recording's CPU per recorded game (on − off per move × ${f(medianOf(group.map(({ on }) => on.movesPerSec / on.gamesPerSec)), 1)} moves a game): ${f(medianOf(perGame), 0)} µs (pairs: ${perGame.map((x) => f(x, 0)).join(", ")})`);
    // Of which the database's transactions, measured inside the server (far less noisy than a difference of two runs).
    const delta = (r: WindowedResult, k: string) => (r.metricsAfter?.[k] ?? NaN) - (r.metricsBefore?.[k] ?? NaN);
    const writePerGame = group.map(({ on }) => (delta(on, WRITE_SECONDS) * 1e6) / delta(on, RECORDED));
    if (postgres) {
      console.log(`    the transactions' wall clock (match_results_write_seconds per recorded match; the server waits for PostgreSQL's answer without blocking): ${f(medianOf(writePerGame), 0)} µs (runs: ${writePerGame.map((x) => f(x, 0)).join(", ")})`);
      const database = group.map(({ databaseOn, on }) => (databaseOn ?? NaN) * (on.movesPerSec / on.gamesPerSec));
      console.log(`    PostgreSQL's own CPU per recorded game (its processes over the window, per move × moves a game; not in the server's figures): ${f(medianOf(database), 0)} µs (runs: ${database.map((x) => f(x, 0)).join(", ")})`);
    } else {
      console.log(`    of which the database's transactions (match_results_write_seconds per recorded match; wall clock; the WAL's checkpoints run in a worker thread, outside it): ${f(medianOf(writePerGame), 0)} µs (runs: ${writePerGame.map((x) => f(x, 0)).join(", ")})`);
    }
    verdicts.push(`  ${ok ? "PASS" : "MISS"}  recording, ${matches} matches, ${load}: server CPU per move with ACCOUNTS=on ≤ +${f((TARGET_RECORDING_CPU - 1) * 100, 0)}% of off: ${change(medianOf(cpu))} (median pair)`);
  }

  if (startups.length) {
    console.log("");
    console.log(`Accounts at start-up: ours started without load, ${STARTUP_RUNS}× ACCOUNTS=off and ${STARTUP_RUNS}× ACCOUNTS=on with a fresh empty DATA_DIR (the first start`);
    console.log(`  creates and migrates the database), alternating; start = spawn (node --import tsx src/index.ts) until the port accepts a connection`);
    console.log(`  (polled every 10 ms), RSS ${STARTUP_SETTLE_MS / 1000} s after that (/proc/<pid>/status); db open = the "players' database ready" log line's ms:`);
    const SW = [9, 0, 14, 14, 12, 12];
    console.log(row(["accounts", "", "start ms", "RSS MB", "db open ms", "DATA_DIR KB"], SW));
    for (const s of startups) console.log(row([s.setting, "", f(s.startMs, 0), mb(s.rss), f(s.dbOpenMs, 0), kb(s.dataBytes)], SW));
    const med = (setting: Setting, k: "startMs" | "rss" | "dbOpenMs" | "dataBytes") => medianOf(startups.filter((s) => s.setting === setting).map((s) => s[k]));
    const dStart = med("on", "startMs") - med("off", "startMs");
    const dRss = med("on", "rss") - med("off", "rss");
    for (const setting of ["off", "on"] as const) {
      console.log(row([`${setting} med.`, "", f(med(setting, "startMs"), 0), mb(med(setting, "rss")), f(med(setting, "dbOpenMs"), 0), kb(med(setting, "dataBytes"))], SW));
    }
    console.log(row(["on − off", "", `${dStart >= 0 ? "+" : ""}${f(dStart, 0)}`, `${dRss >= 0 ? "+" : ""}${mb(dRss)}`, "", ""], SW));
    verdicts.push(`  ${dRss <= TARGET_DB_RSS_MB * 1048576 ? "PASS" : "MISS"}  embedded database at start-up: RSS on − off ≤ +${TARGET_DB_RSS_MB} MB: ${dRss >= 0 ? "+" : ""}${mb(dRss)} MB (medians)`);
    verdicts.push(`  ${dStart <= TARGET_DB_START_MS ? "PASS" : "MISS"}  embedded database at start-up: time until listening on − off ≤ +${TARGET_DB_START_MS} ms: ${dStart >= 0 ? "+" : ""}${f(dStart, 0)} ms (medians)`);
  }
  console.log("Accounts targets:");
  for (const v of verdicts) console.log(v);
}

type Col = { head: string; width: number; cell: (r: LoadResult) => string; ratio?: keyof LoadResult };

function loadColumns(mode: "play" | "quick"): Col[] {
  return [
    { head: "matches", width: 8, cell: (r) => String(r.matches) },
    { head: "server", width: 9, cell: (r) => r.kind },
    { head: "moves/s", width: 8, cell: (r) => f(r.movesPerSec, 0), ratio: "movesPerSec" },
    ...(mode === "quick"
      ? ([
          { head: "games/s", width: 8, cell: (r) => f(r.gamesPerSec, 0), ratio: "gamesPerSec" },
          { head: "log B/game", width: 10, cell: (r) => f(r.logBytesPerGame, 0) },
        ] as Col[])
      : []),
    { head: "move p50", width: 9, cell: (r) => f(r.moveP50, 2), ratio: "moveP50" },
    { head: "move p99", width: 9, cell: (r) => f(r.moveP99, 2), ratio: "moveP99" },
    { head: "join p50", width: 9, cell: (r) => f(r.joinP50, 1), ratio: "joinP50" },
    { head: "join p99", width: 9, cell: (r) => f(r.joinP99, 1), ratio: "joinP99" },
    { head: "CPU µs/mv", width: 10, cell: (r) => f(r.cpuMicrosPerMove, 1), ratio: "cpuMicrosPerMove" },
    { head: "net µs/mv", width: 10, cell: (r) => f(r.netCpuMicrosPerMove, 1), ratio: "netCpuMicrosPerMove" },
    { head: "sysc/mv", width: 8, cell: (r) => f(r.syscallsPerMove, 2), ratio: "syscallsPerMove" },
    { head: "B out/mv", width: 8, cell: (r) => f(r.bytesOutPerMove, 0), ratio: "bytesOutPerMove" },
    { head: "srv CPU", width: 8, cell: (r) => `${f(r.serverCpuPct, 0)}%`, ratio: "serverCpuPct" },
    { head: "bg CPU", width: 7, cell: (r) => `${f(r.idleCpuPct, 0)}%`, ratio: "idleCpuPct" },
    { head: "RSS MB", width: 7, cell: (r) => mb(r.rss), ratio: "rss" },
    ...(mode === "play" ? ([{ head: "ΔRSS/client", width: 11, cell: (r) => `${kb(r.rssPerClient)} KB`, ratio: "rssPerClient" }] as Col[]) : []),
    { head: "drv CPU", width: 8, cell: (r) => `${f(r.driverCpuPct, 0)}%` },
    { head: "other CPU", width: 9, cell: (r) => `${f(Math.max(0, r.otherCpuPct), 0)}%` },
    { head: "errors", width: 6, cell: (r) => f(r.errors, 0) },
  ];
}

function printLoadTable(mode: "play" | "quick", results: LoadResult[][]) {
  const cols = loadColumns(mode);
  const W = cols.map((c) => c.width);
  console.log("");
  if (mode === "play") {
    console.log(`Rooms reused: M matches × 2 SDK clients (create + joinById), random legal moves in a closed loop, rematch in the same room;`);
    console.log(`  servers at LOG_LEVEL=warn; ${WARMUP_MS / 1000} s warm-up, then the measured window${REPEAT ? " (500: mean of 2 runs each)" : ""}.`);
  } else {
    console.log(`Quick match: 2 × M SDK players, each looping joinOrCreate → play one game of random legal moves → leave (the room is`);
    console.log(`  disposed); ours at its production defaults (LOG_LEVEL=info into a file, metrics on; only the per-address caps and the`);
    console.log(`  message rate lifted for loopback load); ${WARMUP_MS / 1000} s warm-up, then the measured window${REPEAT ? " (500: mean of 2 runs each)" : ""}.`);
  }
  console.log("  latencies in ms (move: send → every client of the match shows it; join: create/joinById/joinOrCreate → initial state);");
  console.log("  CPU µs/mv = server utime+stime per move (quick match: room creation, joins, leaves and disposal included); net µs/mv =");
  console.log("  the same minus the server's background CPU (bg CPU, before the window); sysc/mv = server read+write syscalls per move;");
  console.log("  B out/mv = bytes written per move (sockets and log); srv/drv/other CPU = % of one core: server, load driver, everything else.");
  console.log(row(cols.map((c) => c.head), W));
  for (const pair of results) for (const r of pair) console.log(row(cols.map((c) => c.cell(r)), W));
  console.log("Ratios ours / baseline (lower is better except moves/s and games/s):");
  const rcols = cols.filter((c, i) => i < 2 || c.ratio);
  console.log(row(rcols.map((c) => c.head), rcols.map((c) => c.width)));
  for (const [o, b] of results) {
    const cells = rcols.map((c, i) => (i === 0 ? String(o!.matches) : i === 1 ? "ours/base" : `${f((o![c.ratio!] as number) / (b![c.ratio!] as number), 2)}×`));
    console.log(row(cells, rcols.map((c) => c.width)));
  }
}

interface StormResult {
  clients: number;
  rooms: number;
  back: number;
  sameState: number;
  backP50: number;
  backP99: number;
  lastBackMs: number;
  cpuSeconds: number;
  peakCpuPct: number;
  rssBefore: number;
  peakRss: number;
  errors: number;
  firstError?: string;
}

/** The reconnect storm: every connection of `matches` running matches cut at once; when is everyone back? */
export async function runStorm(matches: number): Promise<StormResult> {
  const logFile = path.join(os.tmpdir(), `bench-storm-${process.pid}.log`);
  const server = await startServer("ours", {}, [], { production: true, logFile });
  const pid = server.child.pid!;
  let workers: Worker[] = [];
  try {
    await sleep(1000);
    workers = split(matches, WORKERS).map((m) => startWorker({ port: server.port, matches: m, mode: "storm", joinConcurrency: JOIN_CONCURRENCY }));
    const joined = (await Promise.all(workers.map((w) => w.next("joined")))) as Extract<FromWorker, { type: "joined" }>[];
    const failures = joined.reduce((n, j) => n + j.failures, 0);
    if (failures > 0) throw new Error(`${failures} of ${matches} matches failed to join (${joined.find((j) => j.firstError)?.firstError})`);
    await sleep(500);
    const s0 = procStat(pid);
    let peakRss = s0.rss;
    let peakCpuPct = 0;
    for (const w of workers) w.tell({ cmd: "storm" });
    const done = Promise.all(workers.map((w) => w.next("storm"))) as Promise<Extract<FromWorker, { type: "storm" }>[]>;
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    // Peak CPU over 250 ms slices (CLK_TCK is 100 Hz: finer slices only add noise).
    let prev = s0;
    let prevT = process.hrtime.bigint();
    while (!finished) {
      await sleep(250);
      const s = procStat(pid);
      const t = process.hrtime.bigint();
      peakRss = Math.max(peakRss, s.rss);
      peakCpuPct = Math.max(peakCpuPct, (100 * (s.cpuSeconds - prev.cpuSeconds)) / (Number(t - prevT) / 1e9));
      prev = s;
      prevT = t;
    }
    const results = await done;
    const s1 = procStat(pid);
    const backMs = sortNum(results.flatMap((r) => r.backMs));
    return {
      clients: results.reduce((n, r) => n + r.clients, 0),
      rooms: matches,
      back: results.reduce((n, r) => n + r.back, 0),
      sameState: results.reduce((n, r) => n + r.sameState, 0),
      backP50: pct(backMs, 50),
      backP99: pct(backMs, 99),
      lastBackMs: backMs.length ? backMs[backMs.length - 1]! : NaN,
      cpuSeconds: s1.cpuSeconds - s0.cpuSeconds,
      peakCpuPct,
      rssBefore: s0.rss,
      peakRss,
      errors: results.reduce((n, r) => n + r.errors, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
    };
  } finally {
    await stopWorkers(workers);
    await stopServer(server);
    fs.rmSync(logFile, { force: true });
  }
}

async function main() {
  const started = Date.now();
  const limit = fdLimit();
  // A driver process holds one socket per client (plus a few); keep each under the limit.
  const idleProcs = Math.max(1, Math.ceil(IDLE_CLIENTS / Math.max(1, (Number.isFinite(limit) ? limit : 1024) - 256)));
  console.log(
    `bench: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model.trim()}), node ${process.version}, ulimit -n ${limit}, CLK_TCK ${CLK_TCK}, ` +
      `load driver: ${WORKERS} process(es), ${JOIN_CONCURRENCY} matches joining at once${SHORT ? ", SHORT run" : ""}; sections: ${ONLY.join(", ")}`,
  );
  console.log(
    `  ours: a temporary DATA_DIR each (under ${os.tmpdir()}), ACCOUNTS=off (no players' database, like the baseline)` +
      `${ONLY.includes("accounts") ? " except in the accounts section (on vs off)" : ""}`,
  );
  if (ONLY.includes("idle") && Number.isFinite(limit) && limit < IDLE_CLIENTS + 256) {
    console.log(`  note: ulimit -n ${limit} < ${IDLE_CLIENTS} idle clients: the idle driver is split over ${idleProcs} processes; the server itself needs the same number of descriptors`);
  }

  const retries = { left: 2 };
  const play = ONLY.includes("play") ? await measurePairs("play", retries) : [];
  const quick = ONLY.includes("quick") ? await measurePairs("quick", retries) : [];

  const idle: IdleResult[] = [];
  if (ONLY.includes("idle")) {
    for (const kind of ["ours", "baseline"] as Kind[]) {
      const other = await waitForQuiet();
      process.stdout.write(`  idle, ${IDLE_CLIENTS} clients, ${kind}${other >= 25 ? ` (machine busy: ${f(other, 0)}% CPU used by others)` : ""} ... `);
      const r = await runIdle(kind, IDLE_CLIENTS, idleProcs);
      idle.push(r);
      console.log(`+${mb(r.rssAfter - r.rssBefore)} MB, joins took ${f(r.joinSeconds, 1)} s`);
    }
  }

  let storm: StormResult | undefined;
  if (ONLY.includes("storm")) {
    await waitForQuiet();
    process.stdout.write(`  reconnect storm, ${2 * STORM_MATCHES} players in ${STORM_MATCHES} rooms, ours ... `);
    storm = await runStorm(STORM_MATCHES);
    console.log(`${storm.back} of ${storm.clients} back, the last after ${f(storm.lastBackMs, 0)} ms`);
  }

  const snapshots = ONLY.includes("snapshots") ? await measureSnapshots(retries) : [];
  const accounts = ONLY.includes("accounts") ? await measureAccounts(retries) : undefined;

  // ------------------------------------------------------------ tables
  if (play.length) printLoadTable("play", play);
  if (snapshots.length) printSnapshotTable(snapshots);
  if (accounts) printAccountsTable(accounts);
  if (quick.length) printLoadTable("quick", quick);

  if (idle.length === 2) {
    console.log("");
    console.log(`Idle: ${IDLE_CLIENTS} connected clients (${IDLE_CLIENTS / 2} rooms × 2 players) in one server process; RSS before any client and ${(IDLE_QUIET_MS + IDLE_SETTLE_MS) / 1000} s after the last join,`);
    console.log("  live = V8 heap used + external after a forced full GC at the same two points (bench/gc-signal.ts; RSS keeps freed pages);");
    console.log(`  idle CPU = server CPU over ${IDLE_SETTLE_MS / 1000} s from ${IDLE_QUIET_MS / 1000} s after the last join, % of one core (pings; and Colyseus's 60 Hz clock tick per room in the baseline):`);
    const IW = [10, 0, 11, 11, 12, 12, 12, 13, 9, 9, 9];
    console.log(row(["server", "", "RSS before", "RSS after", "ΔRSS/client", "live before", "live after", "Δlive/client", "idle CPU", "join p50", "join p99"], IW));
    for (const r of idle) {
      console.log(
        row(
          [r.kind, "", `${mb(r.rssBefore)} MB`, `${mb(r.rssAfter)} MB`, `${kb(r.perClient)} KB`, `${mb(r.liveBefore)} MB`, `${mb(r.liveAfter)} MB`, `${kb(r.livePerClient)} KB`, `${f(r.idleCpuPct, 1)}%`, f(r.joinP50, 1), f(r.joinP99, 1)],
          IW,
        ),
      );
    }
    const [io, ib] = idle;
    const iq = (k: keyof IdleResult) => `${f((io![k] as number) / (ib![k] as number), 2)}×`;
    console.log(row(["ours/base", "", iq("rssBefore"), iq("rssAfter"), iq("perClient"), iq("liveBefore"), iq("liveAfter"), iq("livePerClient"), iq("idleCpuPct"), iq("joinP50"), iq("joinP99")], IW));
  }

  if (storm) {
    console.log("");
    console.log(`Reconnect storm (ours at production defaults; the baseline has no reconnection): ${storm.clients} players in ${storm.rooms} running rooms,`);
    console.log("  every socket cut at once from the client side (as when a network link flaps); the SDK's automatic reconnection at its");
    console.log("  defaults brings each back; state = the client's state after the reconnection equals the state before the cut.");
    console.log(
      `  back ${storm.back}/${storm.clients} (${f((100 * storm.back) / storm.clients, 1)}%), same state ${storm.sameState}/${storm.clients}, ` +
        `back after p50 ${f(storm.backP50, 0)} ms, p99 ${f(storm.backP99, 0)} ms, last ${f(storm.lastBackMs, 0)} ms; ` +
        `server CPU ${f(storm.cpuSeconds, 2)} s in all, peak ${f(storm.peakCpuPct, 0)}% of a core (250 ms slices); ` +
        `RSS ${mb(storm.rssBefore)} MB before, peak ${mb(storm.peakRss)} MB${storm.errors ? `; ${storm.errors} errors (${storm.firstError})` : ""}`,
    );
  }

  // ------------------------------------------------------------ targets
  const verdicts: { ok: boolean; text: string }[] = [];
  const cpuVerdict = (label: string, [o, b]: LoadResult[]) => {
    const ratio = o!.cpuMicrosPerMove / b!.cpuMicrosPerMove;
    verdicts.push({
      ok: ratio <= TARGET_CPU_RATIO,
      text:
        `${label}, ${o!.matches} matches: server CPU per move ≤ ${TARGET_CPU_RATIO.toFixed(1)}× baseline: ${f(o!.cpuMicrosPerMove, 1)} vs ${f(b!.cpuMicrosPerMove, 1)} µs = ${f(ratio, 2)}× ` +
        `(net of background: ${f(o!.netCpuMicrosPerMove / b!.netCpuMicrosPerMove, 2)}×)`,
    });
  };
  for (const pair of quick) {
    cpuVerdict("quick match", pair);
    const [o, b] = pair;
    verdicts.push({ ok: o!.joinP50 <= b!.joinP50 && o!.joinP99 <= b!.joinP99, text: `quick match, ${o!.matches} matches: join p50 and p99 ≤ baseline: p50 ${f(o!.joinP50, 1)} vs ${f(b!.joinP50, 1)} ms, p99 ${f(o!.joinP99, 1)} vs ${f(b!.joinP99, 1)} ms` });
  }
  for (const pair of play) {
    cpuVerdict("rooms reused", pair);
    const [o, b] = pair;
    verdicts.push({ ok: o!.moveP99 <= b!.moveP99, text: `rooms reused, ${o!.matches} matches: p99 move latency ≤ baseline: ${f(o!.moveP99, 2)} vs ${f(b!.moveP99, 2)} ms = ${f(o!.moveP99 / b!.moveP99, 2)}×` });
  }
  if (idle.length === 2) {
    const [io, ib] = idle;
    verdicts.push({ ok: io!.idleCpuPct <= TARGET_IDLE_CPU_PCT, text: `idle CPU with ${IDLE_CLIENTS} clients ≤ ${TARGET_IDLE_CPU_PCT}% of a core: ${f(io!.idleCpuPct, 1)}% (baseline ${f(ib!.idleCpuPct, 1)}%)` });
    verdicts.push({
      ok: io!.perClient <= TARGET_IDLE_KB * 1024,
      text: `RSS per idle client ≤ ${TARGET_IDLE_KB} KB: ${kb(io!.perClient)} KB (baseline ${kb(ib!.perClient)} KB; live heap after a full GC: ${kb(io!.livePerClient)} KB vs ${kb(ib!.livePerClient)} KB)`,
    });
  }
  if (storm) {
    verdicts.push({ ok: storm.back === storm.clients && storm.sameState === storm.clients, text: `reconnect storm: every player back with identical state: ${storm.sameState} of ${storm.clients}` });
  }
  console.log("");
  console.log("Targets:");
  for (const v of verdicts) console.log(`  ${v.ok ? "PASS" : "MISS"}  ${v.text}`);
  const all = [...play, ...quick].flat();
  if (all.some((r) => r.driverCpuPct > 90 * WORKERS)) {
    console.log(
      `  note: the load driver used > 90% of a core: throughput and latency there are partly driver-bound` +
        (os.cpus().length <= 2 ? " (with 2 cores, server + driver fill the machine: more driver processes cannot help)." : " (try --workers 2)."),
    );
  }
  const contended = all.filter((r) => r.otherCpuPct > CONTENDED_PCT);
  if (contended.length) {
    console.log(`  note: other processes on this machine used > ${CONTENDED_PCT}% of a core during ${contended.length} reported window(s) ("other CPU" column): those figures are contended; rerun when the machine is quiet.`);
  }
  console.log(`total ${f((Date.now() - started) / 1000, 0)} s`);

  if (PROFILE) await profile(PROFILE_KIND, ONLY.includes("quick") ? "quick" : ONLY.includes("play") ? "play" : "idle", PROFILE_MATCHES);
}

export async function profile(kind: Kind = "ours", mode: "play" | "quick" | "idle" = "play", matches = 500) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cpuprof-"));
  const cpuProf = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
  console.log("");
  if (mode === "idle") {
    console.log(`Profiling ${kind} with ${IDLE_CLIENTS} idle clients (node --cpu-prof, into ${dir}) ...`);
    const r = await runIdle(kind, IDLE_CLIENTS, 1, cpuProf);
    console.log(`  idle CPU ${f(r.idleCpuPct, 1)}% under the profiler`);
    return summarizeProfile(dir, r.window, 1, "s of the settle window");
  }
  console.log(`Profiling ${kind}${mode === "quick" ? ", quick match," : ""} at ${matches} matches (node --cpu-prof, into ${dir}) ...`);
  const r = await runLoad(kind, matches, PLAN[1]!.seconds, cpuProf, mode);
  console.log(`  ${f(r.movesPerSec, 0)} moves/s, ${f(r.cpuMicrosPerMove, 1)} µs CPU/move under the profiler`);
  summarizeProfile(dir, r.window, r.moves, "move");
}

/** Prints where the main thread's time went in `window`, and its busy time per `unit` (`count` of them). */
function summarizeProfile(dir: string, window: ProfileWindow, count: number, unit: string) {
  // One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; tsx's loader runs
  // in a thread of its own): the main thread is thread 0.
  const file = fs.readdirSync(dir).find((n) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(n));
  if (!file) {
    console.log("  no .cpuprofile was written (the server did not exit cleanly)");
    return;
  }
  const s = summarize(path.join(dir, file), 25, window.fromUs, window.toUs);
  console.log(`  ${path.join(dir, file)} — samples in the measured window only:`);
  for (const line of s.lines) console.log(`  ${line}`);
  if (unit === "move") console.log(`  busy ${f((s.busyMs * 1000) / count, 1)} µs of JS-thread time per move in the window (${count} moves)`);
}

if (require.main === module) {
  main()
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    })
    .finally(cleanup);
}
