import assert from "node:assert/strict";
import {
  BUST_ABOVE,
  DEFAULT_MAX_PLAYERS,
  LOSE_LIFE_MIN_TOTAL,
  START_LIVES,
  oweDrahn,
  outOfRunningGame,
  type OweDrahnAction,
  type OweDrahnPlayer,
  type OweDrahnState,
} from "../../src/rules/owe-drahn.js";
import { rulesHarness } from "../helpers/rules.js";
import { scriptedRng, seededRng, type Rng } from "../../src/rules/rng.js";
import type { Accepted, RuleErrorCode } from "../../src/rules/types.js";

type Events = Accepted<OweDrahnState, unknown>["events"];
const harness = rulesHarness(oweDrahn);

/** Applies an action that must be accepted; the input state must come out unchanged. */
function run(state: OweDrahnState, playerId: string, action: OweDrahnAction, rng?: Rng) {
  return harness.accept(state, playerId, action, rng);
}

/** Applies an action that must be rejected with `code`, leaving the state deep-equal to before. */
function rejects(state: OweDrahnState, playerId: string, action: unknown, code: RuleErrorCode, rng?: Rng) {
  harness.refuse(state, playerId, action, code, rng);
}

/** A lobby with `ids` seated (named after their ids), nobody ready. */
function lobby(ids: readonly string[], maxPlayers = DEFAULT_MAX_PLAYERS): OweDrahnState {
  let s = oweDrahn.setup({ maxPlayers }, scriptedRng([]));
  for (const id of ids) s = run(s, id, { type: "join", name: id.toUpperCase() }).state;
  return s;
}

/** Everyone in the lobby says ready; the rng draws seat index `first` to start. */
function readyAll(s: OweDrahnState, first = 0): OweDrahnState {
  const ids = s.players.map((p) => p.id);
  for (const id of ids.slice(0, -1)) s = run(s, id, { type: "ready", ready: true }).state;
  return run(s, ids[ids.length - 1]!, { type: "ready", ready: true }, scriptedRng([first])).state;
}

/** A game between `ids`, started with seat `first` on turn. */
function game(ids: readonly string[] = ["a", "b", "c"], first = 0): OweDrahnState {
  return readyAll(lobby(ids), first);
}

/** A test-only shortcut into a situation: patch the state and some players. */
function patch(s: OweDrahnState, change: Partial<OweDrahnState>, players: Record<string, Partial<OweDrahnPlayer>> = {}): OweDrahnState {
  return { ...s, ...change, players: s.players.map((p) => ({ ...p, ...players[p.id] })) };
}

const player = (s: OweDrahnState, id: string) => s.players.find((p) => p.id === id)!;
const lives = (s: OweDrahnState) => s.players.map((p) => p.life);
const scores = (s: OweDrahnState) => Object.fromEntries(s.players.map((p) => [p.id, p.score]));
const roll = { type: "roll" } as const;
const loseLife = { type: "lose_life" } as const;
const chooseNext = (playerId: string) => ({ type: "choose_next", playerId }) as const;

/** Rolls `dice` in turn order starting from whoever is on turn. */
function rollAll(s: OweDrahnState, dice: readonly number[]): { state: OweDrahnState; events: Events } {
  const events: unknown[] = [];
  for (const die of dice) {
    const r = run(s, s.currentTurn!, roll, scriptedRng([die]));
    s = r.state;
    events.push(...r.events);
  }
  return { state: s, events };
}

