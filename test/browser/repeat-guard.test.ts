/**
 * A second tap that could only be refused, or undo the first, is not sent (client/src/sender.ts
 * RepeatGuard): a play-test found that a double click on a Connect Four column, on Owe
 * Drahn's Roll or on a name in "Who plays next?" showed "It is not your turn" right after the
 * player's own legal move; another, on a 300–800 ms mobile link, that a second tap before the
 * server's answer did so too (a second cell in TicTacToe), or unselected the die just selected
 * in Dice.
 */
import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { checkedSender, RepeatGuard } from "../../client/src/sender.js";
import { ErrorCode } from "../../src/protocol/errors.js";
import { connectFourProtocol } from "../../src/protocol/games/connectfour.js";
import { diceProtocol } from "../../src/protocol/games/dice.js";

describe("RepeatGuard: a double click's second message", () => {
  it("the same message within 500 ms is left out, answered or not; another message, or the same one later, goes once the last was answered", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.first("drop", { column: 3 }, 1000), true);
    guard.answered();
    assert.equal(guard.first("drop", { column: 3 }, 1200), false, "a double click");
    assert.equal(guard.first("drop", { column: 3 }, 1499), false, "still within the window of the first");
    assert.equal(guard.first("drop", { column: 3 }, 1500), true, "half a second after the first");
    guard.answered();
    assert.equal(guard.first("drop", { column: 4 }, 1501), true, "another payload");
    guard.answered();
    assert.equal(guard.first("select", { column: 4 }, 1502), true, "another type");
    guard.answered();
    assert.equal(guard.first("drop", { column: 4 }, 1503), true, "only the last message counts");
  });

  it("while a move waits for the server's answer (a slow network), nothing else goes; a toggle lets other messages go but not itself; the answer, a refusal or 4 s end the wait", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.first("make_move", { row: 0, col: 0 }, 0), true);
    assert.equal(guard.sending(100), true, "the game area shows it busy");
    assert.equal(guard.first("make_move", { row: 0, col: 1 }, 700), false, "a second cell before the answer: it could only be refused");
    assert.equal(guard.first("make_move", { row: 0, col: 0 }, 900), false, "the same cell again");
    guard.answered();
    assert.equal(guard.sending(950), false);
    assert.equal(guard.first("make_move", { row: 0, col: 1 }, 1000), true, "once answered, the next move goes");
    assert.equal(guard.first("roll", {}, 5001), true, "an unanswered message blocks for 4 s at most");
    guard.reset();
    assert.equal(guard.first("roll", {}, 5002), true, "a refusal lets it go again at once");

    const dice = new RepeatGuard();
    assert.equal(dice.first("select", { index: 2 }, 0, true), true);
    assert.equal(dice.first("select", { index: 2 }, 600, true), false, "the same die again before its answer would unselect it unseen");
    assert.equal(dice.first("select", { index: 4 }, 650, true), true, "another die goes");
    assert.equal(dice.first("set_aside", { endTurn: true }, 700, false), true, "Bank goes after the selects");
    assert.equal(dice.first("select", { index: 5 }, 750, true), false, "nothing after Bank until it is answered");
    dice.answered();
    assert.equal(dice.first("select", { index: 2 }, 800, true), true, "answered: a toggle again is a choice (unselect)");
  });

  it("the wait for an answer ends exactly 4 s after the message: busy until then, and nothing else goes", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.sending(0), false, "nothing sent yet");
    assert.equal(guard.first("roll", {}, 10_000), true);
    assert.equal(guard.sending(13_999), true);
    assert.equal(guard.first("make_move", { row: 0, col: 0 }, 13_999), false);
    assert.equal(guard.sending(14_000), false);
    assert.equal(guard.first("make_move", { row: 0, col: 0 }, 14_000), true);
  });

  it("a payload the protocol refuses is not sent: it is refused here, as the server would (INVALID_PAYLOAD), and blocks nothing", () => {
    const sent: string[] = [];
    const room = { send: (type: string) => void sent.push(type) } as unknown as Room;
    const refusals: [string, string][] = [];
    const drop = checkedSender(room, connectFourProtocol, (_title, detail, code) => void refusals.push([code, String(detail)]));
    drop("drop", { column: "three" } as never);
    assert.deepEqual(sent, []);
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0]![0], ErrorCode.INVALID_PAYLOAD);
    assert.notEqual(refusals[0]![1], "", "the validator's reason");
    drop("drop", { column: 3 });
    assert.deepEqual(sent, ["drop"], "a valid move goes at once after it");
  });

  it("after a reset (the first was refused, or the player's turn began) the same message goes at once", () => {
    const guard = new RepeatGuard();
    assert.equal(guard.first("roll", {}, 0), true);
    guard.reset();
    assert.equal(guard.first("roll", {}, 10), true);
    assert.equal(guard.first("roll", {}, 20), false);
  });

  it("the sender leaves out a double click's second message, but not a toggle's once the first was answered (Dice's select: select, then unselect)", () => {
    const sent: string[] = [];
    const room = { send: (type: string, payload: unknown) => void sent.push(`${type} ${JSON.stringify(payload)}`) } as unknown as Room;
    const drop = checkedSender(room, connectFourProtocol, () => undefined);
    drop("drop", { column: 3 });
    drop("drop", { column: 3 });
    assert.deepEqual(sent, ['drop {"column":3}'], "the double click sent once");
    sent.length = 0;
    const guard = new RepeatGuard();
    let told = 0;
    const dice = checkedSender(room, diceProtocol, () => undefined, guard, ["select"], () => told++);
    dice("select", { index: 2 });
    guard.answered();
    dice("select", { index: 2 });
    guard.answered();
    dice("roll", {});
    guard.answered();
    dice("roll", {});
    assert.deepEqual(sent, ['select {"index":2}', 'select {"index":2}', "roll {}"], "both selects go; the second roll does not");
    assert.equal(told, 3, "told of each message that went");
  });
});
