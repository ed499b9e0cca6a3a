/**
 * pm2: one server process per core, on consecutive ports, sharing Redis.
 *
 *   npm run build && npx pm2 start ecosystem.config.js
 *
 * Each instance listens on PORT + NODE_APP_INSTANCE (2567, 2568, …) and announces
 * PUBLIC_ADDRESS with `{port}` replaced by its own port, so the matchmaker can send a
 * client to the process that owns its room. See the README, "Running several processes".
 * Players' accounts are on when DATABASE_URL names a PostgreSQL server (with JWT_SECRET).
 */
const os = require("node:os");

const drainSeconds = Number(process.env.DRAIN_SECONDS || 600);
const instances = Number(process.env.INSTANCES) || os.cpus().length;
const port = Number(process.env.PORT || 2567);
const publicAddress = process.env.PUBLIC_ADDRESS || "localhost:{port}";

/**
 * Each process lets in pages of its own origin only (unless ALLOWED_ORIGINS says more), but a
 * page loaded from one process opens its game's WebSocket on whichever process holds the
 * room: with the processes reached directly (no front door: the default PUBLIC_ADDRESS),
 * every process lets in the pages of all of them (until 2026-12-05 about half the games a
 * page joined were refused, 403). Behind a front door (PUBLIC_ADDRESS set) there is one origin.
 */
function allowedOrigins() {
  if (process.env.ALLOWED_ORIGINS !== undefined || process.env.PUBLIC_ADDRESS) return process.env.ALLOWED_ORIGINS;
  const origins = [];
  for (let i = 0; i < instances; i++) for (const host of ["localhost", "127.0.0.1"]) origins.push(`http://${host}:${port + i}`);
  return origins.join(",");
}
const origins = allowedOrigins();

module.exports = {
  apps: [
    {
      name: "games",
      script: "build/index.js",
      exec_mode: "fork", // Colyseus needs one port per process: never pm2's cluster mode
      instances,
      wait_ready: true, // the server calls process.send("ready") once it listens
      listen_timeout: 20000,
      // pm2 sends SIGINT, then SIGKILL after kill_timeout: leave running games time to end.
      kill_timeout: (drainSeconds + 15) * 1000,
      max_memory_restart: "1G",
      time: true,
      env: {
        NODE_ENV: "production",
        PORT: port,
        REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
        PUBLIC_ADDRESS: publicAddress,
        ...(origins === undefined ? {} : { ALLOWED_ORIGINS: origins }),
        DRAIN_SECONDS: drainSeconds,
        // Players' accounts need a database every process shares (the embedded one is one
        // process's): on with DATABASE_URL (PostgreSQL; JWT_SECRET required in production),
        // off without it, unless ACCOUNTS says otherwise.
        ACCOUNTS: process.env.ACCOUNTS || (process.env.DATABASE_URL ? "on" : "off"),
      },
    },
  ],
};
