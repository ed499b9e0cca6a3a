/**
 * Turn timers through the server (`turnSeconds: 1`, or 2–3 where a move must land within a turn first), for every game: the deadline a turn
 * shows is about one second ahead, the timeout fires no earlier than that (and not much
 * later), it does what the game's rules say (TicTacToe and Connect Four: the idle player
 * forfeits; Dice: the turn ends as a bust, without the pause; Owe Drahn: the server rolls
 * for the idle player, or chooses who plays next for a player who said "owe drahn", whose
 * choice gets a turn's time of its own), and no deadline is shown once the game is over.
 * Times are the clients' clocks, which are the server's here (one process).
 */
import assert from "node:assert/strict";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import type { DiceState } from "../../src/schema/DiceState.js";
import type { OweDrahnState } from "../../src/schema/OweDrahnState.js";
import type { Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";

/** The turn length of every room here: `turnSeconds: 1`. */
const TURN_MS = 1000;
/** Allowed error of a deadline, either way, beyond the time the client took to see it. */
const DEADLINE_SLACK_MS = 100;
/** How much earlier than its deadline by Date.now() a Node timer may fire (libuv's loop clock is cached and whole milliseconds: 999 ms was seen for 1000). */
const TIMER_JITTER_MS = 5;
/** A timeout seen sooner than this after the turn started fired early. */
const EARLIEST_MS = 950;
/** A timeout seen later than this after the turn started fired far too late (a timer at twice its length fails). */
const LATEST_MS = 2000;

/** Waits until each of `players` sees `predicate(p)` hold; returns the client times they did, first and last. */
async function seenBy<S>(players: Player<S>[], predicate: (p: Player<S>) => boolean, what: string, timeoutMs = 4000): Promise<{ first: number; last: number }> {
  const times = await Promise.all(
    players.map(async (p) => {
      try {
        await p.until(() => predicate(p), what, timeoutMs);
      } catch (err) {
        // What the player saw instead, so a failure says which way the game went.
        const seen = p.state as { phase?: string; currentTurn?: string; turnDeadline?: number; endReason?: string; board?: Iterable<string> };
        const errors = players.flatMap((q, i) => q.all("error").map((e: { code?: string }) => `player ${i + 1}: ${e.code}`));
        throw new Error(`${(err as Error).message}; the player saw phase ${seen.phase}, turn ${seen.currentTurn === p.id ? "theirs" : seen.currentTurn}, deadline in ${(seen.turnDeadline ?? 0) - Date.now()} ms, end reason "${seen.endReason ?? ""}", ${seen.board ? [...seen.board].filter((c) => c !== "").length : "no"} marks on the board, errors [${errors.join(", ")}]`);
      }
      return Date.now();
    }),
  );
  return { first: Math.min(...times), last: Math.max(...times) };
}

/** A turn that started after `t0` (taken just before the action that started it) and was seen at `seen` ends about one turn later. */
function assertDeadline(deadline: number, t0: number, seen: number, what: string, turnMs = TURN_MS) {
  const detail = `${what}: turnDeadline is t0 + ${deadline - t0} ms (the client saw it at t0 + ${seen - t0} ms); expected about t0 + ${turnMs} ms`;
  assert.ok(deadline >= t0 + turnMs - DEADLINE_SLACK_MS, detail);
  assert.ok(deadline <= seen + turnMs + DEADLINE_SLACK_MS, detail);
}

/** The opening turn as both players see it: whose it is (`sleeper`, who will not move), the other player, its deadline (checked). */
function openingTurn<P extends { id: string; state: { currentTurn: string; turnDeadline: number } }>(a: P, b: P, t0: number, seen: number) {
  const sleeper = a.state.currentTurn === a.id ? a : b;
  const other = sleeper === a ? b : a;
  assert.equal(b.state.currentTurn, sleeper.id);
  const deadline = a.state.turnDeadline;
  assert.equal(b.state.turnDeadline, deadline, "both players see the same deadline");
  assertDeadline(deadline, t0, seen, "the opening turn");
  return { sleeper, other, deadline };
}

/** The timeout of a turn started after `t0`, with `deadline`, was seen by the clients between `first` and `last`: neither early nor very late. */
function assertFiredOnTime(t0: number, { first, last }: { first: number; last: number }, deadline: number, turnMs = TURN_MS) {
  assert.ok(first - t0 >= EARLIEST_MS + (turnMs - TURN_MS), `a client saw the timeout ${first - t0} ms after the turn started: before its ${turnMs} ms were up`);
  assert.ok(first >= deadline - 25, `a client saw the timeout ${deadline - first} ms before the deadline it was shown`);
  assert.ok(last - t0 <= LATEST_MS + (turnMs - TURN_MS), `a client saw the timeout only ${last - t0} ms after the turn started`);
}

describe("Turn timer (turnSeconds: 1)", () => {
  const suite = roomSuite();

  describe("two-player board games: the idle player forfeits", () => {
    type Bg = BoardGameState;
    const cells = (p: Player<Bg>) => Array.from(p.state.board).filter((c) => c !== "").length;

    it("TicTacToe: the player who does not move after the opponent's move loses by timeout", async function () {
      this.timeout(10_000);
      // Two-second turns: the opening move must land before the opening turn runs out, which
      // a loaded machine could miss with one second.
      const turnMs = 2 * TURN_MS;
      const { a, b, first, second } = await suite.startedTicTacToe({ turnSeconds: turnMs / 1000 });
      const firstDeadline = a.state.turnDeadline;
      assert.ok(firstDeadline > 0, "the opening turn has a deadline");

      const t0 = Date.now();
      first.send("make_move", { row: 1, col: 1 });
      // On a failure, how long the opening turn had left tells a late move from a refused one.
      const { last: seen } = await seenBy([a, b], (p) => p.state.currentTurn === second.id && p.state.turnDeadline !== firstDeadline, `the second player's turn (the opening turn had ${firstDeadline - t0} ms left when the move was sent)`);
      const deadline = a.state.turnDeadline;
      assert.equal(b.state.turnDeadline, deadline, "both players see the same deadline");
      assertDeadline(deadline, t0, seen, "the turn a move started", turnMs);

      // `second` does not move.
      const over = await seenBy([a, b], (p) => p.state.phase === "over", "the timeout", 2 * turnMs + 2000);
      assertFiredOnTime(t0, over, deadline, turnMs);
      const loserName = a.state.players.get(second.id)!.name;
      for (const p of [a, b]) {
        assert.equal(p.state.phase, "over");
        assert.equal(p.state.winner, first.id, "the player who waited wins");
        assert.equal(p.state.draw, false);
        assert.equal(p.state.endReason, "timeout");
        assert.equal(p.state.endName, loserName, "the ending names the player whose time ran out");
        assert.equal(p.state.currentTurn, "");
        assert.equal(p.state.turnDeadline, 0, "no deadline once the game is over");
        assert.equal(p.state.players.get(first.id)!.wins, 1, "the forfeit counts as a win");
        assert.equal(p.state.players.get(second.id)!.wins, 0);
        assert.equal(cells(p), 1, "the board of the forfeited game stays");
      }
    });

    it("Connect Four: the player on turn when the game starts, idle, loses by timeout", async function () {
      this.timeout(10_000);
      const room = await suite.colyseus.createRoom("connectfour", { turnSeconds: 1 });
      const a = await suite.join<Bg>(room.roomId, { name: "Ada" });
      assert.equal(a.state.phase, "waiting");
      assert.equal(a.state.turnDeadline, 0, "no deadline before the game starts");

      const t0 = Date.now();
      const b = await suite.join<Bg>(room.roomId, { name: "Bob" });
      const { last: seen } = await seenBy([a, b], (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "the game starts");
      assert.equal(a.state.currentTurn, a.id, "X (Ada) opens the room's first game");
      const deadline = a.state.turnDeadline;
      assert.equal(b.state.turnDeadline, deadline, "both players see the same deadline");
      assertDeadline(deadline, t0, seen, "the opening turn");

      // Ada does not move.
      const over = await seenBy([a, b], (p) => p.state.phase === "over", "the timeout");
      assertFiredOnTime(t0, over, deadline);
      for (const p of [a, b]) {
        assert.equal(p.state.phase, "over");
        assert.equal(p.state.winner, b.id, "the other player wins");
        assert.equal(p.state.draw, false);
        assert.equal(p.state.endReason, "timeout");
        assert.equal(p.state.endName, "Ada", "the ending names the player whose time ran out");
        assert.equal(p.state.currentTurn, "");
        assert.equal(p.state.turnDeadline, 0, "no deadline once the game is over");
        assert.equal(p.state.players.get(b.id)!.wins, 1, "the forfeit counts as a win");
        assert.equal(cells(p), 0, "no disc was dropped");
      }
    });
  });

  it("Dice: a turn that runs out ends at once as a bust (no pause) and the next turn gets its own second", async function () {
    this.timeout(10_000);
    type Dc = DiceState;
    const room = await suite.colyseus.createRoom("dice", { turnSeconds: 1 });
    const a = await suite.join<Dc>(room.roomId, { name: "Ada" });
    assert.equal(a.state.turnDeadline, 0, "no deadline before the game starts");

    const t0 = Date.now();
    const b = await suite.join<Dc>(room.roomId, { name: "Bob" });
    const { last: seen } = await seenBy([a, b], (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "the game starts");
    const { sleeper, other, deadline } = openingTurn(a, b, t0, seen);

    const phases: string[] = [];
    a.room.onStateChange((s) => phases.push(s.phase));

    // `sleeper` does not roll.
    const passed = await seenBy([a, b], (p) => p.state.currentTurn === other.id, "the turn passing on the timeout");
    assertFiredOnTime(t0, passed, deadline);
    for (const p of [a, b]) {
      const busted = await p.nth("busted", 1);
      assert.deepEqual(busted, { playerId: sleeper.id, reason: "timeout" }, "the timeout is announced as a bust of the idle player");
      assert.equal(p.all("busted").length, 1);
      assert.equal(p.state.phase, "playing", "the turn passed at once");
      assert.deepEqual(Array.from(p.state.dice), [0, 0, 0, 0, 0, 0], "six unrolled dice for the next turn");
      assert.deepEqual(Array.from(p.state.selected), []);
      assert.deepEqual(Array.from(p.state.setAside), []);
      for (const id of [sleeper.id, other.id]) {
        const player = p.state.players.get(id)!;
        assert.deepEqual([player.score, player.roundScore, player.turnScore], [0, 0, 0], "nothing banked by the bust");
      }
      assert.equal(p.state.winner, "");
      assert.equal(p.state.endReason, "");
    }
    assert.ok(!phases.includes("busted"), `no bust pause after a timeout; phases seen: ${phases.join(", ")}`);
    const next = a.state.turnDeadline;
    assert.equal(b.state.turnDeadline, next);
    assert.ok(next - deadline >= TURN_MS - TIMER_JITTER_MS && next - deadline <= TURN_MS + 500, `the next turn runs a full second from the timeout: its deadline is ${next - deadline} ms after the first one`);

    // The game ends (the player now on turn leaves): no deadline is left.
    await other.room.leave(true);
    await sleeper.until(() => sleeper.state.phase === "over", "the forfeit of the player who left");
    assert.equal(sleeper.state.winner, sleeper.id);
    assert.equal(sleeper.state.endReason, "left");
    assert.equal(sleeper.state.endName, other === a ? "Ada" : "Bob");
    assert.equal(sleeper.state.currentTurn, "");
    assert.equal(sleeper.state.turnDeadline, 0, "no deadline once the game is over");
  });

  it("Owe Drahn: the server rolls for a player whose turn runs out, and the next turn gets its own second", async function () {
    this.timeout(10_000);
    type Od = OweDrahnState;
    const room = await suite.colyseus.createRoom("owedrahn", { turnSeconds: 1 });
    const a = await suite.join<Od>(room.roomId, { name: "Ada" });
    const b = await suite.join<Od>(room.roomId, { name: "Bob" });
    a.send("ready", { ready: true });
    await b.until(() => b.state.players.length === 2 && b.state.players[0]!.ready, "Ada ready");
    assert.equal(b.state.phase, "lobby");
    assert.equal(b.state.turnDeadline, 0, "no deadline in the ready stage");

    const t0 = Date.now();
    b.send("ready", { ready: true });
    const { last: seen } = await seenBy([a, b], (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "the game starts");
    const { sleeper, other, deadline } = openingTurn(a, b, t0, seen);

    // `sleeper` does not roll.
    const passed = await seenBy([a, b], (p) => p.state.currentTurn === other.id, "the turn passing on the timeout");
    assertFiredOnTime(t0, passed, deadline);
    for (const p of [a, b]) {
      const rolled = await p.nth("rolled", 1);
      assert.equal(rolled.playerId, sleeper.id, "the server rolled for the idle player");
      assert.equal(rolled.timeout, true, "and says it was a timeout");
      assert.ok(Number.isInteger(rolled.die) && rolled.die >= 1 && rolled.die <= 6, `a die: ${rolled.die}`);
      assert.equal(rolled.total, rolled.die === 3 ? 0 : rolled.die, "a 3 counts 0");
      assert.equal(p.all("rolled").length, 1, "one roll");
      assert.equal(p.state.phase, "playing");
      assert.equal(p.state.currentValue, rolled.total);
      assert.equal(p.state.lastRoll, rolled.die);
      assert.deepEqual(p.state.players.map((s) => s.life), [6, 6], "nobody lost a life");
      assert.deepEqual(p.state.players.map((s) => s.choosing), [false, false]);
    }
    const next = a.state.turnDeadline;
    assert.equal(b.state.turnDeadline, next);
    assert.ok(next - deadline >= TURN_MS - TIMER_JITTER_MS && next - deadline <= TURN_MS + 500, `the next turn runs a full second from the timeout: its deadline is ${next - deadline} ms after the first one`);

    // The game ends (the player now on turn leaves): no deadline is left, in the pause or after it.
    await other.room.leave(true);
    const over = await sleeper.nth("gameOver", 1);
    assert.equal(over.winnerId, sleeper.id);
    assert.equal(sleeper.state.phase, "over");
    assert.equal(sleeper.state.endReason, "left");
    assert.equal(sleeper.state.endName, other === a ? "Ada" : "Bob");
    assert.equal(sleeper.state.currentTurn, "");
    assert.equal(sleeper.state.turnDeadline, 0, "no deadline once the game is over");
    await sleeper.until(() => sleeper.state.phase === "lobby", "the return to the ready stage");
    assert.equal(sleeper.state.turnDeadline, 0, "nor in the ready stage after it");
  });

  it("Owe Drahn: the choice of who plays next after \"owe drahn\" gets a whole turn's time (not what was left of the turn), and when it runs out the next player alive in seat order is chosen", async function () {
    this.timeout(20_000);
    type Od = OweDrahnState;
    // 3 s turns, "owe drahn" said with 1.2 s left: a slow message on a busy machine still lands within the turn.
    const turnMs = 3000;
    const leftMs = 1200;
    const room = await suite.colyseus.createRoom("owedrahn", { turnSeconds: turnMs / 1000 });
    const players = [await suite.join<Od>(room.roomId, { name: "Ada" }), await suite.join<Od>(room.roomId, { name: "Bob" }), await suite.join<Od>(room.roomId, { name: "Cyd" })];
    for (const p of players) p.send("ready", { ready: true });
    await seenBy(players, (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "the game starts");
    const [a] = players as [Player<Od>];
    const onTurn = () => players.find((p) => p.id === a.state.currentTurn)!;
    // Roll while the total is at most 9 (no roll can bust then), each roll a new turn.
    for (let step = 0; a.state.currentValue < 10; step++) {
      assert.ok(step < 100, "a total of 10 within 100 rolls");
      const roller = onTurn();
      roller.send("roll");
      await seenBy(players, (p) => p.state.currentTurn !== roller.id, "the roll passing the turn");
    }
    const chooser = onTurn();
    const turnDeadline = a.state.turnDeadline;
    // The chooser thinks for most of the turn, then says "owe drahn".
    await new Promise((r) => setTimeout(r, turnDeadline - Date.now() - leftMs));
    const t0 = Date.now();
    chooser.send("lose_life");
    const { last: seen } = await seenBy(players, (p) => p.state.players.some((s) => s.id === chooser.id && s.choosing), "the chooser choosing");
    const deadline = a.state.turnDeadline;
    for (const p of players) assert.equal(p.state.turnDeadline, deadline, "everyone sees the same deadline");
    assert.ok(deadline - turnDeadline >= turnMs - leftMs - DEADLINE_SLACK_MS, `the choice's deadline is ${deadline - turnDeadline} ms after the turn's: a new one`);
    assertDeadline(deadline, t0, seen, "the choice", turnMs);

    // The chooser does not choose: the next player alive in seat order is chosen for them.
    const seat = players.indexOf(chooser);
    const next = players[(seat + 1) % players.length]!;
    const handed = await seenBy(players, (p) => !p.state.players.some((s) => s.choosing), "the choice made on the timeout");
    assertFiredOnTime(t0, handed, deadline, turnMs);
    for (const p of players) {
      assert.deepEqual(await p.nth("handedOver", 1), { playerId: chooser.id, nextId: next.id, timeout: true });
      assert.equal(p.state.currentTurn, next.id);
      assert.deepEqual(p.state.players.map((s) => s.life), players.map((q) => (q === chooser ? 5 : 6)), "the chooser lost one life; nobody is out");
    }
  });
});
