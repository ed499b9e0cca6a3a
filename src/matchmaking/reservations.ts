/**
 * Seat reservations that have not been used yet, counted per client address across every
 * process (in Redis with several processes, in memory with one).
 *
 * A matchmaking answer reserves a seat before the client's WebSocket arrives. A reservation
 * that is never used holds its seat (and hides its room from the listing) until it
 * expires, so one program renewing reservations could hold every open room. The
 * matchmaking route admits a new reservation only while its address has fewer than
 * `limit` unused ones; the room releases each one when its client arrives or when it
 * expires.
 */
import type { Redis } from "ioredis";
import { addressKey } from "../net/address.js";

/** The options key under which the matchmaking route tells a room the client's address. */
export const ADDRESS_OPTION = "$address";

/** What a room needs: to release a reservation it received. */
export interface ReservationRelease {
  release(address: string, sessionId: string): void;
}

/** Where the ledger keeps, per address key, session id → expiry (epoch ms). */
export interface LedgerStore {
  /** How many entries of `key` are still live at `now`; the expired ones are removed. */
  live(key: string, now: number): Promise<number>;
  add(key: string, sessionId: string, expiresAt: number, ttlSeconds: number): Promise<void>;
  remove(key: string, sessionIds: string[]): Promise<void>;
}

/**
 * One process: a map that forgets an address as soon as it holds nothing. Every entry lives
 * as long as the ledger's TTL, so a map's insertion order is its expiry order and the
 * expired ones are always at its front: counting costs only the entries it sweeps (a
 * busy address, or a whole site behind one NAT, can hold hundreds in flight). An address
 * that never comes back (its reservations unused, never released) is dropped by a sweep of
 * every address, at most once per `sweepMs`, when another reservation is added.
 */
export function memoryLedgerStore(sweepMs = 60_000): LedgerStore & { addresses(): number } {
  const byKey = new Map<string, Map<string, number>>();
  let sweptAt = Date.now();
  const expire = (key: string, entries: Map<string, number>, now: number) => {
    for (const [id, expiresAt] of entries) {
      if (expiresAt > now) break;
      entries.delete(id);
    }
    if (entries.size === 0) byKey.delete(key);
  };
  return {
    addresses: () => byKey.size,
    async live(key, now) {
      const entries = byKey.get(key);
      if (!entries) return 0;
      expire(key, entries, now);
      return entries.size;
    },
    async add(key, sessionId, expiresAt) {
      const now = Date.now();
      if (now - sweptAt >= sweepMs) {
        sweptAt = now;
        for (const [k, entries] of byKey) expire(k, entries, now);
      }
      let entries = byKey.get(key);
      if (!entries) byKey.set(key, (entries = new Map()));
      // Re-added (a confirmed claim): moved to the back, where its new expiry belongs.
      entries.delete(sessionId);
      entries.set(sessionId, expiresAt);
    },
    async remove(key, sessionIds) {
      const entries = byKey.get(key);
      if (!entries) return;
      for (const id of sessionIds) entries.delete(id);
      if (entries.size === 0) byKey.delete(key);
    },
  };
}

/** Several processes: one Redis hash per address, expiring a little after its newest entry. */
export function redisLedgerStore(redis: Redis): LedgerStore {
  return {
    async live(key, now) {
      let live = 0;
      const expired: string[] = [];
      for (const [sessionId, expiresAt] of Object.entries(await redis.hgetall(key))) {
        if (Number(expiresAt) > now) live++;
        else expired.push(sessionId);
      }
      if (expired.length > 0) await redis.hdel(key, ...expired);
      return live;
    },
    async add(key, sessionId, expiresAt, ttlSeconds) {
      await redis.multi().hset(key, sessionId, String(expiresAt)).expire(key, ttlSeconds + 5).exec();
    },
    async remove(key, sessionIds) {
      if (sessionIds.length > 0) await redis.hdel(key, ...sessionIds);
    },
  };
}

/** A place taken in the ledger before the reservation is made; `confirm` or `cancel` it. */
export interface Claim {
  /** The reservation was made for `sessionId`: the place is now its. */
  confirm(sessionId: string): Promise<void>;
  /** No reservation was made: the place is free again. */
  cancel(): void;
}

let claims = 0;

export class ReservationLedger implements ReservationRelease {
  /**
   * @param store - shared by every process of the deployment
   * @param limit - unused reservations one address may hold at once
   * @param ttlSeconds - how long a reservation lives (the rooms' seat reservation time)
   */
  constructor(
    private readonly store: LedgerStore,
    private readonly limit: number,
    private readonly ttlSeconds: number,
  ) {}

  private key(address: string) {
    return `resv:${addressKey(address)}`;
  }

  /**
   * Takes a place for one more reservation of `address`, or null when it holds `limit`
   * already. The place is written first and counted after, so requests racing each other
   * (on one process or several) can never all pass: each one counts every place written
   * before its own. Two racing requests may both be refused at the limit, never both admitted.
   */
  async claim(address: string): Promise<Claim | null> {
    const key = this.key(address);
    const provisional = `claim:${process.pid}:${++claims}`;
    await this.store.add(key, provisional, Date.now() + this.ttlSeconds * 1000, this.ttlSeconds);
    const live = await this.store.live(key, Date.now());
    const cancel = () => void this.store.remove(key, [provisional]).catch(() => undefined);
    if (live > this.limit) {
      cancel();
      return null;
    }
    return {
      confirm: async (sessionId) => {
        await this.store.add(key, sessionId, Date.now() + this.ttlSeconds * 1000, this.ttlSeconds);
        await this.store.remove(key, [provisional]);
      },
      cancel,
    };
  }

  /** The reservation was used or expired. Never throws (a lost release expires by itself). */
  release(address: string, sessionId: string): void {
    this.store.remove(this.key(address), [sessionId]).catch(() => undefined);
  }
}
