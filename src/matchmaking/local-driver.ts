/**
 * Colyseus's in-memory listing (`LocalDriver`), with cheaper lookups.
 *
 * Every matchmaking request looks rooms up (`joinById` by id, `joinOrCreate` by name and
 * filters) and the listing reads them all. The stock driver copies the whole room list and
 * tests each condition with a `for…in` per room: with 3,000 rooms one lookup cost several
 * milliseconds, and the abuse soak's burst of requests held the event loop for 200–300 ms.
 * Here the rooms are kept in maps, by id and by game: a lookup by id is a map read, a lookup
 * by name scans that game's rooms only (oldest first, as the stock driver's list), the
 * conditions are checked from a precomputed list, and removing a room is a map delete
 * (the stock driver searched and spliced its array on every room disposed). The semantics are the stock driver's: a
 * condition matches a listing field, else a metadata field, and a field on neither fails.
 */
import { LocalDriver, type IRoomCache, type SortOptions } from "@colyseus/core";

const own = Object.prototype.hasOwnProperty;

type Conditions = Partial<IRoomCache> & Record<string, unknown>;

function matcher(conditions: Conditions): (room: IRoomCache) => boolean {
  const entries = Object.keys(conditions).map((key) => [key, conditions[key]] as const);
  return (room) => {
    for (const [key, value] of entries) {
      if (own.call(room, key)) {
        if ((room as unknown as Record<string, unknown>)[key] !== value) return false;
      } else if (room.metadata && own.call(room.metadata, key)) {
        if (room.metadata[key] !== value) return false;
      } else {
        return false;
      }
    }
    return true;
  };
}

function compare(sort: SortOptions): (a: IRoomCache, b: IRoomCache) => number {
  const fields = Object.entries(sort).map(([field, direction]) => [field, direction === 1 || direction === "asc" || direction === "ascending" ? 1 : -1] as const);
  const value = (room: IRoomCache, field: string) => (own.call(room, field) ? (room as unknown as Record<string, unknown>)[field] : room.metadata?.[field]) as number | string;
  return (a, b) => {
    for (const [field, sign] of fields) {
      const x = value(a, field);
      const y = value(b, field);
      if (x > y) return sign;
      if (x < y) return -sign;
    }
    return 0;
  };
}

function index(byName: Map<string, Map<string, IRoomCache>>, room: IRoomCache) {
  let game = byName.get(room.name);
  if (!game) byName.set(room.name, (game = new Map()));
  game.set(room.roomId, room);
}

function unindex(byName: Map<string, Map<string, IRoomCache>>, room: IRoomCache) {
  const game = byName.get(room.name);
  if (!game?.delete(room.roomId)) return;
  if (game.size === 0) byName.delete(room.name);
}

export class FastLocalDriver extends LocalDriver {
  /** Every listed room by id, oldest first (a lookup without a sort finds the oldest match). */
  private readonly byId = new Map<string, IRoomCache>();
  /** The same rooms by game name, oldest first. */
  private readonly byName = new Map<string, Map<string, IRoomCache>>();
  /**
   * Per game, the rooms with a free seat (`metadata.open`: see GameHandler), in the order
   * they opened: a quick match looks only at these, not at every game running.
   */
  private readonly openByName = new Map<string, Map<string, IRoomCache>>();
  /** The rooms by the key of the address that created them (`metadata.host`: the matchmaker counts an address's waiting rooms). */
  private readonly byHost = new Map<string, Map<string, IRoomCache>>();
  /** The host key each room is indexed under. */
  private readonly hostOf = new Map<string, string>();

  /** The rooms a lookup needs to look at: one room by id, one game's rooms by name, or all. */
  private candidates(conditions: Conditions): Iterable<IRoomCache> {
    if (typeof conditions.roomId === "string") {
      const room = this.byId.get(conditions.roomId);
      return room ? [room] : [];
    }
    if (typeof conditions.host === "string") return this.byHost.get(conditions.host)?.values() ?? [];
    if (typeof conditions.name === "string") {
      const index = conditions.open === true ? this.openByName : this.byName;
      return index.get(conditions.name)?.values() ?? [];
    }
    return this.byId.values();
  }

