/**
 * What the base room saves and puts back (src/rooms/room-snapshot.ts), with its real parts:
 * a snapshot taken from one set of parts, restored into fresh ones, gives the same snapshot;
 * each seat is handed back with the end of its window.
 */
import assert from "node:assert/strict";
import { MapSchema } from "@colyseus/schema";
import { partsSnapshot, restoreParts, type SnapshotParts } from "../../src/rooms/room-snapshot.js";
import { RoomHistory } from "../../src/rooms/history.js";
import { ScheduledActions } from "../../src/rooms/scheduled.js";
import { SeatNames } from "../../src/rooms/seat-names.js";
import { AwaySeats } from "../../src/rooms/away-seats.js";
import { RoomTimers } from "../../src/rooms/timers.js";
import { GameRecords } from "../../src/rooms/game-records.js";
import { ticTacToe } from "../../src/games/tictactoe.js";
import { seededRng } from "../../src/rules/rng.js";
import type { Snapshot } from "../../src/ha/snapshot.js";

function parts(timers: RoomTimers): SnapshotParts {
  return {
    history: new RoomHistory(new MapSchema<string>()),
    scheduled: new ScheduledActions(timers, () => undefined),
    records: new GameRecords({ game: ticTacToe, rng: seededRng(1), fairDice: false, afterSaved: (fn) => fn(), nameOf: () => undefined }),
    names: new SeatNames(),
    away: new AwaySeats(() => 30_000),
  };
}

describe("The room's snapshot parts", () => {
  const timers = new RoomTimers((err) => {
    throw err;
  });
  after(() => timers.clearAll());

  it("a snapshot restored into fresh parts snapshots the same: names, away windows, identities, history, scheduled actions", () => {
    const now = Date.now();
    const a = parts(timers);
    a.names.set("p1", "Ada");
    a.names.set("p2", "Bob");
    a.records.seated("p1", "user-1");
    a.away.drop("p2", now + 12_000);
    a.history.newGame();
    a.history.add([{ kind: "move", who: "p1", data: { row: 1, col: 1 } }]);
    a.scheduled.at(now + 5_000, { type: "timeout" } as never);
    const saved = partsSnapshot(a, ["p1", "p2"]);
    assert.deepEqual(saved.seats, [
      { sessionId: "p1", name: "Ada", awayUntil: undefined, userId: "user-1" },
      { sessionId: "p2", name: "Bob", awayUntil: now + 12_000, userId: undefined },
    ]);
    assert.equal(saved.turn, null, "no turn clock: no running turn");

    const b = parts(timers);
    const handed: [string, number][] = [];
    const snapshot = { ...saved, seats: saved.seats.map((s) => ({ ...s, token: `token-${s.sessionId}` })) } as unknown as Snapshot;
    restoreParts(b, snapshot, now, 30_000, (seat, until) => handed.push([seat.sessionId, until]));
    assert.deepEqual(handed, [
      ["p1", now + 30_000],
      ["p2", now + 12_000],
    ], "a connected seat gets a full window from now, an away one keeps its end");
    const again = partsSnapshot(b, ["p1", "p2"]);
    assert.deepEqual({ ...again, seats: again.seats.map((s) => ({ ...s, awayUntil: undefined })) }, { ...saved, seats: saved.seats.map((s) => ({ ...s, awayUntil: undefined })) });
    assert.deepEqual(again.seats.map((s) => s.awayUntil), [now + 30_000, now + 12_000], "every restored seat is away until its window ends");
  });
});
