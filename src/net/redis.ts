/**
 * Redis connections that notice when the network goes silent.
 *
 * A connection the network dropped without a word (a partition, a firewall or NAT that lost
 * its state: no reset reaches us) looks healthy to the client; TCP gives up only after many
 * minutes, or never on a connection that only listens. So each connection has a socket
 * timeout (ioredis `socketTimeout`): one that expects an answer and hears nothing for that
 * long is closed and made again. Two gaps are closed here:
 *   - ioredis 5 leaves the timer of a connection that closed running, and when it fires it
 *     destroys the *new* connection (redis/ioredis#2147, fixed in ioredis 6, which Colyseus
 *     0.18's Redis packages do not take): the timer is cleared when the connection closes;
 *   - a subscriber only listens, so nothing arms its timer: {@link WatchedRedisPresence}
 *     pings it, and a silent subscriber (which would miss every message to this process:
 *     seat reservations from other processes, room calls, lobby notices) is made again.
 */
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis, type RedisOptions } from "ioredis";

/** How long a connection expecting an answer may hear nothing before it is closed and made again. */
export const REDIS_SOCKET_TIMEOUT_MS = 5000;

/** A connection to `url` with `options` and a socket timeout (default {@link REDIS_SOCKET_TIMEOUT_MS}). */
export function watchedRedis(url: string, options: RedisOptions = {}): Redis {
  return guardSocketTimer(new Redis(url, { socketTimeout: REDIS_SOCKET_TIMEOUT_MS, ...options }));
}

/** Clears the socket timer of a connection that closed, so it cannot destroy the next one (redis/ioredis#2147). */
function guardSocketTimer(redis: Redis): Redis {
  redis.on("close", () => {
    const internal = redis as unknown as { socketTimeoutTimer?: NodeJS.Timeout };
    if (internal.socketTimeoutTimer === undefined) return;
    clearTimeout(internal.socketTimeoutTimer);
    internal.socketTimeoutTimer = undefined;
  });
  return redis;
}

/** Colyseus's Redis presence on watched connections, its subscriber pinged every `pingMs` (its socket timeout then applies). */
export class WatchedRedisPresence extends RedisPresence {
  private readonly pinger: NodeJS.Timeout;

  constructor(url: string, { pingMs = REDIS_SOCKET_TIMEOUT_MS, socketTimeoutMs = REDIS_SOCKET_TIMEOUT_MS } = {}) {
    super(watchedRedis(url, { socketTimeout: socketTimeoutMs }));
    const sub = guardSocketTimer(this.sub as Redis);
    // PING is allowed on a subscribed connection; one that fails (down, or being made again) is simply tried at the next tick.
    this.pinger = setInterval(() => {
      if (sub.status === "ready") sub.ping().catch(() => undefined);
    }, pingMs);
    this.pinger.unref();
  }

  override shutdown() {
    clearInterval(this.pinger);
    super.shutdown();
  }
}
