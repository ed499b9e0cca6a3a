/**
 * The lobby's less travelled paths, as a lobby client or an operator meets them, on the
 * in-process test server (so the mutation run sees them): the `refresh` rate limit, lists
 * sent only when they change, the per-address connection cap, the cut of a client that
 * keeps sending what the lobby ignores, failures of the listing, of a timer and of onAuth
 * (each logged), a pass that waits on a slow listing read, and a lobby that outlives its
 * last client.
 *
 * Fault injection and the address cap reach into the live lobby (its `settings`, whose
 * listing and reservation ledger are shared by the process): every patch is undone in a
 * `finally`.
 */
import assert from "node:assert/strict";
import type { Room as SdkRoom } from "@colyseus/sdk";
import WebSocket from "ws";
import { CLOSE_FLOODING, MatchmakingStatus } from "../../src/protocol/errors.js";
import type { RoomEntry } from "../../src/protocol/messages.js";
import type { Listing, ListingFilter, ListingView } from "../../src/rooms/listing.js";
import { eventually, Player, quiet, refusedWith } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { roomLog, roomLogs } from "../helpers/server.js";

/** The parts of the live LobbyRoom these tests reach into. */
interface LobbyInternals {
  roomId: string;
  clients: { length: number };
  settings: {
    maxPerIp: number;
    listing: Listing;
    reservations?: { release(address: string, sessionId: string): void };
  };
  disconnect(): Promise<unknown>;
}

/** The SDK's WebSocket transport (its `connect` is swapped to pick the client's source address). */
interface SdkTransport {
  ws: WebSocket;
  protocols?: string | string[];
  events: { onopen?(e: unknown): void; onmessage?(e: unknown): void; onclose?(e: unknown): void; onerror?(e: unknown): void };
  connect(url: string, headers?: Record<string, string>): void;
}

