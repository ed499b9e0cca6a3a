/**
 * A room's listing row (src/rooms/room-listing.ts) on its own, with its room's parts as
 * plain values: when a row is written, what it says (open, absent, names, commitment), and
 * that a superseded copy lists nothing.
 */
import assert from "node:assert/strict";
import type { Logger } from "../../src/logger.js";
import type { ListingMetadata } from "../../src/rooms/settings.js";
import { RoomListing, type ListedRoom, type ListingNow } from "../../src/rooms/room-listing.js";

interface Game {
  players: string[];
  started: boolean;
  seatable: boolean;
}

function setUp() {
  const world = { game: { players: [] as string[], started: false, seatable: true } as Game, away: new Set<string>(), draining: false, pending: 0, namesVersion: 0, commitment: "", superseded: false };
  const room: ListedRoom = {
    rules: {
      playerIds: (g: Game) => g.players,
      isStarted: (g: Game) => g.started,
      canSeat: (g: Game) => (g.seatable ? { ok: true } : { ok: false, code: "NOT_ALLOWED", message: "no" }),
    } as never,
    game: () => world.game,
    away: { everyone: (ids) => ids.length > 0 && ids.every((id) => world.away.has(id)) },
    drain: {
      get draining() {
        return world.draining;
      },
    },
    names: {
      get version() {
        return world.namesVersion;
      },
      of: (ids) => ids.map((id) => id.toUpperCase()),
    },
    pendingPlayers: () => world.pending,
    commitment: () => world.commitment,
    superseded: () => world.superseded,
  };
  const written: ListingMetadata[] = [];
  const listing = new RoomListing(
    { game: "tictactoe", seats: 2, settings: { turnSeconds: 30 }, host: "h" },
    room,
    async (metadata) => void written.push(metadata),
    { error: () => assert.fail("no write fails here") } as never,
  );
  return { world, listing, written };
}

/** For the tests of put(), which reads nothing from the room. */
const UNUSED_ROOM = new Proxy({}, { get: () => assert.fail("put() reads nothing from the room") }) as ListedRoom;

describe("RoomListing.update: the row's fields read from the room", () => {
  it("writes the first row, then only when a listed field changed (most commits change none)", () => {
    const { world, listing, written } = setUp();
    listing.update();
    assert.deepEqual(written, [{ game: "tictactoe", players: 0, seats: 2, started: false, open: true, absent: false, names: [], settings: { turnSeconds: 30 }, host: "h" }]);
    listing.update();
    listing.update();
    assert.equal(written.length, 1, "nothing changed: no write");
    world.game = { ...world.game, players: ["a"] };
    world.namesVersion++;
    listing.update();
    assert.equal(written.length, 2);
    assert.deepEqual([written[1]!.players, written[1]!.names], [1, ["A"]]);
    world.game = { ...world.game, started: true };
    listing.update();
    assert.equal(written[2]!.started, true);
  });

  it("is open only while a seat can be taken now: not full with the reservations, the rules seat, no drain, someone there", () => {
    const { world, listing, written } = setUp();
    const open = () => (listing.update(), written.at(-1)!.open);
    world.game.players = ["a"];
    assert.equal(open(), true);
    world.pending = 1;
    assert.equal(open(), false, "the last seat is reserved");
    world.pending = 0;
    world.game = { ...world.game, seatable: false };
    assert.equal(open(), false, "the rules seat nobody");
    world.game = { ...world.game, seatable: true };
    world.draining = true;
    assert.equal(open(), false, "draining");
    world.draining = false;
    world.away.add("a");
    assert.equal(open(), false, "everyone waiting is away");
    assert.equal(written.at(-1)!.absent, true);
  });

  it("is absent only before the game starts, when every seated player is away", () => {
    const { world, listing } = setUp();
    assert.equal(listing.everyoneAway(), false, "nobody seated");
    world.game.players = ["a", "b"];
    world.away.add("a");
    assert.equal(listing.everyoneAway(), false, "one of two away");
    world.away.add("b");
    assert.equal(listing.everyoneAway(), true);
    world.game = { ...world.game, started: true };
    assert.equal(listing.everyoneAway(), false, "a running game is never absent");
  });

  it("a renamed player alone (the names' version moved) writes the row again with the new names", () => {
    const { world, listing, written } = setUp();
    world.game.players = ["a"];
    listing.update();
    world.game = { ...world.game, players: ["b"] };
    listing.update();
    assert.equal(written.length, 1, "same count, same version: the row stands");
    world.namesVersion++;
    listing.update();
    assert.deepEqual(written.map((w) => w.names), [["A"], ["B"]]);
  });

  it("lists the room's dice commitment as it is now", () => {
    const { world, listing, written } = setUp();
    world.commitment = "abc";
    listing.update();
    assert.equal(written[0]!.commitment, "abc");
  });

  it("a superseded copy (another process owns the room) writes nothing", () => {
    const { world, listing, written } = setUp();
    world.superseded = true;
    listing.update();
    world.game = { ...world.game, players: ["a"] };
    listing.update();
    assert.equal(written.length, 0);
  });
});

