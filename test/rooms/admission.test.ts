/**
 * Admission to a room's places from the seat reservation on (src/rooms/admission.ts), on the
 * in-process test server: a player's unused reservation holds a seat until it expires (and
 * the room says so in its log), a spectator's never does, MAX_SPECTATORS counts unused
 * spectator reservations with connected spectators, the per-address spectator cap counts
 * both by the address the matchmaking route gave the room, a spectator who leaves frees the
 * slot, a dropped player's reconnection window holds no new seat, and a reservation Colyseus
 * itself refuses leaves nothing behind.
 *
 * Reservations from other addresses than 127.0.0.1 (every test client's) are made with
 * `matchMaker.joinById`, passing the address as the route does (ADDRESS_OPTION). TEST_ENV
 * lifts MAX_SPECTATORS_PER_IP (to 1000, above MAX_SPECTATORS): the per-address tests give
 * their one room a small cap instead.
 */
import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { JoinErrorCode, MatchmakingStatus } from "../../src/protocol/errors.js";
import { ADDRESS_OPTION } from "../../src/matchmaking/reservations.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import type { OweDrahnState } from "../../src/schema/OweDrahnState.js";
import { dropConnection, eventually, Player, quiet } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { roomLogs, TEST_ENV, testServer } from "../helpers/server.js";

type Ttt = TicTacToeState;
type Od = OweDrahnState;

interface Reservation {
  sessionId: string;
  roomId: string;
}

const EXPIRED = "unused seat reservation expired";
/** Colyseus's refusal of a reservation the room did not grant (the route answers it 409). */
const NOT_GRANTED = /is already full/;

