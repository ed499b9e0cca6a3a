/**
 * The players' part of a server process, opened at start-up when `ACCOUNTS=on`: the
 * database (embedded or PostgreSQL, migrated), the store over it, the result recorder the
 * rooms hand finished matches to, and the sign-in routes with their token secret.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import type { Logger } from "../logger.js";
import type { Env } from "../settings.js";
import { originAllowed } from "../http/gate.js";
import { Accounts } from "./accounts.js";
import { openDatabase, type PlayersDatabase } from "./database.js";
import { Leaderboards } from "./leaderboards.js";
import { ResultRecorder, type RecorderMetrics } from "./recorder.js";
import { PlayerStore } from "./store.js";

export interface Players {
  store: PlayerStore;
  recorder: ResultRecorder;
  /** The leaderboards the API answers with: read at most once a second per game (src/players/leaderboards.ts). */
  leaderboards: Leaderboards;
  accounts: Accounts;
  database: PlayersDatabase;
  /** Writes what is queued (up to `flushMs`), then closes the database. */
  close(flushMs?: number): Promise<void>;
}

const SECRET_FILE = "jwt-secret";

/**
 * The token secret: `JWT_SECRET`; required in production. In development one is made once
 * and kept in the data folder, so sign-ins survive a restart and processes sharing the
 * folder agree. Never logged.
 */
export function tokenSecret(env: Pick<Env, "JWT_SECRET" | "NODE_ENV" | "DATA_DIR">, logger: Logger): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.NODE_ENV === "production") throw new Error("JWT_SECRET must be set when NODE_ENV=production (at least 32 characters): it signs the players' sign-in tokens");
  const file = path.join(env.DATA_DIR, SECRET_FILE);
  fs.mkdirSync(env.DATA_DIR, { recursive: true });
  try {
    // `wx`: two processes starting at once never overwrite each other's secret.
    fs.writeFileSync(file, crypto.randomBytes(48).toString("base64url"), { flag: "wx", mode: 0o600 });
    logger.warn({ file: SECRET_FILE }, "JWT_SECRET is not set: a development secret was generated in the data folder (set JWT_SECRET in production)");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = fs.readFileSync(file, "utf8").trim();
  if (secret.length < 32) throw new Error(`the development token secret in the data folder (${SECRET_FILE}) is shorter than 32 characters: delete it to make a new one`);
  return secret;
}

/** Batches of 1,000 unused guests one hourly pass removes at most. */
const PRUNE_BATCHES_PER_PASS = 100;

export async function openPlayers(options: { env: Env; logger: Logger; metrics?: RecorderMetrics; address: (req: IncomingMessage) => string }): Promise<Players> {
  const { env, logger } = options;
  const secret = tokenSecret(env, logger);
  const startedAt = Date.now();
  const database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.DATA_DIR, logger, timeoutMs: env.DATABASE_TIMEOUT_MS });
  const store = new PlayerStore(database, env.LEADERBOARD_MIN_GAMES);
  // Results gather for 50 ms: on a busy server they share one transaction (see the README, "Recording a finished game").
  const leaderboards = new Leaderboards({ read: (game, limit) => store.leaderboard(game, limit) });
  const recorder = new ResultRecorder({
    store: {
      async recordMatches(matches) {
        const outcomes = await store.recordMatches(matches);
        leaderboards.changed(new Set(matches.map((m) => m.game)));
        return outcomes;
      },
      refusesRecord: (err) => store.refusesRecord(err),
    },
    logger,
    metrics: options.metrics,
    gatherMs: 50,
  });
  const accounts = new Accounts({ store, secret, tokenDays: env.TOKEN_DAYS, requestsPerMinute: env.AUTH_REQUESTS_PER_MINUTE, guestRequestsPerMinute: env.GUEST_REQUESTS_PER_MINUTE, passwordQueue: env.PASSWORD_QUEUE, maxBodyBytes: env.MAX_HTTP_BODY_BYTES, address: options.address, originAllowed: (req) => originAllowed(req.headers.origin, req.headers.host, env.ALLOWED_ORIGINS), logger });
  logger.info({ database: database.kind, where: database.where, ms: Date.now() - startedAt }, "players' database ready");
  // Guests nobody can be again (their token expired a day ago or more) and who have no record.
  // Each pass goes on from where the last one ended (the guests before it all have a record,
  // kept for good), in batches of 1,000 with the event loop let go between them, up to
  // PRUNE_BATCHES_PER_PASS: before 2026-12-03 every pass read every guest who ever played, and
  // removed 1,000 at most (fewer than one address may make in a day).
  let pruneFrom = 0;
  const pruneGuests = async () => {
    let removed = 0;
    try {
      const before = Date.now() - (env.TOKEN_DAYS + 1) * 86_400_000;
      for (let batch = 0; batch < PRUNE_BATCHES_PER_PASS && pruneFrom < before; batch++) {
        if (batch > 0) await new Promise((resolve) => setImmediate(resolve));
        const pass = await store.pruneGuests(before, 1000, pruneFrom);
        removed += pass.removed;
        pruneFrom = pass.next;
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "removing unused guest accounts failed (players' database?); tried again in an hour");
    }
    if (removed > 0) logger.info({ removed }, "unused guest accounts removed (their sign-in expired, and they have no record)");
  };
  const pruning = setInterval(() => void pruneGuests(), 3_600_000);
  pruning.unref();
  void pruneGuests();
  return {
    store,
    recorder,
    leaderboards,
    accounts,
    database,
    async close(flushMs = 5000) {
      clearInterval(pruning);
      await recorder.flush(flushMs);
      recorder.stop();
      await database.close();
    },
  };
}
