/**
 * A signed-in player's running games, so a page that has lost its seat (a closed tab, a
 * phone's browser that dropped the page, another device) can offer to take it back:
 *
 *   GET /api/me/games   (Authorization: Bearer <sign-in token>)
 *     { games: [{ roomId, game, reconnectionToken, private, until }] }
 *
 * Only seats whose player is away (in their reconnection window) are listed: a seat that is
 * connected in another tab is not taken from it. `reconnectionToken` is what the SDK's
 * `client.reconnect()` takes (`roomId:token`); `until` is when the seat is given up (epoch ms).
 *
 * Which rooms seat a player is an index on Colyseus's presence (a hash per player, in
 * memory for one process, in Redis for several), written when a signed-in player sits down
 * or leaves; whether they are away, and under which token their seat is held, only the room
 * knows, and is asked (`awaySeat`, over presence when another process runs it; only a
 * running game's seat is offered). An entry whose room is gone for good (unlisted, and
 * without a snapshot) is dropped when read; an entry is written again whenever its player
 * drops or their room is restored on another process, and expires (Redis) a week after that.
 */
import express, { type Request, type Response } from "express";
import type { Presence } from "@colyseus/core";
import type { Logger } from "../logger.js";
import type { AwaySeat } from "../protocol/players.js";

export type { AwaySeat };

/** Rooms read per request, at most: a player seldom sits in more than one or two. */
export const RUNNING_GAMES_MAX = 10;
/** An entry not written again for this long is dropped by the presence. */
const ENTRY_SECONDS = 7 * 86_400;
/** How long a room has to say whether it holds a seat (it may be on a process that just died). */
export const RUNNING_ASK_MS = 1000;

const key = (userId: string) => `running:${userId}`;

/** The index of which rooms seat which signed-in player. */
export class RunningGames {
  /**
   * @param expires - entries expire (Redis, where a dead process's entries would stay); with
   *   Colyseus's in-memory presence they die with the process, and its `expire` would hold a
   *   week-long timer that keeps the process from exiting.
   */
  constructor(
    private readonly presence: Pick<Presence, "hset" | "hdel" | "hgetall" | "expire">,
    private readonly log: Logger,
    private readonly expires: boolean,
  ) {}

  /** `userId` sits in `roomId` (a room of game `game`): sat down, dropped, or restored here. */
  seated(userId: string, roomId: string, game: string): void {
    this.settle(
      (async () => {
        await this.presence.hset(key(userId), roomId, game);
        if (this.expires) await this.presence.expire(key(userId), ENTRY_SECONDS);
      })(),
      "seated",
    );
  }

  /** `userId` has no seat in `roomId` any more (left, forfeited, the room ended). */
  left(userId: string, roomId: string): void {
    this.settle(this.presence.hdel(key(userId), roomId), "left");
  }

  /** The rooms `userId` sits in (at most {@link RUNNING_GAMES_MAX}). */
  async rooms(userId: string): Promise<string[]> {
    return Object.keys((await this.presence.hgetall(key(userId))) ?? {}).slice(0, RUNNING_GAMES_MAX);
  }

  private settle(write: Promise<unknown>, what: string) {
    // Play never waits on the index: a failed write (Redis away) only costs the offer.
    write.catch((err: unknown) => this.log.warn({ err: (err as Error).message, what }, "running games index: write failed"));
  }
}

/** What the route needs from the rest of the server. */
export interface RunningGamesSources {
  index: Pick<RunningGames, "rooms" | "left">;
  /** The signed-in player a request's token names (undefined: none, or not valid now: expired, a guest's who registered since). */
  signedIn(req: Request): Promise<{ id: string } | undefined>;
  /** Asks room `roomId` for the seat `userId` holds there while away (null: none; throws when the room does not answer). */
  ask(roomId: string, userId: string): Promise<AwaySeat | null>;
  /**
   * Whether the room is gone for good: not listed and, with high availability, no snapshot
   * left (a dead process's room may be unlisted for a moment before a survivor restores it).
   */
  gone(roomId: string): Promise<boolean>;
}

/** GET /api/me/games (see the module comment). */
export function runningGamesRoutes(sources: RunningGamesSources, log: Logger): express.Router {
  const router = express.Router();
  router.get("/api/me/games", (req: Request, res: Response) => {
    void (async () => {
      const user = await sources.signedIn(req);
      if (!user) return void res.status(401).json({ code: 401, error: "Sign in first: this lists the signed-in player's running games." });
      const rooms = await sources.index.rooms(user.id);
      const seats = await Promise.all(
        rooms.map(async (roomId) => {
          try {
            return await sources.ask(roomId, user.id);
          } catch {
            // Gone for good: forgotten. Otherwise its process may have died and its room be restored soon (which lists it again).
            if (await sources.gone(roomId).catch(() => false)) sources.index.left(user.id, roomId);
            return null;
          }
        }),
      );
      res.set("Cache-Control", "no-store").json({ games: seats.filter((s): s is AwaySeat => s !== null) });
    })().catch((err: unknown) => {
      log.error({ err: (err as Error).message }, "running games: lookup failed");
      if (!res.headersSent) res.status(503).json({ code: 503, error: "Your running games cannot be looked up right now; try again shortly." });
    });
  });
  return router;
}
