/**
 * Rooms one client address holds waiting for players, counted across every process.
 *
 * Creating a room is cheap for a client and costs the server a room until it is disposed:
 * a program that creates rooms and joins them from one address could fill the server with
 * empty games. Each game room records, in its listing metadata, a key of the address that
 * created it (`host`: a short hash, so the listing never holds the address itself) and
 * whether it has started. The matchmaking route counts the address's rooms that have not
 * started before it creates another.
 */
import { createHash } from "node:crypto";
import { addressKey } from "../net/address.js";

/** Recent addresses' host keys: a player's next quick match hashes nothing. Bounded: cleared when full. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS_MAX = 10_000;

/** The listing key of a creator's address (the same for every address of one /64 IPv6 network). */
export function hostKey(address: string): string {
  let key = recentKeys.get(address);
  if (key === undefined) {
    key = createHash("sha256").update(addressKey(address)).digest("base64url").slice(0, 16);
    if (recentKeys.size >= RECENT_KEYS_MAX) recentKeys.clear();
    recentKeys.set(address, key);
  }
  return key;
}

/** Finds listed rooms by listing or metadata fields (the matchmaker's `query`). */
export type RoomQuery = (conditions: Record<string, unknown>) => Promise<unknown[]>;

export class WaitingRooms {
  /** Creations under way on this process, per host key (not listed yet). */
  private readonly creating = new Map<string, number>();

  /**
   * @param query - the matchmaker's query, shared by every process
   * @param limit - rooms one address may hold waiting for players; 0 = no limit
   */
  constructor(
    private readonly query: RoomQuery,
    readonly limit: number,
  ) {}

  /**
   * Runs `create` unless `address` already holds `limit` rooms that have not started, in
   * which case it resolves to `undefined` without running it. Creations racing on this
   * process count each other; across processes two racing creations may both pass.
   */
  async admit<T>(address: string, create: () => Promise<T>): Promise<{ created: T } | undefined> {
    if (this.limit <= 0) return { created: await create() };
    const host = hostKey(address);
    const pending = this.creating.get(host) ?? 0;
    this.creating.set(host, pending + 1);
    try {
      const listed = (await this.query({ host, started: false })).length;
      if (listed + pending >= this.limit) return undefined;
      return { created: await create() };
    } finally {
      const left = (this.creating.get(host) ?? 1) - 1;
      if (left > 0) this.creating.set(host, left);
      else this.creating.delete(host);
    }
  }
}
