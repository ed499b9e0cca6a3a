/**
 * A room's output with and without high availability (src/ha/room-failover.ts), on a fake
 * room and a fake snapshot service whose writes the test answers by hand: what reaches the
 * clients and when, what the snapshot holds, and how a superseded copy closes.
 */
import assert from "node:assert/strict";
import { ClientState, matchMaker, Protocol, type Client, type Room } from "@colyseus/core";
import pino from "pino";
import type { SaveResult } from "../../src/ha/gate.js";
import { directOutput, RoomFailover, type RoomSnapshotBody } from "../../src/ha/room-failover.js";
import { joinAckWaiting } from "../../src/ha/room-seats.js";
import type { RoomSnapshots, SnapshotBody, SnapshotRoom } from "../../src/ha/service.js";
import type { Logger } from "../../src/logger.js";
import { CLOSE_ROOM_MOVED } from "../../src/protocol/errors.js";
import { lineLogger, type LogLine } from "../helpers/log-lines.js";

const tick = () => new Promise((r) => setImmediate(r));
const silent = pino({ level: "silent" });

/** The parts of a Colyseus room that RoomFailover and src/ha/room-seats.ts touch. */
function fakeRoom(roomId = "room-1") {
  const sent: string[] = [];
  const disconnects: number[] = [];
  const reconnections: { client: Client; seconds: number; resolve: (c: Client) => void; reject: (reason: unknown) => void }[] = [];
  const room = {
    roomId,
    /** Colyseus's frame handler: records which frame of which client it handled, and when (among `sent`). */
    _onMessage(client: Client, buffer: Buffer) {
      sent.push(`frame ${buffer[0]} of ${client.sessionId}`);
    },
    clients: [] as Client[],
    _listing: { roomId, clients: 0 } as { roomId?: string; clients: number },
    broadcastPatch() {
      sent.push("patch");
      return true;
    },
    disconnect(code: number) {
      disconnects.push(code);
      return Promise.resolve();
    },
    /** Colyseus's pending reconnections, by the token that takes each back. */
    _reconnections: {} as Record<string, [string, { promise: Promise<Client> }]>,
    allowReconnection(client: Client, seconds: number) {
      const promise = new Promise<Client>((resolve, reject) => reconnections.push({ client, seconds, resolve, reject }));
      room._reconnections[client.reconnectionToken] = [client.sessionId, { promise }];
      return promise;
    },
  };
  return { room, asRoom: room as unknown as Room, sent, disconnects, reconnections, patches: () => sent.filter((s) => s === "patch").length };
}

/** A snapshot service whose writes stay pending until the test answers them. */
function fakeService() {
  const writes: { body: SnapshotBody; answer: (r: SaveResult) => void }[] = [];
  const attached: { room: SnapshotRoom; epoch: number }[] = [];
  const calls = { end: 0, detach: 0, handOff: 0 };
  /** What canHandOff() answers (Redis answers), and findTaker() (another process could take the game over). */
  const takers = { can: true, found: true };
  return {
    writes,
    attached,
    calls,
    takers,
    attach(room: SnapshotRoom, epoch: number): RoomSnapshots {
      attached.push({ room, epoch });
      return {
        // The room's state read when the write is made (the real service reads it when the call goes out: see "read late" below).
        write: (read, answer) => void writes.push({ body: read(), answer }),
        end: () => void calls.end++,
        detach: () => void calls.detach++,
        canHandOff: () => takers.can,
        findTaker: () => Promise.resolve(takers.found),
        handOff: () => void calls.handOff++,
      };
    },
  };
}

/** The room's snapshot as it knows it: seats without tokens, `game.n` the state a write holds. */
function roomState(roomId = "room-1") {
  const state = {
    n: 0,
    seats: [] as { sessionId: string; name: string; awayUntil?: number }[],
  };
  const body = (): RoomSnapshotBody => ({
    roomId,
    roomName: "tictactoe",
    options: { mode: "casual" },
    host: "host-key",
    game: { n: state.n },
    seats: state.seats.map((s) => ({ ...s })),
    turn: null,
    scheduled: [],
    history: { seq: state.n, game: 0, entries: [] },
  });
  return { state, body };
}

