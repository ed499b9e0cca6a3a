/**
 * Per-address request limits (rate-limiter-flexible). In memory, each process counts its
 * own requests; {@link AddressLimiter.share} moves the count to Redis, so that one budget
 * holds across every process (a load balancer spreads one address's requests over all of
 * them). Addresses are keyed by `addressKey` (IPv6 by /64).
 */
import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { addressKey } from "../net/address.js";

export type LimitResult = { ok: true } | { ok: false; retryAfterSeconds: number };

export class AddressLimiter {
  private limiter: RateLimiterAbstract;

  /** `points` requests per `seconds` per address. */
  constructor(
    private readonly points: number,
    private readonly seconds: number,
  ) {
    this.limiter = new RateLimiterMemory({ points, duration: seconds });
  }

  /**
   * Counts in Redis from now on, under `name`: every process sharing it shares the budget.
   * While Redis does not answer, each process counts alone again (in memory), so a limit
   * never stops holding and a Redis outage never refuses honest requests.
   */
  share(redis: Redis, name: string): void {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `limit:${name}`,
      points: this.points,
      duration: this.seconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: this.points, duration: this.seconds }),
    });
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
