/**
 * The whole stack on one machine: Redis, the game processes under pm2, nginx in front on
 * one public port.
 *
 *   npm run stack        start it (builds first); prints the address to open
 *   npm run stack:stop   stop it all
 *
 * Settings (environment): PUBLIC_PORT (8080), PUBLIC_HOST (localhost: the name browsers
 * use to reach this machine), INSTANCES (2), PORT (2567: the first process's port),
 * REDIS_URL (unset: a Redis of the stack's own on STACK_REDIS_PORT, 6390, keeping its data
 * in deploy/run), TLS_CERT and TLS_KEY (PEM files: serve https and wss). Runtime files
 * (nginx's configuration, pid and logs, pm2's home, Redis's data) live in deploy/run
 * (STACK_RUN_DIR: elsewhere). `stop` needs none of them again: what `start` set up is kept
 * in the run folder (stack.json).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderNginxConfig } from "./nginx.js";

const ROOT = path.resolve(__dirname, "..");
const RUN = process.env.STACK_RUN_DIR ? path.resolve(process.env.STACK_RUN_DIR) : path.join(ROOT, "deploy", "run");
/** What `start` set up, for `stop` (which may run from a shell without the same variables). */
const STATE = path.join(RUN, "stack.json");
/** How long the game processes have to answer /health after pm2 started them (STACK_READY_SECONDS). */
const READY_MS = Number(process.env.STACK_READY_SECONDS ?? 30) * 1000;
const env = process.env;
const PUBLIC_PORT = Number(env.PUBLIC_PORT ?? 8080);
const PUBLIC_HOST = env.PUBLIC_HOST ?? "localhost";
const INSTANCES = Number(env.INSTANCES ?? 2);
const PORT = Number(env.PORT ?? 2567);
const REDIS_PORT = Number(env.STACK_REDIS_PORT ?? 6390);
const OWN_REDIS = !env.REDIS_URL;
const REDIS_URL = env.REDIS_URL ?? `redis://127.0.0.1:${REDIS_PORT}`;
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? "nginx";
const NGINX_CONF = path.join(RUN, "nginx.conf");
const PM2 = [process.execPath, path.join(ROOT, "node_modules", "pm2", "bin", "pm2")];
const pm2Env = { ...env, PM2_HOME: path.join(RUN, "pm2") };

function sh(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; allowFail?: boolean } = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: options.env ?? env });
  if (result.status !== 0 && !options.allowFail) throw new Error(`${command} ${args.join(" ")} failed (${result.status})`);
  return result.status === 0;
}

