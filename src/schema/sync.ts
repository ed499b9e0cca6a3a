import { ArraySchema, MapSchema, type Schema } from "@colyseus/schema";

/**
 * Assigns only the fields whose value differs, so an unchanged field never enters the
 * next patch. Used by every room's `writeState`.
 */
export function assignChanged<T extends Schema>(target: T, values: Partial<T>): void {
  for (const key of Object.keys(values) as (keyof T)[]) {
    const value = values[key];
    if (target[key] !== value) target[key] = value as T[keyof T];
  }
}

/** Makes a primitive `ArraySchema` equal to `values`, touching only what changed. */
export function syncArray<V extends string | number | boolean>(target: ArraySchema<V>, values: readonly V[]): void {
  while (target.length > values.length) target.pop();
  values.forEach((v, i) => {
    if (i >= target.length) target.push(v);
    else if (target[i] !== v) target[i] = v;
  });
}

/**
 * Makes `target` hold one entry per item of `items` (keyed by `key(item)`), creating
 * entries with `create` and removing those whose item is gone, then calls `update` on each.
 */
export function syncMap<V extends Schema, I>(
  target: MapSchema<V>,
  items: readonly I[],
  key: (item: I) => string,
  create: () => V,
  update: (entry: V, item: I) => void,
): void {
  const keep = new Set(items.map(key));
  for (const k of Array.from(target.keys())) if (!keep.has(k)) target.delete(k);
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
  same: (entry: V, item: I) => boolean,
  create: () => V,
  update: (entry: V, item: I) => void,
): void {
  // Rebuild only when membership or order changed; otherwise update in place.
  const aligned = target.length === items.length && items.every((item, i) => same(target[i]!, item));
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
