/**
 * What a room keeps about each game beyond its state, for the base room: who sits in each
 * seat as which signed-in player, the running match and its record (src/players/
 * match-tracker.ts, handed to the result recorder once the step that ended it is saved), and
 * the dice from committed seeds (src/fairness/room-fairness.ts). The room hands it every
 * accepted or refused step; it gives the room the RNG the rules use, what to show in
 * `state.fairness`, what goes into the snapshot, and the seeds a game's end revealed.
 */
import type { AnyGame, HistoryStep } from "../games/definition.js";
import { MatchTracker, NOTHING_DRAWN, recordingRng, type Drawn, type MatchProgress, type MatchSeat } from "../players/match-tracker.js";
import type { MatchRecord } from "../players/store.js";
import type { Rng } from "../rules/rng.js";
import type { CommonState, Ending } from "../rules/types.js";
import { RoomFairness, type FairnessReveal, type FairnessSnapshot, type FairnessView } from "../fairness/room-fairness.js";

export interface GameRecordsOptions {
  game: AnyGame;
  /** The room's RNG (settings.rng). */
  rng: Rng;
  /** Dice from committed seeds (the game's state has `fairness` and the server's RNG is the production one). */
  fairDice: boolean;
  /** Where finished matches go; without it nothing is recorded. */
  results?: { record(match: MatchRecord): void };
  /** Runs `fn` once the step being applied is saved (with high availability: once a snapshot holding it has landed; never if another process took the room over first). */
  afterSaved(fn: () => void): void;
  /** A seated player's name given at join, if any (bots have none). */
  nameOf(playerId: string): string | undefined;
}

export class GameRecords {
  /** The RNG the rules are given: dice from the seeds, and every draw kept for the log. */
  readonly rng: Rng;
  /** Seated players who joined signed in: their user id, by session id. */
  private readonly userIds = new Map<string, string>();
  private readonly match?: MatchTracker;
  private readonly fairness?: RoomFairness;
  private readonly drawn?: () => Drawn;
  /** Finished matches not yet handed to the recorder (the step that ended them is not out yet), by match id. */
  private readonly unrecorded = new Map<string, () => void>();
  private shown = -1;

  constructor(private readonly options: GameRecordsOptions) {
    let rng = options.rng;
    if (options.fairDice) {
      const fairness = new RoomFairness(options.rng);
      this.fairness = fairness;
      rng = { int: (min, max) => fairness.rng.int(min, max), firstMover: (seats) => fairness.rng.firstMover?.(seats) ?? options.rng.int(0, seats.length - 1) };
    }
    const results = options.results;
    if (results) {
      const recording = recordingRng(rng);
      rng = recording.rng;
      this.drawn = recording.take;
      this.match = new MatchTracker(options.game.protocol.name, (record) => this.handOverWhenSaved(record, results));
    }
    this.rng = rng;
  }

  /** Whether the room takes `client_seed`. */
  get fairDice(): boolean {
    return this.fairness !== undefined;
  }

  seated(playerId: string, userId: string | undefined) {
    if (userId) this.userIds.set(playerId, userId);
  }

  /** A player no longer seated: their identity and client seed go. */
  unseated(playerId: string) {
    this.userIds.delete(playerId);
    this.fairness?.forget(playerId);
  }

  userIdOf(playerId: string): string | undefined {
    return this.userIds.get(playerId);
  }

  /** A seated player's client seed for the next game; false while a game runs (or, with `commitment`, once the next game's is another). */
  clientSeed(playerId: string, seed: string, commitment?: string): boolean {
    return this.fairness?.setClientSeed(playerId, seed, commitment) ?? false;
  }

  /** The commitment of the running or next game's seed; "" without fair dice. */
  get commitment(): string {
    return this.fairness?.currentCommitment ?? "";
  }

  /** The rules answered the step just applied with `rng`: what it drew, and whether it counts. */
  applied(ok: boolean): Drawn {
    const drawn = this.drawn?.() ?? NOTHING_DRAWN;
    if (ok) this.fairness?.stepDone();
    else this.fairness?.stepRefused();
    return drawn;
  }

