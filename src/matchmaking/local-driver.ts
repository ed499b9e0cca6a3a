/**
 * Colyseus's in-memory listing (`LocalDriver`), with cheaper lookups.
 *
 * Every matchmaking request looks rooms up (`joinById` by id, `joinOrCreate` by name and
 * filters) and the listing reads them all. The stock driver copies the whole room list and
 * tests each condition with a `for…in` per room: with 3,000 rooms one lookup cost several
 * milliseconds, and the abuse soak's burst of requests held the event loop for 200–300 ms.
 * Here a lookup by id is a map read, a lookup by name scans that game's rooms only, and the
 * conditions are checked from a precomputed list. The semantics are the stock driver's: a
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

export class FastLocalDriver extends LocalDriver {
  /** The rooms a lookup needs to look at: one room by id, one game's rooms by name, or all. */
  private candidates(conditions: Conditions): IRoomCache[] {
    if (typeof conditions.roomId === "string") {
      const room = this.rooms.find((r) => r.roomId === conditions.roomId);
      return room ? [room] : [];
    }
    if (typeof conditions.name === "string") return this.rooms.filter((r) => r.name === conditions.name);
    return this.rooms;
  }

  override query(conditions: Conditions, sortOptions?: SortOptions): any {
    const matches = matcher(conditions);
    const found = this.candidates(conditions).filter(matches);
    return sortOptions ? found.sort(compare(sortOptions)) : found;
  }

  override findOne(conditions: Conditions, sortOptions?: SortOptions): Promise<IRoomCache> {
    const matches = matcher(conditions);
    const candidates = this.candidates(conditions);
    if (!sortOptions) return Promise.resolve(candidates.find(matches) as IRoomCache);
    const order = compare(sortOptions);
    let best: IRoomCache | undefined;
    for (const room of candidates) if (matches(room) && (best === undefined || order(room, best) < 0)) best = room;
    return Promise.resolve(best as IRoomCache);
  }
}
