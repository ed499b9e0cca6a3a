/**
 * The closed set of error codes a client can receive, shared by server and browser client.
 *
 * Every rejection reaches the sender as one `error` message `{ code, message }` with a code
 * from {@link ErrorCode}. Join-time rejections go through the matchmaker instead and carry a
 * number from {@link JoinErrorCode}.
 */
export const ErrorCode = {
  /** The message payload has the wrong type, shape, size or range. */
  INVALID_PAYLOAD: "INVALID_PAYLOAD",
  /** The message type is not one this room understands. */
  UNKNOWN_ACTION: "UNKNOWN_ACTION",
  /** The sender has no seat in this game (a spectator, or a player who left). */
  NOT_A_PLAYER: "NOT_A_PLAYER",
  /** It is another player's turn. */
  NOT_YOUR_TURN: "NOT_YOUR_TURN",
  /** The game has not started yet. */
  NOT_STARTED: "NOT_STARTED",
  /** The game is over (or in its game-over pause). */
  GAME_OVER: "GAME_OVER",
  /** The move is well formed but breaks a rule of the game (occupied cell, non-scoring dice…). */
  INVALID_MOVE: "INVALID_MOVE",
  /** The action is not allowed right now (a pause, a wrong stage, already asked…). */
  NOT_ALLOWED: "NOT_ALLOWED",
  /** The sender sends messages faster than the room accepts them. */
  RATE_LIMITED: "RATE_LIMITED",
  /** The server failed while handling the message; nothing was changed. */
  INTERNAL_ERROR: "INTERNAL_ERROR",
} as const;

/** One of the {@link ErrorCode} strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The payload of every server → client `error` message. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

/** Every {@link ErrorCode}, for clients that translate codes into words. */
export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

/**
 * Numeric codes of join rejections (the matchmaker's `ServerError`), stable across releases.
 * They stay clear of Colyseus's own ranges (520–526, 4000–4010, 4217).
 */
export const JoinErrorCode = {
  /** Every seat is taken (join with `spectate: true` to watch). */
  ROOM_FULL: 4401,
  /** The game has started; only spectators may join now. */
  GAME_STARTED: 4402,
  /** A join option (name, spectate, room option) is invalid. */
  INVALID_OPTIONS: 4403,
  /** The server is draining for a restart and takes no new players. */
  SHUTTING_DOWN: 4404,
} as const;

/**
 * HTTP statuses of matchmaking refusals (`POST /matchmake/…`). The SDK's `MatchMakeError`
 * carries the HTTP status as its `code` and the reason as its message; the JSON body is
 * `{ code, error }`, where `code` is the {@link JoinErrorCode} when one applies.
 */
export const MatchmakingStatus = {
  /** An option is invalid (body code 4403); the message names it. */
  INVALID_OPTIONS: 400,
  /** The page's origin may not use matchmaking, or the lobby was asked to be created. */
  FORBIDDEN: 403,
  /** No place could be reserved (body code 4401): seats held by unused reservations, a locked room, or its spectator places used up (a join into a full or started room is otherwise refused on its WebSocket: 4401 / 4402). */
  CONFLICT: 409,
  /** The body is larger than `MAX_HTTP_BODY_BYTES`. */
  BODY_TOO_LARGE: 413,
  /** The body is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests, or unused seat reservations, from the address (`Retry-After` says when to retry). */
  RATE_LIMITED: 429,
  /** The server is draining for a restart (body code 4404). */
  SHUTTING_DOWN: 503,
} as const;

/**
 * WebSocket close code of a client disconnected for flooding (it kept sending after
 * `RATE_LIMITED`). Outside Colyseus's reserved 4000–4010; the SDK does not reconnect it.
 */
export const CLOSE_FLOODING = 4429;

/**
 * WebSocket close code of a client cut for not reading what it was sent: its unsent data
 * passed `MAX_SEND_BUFFER_BYTES`. A seated player keeps the seat for the reconnection
 * window: reconnect with the room's reconnection token (the web client does). The code
 * arrives only if the client reads again soon; otherwise it sees the connection drop (1006)
 * and the SDK reconnects by itself.
 */
export const CLOSE_SLOW_CLIENT = 4430;

/**
 * WebSocket close code of a client that did not acknowledge its join in time
 * (`JOIN_ACK_SECONDS`): only a broken or hostile client does that.
 */
export const CLOSE_NO_JOIN_ACK = 4408;

/** One of the {@link JoinErrorCode} numbers. */
export type JoinErrorCode = (typeof JoinErrorCode)[keyof typeof JoinErrorCode];

/**
 * WebSocket close code of a client whose room moved to another process: this process was
 * stalled, another one restored the room from its snapshot meanwhile, and this copy closed
 * itself (high availability). The seat is held there: reconnect with the saved reconnection
 * token through the normal server address (`client.reconnect(token)`); the web client does.
 */
export const CLOSE_ROOM_MOVED = 4412;
