import { ArraySchema, MapSchema, type Schema } from "@colyseus/schema";

/**
 * What a room's `writeState` gets besides the new rules state. Rules states are immutable,
 * so an unchanged part of the state is the very same object as before: comparing with
 * `prev` by reference skips it without reading the schema (whose getters go through
 * proxies and cost more than the move itself).
 */
export interface WriteContext<S> {
  /** The rules state written last time; undefined on the first write. */
  prev: S | undefined;
  /** Assigns only what changed since the last write (see {@link Projection}). */
  projection: Projection;
  /** Seated players whose connection dropped (shown as `connected: false`), with the epoch ms their seat is held until. */
  away: ReadonlyMap<string, number>;
  /**
   * Whether `away` changed since the last write. With this false and a list of players that
   * is the same object as in `prev`, nothing a player entry shows can have changed, and a
   * projection may skip them (most moves).
   */
  awayChanged: boolean;
}

/**
 * Remembers, per schema object, the plain values last written to it, so a write compares
 * with plain data and assigns only what changed (an unchanged field never enters a patch).
 */
export class Projection {
  private readonly last = new WeakMap<object, Record<string, unknown>>();

  /** Assigns the fields of `values` that differ from what was last written to `target`. */
  assign<T extends Schema>(target: T, values: Partial<T>): void {
    let cache = this.last.get(target);
    if (!cache) this.last.set(target, (cache = {}));
    for (const key in values) {
      const value = values[key];
      if (cache[key] !== value) {
        cache[key] = value;
        target[key] = value as T[typeof key];
      }
    }
  }
}

/**
 * Makes a primitive `ArraySchema` equal to `values`, knowing it holds `prev` (the values
 * written last time): only changed slots are written.
 */
export function syncArray<V extends string | number | boolean>(target: ArraySchema<V>, values: readonly V[], prev: readonly V[] | undefined): void {
  if (values === prev) return;
  if (!prev || prev.length !== values.length) {
    while (target.length > values.length) target.pop();
    values.forEach((v, i) => {
      if (i >= target.length) target.push(v);
      else if (target[i] !== v) target[i] = v;
    });
    return;
  }
  for (let i = 0; i < values.length; i++) if (prev[i] !== values[i]) target[i] = values[i]!;
}

/**
 * Makes `target` hold one entry per item of `items` (keyed by `key(item)`), creating
 * entries with `create` and removing those whose item is gone, then calls `update` on each
 * (which should write through a {@link Projection}, so an unchanged field costs a compare).
 * Membership is only reconciled when `items` is not the list written last time; `update`
 * always runs, so fields derived from elsewhere in the state (connected, rematch) can
 * never be left stale.
 */
export function syncMap<V extends Schema, I>(
  target: MapSchema<V>,
  items: readonly I[],
  prevItems: readonly I[] | undefined,
  key: (item: I) => string,
  create: () => V,
  update: (entry: V, item: I) => void,
): void {
  if (items !== prevItems && (target.size !== items.length || items.some((item) => !target.has(key(item))))) {
    const keep = new Set(items.map(key));
    for (const k of Array.from(target.keys())) if (!keep.has(k)) target.delete(k);
  }
  for (const item of items) {
    const k = key(item);
    let entry = target.get(k);
    if (!entry) {
      entry = create();
      update(entry, item);
      target.set(k, entry);
    } else {
      update(entry, item);
    }
  }
}

/** Like {@link syncMap}, for an `ArraySchema` of schemas kept in the order of `items`. */
export function syncSchemaArray<V extends Schema, I>(
  target: ArraySchema<V>,
  items: readonly I[],
  prevItems: readonly I[] | undefined,
  same: (entry: V, item: I) => boolean,
  create: () => V,
  update: (entry: V, item: I) => void,
): void {
  // Rebuild only when membership or order changed; otherwise update in place.
  const aligned = items === prevItems || (target.length === items.length && items.every((item, i) => same(target[i]!, item)));
  if (!aligned) {
    target.clear();
    for (const item of items) {
      const entry = create();
      update(entry, item);
      target.push(entry);
    }
    return;
  }
  items.forEach((item, i) => update(target[i]!, item));
}
