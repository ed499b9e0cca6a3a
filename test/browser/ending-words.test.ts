/**
 * The words of an ending, as the web client writes them (client/src/ending.ts, view.ts): a
 * player who left and one whose connection dropped and who did not come back read apart,
 * in the result line, the status of the one left alone, and a replay's step. Plain
 * functions: no page needed.
 */
import assert from "node:assert/strict";
import { endLine, forfeitLine, wentLine } from "../../client/src/ending.js";
import { plainText } from "../../client/src/dom.js";
import { aloneStatus, commonStepLine, type ReplayStepInfo } from "../../client/src/view.js";
import type { HistoryEntry } from "../../src/protocol/messages.js";
import { clientViews } from "../helpers/views.js";

const step = (action: ReplayStepInfo["action"]): ReplayStepInfo => ({ before: {}, after: {}, action, actor: "a", who: "Bob", drawn: [] }) as unknown as ReplayStepInfo;

describe("The client's ending words", () => {
  it("a forfeit by a dropped connection reads 'did not come back', a consented leave 'left': for the winner, a spectator, and with nobody left", () => {
    const words = (reason: string, myName: string, winner = "Ada") => plainText(endLine({ reason, name: "Bob", winner }, myName));
    assert.equal(words("dropped", "Ada"), "Bob did not come back — you win by forfeit.");
    assert.equal(words("dropped", ""), "Bob did not come back — Ada wins by forfeit.");
    assert.equal(words("dropped", "", ""), "Bob did not come back.");
    assert.equal(words("left", "Ada"), "Bob left — you win by forfeit.");
    assert.equal(words("left", ""), "Bob left — Ada wins by forfeit.");
    assert.equal(plainText(forfeitLine("dropped", "Bob", "Ada", "Ada")!), "Bob did not come back — you win by forfeit.", "the result line is a forfeit's");
    assert.equal(forfeitLine("won", "Ada", "Ada", "Ada"), undefined, "a win by the rules is each game's own words");
  });

  it("every ending from each side: a win, a draw, a turn that ran out (the winner, the loser, a spectator), and one the client does not know", () => {
    const words = (data: Record<string, unknown> | undefined, myName: string) => plainText(endLine(data, myName));
    assert.equal(words({ reason: "won", name: "Ada", winner: "Ada" }, "Ada"), "You win!");
    assert.equal(words({ reason: "won", name: "Ada", winner: "Ada" }, "Bob"), "Ada wins!");
    assert.equal(words({ reason: "won", name: "Ada", winner: "Ada" }, ""), "Ada wins!", "a spectator");
    assert.equal(words({ reason: "won", name: "Ada" }, ""), "Ada wins!", "an old entry without a winner names the player");
    assert.equal(words({ reason: "won", name: "", winner: "" }, ""), " wins!", "a spectator named '' is not the winner named ''");
    assert.equal(words({ reason: "draw", name: "", winner: "" }, "Ada"), "It's a draw.");
    assert.equal(words({ reason: "timeout", name: "Bob", winner: "Ada" }, "Ada"), "Time ran out for Bob — you win.");
    assert.equal(words({ reason: "timeout", name: "Bob", winner: "Ada" }, "Bob"), "Your time ran out — Ada wins.");
    assert.equal(words({ reason: "timeout", name: "Bob", winner: "Ada" }, ""), "Time ran out for Bob — Ada wins.");
    assert.equal(words({ reason: "timeout", name: "Bob", winner: "" }, ""), "Time ran out for Bob.", "Dice's timeout on the last turn may name no winner");
    assert.equal(words({ reason: "timeout", name: "", winner: "Ada" }, ""), "Time ran out for  — Ada wins.", "a spectator is not the player whose time ran out");
    assert.equal(words({ reason: "surrender" }, "Ada"), "The game ended.");
    assert.equal(words(undefined, "Ada"), "The game ended.");
    assert.equal(plainText(forfeitLine("timeout", "Bob", "Ada", "")!), "Time ran out for Bob — Ada wins.", "a timeout's result line is a forfeit's");
    assert.equal(forfeitLine("draw", "", "", ""), undefined);
  });

  it("the player left alone, and a spectator, read how the other went", () => {
    const alone = (endReason: string, seated: boolean) => plainText(aloneStatus({ endReason, endName: "Bob" }, seated, "Invite someone.", "Waiting for a new player…"));
    assert.equal(alone("dropped", true), "Bob did not come back. Invite someone.");
    assert.equal(alone("left", false), "Bob left. Waiting for a new player…");
    assert.equal(alone("won", true), "Your opponent left. Invite someone.", "a leave after a win by the rules");
    assert.equal(alone("timeout", false), "A player left. Waiting for a new player…");
  });

  it("a status naming who went: 'left' or 'did not come back', and nothing for an ending that is no player gone", () => {
    assert.equal(plainText(wentLine({ endReason: "dropped", endName: "Bob" }, "Waiting…")!), "Bob did not come back. Waiting…");
    assert.equal(plainText(wentLine({ endReason: "left", endName: "Bob" }, "Waiting…")!), "Bob left. Waiting…");
    assert.equal(wentLine({ endReason: "won", endName: "Bob" }, "Waiting…"), undefined);
  });

  it("Owe Drahn's log line of a player out of a running game: 'did not come back: out' after a dropped connection, 'left the game: out' after Leave", () => {
    const entry = clientViews().find((v) => v.protocol.name === "owedrahn")!;
    const room = { sessionId: "me", onMessage: () => () => undefined };
    const view = entry.screen({ room, send: () => undefined, log: () => undefined, rerender: () => undefined } as never);
    const line = (data: Record<string, unknown>) => plainText(view.historyLine!({ game: 1, kind: "left", who: "Ada", data } as HistoryEntry, undefined)!);
    assert.equal(line({ reset: true, dropped: true }), "Ada did not come back: out, and the total is back to 0.");
    assert.equal(line({ reset: false }), "Ada left the game: out.");
  });

  it("a replay's step says whether the player left or did not come back", () => {
    assert.equal(plainText(commonStepLine(step({ type: "leave" }))!), "Bob left the game.");
    assert.equal(plainText(commonStepLine(step({ type: "leave", dropped: true }))!), "Bob did not come back.");
  });
});
