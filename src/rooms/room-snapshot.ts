/**
 * What the base room saves for high availability and puts back when it is restored on
 * another process: its parts (history, turn clock, scheduled actions, game records, seat
 * names, away seats) gathered into one snapshot body, and spread back from one. The room
 * adds what only it knows (its id, options, the game itself) and what a restored seat
 * needs from it (the rate limit, the reconnection window).
 */
import type { RoomSnapshotBody } from "../ha/room-failover.js";
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
export function restoreParts(parts: SnapshotParts, snapshot: Snapshot, now: number, reconnectMs: number, seat: (seat: Snapshot["seats"][number], until: number) => void): void {
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
