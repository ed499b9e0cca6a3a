import assert from "node:assert/strict";
import {
  BOT_ID_PREFIX,
  BOT_NAMES,
  DEFAULT_TARGET_SCORE,
  dice,
  MAX_SELECTION_CHANGES,
  MAX_TURNS,
  changesToScoring,
  scoreDice,
  type DiceAction,
  type DiceEvent,
  type DiceScheduled,
  type DiceState,
} from "../../src/rules/dice.js";
import { aliceWins, game, player, rejects, run, seated, selectAll } from "../helpers/dice-rules.js";
import { pick, scriptedRng, seededRng, type Rng } from "../../src/rules/rng.js";
import type { ScheduleEvent } from "../../src/rules/types.js";

type Event = DiceEvent | ScheduleEvent<DiceScheduled>;

/** Plays a bot's moves until the turn leaves it (or a bust pause starts), rolling `rolls` in order. */
function playBotTurn(s: DiceState, rolls: number[]): { state: DiceState; actions: DiceAction[] } {
  const actions: DiceAction[] = [];
  const bot = s.currentTurn;
  for (let guard = 0; guard < 100; guard++) {
    const move = dice.botMove!(s);
    if (!move) break;
    assert.equal(move.playerId, bot);
    actions.push(move.action);
    const values = move.action.type === "roll" ? rolls.splice(0, s.dice.length) : [];
    s = run(s, move.playerId, move.action, values).state;
    if (s.currentTurn !== bot) break;
  }
  assert.deepEqual(rolls, [], "every scripted roll is used");
  return { state: s, actions };
}

/** The invariants every reachable state keeps. */
function checkInvariants(s: DiceState): void {
  assert.ok(s.players.length <= 2);
  assert.equal(new Set(s.players.map((p) => p.id)).size, s.players.length, "player ids are unique");
  for (const p of s.players) {
    for (const n of [p.score, p.roundScore, p.turnScore]) assert.ok(Number.isInteger(n) && n >= 0, `score ${n}`);
    if (p.id !== s.currentTurn) assert.equal(p.roundScore + p.turnScore, 0, "only the player on turn holds round points");
  }
  for (const d of s.dice) assert.ok(Number.isInteger(d) && d >= 0 && d <= 6, `die ${d}`);
  for (const v of s.setAside) assert.ok(Number.isInteger(v) && v >= 1 && v <= 6, `set aside ${v}`);
  assert.equal(new Set(s.selected).size, s.selected.length, "selected indexes are unique");
  for (const i of s.selected) assert.ok(Number.isInteger(i) && i >= 0 && i < s.dice.length && s.dice[i] !== 0, `selected ${i}`);
  if (s.phase === "playing" || s.phase === "busted") {
    assert.equal(s.players.length, 2);
    assert.equal(s.dice.length + s.setAside.length, 6);
    assert.ok(s.dice.length >= 1);
    assert.ok(s.players.some((p) => p.id === s.currentTurn));
    assert.equal(player(s, s.currentTurn!).turnScore, scoreDice(s.selected.map((i) => s.dice[i]!)).score);
  } else {
    assert.equal(s.currentTurn, null);
  }
  if (s.phase === "waiting") assert.ok(s.players.length < 2);
  assert.equal(s.winner !== null, s.phase === "over", "a winner exactly when the game is over");
  if (s.winner !== null) assert.ok(s.players.some((p) => p.id === s.winner), `the winner ${s.winner} is seated`);
  if (s.phase !== "over") assert.deepEqual(s.rematch, []);
}

