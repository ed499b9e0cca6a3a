/**
 * Two small parts of a room: its seated players' names (src/rooms/seat-names.ts) and its
 * row in the listing (src/rooms/room-listing.ts), written only when a field changed.
 */
import assert from "node:assert/strict";
import type { Logger } from "../../src/logger.js";
import { RoomListing, type ListingNow } from "../../src/rooms/room-listing.js";
import { SeatNames } from "../../src/rooms/seat-names.js";
import type { ListingMetadata } from "../../src/rooms/settings.js";

describe("SeatNames (src/rooms/seat-names.ts)", () => {
  it("a name already taken by a seated player is numbered (names compare case-blind); an unseated one does not count", () => {
    const names = new SeatNames();
    names.set("a", "Ada");
    names.set("b", "Ada (2)");
    names.set("gone", "Bob");
    assert.equal(names.unique("Ada", ["a", "b"]), "Ada (3)");
    assert.equal(names.unique("ada", ["a"]), "ada (2)");
    assert.equal(names.unique("Bob", ["a", "b"]), "Bob", "Bob's holder is not seated");
    assert.equal(names.unique("Cy", []), "Cy");
  });

  it("of() lists the seated players' names in their order and skips those without one (bots); the version moves on every set and real delete only", () => {
    const names = new SeatNames();
    const v0 = names.version;
    names.set("a", "Ada");
    names.set("b", "Bob");
    assert.deepEqual(names.of(["b", "bot", "a"]), ["Bob", "Ada"]);
    assert.equal(names.version, v0 + 2);
    assert.equal(names.delete("nobody"), false);
    assert.equal(names.version, v0 + 2, "nothing removed: same version");
    assert.equal(names.delete("a"), true);
    assert.equal(names.version, v0 + 3);
    assert.equal(names.get("a"), undefined);
    assert.equal(names.get("b"), "Bob");
  });
});

describe("RoomListing (src/rooms/room-listing.ts)", () => {
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
    listing = new RoomListing(fixed, async (m) => void written.push(m), log);
  });

  it("the first update writes the whole row; the same facts again write nothing and do not read the names", () => {
    listing.update(now());
    assert.deepEqual(written, [{ game: "dice", players: 1, seats: 4, started: false, open: true, absent: false, names: ["Ada"], settings: { turnSeconds: 30 }, host: "h1" }]);
    listing.update(now());
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
      listing.update(now());
      listing.update(now(change));
      assert.equal(written.length, 2);
      const { names: _n, namesVersion: _v, ...facts } = change;
      for (const [k, v] of Object.entries(facts)) assert.equal(written[1]![k as keyof ListingMetadata], v);
    });
  }

  it("a room with fair dice lists its commitment; one without lists none (no empty field)", () => {
    listing.update(now({ commitment: "a".repeat(64) }));
    assert.equal(written[0]!.commitment, "a".repeat(64));
    listing.update(now({ commitment: "" }));
    assert.equal("commitment" in written[1]!, false);
  });

  it("a failed write is logged, not thrown", async () => {
    const errors: unknown[] = [];
    const failing = new RoomListing(fixed, () => Promise.reject(new Error("driver down")), { error: (o: unknown, msg: string) => errors.push([o, msg]) } as unknown as Logger);
    failing.update(now());
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
    const [fields, msg] = errors[0] as [{ err: Error }, string];
    assert.equal(msg, "listing update failed");
    assert.equal(fields.err.message, "driver down");
  });
});
