/**
 * Per-address request limits (rate-limiter-flexible, in memory: each process counts its
 * own requests). Addresses are keyed by `addressKey` (IPv6 by /64).
 */
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { addressKey } from "../net/address.js";

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class AddressLimiter {
  private readonly limiter: RateLimiterMemory;

  /** `points` requests per `seconds` per address. */
  constructor(points: number, seconds: number) {
    this.limiter = new RateLimiterMemory({ points, duration: seconds });
  }

  /** Counts one request of `address`; over the limit, says when to come back. */
  async consume(address: string, points = 1): Promise<LimitResult> {
    try {
      await this.limiter.consume(addressKey(address), points);
      return { ok: true };
    } catch (res) {
      if (res instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
      throw res;
    }
  }
}