describe("Lobby paths: refresh limit, changed lists only, address cap, flooding, failures", () => {
  const suite = roomSuite();
  const lobbyOf = (p: Player) => suite.colyseus.getRoomById(p.room.roomId) as unknown as LobbyInternals;
  const lists = (p: Player) => p.all("rooms") as RoomEntry[][];

  /** Joins the lobby as a new client that does not reconnect on its own. */
  async function joinLobby(options: Record<string, unknown> = {}): Promise<Player> {
    const room = await suite.colyseus.sdk.joinOrCreate("lobby", options);
    room.reconnection.enabled = false;
    return new Player(room);
  }

  /**
   * Runs `fn` with every new SDK WebSocket bound to source address `localAddress` (any
   * 127.x.y.z reaches the test server on 127.0.0.1): lobby connections from another address.
   */
  async function fromAddress<T>(someRoom: SdkRoom, localAddress: string, fn: () => Promise<T>): Promise<T> {
    const proto = Object.getPrototypeOf((someRoom.connection as unknown as { transport: SdkTransport }).transport) as SdkTransport;
    const original = proto.connect;
    proto.connect = function (this: SdkTransport, url: string, headers?: Record<string, string>) {
      this.ws = new WebSocket(url, this.protocols, { headers, localAddress });
      this.ws.binaryType = "arraybuffer";
      this.ws.onopen = (e) => this.events.onopen?.(e);
      this.ws.onmessage = (e) => this.events.onmessage?.(e);
      this.ws.onclose = (e) => this.events.onclose?.(e);
      this.ws.onerror = (e) => this.events.onerror?.(e);
    };
    try {
      return await fn();
    } finally {
      proto.connect = original;
    }
  }

  it("answers refresh with the current list even when unchanged: a burst of two, then the next is ignored", async () => {
    const p = await joinLobby();
    assert.deepEqual(await p.nth("rooms", 1), [], "the list comes at once on join");
    p.send("refresh");
    assert.deepEqual(await p.nth("rooms", 2), [], "a refresh resends the unchanged list");
    p.send("refresh");
    await p.nth("rooms", 3, 1500); // the second of the burst
    p.send("refresh");
    await quiet(300);
    assert.equal(lists(p).length, 3, "a third refresh within two seconds is ignored");
    assert.equal(p.left, undefined, "an ignored refresh does not cut the client");
  });

  it("sends a list only to the clients whose list changed, filtered by game with include: joinable", async () => {
    const dice = await joinLobby({ game: "dice", include: "joinable" });
    assert.deepEqual(await dice.nth("rooms", 1), []);
    const everything = await joinLobby();
    assert.deepEqual(await everything.nth("rooms", 1), []);
    await quiet(150);
    assert.equal(lists(dice).length, 1, "another client's join sends nothing to a client whose list did not change");

    const ttt = await suite.colyseus.sdk.create("tictactoe", { name: "Ada" });
    await everything.until(() => lists(everything).some((l) => l.some((r) => r.roomId === ttt.roomId)), "the tictactoe room listed");
    await quiet(150);
    assert.equal(lists(dice).length, 1, "a tictactoe room changes nothing for a dice filter");

    const d = await suite.colyseus.sdk.create("dice", { name: "Bob" });
    await dice.until(() => lists(dice).length >= 2, "the dice list updated");
    const shown = lists(dice).at(-1)!;
    assert.deepEqual(shown.map((r) => r.roomId), [d.roomId], "only the joinable dice room, not the tictactoe room");
  });

  it("caps lobby connections per address, counting only that address's connections still open", async () => {
    const a1 = await joinLobby();
    await a1.nth("rooms", 1);
    const lobby = lobbyOf(a1);
    const saved = lobby.settings.maxPerIp;
    lobby.settings.maxPerIp = 2;
    try {
      const a2 = await joinLobby();
      await assert.rejects(joinLobby(), refusedWith(MatchmakingStatus.RATE_LIMITED, /^At most 2 lobby connections per address\.$/), "a third connection from 127.0.0.1");

      // Another address has its own two places, whatever 127.0.0.1 holds.
      const b1 = await fromAddress(a1.room, "127.0.0.2", () => joinLobby());
      const b2 = await fromAddress(a1.room, "127.0.0.2", () => joinLobby());
      await b1.nth("rooms", 1);
      await b2.nth("rooms", 1);
      await assert.rejects(fromAddress(a1.room, "127.0.0.2", () => joinLobby()), refusedWith(MatchmakingStatus.RATE_LIMITED, /lobby connections per address/), "a third connection from 127.0.0.2");

      // A connection that left frees its place.
      await a2.room.leave(true);
      await eventually(() => lobby.clients.length === 3, "the lobby forgot the connection that left");
      const a3 = await joinLobby();
      await a3.nth("rooms", 1);
    } finally {
      lobby.settings.maxPerIp = saved;
    }
  });

  it("cuts a client after 20 ignored messages in a row (4429, logged); a granted refresh starts the count again", async () => {
    const p = await joinLobby();
    await p.nth("rooms", 1);
    let reason: string | undefined;
    p.room.onLeave((_code: number, why?: string) => (reason = why));
    for (let i = 0; i < 19; i++) p.send("bogus");
    p.send("refresh");
    await p.nth("rooms", 2);
    for (let i = 0; i < 19; i++) p.send("bogus");
    p.send("refresh");
    await p.nth("rooms", 3);
    assert.equal(p.left, undefined, "19 ignored messages in a row are tolerated");

    for (let i = 0; i < 20; i++) p.send("bogus");
    await p.until(() => p.left !== undefined, "the cut");
    assert.equal(p.left, CLOSE_FLOODING);
    assert.equal(reason, "too many messages");
    const line = roomLog(p.room.roomId, "disconnecting a lobby client that keeps flooding");
    assert.equal(line.sessionId, p.id);
    assert.equal(line.level, 40, "a warning");
  });

  it("a failing listing read is logged, and the periodic re-read delivers the list later", async () => {
    const first = await joinLobby();
    await first.nth("rooms", 1);
    const { listing } = lobbyOf(first).settings;
    const view = listing.view;
    let failed = false;
    listing.view = (filter?: ListingFilter): Promise<ListingView> => {
      if (failed) return view.call(listing, filter);
      failed = true;
      return Promise.reject(new Error("driver unreachable"));
    };
    try {
      const late = await joinLobby();
      await eventually(() => roomLogs(first.room.roomId).some((l) => l.msg === "listing update failed; the next pass retries"), "the failure logged");
      const line = roomLog(first.room.roomId, "listing update failed; the next pass retries");
      assert.equal(line.err?.message, "driver unreachable");
      assert.equal(line.level, 40);
      assert.deepEqual(await late.nth("rooms", 1, 3000), [], "the list arrives with the next periodic pass");
    } finally {
      delete (listing as { view?: unknown }).view;
    }
  });

  it("a failing timer is logged with the lobby's id and name; a disposed lobby's timers are gone", async () => {
    const old = await joinLobby();
    await old.nth("rooms", 1);
    const oldId = old.room.roomId;
    await lobbyOf(old).disconnect();
    await old.until(() => old.left !== undefined, "the old lobby closed");

    const p = await joinLobby();
    await p.nth("rooms", 1);
    assert.notEqual(p.room.roomId, oldId, "a new lobby");
    const { listing } = lobbyOf(p).settings;
    const patchedAt = Date.now();
    listing.invalidate = () => {
      throw new Error("invalidate failed");
    };
    try {
      await eventually(() => roomLogs(p.room.roomId).some((l) => l.msg === "lobby timer failed"), "the timer failure logged", 3000);
      const line = roomLog(p.room.roomId, "lobby timer failed");
      assert.equal(line.err?.message, "invalidate failed");
      assert.equal(line.roomName, "lobby");
      assert.equal(line.level, 50, "an error");
      // The old lobby's one-second refresh would have fired by now, had it outlived its room.
      await quiet(Math.max(0, patchedAt + 1200 - Date.now()));
      assert.equal(roomLogs(oldId).filter((l) => l.msg === "lobby timer failed").length, 0, "nothing runs in a disposed lobby");
    } finally {
      delete (listing as { invalidate?: unknown }).invalidate;
    }
  });

  it("an exception in onAuth is logged as a lobby error with its method, and that join is refused", async () => {
    const p = await joinLobby();
    await p.nth("rooms", 1);
    const ledger = lobbyOf(p).settings.reservations!;
    ledger.release = () => {
      throw new Error("ledger unreachable");
    };
    try {
      await assert.rejects(joinLobby());
    } finally {
      delete (ledger as { release?: unknown }).release;
    }
    const line = roomLogs(p.room.roomId).find((l) => l.msg === "lobby error" && /ledger unreachable/.test(l.err?.message ?? ""));
    assert.ok(line, `no "lobby error" line for the failure; logged: ${roomLogs(p.room.roomId).map((l) => l.msg).join(" | ")}`);
    assert.equal(line.method, "onAuth");
    assert.equal(line.level, 50);
  });

  it("a pass waiting on a slow listing read holds every update; what changed meanwhile goes out in one throttled pass, then the lobby idles", async () => {
    const a = await joinLobby();
    await a.nth("rooms", 1);
    const { listing } = lobbyOf(a).settings;
    const view = listing.view;
    let calls = 0;
    let blocked = 0;
    let hold: Promise<void> | undefined;
    let release!: () => void;
    // No periodic re-read or change notice: only joins and refreshes start passes here.
    listing.invalidate = () => undefined;
    listing.view = async (filter?: ListingFilter): Promise<ListingView> => {
      calls++;
      const result = await view.call(listing, filter);
      if (hold && filter?.game === "dice") {
        blocked++;
        await hold;
      }
      return result;
    };
    try {
      hold = new Promise<void>((r) => (release = r));
      const b = await joinLobby({ game: "dice" });
      await eventually(() => blocked === 1, "the pass waiting on the dice list");
      a.send("refresh");
      await quiet(200);
      assert.equal(lists(a).length, 1, "no second pass runs while one waits");
      assert.equal(lists(b).length, 0);

      const releasedAt = performance.now();
      hold = undefined;
      release();
      await b.nth("rooms", 1);
      const c = await joinLobby({ include: "all" });
      await c.nth("rooms", 1);
      const cAfter = performance.now() - releasedAt;
      assert.ok(cAfter >= 400, `a client joining right after the pass waits for the throttled follow-up (got its list after ${cAfter.toFixed(0)} ms)`);
      await a.nth("rooms", 2, 2000); // the refresh sent during the pass, answered by the follow-up

      calls = 0;
      await quiet(700);
      assert.equal(calls, 0, "an idle lobby reads nothing");
    } finally {
      delete (listing as { view?: unknown }).view;
      delete (listing as { invalidate?: unknown }).invalidate;
      release?.();
    }
  });

  it("a change announced while a pass waits to run, which reads the list from before it (read moments earlier by another reader), still reaches the clients, by a throttled follow-up", async () => {
    const a = await joinLobby({ game: "tictactoe" });
    await a.nth("rooms", 1);
    const lobby = lobbyOf(a) as LobbyInternals & { schedulePass(delayMs: number): void };
    const { listing } = lobby.settings;
    const view = listing.view;
    const invalidate = listing.invalidate;
    const before = await view.call(listing, { game: "tictactoe" });
    let staleReads = 0;
    // No change notice reaches the lobby but the one this test sends (nor the periodic re-read).
    listing.invalidate = () => undefined;
    try {
      const host = await suite.colyseus.sdk.create("tictactoe", { name: "Host" });
      // A pass is waiting to run (a join, a refresh) when the room's change is announced; it reads the list as cached before the change.
      listing.view = async (filter?: ListingFilter): Promise<ListingView> => {
        if (staleReads === 0) {
          staleReads++;
          return before;
        }
        return view.call(listing, filter);
      };
      lobby.schedulePass(0);
      invalidate.call(listing);
      const got = await a.nth("rooms", 2, 3000);
      assert.ok((got as RoomEntry[]).some((r) => r.roomId === host.roomId), "the new room is listed");
      assert.equal(staleReads, 1);
      await host.leave();
    } finally {
      delete (listing as { view?: unknown }).view;
      delete (listing as { invalidate?: unknown }).invalidate;
    }
  });

  it("stays open when its last client leaves: the next client joins the same lobby", async () => {
    const a = await joinLobby();
    await a.nth("rooms", 1);
    const lobby = lobbyOf(a);
    await a.room.leave(true);
    await eventually(() => lobby.clients.length === 0, "the client gone");
    await quiet(100);
    const b = await joinLobby();
    await b.nth("rooms", 1);
    assert.equal(b.room.roomId, lobby.roomId);
    assert.ok(suite.colyseus.getRoomById(lobby.roomId), "the lobby is still open");
  });
});
