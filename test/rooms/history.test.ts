/**
 * The room history on its own (src/rooms/history.ts): entries numbered in order, each game
 * opened by a `start` line, and only the newest HISTORY_LIMIT kept in the state's map.
 */
import assert from "node:assert/strict";
import { MapSchema } from "@colyseus/schema";
import { HISTORY_LIMIT, RoomHistory } from "../../src/rooms/history.js";

describe("Room history", () => {
  it("numbers entries, opens each game with a start line, and keeps only the newest entries", () => {
    const map = new MapSchema<string>();
    const history = new RoomHistory(map);
    history.newGame();
    history.add([{ kind: "move", who: "Ada", data: { mark: "X", row: 1, col: 2 } }, { kind: "end", data: { reason: "won", name: "Ada", winner: "Ada" } }]);
    assert.deepEqual(Object.fromEntries(map.entries()), {
      "1": JSON.stringify([1, "start", ""]),
      "2": JSON.stringify([1, "move", "Ada", { mark: "X", row: 1, col: 2 }]),
      "3": JSON.stringify([1, "end", "", { reason: "won", name: "Ada", winner: "Ada" }]),
    });

    history.newGame();
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) history.add([{ kind: "move", who: "Bob" }]);
    const keys = [...map.keys()].map(Number).sort((a, b) => a - b);
    const last = 3 + 1 + HISTORY_LIMIT + 10;
    assert.equal(keys.length, HISTORY_LIMIT, "a bounded history");
    assert.deepEqual(keys, Array.from({ length: HISTORY_LIMIT }, (_, i) => last - HISTORY_LIMIT + 1 + i), "the newest entries, consecutive");
    assert.equal(map.get(String(last)), JSON.stringify([2, "move", "Bob"]), "the second game's entries say so");
  });
});
