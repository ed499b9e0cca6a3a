/**
 * Secrets compared in constant time (the monitor's password, the metrics token): both sides
 * as SHA-256 digests, of equal length whatever was sent, compared with `timingSafeEqual`, so
 * the answers' timing tells nothing of how much of a guess was right.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Whether `given` is the secret whose digest is `expected`. */
export function matchesDigest(given: string, expected: Buffer): boolean {
  return timingSafeEqual(digest(given), expected);
}