describe("Admission: seat reservations and spectator slots", () => {
  const suite = roomSuite();
  const url = () => `http://127.0.0.1:${suite.port}`;

  /** The matchmaking route's reservation for room `roomId` (from 127.0.0.1), not used. */
  async function post(roomId: string, options: Record<string, unknown> = {}) {
    const res = await fetch(`${url()}/matchmake/joinById/${roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(options) });
    return { status: res.status, body: (await res.json()) as Reservation & { code?: number; error?: string } };
  }
  async function reserve(roomId: string, options: Record<string, unknown> = {}): Promise<Reservation> {
    const { status, body } = await post(roomId, options);
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  }
  async function refused(roomId: string, options: Record<string, unknown> = {}, why = "") {
    const { status, body } = await post(roomId, options);
    assert.equal(status, MatchmakingStatus.CONFLICT, `${why}: ${status} ${JSON.stringify(body)}`);
    assert.equal(body.code, JoinErrorCode.ROOM_FULL, why);
  }

  /** A reservation as the matchmaking route makes it for a client at `address`. */
  const reserveFrom = (address: string, roomId: string, options: Record<string, unknown> = {}) => matchMaker.joinById(roomId, { ...options, [ADDRESS_OPTION]: address });

  /** Connects with a reservation and waits for the first state. */
  async function use<S>(reservation: unknown): Promise<Player<S>> {
    const room = await suite.colyseus.sdk.consumeSeatReservation<S>(reservation as never);
    await room.waitForInitialState();
    return new Player<S>(room);
  }

  const listing = async (roomId: string) => (await matchMaker.query({ roomId }))[0]?.metadata as { open: boolean; players: number } | undefined;

  /** Gives room `roomId` a per-address spectator cap of `cap` (the test server lifts it). */
  function capSpectatorsPerAddress(roomId: string, cap: number) {
    const admission = (suite.colyseus.getRoomById(roomId) as unknown as { admission: { settings: Record<string, unknown> } }).admission;
    admission.settings = { ...admission.settings, maxSpectatorsPerIp: cap };
  }

  it("a player's unused reservation holds the last seat until it expires; the room logs each expiry and lists the seat free again", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const ada = await suite.join<Ttt>(room.roomId, { name: "Ada" });
    const ghost = await reserve(room.roomId, { name: "Ghost" });
    const watcher = await reserve(room.roomId, { spectate: true });
    await eventually(async () => (await listing(room.roomId))?.open === false, "the room unlisted while the seat is held");
    await refused(room.roomId, { name: "Late" }, "the held seat is not handed out twice");

    const expiry = Number(TEST_ENV.SEAT_RESERVATION_SECONDS) * 1000;
    await eventually(() => roomLogs(room.roomId).filter((l) => l.msg === EXPIRED).length === 2, "both reservations expire", expiry + 3000);
    const expired = roomLogs(room.roomId).filter((l) => l.msg === EXPIRED);
    assert.deepEqual(
      expired.map((l) => [l.sessionId, l.spectator]).sort(),
      [
        [ghost.sessionId, false],
        [watcher.sessionId, true],
      ].sort(),
      "one line per reservation, naming its session and whether it was a spectator's",
    );
    assert.ok(expired.every((l) => l.level === 30), "at info");
    await eventually(async () => (await listing(room.roomId))?.open === true, "listed open again");
    assert.equal((await listing(room.roomId))?.players, 1);

    const bob = await suite.join<Ttt>(room.roomId, { name: "Bob" });
    await ada.until(() => ada.state.phase === "playing", "the freed seat is taken");
    assert.equal(ada.state.players.get(bob.id)?.name, "Bob");
  });

  it("a spectator's unused reservation holds no seat: the next player still sits down, and the spectator watches", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const ada = await suite.join<Ttt>(room.roomId, { name: "Ada" });
    const reservation = await reserve(room.roomId, { spectate: true });
    assert.equal((await listing(room.roomId))?.open, true, "still listed open");

    const bob = await suite.join<Ttt>(room.roomId, { name: "Bob" });
    await ada.until(() => ada.state.phase === "playing", "the game starts");
    const watcher = await use<Ttt>(reservation);
    assert.equal(watcher.state.phase, "playing");
    assert.deepEqual([...watcher.state.players.keys()].sort(), [ada.id, bob.id].sort(), "the spectator has no seat");
  });

  it("MAX_SPECTATORS counts unused spectator reservations with connected spectators, never a player's reservation", async () => {
    const cap = (await testServer()).env.MAX_SPECTATORS;
    const room = await suite.colyseus.createRoom("tictactoe");
    // No seated player: Colyseus's own maxClients (seats + cap) is never what refuses here.
    const connected = await suite.join<Ttt>(room.roomId, { spectate: true });
    await reserve(room.roomId, { name: "Ada" }); // a player's, holding a seat
    for (let i = 1; i < cap; i++) await reserve(room.roomId, { spectate: true });
    await refused(room.roomId, { spectate: true }, `spectator ${cap + 1} (one connected, ${cap - 1} reserved)`);
    // A player's place is not a spectator's: the second seat is still free.
    await reserve(room.roomId, { name: "Bob" });
    assert.equal(connected.left, undefined);
  });

  it("the per-address spectator cap counts connected spectators and unused reservations of that address only; leaving frees a slot", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    capSpectatorsPerAddress(room.roomId, 2);
    const first = await suite.join<Ttt>(room.roomId, { spectate: true });
    await suite.join<Ttt>(room.roomId, { spectate: true });
    await refused(room.roomId, { spectate: true }, "a third spectator from 127.0.0.1");

    // Another address: 127.0.0.1's spectators are not its own.
    await reserveFrom("198.51.100.9", room.roomId, { spectate: true });
    await reserveFrom("198.51.100.9", room.roomId, { spectate: true });
    await assert.rejects(reserveFrom("198.51.100.9", room.roomId, { spectate: true }), NOT_GRANTED, "its two unused reservations are its cap");
    await reserveFrom("192.0.2.33", room.roomId, { spectate: true }); // a third address: neither's reservations count

    // A spectator of 127.0.0.1 leaves: that address may watch with another one.
    await first.room.leave();
    await eventually(async () => (await post(room.roomId, { spectate: true })).status === 200, "a slot for 127.0.0.1 again", 3000);
  });

  it("spectators without an address (reservations made by server code) count against no address", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    capSpectatorsPerAddress(room.roomId, 1);
    await use<Ttt>(await matchMaker.joinById(room.roomId, { spectate: true })); // connected, no address
    await matchMaker.joinById(room.roomId, { spectate: true }); // unused, no address
    await matchMaker.joinById(room.roomId, { spectate: true }); // no address: no per-address cap
    // An empty address is nobody's: the spectators without one are not counted as its.
    await reserveFrom("", room.roomId, { spectate: true });
    await reserveFrom("203.0.113.5", room.roomId, { spectate: true });
    await assert.rejects(reserveFrom("203.0.113.5", room.roomId, { spectate: true }), NOT_GRANTED, "its cap is 1");
  });

  it("a reservation made without options, or with an address that is not a string, is admitted and usable", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const [cached] = await matchMaker.query({ roomId: room.roomId });
    const player = await use<Ttt>(await matchMaker.reserveSeatFor(cached!, undefined as never));
    assert.ok(player.state.players.has(player.id), "seated");

    const watcher = await use<Ttt>(await matchMaker.joinById(room.roomId, { spectate: true, [ADDRESS_OPTION]: 42 }));
    assert.equal(watcher.state.players.has(watcher.id), false, "watching");
    assert.deepEqual([...watcher.state.players.keys()], [player.id]);
  });

  it("a dropped player's reconnection window holds no new seat: a newcomer takes the free one", async () => {
    const room = await suite.colyseus.createRoom("owedrahn", { maxPlayers: 3 });
    const ada = await suite.join<Od>(room.roomId, { name: "Ada" });
    const bob = await suite.join<Od>(room.roomId, { name: "Bob" });
    const seat = (id: string) => ada.state.players.find((p) => p?.id === id);
    bob.room.reconnection.enabled = false;
    dropConnection(bob.room);
    await ada.until(() => seat(bob.id)?.connected === false, "Bob away, his seat held");

    const cy = await suite.join<Od>(room.roomId, { name: "Cy" });
    await ada.until(() => seat(cy.id) !== undefined, "Cy seated");
    assert.deepEqual(ada.state.players.map((p) => p?.name).sort(), ["Ada", "Bob", "Cy"]);
  });

  it("late players' reservations into a started game take spectators' places: one address's cannot lock out another's spectator", async () => {
    const { room, a } = await suite.startedTicTacToe();
    capSpectatorsPerAddress(room.roomId, 4);
    // Each is refused with GAME_STARTED when used; until it expires Colyseus counts it in the
    // room's maxClients (seats + MAX_SPECTATORS). Those of one address stop at its cap.
    for (let i = 0; i < 4; i++) await reserveFrom("198.51.100.20", room.roomId, { name: `Late ${i}` });
    for (let i = 4; i < 16; i++) await assert.rejects(reserveFrom("198.51.100.20", room.roomId, { name: `Late ${i}` }), NOT_GRANTED, `late player ${i + 1} from one address`);
    await reserveFrom("198.51.100.20", room.roomId, { spectate: true }).then(
      () => assert.fail("its late players' reservations are its spectator cap"),
      (e: Error) => assert.match(e.message, NOT_GRANTED),
    );
    const watcher = await suite.join<Ttt>(room.roomId, { spectate: true });
    assert.equal(watcher.state.phase, "playing", "another address still watches");
    assert.deepEqual([...watcher.state.players.keys()].sort(), [...a.state.players.keys()].sort());
  });

  it("a reservation Colyseus refuses after admission leaves nothing behind to expire", async () => {
    const { room } = await suite.startedTicTacToe();
    // Colyseus's own limit lowered below the room's spectator budget: two players and two
    // reservations fill it, and the third passes admission and is refused by Colyseus.
    const cap = 2;
    await (suite.colyseus.getRoomById(room.roomId) as unknown as { setMatchmaking(u: { maxClients: number }): Promise<void> }).setMatchmaking({ maxClients: 2 + cap });
    const [cached] = await matchMaker.query({ roomId: room.roomId });
    const unused: string[] = [];
    for (let i = 0; i < cap; i++) unused.push((await matchMaker.reserveSeatFor(cached!, { spectate: true })).sessionId);
    await assert.rejects(matchMaker.reserveSeatFor(cached!, { spectate: true }, { sessionId: "refused-by-colyseus" }), NOT_GRANTED);

    const expiry = Number(TEST_ENV.SEAT_RESERVATION_SECONDS) * 1000;
    const expired = () => roomLogs(room.roomId).filter((l) => l.msg === EXPIRED);
    await eventually(() => expired().length >= cap, "the unused reservations expire", expiry + 3000);
    await quiet(300); // the refused one was made last: it would expire right after them
    assert.deepEqual(expired().map((l) => l.sessionId).sort(), unused.sort(), "only the granted reservations expire");
  });
});
