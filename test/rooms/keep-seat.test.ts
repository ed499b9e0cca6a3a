/**
 * The README's way for a program to keep its seat (examples/keep-seat.ts), against the server
 * with real SDK clients: what closes a program's connection (a cut right after joining, a
 * message over the size limit, a flood), a leave while the connection is down, a window that
 * ran out, and a room that is gone. (A process that died is the same path as a cut: the browser
 * and chaos tests run it against killed processes.)
 */
import assert from "node:assert/strict";
import type { Client, Room } from "@colyseus/sdk";
import { COME_BACK, keepSeat, type KeepSeatOptions } from "../../examples/keep-seat.js";
import { CLOSE_FLOODING, CLOSE_ROOM_MOVED, CLOSE_SLOW_CLIENT } from "../../src/protocol/errors.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { dropConnection, eventually, type Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV } from "../helpers/server.js";

type Ttt = BoardGameState;
const WINDOW_MS = Number(TEST_ENV.RECONNECT_SECONDS) * 1000;
/** A client whose reconnects fail as an unreachable server's do (no status) while `down()` says so. */
const flaky = (client: Client, down: () => boolean): Pick<Client, "reconnect"> => ({
  reconnect: (token: string) => (down() ? Promise.reject(new TypeError("fetch failed")) : client.reconnect(token)),
});

