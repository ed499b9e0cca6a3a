/**
 * A room's provably fair dice (src/fairness/dice.ts), game after game: a seed and its
 * commitment ready before each game (so players see the commitment before they choose
 * their client seeds), the client seeds gathered until the game starts, the dice of the
 * running game from the seeds, and the reveal when it ends. The base room calls it; the
 * seed never leaves this part but in the reveal and in the room's snapshot (Redis only).
 */
import type { Rng } from "../rules/rng.js";
import { commitmentOf, FairDice, firstSeat, joinClientSeeds, newSeed } from "./dice.js";

/** What the players are shown (the schema's `fairness`). */
export interface FairnessView {
  commitment: string;
  seed: string;
  clientSeeds: string;
  next: string;
}

/** What a game's end reveals: enough to recompute every roll. */
export interface FairnessReveal {
  commitment: string;
  /** The server seed, hex. */
  seed: string;
  /** The client seeds in seat order, joined with ":". */
  clientSeeds: string;
  /** The faces of each roll, roll 0 first. */
  rolls: number[][];
  /** The players' in-room ids in seat order (what the client seeds' order follows). */
  seats?: string[];
  /** The seat (index into `seats`) that moved first: the seeds' `firstSeat`. Absent before 2026-12-04 (who moved first was then the server's own draw). */
  first?: number;
}

/** What a takeover needs (kept in the room's snapshot, in Redis only). */
export interface FairnessSnapshot {
  /** The seed of the game running or about to start, hex. */
  seed: string;
  clientSeeds: Record<string, string>;
  /** The running game: its client seeds, the faces rolled so far, its seats and who moved first (absent in snapshots from before 2026-12-04). */
  game: { clientSeeds: string; rolls: number[][]; seats?: string[]; first?: number } | null;
  revealed: FairnessReveal | null;
}

export class RoomFairness {
  private seed = newSeed();
  private commitment = commitmentOf(this.seed);
  /** Each seated player's client seed; kept for the next games until they send another. */
  private readonly clientSeeds = new Map<string, string>();
  private dice?: FairDice;
  /** The running game's seats and first mover (for its reveal). */
  private started?: { seats: string[]; first?: number };
  private rolls: number[][] = [];
  private revealed?: FairnessReveal;
  private version = 0;

  /** Between games: the rules' other draws from `other`, and who moves first in a game they start from the seeds. */
  private readonly between: Rng;

  constructor(private readonly other: Rng) {
    this.between = {
      int: (min, max) => other.int(min, max),
      firstMover: (seats) => firstSeat(this.seed, this.joined(seats), seats.length),
    };
  }

  /** The RNG for the rules' next step. */
  get rng(): Rng {
    return this.dice ?? this.between;
  }

  /** The client seeds of these players (in seat order), joined as the derivation takes them. */
  private joined(seats: readonly string[]): string {
    return joinClientSeeds(seats.map((id) => this.clientSeeds.get(id) ?? ""));
  }

  /** Bumped whenever what players see changes. */
  get changes(): number {
    return this.version;
  }

  get running(): boolean {
    return this.dice !== undefined;
  }

  /** The commitment to the seed of the running game, or of the next one. */
  get currentCommitment(): string {
    return this.commitment;
  }

  /**
   * A player's client seed, for the next game (false: a game is running). With `commitment`
   * (a join's: the one its player read before joining), only if it is still the next game's.
   */
  setClientSeed(playerId: string, seed: string, commitment?: string): boolean {
    if (this.dice || (commitment !== undefined && commitment !== this.commitment)) return false;
    this.clientSeeds.set(playerId, seed);
    return true;
  }

  /** A player left the room for good: their seed goes with them (a running game keeps the seeds it started with). */
  forget(playerId: string) {
    this.clientSeeds.delete(playerId);
  }

  /** A game starts with these players in seat order, `first` (an index into `seats`) on turn: its dice come from the seeds from now on. */
  start(seats: readonly string[], first?: number) {
    const clientSeeds = this.joined(seats);
    this.dice = new FairDice(this.seed, clientSeeds, this.other);
    this.started = { seats: [...seats], ...(first !== undefined ? { first } : {}) };
    this.rolls = [];
    this.revealed = undefined;
    this.version++;
  }

  /** After an accepted step: the dice it rolled (if any) were a roll. */
  stepDone(): number[] | undefined {
    if (!this.dice) return undefined;
    const before = this.dice.rollCount;
    const faces = this.dice.stepDone();
    if (this.dice.rollCount === before) return undefined;
    this.rolls.push(faces);
    return faces;
  }

  stepRefused() {
    this.dice?.stepRefused();
  }

  /** The game ended (or its room closes): the seed is revealed, and a new one committed to for the next game. */
  end(): FairnessReveal | undefined {
    const dice = this.dice;
    if (!dice) return undefined;
    this.revealed = { commitment: this.commitment, seed: this.seed.toString("hex"), clientSeeds: dice.clientSeeds, rolls: this.rolls, ...this.started };
    this.dice = undefined;
    this.started = undefined;
    this.rolls = [];
    this.seed = newSeed();
    this.commitment = commitmentOf(this.seed);
    this.version++;
    return this.revealed;
  }

  view(): FairnessView {
    if (this.revealed) return { commitment: this.revealed.commitment, seed: this.revealed.seed, clientSeeds: this.revealed.clientSeeds, next: this.commitment };
    return { commitment: this.commitment, seed: "", clientSeeds: "", next: "" };
  }

  snapshot(): FairnessSnapshot {
    return {
      seed: this.seed.toString("hex"),
      clientSeeds: Object.fromEntries(this.clientSeeds),
      game: this.dice ? { clientSeeds: this.dice.clientSeeds, rolls: this.rolls, ...this.started } : null,
      revealed: this.revealed ?? null,
    };
  }

  restore(s: FairnessSnapshot) {
    this.seed = Buffer.from(s.seed, "hex");
    this.commitment = commitmentOf(this.seed);
    this.clientSeeds.clear();
    for (const [id, seed] of Object.entries(s.clientSeeds)) this.clientSeeds.set(id, seed);
    this.rolls = s.game ? s.game.rolls.map((r) => [...r]) : [];
    this.dice = s.game ? new FairDice(this.seed, s.game.clientSeeds, this.other, this.rolls.length) : undefined;
    this.started = s.game?.seats ? { seats: [...s.game.seats], ...(s.game.first !== undefined ? { first: s.game.first } : {}) } : undefined;
    this.revealed = s.revealed ?? undefined;
    this.version++;
  }
}
