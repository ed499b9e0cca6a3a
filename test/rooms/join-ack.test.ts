/**
 * The join acknowledgement deadline and the end of a join (src/rooms/join-ack.ts), without
 * a server: timers recorded instead of run, a fake socket that records how it is cut. Which
 * client is cut (a silent one, with 4408), which is left alone, when the deadline starts,
 * what a player hears when the game moved meanwhile, and what holds a dropped seat.
 */
import assert from "node:assert/strict";
import { ClientState, Protocol, ServerError, type Client, type Room } from "@colyseus/core";
import { deferJoinAcks } from "../../src/ha/room-seats.js";
import { holdable, joinedOnceSaved, requireJoinAck } from "../../src/rooms/join-ack.js";
import { CLOSE_NO_JOIN_ACK, CLOSE_ROOM_MOVED } from "../../src/protocol/errors.js";
import type { RoomTimers } from "../../src/rooms/timers.js";

function fakeTimers() {
  const scheduled: { ms: number; fn: () => void }[] = [];
  const timers = { after: (ms: number, fn: () => void) => (scheduled.push({ ms, fn }), { clear: () => undefined }) } as unknown as RoomTimers;
  return { timers, scheduled };
}

function fakeClient(state: ClientState = ClientState.JOINING) {
  const socket = { calls: [] as string[] };
  const ref = {
    pause: () => void socket.calls.push("pause"),
    close: (code: number, text: string) => void socket.calls.push(`close ${code} ${text}`),
    terminate: () => void socket.calls.push("terminate"),
  };
  const client = { sessionId: "s1", state, ref } as unknown as Client & { state: ClientState };
  return { client, socket };
}

describe("The join acknowledgement deadline (src/rooms/join-ack.ts)", () => {
  it("cuts a client still silent when its deadline passes with 4408, after telling the room", () => {
    const { timers, scheduled } = fakeTimers();
    const { client, socket } = fakeClient();
    const order: string[] = [];
    requireJoinAck(timers, client, 15, () => order.push(`onCut (socket: ${socket.calls.join(",") || "untouched"})`));
    assert.deepEqual(scheduled.map((s) => s.ms), [15_000], "the deadline is `seconds` away");
    assert.deepEqual(socket.calls, [], "nothing happens before it");
    scheduled[0]!.fn();
    assert.deepEqual(order, ["onCut (socket: untouched)"], "the room is told first");
    assert.deepEqual(socket.calls, ["pause", `close ${CLOSE_NO_JOIN_ACK} join not acknowledged`], "reads nothing more, and is told why");
  });

  it("cuts a silent client without a room to tell", () => {
    const { timers, scheduled } = fakeTimers();
    const { client, socket } = fakeClient();
    requireJoinAck(timers, client, 0.5);
    assert.equal(scheduled[0]!.ms, 500);
    scheduled[0]!.fn();
    assert.deepEqual(socket.calls, ["pause", `close ${CLOSE_NO_JOIN_ACK} join not acknowledged`]);
  });

  it("leaves alone a client that acknowledged (or is already leaving) by the deadline", () => {
    for (const state of [ClientState.JOINED, ClientState.RECONNECTING, ClientState.LEAVING]) {
      const { timers, scheduled } = fakeTimers();
      const { client, socket } = fakeClient();
      let cut = 0;
      requireJoinAck(timers, client, 1, () => cut++);
      client.state = state;
      scheduled[0]!.fn();
      assert.equal(cut, 0, `state ${state}: the room is not told`);
      assert.deepEqual(socket.calls, [], `state ${state}: not cut`);
    }
  });

  it("leaves alone a client whose acknowledgement arrived and waits behind the room's snapshot write", () => {
    const acks: (() => void)[] = [];
    const room = { _onMessage: () => undefined } as unknown as Room;
    deferJoinAcks(room, (ack) => acks.push(ack));
    const { timers, scheduled } = fakeTimers();
    const { client, socket } = fakeClient();
    let cut = 0;
    requireJoinAck(timers, client, 1, () => cut++);
    (room as unknown as { _onMessage(c: Client, b: Buffer): void })._onMessage(client, Buffer.from([Protocol.JOIN_ROOM]));
    assert.equal(acks.length, 1, "the acknowledgement waits");
    scheduled[0]!.fn();
    assert.equal(cut, 0);
    assert.deepEqual(socket.calls, [], "still joining, but not silent: not cut");
  });
});

describe("The end of a join (joinedOnceSaved)", () => {
  it("starts the acknowledgement deadline only once the room's snapshot has landed", async () => {
    const { timers, scheduled } = fakeTimers();
    const { client, socket } = fakeClient();
    let land!: () => void;
    let cut = 0;
    const done = joinedOnceSaved(() => new Promise<void>((resolve) => (land = resolve)), timers, client, 2, () => cut++);
    await new Promise((r) => setImmediate(r));
    assert.equal(scheduled.length, 0, "no deadline while the write is pending");
    land();
    await done;
    assert.deepEqual(scheduled.map((s) => s.ms), [2000]);
    scheduled[0]!.fn();
    assert.equal(cut, 1, "the room's callback is the deadline's");
    assert.deepEqual(socket.calls, ["pause", `close ${CLOSE_NO_JOIN_ACK} join not acknowledged`]);
  });

  it("refuses the join with 4412 and a 'join it again' message when this copy is closing, and starts no deadline", async () => {
    const { timers, scheduled } = fakeTimers();
    const { client } = fakeClient();
    await assert.rejects(
      joinedOnceSaved(() => Promise.reject(new Error("closing")), timers, client, 2),
      (e: unknown) => e instanceof ServerError && e.code === CLOSE_ROOM_MOVED && e.message === "This game moved to another server: join it again.",
    );
    assert.equal(scheduled.length, 0);
  });
});

describe("What holds a dropped player's seat (holdable)", () => {
  it("the client itself once it acknowledged its join; before that, a stand-in with its session, token and identity", () => {
    const joined = { sessionId: "a", reconnectionToken: "tokA", auth: { userId: "u1" }, userData: { name: "Ada" }, view: undefined, state: ClientState.JOINED } as unknown as Client;
    assert.equal(holdable(joined), joined);

    const fresh = { sessionId: "b", reconnectionToken: "tokB", auth: { userId: "u2" }, userData: { name: "Bob" }, view: undefined, state: ClientState.LEAVING, _enqueuedMessages: [] } as unknown as Client;
    const standIn = holdable(fresh);
    assert.notEqual(standIn, fresh, "Colyseus refuses to hold a client that never acknowledged");
    assert.deepEqual(standIn, { sessionId: "b", reconnectionToken: "tokB", auth: { userId: "u2" }, userData: { name: "Bob" }, view: undefined });
  });
});
