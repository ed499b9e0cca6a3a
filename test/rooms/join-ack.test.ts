/**
 * The join acknowledgement deadline and the end of a join (src/rooms/join-ack.ts), without
 * a server: timers recorded instead of run, a fake socket that records how it is cut. Which
 * client is cut (a silent one, with 4408), which is left alone, when the deadline starts,
 * what a player hears when the game moved meanwhile, and what holds a dropped seat.
 */
import assert from "node:assert/strict";
import { CloseCode, ClientState, Deferred, Protocol, ServerError, type Client, type Room } from "@colyseus/core";
import { deferJoinAcks } from "../../src/ha/room-seats.js";
import { cutReconnection, holdable, joinedOnceSaved, MAX_RETURN_TOKENS, requireJoinAck, ReturnTokens } from "../../src/rooms/join-ack.js";
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

  it("cuts a silent reconnection with 4010 (the SDK tries again by itself), not 4408", () => {
    const { timers, scheduled } = fakeTimers();
    const { client, socket } = fakeClient();
    let cut = 0;
    requireJoinAck(timers, client, 1, () => cut++, true);
    scheduled[0]!.fn();
    assert.equal(cut, 1);
    assert.deepEqual(socket.calls, ["pause", `close ${CloseCode.MAY_TRY_RECONNECT} reconnection not acknowledged`]);
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

  it("cutReconnection: 4010, and dropped at once when it answered no ping either; the deadline then leaves it alone (no second cut, no log line)", () => {
    for (const silent of [false, true]) {
      const { timers, scheduled } = fakeTimers();
      const { client, socket } = fakeClient();
      let told = 0;
      requireJoinAck(timers, client, 1, () => told++, true);
      cutReconnection(client, silent);
      const cut = ["pause", `close ${CloseCode.MAY_TRY_RECONNECT} reconnection not acknowledged`, ...(silent ? ["terminate"] : [])];
      assert.deepEqual(socket.calls, cut, silent ? "dropped at once" : "dropped after the close's wait (CUT_DROP_MS)");
      // Colyseus marks the client as leaving only once the socket's close event comes: the deadline may pass before.
      scheduled[0]!.fn();
      assert.equal(told, 0, "the room is not told the deadline cut it");
      assert.deepEqual(socket.calls, cut, "not cut again");
    }
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

describe("The tokens that take back a dropped seat (ReturnTokens)", () => {
  /** Colyseus's hold, as far as ReturnTokens uses it: the pending reconnections by token. */
  function fakeRoom() {
    const room = {
      _reconnections: {} as Record<string, [string, Deferred]>,
      allowReconnection(holder: Client) {
        const d = new Deferred();
        room._reconnections[holder.reconnectionToken] = [holder.sessionId, d];
        return d;
      },
    };
    return room;
  }
  /** A reconnection of session s1 holding `token`, acknowledged or not. */
  const connection = (token: string, acknowledged: boolean) => ({ sessionId: "s1", reconnectionToken: token, state: ClientState.LEAVING, ...(acknowledged ? {} : { _enqueuedMessages: [] }) }) as unknown as Client;
  const held = (room: ReturnType<typeof fakeRoom>) => Object.keys(room._reconnections).sort();

  it("an acknowledged player's seat is held under its token only; an unacknowledged reconnection's also under every token it may have come back with, at most " + MAX_RETURN_TOKENS, async () => {
    const room = fakeRoom();
    const returns = new ReturnTokens();
    returns.hold(room as unknown as Room, connection("t0", true), 10);
    assert.deepEqual(held(room), ["t0"]);
    for (let i = 1; i <= 5; i++) {
      const pending = room._reconnections[`t${i - 1}`]!;
      const again = connection(`t${i}`, false);
      pending[1].resolve(again);
      for (const token of Object.keys(room._reconnections)) delete room._reconnections[token]; // Colyseus's own cleanup of the primary
      assert.deepEqual([...returns.back(again)].sort(), Array.from({ length: Math.min(i, MAX_RETURN_TOKENS) }, (_, k) => `t${i - 1 - k}`).sort(), "the tokens it may have come back with");
      assert.equal(returns.returning(again), true);
      returns.hold(room as unknown as Room, again, 10);
      const expected = Array.from({ length: Math.min(i + 1, MAX_RETURN_TOKENS) }, (_, k) => `t${i - k}`).sort();
      assert.deepEqual(held(room), expected, `after ${i} quiet reconnections`);
      for (const token of expected) assert.equal(room._reconnections[token], room._reconnections[`t${i}`], `${token} takes back the same seat`);
    }
    // An acknowledged reconnection holds the token it confirmed only.
    const confirmed = connection("t9", true);
    room._reconnections["t5"]![1].resolve(confirmed);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(held(room), ["t5"], "the aliases went with the hold");
    delete room._reconnections["t5"];
    returns.back(confirmed);
    returns.hold(room as unknown as Room, confirmed, 10);
    assert.deepEqual(held(room), ["t9"]);
  });

  it("a fresh join is not a returning one; a restored seat's token is what its player came back with; a player gone is forgotten", () => {
    const room = fakeRoom();
    const returns = new ReturnTokens();
    assert.equal(returns.returning(connection("x", false)), false);
    returns.restored("s1", ["saved"]);
    const back = connection("new", false);
    returns.back(back);
    returns.hold(room as unknown as Room, back, 10);
    assert.deepEqual(held(room), ["new", "saved"]);

    const other = new ReturnTokens();
    const room2 = fakeRoom();
    other.restored("s1", ["saved"]);
    other.forget("s1");
    const again = connection("new", false);
    other.back(again);
    other.hold(room2 as unknown as Room, again, 10);
    assert.deepEqual(held(room2), ["new"]);
  });
});
