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
 * (nginx's configuration, pid and logs, pm2's home, Redis's data) live in deploy/run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderNginxConfig } from "./nginx.js";

const ROOT = path.resolve(__dirname, "..");
const RUN = path.join(ROOT, "deploy", "run");
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

function start() {
  for (const dir of ["tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi", "pm2", "redis"]) mkdirSync(path.join(RUN, dir), { recursive: true });

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

  const tls = env.TLS_CERT && env.TLS_KEY ? { cert: path.resolve(env.TLS_CERT), key: path.resolve(env.TLS_KEY) } : undefined;
  writeFileSync(
    NGINX_CONF,
    renderNginxConfig({ listen: PUBLIC_PORT, processes: ports, clientDir: path.join(ROOT, "client", "dist"), runDir: RUN, tls, user: process.getuid?.() === 0 ? "root" : undefined }),
  );
  execFileSync(NGINX, ["-t", "-q", "-c", NGINX_CONF, "-p", RUN], { stdio: "inherit" });
  sh(NGINX, ["-c", NGINX_CONF, "-p", RUN]);
  console.log(`\nThe stack is up: open ${tls ? "https" : "http"}://${PUBLIC_HOST}:${PUBLIC_PORT}  (stop it with: npm run stack:stop)`);
}

function stop() {
  if (existsSync(NGINX_CONF)) {
    console.log("· nginx");
    sh(NGINX, ["-c", NGINX_CONF, "-p", RUN, "-s", "quit"], { allowFail: true });
  }
  console.log("· pm2 (the games drain first, up to DRAIN_SECONDS)");
  sh(PM2[0]!, [PM2[1]!, "delete", "games"], { env: pm2Env, allowFail: true });
  sh(PM2[0]!, [PM2[1]!, "kill"], { env: pm2Env, allowFail: true });
  if (OWN_REDIS) {
    console.log("· Redis");
    sh("redis-cli", ["-p", String(REDIS_PORT), "shutdown"], { allowFail: true });
  }
  console.log("The stack is stopped.");
}

const command = process.argv[2];
if (command === "start") start();
else if (command === "stop") stop();
else {
  console.error("usage: tsx deploy/stack.ts start|stop");
  process.exit(2);
}
