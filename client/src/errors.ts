/**
 * Error codes in plain words. The codes come from the server's own protocol file, and each
 * switch ends in a `never` check: a code added on the server breaks this build until it
 * gets its words here.
 */
import { CloseCode, ErrorCode as SdkErrorCode } from "@colyseus/sdk";
import { CLOSE_FLOODING, ERROR_CODES, ErrorCode, JoinErrorCode, type ErrorPayload } from "../../src/protocol/errors.js";

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

export interface JoinFailure {
  title: string;
  detail: string;
  /** The game is running or full: watching is still possible. */
  canWatch: boolean;
}

/** Plain words for a failed create / join / reconnect (a rejected SDK promise). */
export function describeJoinError(err: unknown): JoinFailure {
  const code = typeof (err as { code?: unknown })?.code === "number" ? (err as { code: number }).code : undefined;
  const message = err instanceof Error ? err.message.slice(0, 300) : "";
  if (code !== undefined && JOIN_CODES.includes(code)) {
    const known = code as JoinErrorCode;
    return {
      title: describeJoinErrorCode(known),
      detail: known === JoinErrorCode.INVALID_OPTIONS ? message : "",
      canWatch: known === JoinErrorCode.ROOM_FULL || known === JoinErrorCode.GAME_STARTED,
    };
  }
  switch (code) {
    case SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID:
      return { title: "That room does not exist any more (or the link is wrong).", detail: "", canWatch: false };
    case SdkErrorCode.MATCHMAKE_EXPIRED:
      return { title: "Joining took too long. Please try again.", detail: "", canWatch: false };
    case SdkErrorCode.MATCHMAKE_NO_HANDLER:
      return { title: "This server does not host that game.", detail: "", canWatch: false };
    default:
      break;
  }
  if (err instanceof TypeError || /fetch|network|ECONNREFUSED/i.test(message)) {
    return { title: "The server cannot be reached. Check your connection and try again.", detail: "", canWatch: false };
  }
  return { title: "Could not join the game.", detail: message, canWatch: false };
}


/** Plain words for the close code of a room connection that ended without our asking. */
export function describeCloseCode(code: number): string {
  switch (code) {
    case CloseCode.SERVER_SHUTDOWN:
      return "The server was restarted and this game was closed.";
    case CloseCode.FAILED_TO_RECONNECT:
      return "The connection could not be restored in time.";
    case CLOSE_FLOODING:
      return "You were disconnected for sending too many actions.";
    case CloseCode.WITH_ERROR:
      return "The server closed the game after an error.";
    default:
      return "The connection to the game was lost.";
  }
}
