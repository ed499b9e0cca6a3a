/**
 * A double click's second message is not sent (client/src/view.ts RepeatGuard): a play-test
 * found that a double click on a Connect Four column, on Owe Drahn's Roll or on a name in
 * "Who plays next?" showed "It is not your turn" right after the player's own legal move.
 */
import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { checkedSender, RepeatGuard } from "../../client/src/view.js";
import { connectFourProtocol } from "../../src/protocol/games/connectfour.js";
import { diceProtocol } from "../../src/protocol/games/dice.js";

describe("RepeatGuard: a double click's second message", () => {
  it("the same message within 500 ms is left out; another message, or the same one later, goes", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.first("drop", { column: 3 }, 1000), true);
    assert.equal(guard.first("drop", { column: 3 }, 1200), false, "a double click");
    assert.equal(guard.first("drop", { column: 3 }, 1499), false, "still within the window of the first");
    assert.equal(guard.first("drop", { column: 3 }, 1500), true, "half a second after the first");
    assert.equal(guard.first("drop", { column: 4 }, 1501), true, "another payload");
    assert.equal(guard.first("select", { column: 4 }, 1502), true, "another type");
    assert.equal(guard.first("drop", { column: 4 }, 1503), true, "only the last message counts");
  });

  it("after a reset (the first was refused, or the player's turn began) the same message goes at once", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.first("roll", {}, 0), true);
    guard.reset();
    assert.equal(guard.first("roll", {}, 10), true);
    assert.equal(guard.first("roll", {}, 20), false);
  });

  it("the sender leaves out a double click's second message, but never a toggle's (Dice's select: select, then unselect)", () => {
    const sent: string[] = [];
    const room = { send: (type: string, payload: unknown) => void sent.push(`${type} ${JSON.stringify(payload)}`) } as unknown as Room;
    const drop = checkedSender(room, connectFourProtocol, () => undefined);
    drop("drop", { column: 3 });
    drop("drop", { column: 3 });
    assert.deepEqual(sent, ['drop {"column":3}'], "the double click sent once");
    sent.length = 0;
    const dice = checkedSender(room, diceProtocol, () => undefined, new RepeatGuard(), ["select"]);
    dice("select", { index: 2 });
    dice("select", { index: 2 });
    dice("roll", {});
    dice("roll", {});
    assert.deepEqual(sent, ['select {"index":2}', 'select {"index":2}', "roll {}"], "both selects go; the second roll does not");
  });
});
