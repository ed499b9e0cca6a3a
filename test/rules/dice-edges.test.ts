/**
 * Dice rules at their edges: what the main suites (dice.test.ts, dice-scoring.test.ts) left
 * unasserted. The rejection messages are asserted where they are the only difference a player
 * sees (the client shows them as the error's detail).
 */
import assert from "node:assert/strict";
import { BOT_ID_PREFIX, BOT_NAMES, DEFAULT_TARGET_SCORE, dice } from "../../src/rules/dice.js";
import { holdsScoringDie, scoreDice } from "../../src/rules/dice-scoring.js";
import { scriptedRng } from "../../src/rules/rng.js";
import { aliceWins, game, player, rejects, run, seated, selectAll } from "../helpers/dice-rules.js";

describe("Dice rules: edges", () => {
  describe("scoring", () => {
    it("a huge whole number is not a face either, and spoils the set", () => {
      // 2^32 is no array index: it must still be counted as a non-face.
      assert.deepEqual(scoreDice([2 ** 32]), { score: 0, valid: false });
      assert.deepEqual(scoreDice([1, 2 ** 32]), { score: 100, valid: false });
      assert.equal(holdsScoringDie([2 ** 32, 2 ** 32, 2 ** 32]), false);
    });

    it("each run scores its own points, and a full run set aside counts 1500 for the round", () => {
      assert.deepEqual(scoreDice([1, 2, 3, 4, 5, 6]), { score: 1500, valid: true });
      assert.deepEqual(scoreDice([5, 4, 3, 2, 1]), { score: 500, valid: true });
      assert.deepEqual(scoreDice([6, 5, 4, 3, 2]), { score: 750, valid: true });
      assert.deepEqual(scoreDice([2, 3, 4, 6, 6]), { score: 0, valid: false });
      let s = run(game(), "alice", { type: "roll" }, [6, 2, 4, 1, 5, 3]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4, 5]);
      assert.equal(player(s, "alice").turnScore, 1500);
      const r = run(s, "alice", { type: "set_aside", endTurn: false });
      assert.deepEqual(r.events, [{ type: "hotDice", playerId: "alice" }]);
      assert.equal(player(r.state, "alice").roundScore, 1500);
    });
  });

  describe("selecting", () => {
    it("the selection lists its dice in ascending order, whatever order they were picked in", () => {
      let s = run(game(), "alice", { type: "roll" }, [2, 1, 4, 5, 6, 1]).state;
      s = run(s, "alice", { type: "select", index: 5 }).state;
      s = run(s, "alice", { type: "select", index: 3 }).state;
      assert.deepEqual(s.selected, [3, 5]);
      s = run(s, "alice", { type: "select", index: 1 }).state;
      assert.deepEqual(s.selected, [1, 3, 5]);
      assert.equal(player(s, "alice").turnScore, 250);
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      assert.deepEqual(s.setAside, [1, 5, 1]);
      assert.equal(player(s, "alice").roundScore, 250);
    });

    it("an index out of range is refused with the range of the dice on the table", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      assert.match(rejects(s, "alice", { type: "select", index: 6 }, "INVALID_MOVE"), /from 0 to 5\b/);
      s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "set_aside", endTurn: false }).state;
      s = run(s, "alice", { type: "roll" }, [5, 2, 3, 4, 6]).state;
      assert.equal(s.dice.length, 5);
      assert.match(rejects(s, "alice", { type: "select", index: 5 }, "INVALID_MOVE"), /from 0 to 4\b/);
    });
  });

  describe("setting aside and banking", () => {
    it("setting aside an empty selection asks to select dice first", () => {
      const s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      for (const endTurn of [false, true]) {
        assert.match(rejects(s, "alice", { type: "set_aside", endTurn }, "INVALID_MOVE"), /select the dice/i);
      }
    });

    it("banking below the target adds no win to the tally", () => {
      let s = run(game(), "alice", { type: "roll" }, [1, 2, 3, 4, 6, 6]).state;
      s = run(s, "alice", { type: "select", index: 0 }).state;
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "bob");
      assert.deepEqual(s.players.map((p) => [p.id, p.score, p.wins]), [
        ["alice", 100, 0],
        ["bob", 0, 0],
      ]);
    });
  });

  describe("seats", () => {
    it("a join without a name is refused, alone or as the second player", () => {
      const empty = dice.setup({ targetScore: DEFAULT_TARGET_SCORE }, scriptedRng([]));
      assert.match(rejects(empty, "alice", { type: "join", name: "" }, "NOT_ALLOWED"), /name/i);
      assert.match(rejects(seated(["alice"]), "bob", { type: "join", name: "" }, "NOT_ALLOWED"), /name/i);
    });

    it("a join to a full table says so, a join to a running game says it has started", () => {
      assert.match(rejects(aliceWins(), "carol", { type: "join", name: "Carol" }, "NOT_ALLOWED"), /both seats are taken/i);
      assert.match(rejects(game(), "carol", { type: "join", name: "Carol" }, "NOT_ALLOWED"), /has started/i);
    });

    it("the last player leaving before the start leaves no ending to show", () => {
      const s = run(seated(["alice"]), "alice", { type: "leave" }).state;
      assert.deepEqual(s.players, []);
      assert.equal(s.ending, null);
    });

    it("the human leaving after a game against a bot takes the bot along, with no ending to show", () => {
      let s = run(seated(["alice"]), "alice", { type: "add_bot" }, [0, 0]).state;
      s = run(s, "alice", { type: "roll" }, [1, 1, 1, 1, 1, 1]).state;
      s = selectAll(s, "alice", [0, 1, 2, 3, 4, 5]);
      s = run(s, "alice", { type: "set_aside", endTurn: true }).state;
      assert.equal(s.phase, "over");
      assert.deepEqual(s.ending, { reason: "won", name: "ALICE" });
      s = run(s, "alice", { type: "leave" }).state;
      assert.deepEqual(s.players, []);
      assert.equal(s.phase, "waiting");
      assert.equal(s.ending, null);
    });
  });

  describe("bots", () => {
    it("add_bot during a game or its bust pause is refused as too late, not as a full table", () => {
      const playing = game();
      assert.match(rejects(playing, "alice", { type: "add_bot" }, "NOT_ALLOWED"), /before the game starts/);
      const busted = run(playing, "alice", { type: "roll" }, [2, 3, 4, 6, 6, 2]).state;
      assert.equal(busted.phase, "busted");
      assert.match(rejects(busted, "bob", { type: "add_bot" }, "NOT_ALLOWED"), /before the game starts/);
      // After the game, a full table is the reason.
      assert.match(rejects(aliceWins(), "alice", { type: "add_bot" }, "NOT_ALLOWED"), /both seats are taken/i);
    });

    it("a bot never takes the id of the player already seated, even one that looks like a bot's", () => {
      let s = dice.setup({ targetScore: DEFAULT_TARGET_SCORE }, scriptedRng([]));
      s = run(s, "bot-1", { type: "join", name: "Mallory" }).state;
      s = run(s, "bot-1", { type: "add_bot" }, [0, 1]).state;
      assert.deepEqual(s.players.map((p) => [p.id, p.isBot]), [
        ["bot-1", false],
        ["bot-2", true],
      ]);
      assert.equal(s.currentTurn, "bot-2");
      assert.deepEqual(dice.botMove!(s), { playerId: "bot-2", action: { type: "roll" } });
      // The next bot's number goes on from there.
      s = run(s, "bot-1", { type: "leave" }).state;
      assert.deepEqual(s.players, []);
      s = run(s, "alice", { type: "join", name: "Alice" }).state;
      s = run(s, "alice", { type: "add_bot" }, [0, 0]).state;
      assert.equal(s.players[1]!.id, "bot-3");
    });

    it("bots are named from the list of games.md, with the bot- id prefix", () => {
      const names = [
        "Hans", "Henry", "Katherine", "Janek", "Bartholomew", "Konrad", "Esther", "Ignatius",
        "Margarethe", "Leopold", "Agnes", "Ottokar", "Wilhelmina", "Friedrich",
      ];
      assert.equal(BOT_ID_PREFIX, "bot-");
      assert.deepEqual(BOT_NAMES, names);
      names.forEach((name, i) => {
        const s = run(seated(["alice"]), "alice", { type: "add_bot" }, [i, 0]).state;
        assert.deepEqual([s.players[1]!.id, s.players[1]!.name], ["bot-1", name]);
      });
    });
  });
});