describe("RoomListing.put: the row written only when a field changed", () => {
  const log = { error: () => undefined } as unknown as Logger;
  const fixed = { game: "dice", seats: 4, settings: { turnSeconds: 30 }, host: "h1" };
  let written: ListingMetadata[];
  let listing: RoomListing;
  let nameReads: number;
  const now = (over: Partial<ListingNow> = {}): ListingNow => ({
    players: 1,
    started: false,
    open: true,
    absent: false,
    namesVersion: 1,
    names: () => (nameReads++, ["Ada"]),
    commitment: "",
    ...over,
  });

  beforeEach(() => {
    written = [];
    nameReads = 0;
    listing = new RoomListing(fixed, UNUSED_ROOM, async (m) => void written.push(m), log);
  });

  it("the first update writes the whole row; the same facts again write nothing and do not read the names", () => {
    listing.put(now());
    assert.deepEqual(written, [{ game: "dice", players: 1, seats: 4, started: false, open: true, absent: false, names: ["Ada"], settings: { turnSeconds: 30 }, host: "h1" }]);
    listing.put(now());
    assert.equal(written.length, 1);
    assert.equal(nameReads, 1);
  });

  for (const [field, change] of [
    ["players", { players: 2 }],
    ["started", { started: true }],
    ["open", { open: false }],
    ["absent", { absent: true }],
    ["names (their version)", { namesVersion: 2 }],
    ["the dice commitment", { commitment: "c".repeat(64) }],
  ] as [string, Partial<ListingNow>][]) {
    it(`a change of ${field} alone writes the row again`, () => {
      listing.put(now());
      listing.put(now(change));
      assert.equal(written.length, 2);
      const { names: _n, namesVersion: _v, ...facts } = change;
      for (const [k, v] of Object.entries(facts)) assert.equal(written[1]![k as keyof ListingMetadata], v);
    });
  }

  it("a room with fair dice lists its commitment; one without lists none (no empty field)", () => {
    listing.put(now({ commitment: "a".repeat(64) }));
    assert.equal(written[0]!.commitment, "a".repeat(64));
    listing.put(now({ commitment: "" }));
    assert.equal("commitment" in written[1]!, false);
  });

  it("a failed write is logged, not thrown", async () => {
    const errors: unknown[] = [];
    const failing = new RoomListing(fixed, UNUSED_ROOM, () => Promise.reject(new Error("driver down")), { error: (o: unknown, msg: string) => errors.push([o, msg]) } as unknown as Logger);
    failing.put(now());
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
    const [fields, msg] = errors[0] as [{ err: Error }, string];
    assert.equal(msg, "listing update failed");
    assert.equal(fields.err.message, "driver down");
  });
});
