/**
 * The players' HTTP contract (src/players: `/auth` and `/api/leaderboard|players|matches|me`),
 * importable by the browser client and the tests: the answers' shapes and the refusal codes.
 */

/** Refusal codes of `/auth` (and `ACCOUNTS_OFF` of every players' route when accounts are off). */
/**
 * With `ACCOUNTS=off`, the page the server serves carries `<meta name="accounts" content="off">`
 * (this name): the web client then asks `/auth` and the players' API nothing.
 */
export const ACCOUNTS_META = "accounts";

export const AuthErrorCode = {
  INVALID_INPUT: "INVALID_INPUT",
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  EMAIL_TAKEN: "EMAIL_TAKEN",
  TOKEN_INVALID: "TOKEN_INVALID",
  RATE_LIMITED: "RATE_LIMITED",
  /** A page of an origin ALLOWED_ORIGINS does not name (403). */
  FOREIGN_ORIGIN: "FOREIGN_ORIGIN",
  UNAVAILABLE: "UNAVAILABLE",
  ACCOUNTS_OFF: "ACCOUNTS_OFF",
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** A player's record in one game. */
export interface GameStats {
  played: number;
  won: number;
  lost: number;
  drawn: number;
  /** The rated games among them (against another account's player); 0: no rating measured yet. */
  rated: number;
  /** μ − 3σ. */
  rating: number;
}

/** One seat of a recorded match. */
export interface MatchPlayer {
  seat: number;
  /** null: a bot, or a program without an identity. */
  userId: string | null;
  name: string;
  /** 1 = first; tied players share one. */
  placement: number;
}

/** A match in a player's history (`GET /api/players/:id`). */
export interface MatchSummary {
  id: string;
  game: string;
  endedAt: number;
  /** The player's own placement. */
  placement: number;
  players: MatchPlayer[];
}

/** `GET /api/players/:id`. */
export interface Profile {
  id: string;
  name: string;
  guest: boolean;
  stats: Record<string, GameStats>;
  /** The last 20, newest first. */
  matches: MatchSummary[];
}

/** One row of `GET /api/leaderboard/:game`. */
export interface LeaderboardEntry {
  rank: number;
  userId: string;
  name: string;
  rating: number;
  played: number;
  won: number;
}

/** One accepted step of a recorded match's log. */
export interface LoggedStep {
  /** Milliseconds since the match started. */
  t: number;
  /** The actor's seat (index into the log's `seats`), or -1 for the rules' own scheduled actions. */
  seat: number;
  action: { type: string; [field: string]: unknown };
  /** The dice the rules rolled during this step, in order (each `int(1, 6)` drawn). */
  dice?: number[];
  /** Any other number the rules drew during this step (who starts, a bot's name), in order. */
  rng?: number[];
}

/** A recorded match's log: enough to replay it (src/replay) and, for dice games, to verify its dice (src/fairness). */
export interface MatchLog {
  /** The seats' in-room ids, in seat order. */
  seats: string[];
  /** The rules' state when the game started. */
  initial: unknown;
  steps: LoggedStep[];
  /** The rules' state it ended in. */
  final: unknown;
  /** Dice games: the revealed seeds (and, since 2026-12-04, the seats in order and the seat that moved first). */
  fairness?: { commitment: string; seed: string; clientSeeds: string; rolls: number[][]; seats?: string[]; first?: number };
}

/** `GET /api/matches/:id`. */
export interface MatchRecordView {
  id: string;
  game: string;
  startedAt: number;
  endedAt: number;
  rated: boolean;
  players: MatchPlayer[];
  result: unknown;
  log: MatchLog;
}

/** One entry of `GET /api/me/games`: a seat its signed-in player can take back (they are away from it). */
export interface AwaySeat {
  roomId: string;
  /** The room name (the game). */
  game: string;
  /** For `client.reconnect()`: `roomId:token`. */
  reconnectionToken: string;
  /** The room was created private (its invite link is worth showing). */
  private: boolean;
  /** When the seat is given up (epoch ms). */
  until: number;
}
