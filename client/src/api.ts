/**
 * The players' read-only API (`/api/leaderboard/:game`, `/api/players/:id`,
 * `/api/matches/:id`, and the signed-in player's `/api/me/games`): plain `fetch` from the page's own origin, each answer checked for its
 * shape before it is shown.
 */
import { ACCOUNTS_META, type AwaySeat, type GameStats, type LeaderboardEntry, type LoggedStep, type MatchLog, type MatchPlayer, type MatchRecordView, type MatchSummary, type Profile } from "../../src/protocol/players.js";
import type { RoomEntry } from "../../src/protocol/messages.js";
import { AuthCode, HttpError } from "./errors.js";

/**
 * Whether the server said, in the page it served, that players' accounts are off
 * (`ACCOUNTS=off`: a `<meta name="accounts" content="off">`). The page then asks `/auth` and
 * the players' API nothing (until 2026-12-05 it asked, and each 404 was a console error).
 */
export function accountsOffHere(): boolean {
  return document.querySelector(`meta[name="${ACCOUNTS_META}"]`)?.getAttribute("content") === "off";
}

export type { AwaySeat, GameStats, MatchSummary, Profile };
/** One seat of a recorded match. */
export type MatchSeat = MatchPlayer;
export type MatchRecord = MatchRecordView;
export type { LoggedStep, MatchLog };

export type { LeaderboardEntry };

