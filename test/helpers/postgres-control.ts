/**
 * Stops and starts again a private PostgreSQL of test/helpers/postgres.ts, keeping its data,
 * port and socket folder: a database outage for the tests of what the server does while
 * its players' database is down (test/players/outage.test.ts).
 *
 * The server's data folder is asked of the server itself (`SHOW data_directory`); its port
 * and socket folder are the ones `startPostgres()` gave it (the socket folder is the data
 * folder's parent). `stop()` of the TestPostgres still stops and deletes it; call it with the
 * server running (after `start()`), or it reports that nothing was running.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestPostgres } from "./postgres.js";

export interface PostgresControl {
  /** `pg_ctl stop -m fast`: open connections are cut (as a database crash or a restart does), and nothing answers on the port. */
  stop(): void;
  /** Starts it again on the same port with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
  readonly running: boolean;
}

/** The folder holding pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/<v>/bin (as test/helpers/postgres.ts finds it). */
function binDir(): string {
  const onPath = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return path.dirname(onPath);
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "pg_ctl"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions[0]) throw new Error("pg_ctl was not found");
  return path.join(root, versions[0], "bin");
}

/** Runs pg_ctl as a user PostgreSQL accepts (as root: the `postgres` user). */
function pgCtl(args: string[]) {
  const program = path.join(binDir(), "pg_ctl");
  const [cmd, ...pre] = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", program] : [program];
  try {
    execFileSync(cmd!, [...pre, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`pg_ctl ${args.at(-1)} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

/** Control of a running private PostgreSQL (started by `startPostgres()`). */
export async function controlPostgres(server: TestPostgres): Promise<PostgresControl> {
  const url = new URL(server.url);
  const port = Number(url.port);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const data = String((await admin.query<{ data_directory: string }>("SHOW data_directory")).rows[0]!.data_directory);
  await admin.end();
  const dir = path.dirname(data);
  let running = true;
  return {
    get running() {
      return running;
    },
    stop() {
      pgCtl(["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]);
      running = false;
    },
    async start() {
      // The options startPostgres() starts it with.
      pgCtl(["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`, "start"]);
      running = true;
      const probe = new pg.Client({ connectionString: server.url });
      await probe.connect();
      await probe.query("SELECT 1");
      await probe.end();
    },
  };
}
