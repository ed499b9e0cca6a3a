/**
 * What survives a page reload: the seat to reconnect to (sessionStorage, per tab) and the
 * player's name (localStorage). A player's seats are also kept in localStorage, so a tab
 * closed by mistake does not lose its game: the next page opened finds the seat no open tab
 * holds (asked over a BroadcastChannel) and goes back to it ({@link seatLeftBehind}).
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
}

const SEAT_KEY = "turn-games.seat";
const NAME_KEY = "turn-games.name";

/** A player's seats of every tab (localStorage), by room id, with when each was last saved. */
const KEPT_KEY = "turn-games.seats";
/** Open tabs answer here for the seats they hold. */
const TABS_CHANNEL = "turn-games.tabs";
/** At most this many seats are kept (the newest), none older than {@link KEEP_MS}. */
const KEPT_MAX = 5;
const KEEP_MS = 24 * 3600_000;
/** How long a new page waits for open tabs to say which seats they hold. */
const ASK_TABS_MS = 300;

type KeptSeats = Record<string, SavedSeat & { savedAt: number }>;

function parseSeat(v: Partial<SavedSeat> | null | undefined): SavedSeat | undefined {
  if (!v || typeof v.roomId !== "string" || typeof v.reconnectionToken !== "string" || typeof v.game !== "string") return undefined;
  return { roomId: v.roomId, game: v.game, reconnectionToken: v.reconnectionToken, private: v.private === true, spectator: v.spectator === true };
}

function keptSeats(): KeptSeats {
  try {
    const raw = JSON.parse(localStorage.getItem(KEPT_KEY) ?? "{}") as Record<string, Partial<SavedSeat> & { savedAt?: unknown }>;
    const out: KeptSeats = {};
    for (const v of Object.values(raw ?? {})) {
      const seat = parseSeat(v);
      if (seat && typeof v.savedAt === "number" && Date.now() - v.savedAt < KEEP_MS) out[seat.roomId] = { ...seat, savedAt: v.savedAt };
    }
    return out;
  } catch {
    return {};
  }
}

function writeKept(change: (seats: KeptSeats) => void) {
  try {
    const seats = keptSeats();
    change(seats);
    const newest = Object.values(seats).sort((a, b) => b.savedAt - a.savedAt).slice(0, KEPT_MAX);
    localStorage.setItem(KEPT_KEY, JSON.stringify(Object.fromEntries(newest.map((s) => [s.roomId, s]))));
  } catch {
    // storage disabled or full: a closed tab then loses its seat, as before
  }
}

export function saveSeat(seat: SavedSeat): void {
  try {
    sessionStorage.setItem(SEAT_KEY, JSON.stringify(seat));
  } catch {
    // storage disabled: a reload then lands in the lobby
  }
  // A spectator has no seat to come back to (a reload watches again from this tab's own copy).
  if (!seat.spectator) writeKept((seats) => void (seats[seat.roomId] = { ...seat, savedAt: Date.now() }));
}

export function loadSeat(): SavedSeat | undefined {
  try {
    const raw = sessionStorage.getItem(SEAT_KEY);
    return raw ? parseSeat(JSON.parse(raw) as Partial<SavedSeat>) : undefined;
  } catch {
    return undefined;
  }
}

export function clearSeat(): void {
  const current = loadSeat();
  try {
    sessionStorage.removeItem(SEAT_KEY);
  } catch {
    // ignore
  }
  if (current) writeKept((seats) => void delete seats[current.roomId]);
}

/** Open tabs: each says which of the asked seats it holds (the one in its sessionStorage). */
const tabs = typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel(TABS_CHANNEL);
if (tabs) {
  tabs.onmessage = (event: MessageEvent) => {
    const asked = (event.data as { ask?: unknown } | null)?.ask;
    const mine = loadSeat();
    if (Array.isArray(asked) && mine && asked.includes(mine.roomId)) tabs.postMessage({ holds: mine.roomId });
  };
}

/**
 * The newest seat of this browser's player that no open tab holds: its tab was closed (or
 * crashed) during a game. It becomes this tab's seat (a refusal clears it like any seat).
 * Undefined when there is none, or when open tabs cannot be asked (no BroadcastChannel: a
 * live tab's seat must not be taken from it).
 */
export async function seatLeftBehind(): Promise<SavedSeat | undefined> {
  const candidates = Object.values(keptSeats()).sort((a, b) => b.savedAt - a.savedAt);
  if (candidates.length === 0 || !tabs) return undefined;
  const held = new Set<string>();
  const listen = (event: MessageEvent) => {
    const holds = (event.data as { holds?: unknown } | null)?.holds;
    if (typeof holds === "string") held.add(holds);
  };
  tabs.addEventListener("message", listen);
  tabs.postMessage({ ask: candidates.map((s) => s.roomId) });
  await new Promise((r) => setTimeout(r, ASK_TABS_MS));
  tabs.removeEventListener("message", listen);
  const seat = candidates.find((s) => !held.has(s.roomId));
  if (!seat) return undefined;
  const { savedAt: _savedAt, ...plain } = seat;
  try {
    sessionStorage.setItem(SEAT_KEY, JSON.stringify(plain));
  } catch {
    // the resume goes on all the same
  }
  return plain;
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

/** The invitation in this page's address, if any. */
export function inviteInLocation(): string | undefined {
  const fromQuery = new URLSearchParams(location.search).get("join");
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get("join");
  const id = fromQuery ?? fromHash;
  return id ? roomIdFrom(id) : undefined;
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
