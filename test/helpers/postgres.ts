/**
 * A private PostgreSQL server for the storage tests: `initdb` into a temporary folder, then
 * `pg_ctl` on a free port of 127.0.0.1 (trust authentication, fsync off), a database of its
 * own, stopped and deleted by `stop()`. The machine's own server (5432) is never used.
 * initdb and postgres refuse to run as root: as root they run as the `postgres` user.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { killOnExit } from "./cluster.js";
import { freePort } from "./ports.js";

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/players_test` */
  url: string;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/<v>/bin. */
function binDir(): string | undefined {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : undefined;
}

/** Temporary folder → its data folder, for every server started and not yet stopped. */
const running = new Map<string, string>();
killOnExit(() => {
  const bin = binDir();
  for (const [dir, data] of running) {
    try {
      if (bin) run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

const isRoot = () => process.getuid?.() === 0;

/** The command line to run `program` as a user PostgreSQL accepts. */
function asServerUser(program: string): string[] {
  return isRoot() ? ["runuser", "-u", "postgres", "--", program] : [program];
}

function run(program: string, args: string[]) {
  const [cmd, ...pre] = asServerUser(program);
  execFileSync(cmd!, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  if (!bin) throw new Error("PostgreSQL's initdb and pg_ctl were not found: install postgresql (bash scripts/ensure-system-deps.sh does)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "test-pg-"));
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  const port = await freePort();
  try {
    run(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
    running.set(dir, data);
    run(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, "start"]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    running.delete(dir);
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`private PostgreSQL did not start: ${e.stderr?.toString().trim() || e.message}`);
  }
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query("CREATE DATABASE players_test");
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/players_test`,
    async stop() {
      if (!running.has(dir)) return;
      running.delete(dir);
      try {
        run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
