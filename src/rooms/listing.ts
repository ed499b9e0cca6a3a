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
import { getMessageBytes, matchMaker, Protocol, type IRoomCache, type Presence } from "@colyseus/core";
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
  /** Every listed room of the driver, oldest first (entries are built only for the rooms a view shows). */
  rooms: IRoomCache[];
  views: Map<string, ListingView>;
}

/** A room's listed settings: finite numbers only, at most 8. */
function settingsOf(value: unknown): Record<string, number> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === "number" && Number.isFinite(v)).slice(0, 8));
}

const time = (room: IRoomCache) => (room.createdAt instanceof Date ? room.createdAt.getTime() : new Date(room.createdAt ?? 0).getTime());

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
      // Joinable rooms first (a player waits in each), oldest first; then (`all`) running
      // games. Only the rooms shown are turned into entries.
      const rooms: RoomEntry[] = [];
      const all = filter.include === "all";
      for (const pass of all ? [true, false] : [true]) {
        for (const room of snapshot.rooms) {
          if (rooms.length >= this.settings.maxRooms) break;
          if (filter.game && room.name !== filter.game) continue;
          const entry = this.entry(room);
          if (entry && entry.open === pass) rooms.push(entry);
        }
      }
      view = { rooms, json: JSON.stringify(rooms), message: getMessageBytes.raw(Protocol.ROOM_DATA, "rooms", rooms) };
      snapshot.views.set(key, view);
    }
    return view;
  }

  /**
   * The listing entry of a room, or undefined when it is not a listed game room. `single`: one
   * room's entry (GET /api/rooms/:id): listed even when its players are all away, and with its
   * dice commitment.
   */
  private entry(room: IRoomCache, single = false): RoomEntry | undefined {
    const meta = room.metadata as Partial<ListingMetadata> | undefined;
    // A room whose waiting players are all away is not listed: nobody could play in it now.
    if (!this.settings.games.has(room.name) || room.unlisted || !meta || typeof meta.seats !== "number" || (meta.absent === true && !single)) return undefined;
    return {
      roomId: room.roomId,
      game: room.name,
      players: meta.players ?? 0,
      seats: meta.seats,
      started: meta.started === true,
      open: meta.open === true && !room.locked,
      names: Array.isArray(meta.names) ? meta.names.filter((n): n is string => typeof n === "string").slice(0, 8) : [],
      settings: settingsOf(meta.settings),
      // Only for one room (a page about to join it reads it): not in every list sent to every lobby client.
      ...(single && typeof meta.commitment === "string" && /^[0-9a-f]{64}$/.test(meta.commitment) ? { commitment: meta.commitment } : {}),
    };
  }

  /**
   * One room by id, private rooms included (whoever has the id was invited): what an invite
   * page shows. Undefined when no such game room exists any more.
   */
  async byId(roomId: string): Promise<RoomEntry | undefined> {
    // One row read by its key (`matchMaker.query` would read and parse every room's row with Redis).
    const room = (await matchMaker.driver.findOne({ roomId })) as IRoomCache | undefined;
    return room ? this.entry({ ...room, unlisted: false } as IRoomCache, true) : undefined;
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
    const rooms = (await matchMaker.query({ private: false })) as IRoomCache[];
    // The local driver keeps rooms in creation order already; Redis's answers come in any order.
    let ordered = true;
    for (let i = 1; i < rooms.length && ordered; i++) ordered = time(rooms[i - 1]!) <= time(rooms[i]!);
    if (!ordered) rooms.sort((a, b) => time(a) - time(b) || a.roomId.localeCompare(b.roomId));
    this.snapshot = { at, rooms, views: new Map() };
    return this.snapshot;
  }
}
