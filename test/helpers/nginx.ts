/**
 * A private nginx for the load-balancer tests: Debian's nginx, with the configuration of
 * deploy/nginx.ts, on a free port of 127.0.0.1, its pid, logs and temp files in a fresh
 * folder. Stopped (and its folder removed) by `stop()`; killed if the test run dies.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { renderNginxConfig } from "../../deploy/nginx.js";
import { killOnExit } from "./cluster.js";
import { freePort, listening } from "./ports.js";

const REPO_ROOT = path.resolve(__dirname, "../..");
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => {
  try {
    execFileSync(p, ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
});

export interface TestNginx {
  port: number;
  /** `http(s)://127.0.0.1:<port>` */
  url: string;
  /** The access log so far, one line per request: `addr "request" status upstream=… rt=…`. */
  accessLog(): string[];
  /** nginx's error log, line by line. */
  errorLog(): string[];
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
killOnExit(() => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
});

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl into `dir`. */
export function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], { stdio: "ignore" });
  return { cert, key };
}

export async function startNginx(options: { port?: number; processes: readonly number[]; tls?: boolean; matchmakeRate?: number; matchmakeBurst?: number }): Promise<TestNginx> {
  if (!NGINX) throw new Error("nginx is not installed (scripts/ensure-system-deps.sh installs it)");
  const port = options.port ?? (await freePort());
  const runDir = mkdtempSync(path.join(os.tmpdir(), "nginx-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(runDir, "tmp", sub), { recursive: true });
  const tls = options.tls ? selfSignedCertificate(runDir) : undefined;
  const conf = path.join(runDir, "nginx.conf");
  writeFileSync(
    conf,
    renderNginxConfig({
      listen: port,
      host: "127.0.0.1",
      processes: options.processes,
      clientDir: path.join(REPO_ROOT, "client", "dist"),
      runDir,
      tls,
      // Started as root here: its workers run as root too, to read this folder.
      user: process.getuid?.() === 0 ? "root" : undefined,
      matchmakeRate: options.matchmakeRate ?? 1000,
      matchmakeBurst: options.matchmakeBurst ?? 1000,
      connectionsPerAddress: 10_000,
    }),
  );
  execFileSync(NGINX, ["-t", "-q", "-c", conf, "-p", runDir], { stdio: "pipe" });
  const child = spawn(NGINX, ["-c", conf, "-p", runDir, "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 5000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nginx did not start on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    accessLog: () => readFileSync(path.join(runDir, "access.log"), "utf8").split("\n").filter(Boolean),
    errorLog: () => (existsSync(path.join(runDir, "error.log")) ? readFileSync(path.join(runDir, "error.log"), "utf8").split("\n").filter(Boolean) : []),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGQUIT");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
        await exited;
      }
      running.delete(child);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
