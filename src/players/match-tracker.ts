/**
 * Follows one room's games from start to end and turns each finished game into a
 * {@link MatchRecord}: a match id (fixed at the start, time-ordered, kept in the room's snapshot, so a
 * restored room records under the same id and the database keeps it once), the seats, the
 * placements and the complete action log with every die the rules drew.
 *
 * Placements come from the game's standing after each step: a player who drops out of
 * contention (Owe Drahn: out of lives) is placed behind everyone still in, and players who
 * drop out at one step share the place; a player who leaves or runs out of time is placed
 * last among those not yet placed; at the end the winners share first place and the rest
 * come next. Nothing here touches Colyseus or the database: the room feeds it, a sink takes
 * the records.
 */
import { v7 as timeOrderedId } from "uuid";
import type { Rng } from "../rules/rng.js";
import type { MatchRecord } from "./store.js";
import type { LoggedStep } from "../protocol/players.js";

/** Who is still in the running, and (once a game is over) who won; ids of seated players. */
export interface Standing {
  contenders: readonly string[];
  winners: readonly string[];
}

export type { LoggedStep };

/** What a running match carries across a takeover (part of the room's snapshot). */
export interface MatchProgress {
  id: string;
  startedAt: number;
  /** The players at the start, in seat order: their in-room id, their identity (null: none) and name. */
  seats: MatchSeat[];
  /** Placements decided so far, by in-room id. */
  placed: Record<string, number>;
  /** The rules' state when the game started (a replay starts from it). */
  initial: unknown;
  log: LoggedStep[];
}

export interface MatchSeat {
  id: string;
  userId: string | null;
  name: string;
}

export class MatchTracker {
  private match?: MatchProgress;

  constructor(
    private readonly game: string,
    private readonly sink: (record: MatchRecord) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The running match, for the snapshot; undefined between games. */
  progress(): MatchProgress | undefined {
    return this.match;
  }

  restore(progress: MatchProgress | undefined) {
    this.match = progress;
  }

  /** A game starts with these players, in seat order, from the rules' state `initial`. */
  start(seats: readonly MatchSeat[], initial: unknown) {
    // Time-ordered (UUID v7): a busy server's new matches land side by side in the database's indexes, not on a random page each.
    this.match = { id: timeOrderedId(), startedAt: this.now(), seats: seats.map((s) => ({ ...s })), placed: {}, initial, log: [] };
  }

  /** One accepted step: logged, and whoever dropped out of contention placed. */
  step(playerId: string, action: LoggedStep["action"], drawn: Drawn, standing: Standing) {
    const match = this.match;
    if (!match) return;
    const ids = match.seats.map((s) => s.id);
    const logged: LoggedStep = { t: this.now() - match.startedAt, seat: ids.indexOf(playerId), action };
    if (drawn.dice.length > 0) logged.dice = [...drawn.dice];
    if (drawn.other.length > 0) logged.rng = [...drawn.other];
    // Changed in place: the snapshot serializes the placements at each write and sends the log's new steps (src/ha/snapshot.ts).
    match.log.push(logged);
    const unplaced = ids.filter((id) => match.placed[id] === undefined);
    const contenders = new Set(standing.contenders);
    const stillIn = unplaced.filter((id) => contenders.has(id)).length;
    for (const id of unplaced) {
      if (contenders.has(id)) continue;
      // Leaving or running out of time: last of those not yet placed.
      const quit = id === playerId && (action.type === "leave" || action.type === "timeout");
      match.placed[id] = quit ? unplaced.length : stillIn + 1;
    }
  }

  /**
   * The game ended: its record goes to the sink, unless no seat has an identity (programs
   * and bots only: nothing to record). `final`: the rules' state it ended in (a replay must reach it); `fairness`: the revealed seeds of its dice. The log holds the seats' in-room ids (the steps name their actor by seat), the initial state, every step, the final state and the seeds.
   */
  end(standing: Standing, result: unknown, final: unknown, fairness?: unknown) {
    const match = this.match;
    this.match = undefined;
    if (!match) return;
    const winners = new Set(standing.winners);
    const players = match.seats.map(({ id, userId, name }, seat) => {
      const placement = match.placed[id] ?? (winners.has(id) ? 1 : Math.max(1, winners.size) + 1);
      return { seat, userId, name, placement };
    });
    // Ranks are dense from 1: with nobody winning (everyone left at once) the best present ranks first.
    const order = [...new Set(players.map((p) => p.placement))].sort((a, b) => a - b);
    for (const p of players) p.placement = order.indexOf(p.placement) + 1;
    if (!players.some((p) => p.userId !== null)) return;
    this.sink({ id: match.id, game: this.game, startedAt: match.startedAt, endedAt: this.now(), players, result, log: { seats: match.seats.map((s) => s.id), initial: match.initial, steps: match.log, final, ...(fairness ? { fairness } : {}) } });
  }
}

/** What the rules drew during one step: dice (`int(1, 6)`) and any other number, each in order. */
export interface Drawn {
  dice: readonly number[];
  other: readonly number[];
}

export const NOTHING_DRAWN: Drawn = { dice: [], other: [] };

/** Whether a draw is a die: the rules roll a die as `int(1, 6)` (src/rules/rng.ts `d6`) and draw nothing else in that range. */
export const isDie = (min: number, max: number) => min === 1 && max === 6;

/**
 * Wraps an RNG so the numbers it hands out during one step can be read back: the log keeps
 * them, so a replay (the same rules fed the same numbers) needs no seed.
 */
export function recordingRng(rng: Rng): { rng: Rng; take(): Drawn } {
  let dice: number[] = [];
  let other: number[] = [];
  return {
    rng: {
      int(min, max) {
        const value = rng.int(min, max);
        (isDie(min, max) ? dice : other).push(value);
        return value;
      },
      // Kept as the index it is, like any other draw (the step that starts a game is not logged
      // today: the log's initial state holds who is on turn; a replay's RNG, which has no
      // firstMover, would hand it back to int(0, seats - 1)).
      firstMover(seats) {
        const value = rng.firstMover ? rng.firstMover(seats) : rng.int(0, seats.length - 1);
        other.push(value);
        return value;
      },
    },
    take() {
      if (dice.length === 0 && other.length === 0) return NOTHING_DRAWN;
      const out = { dice, other };
      dice = [];
      other = [];
      return out;
    },
  };
}
