/**
 * What a restored or superseded room does with Colyseus beyond its public API
 * (src/ha/room-seats.ts), on stand-in rooms and a stubbed listing: the seat held for a player
 * of a dead process and how its end is reported, the client counts, the listing row a
 * superseded copy lets go of or removes, and the join acknowledgements held behind a write.
 */
import assert from "node:assert/strict";
import { ClientState, matchMaker, Protocol, type Client, type Room } from "@colyseus/core";
import { countClients, deferJoinAcks, detachListing, holdAlsoUnder, holdSeat, joinAckWaiting, seatStandIn, unlistIfMine } from "../../src/ha/room-seats.js";
import { testServer } from "../helpers/server.js";

const tick = () => new Promise((r) => setImmediate(r));

function reconnectingRoom() {
  const windows: { client: Client; seconds: number; resolve: (c: Client) => void; reject: (reason: unknown) => void }[] = [];
  const room = {
    allowReconnection: (client: Client, seconds: number) =>
      new Promise<Client>((resolve, reject) => void windows.push({ client, seconds, resolve, reject })),
  } as unknown as Room;
  return { room, windows };
}

describe("A seat held for a player of a dead process (holdSeat, seatStandIn)", () => {
  it("opens Colyseus's reconnection window for the seat's token, on a stand-in with only the session and token", () => {
    const { room, windows } = reconnectingRoom();
    holdSeat(room, "a", "tokA", [], 30, () => assert.fail("not ended"));
    assert.equal(windows.length, 1);
    assert.deepEqual(windows[0]!.client, { sessionId: "a", reconnectionToken: "tokA", auth: undefined, userData: undefined, view: undefined });
    assert.equal(windows[0]!.seconds, 30);
  });

  it("a window already over (0 or fewer seconds left) still opens for a tenth of a second", () => {
    const { room, windows } = reconnectingRoom();
    holdSeat(room, "a", "tokA", [], 0, () => undefined);
    holdSeat(room, "b", "tokB", [], -12, () => undefined);
    holdSeat(room, "c", "tokC", [], 0.25, () => undefined);
    assert.deepEqual(windows.map((w) => w.seconds), [0.1, 0.1, 0.25]);
  });

  it("reports the stand-in when nobody came back: expired when the window passed, not when the room closed first; nothing when the player came back", async () => {
    const { room, windows } = reconnectingRoom();
    const ended: [string, boolean][] = [];
    const onEnded = (standIn: Client, expired: boolean) => void ended.push([standIn.sessionId, expired]);
    holdSeat(room, "a", "tokA", [], 5, onEnded);
    holdSeat(room, "b", "tokB", [], 5, onEnded);
    holdSeat(room, "c", "tokC", [], 5, onEnded);
    windows[0]!.reject(false); // Colyseus: the window passed
    windows[1]!.reject(new Error("disposing")); // the room closed first
    windows[2]!.resolve({ sessionId: "c" } as Client); // the player came back
    await tick();
    assert.deepEqual(ended, [
      ["a", true],
      ["b", false],
    ]);
    assert.equal(windows[0]!.client.reconnectionToken, "tokA");
  });

  it("a stand-in carries the session, token and identity of what it stands in for, nothing else", () => {
    const from = { sessionId: "s", reconnectionToken: "t", auth: { userId: "u" }, userData: { name: "Ada" }, view: { id: 1 }, state: ClientState.JOINING, ref: {} } as unknown as Client;
    assert.deepEqual(seatStandIn(from), { sessionId: "s", reconnectionToken: "t", auth: { userId: "u" }, userData: { name: "Ada" }, view: { id: 1 } });
  });
});

describe("A held seat taken back with another token too (holdAlsoUnder)", () => {
  type Entry = [string, { promise: Promise<unknown> }];
  /** A room's pending reconnections as Colyseus keeps them (`_reconnections`): token → [session, deferred]. */
  function pendingRoom() {
    const pending: Record<string, Entry> = {};
    const hold = (token: string, sessionId: string) => {
      let end!: () => void;
      const promise = new Promise<void>((resolve) => (end = resolve));
      pending[token] = [sessionId, { promise }];
      return { entry: pending[token]!, end };
    };
    return { room: { _reconnections: pending } as unknown as Room, pending, hold };
  }

  it("whoever presents the other token finds the same held seat, until the hold ends", async () => {
    const { room, pending, hold } = pendingRoom();
    const a = hold("tokA", "a");
    holdAlsoUnder(room, "tokA", "tokA0");
    assert.equal(pending.tokA0, a.entry);
    a.end();
    await tick();
    assert.equal(pending.tokA0, undefined, "gone with the hold");
  });

  it("adds nothing for a token no seat is held under, and never takes a token another seat is held under", async () => {
    const { room, pending, hold } = pendingRoom();
    holdAlsoUnder(room, "nobody", "tokX");
    assert.deepEqual(Object.keys(pending), []);
    const a = hold("tokA", "a");
    const b = hold("tokB", "b");
    holdAlsoUnder(room, "tokA", "tokB");
    assert.equal(pending.tokB, b.entry, "tokB still takes b's seat");
    a.end();
    await tick();
    assert.equal(pending.tokB, b.entry, "and keeps it when a's hold ends");
  });

  it("a token that already points at another hold when this one ends is left to it", async () => {
    const { room, pending, hold } = pendingRoom();
    const a = hold("tokA", "a");
    holdAlsoUnder(room, "tokA", "tokA0");
    const later = hold("tokA0", "a");
    a.end();
    await tick();
    assert.equal(pending.tokA0, later.entry);
  });
});