describe("Owe Drahn rules", () => {
  describe("ready stage", () => {
    it("setup opens an empty lobby with the configured seats", () => {
      const s = oweDrahn.setup({ maxPlayers: 4 }, scriptedRng([]));
      assert.deepEqual(s, { players: [], currentValue: 0, currentTurn: null, phase: "lobby", lastRoll: 0, maxPlayers: 4, turn: 0, ending: null });
      assert.equal(oweDrahn.setup({ maxPlayers: 99 }, scriptedRng([])).maxPlayers, DEFAULT_MAX_PLAYERS);
    });

    it("a joining player gets a seat with six lives, not ready", () => {
      const s = lobby(["a", "b"]);
      assert.deepEqual(player(s, "b"), { id: "b", name: "B", life: START_LIVES, ready: false, choosing: false, score: 0, left: false });
      assert.deepEqual(oweDrahn.playerIds(s), ["a", "b"]);
      rejects(s, "a", { type: "join", name: "again" }, "NOT_ALLOWED");
    });

    it("the game needs two ready players", () => {
      let s = lobby(["a"]);
      s = run(s, "a", { type: "ready", ready: true }).state;
      assert.equal(s.phase, "lobby", "one ready player alone does not start");
      s = run(s, "b", { type: "join", name: "B" }).state;
      assert.equal(s.phase, "lobby", "a newcomer is not ready yet");
      s = run(s, "b", { type: "ready", ready: true }, scriptedRng([1])).state;
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "b", "the rng drew the first player");
      assert.equal(s.turn, 1);
      assert.equal(oweDrahn.activePlayer(s), "b");
    });

    it("a player may take ready back, and the game waits for everyone", () => {
      let s = lobby(["a", "b", "c"]);
      s = run(s, "a", { type: "ready", ready: true }).state;
      s = run(s, "b", { type: "ready", ready: true }).state;
      s = run(s, "a", { type: "ready", ready: false }).state;
      s = run(s, "c", { type: "ready", ready: true }).state;
      assert.equal(s.phase, "lobby");
      assert.deepEqual(s.players.map((p) => p.ready), [false, true, true]);
    });

    it("seats are refused when the room is full or the game has started", () => {
      let s = lobby(["a", "b"], 2);
      assert.deepEqual(oweDrahn.canSeat(s), { ok: false, reason: "full" });
      rejects(s, "c", { type: "join", name: "C" }, "NOT_ALLOWED");
      s = readyAll(lobby(["a", "b"], 3));
      assert.deepEqual(oweDrahn.canSeat(s), { ok: false, reason: "started" });
      rejects(s, "c", { type: "join", name: "C" }, "NOT_ALLOWED");
    });

    it("a leave in the lobby frees the seat, and may complete the ready check", () => {
      let s = lobby(["a", "b", "c"], 3);
      s = run(s, "a", { type: "ready", ready: true }).state;
      s = run(s, "b", { type: "ready", ready: true }).state;
      s = run(s, "c", { type: "leave" }, scriptedRng([0])).state;
      assert.deepEqual(oweDrahn.playerIds(s), ["a", "b"]);
      assert.equal(s.phase, "playing", "everyone still seated is ready");
      const t = run(lobby(["a", "b"]), "b", { type: "leave" }).state;
      assert.deepEqual(oweDrahn.playerIds(t), ["a"]);
      assert.deepEqual(oweDrahn.canSeat(t), { ok: true });
    });
  });

  describe("rolling", () => {
    it("a 3 counts as zero", () => {
      let s = patch(game(), { currentValue: 7 });
      const r = run(s, "a", roll, scriptedRng([3]));
      s = r.state;
      assert.equal(s.currentValue, 7);
      assert.equal(s.lastRoll, 3);
      assert.deepEqual(r.events, [{ type: "rolled", playerId: "a", die: 3, total: 7, timeout: false }]);
    });

    it("a roll adds the die and passes the turn to the next player alive in seat order", () => {
      let s = patch(game(["a", "b", "c", "d"], 2), {}, { d: { life: 0 } });
      const turn = s.turn;
      s = rollAll(s, [4]).state;
      assert.equal(s.currentValue, 4);
      assert.equal(s.lastRoll, 4);
      assert.equal(s.currentTurn, "a", "d is out, so the turn wraps past it");
      assert.equal(s.turn, turn + 1);
      s = rollAll(s, [6, 1]).state;
      assert.equal(s.currentValue, 11);
      assert.equal(s.currentTurn, "c");
    });

    it("a total of exactly 15 is safe", () => {
      const s = run(patch(game(), { currentValue: 9 }), "a", roll, scriptedRng([6])).state;
      assert.equal(s.currentValue, BUST_ABOVE);
      assert.deepEqual(lives(s), [6, 6, 6]);
    });

    it("a roll taking the total to 16 eliminates the roller and resets the total", () => {
      const before = patch(game(), { currentValue: 12 });
      const r = run(before, "a", roll, scriptedRng([4]));
      assert.deepEqual(r.events, [{ type: "rolled", playerId: "a", die: 4, total: 16, timeout: false }]);
      assert.equal(r.state.currentValue, 0);
      assert.equal(r.state.lastRoll, 4);
      assert.deepEqual(lives(r.state), [0, 6, 6]);
      assert.equal(r.state.currentTurn, "b");
      assert.equal(r.state.turn, before.turn + 1);
      assert.equal(r.state.phase, "playing");
      rejects(r.state, "a", roll, "NOT_ALLOWED");
    });
  });

  describe("owe drahn (lose a life)", () => {
    it("lose_life at 10 costs a life, resets the total and makes the player choose", () => {
      const before = patch(game(), { currentValue: LOSE_LIFE_MIN_TOTAL });
      const r = run(before, "a", loseLife);
      assert.deepEqual(r.events, []);
      assert.equal(player(r.state, "a").life, START_LIVES - 1);
      assert.equal(player(r.state, "a").choosing, true);
      assert.equal(r.state.currentValue, 0);
      assert.equal(r.state.currentTurn, "a", "the chooser keeps the turn until they choose");
      assert.equal(r.state.turn, before.turn, "losing a life starts no new turn");
    });

    it("lose_life is refused below 10", () => {
      rejects(patch(game(), { currentValue: LOSE_LIFE_MIN_TOTAL - 1 }), "a", loseLife, "NOT_ALLOWED");
    });

    it("lose_life is refused on the last life", () => {
      const s = patch(game(), { currentValue: 14 }, { a: { life: 1 } });
      rejects(s, "a", loseLife, "NOT_ALLOWED");
      assert.equal(run(patch(s, {}, { a: { life: 2 } }), "a", loseLife).state.players[0]!.life, 1);
    });

    it("lose_life is refused while choosing", () => {
      const s = run(patch(game(), { currentValue: 12 }), "a", loseLife).state;
      rejects(patch(s, { currentValue: 12 }), "a", loseLife, "NOT_ALLOWED");
    });

    it("roll is refused while choosing", () => {
      const s = run(patch(game(), { currentValue: 12 }), "a", loseLife).state;
      rejects(s, "a", roll, "NOT_ALLOWED");
    });

    it("choose_next hands the turn to the named player (themselves included)", () => {
      const choosing = run(patch(game(), { currentValue: 12 }), "a", loseLife).state;
      const handed = run(choosing, "a", chooseNext("c"));
      assert.deepEqual(handed.events, [{ type: "handedOver", playerId: "a", nextId: "c", timeout: false }]);
      const other = handed.state;
      assert.equal(other.currentTurn, "c");
      assert.equal(player(other, "a").choosing, false);
      assert.equal(other.turn, choosing.turn + 1);
      const self = run(choosing, "a", chooseNext("a")).state;
      assert.equal(self.currentTurn, "a");
      assert.equal(player(self, "a").choosing, false);
      assert.equal(self.turn, choosing.turn + 1, "a new turn even for the same player");
      assert.equal(oweDrahn.turnNumber(self), choosing.turn + 1);
      assert.equal(run(self, "a", roll, scriptedRng([2])).state.currentValue, 2);
    });

    it("the choice of who plays next is a stage of the turn timed on its own (timedStage): 1 while choosing, 0 before and after, whoever takes the turn", () => {
      const before = patch(game(), { currentValue: 12 });
      assert.equal(oweDrahn.timedStage!(before), 0, "rolling");
      const choosing = run(before, "a", loseLife).state;
      assert.equal(oweDrahn.timedStage!(choosing), 1, "choosing: the room restarts the turn timer");
      assert.equal(oweDrahn.turnNumber(choosing), oweDrahn.turnNumber(before), "the same turn");
      assert.equal(oweDrahn.timedStage!(run(choosing, "a", chooseNext("a")).state), 0, "handed to themselves");
      assert.equal(oweDrahn.timedStage!(run(choosing, "a", chooseNext("b")).state), 0, "handed to another");
      assert.equal(oweDrahn.timedStage!(run(choosing, "a", { type: "timeout" }).state), 0, "handed on by the timeout");
      assert.equal(oweDrahn.timedStage!(run(choosing, "a", { type: "leave" }).state), 0, "the chooser left: the next player's turn");
      assert.equal(oweDrahn.timedStage!(patch(game(), {}, { b: { choosing: true } })), 0, "only the player on turn's choice counts");
    });

    it("choose_next names only a player still in the game", () => {
      const s = run(patch(game(["a", "b", "c"]), { currentValue: 12 }, { b: { life: 0 } }), "a", loseLife).state;
      for (const target of ["b", "zz", "", "__proto__", "constructor", 7, null, undefined]) {
        rejects(s, "a", { type: "choose_next", playerId: target }, "INVALID_MOVE");
      }
      rejects(s, "a", { type: "choose_next" }, "INVALID_MOVE");
    });

    it("choose_next is not allowed when not choosing", () => {
      rejects(game(), "a", chooseNext("b"), "NOT_ALLOWED");
    });
  });

  describe("game over and reset", () => {
    it("the last player alive wins and scores are zero-sum", () => {
      // Game 1: c busts, then a busts; b wins.
      let r = rollAll(game(["a", "b", "c"], 0), [6, 6, 5]);
      assert.deepEqual(lives(r.state), [6, 6, 0]);
      assert.equal(r.state.currentTurn, "a");
      r = rollAll(r.state, [6, 6, 5]);
      assert.equal(r.state.phase, "over");
      assert.equal(r.state.currentTurn, null);
      assert.equal(oweDrahn.activePlayer(r.state), null);
      assert.deepEqual(r.events.slice(-3), [
        { type: "rolled", playerId: "a", die: 5, total: 17, timeout: false },
        { type: "gameOver", winnerId: "b" },
        { type: "schedule", timer: "gameOver", action: { type: "reset" } },
      ]);
      assert.deepEqual(scores(r.state), { a: -1, b: 2, c: -1 });
      assert.deepEqual(r.state.ending, { reason: "won", name: r.state.players.find((p) => p.id === "b")!.name });

      // Game 2, after the pause: b busts first, then c; a wins. Scores add up.
      let s = run(r.state, "", { type: "reset" }).state;
      r = rollAll(readyAll(s, 2), [6, 6, 6]);
      assert.deepEqual(lives(r.state), [6, 0, 6]);
      r = rollAll(r.state, [6, 6, 6]);
      assert.equal(r.state.phase, "over");
      assert.deepEqual(r.events.filter((e) => (e as { type: string }).type === "gameOver"), [{ type: "gameOver", winnerId: "a" }]);
      assert.deepEqual(scores(r.state), { a: 1, b: 1, c: -2 });
      s = r.state;
      assert.equal(s.players.reduce((sum, p) => sum + p.score, 0), 0);
    });

    it("the game-over pause rejects actions", () => {
      const s = rollAll(game(["a", "b"]), [6, 6, 6]).state;
      assert.equal(s.phase, "over");
      for (const id of ["a", "b"]) {
        for (const action of [roll, loseLife, chooseNext("a"), { type: "ready", ready: true }, { type: "ready", ready: "x" }]) {
          rejects(s, id, action, "GAME_OVER");
        }
      }
      rejects(s, "b", { type: "timeout" }, "NOT_ALLOWED");
      rejects(s, "spectator", roll, "NOT_A_PLAYER");
      rejects(s, "c", { type: "join", name: "C" }, "NOT_ALLOWED");
      assert.equal(oweDrahn.isStarted(s), true);
    });

    it("reset returns to the ready stage", () => {
      const over = rollAll(game(["a", "b", "c"]), [6, 6, 5, 6, 6, 5]).state;
      const s = run(over, "", { type: "reset" }).state;
      assert.equal(s.phase, "lobby");
      assert.equal(s.currentValue, 0);
      assert.equal(s.lastRoll, 0);
      assert.equal(s.currentTurn, null);
      assert.deepEqual(
        s.players.map((p) => [p.id, p.life, p.ready, p.choosing, p.left]),
        [["a", 6, false, false, false], ["b", 6, false, false, false], ["c", 6, false, false, false]],
      );
      assert.deepEqual(scores(s), scores(over), "scores are kept");
      assert.equal(oweDrahn.isStarted(s), false);
      assert.deepEqual(oweDrahn.canSeat(s), { ok: true });
    });

    it("reset is refused outside the game-over pause", () => {
      rejects(lobby(["a"]), "a", { type: "reset" }, "NOT_ALLOWED");
      rejects(game(), "a", { type: "reset" }, "NOT_ALLOWED");
    });
  });

  describe("leaving during a game (forfeit)", () => {
    it("a leave during the game eliminates the player and passes the turn", () => {
      const before = patch(game(["a", "b", "c"]), { currentValue: 11 });
      const r = run(before, "a", { type: "leave" });
      assert.deepEqual(r.events, []);
      assert.deepEqual(player(r.state, "a"), { ...player(before, "a"), life: 0, left: true });
      assert.equal(r.state.currentValue, 0);
      assert.equal(r.state.currentTurn, "b");
      assert.equal(r.state.turn, before.turn + 1);
      assert.deepEqual(oweDrahn.playerIds(r.state), ["b", "c"]);
      rejects(r.state, "a", { type: "leave" }, "NOT_ALLOWED");
      rejects(r.state, "a", roll, "NOT_ALLOWED");
    });

    it("outOfRunningGame (the history's `left` line) names a leaver who is out of a game that goes on, and whether the total went back to 0; nothing when the game ended, none ran, or the player was out already", () => {
      const before = patch(game(["a", "b", "c"]), { currentValue: 11 });
      const onTurn = run(before, "a", { type: "leave" }).state;
      assert.deepEqual(outOfRunningGame(before, onTurn, "a"), { leaver: player(before, "a"), reset: true }, "on turn: the total went back to 0");
      const offTurn = run(before, "c", { type: "leave" }).state;
      assert.deepEqual(outOfRunningGame(before, offTurn, "c"), { leaver: player(before, "c"), reset: false }, "not on turn: the total stays");
      const fromZero = patch(before, { currentValue: 0 });
      assert.deepEqual(outOfRunningGame(fromZero, run(fromZero, "a", { type: "leave" }).state, "a")?.reset, false, "a total already 0 was not reset");
      // A leave that ends the game (its ending says who left), and a leave in the lobby.
      const two = game(["a", "b"]);
      assert.equal(outOfRunningGame(two, run(two, "a", { type: "leave" }).state, "a"), undefined, "the game ended");
      const waiting = lobby(["a", "b"]);
      assert.equal(outOfRunningGame(waiting, run(waiting, "b", { type: "leave" }).state, "b"), undefined, "no game ran");
      // A leave in the lobby after a game (every seat has its lives back) that starts the next one: the others were ready.
      const again = patch(lobby(["a", "b", "c"]), {}, { a: { life: START_LIVES, ready: true }, b: { life: START_LIVES, ready: true }, c: { life: START_LIVES } });
      const started = run(again, "c", { type: "leave" }, scriptedRng([0])).state;
      assert.equal(started.phase, "playing", "the leave started the game");
      assert.equal(outOfRunningGame(again, started, "c"), undefined, "left before the game began");
      // A player already out (no lives) is not out again.
      const out = patch(before, {}, { c: { life: 0 } });
      assert.equal(outOfRunningGame(out, out, "c"), undefined, "already out");
    });

    it("a leave by a player not on turn keeps the total and the turn", () => {
      const before = patch(game(["a", "b", "c"]), { currentValue: 11 });
      const s = run(before, "c", { type: "leave" }).state;
      assert.equal(s.currentValue, 11);
      assert.equal(s.currentTurn, "a");
      assert.equal(s.turn, before.turn);
      assert.equal(rollAll(s, [1, 1]).state.currentTurn, "a", "the turn skips the leaver");
    });

    it("a leave while choosing passes the turn to the next player alive", () => {
      const s = run(patch(game(["a", "b", "c"], 1), { currentValue: 10 }), "b", loseLife).state;
      const t = run(s, "b", { type: "leave" }).state;
      assert.equal(t.currentTurn, "c");
      assert.equal(player(t, "b").choosing, false);
    });

    it("a leave that leaves one player alive ends the game", () => {
      const r = run(game(["a", "b", "c"]), "b", { type: "leave" });
      const r2 = run(r.state, "c", { type: "leave" });
      assert.equal(r2.state.phase, "over");
      assert.deepEqual(r2.events, [
        { type: "gameOver", winnerId: "a" },
        { type: "schedule", timer: "gameOver", action: { type: "reset" } },
      ]);
      assert.deepEqual(scores(r2.state), { a: 2, b: -1, c: -1 });
      assert.deepEqual(r2.state.ending, { reason: "left", name: r2.state.players.find((p) => p.id === "c")!.name }, "the game ended because the last opponent left");
    });

    it("a player who did not come back (a dropped connection) is out as one who leaves; when that ends the game, the ending says so", () => {
      const gone = { type: "leave", dropped: true } as const;
      const r = run(game(["a", "b", "c"]), "b", gone);
      assert.deepEqual(r.state, run(game(["a", "b", "c"]), "b", { type: "leave" }).state, "the same elimination, the game goes on");
      const r2 = run(r.state, "c", gone);
      assert.equal(r2.state.phase, "over");
      assert.deepEqual(scores(r2.state), { a: 2, b: -1, c: -1 });
      assert.deepEqual(r2.state.ending, { reason: "dropped", name: r2.state.players.find((p) => p.id === "c")!.name });
    });

    it("a leave during the game-over pause marks the player, who is removed at reset", () => {
      const over = rollAll(game(["a", "b", "c"]), [6, 6, 5, 6, 6, 5]).state;
      const s = run(over, "b", { type: "leave" }).state;
      assert.equal(player(s, "b").left, true);
      assert.equal(player(s, "b").life, 6, "the winner stays the winner");
      const lobbyAgain = run(s, "", { type: "reset" }).state;
      assert.deepEqual(oweDrahn.playerIds(lobbyAgain), ["a", "c"]);
      assert.deepEqual(lobbyAgain.players.map((p) => p.id), ["a", "c"]);
    });
  });

  describe("turn timeout", () => {
    it("a timeout rolls for the player", () => {
      const before = patch(game(["a", "b"]), { currentValue: 5 });
      const r = run(before, "a", { type: "timeout" }, scriptedRng([2]));
      assert.deepEqual(r.events, [{ type: "rolled", playerId: "a", die: 2, total: 7, timeout: true }]);
      assert.equal(r.state.currentValue, 7);
      assert.equal(r.state.currentTurn, "b");
      const bust = run(patch(before, { currentValue: 15 }), "a", { type: "timeout" }, scriptedRng([1])).state;
      assert.equal(bust.phase, "over", "a timeout roll can bust too");
    });

    it("a timeout while choosing picks the next alive player in seat order, wrapping around", () => {
      const s = patch(game(["a", "b", "c", "d"], 3), { currentValue: 12 }, { b: { life: 0 } });
      const choosing = run(s, "d", loseLife).state;
      const timedOut = run(choosing, "d", { type: "timeout" });
      assert.deepEqual(timedOut.events, [{ type: "handedOver", playerId: "d", nextId: "a", timeout: true }], "everyone learns the server chose");
      const t = timedOut.state;
      assert.equal(t.currentTurn, "a");
      assert.equal(player(t, "d").choosing, false);
      assert.equal(t.turn, choosing.turn + 1);
      const choosingA = run(patch(t, { currentValue: 12 }), "a", loseLife).state;
      assert.equal(run(choosingA, "a", { type: "timeout" }).state.currentTurn, "c", "b is out");
    });

    it("a timeout is refused for a player who is not on turn", () => {
      rejects(game(), "b", { type: "timeout" }, "NOT_ALLOWED");
      rejects(lobby(["a", "b"]), "a", { type: "timeout" }, "NOT_ALLOWED");
      rejects(game(), "zz", { type: "timeout" }, "NOT_A_PLAYER");
    });
  });

  describe("rejections and their order", () => {
    it("NOT_A_PLAYER: an id with no seat, before any other check", () => {
      rejects(lobby(["a"]), "spectator", { type: "ready", ready: true }, "NOT_A_PLAYER");
      rejects(game(), "spectator", roll, "NOT_A_PLAYER");
      rejects(game(), "", chooseNext("a"), "NOT_A_PLAYER");
      rejects(game(), "__proto__", loseLife, "NOT_A_PLAYER");
      rejects(game(), "spectator", { type: "leave" }, "NOT_A_PLAYER");
    });

    it("NOT_STARTED: a game action in the lobby", () => {
      for (const action of [roll, loseLife, chooseNext("a")]) rejects(lobby(["a", "b"]), "a", action, "NOT_STARTED");
    });

    it("NOT_ALLOWED: ready during a game, and an eliminated player acting", () => {
      const s = game();
      rejects(s, "b", { type: "ready", ready: false }, "NOT_ALLOWED");
      const out = patch(s, { currentValue: 12 }, { b: { life: 0 } });
      for (const action of [roll, loseLife, chooseNext("a")]) rejects(out, "b", action, "NOT_ALLOWED");
    });

    it("NOT_YOUR_TURN comes before the argument and rule checks", () => {
      const s = patch(game(), { currentValue: 2 });
      rejects(s, "b", roll, "NOT_YOUR_TURN");
      rejects(s, "b", loseLife, "NOT_YOUR_TURN");
      rejects(s, "b", chooseNext("nobody"), "NOT_YOUR_TURN");
    });

    it("GAME_OVER comes before the turn check", () => {
      const over = rollAll(game(["a", "b"]), [6, 6, 6]).state;
      rejects(over, "a", roll, "GAME_OVER", scriptedRng([]));
    });

    it("INVALID_MOVE: a bad ready value or choose_next target", () => {
      rejects(lobby(["a", "b"]), "a", { type: "ready", ready: "yes" }, "INVALID_MOVE");
      rejects(lobby(["a", "b"]), "a", { type: "ready" }, "INVALID_MOVE");
      const choosing = run(patch(game(), { currentValue: 12 }), "a", loseLife).state;
      rejects(choosing, "a", chooseNext("ghost"), "INVALID_MOVE");
    });

    it("unknown or malformed actions are rejected, never thrown", () => {
      const s = game();
      for (const action of [null, undefined, 3, "roll", {}, { type: "fly" }, { type: "__proto__" }, { type: 7 }, []]) {
        const result = oweDrahn.apply(s, "a", action as unknown as OweDrahnAction, scriptedRng([]));
        assert.equal(result.ok, false, JSON.stringify(action));
      }
      rejects(s, 42 as unknown as string, roll, "NOT_A_PLAYER");
    });

    it("a rejected action leaves the state deep-equal to before", () => {
      const choosing = run(patch(game(), { currentValue: 12 }), "a", loseLife).state;
      const cases: [OweDrahnState, string, unknown][] = [
        [choosing, "a", roll],
        [choosing, "a", loseLife],
        [choosing, "a", chooseNext("zz")],
        [choosing, "b", chooseNext("b")],
        [choosing, "zz", roll],
        [lobby(["a"]), "a", roll],
      ];
      for (const [s, id, action] of cases) {
        const before = structuredClone(s);
        const result = oweDrahn.apply(s, id, action as OweDrahnAction, scriptedRng([]));
        assert.equal(result.ok, false);
        assert.deepEqual(s, before);
      }
    });
  });

  describe("contract helpers", () => {
    it("activePlayer, turnNumber, playerIds and isStarted follow the phase", () => {
      const l = lobby(["a", "b"]);
      assert.equal(oweDrahn.activePlayer(l), null);
      assert.equal(oweDrahn.isStarted(l), false);
      assert.equal(oweDrahn.turnNumber(l), 0);
      const g = readyAll(l, 1);
      assert.equal(oweDrahn.activePlayer(g), "b");
      assert.equal(oweDrahn.isStarted(g), true);
      assert.equal(oweDrahn.turnNumber(g), 1);
      assert.deepEqual(oweDrahn.playerIds(g), ["a", "b"]);
    });
  });

  describe("whole games", () => {
    /** The move a reasonable player makes; `rng` decides when to owe drahn and whom to name. */
    function policy(s: OweDrahnState, rng: Rng): OweDrahnAction {
      const me = player(s, s.currentTurn!);
      if (me.choosing) {
        const alive = s.players.filter((p) => p.life > 0 && !p.left);
        return chooseNext(alive[rng.int(0, alive.length - 1)]!.id);
      }
      if (s.currentValue >= LOSE_LIFE_MIN_TOTAL && me.life > 1 && rng.int(0, 1) === 1) return loseLife;
      return roll;
    }

    it("a full game of three players runs to its end", () => {
      const rng = seededRng(2024);
      let s = game(["a", "b", "c"]);
      s = readyAll(run(rollAll(s, [6, 6, 5, 6, 6, 5]).state, "", { type: "reset" }).state, 0);
      const events: unknown[] = [];
      let moves = 0;
      while (s.phase === "playing") {
        assert.ok(moves++ < 10_000, "the game ends");
        const r = run(s, s.currentTurn!, policy(s, rng), rng);
        events.push(...r.events);
        s = r.state;
        assert.ok(s.currentValue >= 0 && s.currentValue <= BUST_ABOVE);
      }
      const alive = s.players.filter((p) => p.life > 0);
      assert.equal(alive.length, 1);
      const over = events.filter((e) => (e as { type: string }).type === "gameOver");
      assert.deepEqual(over, [{ type: "gameOver", winnerId: alive[0]!.id }]);
      assert.deepEqual(events.at(-1), { type: "schedule", timer: "gameOver", action: { type: "reset" } });
      assert.equal(s.players.reduce((sum, p) => sum + p.score, 0), 0);
      assert.equal(player(s, alive[0]!.id).score, alive[0]!.id === "b" ? 4 : 1, "game 1 gave b +2, game 2 +2 to its winner");
      const rolls = events.filter((e) => (e as { type: string }).type === "rolled").length;
      assert.ok(rolls >= 3, "at least three rolls to bust two players");
    });

    it("random actions by anyone never throw and keep the invariants", () => {
      const actors = ["p1", "p2", "p3", "p4", "p5", "spectator", "", "__proto__", "constructor"];
      const targets = [...actors, "toString", undefined, 5];
      let finishedGames = 0;
      let accepted = 0;

      for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
        const gen = seededRng(seed * 7919);
        const rng = seededRng(seed);
        const any = <T>(items: readonly T[]): T => items[gen.int(0, items.length - 1)]!;
        let s = oweDrahn.setup({ maxPlayers: gen.int(2, 5) }, rng);
        let departedScore = 0;

        for (let step = 0; step < 2500; step++) {
          let actor: string;
          let action: unknown;
          const roll100 = gen.int(1, 100);
          if (s.phase === "playing" && roll100 <= 55) {
            actor = s.currentTurn!;
            action = gen.int(1, 10) === 1 ? { type: "timeout" } : policy(s, gen);
          } else if (s.phase === "over" && roll100 <= 30) {
            actor = any(actors);
            action = { type: "reset" };
          } else if (s.phase === "lobby" && roll100 <= 40) {
            actor = any(actors.slice(0, 5));
            action = gen.int(0, 2) === 0 ? { type: "join", name: actor.toUpperCase() } : { type: "ready", ready: gen.int(0, 5) > 0 };
          } else {
            actor = any(actors);
            action = any<unknown>([
              roll,
              loseLife,
              { type: "choose_next", playerId: any(targets) },
              { type: "ready", ready: any<unknown>([true, false, "yes", undefined]) },
              { type: "join", name: any<unknown>(["X", "", 3]) },
              { type: "leave" },
              { type: "timeout" },
              { type: "reset" },
              { type: "owe" },
              { type: "__proto__" },
              {},
              null,
            ]);
          }

          const before = structuredClone(s);
          let result;
          try {
            result = oweDrahn.apply(s, actor, action as OweDrahnAction, rng);
          } catch (err) {
            assert.fail(`seed ${seed} step ${step}: ${JSON.stringify(action)} by "${actor}" threw ${String(err)}`);
          }
          assert.deepEqual(s, before, "the input state is never mutated");
          if (!result.ok) continue;
          accepted++;

          const next = result.state;
          for (const p of s.players) {
            if (!next.players.some((q) => q.id === p.id)) departedScore += p.score;
          }
          const types = result.events.map((e) => e.type);
          if (s.phase !== "over" && next.phase === "over") {
            finishedGames++;
            assert.deepEqual(types.slice(-2), ["gameOver", "schedule"]);
          } else {
            assert.ok(!types.includes("gameOver") && !types.includes("schedule"));
          }
          s = next;

          const ctx = `seed ${seed} step ${step}`;
          const ids = s.players.map((p) => p.id);
          assert.equal(new Set(ids).size, ids.length, ctx);
          assert.ok(s.players.filter((p) => !p.left).length <= s.maxPlayers, ctx);
          for (const p of s.players) assert.ok(Number.isInteger(p.life) && p.life >= 0 && p.life <= START_LIVES, ctx);
          assert.ok(s.currentValue >= 0 && s.currentValue <= BUST_ABOVE, ctx);
          assert.equal(s.players.reduce((sum, p) => sum + p.score, departedScore), 0, `${ctx}: scores are zero-sum`);
          const choosing = s.players.filter((p) => p.choosing);
          if (s.phase === "playing") {
            const cur = player(s, s.currentTurn!);
            assert.ok(cur.life > 0 && !cur.left, ctx);
            assert.ok(s.players.filter((p) => p.life > 0 && !p.left).length >= 2, ctx);
            assert.ok(choosing.length === 0 || (choosing.length === 1 && choosing[0]!.id === s.currentTurn), ctx);
          } else {
            assert.equal(s.currentTurn, null, ctx);
            assert.equal(choosing.length, 0, ctx);
          }
          if (s.phase === "over") assert.equal(s.players.filter((p) => p.life > 0).length, 1, `${ctx}: one winner`);
          if (s.phase === "lobby") {
            assert.ok(s.players.every((p) => !p.left && p.life === START_LIVES), ctx);
          }
        }
      }
      assert.ok(finishedGames >= 20, `games finished: ${finishedGames}`);
      assert.ok(accepted >= 2000, `accepted actions: ${accepted}`);
    });
  });
});