  override has(roomId: string): boolean {
    return this.byId.has(roomId);
  }

  override query(conditions: Conditions, sortOptions?: SortOptions): any {
    const matches = matcher(conditions);
    const found: IRoomCache[] = [];
    for (const room of this.candidates(conditions)) if (matches(room)) found.push(room);
    return sortOptions ? found.sort(compare(sortOptions)) : found;
  }

  override findOne(conditions: Conditions, sortOptions?: SortOptions): Promise<IRoomCache> {
    const matches = matcher(conditions);
    const order = sortOptions ? compare(sortOptions) : undefined;
    let best: IRoomCache | undefined;
    for (const room of this.candidates(conditions)) {
      if (!matches(room)) continue;
      if (!order) return Promise.resolve(room);
      if (best === undefined || order(room, best) < 0) best = room;
    }
    return Promise.resolve(best as IRoomCache);
  }

  override async findByIds(roomIds: string[]): Promise<Map<string, IRoomCache>> {
    const result = new Map<string, IRoomCache>();
    for (const id of roomIds) {
      const room = this.byId.get(id);
      if (room) result.set(id, room);
    }
    return result;
  }

  override cleanup(processId: string): Promise<void> {
    for (const room of [...this.byId.values()]) if (room.processId === processId) this.remove(room.roomId);
    return Promise.resolve();
  }

  override async insert(room: IRoomCache): Promise<boolean> {
    if (this.byId.has(room.roomId)) return false;
    this.add(room);
    return true;
  }

  override persist(room: IRoomCache, create = false): boolean {
    if (!create) {
      // The room changed its listing in place (metadata, private): only the index follows.
      if (this.byId.get(room.roomId) === room) this.reindex(room);
      return false;
    }
    this.add(room);
    return true;
  }

  override update(room: IRoomCache, operations: Parameters<LocalDriver["update"]>[1]): boolean {
    const done = super.update(room, operations);
    if (this.byId.get(room.roomId) === room) this.reindex(room);
    return done;
  }

  override remove(roomId: string): boolean {
    const room = this.byId.get(roomId);
    if (!room) return false;
    this.byId.delete(roomId);
    unindex(this.byName, room);
    unindex(this.openByName, room);
    this.setHost(room, undefined);
    return true;
  }

  override clear(): void {
    this.byId.clear();
    this.byName.clear();
    this.openByName.clear();
    this.byHost.clear();
    this.hostOf.clear();
  }

  private add(room: IRoomCache) {
    this.byId.set(room.roomId, room);
    index(this.byName, room);
    this.reindex(room);
  }

  /** Puts `room` in or out of the open rooms and under its host, after a change of its listing. */
  private reindex(room: IRoomCache) {
    const host = room.metadata?.host;
    this.setHost(room, typeof host === "string" ? host : undefined);
    const open = room.metadata?.open === true;
    if (open === (this.openByName.get(room.name)?.has(room.roomId) ?? false)) return;
    if (open) index(this.openByName, room);
    else unindex(this.openByName, room);
  }

  private setHost(room: IRoomCache, host: string | undefined) {
    const before = this.hostOf.get(room.roomId);
    if (before === host) return;
    if (before !== undefined) {
      const rooms = this.byHost.get(before);
      rooms?.delete(room.roomId);
      if (rooms?.size === 0) this.byHost.delete(before);
      this.hostOf.delete(room.roomId);
    }
    if (host === undefined) return;
    this.hostOf.set(room.roomId, host);
    let rooms = this.byHost.get(host);
    if (!rooms) this.byHost.set(host, (rooms = new Map()));
    rooms.set(room.roomId, room);
  }
}
