/**
 * The game screen's fair-dice part (client/src/fair-dice.ts) on its own, with a stand-in
 * room: when a page sends its client seed (once per connection, then once per game that
 * ended; never a spectator's, never without a commitment), and which of its seeds a reveal
 * counts as the player's. No page needed.
 */
import assert from "node:assert/strict";
import type { Room } from "@colyseus/sdk";
import { FairDice } from "../../client/src/fair-dice.js";
import { CLIENT_SEED, type ServerEvents } from "../../src/protocol/messages.js";

/** A room whose state is a Dice game with fair dice: `commitment` shown, `seed` revealed ("" while secret). */
function standIn(sessionId = "me") {
  const sent: { type: string; seed: string }[] = [];
  const room = {
    sessionId,
    state: { phase: "waiting", players: new Map<string, { isBot: boolean }>(), fairness: { commitment: "", seed: "" } },
    send: (type: string, payload: { seed: string }) => sent.push({ type, seed: payload.seed }),
  };
  return { room, sent, asRoom: room as unknown as Room };
}

const reveal = (commitment: string, seed: string): ServerEvents["fairnessRevealed"] => ({ commitment, seed, clientSeeds: "", rolls: [], seats: [], first: "" }) as unknown as ServerEvents["fairnessRevealed"];

describe("The client's fair-dice part", () => {
  it("a seated page sends one client seed per connection, and one more after each game that ended; none without a commitment, none from a spectator", () => {
    const { room, sent, asRoom } = standIn();
    const fair = new FairDice(false, undefined, undefined, () => undefined);
    fair.connected();
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 0, "no commitment: test dice, no client seed");
    room.state.fairness.commitment = "c1";
    fair.stateChanged(asRoom);
    fair.stateChanged(asRoom);
    assert.deepEqual(sent.map((s) => s.type), [CLIENT_SEED], "once per connection, not at every state");
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 1, "not again when the game starts");
    room.state.fairness.seed = "s1";
    fair.stateChanged(asRoom);
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 2, "once more when the game's seed is revealed");
    fair.connected();
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 3, "a new connection sends again");
    assert.equal(new Set(sent.map((s) => s.seed)).size, 3, "a fresh seed each time");

    const spectator = standIn();
    spectator.room.state.fairness.commitment = "c1";
    const watching = new FairDice(true, undefined, undefined, () => undefined);
    watching.connected();
    watching.stateChanged(spectator.asRoom);
    assert.equal(spectator.sent.length, 0, "a spectator contributes no seed");
  });

  it("the reveal counts the seed the server last took as the player's, in the game the page saw start; one not acknowledged before a drop is not known to count", async () => {
    const { room, sent, asRoom } = standIn();
    room.state.players.set("me", { isBot: false }).set("bob", { isBot: false });
    const fair = new FairDice(false, undefined, undefined, () => undefined);
    fair.connected();
    room.state.fairness.commitment = "c1";
    fair.stateChanged(asRoom);
    fair.seedAccepted(sent[0]!.seed);
    fair.seedAccepted("someone else's");
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    const counted = (f: FairDice) => (f as unknown as { reveal?: { counted?: unknown; shownBefore?: string } }).reveal;
    assert.deepEqual(counted(fair)?.counted, { seed: sent[0]!.seed, seats: 2, seat: undefined, id: "me" });
    assert.equal(counted(fair)?.shownBefore, "c1", "the commitment the page showed before the game");

    // The next game: the seed sent after the reveal is not answered before the connection drops.
    room.state.phase = "waiting";
    room.state.fairness = { commitment: "c2", seed: "s1" };
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 2);
    fair.reconnected();
    room.state.fairness = { commitment: "c2", seed: "" };
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c2", "s2"));
    assert.equal(counted(fair)?.counted, null, "which seed counted is not known");
  });
});
