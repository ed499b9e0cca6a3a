/**
 * Error codes in plain words. The codes come from the server's own protocol file, and each
 * switch ends in a `never` check: a code added on the server breaks this build until it
 * gets its words here.
 */
import { AuthErrorCode } from "../../src/protocol/players.js";
import { CloseCode, ErrorCode as SdkErrorCode } from "@colyseus/sdk";
import {
  CLOSE_FLOODING,
  CLOSE_NO_JOIN_ACK,
  CLOSE_ROOM_MOVED,
  CLOSE_SLOW_CLIENT,
  ERROR_CODES,
  ErrorCode,
  JoinErrorCode,
  MatchmakingStatus,
  type ErrorPayload,
} from "../../src/protocol/errors.js";

function unreachable(value: never): never {
  throw new Error(`unhandled code ${String(value)}`);
}

/** A short, plain title for a refused action. */
export function describeErrorCode(code: ErrorCode): string {
  switch (code) {
    case ErrorCode.INVALID_PAYLOAD:
      return "The game did not understand that action.";
    case ErrorCode.UNKNOWN_ACTION:
      return "This game has no such action.";
    case ErrorCode.NOT_A_PLAYER:
      return "You are watching this game, so you cannot play in it.";
    case ErrorCode.NOT_YOUR_TURN:
      return "It is not your turn yet.";
    case ErrorCode.NOT_STARTED:
      return "The game has not started yet.";
    case ErrorCode.GAME_OVER:
      return "The game is over.";
    case ErrorCode.INVALID_MOVE:
      return "That move is against the rules.";
    case ErrorCode.NOT_ALLOWED:
      return "You cannot do that right now.";
    case ErrorCode.RATE_LIMITED:
      return "Slow down: too many actions at once.";
    case ErrorCode.INTERNAL_ERROR:
      return "The server had a problem. Nothing was changed; please try again.";
    default:
      return unreachable(code);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Title and detail of an `error` message, whatever its shape (a newer server may send a new code). */
export function describeErrorPayload(payload: unknown): { title: string; detail: string; code: string } {
  const p = (typeof payload === "object" && payload !== null ? payload : {}) as Partial<ErrorPayload>;
  const detail = typeof p.message === "string" ? p.message.slice(0, 300) : "";
  if (isErrorCode(p.code)) return { title: describeErrorCode(p.code), detail, code: p.code };
  const raw: unknown = p.code;
  return { title: "That did not work.", detail, code: typeof raw === "string" ? raw.slice(0, 40) : "UNKNOWN" };
}

/** Plain words for a join rejection number of this server. */
export function describeJoinErrorCode(code: JoinErrorCode): string {
  switch (code) {
    case JoinErrorCode.ROOM_FULL:
      return "That room is full. You can watch the game instead.";
    case JoinErrorCode.GAME_STARTED:
      return "That game has already started. You can watch it instead.";
    case JoinErrorCode.INVALID_OPTIONS:
      return "Some of the settings were not accepted.";
    case JoinErrorCode.SHUTTING_DOWN:
      return "The server is restarting. Please try again in a moment.";
    default:
      return unreachable(code);
  }
}

const JOIN_CODES = Object.values(JoinErrorCode) as number[];

/** One of the {@link MatchmakingStatus} HTTP statuses. */
export type MatchmakingStatusCode = (typeof MatchmakingStatus)[keyof typeof MatchmakingStatus];

const MATCHMAKING_STATUSES = Object.values(MatchmakingStatus) as number[];

/** How long to wait after "too many requests" before trying again (the server's Retry-After is 1–10 s; the SDK drops it). */
export const RATE_LIMIT_WAIT_MS = 5000;

export interface JoinFailure {
  title: string;
  detail: string;
  /** The game is running or full: watching is still possible. */
  canWatch: boolean;
  /** Trying the same thing again later may work (a network error, a busy server). */
  transient: boolean;
  /** Wait at least this long before trying again (0: no particular wait). */
  waitMs: number;
}

/** Plain words for a matchmaking refusal (`POST /matchmake/…`); `message` is the server's reason. */
export function describeMatchmakingStatus(status: MatchmakingStatusCode, message: string): JoinFailure {
  const failure = { canWatch: false, transient: false, waitMs: 0 };
  switch (status) {
    case MatchmakingStatus.INVALID_OPTIONS:
      // The reason names the option and says what is wrong with it.
      return { ...failure, title: "Some of the settings were not accepted.", detail: message };
    case MatchmakingStatus.FORBIDDEN:
      return { ...failure, title: "The server refused this request from this page.", detail: message };
    case MatchmakingStatus.CONFLICT:
      // No place could be reserved (body code 4401, which the SDK does not pass on). A room whose
      // seats are taken or whose game started refuses the WebSocket instead (4401 / 4402, above).
      return { ...failure, title: "That room is full or its game has started. You can watch it instead.", detail: "", canWatch: true };
    case MatchmakingStatus.BODY_TOO_LARGE:
      return { ...failure, title: "The request was too large for the server. Please use a shorter name.", detail: "" };
    case MatchmakingStatus.UNSUPPORTED_MEDIA_TYPE:
      return { ...failure, title: "The server did not understand this page's request. Please reload the page.", detail: "" };
    case MatchmakingStatus.RATE_LIMITED:
      // The reason says which limit: too many requests, unused reservations, or games already waiting for players.
      return { ...failure, title: "Too many attempts from your network. Please wait a few seconds, then try again.", detail: message, transient: true, waitMs: RATE_LIMIT_WAIT_MS };
    case MatchmakingStatus.SHUTTING_DOWN:
      return { ...failure, title: "The server is restarting. Please try again in a moment.", detail: "" };
    default:
      return unreachable(status);
  }
}

/** Plain words for a failed create / join / reconnect (a rejected SDK promise). */
export function describeJoinError(err: unknown): JoinFailure {
  // The sign-in a join needed could not be checked (client/src/account.ts: no answer, busy): said as such, and tried again later.
  if (isRequestFailure(err)) return { title: err.title, detail: err.detail, canWatch: false, transient: err.transient, waitMs: err.transient ? 2000 : 0 };
  const code = typeof (err as { code?: unknown })?.code === "number" ? (err as { code: number }).code : undefined;
  const message = err instanceof Error ? err.message.slice(0, 300) : "";
  const failure = { detail: "", canWatch: false, transient: false, waitMs: 0 };
  // Refused when the WebSocket arrived (the room's onJoin).
  if (code !== undefined && JOIN_CODES.includes(code)) {
    const known = code as JoinErrorCode;
    return {
      ...failure,
      title: describeJoinErrorCode(known),
      detail: known === JoinErrorCode.INVALID_OPTIONS ? message : "",
      canWatch: known === JoinErrorCode.ROOM_FULL || known === JoinErrorCode.GAME_STARTED,
    };
  }
  // Refused by the matchmaking route (an HTTP status).
  if (code !== undefined && MATCHMAKING_STATUSES.includes(code)) return describeMatchmakingStatus(code as MatchmakingStatusCode, message);
  switch (code) {
    case SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID:
      return { ...failure, title: "That room does not exist any more (or the link is wrong)." };
    case SdkErrorCode.MATCHMAKE_EXPIRED:
      return { ...failure, title: "Joining took too long. Please try again.", transient: true };
    case SdkErrorCode.MATCHMAKE_NO_HANDLER:
      return { ...failure, title: "This server does not host that game." };
    case SdkErrorCode.MATCHMAKE_INVALID_CRITERIA:
      return { ...failure, title: "No room was found for that right now. Please try again in a moment.", transient: true, waitMs: 2000 };
    case SdkErrorCode.AUTH_FAILED:
      // The page signs in again and retries once (account.ts): this is what is left when that failed too.
      return { ...failure, title: "The server did not accept your sign-in. Please reload the page, or sign in again." };
    default:
      break;
  }
  // No answer: fetch failed (the SDK passes its TypeError on as the message: Chromium's "Failed
  // to fetch", Firefox's "NetworkError…", Safari's "Load failed"), or the WebSocket closed (1000–1015).
  if (err instanceof TypeError || /fetch|network|load failed|ECONNREFUSED/i.test(message) || (code !== undefined && code >= 1000 && code <= 1015)) {
    return { ...failure, title: "The server cannot be reached. Check your connection and try again.", transient: true };
  }
  // Any other server failure (HTTP 500, Colyseus's 523): may pass.
  const serverFailed = code !== undefined && code >= 500 && code <= 599;
  return { ...failure, title: "Could not join the game.", detail: message, transient: serverFailed };
}

/**
 * A reconnect refused with 524 (MATCHMAKE_EXPIRED): the room is there, but it holds no seat
 * for this token any more (the reconnection window passed, or the token was used). Quick
 * retries may still help just after a reload (the server had not yet noticed the old page's
 * socket close); when they all end so, the seat is gone.
 */
export function isSeatExpired(err: unknown): boolean {
  return refusedWith(err, SdkErrorCode.MATCHMAKE_EXPIRED);
}

/** A reconnect refused with 522 (MATCHMAKE_INVALID_ROOM_ID): no room of that id is listed (it ended, or its server restarted without it). */
export function isRoomGone(err: unknown): boolean {
  return refusedWith(err, SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID);
}

/** Whether a rejected SDK call carries this code (an HTTP status or a close code). */
export function refusedWith(err: unknown, code: number): boolean {
  return (err as { code?: unknown } | null | undefined)?.code === code;
}

/** Plain words for the close code of a room connection that ended without our asking. */
export function describeCloseCode(code: number): string {
  switch (code) {
    case CloseCode.SERVER_SHUTDOWN:
      return "The server is restarting, and this game was closed. New games can start in a moment.";
    case CloseCode.FAILED_TO_RECONNECT:
      return "The connection could not be restored in time.";
    case CLOSE_FLOODING:
      return "You were disconnected for sending too many actions.";
    case CLOSE_SLOW_CLIENT:
      return "The connection was too slow to keep up with the game, and was cut.";
    case CLOSE_ROOM_MOVED:
      return "The game moved to another server, and it could not be brought back in time.";
    case CLOSE_NO_JOIN_ACK:
      return "The server closed the connection because this page did not confirm joining in time. Please reload the page.";
    case CloseCode.WITH_ERROR:
      return "The server closed the game after an error.";
    default:
      return "The connection to the game was lost.";
  }
}

/** Refusal codes of the server's sign-in routes and of the players' API when accounts are off (src/protocol/players.ts). */
export const AuthCode = AuthErrorCode;
export type AuthCode = AuthErrorCode;

const AUTH_CODES = Object.values(AuthCode) as string[];

/** A failed request to `/auth` or `/api/(leaderboard|players|matches)`, in words. */
export interface RequestFailure {
  title: string;
  /** The server's own reason, when it adds something to the title. */
  detail: string;
  /** The HTTP status (undefined: no answer). */
  status?: number;
  /** The body's `code` (an {@link AuthCode}, or the status again for the players' API). */
  code?: string;
  /** The server has players' accounts off: the page plays without them. */
  accountsOff: boolean;
  /** No answer, or a passing refusal (busy, too many requests): trying again later may work. */
  transient: boolean;
}

/** The status, body code and message of a failed request (an SDK `ServerError` or {@link HttpError}). */
function failureParts(err: unknown): { status?: number; code?: string; message: string; json: boolean } {
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: unknown; status?: unknown; data?: unknown; message?: unknown };
  const status = typeof e.status === "number" ? e.status : typeof e.code === "number" ? e.code : undefined;
  // The routes answer `{ code, error }` JSON; anything else (an HTML "Cannot GET") is not theirs.
  const json = typeof e.data === "object" && e.data !== null;
  const data = (json ? e.data : {}) as { code?: unknown; error?: unknown };
  const code = typeof data.code === "string" ? data.code.slice(0, 40) : typeof data.code === "number" ? String(data.code) : undefined;
  const message = typeof data.error === "string" ? data.error : status === undefined && typeof e.message === "string" ? e.message : "";
  return { status, code, message: message.slice(0, 300), json };
}

/** No HTTP answer: the fetch failed (the SDK passes its TypeError on with no numeric code). */
function noAnswer(status: number | undefined): boolean {
  return status === undefined || status < 100 || status > 599;
}

/** A {@link RequestFailure} (thrown by the account's requests), not an SDK or network error. */
export function isRequestFailure(err: unknown): err is RequestFailure {
  const f = err as Partial<RequestFailure> | null;
  return typeof f === "object" && f !== null && !(f instanceof Error) && typeof f.title === "string" && typeof f.transient === "boolean" && typeof f.accountsOff === "boolean";
}

/** Plain words for a refused sign-in, registration, rename or sign-out. */
export function describeAuthError(err: unknown): RequestFailure {
  const { status, code, message } = failureParts(err);
  const base = { status, code, detail: "", accountsOff: false, transient: false };
  if (noAnswer(status)) return { ...base, title: "The server cannot be reached. Check your connection and try again.", transient: true };
  // No such sign-in route at all (ACCOUNTS_OFF, or a server without accounts): the page plays without them.
  if (status === 404) return { ...base, title: "This server has players' accounts turned off: everyone plays as a guest.", detail: message, accountsOff: true };
  const known = code !== undefined && AUTH_CODES.includes(code) ? (code as AuthCode) : undefined;
  switch (known) {
    case AuthCode.INVALID_CREDENTIALS:
      return { ...base, title: "Wrong email or password." };
    case AuthCode.EMAIL_TAKEN:
      return { ...base, title: "That email address already has an account. Sign in with it instead." };
    case AuthCode.INVALID_INPUT:
      // The reason says which field and what is wrong ("A password has at least 8 characters.").
      return { ...base, title: message || "Please check what you typed." };
    case AuthCode.TOKEN_INVALID:
      return { ...base, title: "Your sign-in has expired or is not valid here. Please sign in again." };
    case AuthCode.RATE_LIMITED:
      return { ...base, title: "Too many sign-in attempts from your network. Please wait a minute, then try again.", detail: message, transient: true };
    case AuthCode.FOREIGN_ORIGIN:
      return { ...base, title: "This page may not sign in to this game server: open the game from the server's own address." };
    case AuthCode.UNAVAILABLE:
      return { ...base, title: "Accounts are not available right now. Please try again shortly.", transient: true };
    case AuthCode.ACCOUNTS_OFF:
      return { ...base, title: "This server has players' accounts turned off: everyone plays as a guest.", accountsOff: true };
    case undefined:
      break;
    default:
      return unreachable(known);
  }
  if (status === 429) return { ...base, title: "Too many requests from your network. Please wait a few seconds, then try again.", detail: message, transient: true };
  const serverFailed = status !== undefined && status >= 500;
  return { ...base, title: serverFailed ? "The server had a problem with your sign-in. Please try again shortly." : "That did not work.", detail: message, transient: serverFailed };
}

/** Plain words for a failed read of a profile, a match or a leaderboard (`/api/…`). */
export function describeApiError(err: unknown): RequestFailure {
  const { status, code, message, json } = failureParts(err);
  // ACCOUNTS_OFF, or a 404 that is not the API's own `{ code, error }` (a server without the players' API).
  const base = { status, code, detail: "", accountsOff: code === AuthCode.ACCOUNTS_OFF || (status === 404 && !json), transient: false };
  if (noAnswer(status)) return { ...base, title: "The server cannot be reached. Check your connection and try again.", transient: true };
  if (base.accountsOff) return { ...base, title: "This server keeps no players' records (accounts are off): there are no profiles or leaderboards." };
  if (status === 404) return { ...base, title: message || "There is nothing at this address." };
  if (status === 400) return { ...base, title: message || "That address is not valid." };
  if (status === 429) return { ...base, title: "Too many requests from your network. Please wait a few seconds, then try again.", transient: true };
  if (status !== undefined && status >= 500) return { ...base, title: "The players' records are not available right now. Please try again shortly.", detail: message, transient: true };
  return { ...base, title: "That could not be loaded.", detail: message };
}

/** A failed `fetch` answer, shaped like the SDK's `ServerError` (for {@link describeApiError}). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly data: unknown,
  ) {
    const error = (data as { error?: unknown } | null)?.error;
    super(typeof error === "string" ? error : "");
    this.name = "HttpError";
  }
}