function setup(epoch = 0, log: Logger = silent) {
  const room = fakeRoom();
  const service = fakeService();
  const state = roomState(room.room.roomId);
  const failover = new RoomFailover(room.asRoom, service, epoch, state.body, log);
  return { ...room, service, ...state, failover };
}

const seatsOf = (body: SnapshotBody) => body.seats.map((s) => [s.sessionId, s.token]);

describe("directOutput (src/ha/room-failover.ts): a single process", () => {
  it("changed() sends the patch at once, then(fn) runs fn at once, and it is never superseded", () => {
    const { asRoom, sent, patches } = fakeRoom();
    const out = directOutput(asRoom);
    out.changed();
    assert.equal(patches(), 1, "the patch goes out synchronously");
    out.then(() => sent.push("event"));
    assert.deepEqual([...sent], ["patch", "event"], "fn runs synchronously");
    assert.equal(out.superseded, false);
    out.seated("a", "token-a");
    out.reconnected("a", "token-a2");
    out.unseated("a");
    out.dispose();
    assert.deepEqual([...sent], ["patch", "event"], "seats and disposal send nothing");
  });

  it("afterSaved(fn) runs fn at once (a finished match is recorded at its end, not when the room closes), saved() resolves at once, and a dropped player holds the token their connection had", async () => {
    const out = directOutput(fakeRoom().asRoom);
    const ran: string[] = [];
    out.afterSaved(() => ran.push("after saved"));
    assert.deepEqual(ran, ["after saved"], "synchronously");
    await out.saved();
    out.seated("a", "token-a");
    out.reconnected("a", "token-a2");
    assert.equal(out.heldToken("a", "token-a2"), "token-a2");
  });
});

