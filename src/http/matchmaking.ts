/**
 * The matchmaking route, `POST /matchmake/:method/:room`, in front of Colyseus's matchmaker.
 *
 * Colyseus's own route accepts any body of any size and type from anywhere, validates
 * options only when the WebSocket arrives, and turns our join errors into an empty HTTP
 * 500. This one checks, in this order and before anything is reserved:
 *
 * 1. the method is one of Colyseus's matchmaking methods (404);
 * 2. the browser origin, when the request has one (403);
 * 3. `Content-Type: application/json` (415): a browser cannot send that cross-site
 *    without a CORS preflight, which only allowed origins pass;
 * 4. the rate per client address: `create`/`joinOrCreate` and the rest are counted apart
 *    (429 + Retry-After). Counted after 2 and 3, so a foreign page cannot spend its
 *    visitors' budget (their browsers send its requests from their address); what is
 *    refused before is bounded by the gate's limit on every request;
 * 5. the body size (413) and JSON shape (400);
 * 6. the options, with the game's own validator (400, code 4403, with the reason);
 * 7. the unused seat reservations of the address (429);
 * 8. for a new room, the rooms the address already holds waiting for players (429; a
 *    `joinOrCreate` at that limit may still join someone else's room);
 * 9. for a reconnect with high availability on, that the room has a process (523 at once
 *    while its game is being taken over).
 *
 * Refusals answer `{ code, error }` JSON. The SDK reports the HTTP status as the error code
 * and `error` as the message.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createAuthContext, ErrorCode, matchMaker } from "@colyseus/core";
import type { z } from "zod";
import { everyMs, type Logger } from "../logger.js";
import { JoinErrorCode } from "../protocol/errors.js";
import { describeZodError } from "../protocol/describe.js";
import { ADDRESS_OPTION, type ReservationLedger } from "../matchmaking/reservations.js";
import type { WaitingRooms } from "../matchmaking/waiting-rooms.js";
import { AddressLimiter } from "./rate-limit.js";
import { isJson, readJsonBody, sendJson } from "./respond.js";

/** How each room name's options are checked at matchmaking time. */
export interface MatchmakingRooms {
  /** Game room name → the options validator its rooms use at create and join. */
  games: ReadonlyMap<string, z.ZodType<Record<string, unknown>>>;
  /** Options of `joinById` (any game: the room checks its own again at join). */
  joinById: z.ZodType<Record<string, unknown>>;
  /** The lobby: its name and filter validator. Clients may only join it. */
  lobby: { name: string; options: z.ZodType<Record<string, unknown>> };
}

export interface MatchmakingSettings {
  rooms: MatchmakingRooms;
  ledger: ReservationLedger;
  /** The rooms each address holds waiting for players, and their limit. */
  waitingRooms: WaitingRooms;
  /** Makes sure this process's lobby room exists before a client joins the lobby. */
  beforeLobbyJoin(): Promise<void>;
  /** Creates (`create`, `joinOrCreate`) per 10 s per address. */
  createsPer10s: number;
  /** Joins (`join`, `joinById`) and reconnects per 10 s per address. */
  joinsPer10s: number;
  maxBodyBytes: number;
  /** Whether a request's Origin (when it has one) may use matchmaking. */
  originAllowed(req: IncomingMessage): boolean;
  /**
   * With high availability: whether the room a reconnect names is listed but has no process
   * (taken over, not restored yet); such a reconnect is answered 523 at once, not after
   * Colyseus's 2 s timeout (src/ha/unanswered.ts).
   */
  unanswered?(roomId: string): Promise<boolean>;
  /**
   * With high availability: whether a room a reconnect (or a spectator's joinById) found
   * unlisted (Colyseus's 522) may still be running or be brought back: its snapshot is in
   * Redis, or that cannot be checked. Such a request is answered 523 ("try again") instead,
   * so 522 means the game is gone.
   */
  mayComeBack?(roomId: string): Promise<boolean>;
  logger: Logger;
}

const METHODS = new Set(["joinOrCreate", "create", "join", "joinById", "reconnect"]);
const CREATES = new Set(["joinOrCreate", "create"]);
const reconnectOptions = { parse: (body: Record<string, unknown>) => (typeof body.reconnectionToken === "string" && body.reconnectionToken.length <= 128 ? { reconnectionToken: body.reconnectionToken } : undefined) };

