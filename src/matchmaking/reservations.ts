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
  entries(key: string): Promise<Record<string, string>>;
  add(key: string, sessionId: string, expiresAt: number, ttlSeconds: number): Promise<void>;
  remove(key: string, sessionIds: string[]): Promise<void>;
}

/** One process: a map that forgets an address as soon as it holds nothing. */
export function memoryLedgerStore(): LedgerStore {
  const byKey = new Map<string, Map<string, number>>();
  return {
    async entries(key) {
      return Object.fromEntries([...(byKey.get(key) ?? [])].map(([id, at]) => [id, String(at)]));
    },
    async add(key, sessionId, expiresAt) {
      let entries = byKey.get(key);
      if (!entries) byKey.set(key, (entries = new Map()));
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
    async entries(key) {
      return redis.hgetall(key);
    },
    async add(key, sessionId, expiresAt, ttlSeconds) {
      await redis.multi().hset(key, sessionId, String(expiresAt)).expire(key, ttlSeconds + 5).exec();
    },
    async remove(key, sessionIds) {
      if (sessionIds.length > 0) await redis.hdel(key, ...sessionIds);
    },
  };
}

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

  /** Whether `address` may take one more reservation now (expired entries are dropped). */
  async admit(address: string): Promise<boolean> {
    const key = this.key(address);
    const now = Date.now();
    const expired: string[] = [];
    let live = 0;
    for (const [sessionId, expiresAt] of Object.entries(await this.store.entries(key))) {
      if (Number(expiresAt) > now) live++;
      else expired.push(sessionId);
    }
    if (expired.length > 0) await this.store.remove(key, expired);
    return live < this.limit;
  }

  /** Records a reservation just made for `address`. */
  async add(address: string, sessionId: string): Promise<void> {
    await this.store.add(this.key(address), sessionId, Date.now() + this.ttlSeconds * 1000, this.ttlSeconds);
  }

  /** The reservation was used or expired. Never throws (a lost release expires by itself). */
  release(address: string, sessionId: string): void {
    this.store.remove(this.key(address), [sessionId]).catch(() => undefined);
  }
}
