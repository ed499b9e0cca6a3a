/**
 * The provably-fair scheme as a player would code it from the README's words alone (Node's
 * crypto), for tests to compare the server's and the browser's derivations with.
 */
import crypto from "node:crypto";

/** The faces of `count` dice of roll `n`: HMAC-SHA256(seed, "<clientSeeds>:<n>[:<k>]"), bytes ≥ 252 skipped, face = byte % 6 + 1. */
export function referenceRoll(seedHex: string, clientSeeds: string[], n: number, count: number): number[] {
  return referenceRollBytes(seedHex, clientSeeds, n, count).flatMap((byte) => (byte >= 252 ? [] : [(byte % 6) + 1]));
}

/** The bytes roll `n` of `count` dice reads, in order: the skipped ones (≥ 252) too, up to the byte of its last die. */
export function referenceRollBytes(seedHex: string, clientSeeds: string[], n: number, count: number): number[] {
  const key = Buffer.from(seedHex, "hex");
  const joined = clientSeeds.join(":");
  const bytes: number[] = [];
  let faces = 0;
  for (let k = 0; faces < count; k++) {
    const message = k === 0 ? `${joined}:${n}` : `${joined}:${n}:${k}`;
    for (const byte of crypto.createHmac("sha256", key).update(Buffer.from(message, "utf8")).digest()) {
      if (faces === count) break;
      bytes.push(byte);
      if (byte < 252) faces++;
    }
  }
  return bytes;
}

/** Who moves first: the first byte of HMAC-SHA256(seed, "<clientSeeds>:first[:<k>]") below 256 − 256 mod seats, mod seats. */
export function referenceFirst(seedHex: string, clientSeeds: string[], seats: number): number {
  const key = Buffer.from(seedHex, "hex");
  for (let k = 0; ; k++) {
    const message = `${clientSeeds.join(":")}:first${k === 0 ? "" : `:${k}`}`;
    for (const byte of crypto.createHmac("sha256", key).update(Buffer.from(message, "utf8")).digest()) if (byte < 256 - (256 % seats)) return byte % seats;
  }
}

/** SHA-256 of the seed, lowercase hex: the commitment shown before a game. */
export function referenceCommitment(seedHex: string): string {
  return crypto.createHash("sha256").update(Buffer.from(seedHex, "hex")).digest("hex");
}
