/**
 * The room listing clients see: public rooms of the games, from the matchmaker's driver
 * (Redis with several processes, so every process lists every room).
 *
 * One `Listing` per process serves the lobby room and GET /api/rooms. Reading the driver
 * and building a list costs time in proportion to the rooms, so that happens at most once
 * per `minIntervalMs` however many rooms change and however many read: concurrent readers
 * share one query, and each filter's list, its JSON and its encoded lobby message are built
 * once per snapshot and handed to every reader. A list holds at most `maxRooms` entries.
 */
import { getMessageBytes, matchMaker, Protocol, type Presence } from "@colyseus/core";
import type { RoomEntry } from "../protocol/messages.js";
import type { ListingMetadata } from "./GameRoom.js";

export type { RoomEntry };

/** Which rooms a reader wants. */
export interface ListingFilter {
  /** One game's rooms only. */
  game?: string;
  /** `joinable` (default): rooms a player can sit down in; `all`: running games too. */
  include?: "joinable" | "all";
}

/** One filter's list, built once per snapshot. */
export interface ListingView {
  readonly rooms: readonly RoomEntry[];
  /** `rooms` as JSON (GET /api/rooms answers it as is). */
  readonly json: string;
  /** The lobby's `rooms` message, encoded once for every lobby client with this filter. */
  readonly message: Buffer;
}

export interface ListingSettings {
  /** Names of the game rooms that are listed. */
  games: ReadonlySet<string>;
  /** Entries per list. @default 100 */
  maxRooms: number;
  /**
   * A snapshot is read at most this often, changes or not (after a change, the next read
   * comes at most this late). @default 500
   */
  minIntervalMs: number;
  /** How long a snapshot is reused when nothing signalled a change. @default 1000 */
  maxAgeMs: number;
}

interface Snapshot {
  at: number;
  /** Every listed room, joinable first, each group oldest first. */
  entries: RoomEntry[];
  views: Map<string, ListingView>;
}

/** The presence channel on which Colyseus announces every listing change (rooms with realtime listing). */
const LOBBY_CHANNEL = "$lobby";

export class Listing {
  private snapshot?: Snapshot;
  private pending?: Promise<Snapshot>;
  private stale = true;
  private readonly listeners = new Set<() => void>();
  private readonly onNotice = () => this.invalidate();

  constructor(private readonly settings: ListingSettings) {}

  /**
   * Follows the change notices on `presence` (every process's rooms). A notice only marks
   * the listing stale: Colyseus's own `subscribeLobby` would query the driver per notice.
   */
  async follow(presence: Presence): Promise<() => void> {
    await presence.subscribe(LOBBY_CHANNEL, this.onNotice);
    // At shutdown the presence may be closed already: nothing to undo then.
    return () => void Promise.resolve(presence.unsubscribe(LOBBY_CHANNEL, this.onNotice)).catch(() => undefined);
  }

  /** Calls `listener` after each change notice (the lobby rooms schedule their update). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A room changed somewhere: the next read queries the driver again. */
  invalidate(): void {
    this.stale = true;
    for (const listener of this.listeners) listener();
  }

  /** The list for `filter`. */
  async view(filter: ListingFilter = {}): Promise<ListingView> {
    const snapshot = await this.current();
    const key = `${filter.game ?? "*"}|${filter.include ?? "joinable"}`;
    let view = snapshot.views.get(key);
    if (!view) {
      const rooms: RoomEntry[] = [];
      for (const entry of snapshot.entries) {
        if (rooms.length >= this.settings.maxRooms) break;
        if (filter.game && entry.game !== filter.game) continue;
        if ((filter.include ?? "joinable") === "joinable" && !entry.open) continue;
        rooms.push(entry);
      }
      view = { rooms, json: JSON.stringify(rooms), message: getMessageBytes.raw(Protocol.ROOM_DATA, "rooms", rooms) };
      snapshot.views.set(key, view);
    }
    return view;
  }

  private current(): Promise<Snapshot> {
    const age = this.snapshot ? Date.now() - this.snapshot.at : Infinity;
    // A busy server changes rooms all the time: however many changes and readers there are,
    // the driver is read at most once per minIntervalMs.
    if (age < this.settings.minIntervalMs || (!this.stale && age < this.settings.maxAgeMs)) return Promise.resolve(this.snapshot!);
    this.pending ??= this.read().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async read(): Promise<Snapshot> {
    this.stale = false;
    const at = Date.now();
    const cached = await matchMaker.query({ private: false });
    const entries: (RoomEntry & { createdAt: number })[] = [];
    for (const room of cached) {
      const meta = room.metadata as Partial<ListingMetadata> | undefined;
      if (!this.settings.games.has(room.name) || room.unlisted || !meta || typeof meta.seats !== "number") continue;
      entries.push({
        roomId: room.roomId,
        game: room.name,
        players: meta.players ?? 0,
        seats: meta.seats,
        started: meta.started === true,
        open: meta.open === true && !room.locked,
        createdAt: new Date(room.createdAt ?? 0).getTime(),
      });
    }
    // Joinable rooms first (a player waits in each), oldest first; then running games.
    entries.sort((a, b) => Number(b.open) - Number(a.open) || a.createdAt - b.createdAt || a.roomId.localeCompare(b.roomId));
    this.snapshot = { at, entries: entries.map(({ createdAt: _, ...entry }) => entry), views: new Map() };
    return this.snapshot;
  }
}
