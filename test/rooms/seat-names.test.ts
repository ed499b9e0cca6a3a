/**
 * A small part of a room: its seated players' names (src/rooms/seat-names.ts).
 */
import assert from "node:assert/strict";
import { SeatNames } from "../../src/rooms/seat-names.js";

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
