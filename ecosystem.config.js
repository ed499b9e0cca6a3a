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
const drainSeconds = Number(process.env.DRAIN_SECONDS || 600);

module.exports = {
  apps: [
    {
      name: "games",
      script: "build/index.js",
      exec_mode: "fork", // Colyseus needs one port per process: never pm2's cluster mode
      instances: process.env.INSTANCES || "max",
      wait_ready: true, // the server calls process.send("ready") once it listens
      listen_timeout: 20000,
      // pm2 sends SIGINT, then SIGKILL after kill_timeout: leave running games time to end.
      kill_timeout: (drainSeconds + 15) * 1000,
      max_memory_restart: "1G",
      time: true,
      env: {
        NODE_ENV: "production",
        PORT: process.env.PORT || 2567,
        REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
        PUBLIC_ADDRESS: process.env.PUBLIC_ADDRESS || "localhost:{port}",
        DRAIN_SECONDS: drainSeconds,
        // Players' accounts need a database every process shares (the embedded one is one
        // process's): on with DATABASE_URL (PostgreSQL; JWT_SECRET required in production),
        // off without it, unless ACCOUNTS says otherwise.
        ACCOUNTS: process.env.ACCOUNTS || (process.env.DATABASE_URL ? "on" : "off"),
      },
    },
  ],
};
