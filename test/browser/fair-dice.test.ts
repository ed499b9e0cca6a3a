/**
 * The game screen's fair-dice part (client/src/fair-dice.ts) on its own, with a stand-in
 * room: when a page sends its client seed (once per connection, then once per game that
 * ended; never a spectator's, never without a commitment), what a reveal is checked against
 * (the seed that counted as the player's, the seats as the page saw the game begin, the
 * commitment shown before, the rolls read from the history), and the "Fair dice" section
 * with "Verify fairness" rendered in a DOM in Node (linkedom), its check run for real.
 * No page needed: the Chromium tests (fairness.test.ts) play the same in a browser.
 */
import assert from "node:assert/strict";
import { ArraySchema, MapSchema } from "@colyseus/schema";
import type { Room } from "@colyseus/sdk";
import { FairDice } from "../../client/src/fair-dice.js";
import { CLIENT_SEED, type ServerEvents } from "../../src/protocol/messages.js";
import { withDom } from "../helpers/dom.js";
import { referenceCommitment, referenceFirst, referenceRoll } from "../helpers/fair-reference.js";

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
    room.state.fairness = { commitment: "c2", seed: "" };
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 2, "not again when the next game starts");
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
    const subject = (f: FairDice) => f.subject;
    assert.deepEqual(subject(fair)?.counted, { seed: sent[0]!.seed, seats: 2, seat: undefined, id: "me" });
    assert.equal(subject(fair)?.shownBefore, "c1", "the commitment the page showed before the game");

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
    assert.equal(subject(fair)?.counted, null, "which seed counted is not known");
  });
});

/** A seat as the rooms' states hold it. */
type Seat = { id?: string; isBot?: boolean };

/** A room stand-in with the state the test gives (and changes); the client seeds sent, in order. */
function roomWith(state: { phase: string; players?: unknown; fairness?: { commitment: string; seed: string; next?: string }; history?: unknown }, sessionId = "me") {
  const sent: string[] = [];
  const room = { sessionId, state, send: (_type: string, payload: { seed: string }) => sent.push(payload.seed) };
  return { room, sent, asRoom: room as unknown as Room };
}

/** A page's part that has connected and read the state once. */
function connectedTo(asRoom: Room, options: { spectator?: boolean; joinSeed?: { seed: string; commitment: string }; rolls?: boolean } = {}) {
  const renders: (() => void)[] = [];
  const fair = new FairDice(
    options.spectator ?? false,
    options.joinSeed,
    options.rolls ? { fromHistory: (kind, data) => (kind === "roll" ? (data as { dice: number[] }).dice : undefined) } : undefined,
    () => renders.shift()?.(),
  );
  fair.connected();
  fair.stateChanged(asRoom);
  /** Resolves at the part's next call to re-render (a check finished). */
  const rendered = () => new Promise<void>((resolve) => renders.push(resolve));
  return { fair, rendered };
}