async function start() {
  for (const dir of ["tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "pm2", "redis"]) mkdirSync(path.join(RUN, dir), { recursive: true });
  writeFileSync(STATE, JSON.stringify({ ownRedis: OWN_REDIS, redisPort: REDIS_PORT }));

  if (OWN_REDIS) {
    console.log(`· Redis on 127.0.0.1:${REDIS_PORT} (data in deploy/run/redis)`);
    sh("redis-server", ["--port", String(REDIS_PORT), "--bind", "127.0.0.1", "--daemonize", "yes", "--dir", path.join(RUN, "redis"), "--pidfile", path.join(RUN, "redis", "redis.pid"), "--appendonly", "yes", "--logfile", path.join(RUN, "redis", "redis.log")]);
  }

  console.log("· building the server and the web client");
  sh("npm", ["run", "build"]);

  const ports = Array.from({ length: INSTANCES }, (_, i) => PORT + i);
  console.log(`· ${INSTANCES} game processes under pm2 on ports ${ports.join(", ")}`);
  sh(PM2[0]!, [PM2[1]!, "start", "ecosystem.config.js", "--update-env"], {
    env: {
      ...pm2Env,
      INSTANCES: String(INSTANCES),
      PORT: String(PORT),
      HOST: "127.0.0.1", // reached through nginx only
      REDIS_URL,
      PUBLIC_ADDRESS: `${PUBLIC_HOST}:${PUBLIC_PORT}/p{port}`,
      TRUST_PROXY: "1",
    },
  });

  // pm2 shows a process "online" while it crash-loops (a setting refused at start-up): the
  // stack is up when every process answers /health, else it says why and stops.
  const notReady = await unanswered(ports);
  if (notReady.length > 0) {
    console.error(`\nThe stack did not come up: no answer from the game process${notReady.length > 1 ? "es" : ""} on port ${notReady.join(", ")} within ${READY_MS / 1000} s.`);
    for (const line of errorLogTails()) console.error(line);
    console.error("Stopping what was started.\n");
    stop();
    process.exit(1);
  }

  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: path.resolve(env.TLS_CERT), key: path.resolve(env.TLS_KEY) } : undefined;
  writeFileSync(
    NGINX_CONF,
    renderNginxConfig({ listen: PUBLIC_PORT, processes: ports, clientDir: path.join(ROOT, "client", "dist"), runDir: RUN, tls, user: process.getuid?.() === 0 ? "root" : undefined }),
  );
  execFileSync(NGINX, ["-t", "-q", "-c", NGINX_CONF, "-p", RUN], { stdio: "inherit" });
  sh(NGINX, ["-c", NGINX_CONF, "-p", RUN]);
  console.log(`\nThe stack is up: open ${tls ? "https" : "http"}://${PUBLIC_HOST}:${PUBLIC_PORT}  (stop it with: npm run stack:stop)`);
}

/** The ports whose process has not answered /health with 200 within {@link READY_MS}. */
async function unanswered(ports: number[]): Promise<number[]> {
  const deadline = Date.now() + READY_MS;
  let waiting = ports;
  while (waiting.length > 0 && Date.now() < deadline) {
    const answers = await Promise.all(waiting.map((port) => fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false)));
    waiting = waiting.filter((_, i) => !answers[i]);
    if (waiting.length > 0) await new Promise((r) => setTimeout(r, 500));
  }
  return waiting;
}

/** The last lines of the game processes' error logs (pm2's), where a refused start-up says why. */
function errorLogTails(): string[] {
  const logs = path.join(RUN, "pm2", "logs");
  if (!existsSync(logs)) return [];
  return readdirSync(logs)
    .filter((f) => f.startsWith("games-error"))
    .flatMap((f) => {
      const lines = readFileSync(path.join(logs, f), "utf8").split("\n").filter(Boolean).slice(-3);
      return lines.length > 0 ? [`  ${f}:`, ...lines.map((l) => `    ${l}`)] : [];
    });
}

function stop() {
  // What start set up (an older stack, or none: the environment's settings).
  const state = existsSync(STATE) ? (JSON.parse(readFileSync(STATE, "utf8")) as { ownRedis: boolean; redisPort: number }) : { ownRedis: OWN_REDIS, redisPort: REDIS_PORT };
  // The games first, while nginx still lets their players reach them: a page reloaded during
  // the drain comes back to its game (until 2026-12-05 nginx went first, refusing them).
  console.log("· pm2 (the games drain first, up to DRAIN_SECONDS)");
  sh(PM2[0]!, [PM2[1]!, "delete", "games"], { env: pm2Env, allowFail: true });
  sh(PM2[0]!, [PM2[1]!, "kill"], { env: pm2Env, allowFail: true });
  if (existsSync(NGINX_CONF)) {
    console.log("· nginx");
    sh(NGINX, ["-c", NGINX_CONF, "-p", RUN, "-s", "quit"], { allowFail: true });
  }
  if (state.ownRedis) {
    console.log(`· Redis (127.0.0.1:${state.redisPort})`);
    sh("redis-cli", ["-p", String(state.redisPort), "shutdown"], { allowFail: true });
  }
  console.log("The stack is stopped.");
}

const command = process.argv[2];
if (command === "start")
  start().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
else if (command === "stop") stop();
else {
  console.error("usage: tsx deploy/stack.ts start|stop");
  process.exit(2);
}
