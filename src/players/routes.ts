/**
 * The players' read-only HTTP API (JSON), over src/players/store.ts:
 *
 *   GET /api/leaderboard/:game?limit=N   { game, minGames, entries: [{ rank, userId, name, rating, played, won }] }
 *   GET /api/players/:id                 { id, name, guest, stats: { [game]: {…} }, matches: [last 20] }
 *   GET /api/matches/:id                 the match: players, result, action log
 *
 * Parameters are validated (zod): a bad one is 400, an unknown id 404, each with
 * `{ code, error }`. A database failure is 503 with a generic message; the details go to
 * the log, never to the client. (Requests per address are limited with every HTTP
 * request, src/http/gate.ts; each answer is read from an index, and leaderboards are kept.)
 */
import express, { type Request, type Response } from "express";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { LEADERBOARD_MAX } from "./leaderboards.js";
import { LEADERBOARD_MIN_GAMES, type PlayerStore } from "./store.js";

const ID = z.string().regex(/^[\w-]{1,64}$/, "an id is 1 to 64 letters, digits, '_' or '-'");

/**
 * `leaderboard` is the kept one in a server (src/players/leaderboards.ts), not a query per
 * request. `minGames`: the rated games a player needs to be listed (LEADERBOARD_MIN_GAMES), told
 * with each leaderboard so a page can say it.
 */
export function playerRoutes(store: Pick<PlayerStore, "leaderboard" | "profile" | "matchJson">, games: readonly string[], log: Logger, minGames = LEADERBOARD_MIN_GAMES): express.Router {
  const router = express.Router();
  const game = z.enum(games as [string, ...string[]]);
  const limit = z.coerce.number().int().min(1).max(LEADERBOARD_MAX).default(20);

  /** Runs a handler; a thrown error is answered 503 and logged. */
  const guarded = (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    handler(req, res).catch((err: unknown) => {
      log.error({ err: (err as Error).message, path: req.path }, "players' database query failed");
      if (!res.headersSent) res.status(503).json({ code: 503, error: "The players' database is not available right now; try again shortly." });
    });
  };
  const refuse = (res: Response, status: 400 | 404, error: string) => void res.status(status).json({ code: status, error });

  router.get(
    "/api/leaderboard/:game",
    guarded(async (req, res) => {
      const g = game.safeParse(req.params.game);
      if (!g.success) return refuse(res, 404, `There is no game "${String(req.params.game).slice(0, 40)}". Games: ${games.join(", ")}.`);
      const n = limit.safeParse(req.query.limit ?? undefined);
      if (!n.success) return refuse(res, 400, `limit must be a whole number from 1 to ${LEADERBOARD_MAX}.`);
      res.json({ game: g.data, minGames, entries: await store.leaderboard(g.data, n.data) });
    }),
  );

  /** GET <route>/:id answered with what `find` returns for a valid id (JSON text as it is), or a refusal. */
  const byId = (route: string, what: string, find: (id: string) => Promise<unknown>) =>
    router.get(
      `${route}/:id`,
      guarded(async (req, res) => {
        const id = ID.safeParse(req.params.id);
        if (!id.success) return refuse(res, 400, `That is not a ${what} id.`);
        const found = await find(id.data);
        if (!found) return refuse(res, 404, `There is no such ${what}.`);
        if (typeof found === "string") res.type("application/json").send(found);
        else res.json(found);
      }),
    );
  byId("/api/players", "player", (id) => store.profile(id));
  byId("/api/matches", "match", (id) => store.matchJson(id));
  return router;
}