describe("The client's fair-dice part: what a reveal is checked against", () => {
  it("a list of seats (Owe Drahn, an ArraySchema): the seat order the page saw when the game began, its own place in it, and the bots; seats that change later do not count", () => {
    const { room, sent, asRoom } = roomWith({ phase: "waiting", players: new ArraySchema<Seat>({ id: "bob" }, { id: "me" }, { id: "bot-1", isBot: true }), fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom);
    fair.seedAccepted(sent[0]!);
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    // Bob leaves mid-game and Eve takes a place: the game's dice were dealt to the seats at its start.
    room.state.players = new ArraySchema<Seat>({ id: "me" }, { id: "bot-1", isBot: true }, { id: "eve" });
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.counted, { seed: sent[0], seats: 3, seat: 1, id: "me" });
    assert.deepEqual(fair.subject?.opening, { seats: ["bob", "me", "bot-1"], ordered: true, bots: ["bot-1"] });
    assert.equal(fair.subject?.shownBefore, "c1");
    assert.ok(fair.subject?.ownSeeds?.has(sent[0]!), "the page's own seeds, for the view to point out");
  });

  it("a plain list, a page not in it, and an id that is missing: the seats as listed, no place of the page's own", () => {
    const { room, sent, asRoom } = roomWith({ phase: "waiting", players: [{ id: "ada" }, {}, { id: "cy", isBot: false }], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom);
    fair.seedAccepted(sent[0]!);
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.counted, { seed: sent[0], seats: 3, seat: undefined, id: "me" });
    assert.deepEqual(fair.subject?.opening, { seats: ["ada", "", "cy"], ordered: true, bots: [] });
  });

  it("a map of seats (Dice, a MapSchema): the players as a set, with the bots; a bust pause ('busted') is a running game too", () => {
    const players = new MapSchema<Seat>();
    players.set("me", {});
    players.set("bot-7", { isBot: true });
    const { room, sent, asRoom } = roomWith({ phase: "waiting", players, fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom);
    fair.seedAccepted(sent[0]!);
    room.state.phase = "busted";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.counted, { seed: sent[0], seats: 2, seat: undefined, id: "me" });
    assert.deepEqual(fair.subject?.opening, { seats: ["me", "bot-7"], ordered: false, bots: ["bot-7"] });
  });

  for (const [what, phase, players] of [
    ["the page never saw the game running (its phase 'waiting')", "waiting", [{ id: "me" }, { id: "bob" }]],
    ["the page first saw it over", "over", [{ id: "me" }, { id: "bob" }]],
    ["the state holds no seats the page can read", "playing", { size: 2 }],
    ["the state's seats look like a list but have no length", "playing", { toArray: () => [{ id: "me" }] }],
    ["the state holds no seats at all", "playing", undefined],
  ] as const) {
    it(`no seats, no own seed checked at its place, when ${what}`, () => {
      const { sent, asRoom } = roomWith({ phase, players, fairness: { commitment: "c1", seed: "" } });
      const { fair } = connectedTo(asRoom);
      fair.seedAccepted(sent[0]!);
      fair.revealed(asRoom, reveal("c1", "s1"));
      assert.equal(fair.subject?.counted, null, "which seat was the page's is not known");
      assert.deepEqual(fair.subject?.opening, {});
      assert.equal(fair.subject?.shownBefore, "c1");
    });
  }

  it("a reveal of another game than the one the page saw start (it missed a reveal in a drop) checks neither seats nor seed, against the commitment last shown", () => {
    const { room, sent, asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c2", seed: "" } });
    const { fair } = connectedTo(asRoom);
    fair.seedAccepted(sent[0]!);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.equal(fair.subject?.counted, null);
    assert.deepEqual(fair.subject?.opening, {});
    assert.equal(fair.subject?.shownBefore, "c2", "the view says the commitment is not the one shown");
    // The reveal that does match is still checked at its seats.
    fair.revealed(asRoom, reveal("c2", "s2"));
    assert.equal(fair.subject?.counted, null, "the game's seats were cleared with the first reveal");
    room.state.fairness = { commitment: "c3", seed: "" };
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c3", "s3"));
    assert.deepEqual(fair.subject?.counted, { seed: sent[0], seats: 2, seat: 0, id: "me" });
  });

  it("a spectator's page checks the seats it saw, and no seed of its own", () => {
    const { asRoom } = roomWith({ phase: "playing", players: [{ id: "ada" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" } }, "watcher");
    const { fair } = connectedTo(asRoom, { spectator: true });
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.equal(fair.subject?.counted, undefined);
    assert.deepEqual(fair.subject?.opening, { seats: ["ada", "bob"], ordered: true, bots: [] });
  });

  it("a page that never saw the game's commitment while it was secret has none to compare the reveal with", () => {
    const { asRoom } = roomWith({ phase: "over", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "s1" } });
    const { fair } = connectedTo(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.equal(fair.subject?.shownBefore, undefined);
  });

  it("a state whose fairness says no commitment, or no seed yet: no commitment means test dice (nothing sent); no seed means it is secret", () => {
    const none = roomWith({ phase: "waiting", players: [{ id: "me" }], fairness: {} as { commitment: string; seed: string } });
    connectedTo(none.asRoom);
    assert.equal(none.sent.length, 0, "no client seed without a commitment");
    const secret = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1" } as { commitment: string; seed: string } });
    const { fair } = connectedTo(secret.asRoom);
    assert.equal(secret.sent.length, 1);
    fair.seedAccepted(secret.sent[0]!);
    fair.revealed(secret.asRoom, reveal("c1", "s1"));
    assert.equal(fair.subject?.shownBefore, "c1", "the commitment was noted as shown while secret");
    assert.deepEqual(fair.subject?.counted, { seed: secret.sent[0], seats: 2, seat: 0, id: "me" });
  });

  it("no reveal yet: nothing to check", () => {
    const { asRoom } = roomWith({ phase: "playing", players: [], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom);
    assert.equal(fair.subject, undefined);
  });
});

describe("The client's fair-dice part: the seed sent with a join", () => {
  it("a join that starts the game: the join's seed is the page's in that game, checked against the commitment the listing showed; the next game counts the seed the server took after", () => {
    const { room, sent, asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom, { joinSeed: { seed: "join-seed", commitment: "listed" } });
    // The page sends a fresh seed on connecting too: the game has started, so the server refuses it.
    assert.equal(sent.length, 1);
    fair.seedRefused();
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.counted, { seed: "join-seed", seats: 2, seat: 0, id: "me" });
    assert.equal(fair.subject?.shownBefore, "listed", "the commitment listed before the join");
    assert.ok(fair.subject?.ownSeeds?.has("join-seed"));

    room.state.phase = "waiting";
    room.state.fairness = { commitment: "c2", seed: "s1" };
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 2, "a seed for the next game");
    fair.seedAccepted(sent[1]!);
    room.state.fairness = { commitment: "c2", seed: "" };
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c2", "s2"));
    assert.deepEqual(fair.subject?.counted, { seed: sent[1], seats: 2, seat: 0, id: "me" });
    assert.equal(fair.subject?.shownBefore, "c2");
  });

  it("a join whose game's reveal the page missed (a drop): the join's seed is not the page's in the next game", () => {
    const { room, sent, asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom, { joinSeed: { seed: "join-seed", commitment: "listed" } });
    fair.seedRefused();
    // The connection drops; the game ends and the next one starts before the page is back.
    fair.dropped();
    fair.connected();
    room.state.fairness = { commitment: "c2", seed: "" };
    fair.stateChanged(asRoom);
    assert.equal(sent.length, 2, "a seed sent on reconnecting");
    fair.seedRefused();
    fair.revealed(asRoom, reveal("c2", "s2"));
    assert.equal(fair.subject?.counted, null, "no seed of the page's is known to count in this game");
    assert.equal(fair.subject?.shownBefore, "c2");
  });

  it("a join into a waiting room: the seed sent on connecting takes the join's place; unanswered when the game starts, no seed of the page's is known to count", () => {
    const { room, sent, asRoom } = roomWith({ phase: "waiting", players: [{ id: "me" }], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(asRoom, { joinSeed: { seed: "join-seed", commitment: "listed" } });
    assert.equal(sent.length, 1);
    room.state.players = [{ id: "me" }, { id: "bob" }];
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.equal(fair.subject?.counted, null);
    assert.equal(fair.subject?.shownBefore, "c1", "the commitment the page showed, not the one listed before its join");
  });
});

describe("The client's fair-dice part: acknowledgements across reconnections", () => {
  /** A seat in a running two-player game whose first seed the server took: `sent[0]` counted. */
  function seatedWithCountedSeed() {
    const setup = roomWith({ phase: "waiting", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" } });
    const { fair } = connectedTo(setup.asRoom);
    fair.seedAccepted(setup.sent[0]!);
    return { ...setup, fair };
  }
  /** Starts the game, then reveals it. */
  function playAndReveal({ room, asRoom, fair }: ReturnType<typeof seatedWithCountedSeed>, commitment: string) {
    room.state.phase = "playing";
    room.state.fairness = { commitment, seed: "" };
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal(commitment, `seed of ${commitment}`));
    return fair.subject?.counted;
  }

  it("a seed answered before the connection drops still counts after the reconnection, by the SDK or by a new connection", () => {
    for (const again of ["reconnected", "connected"] as const) {
      const game = seatedWithCountedSeed();
      game.fair[again]();
      assert.equal(playAndReveal(game, "c1")?.seed, game.sent[0], again);
    }
  });

  /** The first game played and revealed with `sent[0]` counted; after its reveal the page sent `sent[1]`, not answered yet. */
  function afterTheFirstGame() {
    const game = seatedWithCountedSeed();
    assert.equal(playAndReveal(game, "c1")?.seed, game.sent[0]);
    game.room.state.phase = "waiting";
    game.room.state.fairness = { commitment: "c2", seed: "seed of c1" };
    game.fair.stateChanged(game.asRoom);
    assert.equal(game.sent.length, 2);
    return game;
  }

  it("a seed the server refused (the game had started) leaves the one it took before counting, across a reconnection", () => {
    // The next game starts before the page's new seed arrives.
    const game = afterTheFirstGame();
    game.fair.seedRefused();
    game.fair.reconnected();
    assert.equal(playAndReveal(game, "c2")?.seed, game.sent[0], "the server kept the seed it took for the first game");
  });

  it("a late answer for an older seed counts that one, but the newer seed still awaits its answer: lost in a reconnection, no seed is known to count", () => {
    const game = afterTheFirstGame();
    game.fair.seedAccepted(game.sent[0]!);
    game.fair.reconnected();
    assert.equal(playAndReveal(game, "c2"), null);
  });
});

describe("The client's fair-dice part: the rolls the page read", () => {
  /** A room history (the state's `history`: JSON entries `[game, kind, who, data]` by sequence number). */
  function history() {
    const entries = new MapSchema<string>();
    let seq = 0;
    const add = (entry: unknown[]) => entries.set(String(++seq), JSON.stringify(entry));
    return { entries, add, skip: () => ++seq };
  }

  it("the rolls read from the history while the game ran, and who the game's start put on turn, go to the check", () => {
    const h = history();
    const { sent, asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" }, history: h.entries });
    h.add([1, "start", "", { first: "bob" }]);
    const { fair } = connectedTo(asRoom, { rolls: true });
    h.add([1, "roll", "Bob", { dice: [1, 5, 6] }]);
    h.add([1, "aside", "Bob", { values: [1] }]);
    h.add([1, "roll", "Bob", { dice: [2, 2] }]);
    fair.stateChanged(asRoom);
    fair.seedRefused();
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.seen, { rolls: [[1, 5, 6], [2, 2]], complete: true, startedBy: "bob" });
    assert.deepEqual(fair.subject?.opening, { startedBy: "bob", seats: ["me", "bob"], ordered: true, bots: [] });
    assert.equal(sent.length, 1);
  });

  it("entries the history skipped while the page was connected are named; after a drop they are only missed", () => {
    for (const drop of [false, true]) {
      const h = history();
      const { asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" }, history: h.entries });
      h.add([1, "start", "", { first: "me" }]);
      const { fair } = connectedTo(asRoom, { rolls: true });
      if (drop) fair.dropped();
      h.skip();
      h.add([1, "roll", "Ada", { dice: [3] }]);
      fair.stateChanged(asRoom);
      fair.revealed(asRoom, reveal("c1", "s1"));
      assert.deepEqual(fair.subject?.seen, { rolls: [[3]], complete: false, startedBy: "me", ...(drop ? {} : { skipped: { from: 2, to: 2 } }) }, drop ? "after a drop" : "connected");
    }
  });

  it("a reconnection after a drop: entries gone meanwhile are missed, not skipped", () => {
    const h = history();
    const { asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" }, history: h.entries });
    h.add([1, "start", "", { first: "me" }]);
    const { fair } = connectedTo(asRoom, { rolls: true });
    fair.connected();
    h.skip();
    h.add([1, "roll", "Ada", { dice: [4, 4] }]);
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.seen, { rolls: [[4, 4]], complete: false, startedBy: "me" });
  });

  it("no entry of the game read: none seen, and not the whole game; a game without a roll watcher says nothing of the rolls seen", () => {
    const h = history();
    const { asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }, { id: "bob" }], fairness: { commitment: "c1", seed: "" }, history: h.entries });
    const { fair } = connectedTo(asRoom, { rolls: true });
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.seen, { rolls: [], complete: false });
    const { fair: without } = connectedTo(asRoom);
    without.revealed(asRoom, reveal("c1", "s1"));
    assert.equal(without.subject?.seen, undefined);
  });

  it("the history is read once the state shows a commitment, and its entries count for that game", () => {
    const h = history();
    const { room, asRoom } = roomWith({ phase: "playing", players: [{ id: "me" }], fairness: { commitment: "", seed: "" }, history: h.entries });
    h.add([1, "start", "", { first: "me" }]);
    h.add([1, "roll", "Ada", { dice: [6] }]);
    const { fair } = connectedTo(asRoom, { rolls: true });
    room.state.fairness = { commitment: "c1", seed: "" };
    fair.stateChanged(asRoom);
    fair.revealed(asRoom, reveal("c1", "s1"));
    assert.deepEqual(fair.subject?.seen, { rolls: [[6]], complete: true, startedBy: "me" });
  });
});

describe("The client's fair-dice part: the 'Fair dice' section and 'Verify fairness'", () => {
  withDom();

  /** The section as the page shows it (null: no section). */
  const shown = (fair: FairDice, state: unknown) => fair.section(state) as HTMLElement | null;
  const byTestId = (el: HTMLElement | null, testid: string) => el?.querySelector<HTMLElement>(`[data-testid="${testid}"]`) ?? null;
  const words = (el: Element | null) => el?.textContent?.replace(/\s+/g, " ").trim();

  /** The server seed of the games below, and its commitment. */
  const SEED = "8f3a5c0e1d2b4a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1";
  const COMMITMENT = referenceCommitment(SEED);

  /** The reveal of an honest two-seat game (Bob first in seat order, this page second), from the reference derivation. */
  function honestGame(mySeed: string) {
    const seed = SEED;
    const clientSeeds = ["0f1e2d3c4b5a6978", mySeed];
    const record = {
      commitment: COMMITMENT,
      seed,
      clientSeeds: clientSeeds.join(":"),
      rolls: [6, 4, 1].map((count, n) => referenceRoll(seed, clientSeeds, n, count)),
      seats: ["bob", "me"],
      first: referenceFirst(seed, clientSeeds, 2),
    };
    return record;
  }

  /** This page in the second seat of a game under {@link COMMITMENT} that has started, its first client seed taken by the server. */
  function secondSeatPlaying() {
    const { room, sent, asRoom } = roomWith({ phase: "waiting", players: [{ id: "bob" }, { id: "me" }], fairness: { commitment: COMMITMENT, seed: "" } });
    const { fair, rendered } = connectedTo(asRoom);
    const mySeed = sent[0]!;
    fair.seedAccepted(mySeed);
    room.state.phase = "playing";
    fair.stateChanged(asRoom);
    return { room, asRoom, fair, rendered, mySeed };
  }

  it("no commitment in the state (test dice, or a game without dice): no section", () => {
    const fair = new FairDice(false, undefined, undefined, () => undefined);
    assert.equal(shown(fair, { phase: "playing" }), null);
    assert.equal(shown(fair, { fairness: { commitment: "", seed: "" } }), null);
    assert.equal(shown(fair, undefined), null);
  });

  it("while the game's seed is secret: its commitment, and no 'Verify fairness' before a game has ended", () => {
    const fair = new FairDice(false, undefined, undefined, () => undefined);
    const section = shown(fair, { fairness: { commitment: "c1", seed: "", next: "" } });
    assert.equal(section?.getAttribute("aria-label"), "Fair dice");
    // The stylesheet's classes: a card, its line, and the commitment in a wrapping code face.
    assert.equal(section?.className, "fairness card");
    assert.equal(section?.querySelector("p")?.className, "fair-line");
    assert.equal(byTestId(section, "fairness-commitment")?.className, "fair-value");
    assert.equal(section?.getAttribute("data-testid"), "fairness");
    assert.equal(words(section), "Fair dice. This game's dice come from a secret seed, committed to before the game as SHA-256 c1; it is revealed when the game ends.");
    assert.equal(words(byTestId(section, "fairness-commitment")), "c1");
    assert.equal(byTestId(section, "btn-verify-fairness"), null);
    fair.openVerification();
    assert.equal(byTestId(shown(fair, { fairness: { commitment: "c1", seed: "" } }), "fairness-view"), null, "nothing to verify yet");
  });

  it("after a game: the next game's commitment, 'Verify fairness' that runs the check in the page (✓ for an honest game), and 'Close'", async () => {
    const { room, asRoom, fair, rendered, mySeed } = secondSeatPlaying();
    const record = honestGame(mySeed);
    fair.revealed(asRoom, record);
    room.state.fairness = { commitment: record.commitment, seed: record.seed, next: "c2" };
    const after = shown(fair, room.state);
    assert.equal(words(after), "Fair dice. The next game's seed is committed to as SHA-256 c2.Verify this game's fairness");
    assert.equal(words(byTestId(after, "fairness-next")), "c2");
    const button = byTestId(after, "btn-verify-fairness");
    assert.equal(words(button), "Verify this game's fairness");
    assert.equal(button?.getAttribute("data-action"), "verify-fairness");
    assert.equal(button?.getAttribute("type"), "button");
    assert.equal(byTestId(after, "fairness-view"), null);
    assert.equal(words(byTestId(shown(fair, { fairness: { commitment: record.commitment, seed: record.seed } }), "fairness-next")), "", "no next commitment in the state: none shown");

    const done = rendered();
    fair.openVerification();
    const checking = shown(fair, room.state);
    assert.equal(byTestId(checking, "btn-verify-fairness"), null, "the view replaces the button");
    assert.equal(words(byTestId(checking, "fairness-view")?.querySelector("h3") ?? null), "Verify fairness: this game");
    assert.equal(words(byTestId(checking, "fairness-result")), "Checking…");
    await done;
    const checked = shown(fair, room.state);
    assert.match(words(byTestId(checked, "fairness-result")) ?? "", /^verified ✓ — the seed matches its commitment, and all 3 rolls \(11 dice\) come from the seeds, and so does who moved first \(seat \d of 2\)\.$/);
    assert.equal(words(byTestId(checked, "verify-client-seeds")?.parentElement ?? null), `${record.clientSeeds} (yours: ${mySeed}, checked)`);
    assert.ok(byTestId(checked, "btn-verify-close"));

    fair.closeVerification();
    const closed = shown(fair, room.state);
    assert.equal(byTestId(closed, "fairness-view"), null);
    assert.ok(byTestId(closed, "btn-verify-fairness"), "the button is back");
  });

  it("once the next game has begun (its seed secret), or after a reveal this page missed, the button and the view say they check an earlier game", async () => {
    const { room, asRoom, fair, rendered, mySeed } = secondSeatPlaying();
    fair.revealed(asRoom, honestGame(mySeed));
    room.state.fairness = { commitment: "c2", seed: "", next: "" };
    const during = shown(fair, room.state);
    assert.equal(words(during), "Fair dice. This game's dice come from a secret seed, committed to before the game as SHA-256 c2; it is revealed when the game ends.Verify an earlier game's fairness");
    const done = rendered();
    fair.openVerification();
    const view = byTestId(shown(fair, room.state), "fairness-view");
    assert.equal(words(view?.querySelector("h3") ?? null), "Verify fairness: an earlier game");
    assert.equal(view?.getAttribute("aria-label"), "Verify fairness: an earlier game");
    await done;
    assert.match(words(byTestId(shown(fair, room.state), "verify-commitment")) ?? "", new RegExp(`^${COMMITMENT}`), "the earlier game's commitment, not c2");
    // The game under c2 ended, and this page missed its reveal (a drop): the one it holds is still an earlier game's.
    room.state.fairness = { commitment: "c2", seed: "s2", next: "c3" };
    assert.equal(words(byTestId(shown(fair, room.state), "fairness-view")?.querySelector("h3") ?? null), "Verify fairness: an earlier game");
    fair.closeVerification();
    assert.equal(words(byTestId(shown(fair, room.state), "btn-verify-fairness")), "Verify an earlier game's fairness");
  });

  it("a reveal whose client seed at this page's seat is not the one the server took: ✗, in the page's words", async () => {
    const { room, asRoom, fair, rendered, mySeed } = secondSeatPlaying();
    fair.revealed(asRoom, honestGame("ffffffffffffffff"));
    const done = rendered();
    fair.openVerification();
    await done;
    assert.equal(
      words(byTestId(shown(fair, room.state), "fairness-result")),
      `✗ Not verified: Your client seed (${mySeed}) is not the game's client seed of your seat: the server did not use it.`,
    );
  });

  it("a reveal while the view is open shows the new game's check", async () => {
    const first = honestGame("a1b2c3d4e5f60718");
    const { room, asRoom } = roomWith({ phase: "playing", players: [{ id: "bob" }, { id: "me" }], fairness: { commitment: COMMITMENT, seed: "" } });
    const { fair, rendered } = connectedTo(asRoom);
    fair.revealed(asRoom, first);
    let done = rendered();
    fair.openVerification();
    await done;
    done = rendered();
    fair.revealed(asRoom, { ...first, commitment: "c2", rolls: [] });
    const refreshed = shown(fair, room.state);
    assert.equal(words(byTestId(refreshed, "verify-commitment")), "c2");
    assert.equal(words(byTestId(refreshed, "fairness-result")), "Checking…");
    await done;
  });
});
