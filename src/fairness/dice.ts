/**
 * Provably fair dice: commit–reveal seeds (the scheme of gambling sites), so that players
 * can check after a game that the server did not choose its rolls.
 *
 * Before a game the server draws a secret 32-byte seed and publishes its commitment, the
 * SHA-256 of the seed (lowercase hex). Each player may add a client seed. The dice of roll
 * `n` (every accepted action that rolls dice counts one roll, from 0; several dice rolled
 * together are one roll) come from HMAC-SHA256(key = the seed, message = clientSeeds + ":"
 * + n), where clientSeeds is the players' client seeds in seat order joined with ":"; each
 * die takes the next byte, a byte ≥ 252 is skipped, the face is byte % 6 + 1; when the 32
 * bytes run out, the message `clientSeeds:n:k` (k = 1, 2, …) gives 32 more. When the game
 * ends the seed is revealed, and anyone can recompute every roll.
 *
 * Who moves first comes from the seeds too: the seat given by HMAC-SHA256(key = the seed,
 * message = clientSeeds + ":first"), its first byte below the largest multiple of the number
 * of seats, modulo that number (the next 32 bytes, `clientSeeds:first:k`, if all are above).
 * Any other number the rules draw (a bot's name) comes from the RNG the room is given and is
 * recorded in the match log as it is.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { Rng } from "../rules/rng.js";
import { isDie } from "../players/match-tracker.js";

export const SEED_BYTES = 32;
/** Bytes at or above this are skipped: 252 = 42 × 6, so every face is equally likely. */
export const SKIP_FROM = 252;

export function newSeed(): Buffer {
  return randomBytes(SEED_BYTES);
}

/** The commitment to a seed: SHA-256, lowercase hex. */
export function commitmentOf(seed: Buffer): string {
  return createHash("sha256").update(seed).digest("hex");
}

/** The client seeds as the derivation uses them: in seat order, joined with ":". */
export function joinClientSeeds(seeds: readonly string[]): string {
  return seeds.join(":");
}

/** The 32 bytes of block `k` of roll `n` (k = 0: message `clientSeeds:n`; k ≥ 1: `clientSeeds:n:k`). */
export function rollBlock(seed: Buffer, clientSeeds: string, n: number, k: number): Buffer {
  const message = k === 0 ? `${clientSeeds}:${n}` : `${clientSeeds}:${n}:${k}`;
  return createHmac("sha256", seed).update(message, "utf8").digest();
}

/**
 * The seat (index into the game's seats, in seat order) that moves first: from
 * HMAC-SHA256(key = the seed, message = `clientSeeds:first`, then `clientSeeds:first:k` for
 * k = 1, 2, … while no byte is below the largest multiple of `seats` up to 256), the first
 * such byte modulo `seats`.
 */
export function firstSeat(seed: Buffer, clientSeeds: string, seats: number): number {
  if (!Number.isInteger(seats) || seats < 1 || seats > 256) throw new RangeError(`firstSeat: ${seats} seats`);
  const below = 256 - (256 % seats);
  for (let k = 0; ; k++) {
    const message = k === 0 ? `${clientSeeds}:first` : `${clientSeeds}:first:${k}`;
    for (const byte of createHmac("sha256", seed).update(message, "utf8").digest()) if (byte < below) return byte % seats;
  }
}

/** The faces of `count` dice of roll `n`. */
export function rollFaces(seed: Buffer, clientSeeds: string, n: number, count: number): number[] {
  const stream = new RollStream(seed, clientSeeds, n);
  return Array.from({ length: count }, () => stream.face());
}

/** The dice of one roll, one at a time. */
class RollStream {
  private block: Buffer;
  private k = 0;
  private i = 0;

  constructor(
    private readonly seed: Buffer,
    private readonly clientSeeds: string,
    private readonly n: number,
  ) {
    this.block = rollBlock(seed, clientSeeds, n, 0);
  }

  face(): number {
    for (;;) {
      if (this.i === this.block.length) {
        this.k++;
        this.i = 0;
        this.block = rollBlock(this.seed, this.clientSeeds, this.n, this.k);
      }
      const byte = this.block[this.i++]!;
      if (byte < SKIP_FROM) return (byte % 6) + 1;
    }
  }
}

/**
 * The rules' RNG for one game: dice from the seeds, anything else from `other`. The room
 * calls {@link stepDone} after each accepted action and {@link stepRefused} after a refused
 * one, so that only accepted actions that rolled count as rolls.
 */
export class FairDice implements Rng {
  /** The number of the next roll. */
  private rolls = 0;
  private current?: RollStream;
  private faces: number[] = [];

  constructor(
    private readonly seed: Buffer,
    readonly clientSeeds: string,
    private readonly other: Rng,
    rolls = 0,
  ) {
    this.rolls = rolls;
  }

  /** Rolls made so far (the next roll's number). */
  get rollCount(): number {
    return this.rolls;
  }

  int(min: number, max: number): number {
    if (!isDie(min, max)) return this.other.int(min, max);
    this.current ??= new RollStream(this.seed, this.clientSeeds, this.rolls);
    const face = this.current.face();
    this.faces.push(face);
    return face;
  }

  /** The step was accepted: if it rolled, that was roll number `rollCount` (then counted); returns its faces. */
  stepDone(): number[] {
    const faces = this.faces;
    if (this.current) this.rolls++;
    this.current = undefined;
    this.faces = [];
    return faces;
  }

  /** The step was refused: what it drew does not count (the next roll has the same number). */
  stepRefused(): void {
    this.current = undefined;
    this.faces = [];
  }
}