export interface Leaderboard {
  game: string;
  /** Games a player needs to be listed (a server before 2026-12-04 does not say). */
  minGames?: number;
  entries: LeaderboardEntry[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === "string";

function isStats(v: unknown): v is GameStats {
  // `rated` is missing from an older server's answer (a rolling upgrade): the page shows the rating then.
  return isObject(v) && isNum(v.played) && isNum(v.won) && isNum(v.lost) && isNum(v.drawn) && (v.rated === undefined || isNum(v.rated)) && isNum(v.rating);
}

function isSeat(v: unknown): v is MatchSeat {
  return isObject(v) && isNum(v.seat) && (v.userId === null || isStr(v.userId)) && isStr(v.name) && isNum(v.placement);
}

function isMatch(v: unknown): v is MatchSummary {
  return isObject(v) && isStr(v.id) && isStr(v.game) && isNum(v.endedAt) && isNum(v.placement) && Array.isArray(v.players) && v.players.every(isSeat);
}

export function isProfile(v: unknown): v is Profile {
  return (
    isObject(v) &&
    isStr(v.id) &&
    isStr(v.name) &&
    typeof v.guest === "boolean" &&
    isObject(v.stats) &&
    Object.values(v.stats).every(isStats) &&
    Array.isArray(v.matches) &&
    v.matches.every(isMatch)
  );
}

const isNumList = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNum);

function isStep(v: unknown): v is LoggedStep {
  return (
    isObject(v) &&
    isNum(v.t) &&
    isNum(v.seat) &&
    isObject(v.action) &&
    isStr(v.action.type) &&
    (v.dice === undefined || isNumList(v.dice)) &&
    (v.rng === undefined || isNumList(v.rng))
  );
}

function isFairnessLog(v: unknown): v is MatchLog["fairness"] {
  return (
    v === undefined ||
    (isObject(v) &&
      isStr(v.commitment) &&
      isStr(v.seed) &&
      isStr(v.clientSeeds) &&
      (v.rolls === undefined || (Array.isArray(v.rolls) && v.rolls.every(isNumList))) &&
      (v.seats === undefined || (Array.isArray(v.seats) && v.seats.every(isStr))) &&
      (v.first === undefined || (Number.isInteger(v.first) && (v.first as number) >= 0)))
  );
}

export function isMatchRecord(v: unknown): v is MatchRecord {
  return (
    isObject(v) &&
    isStr(v.id) &&
    isStr(v.game) &&
    isNum(v.startedAt) &&
    isNum(v.endedAt) &&
    Array.isArray(v.players) &&
    v.players.every(isSeat) &&
    isObject(v.log) &&
    Array.isArray(v.log.seats) &&
    v.log.seats.every(isStr) &&
    "initial" in v.log &&
    Array.isArray(v.log.steps) &&
    v.log.steps.every(isStep) &&
    isFairnessLog(v.log.fairness)
  );
}

export function isLeaderboard(v: unknown): v is Leaderboard {
  return (
    isObject(v) &&
    isStr(v.game) &&
    (v.minGames === undefined || isNum(v.minGames)) &&
    Array.isArray(v.entries) &&
    v.entries.every((e) => isObject(e) && isNum(e.rank) && isStr(e.userId) && isStr(e.name) && isNum(e.rating) && isNum(e.played) && isNum(e.won))
  );
}

/** GETs `path` (with `headers` besides `accept`) and checks the answer; throws an {@link HttpError} (or the fetch's TypeError). */
export async function getJson<T>(path: string, check: (v: unknown) => v is T, signal?: AbortSignal, headers: Record<string, string> = {}): Promise<T> {
  // What the server would answer (every path here is the players' API).
  if (accountsOffHere()) throw new HttpError(404, { code: AuthCode.ACCOUNTS_OFF, error: "Players' accounts are off on this server." });
  const res = await fetch(path, { headers: { ...headers, accept: "application/json" }, signal });
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new HttpError(res.status, body);
  if (!check(body)) throw new HttpError(502, { error: "The server's answer was not understood." });
  return body;
}

export function fetchProfile(id: string, signal?: AbortSignal): Promise<Profile> {
  return getJson(`/api/players/${encodeURIComponent(id)}`, isProfile, signal);
}

export function fetchLeaderboard(game: string, limit: number, signal?: AbortSignal): Promise<Leaderboard> {
  return getJson(`/api/leaderboard/${encodeURIComponent(game)}?limit=${limit}`, isLeaderboard, signal);
}

export function fetchMatch(id: string, signal?: AbortSignal): Promise<MatchRecord> {
  return getJson(`/api/matches/${encodeURIComponent(id)}`, isMatchRecord, signal);
}

function isAwaySeat(v: unknown): v is AwaySeat {
  return isObject(v) && isStr(v.roomId) && isStr(v.game) && isStr(v.reconnectionToken) && typeof v.private === "boolean" && isNum(v.until);
}

const isRunningGames = (v: unknown): v is { games: AwaySeat[] } => isObject(v) && Array.isArray(v.games) && v.games.every(isAwaySeat);

/** The signed-in player's games whose seat is held while they are away (GET /api/me/games, with their sign-in token). */
export async function fetchRunningGames(token: string, signal?: AbortSignal): Promise<AwaySeat[]> {
  return (await getJson("/api/me/games", isRunningGames, signal, { authorization: `Bearer ${token}` })).games;
}

/** A room's listing entry (GET /api/rooms/:id) as the lobby reads it. */
export function isRoomEntry(v: unknown): v is RoomEntry {
  const e = v as RoomEntry;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.roomId === "string" &&
    typeof e.game === "string" &&
    typeof e.players === "number" &&
    typeof e.seats === "number" &&
    typeof e.started === "boolean" &&
    typeof e.open === "boolean" &&
    Array.isArray(e.names) &&
    e.names.every((n) => typeof n === "string") &&
    typeof e.settings === "object" &&
    e.settings !== null
  );
}

/**
 * One room's listing entry (GET /api/rooms/:id): `entry` when it answered one, `gone` when
 * the room is not listed (404); neither when the request failed (offline, a refusal).
 */
export async function lookUpRoom(roomId: string, timeoutMs = 5000): Promise<{ entry?: RoomEntry; gone: boolean }> {
  try {
    // Bounded: a request that hangs would stop the caller's lookups (each waits for the last).
    const res = await fetch(`/api/rooms/${encodeURIComponent(roomId)}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { gone: res.status === 404 };
    const body: unknown = await res.json();
    return { entry: isRoomEntry(body) ? body : undefined, gone: false };
  } catch {
    return { gone: false };
  }
}
