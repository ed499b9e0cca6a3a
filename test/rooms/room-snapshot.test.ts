/**
 * What the base room saves and puts back (src/rooms/room-snapshot.ts), with its real parts:
 * a snapshot taken from one set of parts, restored into fresh ones, gives the same snapshot;
 * each seat is handed back with the end of its window.
 */
import assert from "node:assert/strict";
import { MapSchema } from "@colyseus/schema";
import { partsSnapshot, restoreParts, RoomSnapshot, type SnapshotParts } from "../../src/rooms/room-snapshot.js";
import pino from "pino";
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

  it("the room's snapshot holds who the room is and its game as of now; restored, each seat is held for the seconds left in its window, and a line says where it came from", () => {
    const a = parts(timers);
    a.names.set("p1", "Ada");
    let game = { board: ["x", "", ""] };
    const room = { roomId: "r1", roomName: "tictactoe", options: { turnSeconds: 20 }, host: "h1", game: () => game, seated: () => ["p1"] };
    const saving = new RoomSnapshot(room, a);
    const first = saving.body();
    assert.deepEqual(
      { roomId: first.roomId, roomName: first.roomName, options: first.options, host: first.host, game: first.game, seats: first.seats.map((s) => s.name) },
      { roomId: "r1", roomName: "tictactoe", options: { turnSeconds: 20 }, host: "h1", game: { board: ["x", "", ""] }, seats: ["Ada"] },
    );
    assert.equal(new RoomSnapshot({ ...room, seated: () => ["p1", "bot-1"] }, a).body().seats[1]!.name, "", "a seat without a name (a bot's) is saved with none");
    game = { board: ["x", "o", ""] };
    assert.deepEqual(saving.body().game, game, "the game as it is when the body is read, not when the room was made");

    const now = Date.now();
    const snapshot = { ...first, seats: [{ ...first.seats[0], token: "t1" }, { sessionId: "p2", name: "Bob", awayUntil: now + 12_000, token: "t2" }], savedAt: now - 700 } as unknown as Snapshot;
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const held: [string, string, number][] = [];
    const b = parts(timers);
    new RoomSnapshot({ ...room, seated: () => ["p1", "p2"] }, b).restore({ snapshot, epoch: 2, from: "proc-a" }, 30_000, log, (seat, seconds) => held.push([seat.sessionId, seat.token, seconds]));
    assert.deepEqual(held.map(([id, token]) => [id, token]), [["p1", "t1"], ["p2", "t2"]]);
    assert.ok(Math.abs(held[0]![2] - 30) < 0.5, `a connected seat is held a full window: ${held[0]![2]} s`);
    assert.ok(Math.abs(held[1]![2] - 12) < 0.5, `an away seat keeps what was left of its window: ${held[1]![2]} s`);
    assert.deepEqual([b.names.get("p1"), b.names.get("p2")], ["Ada", "Bob"]);
    const line = lines.find((l) => l.msg === "room restored from its snapshot");
    assert.ok(line, "the restore is logged");
    assert.equal(line.from, "proc-a");
    assert.equal(line.seats, 2);
    assert.ok((line.savedMsAgo as number) >= 700 && (line.savedMsAgo as number) < 5000, `how old the snapshot was: ${line.savedMsAgo}`);
  });
});