describe("RoomFailover (src/ha/room-failover.ts): snapshot before acknowledging", () => {
  let ccuBefore: number;
  beforeEach(() => (ccuBefore = matchMaker.stats.local.ccu));
  afterEach(() => (matchMaker.stats.local.ccu = ccuBefore));

  it("attaches itself to the service under the room's id, at the epoch it was given", () => {
    const { service } = setup(7);
    assert.equal(service.attached.length, 1);
    assert.equal(service.attached[0]!.room.roomId, "room-1");
    assert.equal(service.attached[0]!.epoch, 7);
  });

  it("changed() sends no patch until the write is answered 'saved', then exactly one", async () => {
    const { failover, service, patches } = setup();
    failover.changed();
    await tick();
    assert.equal(service.writes.length, 1, "the change is written");
    assert.equal(patches(), 0, "nothing goes out before the write completes");
    service.writes[0]!.answer("saved");
    await tick();
    assert.equal(patches(), 1);
    await tick();
    assert.equal(patches(), 1, "once");
    assert.equal(service.writes.length, 1, "no further write");
  });

  it("a write answered 'skipped' (Redis unreachable) still lets the patch out", async () => {
    const { failover, service, patches } = setup();
    failover.changed();
    service.writes[0]!.answer("skipped");
    await tick();
    assert.equal(patches(), 1);
    assert.equal(failover.superseded, false);
  });

  it("then(fn) behind a pending write runs after that write's patch, in order; with nothing pending it runs at once", async () => {
    const { failover, service, sent } = setup();
    failover.changed();
    failover.then(() => sent.push("event 1"));
    failover.then(() => sent.push("event 2"));
    await tick();
    assert.deepEqual([...sent], [], "events wait behind the write");
    service.writes[0]!.answer("saved");
    await tick();
    assert.deepEqual([...sent], ["patch", "event 1", "event 2"]);
    failover.then(() => sent.push("event 3"));
    assert.deepEqual([...sent], ["patch", "event 1", "event 2", "event 3"], "no write pending: runs synchronously");
  });

  it("changes made during a write are written together by one more write, then one patch goes out", async () => {
    const { failover, service, state, patches } = setup();
    state.n = 1;
    failover.changed();
    state.n = 2;
    failover.changed();
    state.n = 3;
    failover.changed();
    await tick();
    assert.equal(service.writes.length, 1, "writes never overlap");
    assert.deepEqual(service.writes[0]!.body.game, { n: 1 });
    service.writes[0]!.answer("saved");
    await tick();
    assert.equal(patches(), 0, "the latest changes are not written yet");
    assert.equal(service.writes.length, 2, "one more write for both later changes");
    assert.deepEqual(service.writes[1]!.body.game, { n: 3 }, "it holds the latest state");
    service.writes[1]!.answer("saved");
    await tick();
    assert.equal(patches(), 1, "one patch for all three changes");
    assert.equal(service.writes.length, 2);
  });

  it("read late: the room's state is read when its write goes out, so changes made before that share the write; a change after it gets a write of its own", async () => {
    const room = fakeRoom();
    const { state, body } = roomState();
    const pending: { read: () => SnapshotBody; answer: (r: SaveResult) => void }[] = [];
    const service = {
      attach: (): RoomSnapshots => ({ write: (read, answer) => void pending.push({ read, answer }), end: () => undefined, detach: () => undefined, canHandOff: () => false, findTaker: () => Promise.resolve(false), handOff: () => undefined }),
    };
    const failover = new RoomFailover(room.asRoom, service, 0, body, silent);
    state.n = 1;
    failover.changed();
    state.n = 2;
    failover.changed();
    await tick();
    assert.equal(pending.length, 1, "one write asked for");
    assert.deepEqual(pending[0]!.read().game, { n: 2 }, "read when it goes out: both changes are in it");
    pending[0]!.answer("saved");
    await tick();
    assert.equal(room.patches(), 1, "its patch goes out");
    assert.equal(pending.length, 1, "no second write: nothing changed after the read");

    state.n = 3;
    failover.changed();
    await tick();
    assert.deepEqual(pending[1]!.read().game, { n: 3 });
    state.n = 4;
    failover.changed(); // after the read: not in that write
    pending[1]!.answer("saved");
    await tick();
    assert.equal(room.patches(), 1, "the change made after the read is not written yet: no patch");
    assert.equal(pending.length, 3);
    assert.deepEqual(pending[2]!.read().game, { n: 4 });
    pending[2]!.answer("saved");
    await tick();
    assert.equal(room.patches(), 2);
    assert.equal(pending.length, 3, "no further write");
  });

  it("the written body holds each seated player's token (and the room's other fields as given); a seat with no token is left out", async () => {
    const { failover, service, state } = setup();
    state.seats = [
      { sessionId: "a", name: "Ann" },
      { sessionId: "b", name: "Bob", awayUntil: 12345 },
      { sessionId: "c", name: "Cid" },
    ];
    failover.seated("a", "token-a");
    failover.seated("b", "token-b");
    await tick();
    assert.equal(service.writes.length, 0, "taking a seat writes nothing by itself");
    failover.changed();
    const { body } = service.writes[0]!;
    assert.deepEqual(seatsOf(body), [
      ["a", "token-a"],
      ["b", "token-b"],
    ]);
    assert.deepEqual(
      body.seats.map((s) => [s.name, s.awayUntil]),
      [
        ["Ann", undefined],
        ["Bob", 12345],
      ],
      "name and awayUntil are kept",
    );
    assert.equal(body.roomId, "room-1");
    assert.equal(body.roomName, "tictactoe");
    assert.deepEqual(body.options, { mode: "casual" });
  });

  it("a player who was unseated is left out of the next body, even while the room still lists their seat", async () => {
    const { failover, service, state } = setup();
    state.seats = [
      { sessionId: "a", name: "Ann" },
      { sessionId: "b", name: "Bob" },
    ];
    failover.seated("a", "token-a");
    failover.seated("b", "token-b");
    failover.unseated("a");
    failover.changed();
    assert.deepEqual(seatsOf(service.writes[0]!.body), [["b", "token-b"]]);
  });

  it("reconnected() for a seated player writes their new token at once (a write of its own)", async () => {
    const { failover, service, state, patches } = setup();
    state.seats = [{ sessionId: "a", name: "Ann" }];
    failover.seated("a", "token-a");
    failover.reconnected("a", "token-a2");
    assert.equal(service.writes.length, 1, "the new token is written without any other change");
    assert.deepEqual(seatsOf(service.writes[0]!.body), [["a", "token-a2"]]);
    assert.equal(service.writes[0]!.body.seats[0]!.also, undefined, "it came back with no other token: none is named");
    service.writes[0]!.answer("saved");
    await tick();
    assert.equal(patches(), 1);
  });

  it("a reconnection dropped before its new token was sent: the body names the token the player still holds once, as the seat's token, not again among the others", async () => {
    const { failover, service, state } = setup();
    state.seats = [{ sessionId: "a", name: "Ann" }];
    failover.seated("a", "token-a");
    // Back with token-a or token-a0 (a seat held under both), the join not acknowledged yet.
    failover.reconnected("a", "token-a2", ["token-a", "token-a0"]);
    assert.equal(failover.heldToken("a", "token-a2"), "token-a");
    for (let answered = 0; answered < service.writes.length; answered++) {
      service.writes[answered]!.answer("saved");
      await tick();
    }
    assert.deepEqual(service.writes.at(-1)!.body.seats.map((s) => [s.token, s.also]), [["token-a", ["token-a0"]]]);
  });

  it("reconnected twice before either new token was sent: a drop holds the seat under the token the player still has (their first); once a token is sent, under that one", async () => {
    const { failover, service, state } = setup();
    state.seats = [{ sessionId: "a", name: "Ann" }];
    failover.seated("a", "token-1");
    failover.reconnected("a", "token-2"); // that connection dropped before token-2 reached it
    failover.reconnected("a", "token-3"); // so did this one
    assert.equal(failover.heldToken("a", "token-3"), "token-1");
    // The writes asked meanwhile go out one after another; the last one holds the seat under token-1 again.
    for (let answered = 0; answered < service.writes.length; answered++) {
      service.writes[answered]!.answer("saved");
      await tick();
    }
    assert.deepEqual(seatsOf(service.writes.at(-1)!.body), [["a", "token-1"]]);
    // Back with token-1, and this time the new token reaches the player.
    failover.reconnected("a", "token-4");
    failover.tokenSent("a");
    assert.equal(failover.heldToken("a", "token-4"), "token-4");
    // A seat given up forgets what was unsent.
    failover.reconnected("a", "token-5");
    failover.unseated("a");
    assert.equal(failover.heldToken("a", "token-6"), "token-6");
  });

  it("heldAlso(): the other tokens a dropped player's seat is held under are in the next body, until the player is back or gone; none, nothing written", async () => {
    const { failover, service, state, room } = setup();
    state.seats = [
      { sessionId: "a", name: "Ann" },
      { sessionId: "b", name: "Bob" },
    ];
    failover.seated("a", "token-a");
    failover.seated("b", "token-b");
    failover.heldAlso("b", []);
    assert.equal(service.writes.length, 0, "no other token: nothing to write");
    failover.heldAlso("a", ["token-a0"]);
    assert.equal(service.writes.length, 1);
    assert.deepEqual(service.writes[0]!.body.seats.map((s) => s.also), [["token-a0"], undefined]);
    service.writes[0]!.answer("saved");
    await tick();
    // Back, the join not acknowledged yet: the player may still hold either earlier token (a crash now restores the seat under all three).
    failover.reconnected("a", "token-a2", ["token-a", "token-a0"]);
    assert.deepEqual(service.writes[1]!.body.seats.map((s) => [s.token, s.also]), [["token-a2", ["token-a", "token-a0"]], ["token-b", undefined]]);
    room._onMessage({ sessionId: "a", state: ClientState.JOINING } as unknown as Client, Buffer.from([Protocol.JOIN_ROOM]));
    service.writes[1]!.answer("saved");
    await tick();
    assert.deepEqual(service.writes[2]!.body.seats.map((s) => s.also), [undefined, undefined], "acknowledged: the new token is the one that counts");
    service.writes[2]!.answer("saved");
    await tick();
    failover.heldAlso("b", ["token-b0", "token-bx"]);
    failover.unseated("b");
    state.seats = [{ sessionId: "a", name: "Ann" }];
    service.writes[3]!.answer("saved");
    await tick();
    failover.changed();
    assert.deepEqual(service.writes.at(-1)!.body.seats.map((s) => [s.sessionId, s.also]), [["a", undefined]], "a seat given up forgets them");
  });

  it("reconnected() for a session that holds no seat does nothing: no write, no token", async () => {
    const { failover, service, state } = setup();
    state.seats = [
      { sessionId: "a", name: "Ann" },
      { sessionId: "ghost", name: "Gus" },
    ];
    failover.seated("a", "token-a");
    failover.reconnected("ghost", "token-ghost");
    await tick();
    assert.equal(service.writes.length, 0, "no write");
    failover.changed();
    assert.deepEqual(seatsOf(service.writes[0]!.body), [["a", "token-a"]], "the unknown session got no seat");
  });

  it("a write answered 'superseded' closes this copy: no patch, CLOSE_ROOM_MOVED, listing row detached, snapshot handle detached", async () => {
    const { failover, service, room, sent, disconnects } = setup();
    failover.changed();
    failover.then(() => sent.push("event"));
    assert.equal(failover.superseded, false);
    service.writes[0]!.answer("superseded");
    await tick();
    assert.deepEqual([...sent], [], "neither the patch nor the queued event goes out");
    assert.deepEqual([...disconnects], [CLOSE_ROOM_MOVED]);
    assert.notEqual(room._listing.roomId, "room-1", "the listing row is the live copy's: this one must not remove it");
    assert.equal(failover.superseded, true);
    assert.equal(service.calls.detach, 1);
    assert.equal(service.calls.end, 0, "the live copy's snapshot is left alone");
  });

  it("once superseded nothing more is written or sent, and dispose() detaches instead of ending the snapshot", async () => {
    const { failover, service, state, sent, disconnects } = setup();
    state.seats = [{ sessionId: "a", name: "Ann" }];
    failover.seated("a", "token-a");
    failover.changed();
    service.writes[0]!.answer("superseded");
    await tick();
    failover.changed();
    failover.then(() => sent.push("late event"));
    failover.reconnected("a", "token-a2");
    failover.resave();
    failover.supersede();
    await tick();
    assert.deepEqual([...sent], [], "nothing is sent");
    assert.equal(service.writes.length, 1, "nothing more is written");
    assert.deepEqual([...disconnects], [CLOSE_ROOM_MOVED], "closed once");
    const detachBefore = service.calls.detach;
    failover.dispose();
    assert.equal(service.calls.detach, detachBefore + 1, "dispose() detaches");
    assert.equal(service.calls.end, 0, "and does not delete the live copy's snapshot");
  });

  it("a write still in flight when the room ended, answered 'superseded' (its snapshot was deleted meanwhile), closes nothing and logs nothing", async () => {
    const { failover, service, disconnects, room } = setup();
    failover.changed();
    failover.dispose();
    service.writes[0]!.answer("superseded");
    await tick();
    assert.deepEqual([...disconnects], [], "no 4412 for a room that ended");
    assert.equal(room._listing.roomId, "room-1", "its listing row is not detached");
    assert.equal(service.calls.end, 1);
    assert.equal(service.calls.detach, 0);
  });

  it("handOff() at the drain's end: once the pending write and its patch are out, the players are closed with CLOSE_ROOM_MOVED and the snapshot is left for a survivor (handed off, never ended); nothing more is sent", async () => {
    const { failover, service, room, sent, disconnects } = setup();
    failover.changed();
    let cutOff = 0;
    assert.equal(failover.handOff(() => cutOff++), true);
    await tick();
    assert.deepEqual([...disconnects], [], "not before what the players were shown is saved");
    assert.equal(failover.superseded, false);
    service.writes[0]!.answer("saved");
    await tick();
    assert.deepEqual([...sent], ["patch"], "the pending patch goes out first");
    assert.deepEqual([...disconnects], [CLOSE_ROOM_MOVED]);
    assert.equal(failover.superseded, true, "its clients' leaves change nothing now");
    assert.equal(service.calls.handOff, 1);
    assert.equal(room._listing.roomId, "room-1", "its listing row goes with it as the room closes (the survivor writes its own)");
    failover.changed();
    failover.dispose();
    await tick();
    assert.equal(service.writes.length, 1, "nothing more is written");
    assert.equal(service.calls.end, 0, "dispose() does not delete the snapshot the survivor restores");
    assert.equal(cutOff, 0);
    assert.equal(failover.handOff(() => cutOff++), false, "once only");
  });

  it("handOff() with Redis away: false, nothing done; with no process to take the game (none runs, or every other one drains): cut off; when Redis fails while the last write is pending: cut off", async () => {
    const { failover, service, disconnects } = setup();
    service.takers.can = false;
    let cutOff = 0;
    assert.equal(failover.handOff(() => cutOff++), false);
    assert.equal(service.calls.handOff, 0);

    service.takers.can = true;
    service.takers.found = false;
    assert.equal(failover.handOff(() => cutOff++), true);
    await tick();
    assert.equal(cutOff, 1, "nobody to take it: cut off, as without high availability");
    assert.deepEqual([...disconnects], [], "the room closes its own way");

    service.takers.found = true;
    failover.changed();
    assert.equal(failover.handOff(() => cutOff++), true);
    await tick();
    service.takers.can = false; // Redis failed: the write is answered "skipped", the snapshot lacks the move shown
    service.writes[0]!.answer("skipped");
    await tick();
    assert.equal(cutOff, 2, "cut off");
    assert.deepEqual([...disconnects], []);
    assert.equal(service.calls.handOff, 0);
    assert.equal(failover.superseded, false);
  });

  it("handOff() on a copy that is closing (superseded) or gone (disposed), each alone: false, nothing done; a copy disposed while the hand-over waits hands nothing over and cuts nothing off", async () => {
    const superseded = setup();
    superseded.failover.supersede();
    let cutOff = 0;
    assert.equal(superseded.failover.handOff(() => cutOff++), false, "superseded");
    const disposed = setup();
    disposed.failover.dispose();
    assert.equal(disposed.failover.handOff(() => cutOff++), false, "disposed");
    await tick();
    assert.equal(cutOff, 0);
    assert.equal(superseded.service.calls.handOff + disposed.service.calls.handOff, 0);

    // Disposed while asking Redis for a process to take it, which finds none: not cut off (the room is gone already).
    const asking = setup();
    asking.service.takers.found = false;
    assert.equal(asking.failover.handOff(() => cutOff++), true);
    asking.failover.dispose();
    await tick();
    assert.equal(cutOff, 0, "nothing to cut off");

    // Disposed while the hand-over waits for the last write: the write lands, and nothing is handed over.
    const waiting = setup();
    waiting.failover.changed();
    assert.equal(waiting.failover.handOff(() => cutOff++), true);
    await tick();
    waiting.failover.dispose();
    waiting.service.writes[0]!.answer("saved");
    await tick();
    assert.equal(waiting.service.calls.handOff, 0, "no hand-over");
    assert.deepEqual([...waiting.disconnects], [], "no players sent on");
    assert.equal(cutOff, 0);
  });

  it("afterSaved(fn) runs fn once a write holding the state as it is now is answered 'saved', not before", async () => {
    const { failover, service } = setup();
    const ran: string[] = [];
    failover.changed();
    failover.afterSaved(() => ran.push("saved"));
    await tick();
    assert.deepEqual(ran, [], "the write is pending");
    service.writes[0]!.answer("saved");
    await tick();
    assert.deepEqual(ran, ["saved"]);
  });

  it("an operator reads why a copy closes, and how many players it sent on: taken over while stalled (a warning), or handed over at the drain's end", async () => {
    const lines: LogLine[] = [];
    const stalled = setup(0, lineLogger(lines));
    stalled.room.clients = [{ sessionId: "a" }, { sessionId: "b" }] as unknown as Client[];
    stalled.failover.supersede();
    const handed = setup(0, lineLogger(lines));
    handed.room.clients = [{ sessionId: "c" }] as unknown as Client[];
    assert.equal(handed.failover.handOff(() => undefined), true);
    await tick();
    await tick();
    const closing = lines.filter((l) => l.msg.includes("taken over") || l.msg.includes("handed over"));
    assert.deepEqual(
      closing.map((l) => [l.level, l.msg, l.fields.clients]),
      [
        ["warn", "room taken over by another process while this one was stalled; closing this copy", 2],
        ["info", "drain time is over; the game still running is handed over to another process", 1],
      ],
    );
  });

  it("a room disposed normally ends its snapshot (deletes it), not detaches it", () => {
    const { failover, service } = setup();
    failover.dispose();
    assert.equal(service.calls.end, 1);
    assert.equal(service.calls.detach, 0);
  });

  it("resave() writes the snapshot again and sends the patch after it", async () => {
    const { failover, service, patches } = setup();
    failover.changed();
    service.writes[0]!.answer("saved");
    await tick();
    assert.equal(patches(), 1);
    failover.resave();
    assert.equal(service.writes.length, 2, "written again");
    service.writes[1]!.answer("saved");
    await tick();
    assert.equal(patches(), 2);
  });

  it("resave() on a superseded copy writes nothing", async () => {
    const { failover, service } = setup();
    failover.supersede();
    assert.equal(failover.superseded, true);
    failover.resave();
    await tick();
    assert.equal(service.writes.length, 0);
  });

  it("saved() resolves once a write that read the state as it is now is answered, at once with nothing pending; it rejects if the copy is superseded or disposed first", async () => {
    const { failover, service } = setup();
    await failover.saved(); // nothing pending
    failover.changed();
    let settled: string | undefined;
    void failover.saved().then(
      () => (settled = "saved"),
      () => (settled = "refused"),
    );
    await tick();
    assert.equal(settled, undefined, "waits for the write");
    service.writes[0]!.answer("saved");
    await tick();
    assert.equal(settled, "saved");

    failover.changed();
    const superseded = failover.saved();
    await tick();
    service.writes[1]!.answer("superseded");
    await assert.rejects(superseded, /closing/, "taken over first: refused");
    await assert.rejects(failover.saved(), /closing/, "and every later wait at once");

    const other = setup();
    other.failover.changed();
    const disposed = other.failover.saved();
    other.failover.dispose();
    await assert.rejects(disposed, /closing/, "the room closed first: refused");
  });

  it("a joining client's acknowledgement (after which Colyseus sends it the whole state) waits for the pending write and its patch; other frames, and a client that left meanwhile, do not", async () => {
    const { room, asRoom, failover, service, sent } = setup();
    const handle = (room as unknown as { _onMessage(client: Client, buffer: Buffer): void })._onMessage.bind(asRoom);
    const joining = { sessionId: "j", state: ClientState.JOINING } as unknown as Client;
    const gone = { sessionId: "g", state: ClientState.JOINING } as unknown as Client;
    handle(joining, Buffer.from([Protocol.JOIN_ROOM]));
    assert.deepEqual([...sent], [`frame ${Protocol.JOIN_ROOM} of j`], "nothing pending: at once");
    sent.length = 0;

    failover.changed();
    await tick();
    handle(joining, Buffer.from([Protocol.JOIN_ROOM]));
    handle(gone, Buffer.from([Protocol.JOIN_ROOM]));
    handle(joining, Buffer.from([Protocol.PING]));
    assert.deepEqual([...sent], [`frame ${Protocol.PING} of j`], "a ping goes on; the acknowledgements wait");
    assert.equal(joinAckWaiting(joining), true, "meanwhile the client counts as having acknowledged (its join-ack deadline does not cut it)");
    (gone as unknown as { state: ClientState }).state = ClientState.LEAVING;
    service.writes[0]!.answer("saved");
    await tick();
    assert.deepEqual([...sent], [`frame ${Protocol.PING} of j`, "patch", `frame ${Protocol.JOIN_ROOM} of j`], "after the write's patch; the client that left is not handled");
    assert.equal(joinAckWaiting(joining), false);
  });

  it("hold(): the held token is in the next body, the seat counts as a client, and expiry undoes the count and reports a stand-in", async () => {
    const { failover, service, state, room, reconnections } = setup(3);
    state.seats = [{ sessionId: "a", name: "Ann" }];
    const expired: Client[] = [];
    failover.hold("a", "old-token-a", [], 30, (standIn) => expired.push(standIn));
    assert.equal(room._listing.clients, 1, "the listing counts the held seat");
    assert.equal(matchMaker.stats.local.ccu, ccuBefore + 1, "so does the process's client count");
    assert.equal(reconnections.length, 1, "Colyseus's reconnection window is opened");
    assert.equal(reconnections[0]!.client.sessionId, "a");
    assert.equal(reconnections[0]!.client.reconnectionToken, "old-token-a");
    assert.equal(reconnections[0]!.seconds, 30);

    failover.changed();
    assert.deepEqual(seatsOf(service.writes[0]!.body), [["a", "old-token-a"]]);
    service.writes[0]!.answer("saved");
    await tick();

    reconnections[0]!.reject(false); // nobody came back in time
    await tick();
    assert.equal(room._listing.clients, 0, "the count is undone");
    assert.equal(matchMaker.stats.local.ccu, ccuBefore);
    assert.equal(expired.length, 1);
    assert.equal(expired[0]!.sessionId, "a");
  });

  it("hold() with other tokens (a seat held so on the dead process): whoever presents any of them takes the seat back, the next body holds them, and they go with the hold", async () => {
    const { failover, service, state, room, reconnections } = setup(3);
    state.seats = [{ sessionId: "a", name: "Ann" }];
    failover.hold("a", "token-a", ["token-a0", "token-a1"], 30, () => undefined);
    assert.deepEqual(Object.keys(room._reconnections).sort(), ["token-a", "token-a0", "token-a1"]);
    for (const alias of ["token-a0", "token-a1"]) assert.equal(room._reconnections[alias], room._reconnections["token-a"], `${alias} takes back the same seat`);
    failover.changed();
    assert.deepEqual(service.writes[0]!.body.seats.map((s) => [s.token, s.also]), [["token-a", ["token-a0", "token-a1"]]]);
    reconnections[0]!.resolve({ sessionId: "a" } as Client);
    await tick();
    assert.deepEqual(Object.keys(room._reconnections), ["token-a"], "the other tokens went with the hold (Colyseus removes its own)");
  });

  it("hold(): a reconnection window rejected for another reason (the room closing) reports no expiry, and the seat is counted out", async () => {
    const { failover, reconnections, room } = setup(3);
    let expired = 0;
    failover.hold("a", "old-token-a", [], 30, () => expired++);
    reconnections[0]!.reject(new Error("disposing"));
    await tick();
    assert.equal(expired, 0);
    assert.equal(room._listing.clients, 0, "no client count left behind");
    assert.equal(matchMaker.stats.local.ccu, ccuBefore, "nor in the process's count");
  });

  it("hold(): a seat whose window ends after the copy was superseded reports no expiry, and the seat is counted out", async () => {
    const { failover, reconnections, room } = setup(3);
    let expired = 0;
    failover.hold("a", "old-token-a", [], 30, () => expired++);
    failover.supersede();
    reconnections[0]!.reject(false);
    await tick();
    assert.equal(expired, 0);
    assert.equal(room._listing.clients, 0);
    assert.equal(matchMaker.stats.local.ccu, ccuBefore);
  });

  it("hold(): a seat whose window ends after the room was disposed (its restore failed, or it ended) reports no expiry", async () => {
    const { failover, reconnections, room } = setup(3);
    let expired = 0;
    failover.hold("a", "old-token-a", [], 30, () => expired++);
    failover.dispose();
    reconnections[0]!.reject(false);
    await tick();
    assert.equal(expired, 0);
    assert.equal(room._listing.clients, 0);
  });

  it("hold(): an expiry that throws (a room whose restored state the rules cannot read) is logged, and reaches no promise handler that would stop the process", async () => {
    const room = fakeRoom();
    const state = roomState(room.room.roomId);
    const lines: string[] = [];
    const failover = new RoomFailover(room.asRoom, fakeService(), 3, state.body, pino({ level: "error" }, { write: (line: string) => void lines.push(line) }));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      failover.hold("a", "old-token-a", [], 30, () => {
        throw new TypeError("cannot read properties of null (reading 'map')");
      });
      room.reconnections[0]!.reject(false);
      await tick();
      await tick();
      assert.deepEqual(unhandled, []);
      assert.ok(lines.some((l) => l.includes("a held seat's expiry failed") && l.includes("reading 'map'")), lines.join(""));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
