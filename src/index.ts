/**
 * Start-up: read the environment, build the server, listen, and tell pm2 it is ready.
 * SIGTERM / SIGINT stop it cleanly (Colyseus's graceful shutdown).
 */
import { matchMaker } from "@colyseus/core";
import { createServer } from "./app.config.js";
import { createLogger } from "./logger.js";
import { readEnv } from "./settings.js";
import { seededRng } from "./rules/rng.js";
import { GAME_NAMES } from "./games/index.js";
import { createMetrics } from "./metrics.js";
import { openPlayers } from "./players/service.js";
import { requestAddress } from "./http/gate.js";

async function main() {
  const env = readEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const port = env.PORT + env.NODE_APP_INSTANCE;
  if (env.RNG_SEED !== undefined) logger.warn({ seed: env.RNG_SEED }, "RNG_SEED is set: the dice are predictable (testing only)");
  const rng = env.RNG_SEED === undefined ? undefined : seededRng(env.RNG_SEED);
  const metrics = createMetrics(GAME_NAMES);
  const players = env.ACCOUNTS === "on" ? await openPlayers({ env, logger, metrics: metrics.results, address: requestAddress }) : undefined;
  const server = createServer({ env, logger, rng, metrics, players }, port);
  // A port it cannot have (taken by another program, a HOST that names no address here):
  // Colyseus's listen() then neither resolves nor rejects, and the process stayed up, shown
  // "online" by pm2, registered with the matchmaker and given rooms nobody could reach
  // (until 2026-12-05). It says why and exits, so pm2 shows it failing.
  const cannotListen = (err: NodeJS.ErrnoException) => {
    logger.fatal({ err: err.message, code: err.code, port, host: env.HOST }, `cannot listen on ${env.HOST}:${port}: ${err.code === "EADDRINUSE" ? "the port is in use by another program" : err.message}; exiting`);
    process.exit(1);
  };
  server.transport.server?.once("error", cannotListen);
  await server.listen(port, env.HOST);
  server.transport.server?.off("error", cannotListen);
  logger.info(
    { port, host: env.HOST, presence: env.REDIS_URL ? "redis" : "in-memory", processId: matchMaker.processId, snapshots: env.REDIS_URL !== undefined && env.SNAPSHOTS === "on", accounts: players ? players.database.kind : "off", games: GAME_NAMES },
    `game server listening on http://${env.HOST === "0.0.0.0" ? "localhost" : env.HOST}:${port}`,
  );
  process.send?.("ready");
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
