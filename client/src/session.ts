/**
 * What survives a page reload: the seat to reconnect to (sessionStorage, per tab) and the
 * player's name (localStorage).
 */
export interface SavedSeat {
  roomId: string;
  /** The room name (the game); a page without its view forgets the seat. */
  game: string;
  reconnectionToken: string;
  /** The room was created private here: show its invite link. */
  private?: boolean;
  /**
   * Watching, not playing. The server keeps no place for a spectator, so a reload joins
   * the room again as a spectator instead of reconnecting with the token.
   */
  spectator?: boolean;
  /**
   * The last game of the room's history before this seat was taken: lines of that game and
   * earlier are another player's, even under the same name (see GameScreen.sinceGame).
   */
  sinceGame?: number;
}

const SEAT_KEY = "turn-games.seat";
/** Rooms this tab left while its connection was down (the server holds the seat until its window ends). */
const LEFT_KEY = "turn-games.left";
const LEFT_MAX = 20;
const NAME_KEY = "turn-games.name";

export function saveSeat(seat: SavedSeat): void {
  try {
    sessionStorage.setItem(SEAT_KEY, JSON.stringify(seat));
  } catch {
    // storage disabled: a reload then lands in the lobby
  }
}

export function loadSeat(): SavedSeat | undefined {
  try {
    const raw = sessionStorage.getItem(SEAT_KEY);
    if (!raw) return undefined;
    const v = JSON.parse(raw) as Partial<SavedSeat>;
    if (typeof v.roomId !== "string" || typeof v.reconnectionToken !== "string" || typeof v.game !== "string") return undefined;
    // (Until 2026-12-07 sinceGame was not read back: after a reload, lines of the games before
    // this seat was taken read as the player's own, "You won", under a former player's name.)
    const sinceGame = typeof v.sinceGame === "number" && Number.isSafeInteger(v.sinceGame) && v.sinceGame >= 0 ? v.sinceGame : undefined;
    return { roomId: v.roomId, game: v.game, reconnectionToken: v.reconnectionToken, private: v.private === true, spectator: v.spectator === true, sinceGame };
  } catch {
    return undefined;
  }
}

export function clearSeat(): void {
  try {
    sessionStorage.removeItem(SEAT_KEY);
  } catch {
    // ignore
  }
}

/**
 * The player left room `roomId` from this tab while its connection was down: the server
 * still holds the seat until its window ends, and the lobby must not offer it back.
 */
export function markLeft(roomId: string): void {
  try {
    const left = [...leftRooms().filter((id) => id !== roomId), roomId].slice(-LEFT_MAX);
    sessionStorage.setItem(LEFT_KEY, JSON.stringify(left));
  } catch {
    // storage disabled: the lobby may offer it (Return then resumes the seat)
  }
}

/** Whether this tab left room `roomId` (see {@link markLeft}). */
export function leftHere(roomId: string): boolean {
  return leftRooms().includes(roomId);
}

function leftRooms(): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(LEFT_KEY) ?? "[]");
    return Array.isArray(v) ? v.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export function loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    return "";
  }
}

export function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // ignore
  }
}

/** A room id from `?join=<id>` or `#join=<id>` (also a pasted link or a bare id, for the join form). */
export function roomIdFrom(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  let candidate = trimmed;
  try {
    const url = new URL(trimmed, location.origin);
    const fromQuery = url.searchParams.get("join");
    const fromHash = new URLSearchParams(url.hash.replace(/^#/, "")).get("join");
    candidate = fromQuery ?? fromHash ?? trimmed;
  } catch {
    // not a URL: a bare id
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(candidate) ? candidate : undefined;
}

/** The `join` parameter of this page's address, as written (null: none). */
function joinInLocation(): string | null {
  return new URLSearchParams(location.search).get("join") ?? new URLSearchParams(location.hash.replace(/^#/, "")).get("join");
}

/** The invitation in this page's address, if any. */
export function inviteInLocation(): string | undefined {
  const id = joinInLocation();
  return id ? roomIdFrom(id) : undefined;
}

/** The address has an invitation that holds no room code (a link cut short or mistyped). */
export function brokenInviteInLocation(): boolean {
  const id = joinInLocation();
  return id !== null && roomIdFrom(id) === undefined;
}

/** Removes `join` from the address bar (after use, so a reload does not join again). */
export function forgetInviteInLocation(): void {
  const url = new URL(location.href);
  url.searchParams.delete("join");
  if (/(^#|&)join=/.test(url.hash)) url.hash = "";
  history.replaceState(null, "", url.pathname + url.search + url.hash);
}

export function inviteLink(roomId: string): string {
  return `${location.origin}/?join=${encodeURIComponent(roomId)}`;
}