/** HTTP status for a matchmaking error code (ours are 44xx, Colyseus's 52x). */
function httpStatus(code: unknown): number {
  switch (code) {
    case JoinErrorCode.INVALID_OPTIONS:
      return 400;
    case JoinErrorCode.ROOM_FULL:
    case JoinErrorCode.GAME_STARTED:
      return 409;
    case JoinErrorCode.SHUTTING_DOWN:
      return 503;
    default:
      return typeof code === "number" && code >= 400 && code <= 599 ? code : 500;
  }
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

function tooManyWaiting(limit: number): Refusal {
  return new Refusal(429, 429, `Your address already has ${limit} games waiting for players: start or leave one of them before creating another.`, 10);
}

/** Builds the route handler; `address` is the client address the gate resolved. */
export function createMatchmakingRoute(settings: MatchmakingSettings) {
  const creates = new AddressLimiter(settings.createsPer10s, 10);
  const joins = new AddressLimiter(settings.joinsPer10s, 10);
  const { rooms, ledger, logger, waitingRooms } = settings;
  const refusalLines = everyMs(1000);

  /** The validated options for `method` on `roomName`, or a refusal. */
  function checkOptions(method: string, roomName: string, body: Record<string, unknown>): Record<string, unknown> {
    if (method === "reconnect") {
      const options = reconnectOptions.parse(body);
      if (!options) throw new Refusal(400, JoinErrorCode.INVALID_OPTIONS, "reconnect needs { reconnectionToken }");
      return options;
    }
    let schema: z.ZodType<Record<string, unknown>> | undefined;
    if (roomName === rooms.lobby.name) {
      if (method !== "join" && method !== "joinOrCreate") {
        throw new Refusal(403, 403, `The lobby is opened by the server: join it with join("${rooms.lobby.name}").`);
      }
      schema = rooms.lobby.options;
    } else if (method === "joinById") {
      schema = rooms.joinById;
    } else {
      schema = rooms.games.get(roomName);
      if (!schema) throw new Refusal(404, 520, `There is no game called "${roomName.slice(0, 40)}".`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Refusal(400, JoinErrorCode.INVALID_OPTIONS, describeZodError(parsed.error));
    return parsed.data;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, address: string, method: string, roomName: string) {
    if (!METHODS.has(method)) throw new Refusal(404, 520, `No matchmaking method "${method.slice(0, 40)}".`);
    if (req.method !== "POST") throw new Refusal(405, 405, "Matchmaking takes POST.");
    if (!settings.originAllowed(req)) throw new Refusal(403, 403, "This page's origin may not use this server's matchmaking.");
    if (!isJson(req)) throw new Refusal(415, 415, "Matchmaking takes Content-Type: application/json.");
    const limit = await (CREATES.has(method) ? creates : joins).consume(address);
    if (!limit.ok) throw new Refusal(429, 429, "Too many matchmaking requests from your address; try again shortly.", limit.retryAfterSeconds);
    const body = await readJsonBody(req, settings.maxBodyBytes);
    if (!body.ok) throw new Refusal(body.status, body.status, body.message);
    if (typeof body.value !== "object" || body.value === null || Array.isArray(body.value)) {
      throw new Refusal(400, JoinErrorCode.INVALID_OPTIONS, "The options must be a JSON object.");
    }
    const options = checkOptions(method, roomName, body.value as Record<string, unknown>);
    // A player coming back to a game the drain lets finish is let in (the room takes them, and tells them of the drain).
    if (method !== "reconnect" && matchMaker.state === matchMaker.MatchMakerState.SHUTTING_DOWN) {
      throw new Refusal(503, JoinErrorCode.SHUTTING_DOWN, "This server is restarting; try again.");
    }
    if (method === "reconnect" && (await settings.unanswered?.(roomName))) {
      throw new Refusal(523, 523, "The server holding that game stopped; another one is bringing it back. Try again in a moment.", 1);
    }
    const reserves = method !== "reconnect";
    const claim = reserves ? await ledger.claim(address) : undefined;
    if (claim === null) {
      throw new Refusal(429, 429, "Too many unused seat reservations from your address: join the rooms you reserved, or wait a few seconds.", 5);
    }
    // The lobby has one room per process, opened by the server: joinOrCreate only joins.
    const lobby = roomName === rooms.lobby.name;
    const invoked = lobby && method === "joinOrCreate" ? "join" : method;
    const context = createAuthContext({ headers: req.headers as Record<string, string>, req });
    const invoke = (how: string): Promise<{ sessionId?: string }> =>
      matchMaker.controller.invokeMethod(how, roomName, reserves ? { ...options, [ADDRESS_OPTION]: address } : options, context);
    let reservation: { sessionId?: string };
    try {
      if (lobby) await settings.beforeLobbyJoin();
      if (lobby || !CREATES.has(method)) {
        reservation = await invoke(invoked);
      } else {
        const admitted = await waitingRooms.admit(address, () => invoke(method));
        if (admitted) reservation = admitted.created;
        else if (method === "create") throw tooManyWaiting(waitingRooms.limit);
        // At the limit, joinOrCreate still joins a room with a free seat, if there is one.
        else
          reservation = await invoke("join").catch((err: { code?: number }) => {
            throw err?.code === ErrorCode.MATCHMAKE_INVALID_CRITERIA ? tooManyWaiting(waitingRooms.limit) : err;
          });
      }
    } catch (err) {
      claim?.cancel();
      if (err instanceof Refusal) throw err;
      const e = err as { code?: number; message?: string };
      // A refused seat reservation reaches us as Colyseus's generic 523 "<roomId> is already full.";
      // a room whose every place (seats and spectator slots) is taken is locked by Colyseus,
      // and joinById refuses it first with 522 "room … is locked" (our rooms never lock otherwise).
      if (/is already full|" is locked$/.test(String(e.message))) throw new Refusal(409, JoinErrorCode.ROOM_FULL, "No place is free in that room.");
      // Not a refusal but a failure inside the matchmaker or a room (the presence or driver gone,
      // a remote room not answering, a bug): Colyseus passes such an error on as its generic 523
      // with the error's own text, which may name internal addresses, processes or the request's
      // options. It is logged, and answered 500 without its text (below).
      if (typeof e.code !== "number" || e.code === ErrorCode.MATCHMAKE_UNHANDLED) throw err;
      // A room restored elsewhere can be listening with its row missing for a moment (a
      // process's sweep deleting rows it read before the restore wrote its own; a stalled copy
      // unlisting itself), or not restored yet (its game handed over by a stopped process): its
      // snapshot says it is not gone. A spectator joining it again (joinById) is told the same.
      if ((method === "reconnect" || method === "joinById") && e.code === ErrorCode.MATCHMAKE_INVALID_ROOM_ID && (await settings.mayComeBack?.(roomName))) {
        throw new Refusal(523, 523, "That game is being brought back on another server. Try again in a moment.", 1);
      }
      throw new Refusal(httpStatus(e.code), e.code, String(e.message ?? "matchmaking failed").slice(0, 300));
    }
    if (reservation.sessionId) await claim?.confirm(reservation.sessionId);
    else claim?.cancel();
    sendJson(res, 200, reservation);
  }

  return (req: IncomingMessage, res: ServerResponse, address: string, method: string, roomName: string) => {
    handle(req, res, address, method, roomName).catch((err: unknown) => {
      if (!(err instanceof Refusal)) {
        logger.error({ err, method, room: roomName.slice(0, 40) }, "matchmaking request failed");
        err = new Refusal(500, 500, "The server failed to handle that request.");
      }
      const refusal = err as Refusal;
      // One line per second at most: a flood of bad requests must not flood the log.
      if (refusal.status !== 429 && refusalLines("refused").log) {
        logger.info({ address, method: method.slice(0, 20), room: roomName.slice(0, 40), status: refusal.status, code: refusal.code, reason: refusal.message }, "matchmaking refused");
      }
      const headers = refusal.retryAfterSeconds ? { "Retry-After": String(refusal.retryAfterSeconds) } : undefined;
      sendJson(res, refusal.status, { code: refusal.code, error: refusal.message }, headers);
    });
  };
}
