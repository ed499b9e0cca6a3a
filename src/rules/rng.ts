/**
 * The one source of randomness a game's rules may use (never the global, unseedable one).
 */
export interface Rng {
  /** A uniformly random integer in `[min, max]` (both inclusive). */
  int(min: number, max: number): number;
  /**
   * Optional: the index, among the players of a game about to start (their ids in seat
   * order), of the one who moves first. A room with provably fair dice draws it from that
   * game's seeds (src/fairness/dice.ts), so the server cannot choose it; without it,
   * {@link pickFirst} draws with `int`.
   */
  firstMover?(seats: readonly string[]): number;
}

/** A die roll, 1–6. */
export function d6(rng: Rng): number {
  return rng.int(1, 6);
}

/** Picks one element uniformly. The list must not be empty. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("pick() from an empty list");
  return items[rng.int(0, items.length - 1)]!;
}

/** Who moves first among `players` (seat order): {@link Rng.firstMover} when the RNG has it, else a uniform pick. */
export function pickFirst<T extends { id: string }>(rng: Rng, players: readonly T[]): T {
  if (!rng.firstMover) return pick(rng, players);
  const first = players[rng.firstMover(players.map((p) => p.id))];
  if (!first) throw new RangeError("firstMover() gave no seat of the players");
  return first;
}

/** A shuffled copy (Fisher–Yates); the input is not changed. */
export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Production randomness: the operating system's cryptographically strong generator, through
 * Web Crypto (Node's global `crypto` and a browser's alike, so the rules import nothing
 * Node-only and the web client can run them for replays). Unbiased: a 32-bit draw above the
 * largest multiple of the range is drawn again.
 */
export const cryptoRng: Rng = {
  int(min, max) {
    const range = max - min + 1;
    if (!Number.isSafeInteger(range) || range < 1 || range > 2 ** 32) throw new RangeError(`cryptoRng: bad range [${min}, ${max}]`);
    const limit = 2 ** 32 - (2 ** 32 % range);
    const word = new Uint32Array(1);
    for (;;) {
      globalThis.crypto.getRandomValues(word);
      if (word[0]! < limit) return min + (word[0]! % range);
    }
  },
};

/**
 * A deterministic generator (mulberry32) for tests, benchmarks and reproducible fuzzing.
 * @example const rng = seededRng(42); rng.int(1, 6);
 */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int(min, max) {
      return min + Math.floor(next() * (max - min + 1));
    },
  };
}

/**
 * A scripted generator for scenario tests: returns the given values in order, and throws
 * when the script runs out or a value falls outside the requested range, so a test never
 * silently plays with dice it did not choose.
 * @example const rng = scriptedRng([6, 6, 3]); // the next three rolls
 */
export function scriptedRng(values: readonly number[]): Rng & { remaining(): number } {
  let i = 0;
  return {
    int(min, max) {
      if (i >= values.length) throw new Error(`scriptedRng: script exhausted after ${values.length} values`);
      const v = values[i++]!;
      if (v < min || v > max) throw new Error(`scriptedRng: value ${v} outside [${min}, ${max}]`);
      return v;
    },
    remaining: () => values.length - i,
  };
}