describe("A superseded copy's listing (countClients, detachListing, unlistIfMine)", () => {
  before(async () => {
    await testServer();
  });

  it("countClients moves both the room's listed count and this process's client count", () => {
    const room = { _listing: { clients: 2 } } as unknown as Room;
    const ccu = matchMaker.stats.local.ccu;
    try {
      countClients(room, 1);
      assert.equal((room as unknown as { _listing: { clients: number } })._listing.clients, 3);
      assert.equal(matchMaker.stats.local.ccu, ccu + 1);
      countClients(room, -2);
      assert.equal((room as unknown as { _listing: { clients: number } })._listing.clients, 1);
      assert.equal(matchMaker.stats.local.ccu, ccu - 1);
    } finally {
      matchMaker.stats.local.ccu = ccu;
    }
  });

  it("detachListing gives the copy a listing of its own under another id, keeping what it lists, and leaves the live copy's row untouched", () => {
    const row = { roomId: "r1", name: "tictactoe", clients: 2, processId: "p1", locked: false };
    const room = { roomId: "r1", _listing: row } as unknown as Room;
    detachListing(room);
    const detached = (room as unknown as { _listing: typeof row })._listing;
    assert.notEqual(detached, row);
    assert.notEqual(detached.roomId, "r1");
    assert.deepEqual({ ...detached, roomId: "r1" }, row, "everything else as it was");
    assert.deepEqual(row, { roomId: "r1", name: "tictactoe", clients: 2, processId: "p1", locked: false }, "the row object itself is not written");
  });

  function stubbedListing(rows: Record<string, { processId: string } | undefined>) {
    const driver = matchMaker.driver as unknown as Record<string, unknown>;
    const removed: string[] = [];
    const asked: string[][] = [];
    driver.findByIds = async (ids: string[]) => {
      asked.push(ids);
      return new Map(ids.filter((id) => rows[id]).map((id) => [id, rows[id]]));
    };
    driver.remove = async (id: string) => void removed.push(id);
    const restore = () => {
      delete driver.findByIds;
      delete driver.remove;
    };
    return { removed, asked, restore };
  }

  it("unlistIfMine removes a row naming this process; leaves one naming another process, or none", async () => {
    const listing = stubbedListing({ mine: { processId: matchMaker.processId }, theirs: { processId: "another-process" } });
    try {
      assert.equal(await unlistIfMine("mine"), true);
      assert.deepEqual(listing.removed, ["mine"]);
      assert.equal(await unlistIfMine("theirs"), false, "the live copy's row");
      assert.equal(await unlistIfMine("gone"), false, "no row at all");
      assert.deepEqual(listing.removed, ["mine"], "only this process's row is removed");
      assert.deepEqual(listing.asked, [["mine"], ["theirs"], ["gone"]], "one row read each time");
    } finally {
      listing.restore();
    }
  });
});

describe("Join acknowledgements held behind a write (deferJoinAcks, joinAckWaiting)", () => {
  function setup() {
    const handled: string[] = [];
    const acks: (() => void)[] = [];
    const room = {
      _onMessage(this: unknown, client: Client, buffer?: Buffer) {
        handled.push(`${buffer?.[0]} of ${client.sessionId}${this === room ? "" : " (another this)"}`);
      },
    };
    deferJoinAcks(room as unknown as Room, (ack) => acks.push(ack));
    const send = (client: Client, buffer?: Buffer) => (room as unknown as { _onMessage(c: Client, b?: Buffer): void })._onMessage.call(room, client, buffer);
    return { handled, acks, send };
  }
  const client = (sessionId: string, state: ClientState) => ({ sessionId, state }) as unknown as Client & { state: ClientState };

  it("holds a joining client's acknowledgement until the room runs it; meanwhile the client counts as having acknowledged", () => {
    const { handled, acks, send } = setup();
    const joining = client("j", ClientState.JOINING);
    assert.equal(joinAckWaiting(joining), false);
    send(joining, Buffer.from([Protocol.JOIN_ROOM]));
    assert.deepEqual(handled, []);
    assert.equal(acks.length, 1);
    assert.equal(joinAckWaiting(joining), true);
    acks[0]!();
    assert.deepEqual(handled, [`${Protocol.JOIN_ROOM} of j`], "handed to Colyseus, with the room as this");
    assert.equal(joinAckWaiting(joining), false);
  });

  it("passes every other frame on at once: other codes, an acknowledgement from a client no longer joining, no frame at all", () => {
    const { handled, acks, send } = setup();
    send(client("j", ClientState.JOINING), Buffer.from([Protocol.PING]));
    send(client("j", ClientState.JOINING), Buffer.from([Protocol.ROOM_DATA, 0xa1, 0x78]));
    send(client("k", ClientState.JOINED), Buffer.from([Protocol.JOIN_ROOM]));
    send(client("r", ClientState.RECONNECTING), Buffer.from([Protocol.JOIN_ROOM]));
    send(client("n", ClientState.JOINING));
    assert.deepEqual(handled, [`${Protocol.PING} of j`, `${Protocol.ROOM_DATA} of j`, `${Protocol.JOIN_ROOM} of k`, `${Protocol.JOIN_ROOM} of r`, "undefined of n"]);
    assert.equal(acks.length, 0);
  });

  it("drops a held acknowledgement whose client left before the room ran it, and stops counting it as acknowledged", () => {
    const { handled, acks, send } = setup();
    const gone = client("g", ClientState.JOINING);
    send(gone, Buffer.from([Protocol.JOIN_ROOM]));
    gone.state = ClientState.LEAVING;
    acks[0]!();
    assert.deepEqual(handled, []);
    assert.equal(joinAckWaiting(gone), false);
  });
});