describe("A program keeps its seat (examples/keep-seat.ts)", function () {
  this.timeout(20_000);
  const suite = roomSuite();

  /** A TicTacToe game between Ada, a program joined with the SDK as it comes (no test settings), kept by keepSeat, and Bob. */
  async function game(client?: (real: Client) => Pick<Client, "reconnect">, options: KeepSeatOptions = {}) {
    const created = await suite.colyseus.createRoom("tictactoe");
    const room = (await suite.colyseus.sdk.joinById(created.roomId, { name: "Ada" })) as Room<any, Ttt>;
    room.onMessage("*", () => undefined);
    const bob = await suite.join<Ttt>(created.roomId, { name: "Bob" });
    await bob.until(() => bob.state.phase === "playing", "the game starts");
    const backs: Room[] = [];
    /** The game's phase in each Room's first state, as a listener attached in onBack sees it. */
    const phases: unknown[] = [];
    const sdk = suite.colyseus.sdk as unknown as Client;
    const kept = keepSeat(client ? client(sdk) : sdk, room, {
      ...options,
      onBack: (r) => {
        r.onMessage("*", () => undefined);
        r.onStateChange.once((state) => phases.push((state as Ttt).phase));
        backs.push(r);
      },
    });
    const ada = () => kept.room as Room<any, Ttt>;
    return { created, kept, ada, bob, backs, phases, sessionId: room.sessionId };
  }

  const adaConnected = (bob: Player<Ttt>, sessionId: string) => bob.state.players.get(sessionId)?.connected === true;

  /** The player on turn moves into the first empty cell; both see it. */
  async function moveOn(ada: () => Room<any, Ttt>, bob: Player<Ttt>) {
    const cell = Array.from(bob.state.board).indexOf("");
    const before = Array.from(bob.state.board).filter((c) => c !== "").length;
    const mover = bob.state.currentTurn === bob.id ? bob.room : ada();
    mover.send("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
    const marks = (board: ArrayLike<string>) => Array.from(board).filter((c) => c !== "").length;
    await eventually(() => marks(bob.state.board) === before + 1 && marks(ada().state.board) === before + 1, "a move after the program came back");
  }

  it("a connection cut right after joining (within the SDK's own 5 s minimum uptime, when it would not reconnect) comes back to the same seat, with the state, and the game goes on", async () => {
    const { ada, bob, backs, phases, kept, sessionId } = await game();
    dropConnection(ada());
    await eventually(() => backs.length === 1, "back in the seat", 5000);
    assert.equal(ada().sessionId, sessionId, "the same seat");
    await eventually(() => phases.length === 1, "the whole state, to a listener attached in onBack");
    assert.deepEqual(phases, ["playing"]);
    await eventually(() => adaConnected(bob, sessionId), "Bob sees Ada connected again");
    await moveOn(ada, bob);
    // And again: each time with the token the last reconnection gave.
    dropConnection(ada());
    await eventually(() => backs.length === 2, "back a second time", 5000);
    await moveOn(ada, bob);
    kept.leave();
    assert.deepEqual(await kept.ended, { reason: "left" });
  });

  it("a message over the size limit: the server closes the socket (1009) and holds the seat; the program comes back to it", async () => {
    const { ada, bob, backs, sessionId } = await game();
    const first = ada();
    const closed = new Promise<number>((resolve) => first.onLeave((code) => resolve(code)));
    first.send("make_move", { row: 0, col: 0, pad: "x".repeat(3000) });
    assert.equal(await closed, 1009);
    await eventually(() => backs.length === 1, "back in the seat", 5000);
    assert.equal(ada().sessionId, sessionId);
    await moveOn(ada, bob);
  });

  it("a leave while the connection is down is sent once it is back: the opponent reads that the player left (a forfeit), before the window ends", async () => {
    let down = true;
    const { ada, bob, kept } = await game((real) => flaky(real, () => down));
    dropConnection(ada());
    kept.leave();
    setTimeout(() => (down = false), 300); // the first try (after 250 ms) finds no network
    assert.deepEqual(await kept.ended, { reason: "left" });
    await bob.until(() => bob.state.phase === "over", "the game ends");
    assert.equal(bob.state.endReason, "left", "a leave within the window, not a seat that did not come back");
  });

  it("a network back after the window: the server's 'expired' (524) ends the seat, and the opponent won by forfeit", async () => {
    let down = true;
    const { ada, bob, kept } = await game((real) => flaky(real, () => down), { restoreMarginMs: 5000 });
    dropConnection(ada());
    const backAt = Date.now() + WINDOW_MS + 500;
    setTimeout(() => (down = false), WINDOW_MS + 500);
    assert.deepEqual(await kept.ended, { reason: "expired" });
    assert.ok(Date.now() - backAt < 3000, `at the first answer once the network is back (${Date.now() - backAt} ms), not when the margin runs out`);
    assert.equal(bob.state.phase, "over");
    assert.equal(bob.state.endReason, "dropped");
  });

  it("a connection back that closes again before its state arrives: the next try uses the token that connection was given (the seat moved to it)", async () => {
    let cutNext = true;
    const { ada, bob, backs, kept, sessionId } = await game((real) => ({
      reconnect: async (token: string) => {
        const room = await real.reconnect(token);
        if (cutNext) {
          cutNext = false;
          dropConnection(room);
        }
        return room;
      },
    }));
    dropConnection(ada());
    await eventually(() => backs.length === 2 && ada().connection.isOpen && adaConnected(bob, sessionId), "back in the seat after the second cut", 6000);
    await moveOn(ada, bob);
    kept.leave();
    assert.deepEqual(await kept.ended, { reason: "left" });
  });

  it("a try the server never answers ends with the window and its margin, not never", async () => {
    const { ada, kept } = await game(() => ({ reconnect: () => new Promise<never>(() => undefined) }), { restoreMarginMs: 500 });
    const cutAt = Date.now();
    dropConnection(ada());
    assert.deepEqual(await kept.ended, { reason: "expired" });
    assert.ok(Date.now() - cutAt < WINDOW_MS + 500 + 1500, `${Date.now() - cutAt} ms after the cut`);
  });

  it("a room that is gone (522 three times in a row) ends the seat at once, not after the window and its margin", async () => {
    const { created, ada, kept } = await game(undefined, { restoreMarginMs: 30_000 });
    const cutAt = Date.now();
    dropConnection(ada());
    await suite.colyseus.getRoomById(created.roomId).disconnect();
    assert.deepEqual(await kept.ended, { reason: "gone" });
    assert.ok(Date.now() - cutAt < 10_000, `${Date.now() - cutAt} ms after the cut`);
  });

  it("the copyable file's codes are the server's: a room moved (4412) and a slow client (4430) come back; a flood (4429) does not", () => {
    assert.ok(COME_BACK.has(CLOSE_ROOM_MOVED) && COME_BACK.has(CLOSE_SLOW_CLIENT));
    assert.ok(!COME_BACK.has(CLOSE_FLOODING));
  });

  it("a flood's close (4429) ends the seat: the server gave it up", async () => {
    const { ada, bob, kept } = await game();
    for (let i = 0; i < 300; i++) ada().send("make_move", { row: 9, col: 9 });
    assert.deepEqual(await kept.ended, { reason: "closed", code: CLOSE_FLOODING });
    await bob.until(() => bob.state.phase === "over", "the flooder forfeits");
  });
});