  /**
   * An accepted step: a game starting, going on or ending. Returns the seeds a game's end
   * revealed (the room announces them once the step's patch is out).
   */
  step(step: HistoryStep<unknown>, drawn: Drawn): FairnessReveal | undefined {
    const { rules } = this.options.game;
    const wasStarted = rules.isStarted(step.before);
    const isStarted = rules.isStarted(step.after);
    if (!wasStarted && isStarted) {
      const seats = rules.playerIds(step.after);
      const first = seats.indexOf(rules.activePlayer(step.after) ?? "");
      this.fairness?.start(seats, first >= 0 ? first : undefined);
      this.match?.start(this.matchSeats(step.after), step.after);
      return undefined;
    }
    // Stryker disable next-line ConditionalExpression: equivalent: a fast path; with no match and no dice running, the tracker's step() and end() and the dice's end() do nothing
    if (!this.match?.progress() && !this.fairness?.running) return undefined;
    const standing = this.options.game.standing(step.after);
    this.match?.step(step.playerId, step.action, drawn, standing);
    const ending = endingOf(step.after);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent: the step that set a game's ending stopped its match and dice (the fast path above returns after it), so an ending unchanged or cleared never reaches here with either running
    if (!((ending && ending !== endingOf(step.before)) || !isStarted)) return undefined;
    const revealed = this.fairness?.end();
    this.match?.end(standing, ending ?? null, step.after, revealed);
    return revealed;
  }

  /**
   * The room closes with a game running (a shutdown): no result (its players did not
   * forfeit), but its seeds are revealed all the same.
   */
  cutOff(): FairnessReveal | undefined {
    this.match?.restore(undefined);
    return this.fairness?.running ? this.fairness.end() : undefined;
  }

  /** What `state.fairness` shows, when it changed since the last call; undefined otherwise. */
  fairnessChange(): FairnessView | undefined {
    if (!this.fairness || this.shown === this.fairness.changes) return undefined;
    this.shown = this.fairness.changes;
    return this.fairness.view();
  }

  snapshot(): { match: MatchProgress | null; fairness: FairnessSnapshot | null } {
    return { match: this.match?.progress() ?? null, fairness: this.fairness?.snapshot() ?? null };
  }

  restore(snapshot: { match?: MatchProgress | null; fairness?: FairnessSnapshot | null; seats: readonly { sessionId: string; userId?: string }[] }) {
    this.match?.restore(snapshot.match ?? undefined);
    if (snapshot.fairness) this.fairness?.restore(snapshot.fairness);
    for (const seat of snapshot.seats) this.seated(seat.sessionId, seat.userId);
  }

  /**
   * The room is gone: a match that ended just before (its last write may never be answered
   * but "superseded", the snapshot being deleted) is recorded all the same, unless another
   * process owns the room now (it records the match itself).
   */
  disposed(superseded: boolean) {
    if (!superseded) for (const handOver of [...this.unrecorded.values()]) handOver();
    this.unrecorded.clear();
  }

  /**
   * Hands a finished match to the recorder once the step that ended it is saved: with high
   * availability, once a snapshot holding that step has landed in Redis, even if the room
   * changes again and is taken over before its next write (the copy that lives on was
   * restored with the game over and its match gone, so it records nothing). A copy taken
   * over before that (stalled, then applying a move still waiting in its sockets) records
   * nothing: the players never saw that move, and the live copy records the match (the same
   * id) as they play it. Called during the step, before the room commits it: the microtask
   * runs after that commit started the write.
   */
  private handOverWhenSaved(record: MatchRecord, results: { record(match: MatchRecord): void }) {
    const handOver = () => {
      if (this.unrecorded.delete(record.id)) results.record(record);
    };
    this.unrecorded.set(record.id, handOver);
    queueMicrotask(() => this.options.afterSaved(handOver));
  }

  /** The seats of a match starting in `state`, in seat order: who sits there, signed in as whom. */
  private matchSeats(state: unknown): MatchSeat[] {
    return this.options.game.rules.playerIds(state).map((id) => ({ id, userId: this.userIds.get(id) ?? null, name: this.options.nameOf(id) ?? nameInState(state, id) }));
  }
}

/** How the rules' state says the last game ended (every game's state has `ending`: {@link CommonState}). */
export function endingOf(state: unknown): Ending | null | undefined {
  return (state as Partial<CommonState>).ending;
}

/** A player's name in the rules' state (bots have no join name; every game's state lists its `players` with names: {@link CommonState}). */
function nameInState(state: unknown, id: string): string {
  return (state as Partial<CommonState>).players?.find((p) => p.id === id)?.name ?? "";
}
