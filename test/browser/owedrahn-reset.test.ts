/**
 * Why an Owe Drahn total went back to 0 (the note under the total, client/src/games/owedrahn.ts):
 * which of the room's history entries say it. The Chromium test plays a bust, an "owe drahn"
 * and a choice; here, also a leave between the "owe drahn" and the choice, and what is too
 * far back. Plain data: no page needed.
 */
import assert from "node:assert/strict";
import type { HistoryEntry } from "../../src/protocol/messages.js";
import { ignoringCss } from "../helpers/views.js";

const { zeroReason } = ignoringCss(() => require("../../client/src/games/owedrahn.js") as typeof import("../../client/src/games/owedrahn.js"));

let seq = 0;
const entry = (kind: string, who: string, data?: HistoryEntry["data"]): HistoryEntry => ({ seq: ++seq, game: 1, kind, who, ...(data ? { data } : {}) });
const roll = (who: string, die: number, total: number) => entry("roll", who, { die, total });
const oweDrahn = (who: string) => entry("oweDrahn", who);
const next = (who: string, to: string) => entry("next", who, { next: to, timeout: false });
const left = (who: string, reset: boolean) => entry("left", who, { reset });
const start = () => entry("start", "");
const end = (winner: string) => entry("end", "", { reason: "won", name: "", winner });
const kinds = (recent: HistoryEntry[]) => {
  const reason = zeroReason(recent);
  return reason && { whos: reason.entries.map((e) => `${e.kind}:${e.who}`), bust: reason.bust };
};

describe("Owe Drahn: why the total is 0", () => {
  it("a roll over 15 is a bust: the roll alone, and nothing for an ordinary roll or a roll of exactly 15", () => {
    assert.deepEqual(kinds([roll("Jo", 6, 12), roll("Hal", 6, 18)]), { whos: ["roll:Hal"], bust: true });
    assert.equal(zeroReason([roll("Jo", 3, 0)]), undefined, "a first roll of 3 leaves the total at 0: nothing to explain");
    assert.equal(zeroReason([roll("Jo", 6, 15)]), undefined);
  });

  it("'owe drahn', then the choice of who plays next: both, in order", () => {
    assert.deepEqual(kinds([roll("Jo", 5, 11), oweDrahn("Hal")]), { whos: ["oweDrahn:Hal"], bust: false });
    assert.deepEqual(kinds([roll("Jo", 5, 11), oweDrahn("Hal"), next("Hal", "Jo")]), { whos: ["oweDrahn:Hal", "next:Hal"], bust: false });
  });

  it("a leave of a player not on turn between 'owe drahn' and the choice: the reason is found back over it", () => {
    assert.deepEqual(kinds([oweDrahn("Hal"), left("Kit", false), next("Hal", "Jo")]), { whos: ["oweDrahn:Hal", "left:Kit", "next:Hal"], bust: false });
    assert.deepEqual(kinds([roll("Hal", 6, 17), left("Kit", false)]), { whos: ["roll:Hal", "left:Kit"], bust: true });
  });

  it("a game that ended on it: the reason, without the end (a finished game's table says why its total reads 0; the winner line says the end); the next game's start ends the walk", () => {
    assert.deepEqual(kinds([roll("Jo", 5, 12), roll("Hal", 6, 18), end("Jo")]), { whos: ["roll:Hal"], bust: true });
    assert.deepEqual(kinds([oweDrahn("Hal"), end("Jo")]), { whos: ["oweDrahn:Hal"], bust: false });
    assert.deepEqual(kinds([roll("Jo", 4, 9), left("Jo", true), end("Hal")]), { whos: ["left:Jo"], bust: false });
    assert.deepEqual(kinds([oweDrahn("Hal"), left("Kit", false), left("Lu", false), end("Jo")]), { whos: ["oweDrahn:Hal", "left:Kit", "left:Lu"], bust: false }, "the end counts not among the two entries since");
    assert.equal(zeroReason([roll("Hal", 6, 18), end("Jo"), start()]), undefined);
  });

  it("the player on turn who left is the reason; a start, or more than two entries since, says nothing", () => {
    assert.deepEqual(kinds([roll("Jo", 4, 9), left("Jo", true)]), { whos: ["left:Jo"], bust: false });
    assert.deepEqual(kinds([roll("Jo", 4, 9), left("Jo", true), next("Hal", "Kit")]), { whos: ["left:Jo", "next:Hal"], bust: false });
    assert.equal(zeroReason([start()]), undefined);
    assert.equal(zeroReason([oweDrahn("Hal"), start(), next("Hal", "Jo")]), undefined, "an entry of another kind ends the walk");
    assert.equal(zeroReason([oweDrahn("Hal"), left("Kit", false), left("Lu", false), next("Hal", "Jo")]), undefined, "at most two entries since the reason");
    assert.deepEqual(kinds([oweDrahn("Hal"), left("Kit", false), left("Lu", false)]), { whos: ["oweDrahn:Hal", "left:Kit", "left:Lu"], bust: false });
    assert.equal(zeroReason([]), undefined);
  });
});
