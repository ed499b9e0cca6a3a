/**
 * The per-client token bucket for game messages: `messagesPerSecond` sustained, bursts
 * of `messageBurst`. A client over it gets one RATE_LIMITED reply per burst (never one per
 * refused message: a flood must not amplify), and after `floodDisconnectAfter` refused
 * messages in a row it is cut for good (4429, no reconnection window).
 */
export interface MessageLimitSettings {
  messagesPerSecond: number;
  messageBurst: number;
  floodDisconnectAfter: number;
}

/** What to do with one message. */
export type Verdict = "accept" | "refuse" | "warn" | "cut";

interface Bucket {
  tokens: number;
  refilledAt: number;
  strikes: number;
  cut: boolean;
}

export class MessageLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: MessageLimitSettings) {}

  /** Starts counting for a client (a full bucket). */
  add(sessionId: string): void {
    this.buckets.set(sessionId, { tokens: this.settings.messageBurst, refilledAt: performance.now(), strikes: 0, cut: false });
  }

  /** Forgets a client; true if it was counted. */
  remove(sessionId: string): boolean {
    return this.buckets.delete(sessionId);
  }

  /** Forgets every client; how many were counted. */
  clear(): number {
    const counted = this.buckets.size;
    this.buckets.clear();
    return counted;
  }

  /** Whether the client was cut for flooding. */
  wasCut(sessionId: string): boolean {
    return this.buckets.get(sessionId)?.cut === true;
  }

  /**
   * Counts one message: `accept` it, `refuse` it silently, `warn` (refuse it and send the
   * one RATE_LIMITED of this burst), or `cut` the client. Unknown or cut clients: `refuse`.
   */
  take(sessionId: string): Verdict {
    const bucket = this.buckets.get(sessionId);
    if (!bucket || bucket.cut) return "refuse";
    const now = performance.now();
    const { messagesPerSecond, messageBurst, floodDisconnectAfter } = this.settings;
    bucket.tokens = Math.min(messageBurst, bucket.tokens + ((now - bucket.refilledAt) / 1000) * messagesPerSecond);
    bucket.refilledAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.strikes = 0;
      return "accept";
    }
    bucket.strikes += 1;
    if (bucket.strikes >= floodDisconnectAfter) {
      bucket.cut = true;
      return "cut";
    }
    return bucket.strikes === 1 ? "warn" : "refuse";
  }
}
