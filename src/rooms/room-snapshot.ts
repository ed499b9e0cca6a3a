/**
 * What the base room saves for high availability and puts back when it is restored on
 * another process ({@link RoomSnapshot}): who the room is (its id, name, create options,
 * host), the game itself, and its parts (history, turn clock, scheduled actions, game
 * records, seat names, away seats), gathered into one snapshot body and spread back from
 * one. The room adds what a restored seat needs from it (the rate limit, the held seat).
 */
import type { Logger } from "../logger.js";
import type { RoomSnapshotBody } from "../ha/room-failover.js";
import type { RestoreOption } from "../ha/takeover.js";
import type { Snapshot } from "../ha/snapshot.js";
import type { AwaySeats } from "./away-seats.js";
import type { GameRecords } from "./game-records.js";
import type { RoomHistory } from "./history.js";
import type { ScheduledActions } from "./scheduled.js";
import type { SeatNames } from "./seat-names.js";
import type { TurnClock } from "./turn-clock.js";

export interface SnapshotParts {
  history: RoomHistory;
  turnClock?: TurnClock;
  scheduled: ScheduledActions;
  records: GameRecords;
  names: SeatNames;
  away: AwaySeats;
}

/** The room as its snapshot keeps it: who it is, and its game as of now. */
export interface SnapshotRoom {
  roomId: string;
  roomName: string;
  /** The create options, as validated. */
  options: Record<string, unknown>;
  /** Listing key of the creator's address. */
  host: string;
  /** The rules' state. */
  game(): object;
  /** The seated players, in seat order. */
  seated(): readonly string[];
}

/** A restored seat: who sat there, the token they hold, and how long it is held for them. */
export type RestoredSeat = Snapshot["seats"][number];

/** The room's snapshot: written from the room and its parts, put back into them on another process. */
export class RoomSnapshot {
  constructor(
    private readonly room: SnapshotRoom,
    private readonly parts: SnapshotParts,
  ) {}

  /** What another process needs to take the game over; the seats' tokens are added by the failover part (src/ha/room-failover.ts). */
  body(): RoomSnapshotBody {
    const { roomId, roomName, options, host } = this.room;
    return { roomId, roomName, options, host, game: this.room.game(), ...partsSnapshot(this.parts, this.room.seated()) };
  }

  /**
   * Puts the parts back from the snapshot of a process that died (the game itself the room
   * started from): names, history, timers and records as they were. Every seated player
   * counts as away until they are back: `hold` is called for each seat with the seconds left
   * in its window (a full window for a player who was connected).
   */
  restore({ snapshot, from }: RestoreOption, reconnectMs: number, log: Logger, hold: (seat: RestoredSeat, seconds: number) => void): void {
    const now = Date.now();
    restoreParts(this.parts, snapshot, now, reconnectMs, (seat, until) => hold(seat, (until - now) / 1000));
    log.info({ from, seats: snapshot.seats.length, savedMsAgo: now - snapshot.savedAt }, "room restored from its snapshot");
  }
}

/** The parts' share of the snapshot: the seated players (in seat order), timers, history and records. */
export function partsSnapshot(parts: SnapshotParts, seated: readonly string[]): Pick<RoomSnapshotBody, "seats" | "turn" | "scheduled" | "history" | "match" | "fairness"> {
  return {
    seats: seated.map((id) => ({ sessionId: id, name: parts.names.get(id) ?? "", awayUntil: parts.away.endOf(id), userId: parts.records.userIdOf(id) })),
    turn: parts.turnClock?.running() ?? null,
    scheduled: parts.scheduled.list(),
    history: parts.history.snapshot(),
    ...parts.records.snapshot(),
  };
}

/**
 * Puts the parts back as the snapshot had them: history, the turn timer at its deadline,
 * the scheduled actions, the records, and every seat's name, away until its saved window
 * ends (or a full window from `now`). `seat` is called for each seat with that end.
 */
export function restoreParts(parts: SnapshotParts, snapshot: Snapshot, now: number, reconnectMs: number, seat: (seat: RestoredSeat, until: number) => void): void {
  parts.history.restore(snapshot.history);
  parts.turnClock?.restore(snapshot.turn);
  for (const { due, action } of snapshot.scheduled) parts.scheduled.at(due, action);
  parts.records.restore(snapshot);
  for (const saved of snapshot.seats) {
    const until = saved.awayUntil ?? now + reconnectMs;
    parts.names.set(saved.sessionId, saved.name);
    parts.away.drop(saved.sessionId, until);
    seat(saved, until);
  }
}