/** A simple human: take every 1 and 5 (or, with none, a three or more of a kind) and bank at 300 or more. */
function humanMove(s: DiceState): DiceAction {
  if (s.dice.every((d) => d === 0)) return { type: "roll" };
  const ones = s.dice.flatMap((d, i) => (d === 1 || d === 5 ? [i] : []));
  const counts = new Map<number, number>();
  for (const d of s.dice) if (d !== 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  const triple = [...counts].find(([, n]) => n >= 3)?.[0];
  const wanted = ones.length > 0 ? ones : s.dice.flatMap((d, i) => (d === triple ? [i] : []));
  const missing = wanted.find((i) => !s.selected.includes(i));
  if (missing !== undefined) return { type: "select", index: missing };
  const me = player(s, s.currentTurn!);
  return { type: "set_aside", endTurn: me.roundScore + me.turnScore >= 300 };
}

describe("Dice rules", () => {
  describe("seats and start", () => {
    it("setup opens an empty table with the configured target", () => {
      const s = dice.setup({ targetScore: 5000 }, scriptedRng([]));
      assert.equal(s.targetScore, 5000);
      assert.equal(s.phase, "waiting");
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(s.players, []);
      assert.equal(DEFAULT_TARGET_SCORE, 3000);
    });

    it("the game starts when the second player sits, with a random first player", () => {
      const s = seated(["alice", "bob"], 1);
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "bob");
      assert.equal(s.turn, 1);
      assert.deepEqual(s.players.map((p) => [p.id, p.name, p.isBot, p.score]), [
        ["alice", "ALICE", false, 0],
        ["bob", "BOB", false, 0],
      ]);
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
    });

    it("seats are refused when both are taken or the game has started", () => {
      assert.deepEqual(dice.canSeat(seated([])), { ok: true });
      assert.deepEqual(dice.canSeat(seated(["alice"])), { ok: true });
      const s = game();
      assert.deepEqual(dice.canSeat(s), { ok: false, reason: "started" });
      rejects(s, "carol", { type: "join", name: "Carol" }, "NOT_ALLOWED");
      const busted = run(s, "alice", { type: "roll" }, [2, 2, 3, 4, 6, 6]).state;
      assert.deepEqual(dice.canSeat(busted), { ok: false, reason: "started" });
      const over = aliceWins();
      assert.deepEqual(dice.canSeat(over), { ok: false, reason: "full" });
      rejects(over, "carol", { type: "join", name: "Carol" }, "NOT_ALLOWED");
      const forfeited = run(s, "alice", { type: "leave" }).state;
      assert.deepEqual(dice.canSeat(forfeited), { ok: true }, "a forfeit frees the leaver's seat");
    });

    it("a player cannot sit twice", () => {
      rejects(seated(["alice"]), "alice", { type: "join", name: "Again" }, "NOT_ALLOWED");
    });
  });

  describe("the turn limit", () => {
    /** Plays `turns` turns from `s`: each player on turn rolls and busts (no scoring die), or with `bank`, banks a single 5 (50 points). */
    function playTurns(s: DiceState, turns: number, bank: (id: string, t: number) => boolean): DiceState {
      for (let t = 0; t < turns; t++) {
        const id = s.currentTurn!;
        if (bank(id, t)) {
          s = run(s, id, { type: "roll" }, [5, 2, 3, 4, 6, 6]).state;
          s = run(s, id, { type: "select", index: 0 }).state;
          s = run(s, id, { type: "set_aside", endTurn: true }).state;
        } else {
          const bust = run(s, id, { type: "roll" }, [2, 3, 4, 6, 6, 2]);
          s = run(bust.state, id, (bust.events[1] as ScheduleEvent<DiceScheduled>).action).state;
        }
      }
      return s;
    }

    it(`a game ends after ${MAX_TURNS} turns: the higher banked score wins (its tally counts it)`, () => {
      // Bob banks 50 points in each of his first five turns, then nobody scores.
      const before = playTurns(game(), MAX_TURNS - 1, (id, t) => id === "bob" && t < 10);
      assert.equal(before.phase, "playing", `still running after ${MAX_TURNS - 1} turns`);
      assert.equal(before.currentTurn, "bob", "bob plays the last turn");
      const over = playTurns(before, 1, () => false);
      assert.equal(over.phase, "over");
      assert.equal(over.winner, "bob");
      assert.deepEqual(over.ending, { reason: "won", name: "BOB" });
      assert.equal(player(over, "bob").score, 250);
      assert.deepEqual([over.dice, over.selected, over.setAside], [[0, 0, 0, 0, 0, 0], [], []], "the turn limit leaves a cleared table (only a winning bank keeps its roll)");
      assert.equal(player(over, "bob").wins, 1);
      assert.equal(player(over, "alice").wins, 0);
      assert.equal(dice.activePlayer(over), null);
      // A rematch is a new game with turns of its own.
      let next = run(over, "alice", { type: "rematch" }).state;
      next = run(next, "bob", { type: "rematch" }, [0]).state;
      assert.equal(playTurns(next, MAX_TURNS - 1, () => false).phase, "playing", "the next game counts its own turns");
    });

    it("the first seat leading at the limit wins as well, and the game ends with no rematch asked; a forfeit names the seat that left, whichever it is", () => {
      const first = game().currentTurn!;
      const second = first === "alice" ? "bob" : "alice";
      const over = playTurns(game(), MAX_TURNS, (id, t) => id === first && t < 4);
      assert.equal(over.phase, "over");
      assert.equal(over.winner, first, "the higher score wins, not the second seat");
      assert.deepEqual(over.ending, { reason: "won", name: player(over, first).name });
      assert.deepEqual(over.players.map((p) => p.wins), over.players.map((p) => (p.id === first ? 1 : 0)));
      assert.deepEqual(over.rematch, [], "nobody asked for a rematch yet");
      for (const leaver of [first, second]) {
        const left = run(game(), leaver, { type: "leave" }).state;
        assert.deepEqual(left.ending, { reason: "left", name: player(game(), leaver).name }, `${leaver} left`);
      }
    });

    it("equal scores at the limit draw; a bank or a timeout on the last turn ends it too", () => {
      const drawn = playTurns(game(), MAX_TURNS, () => false);
      assert.equal(drawn.phase, "over");
      assert.equal(drawn.winner, null);
      assert.deepEqual(drawn.ending, { reason: "draw", name: "" });
      assert.deepEqual(drawn.players.map((p) => p.wins), [0, 0]);
      const last = playTurns(game(), MAX_TURNS - 1, () => false);
      const banked = playTurns(last, 1, () => true);
      assert.deepEqual([banked.phase, banked.winner], ["over", last.currentTurn], "the last turn's bank decides it");
      const timedOut = run(last, last.currentTurn!, { type: "timeout" });
      assert.equal(timedOut.state.phase, "over");
      assert.equal(timedOut.state.winner, null);
      assert.deepEqual(timedOut.events, [{ type: "busted", playerId: last.currentTurn, reason: "timeout" }]);
    });

    it("a game restored from a state saved before the limit existed (no firstTurn) is not cut short", () => {
      const { firstTurn: _dropped, ...old } = game();
      assert.equal(playTurns(old as DiceState, MAX_TURNS + 2, () => false).phase, "playing");
    });
  });

  describe("rolling", () => {
    it("a roll with a scoring die shows six dice and keeps the turn", () => {
      const r = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]);
      assert.deepEqual(r.state.dice, [1, 2, 3, 4, 6, 6]);
      assert.equal(r.state.phase, "playing");
      assert.equal(r.state.currentTurn, "alice");
      assert.deepEqual(r.events, []);
    });

    it("rolling again before setting dice aside is an invalid move", () => {
      const s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      rejects(s, "alice", { type: "roll" }, "INVALID_MOVE");
    });

    it("a roll with no scoring die busts and the turn passes after the pause", () => {
      const start = game();
      const r = run(start, "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]);
      assert.equal(r.state.phase, "busted");
      assert.deepEqual(r.state.dice, [2, 3, 4, 6, 6, 2], "the roll stays on show");
      assert.equal(r.state.currentTurn, "alice");
      assert.equal(dice.activePlayer(r.state), null, "no turn runs during the pause");
      assert.deepEqual(r.events, [
        { type: "busted", playerId: "alice", reason: "no-score" },
        { type: "schedule", timer: "bust", action: { type: "end_bust", turn: start.turn } },
      ]);

      const scheduled = (r.events[1] as ScheduleEvent<DiceScheduled>).action;
      const after = run(r.state, "alice", scheduled);
      assert.deepEqual(after.events, []);
      assert.equal(after.state.phase, "playing");
      assert.equal(after.state.currentTurn, "bob");
      assert.equal(after.state.turn, start.turn + 1);
      assert.deepEqual(after.state.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(after.state.setAside, []);
    });

    it("every client action is refused during the bust pause", () => {
      const s = run(game(), "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      for (const id of ["alice", "bob"]) {
        rejects(s, id, { type: "roll" }, "NOT_ALLOWED");
        rejects(s, id, { type: "select", index: 0 }, "NOT_ALLOWED");
        rejects(s, id, { type: "set_aside", endTurn: true }, "NOT_ALLOWED");
        rejects(s, id, { type: "add_bot" }, "NOT_ALLOWED");
        rejects(s, id, { type: "rematch" }, "NOT_ALLOWED");
        rejects(s, id, { type: "timeout" }, "NOT_ALLOWED");
      }
      rejects(s, "carol", { type: "roll" }, "NOT_A_PLAYER");
    });

    it("a bust after setting dice aside loses the round's points", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 5, 2, 2, 3, 6]).state;
      s = selectAll(s, "alice", [0, 1]);
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      assert.equal(player(s, "alice").roundScore, 150);
      s = run(s, "alice", { type: "roll" }, [2, 3, 4, 6]).state;
      assert.equal(s.phase, "busted");
      assert.equal(player(s, "alice").roundScore, 150, "the points show until the pause ends");
      s = run(s, "system", { type: "end_bust" }).state;
      assert.deepEqual([player(s, "alice").score, player(s, "alice").roundScore], [0, 0]);
      assert.equal(s.currentTurn, "bob");
      checkInvariants(s);
    });

    it("end_bust outside a pause, or from an earlier pause, is refused", () => {
      rejects(game(), "alice", { type: "end_bust" }, "NOT_ALLOWED");
      const s = run(game(), "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      rejects(s, "alice", { type: "end_bust", turn: s.turn - 1 }, "NOT_ALLOWED");
    });
  });

  describe("selecting and setting aside", () => {
    it("select toggles a die and turnScore follows the selection", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 1, 1, 5, 2, 3]).state;
      const steps: [number, number][] = [
        [0, 100],
        [1, 200],
        [2, 1000],
        [3, 1050],
        [0, 250], // toggled off: 1, 1, 5
        [4, 250], // a 2 scores nothing, the selection is now invalid
      ];
      for (const [index, score] of steps) {
        s = run(s, "alice", { type: "select", index }).state;
        assert.equal(player(s, "alice").turnScore, score, `after select ${index}`);
      }
      assert.deepEqual(s.selected, [1, 2, 3, 4], "indexes kept ascending");
      rejects(s, "alice", { type: "set_aside", endTurn: false }, "INVALID_MOVE");
    });

    it(`the selection may change ${MAX_SELECTION_CHANGES} times between two rolls; the next change away from dice that all score is refused (INVALID_MOVE), and a new roll allows as many again`, () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 5, 3, 4, 6]).state;
      // The first die toggled on and off, ending on (an odd count), then the 5: the last change allowed.
      for (let i = 0; i < MAX_SELECTION_CHANGES - 1; i++) s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "select", index: 2 }).state;
      assert.deepEqual(s.selected, [0, 2]);
      assert.match(rejects(s, "alice", { type: "select", index: 0 }, "INVALID_MOVE"), /set dice aside or bank/);
      // Setting aside is still open, and the next roll allows as many changes again.
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      assert.deepEqual(s.setAside, [1, 5]);
      s = run(s, "alice", { type: "roll" }, [1, 3, 4, 6]).state;
      for (let i = 0; i < MAX_SELECTION_CHANGES; i++) s = run(s, "alice", { type: "select", index: 0 }).state;
      rejects(s, "alice", { type: "select", index: 1 }, "INVALID_MOVE"); // a 3: no nearer to dice that score
    });

    it(`past ${MAX_SELECTION_CHANGES} changes a player is never stuck: only a change toward dice that all score is accepted, at most six more, then they set aside or bank`, () => {
      // An even count of toggles of the 1 leaves the selection empty: it cannot be set aside.
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 5, 3, 4, 6]).state;
      for (let i = 0; i < MAX_SELECTION_CHANGES; i++) s = run(s, "alice", { type: "select", index: 0 }).state;
      assert.deepEqual(s.selected, []);
      rejects(s, "alice", { type: "set_aside", endTurn: true }, "INVALID_MOVE");
      assert.match(rejects(s, "alice", { type: "select", index: 1 }, "INVALID_MOVE"), /toward dice that all score/, "a 2 scores nothing: refused");
      s = run(s, "alice", { type: "select", index: 2 }).state; // the 5: it can be set aside now
      rejects(s, "alice", { type: "select", index: 0 }, "INVALID_MOVE"); // already scoring: no more changes
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(player(s, "alice").score, 50);
      assert.equal(s.currentTurn, "bob");

      // A selection holding dice that score nothing: they come off, one by one, and a triple
      // of 2s (the roll's only scoring dice) goes on, each step toward it.
      s = run(s, "bob", { type: "roll" }, [2, 3, 2, 4, 2, 6]).state;
      for (let i = 0; i < MAX_SELECTION_CHANGES - 2; i++) s = run(s, "bob", { type: "select", index: 1 }).state;
      s = run(s, "bob", { type: "select", index: 3 }).state;
      s = run(s, "bob", { type: "select", index: 5 }).state;
      assert.deepEqual(s.selected, [3, 5]);
      rejects(s, "bob", { type: "select", index: 1 }, "INVALID_MOVE"); // a third die that scores nothing
      for (const index of [3, 0, 5, 2]) s = run(s, "bob", { type: "select", index }).state;
      rejects(s, "bob", { type: "select", index: 0 }, "INVALID_MOVE"); // back off the triple: away from it
      s = run(s, "bob", { type: "select", index: 4 }).state;
      assert.deepEqual(s.selected, [0, 2, 4]);
      s = run(s, "bob", { type: "set_aside", endTurn: false }).state;
      assert.deepEqual(s.setAside, [2, 2, 2]);
    });

    it("changesToScoring: how many single changes a selection is from one that can be set aside", () => {
      assert.equal(changesToScoring([1, 2, 5, 3, 4, 6], []), 1);
      assert.equal(changesToScoring([1, 2, 5, 3, 4, 6], [0, 2]), 0);
      assert.equal(changesToScoring([1, 2, 5, 3, 4, 6], [1, 3]), 3);
      assert.equal(changesToScoring([2, 3, 2, 4, 2, 6], []), 3);
      assert.equal(changesToScoring([2, 3, 2, 4, 2, 6], [0, 1]), 3);
      assert.equal(changesToScoring([5, 0, 0], [1]), 2, "an unrolled die counts as no scoring die");
    });

    it("setting aside moves the selected dice and the player rolls the rest", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 5, 3, 4, 6]).state;
      s = selectAll(s, "alice", [0, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      assert.deepEqual(s.setAside, [1, 5]);
      assert.deepEqual(s.dice, [0, 0, 0, 0]);
      assert.deepEqual(s.selected, []);
      assert.deepEqual([player(s, "alice").roundScore, player(s, "alice").turnScore], [150, 0]);
      assert.equal(s.currentTurn, "alice");
      rejects(s, "alice", { type: "set_aside", endTurn: true }, "INVALID_MOVE");
      s = run(s, "alice", { type: "roll" }, [5, 2, 3, 4]).state;
      assert.deepEqual(s.dice, [5, 2, 3, 4]);
    });

    it("hot dice: setting aside all six brings six fresh dice", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 5, 2, 3, 4, 6]).state;
      s = selectAll(s, "alice", [0]);
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [2, 2, 2, 5, 5]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4]);
      assert.equal(player(s, "alice").turnScore, 300);
      const hot = run(s, "alice", { type: "set_aside", endTurn: false });
      assert.deepEqual(hot.events, [{ type: "hotDice", playerId: "alice" }], "both players are told: hot dice");
      s = hot.state;
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(s.setAside, []);
      assert.equal(player(s, "alice").roundScore, 400);
      assert.equal(s.currentTurn, "alice");
      assert.equal(s.turn, 1, "the same turn goes on");
      s = run(s, "alice", { type: "roll" }, [1, 1, 1, 1, 1, 1]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4, 5]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(player(s, "bob").score, 0);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "alice");
      assert.equal(player(s, "alice").score, 8400);
    });

    it("banking adds the round to the score and passes the turn", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [5, 5, 5, 2, 3]).state;
      s = selectAll(s, "alice", [0, 1, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.deepEqual(
        s.players.map((p) => [p.id, p.score, p.roundScore, p.turnScore]),
        [
          ["alice", 600, 0, 0],
          ["bob", 0, 0, 0],
        ],
      );
      assert.equal(s.currentTurn, "bob");
      assert.equal(s.turn, 2);
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(s.setAside, []);
      assert.equal(s.phase, "playing");
    });

    it("banking reaches the target and wins", () => {
      let s = run(game(1000), "alice", { type: "roll" }, [1, 1, 1, 2, 3, 4]).state;
      s = selectAll(s, "alice", [0, 1, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "alice");
      assert.equal(player(s, "alice").score, 1000);
      assert.equal(s.currentTurn, null);
      assert.deepEqual(s.ending, { reason: "won", name: player(s, "alice").name });
      assert.deepEqual([player(s, "alice").wins, player(s, "bob").wins], [1, 0], "the tally across rematches");
      assert.equal(dice.activePlayer(s), null);
      assert.equal(dice.isStarted(s), false);
      rejects(s, "alice", { type: "roll" }, "GAME_OVER");
      rejects(s, "bob", { type: "select", index: 0 }, "GAME_OVER");
    });

    it("the winning bank leaves the table as it was (the roll, the dice banked from it, those set aside before) until the rematch clears it", () => {
      let s = run(game(1050), "alice", { type: "roll" }, [5, 2, 3, 4, 6, 6]).state;
      s = selectAll(s, "alice", [0]);
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [1, 2, 1, 3, 1]).state;
      s = selectAll(s, "alice", [0, 2, 4]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.phase, "over");
      assert.equal(player(s, "alice").score, 1050);
      assert.deepEqual(s.dice, [1, 2, 1, 3, 1], "the winning roll stays on the table");
      assert.deepEqual(s.selected, [0, 2, 4], "with the dice banked from it");
      assert.deepEqual(s.setAside, [5], "and the dice set aside before it");
      assert.deepEqual(s.players.map((p) => [p.roundScore, p.turnScore]), [[0, 0], [0, 0]], "no points are pending after the game");
      checkInvariants(s);
      const left = run(s, "bob", { type: "leave" }).state;
      assert.deepEqual([left.phase, left.dice, left.selected, left.setAside], ["waiting", [0, 0, 0, 0, 0, 0], [], []], "a player who leaves after the game takes the table with them");
      s = run(s, "alice", { type: "rematch" }).state;
      assert.deepEqual([s.dice, s.selected, s.setAside], [[1, 2, 1, 3, 1], [0, 2, 4], [5]], "one rematch asked: the table still shows the last game");
      s = run(s, "bob", { type: "rematch" }, [0]).state;
      assert.equal(s.phase, "playing");
      assert.deepEqual([s.dice, s.selected, s.setAside], [[0, 0, 0, 0, 0, 0], [], []], "the next game starts at a cleared table");
      // A game that ends otherwise (a forfeit) clears the table.
      let f = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      f = selectAll(f, "alice", [0]);
      f = run(f, "alice", { type: "leave" }).state;
      assert.equal(f.phase, "over");
      assert.deepEqual([f.dice, f.selected, f.setAside], [[0, 0, 0, 0, 0, 0], [], []]);
    });

    it("banking just below the target passes the turn", () => {
      let s = run(game(1050), "alice", { type: "roll" }, [1, 1, 1, 2, 3, 4]).state;
      s = selectAll(s, "alice", [0, 1, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "bob");
    });
  });

  describe("turn timeout", () => {
    it("timeout ends the turn as a bust", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [5, 2, 3, 4, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      const r = run(s, "alice", { type: "timeout" });
      assert.deepEqual(r.events, [{ type: "busted", playerId: "alice", reason: "timeout" }]);
      assert.equal(r.state.phase, "playing", "no pause: the time is already up");
      assert.equal(r.state.currentTurn, "bob");
      assert.equal(r.state.turn, s.turn + 1);
      assert.deepEqual([player(r.state, "alice").score, player(r.state, "alice").roundScore, player(r.state, "alice").turnScore], [0, 0, 0]);
      assert.deepEqual(r.state.dice, [0, 0, 0, 0, 0, 0]);
      checkInvariants(r.state);
    });

    it("a timeout for a player not on turn, or outside a game, is refused", () => {
      rejects(game(), "bob", { type: "timeout" }, "NOT_ALLOWED");
      rejects(seated(["alice"]), "alice", { type: "timeout" }, "NOT_ALLOWED");
      rejects(game(), "carol", { type: "timeout" }, "NOT_A_PLAYER");
    });
  });

  describe("rejections and their order", () => {
    it("NOT_A_PLAYER: an id with no seat, before any other check", () => {
      rejects(seated(["alice"]), "carol", { type: "roll" }, "NOT_A_PLAYER");
      rejects(game(), "carol", { type: "select", index: 99 }, "NOT_A_PLAYER");
      rejects(game(), "carol", { type: "add_bot" }, "NOT_A_PLAYER");
      rejects(game(), "carol", { type: "rematch" }, "NOT_A_PLAYER");
      rejects(game(), "carol", { type: "leave" }, "NOT_A_PLAYER");
    });

    it("NOT_STARTED: a game action while waiting for the second player", () => {
      const s = seated(["alice"]);
      rejects(s, "alice", { type: "roll" }, "NOT_STARTED");
      rejects(s, "alice", { type: "select", index: -1 }, "NOT_STARTED");
      rejects(s, "alice", { type: "set_aside", endTurn: true }, "NOT_STARTED");
    });

    it("GAME_OVER comes before the turn check", () => {
      const s = aliceWins();
      rejects(s, "alice", { type: "roll" }, "GAME_OVER");
      rejects(s, "bob", { type: "roll" }, "GAME_OVER");
      rejects(s, "bob", { type: "select", index: 99 }, "GAME_OVER");
      rejects(s, "bob", { type: "set_aside", endTurn: "maybe" }, "GAME_OVER");
      const forfeited = run(game(), "bob", { type: "leave" }).state;
      rejects(forfeited, "alice", { type: "roll" }, "GAME_OVER");
      rejects(forfeited, "bob", { type: "roll" }, "NOT_A_PLAYER");
    });

    it("NOT_YOUR_TURN comes before the argument and rule checks", () => {
      const s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      rejects(s, "bob", { type: "roll" }, "NOT_YOUR_TURN");
      rejects(s, "bob", { type: "select", index: 99 }, "NOT_YOUR_TURN");
      rejects(s, "bob", { type: "set_aside", endTurn: "maybe" }, "NOT_YOUR_TURN");
    });

    it("INVALID_MOVE: a die index out of range or not a whole number", () => {
      const s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      for (const index of [-1, 6, 99, 1.5, Number.NaN, Infinity, "0", null, undefined, {}]) {
        rejects(s, "alice", { type: "select", index }, "INVALID_MOVE");
      }
    });

    it("INVALID_MOVE: selecting an unrolled die", () => {
      rejects(game(), "alice", { type: "select", index: 0 }, "INVALID_MOVE");
    });

    it("INVALID_MOVE: setting aside nothing, a lone 2, or a set with a die that does not score", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      rejects(s, "alice", { type: "set_aside", endTurn: false }, "INVALID_MOVE");
      const lone2 = run(s, "alice", { type: "select", index: 1 }).state;
      rejects(lone2, "alice", { type: "set_aside", endTurn: false }, "INVALID_MOVE");
      rejects(lone2, "alice", { type: "set_aside", endTurn: true }, "INVALID_MOVE");
      s = selectAll(s, "alice", [0, 1]);
      rejects(s, "alice", { type: "set_aside", endTurn: true }, "INVALID_MOVE");
    });

    it("INVALID_MOVE: endTurn that is not a boolean", () => {
      const s = selectAll(run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state, "alice", [0]);
      for (const endTurn of ["yes", 1, null, undefined]) rejects(s, "alice", { type: "set_aside", endTurn }, "INVALID_MOVE");
    });

    it("NOT_ALLOWED: add_bot after the start, rematch before the end or twice", () => {
      rejects(game(), "alice", { type: "add_bot" }, "NOT_ALLOWED");
      rejects(seated(["alice"]), "alice", { type: "rematch" }, "NOT_ALLOWED");
      rejects(game(), "alice", { type: "rematch" }, "NOT_ALLOWED");
      const over = run(aliceWins(), "alice", { type: "rematch" }).state;
      rejects(over, "alice", { type: "rematch" }, "NOT_ALLOWED");
      rejects(over, "alice", { type: "add_bot" }, "NOT_ALLOWED"); // both seats are still taken
      rejects(over, "bob", { type: "add_bot" }, "NOT_ALLOWED");
    });

    it("unknown or malformed actions are rejected, never thrown", () => {
      const s = game();
      for (const action of [{ type: "fly" }, {}, { type: 42 }, null, undefined, "roll", 7, { type: "join" }, { type: "join", name: 5 }]) {
        const result = dice.apply(s, "alice", action as unknown as DiceAction, scriptedRng([]));
        assert.equal(result.ok, false, JSON.stringify(action));
      }
    });

    it("a rejected action leaves the state deep-equal to before", () => {
      // `rejects` checks this on every call; here the states are also frozen, so a write would throw.
      const deepFreeze = <T>(o: T): T => {
        if (o && typeof o === "object") {
          Object.values(o).forEach(deepFreeze);
          Object.freeze(o);
        }
        return o;
      };
      const s = deepFreeze(run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state);
      const cases: [string, unknown][] = [
        ["alice", { type: "roll" }],
        ["bob", { type: "roll" }],
        ["alice", { type: "select", index: 7 }],
        ["alice", { type: "set_aside", endTurn: true }],
        ["alice", { type: "add_bot" }],
        ["carol", { type: "rematch" }],
        ["carol", { type: "join", name: "Carol" }],
        ["alice", { type: "end_bust" }],
      ];
      for (const [id, action] of cases) {
        const before = structuredClone(s);
        const result = dice.apply(s, id, action as DiceAction, scriptedRng([]));
        assert.equal(result.ok, false);
        assert.deepEqual(s, before);
      }
    });
  });

  describe("bots", () => {
    it("a seated player adds a bot, which fills the seat and starts the game", () => {
      const r = run(seated(["alice"]), "alice", { type: "add_bot" }, [2, 1]);
      const bot = r.state.players[1]!;
      assert.deepEqual(bot, { id: "bot-1", name: BOT_NAMES[2], isBot: true, score: 0, roundScore: 0, turnScore: 0, wins: 0 });
      assert.equal(r.state.phase, "playing");
      assert.equal(r.state.currentTurn, "bot-1");
      assert.deepEqual(dice.playerIds(r.state), ["alice", "bot-1"]);
    });

    it("a bot never takes the name of the player it plays against", () => {
      let s = dice.setup({ targetScore: 3000 }, scriptedRng([]));
      s = run(s, "alice", { type: "join", name: BOT_NAMES[0]! }).state;
      s = run(s, "alice", { type: "add_bot" }, [0, 0]).state;
      assert.equal(s.players[1]!.name, BOT_NAMES[1]);
    });

    it("bot ids are never reused in a room", () => {
      // The last human leaves mid-game: the bot leaves with them and the table is empty.
      let s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 0]).state;
      s = run(s, "alice", { type: "leave" }).state;
      assert.equal(s.winner, null);
      assert.deepEqual(s.players, [], "with no human left, the bot leaves too");
      s = run(s, "alice", { type: "join", name: "ALICE" }).state;
      s = run(s, "alice", { type: "add_bot" }, [0, 0]).state;
      assert.equal(s.players[1]!.id, "bot-2");
      // Leaving after the end: the bot leaves too and the room waits.
      s = run(s, "alice", { type: "roll" }, [1, 1, 1, 1, 1, 1]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4, 5]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.winner, "alice");
      s = run(s, "alice", { type: "leave" }).state;
      assert.deepEqual(s.players, [], "with no human left, the bot leaves too");
      assert.equal(s.phase, "waiting");
      s = run(s, "alice", { type: "join", name: "ALICE" }).state;
      s = run(s, "alice", { type: "add_bot" }, [0, 0]).state;
      assert.equal(s.players[1]!.id, "bot-3");
    });

    it("the bot rolls, takes 1s, 5s and three of a kind, and banks with three or more dice aside", () => {
      const s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      const { state, actions } = playBotTurn(s, [2, 5, 2, 6, 1, 2]);
      assert.deepEqual(actions, [
        { type: "roll" },
        { type: "select", index: 4 },
        { type: "select", index: 1 },
        { type: "select", index: 0 },
        { type: "select", index: 2 },
        { type: "select", index: 5 },
        { type: "set_aside", endTurn: true },
      ]);
      assert.equal(player(state, "bot-1").score, 350);
      assert.equal(state.currentTurn, "alice");
    });

    it("the bot keeps rolling until three dice are aside, never selecting a die that does not score", () => {
      const s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      const { state, actions } = playBotTurn(s, [2, 3, 4, 6, 6, 5, 1, 3, 4, 6, 6, 5, 2, 3, 4]);
      assert.deepEqual(actions, [
        { type: "roll" },
        { type: "select", index: 5 },
        { type: "set_aside", endTurn: false },
        { type: "roll" },
        { type: "select", index: 0 },
        { type: "set_aside", endTurn: false },
        { type: "roll" },
        { type: "select", index: 0 },
        { type: "set_aside", endTurn: true },
      ]);
      assert.equal(player(state, "bot-1").score, 200);
      assert.equal(state.currentTurn, "alice");
    });

    it("a bot's bust waits for the pause like anyone's", () => {
      const s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      const busted = run(s, "bot-1", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      assert.equal(busted.phase, "busted");
      assert.equal(dice.botMove!(busted), null);
    });

    it("the bot drops a die from its selection that it does not want", () => {
      let s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      s = run(s, "bot-1", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "bot-1", { type: "select", index: 1 }).state;
      assert.deepEqual(dice.botMove!(s), { playerId: "bot-1", action: { type: "select", index: 1 } });
    });

    it("botMove is null when no bot is on turn", () => {
      assert.equal(dice.botMove!(game()), null);
      assert.equal(dice.botMove!(seated(["alice"])), null);
      const s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 0]).state;
      assert.equal(s.currentTurn, "alice");
      assert.equal(dice.botMove!(s), null);
    });

    it("rematch with a bot: one human asking restarts, scores reset, first player drawn again", () => {
      let s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 0]).state;
      s = run(s, "alice", { type: "roll" }, [1, 1, 1, 1, 1, 1]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4, 5]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.winner, "alice");
      const r = run(s, "alice", { type: "rematch" }, [1]);
      assert.equal(r.state.phase, "playing");
      assert.equal(r.state.currentTurn, "bot-1");
      assert.equal(r.state.winner, null);
      assert.deepEqual(r.state.rematch, []);
      assert.deepEqual(r.state.players.map((p) => p.score), [0, 0]);
      assert.equal(r.state.turn, s.turn + 1);
    });

    for (const seed of [1, 2, 3, 4, 5]) {
      it(`a full game of a player against a bot runs to its end (seed ${seed})`, () => {
        const rng = seededRng(seed);
        let s = dice.setup({ targetScore: DEFAULT_TARGET_SCORE }, rng);
        s = run(s, "alice", { type: "join", name: "Alice" }).state;
        let r = dice.apply(s, "alice", { type: "add_bot" }, rng);
        let steps = 0;
        let pending: DiceAction | null = null;
        for (; steps < 20_000 && r.ok && r.state.phase !== "over"; steps++) {
          s = r.state;
          checkInvariants(s);
          for (const e of r.events) if (e.type === "schedule") pending = e.action;
          if (s.phase === "busted") {
            r = dice.apply(s, "room", pending!, rng);
            continue;
          }
          const bot = dice.botMove!(s);
          r = bot ? dice.apply(s, bot.playerId, bot.action, rng) : dice.apply(s, "alice", humanMove(s), rng);
        }
        if (!r.ok) assert.fail(`rejected after ${steps} steps: ${r.code} ${r.message}`);
        s = r.state;
        checkInvariants(s);
        assert.equal(s.phase, "over");
        const winner = player(s, s.winner!);
        const loser = s.players.find((p) => p.id !== s.winner)!;
        assert.ok(winner.score >= DEFAULT_TARGET_SCORE);
        assert.ok(loser.score < DEFAULT_TARGET_SCORE);
      });
    }
  });

  describe("rematch, leaving and forfeit", () => {
    it("a rematch between two players starts when both have asked", () => {
      let s = aliceWins();
      s = run(s, "alice", { type: "rematch" }).state;
      assert.equal(s.phase, "over");
      assert.deepEqual(s.rematch, ["alice"]);
      s = run(s, "bob", { type: "rematch" }, [1]).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "bob");
      assert.deepEqual(s.players.map((p) => p.score), [0, 0]);
      assert.equal(s.targetScore, 1000);
    });

    it("a player who leaves during the game gives up the seat, and the other wins", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      const r = run(s, "alice", { type: "leave" });
      s = r.state;
      assert.deepEqual(r.events, []);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "bob");
      assert.equal(s.currentTurn, null);
      assert.deepEqual(dice.playerIds(s), ["bob"], "the leaver's seat is freed");
      assert.equal(s.ending?.reason, "left", "the state says the other player left");
      assert.equal(player(s, "bob").wins, 1, "a forfeit counts in the tally");
      assert.notEqual(s.ending?.name, "");
      assert.deepEqual(dice.canSeat(s), { ok: true });
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(s.selected, []);
      assert.equal(dice.activePlayer(s), null);
      assert.equal(dice.isStarted(s), false);
      rejects(s, "alice", { type: "roll" }, "NOT_A_PLAYER");
      rejects(s, "alice", { type: "leave" }, "NOT_A_PLAYER");
      rejects(s, "bob", { type: "roll" }, "GAME_OVER");
      checkInvariants(s);
    });

    it("a player who did not come back (a dropped connection) forfeits as one who leaves, and the ending says so: mid-game, after a game, and at a bot's table", () => {
      const s0 = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      const left = run(s0, "alice", { type: "leave" }).state;
      const dropped = run(s0, "alice", { type: "leave", dropped: true }).state;
      assert.deepEqual({ ...dropped, ending: null }, { ...left, ending: null }, "the same forfeit");
      assert.deepEqual(dropped.ending, { reason: "dropped", name: left.ending!.name });
      // After the game: bob waits, told that alice did not come back.
      rejects(dropped, "alice", { type: "leave", dropped: true }, "NOT_A_PLAYER");
      assert.deepEqual(run(left, "bob", { type: "leave", dropped: true }).state.ending, null, "an empty table has nobody to tell");
      const over = run(run(left, "carol", { type: "join", name: "Carol" }, [1]).state, "carol", { type: "leave" }).state;
      assert.equal(over.phase, "over");
      assert.deepEqual(run(over, "bob", { type: "leave", dropped: true }).state.ending, null, "nobody stays to be told");
      // The last human at a bot's table: the table empties, and spectators read why.
      const playing = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      assert.deepEqual(run(playing, "alice", { type: "leave", dropped: true }).state.ending, { reason: "dropped", name: "ALICE" });
      checkInvariants(dropped);
    });

    it("forfeit during the bust pause ends the game, and the pending end_bust is refused", () => {
      const r = run(game(), "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]);
      const s = run(r.state, "bob", { type: "leave" }).state;
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "alice");
      assert.deepEqual(dice.playerIds(s), ["alice"]);
      rejects(s, "alice", (r.events[1] as ScheduleEvent<DiceScheduled>).action, "NOT_ALLOWED");
      checkInvariants(s);
    });

    it("a newcomer can sit down after a forfeit and a fresh game starts with scores reset", () => {
      // Alice banks 600, bob 100, then bob walks out during alice's turn.
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [5, 5, 5, 2, 3]).state;
      s = selectAll(s, "alice", [0, 1, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      s = run(s, "bob", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "bob", { type: "select", index: 0 }).state;
      s = run(s, "bob", { type: "set_aside", endTurn: true }).state;
      s = run(s, "alice", { type: "roll" }, [5, 2, 3, 4, 6, 6]).state;
      s = run(s, "bob", { type: "leave" }).state;
      assert.deepEqual(s.players.map((p) => [p.id, p.score, p.roundScore, p.turnScore]), [["alice", 600, 0, 0]]);
      assert.equal(s.winner, "alice");

      // Alone, a rematch cannot start a game.
      s = run(s, "alice", { type: "rematch" }).state;
      assert.equal(s.phase, "over");
      assert.deepEqual(s.rematch, ["alice"]);

      const before = s;
      s = run(s, "carol", { type: "join", name: "Carol" }, [1]).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.winner, null);
      assert.deepEqual(s.rematch, []);
      assert.equal(s.currentTurn, "carol");
      assert.equal(s.turn, before.turn + 1);
      assert.equal(s.targetScore, DEFAULT_TARGET_SCORE);
      assert.deepEqual(s.players.map((p) => [p.id, p.name, p.isBot, p.score]), [
        ["alice", "ALICE", false, 0],
        ["carol", "Carol", false, 0],
      ]);
      assert.deepEqual(s.dice, [0, 0, 0, 0, 0, 0]);
      assert.deepEqual(dice.canSeat(s), { ok: false, reason: "started" });
      rejects(s, "bob", { type: "join", name: "Bob" }, "NOT_ALLOWED");
      checkInvariants(s);
    });

    it("the last human leaving during a game takes the bot along", () => {
      const playing = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 1]).state;
      const busted = run(playing, "bot-1", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      assert.equal(busted.phase, "busted");
      for (const s0 of [playing, busted]) {
        const s = run(s0, "alice", { type: "leave" }).state;
        assert.deepEqual(s.players, [], "with no human left, the bot leaves too");
        assert.equal(s.phase, "waiting", "an empty table waits for players, with no stale result");
        assert.equal(s.winner, null, "nobody is left to have won");
        assert.deepEqual(s.ending, { reason: "left", name: "ALICE" }, "the game ended by her leave: spectators are told why the table emptied");
        assert.equal(s.currentTurn, null);
        assert.equal(dice.activePlayer(s), null);
        assert.equal(dice.botMove!(s), null, "no bot is left to play");
        assert.deepEqual(dice.canSeat(s), { ok: true });
        rejects(s, "bot-1", { type: "roll" }, "NOT_A_PLAYER");
        checkInvariants(s);

        // The empty table takes a newcomer, who starts a fresh game against a new bot.
        let next = run(s, "carol", { type: "join", name: "Carol" }).state;
        assert.deepEqual(dice.playerIds(next), ["carol"]);
        assert.equal(next.ending, null, "Carol is not told that Alice, whom she never met, left");
        checkInvariants(next);
        next = run(next, "carol", { type: "add_bot" }, [0, 0]).state;
        assert.equal(next.phase, "playing");
        assert.equal(next.winner, null);
        assert.equal(next.ending, null, "a new game clears the last one's ending");
        assert.deepEqual(dice.playerIds(next), ["carol", "bot-2"]);
        assert.deepEqual(next.players.map((p) => p.score), [0, 0]);
        checkInvariants(next);
      }
    });

    it("add_bot after a forfeit seats a bot and starts a fresh game", () => {
      // Alice banks 1000 at once (target 3000), then bob walks out on his turn.
      let s = run(game(), "alice", { type: "roll" }, [1, 1, 1, 2, 3, 4]).state;
      s = selectAll(s, "alice", [0, 1, 2]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.currentTurn, "bob");
      s = run(s, "bob", { type: "leave" }).state;
      assert.equal(s.winner, "alice");
      assert.deepEqual(s.players.map((p) => [p.id, p.score]), [["alice", 1000]]);

      const before = s;
      const r = run(s, "alice", { type: "add_bot" }, [3, 1]);
      s = r.state;
      assert.deepEqual(s.players[1], { id: "bot-1", name: BOT_NAMES[3], isBot: true, score: 0, roundScore: 0, turnScore: 0, wins: 0 });
      assert.equal(s.phase, "playing");
      assert.equal(s.winner, null);
      assert.deepEqual(s.rematch, []);
      assert.equal(s.currentTurn, "bot-1");
      assert.equal(s.turn, before.turn + 1);
      assert.deepEqual(s.players.map((p) => [p.id, p.score]), [["alice", 0], ["bot-1", 0]]);
      assert.deepEqual(dice.botMove!(s), { playerId: "bot-1", action: { type: "roll" } });
      rejects(s, "alice", { type: "add_bot" }, "NOT_ALLOWED");
      checkInvariants(s);
    });

    it("a stale end_bust cannot end a later pause early", () => {
      const r = run(game(), "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]);
      const stale = (r.events[1] as ScheduleEvent<DiceScheduled>).action;
      let s = run(r.state, "bob", { type: "leave" }).state;
      s = run(s, "carol", { type: "join", name: "Carol" }, [0]).state;
      s = run(s, "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      assert.equal(s.phase, "busted");
      rejects(s, "alice", stale, "NOT_ALLOWED");
      // The same holds after a rematch between two seated players.
      s = aliceWins();
      const stale2 = { type: "end_bust", turn: s.turn } as const;
      s = run(s, "alice", { type: "rematch" }).state;
      s = run(s, "bob", { type: "rematch" }, [0]).state;
      s = run(s, "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      assert.equal(s.phase, "busted");
      rejects(s, "alice", stale2, "NOT_ALLOWED");
    });

    it("leaving before the start frees the seat", () => {
      const s = run(seated(["alice"]), "alice", { type: "leave" }).state;
      assert.deepEqual(s.players, []);
      assert.equal(s.phase, "waiting");
    });

    it("leaving after the end frees the seat and the room waits for a new opponent", () => {
      const bobName = player(aliceWins(), "bob").name;
      let s = run(aliceWins(), "bob", { type: "leave" }).state;
      assert.equal(s.phase, "waiting");
      assert.equal(s.winner, null);
      assert.deepEqual(s.ending, { reason: "left", name: bobName });
      assert.deepEqual(s.players.map((p) => [p.id, p.score]), [["alice", 0]]);
      s = run(s, "carol", { type: "join", name: "Carol" }, [1]).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "carol");
    });
  });

  it("activePlayer, turnNumber, playerIds and isStarted follow the phase", () => {
    const waiting = seated(["alice"]);
    assert.deepEqual([dice.activePlayer(waiting), dice.turnNumber(waiting), dice.isStarted(waiting)], [null, 0, false]);
    const playing = game();
    assert.deepEqual([dice.activePlayer(playing), dice.turnNumber(playing), dice.isStarted(playing)], ["alice", 1, true]);
    assert.deepEqual(dice.playerIds(playing), ["alice", "bob"]);
    const busted = run(playing, "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
    assert.deepEqual([dice.activePlayer(busted), dice.turnNumber(busted), dice.isStarted(busted)], [null, 1, true]);
  });

  describe("property: random actions by anyone", () => {
    const ACTORS = ["alice", "bob", "carol", "bot-1", "bot-2", "room"];
    const INDEXES = [-1, 0, 1, 2, 3, 4, 5, 6, 99, 1.5, Number.NaN, "2", null, undefined];
    const END_TURNS = [true, false, true, false, "yes", 1, undefined];
    const NAMES = ["Alice", "Bob", "", undefined, 42];

    /** An action of any kind, legal or not, with garbage-ish fields. */
    function randomAction(g: Rng, s: DiceState, pending: DiceAction | null): [string, DiceAction] {
      const onTurn = s.currentTurn ?? pick(g, ACTORS);
      if (g.int(0, 99) < 55) {
        // A sensible move, so that games progress through busts, banks and wins.
        if (s.phase === "busted") return ["room", pending ?? { type: "end_bust" }];
        const bot = dice.botMove!(s);
        if (bot) return [bot.playerId, bot.action];
        if (s.phase === "playing") return [onTurn, humanMove(s)];
        // After a forfeit the leaver's seat is free (or the whole table, if a bot won).
        if (s.phase === "over" && s.players.length === 2) return [pick(g, s.players).id, { type: "rematch" }];
        if (s.phase === "over" && s.players.length === 1 && g.int(0, 1) === 0) return [s.players[0]!.id, { type: "add_bot" }];
        return [pick(g, ["alice", "bob", "carol"]), pick(g, [{ type: "join", name: "P" }, { type: "add_bot" }])];
      }
      const actor = g.int(0, 2) === 0 ? onTurn : pick(g, ACTORS);
      const raw: Record<string, unknown>[] = [
        { type: "roll" },
        { type: "select", index: pick(g, INDEXES) },
        { type: "set_aside", endTurn: pick(g, END_TURNS) },
        { type: "add_bot" },
        { type: "rematch" },
        { type: "join", name: pick(g, NAMES) },
        { type: "timeout" },
        { type: "end_bust", turn: pick(g, [undefined, s.turn, s.turn - 1, "x"]) },
        { type: "bogus" },
      ];
      // Leaves are rare, or games would seldom get far.
      const action = g.int(0, 39) === 0 ? { type: "leave" } : pick(g, raw);
      return [actor, action as unknown as DiceAction];
    }

    for (const seed of [1, 2, 3, 4, 5, 6]) {
      it(`2500 random actions never throw and keep the invariants (seed ${seed})`, () => {
        const g = seededRng(seed * 7919);
        const rng = seededRng(seed);
        let s = dice.setup({ targetScore: 1000 }, rng);
        let pending: DiceAction | null = null;
        const seen = new Set<string>();
        let accepted = 0;
        for (let step = 0; step < 2500; step++) {
          const [actor, action] = randomAction(g, s, pending);
          const before = structuredClone(s);
          const r = dice.apply(s, actor, action, rng);
          assert.deepEqual(s, before, "the input is never changed");
          if (!r.ok) continue;
          accepted++;
          for (const e of r.events as readonly Event[]) {
            if (e.type === "schedule") {
              assert.equal(e.timer, "bust");
              assert.equal(r.state.phase, "busted");
              pending = e.action;
            } else {
              assert.ok(s.players.some((p) => p.id === e.playerId));
            }
          }
          if (action.type === "leave") {
            assert.ok(!r.state.players.some((p) => p.id === actor), "a leaver never keeps the seat");
            if (s.phase === "playing" || s.phase === "busted") {
              const other = s.players.find((p) => p.id !== actor)!;
              if (other.isBot) {
                assert.equal(r.state.phase, "waiting", "the last human leaving empties the table");
                assert.deepEqual(r.state.players, []);
              } else {
                assert.equal(r.state.phase, "over");
                assert.equal(r.state.winner, other.id, "the other player wins the forfeit");
              }
            }
          }
          s = r.state;
          seen.add(s.phase);
          checkInvariants(s);
        }
        assert.ok(accepted > 500, `only ${accepted} actions accepted`);
        assert.deepEqual([...seen].sort(), ["busted", "over", "playing", "waiting"]);
      });
    }
  });
});
