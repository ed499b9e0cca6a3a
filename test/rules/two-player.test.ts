/**
 * The two-player board-game helper (src/rules/two-player.ts) on its own, with a tiny game
 * defined here: "race", a 1 × 3 board where `mark { cell }` fills a cell and whoever fills
 * the last one wins, and `tie {}` ends the game in a draw. Everything asserted here is the
 * helper's (seats, marks, the check order, turns, forfeits, rematches, alternation, the
 * routing of `apply`), so it holds for TicTacToe, Connect Four and any later board game.
 */
import assert from "node:assert/strict";
import { scriptedRng, type Rng } from "../../src/rules/rng.js";
import { twoPlayerGame, type BoardGame, type Mark, type TwoPlayerState } from "../../src/rules/two-player.js";
import { reject, type RuleErrorCode } from "../../src/rules/types.js";
import { join, leave, rematch, rulesHarness, timeout } from "../helpers/rules.js";

type Cell = "" | Mark;
type Board = readonly Cell[];
type RaceMoves = { mark: { cell: number }; tie: Record<never, never> };

const EMPTY: Board = Object.freeze<Cell[]>(["", "", ""]);

/** Every call of the game's own moves: the helper must call them only after its checks. */
const calls: { move: string; board: Board; mark: Mark; payload: unknown }[] = [];

const raceGame: Omit<BoardGame<Board, RaceMoves>, "opener"> = {
  emptyBoard: EMPTY,
  moves: {
    mark(board, mark, payload) {
      calls.push({ move: "mark", board, mark, payload });
      const { cell } = payload;
      if (cell < 0 || cell > 2) return reject("INVALID_MOVE", "The race has cells 0, 1 and 2.");
      if (board[cell] !== "") return reject("INVALID_MOVE", "That cell is taken.");
      const next = board.slice();
      next[cell] = mark;
      return { board: next, outcome: next.every((c) => c !== "") ? "won" : "next" };
    },
    tie(board, mark, payload) {
      calls.push({ move: "tie", board, mark, payload });
      return { board, outcome: "draw" };
    },
  },
};
const race = twoPlayerGame<Board, RaceMoves>({ ...raceGame, opener: "alternating" });
/** The same game, with each game's opener drawn at random. */
const randomRace = twoPlayerGame<Board, RaceMoves>({ ...raceGame, opener: "random" });

type State = TwoPlayerState<Board>;
type Action = Parameters<typeof race.apply>[2];
const harness = rulesHarness(race);

/** Applies an action that must be accepted (the helper's games emit no events). */
function run(state: State, playerId: string, action: Action, rng?: Rng): State {
  const result = harness.accept(state, playerId, action, rng);
  assert.deepEqual(result.events, []);
  return result.state;
}

/** Applies an action that must be rejected with `code`; returns the message. */
function rejects(state: State, playerId: string, action: unknown, code: RuleErrorCode): string {
  return harness.refuse(state, playerId, action, code);
}

const tie = { type: "tie" } as const;
const mark = (cell: number) => ({ type: "mark", cell }) as const;

const setup = () => race.setup({}, scriptedRng([]));
const alone = () => run(setup(), "a", join("A"));
/** a (X) and b (O) playing the room's first game: a is on turn. */
const game = () => run(alone(), "b", join("B"));
/** a won the first game: X 0, O 1, X 2. */
const overByWin = () => run(run(run(game(), "a", mark(0)), "b", mark(1)), "a", mark(2));

const symbolOf = (s: State, id: string) => s.players.find((p) => p.id === id)?.symbol;
/** Ends the running game on the clock of whoever is on turn, then both ask for a rematch. */
const nextGame = (s: State) => {
  if (s.phase === "playing") s = run(s, s.currentTurn!, timeout);
  return run(run(s, s.players[0]!.id, rematch), s.players[1]!.id, rematch);
};

describe("two-player board-game helper (a fake 1×3 race game)", () => {
  beforeEach(() => {
    calls.length = 0;
  });

  describe("seats and marks", () => {
    it("setup: two seats, nobody seated, the game's empty board, no turn", () => {
      const s = setup();
      assert.equal(race.seats({}), 2);
      assert.deepEqual(s.players, []);
      assert.equal(s.board, EMPTY, "the game's own empty board, shared");
      assert.equal(s.phase, "waiting");
      assert.equal(s.currentTurn, null);
      assert.equal(s.winner, null);
      assert.equal(s.draw, false);
      assert.deepEqual(s.rematch, []);
      assert.equal(s.games, 0);
      assert.deepEqual(race.playerIds(s), []);
      assert.deepEqual(race.canSeat(s), { ok: true });
      assert.equal(race.activePlayer(s), null);
      assert.equal(race.isStarted(s), false);
    });

    it("X goes to the first to sit, O to the second; the game starts with both", () => {
      const s1 = alone();
      assert.deepEqual(s1.players, [{ id: "a", name: "A", symbol: "X", wins: 0 }]);
      assert.equal(s1.phase, "waiting");
      assert.equal(race.isStarted(s1), false);
      const s2 = run(s1, "b", join("B"));
      assert.deepEqual(s2.players, [
        { id: "a", name: "A", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.equal(s2.phase, "playing");
      assert.equal(race.isStarted(s2), true);
      assert.equal(s2.currentTurn, "a", "X opens the room's first game");
      assert.equal(s2.games, 1);
      assert.deepEqual(race.playerIds(s2), ["a", "b"]);
    });

    it("a newcomer gets the free mark: X when X left (and is listed first), O when O left", () => {
      // The only player (X) leaves before the start: the next to sit is X again.
      let s = run(run(alone(), "a", leave), "c", join("C"));
      assert.deepEqual(s.players, [{ id: "c", name: "C", symbol: "X", wins: 0 }]);
      // X leaves after a game: O stays O, the newcomer takes X and sits first.
      s = run(run(overByWin(), "a", leave), "c", join("C"));
      assert.deepEqual(s.players, [
        { id: "c", name: "C", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.deepEqual(race.playerIds(s), ["c", "b"], "seat order: X before O");
      // O leaves after a game: the newcomer takes O.
      s = run(run(overByWin(), "b", leave), "c", join("C"));
      assert.deepEqual(s.players, [
        { id: "a", name: "A", symbol: "X", wins: 0 },
        { id: "c", name: "C", symbol: "O", wins: 0 },
      ]);
    });

    it("canSeat: open while waiting, 'started' during a game, 'full' after it, open again when a seat frees", () => {
      assert.deepEqual(race.canSeat(setup()), { ok: true });
      assert.deepEqual(race.canSeat(alone()), { ok: true });
      assert.deepEqual(race.canSeat(game()), { ok: false, reason: "started" });
      assert.deepEqual(race.canSeat(overByWin()), { ok: false, reason: "full" });
      assert.deepEqual(race.canSeat(run(overByWin(), "b", leave)), { ok: true });
      assert.deepEqual(race.canSeat(run(game(), "b", leave)), { ok: true }, "a forfeit by leaving frees the seat");
    });

    it("a join by a seated player, or a third one, is refused with NOT_ALLOWED", () => {
      rejects(alone(), "a", join("A again"), "NOT_ALLOWED");
      rejects(game(), "a", join("A again"), "NOT_ALLOWED");
      rejects(game(), "c", join("C"), "NOT_ALLOWED");
      rejects(overByWin(), "c", join("C"), "NOT_ALLOWED");
    });
  });

  describe("the check order of a move", () => {
    interface Case {
      title: string;
      state: () => State;
      player: string;
      action: Action;
      code: RuleErrorCode;
    }
    const cases: Case[] = [
      { title: "an unknown id, game running", state: game, player: "z", action: mark(0), code: "NOT_A_PLAYER" },
      { title: "an unknown id, before the start", state: alone, player: "z", action: mark(0), code: "NOT_A_PLAYER" },
      { title: "an unknown id, after the end", state: overByWin, player: "z", action: mark(0), code: "NOT_A_PLAYER" },
      { title: "an unknown id, out of range", state: game, player: "z", action: mark(9), code: "NOT_A_PLAYER" },
      { title: "an unknown id, before anyone sat", state: setup, player: "z", action: mark(0), code: "NOT_A_PLAYER" },
      { title: "one player seated", state: alone, player: "a", action: mark(0), code: "NOT_STARTED" },
      { title: "one player seated, out of range", state: alone, player: "a", action: mark(9), code: "NOT_STARTED" },
      { title: "one player seated, a tie", state: alone, player: "a", action: tie, code: "NOT_STARTED" },
      { title: "after a win, by the winner", state: overByWin, player: "a", action: mark(0), code: "GAME_OVER" },
      { title: "after a win, by the loser, out of range", state: overByWin, player: "b", action: mark(9), code: "GAME_OVER" },
      { title: "after a draw", state: () => run(game(), "a", tie), player: "b", action: mark(0), code: "GAME_OVER" },
      { title: "after a forfeit by timeout", state: () => run(game(), "a", timeout), player: "b", action: mark(0), code: "GAME_OVER" },
      { title: "after a forfeit by leaving, by the winner", state: () => run(game(), "a", leave), player: "b", action: mark(0), code: "GAME_OVER" },
      { title: "not on turn", state: game, player: "b", action: mark(0), code: "NOT_YOUR_TURN" },
      { title: "not on turn, out of range", state: game, player: "b", action: mark(-1), code: "NOT_YOUR_TURN" },
      { title: "not on turn, a taken cell", state: () => run(game(), "a", mark(1)), player: "a", action: mark(1), code: "NOT_YOUR_TURN" },
      { title: "not on turn, a tie", state: game, player: "b", action: tie, code: "NOT_YOUR_TURN" },
      { title: "on turn, out of range (the game's check)", state: game, player: "a", action: mark(3), code: "INVALID_MOVE" },
      { title: "on turn, a taken cell (the game's check)", state: () => run(game(), "a", mark(1)), player: "b", action: mark(1), code: "INVALID_MOVE" },
    ];

    for (const c of cases) {
      it(`${c.title}: ${c.code}`, () => {
        const state = c.state();
        calls.length = 0;
        rejects(state, c.player, c.action, c.code);
        if (c.code === "INVALID_MOVE") {
          assert.equal(calls.length, 1, "the game's own check ran, once");
          assert.equal(calls[0]!.board, state.board, "with the current board");
          assert.equal(calls[0]!.mark, symbolOf(state, c.player), "and the mover's mark");
        } else {
          assert.equal(calls.length, 0, "the helper refused before the game's move ran");
        }
      });
    }

    it("the game's rejection reaches the caller as is", () => {
      const message = rejects(game(), "a", mark(7), "INVALID_MOVE");
      assert.equal(message, "The race has cells 0, 1 and 2.");
    });

    it("the game's move gets the mover's mark and the payload without its type", () => {
      let s = run(game(), "a", mark(2));
      s = run(s, "b", mark(0));
      assert.deepEqual(
        calls.map((c) => [c.move, c.mark, c.payload]),
        [
          ["mark", "X", { cell: 2 }],
          ["mark", "O", { cell: 0 }],
        ],
      );
      assert.deepEqual(s.board, ["O", "", "X"]);
    });
  });

  describe("outcomes and turns", () => {
    it("'next' passes the turn; 'won' ends the game with the mover as winner", () => {
      let s = run(game(), "a", mark(0));
      assert.equal(s.currentTurn, "b");
      assert.equal(s.phase, "playing");
      s = run(s, "b", mark(1));
      assert.equal(s.currentTurn, "a");
      s = run(s, "a", mark(2));
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "a");
      assert.equal(s.draw, false);
      assert.equal(s.currentTurn, null);
      assert.deepEqual(s.board, ["X", "O", "X"], "the final board stays visible");
      assert.deepEqual(s.ending, { reason: "won", name: "A" });
      assert.equal(race.activePlayer(s), null);
      assert.equal(race.isStarted(s), false);
    });

    it("'draw' ends the game without a winner", () => {
      const s = run(run(game(), "a", mark(1)), "b", tie);
      assert.equal(s.phase, "over");
      assert.equal(s.draw, true);
      assert.equal(s.winner, null);
      assert.equal(s.currentTurn, null);
      assert.deepEqual(s.board, ["", "X", ""]);
      assert.deepEqual(s.ending, { reason: "draw", name: "" });
    });

    it("the tally counts wins across rematches (forfeits too) and starts again with a new opponent", () => {
      const wins = (s: State) => Object.fromEntries(s.players.map((p) => [p.id, p.wins]));
      let s = overByWin();
      assert.deepEqual(wins(s), { a: 1, b: 0 });
      s = nextGame(s); // the second game is lost on time by whoever is on turn
      assert.equal(s.phase, "playing");
      const loser = s.currentTurn!;
      s = run(s, loser, timeout);
      assert.deepEqual(wins(s), loser === "a" ? { a: 1, b: 1 } : { a: 2, b: 0 });
      s = nextGame(s);
      s = run(s, s.currentTurn!, tie);
      assert.deepEqual(wins(s), loser === "a" ? { a: 1, b: 1 } : { a: 2, b: 0 }, "a draw counts for nobody");
      s = run(run(s, "b", leave), "c", join("C"));
      assert.deepEqual(wins(s), { a: 0, c: 0 }, "a new opponent, a new tally");
    });

    it("a new game clears how the last one ended (the ending of a game in progress is null)", () => {
      assert.equal(game().ending, null);
      const again = nextGame(overByWin());
      assert.equal(again.phase, "playing");
      assert.equal(again.ending, null);
    });

    it("turnNumber changes on every new turn: the start, each move, each new game, even for the same player", () => {
      const seen: number[] = [];
      const note = (s: State) => {
        const n = race.turnNumber(s);
        assert.ok(!seen.includes(n), `turn number ${n} is new`);
        seen.push(n);
        return s;
      };
      note(setup());
      let s = note(game());
      s = note(run(s, "a", mark(0)));
      assert.equal(race.activePlayer(s), "b");
      s = run(s, "b", timeout); // b's turn ran out: game over
      s = run(s, "a", rematch);
      assert.equal(race.turnNumber(s), seen.at(-1), "a rematch request alone starts no turn");
      s = note(run(s, "b", rematch));
      assert.equal(race.activePlayer(s), "b", "b opens game 2: the same player as the last turn");
      s = note(run(s, "b", mark(2)));
      assert.equal(race.turnNumber(s) > seen[0]!, true);
    });

    it("a rejection changes no turn number", () => {
      const s = game();
      const n = race.turnNumber(s);
      const result = race.apply(s, "b", mark(0), scriptedRng([]));
      assert.equal(result.ok, false);
      assert.equal(race.turnNumber(s), n);
    });

    it("the first move alternates between the room's games: X, O, X, O, X, O", () => {
      let s = game();
      const openers: Mark[] = [];
      for (let g = 1; g <= 6; g++) {
        assert.equal(s.games, g);
        openers.push(symbolOf(s, s.currentTurn!)!);
        // Vary how each game ends: a win, a draw, a timeout.
        if (g % 3 === 1) for (const cell of [0, 1, 2]) s = run(s, s.currentTurn!, mark(cell));
        else if (g % 3 === 2) s = run(s, s.currentTurn!, tie);
        s = nextGame(s);
      }
      assert.deepEqual(openers, ["X", "O", "X", "O", "X", "O"]);
    });

    it("the alternation counts the room's games, also across a new opponent", () => {
      let s = run(run(game(), "a", mark(0)), "b", leave); // game 1 ends by b's forfeit
      s = run(s, "c", join("C"));
      assert.equal(s.phase, "playing");
      assert.equal(symbolOf(s, "c"), "O");
      assert.equal(s.currentTurn, "c", "game 2 of the room: O opens, though c plays its first");
      s = nextGame(s);
      assert.equal(s.currentTurn, "a", "game 3: X opens");
    });
  });

  describe("leaving, timeouts and rematches", () => {
    for (const leaver of ["a", "b"] as const) {
      it(`leaving during a game is a forfeit and frees the seat at once (${leaver === "a" ? "on turn" : "not on turn"})`, () => {
        const other = leaver === "a" ? "b" : "a";
        const s0 = run(run(game(), "a", mark(0)), "b", mark(2));
        const s = run(s0, leaver, leave);
        assert.equal(s.phase, "over");
        assert.equal(s.winner, other);
        assert.equal(s.draw, false);
        assert.equal(s.currentTurn, null);
        assert.deepEqual(race.playerIds(s), [other]);
        assert.deepEqual(s.players.map((p) => p.wins), [1], "the win counts in the tally of the one who stays");
        assert.deepEqual(s.board, ["X", "", "O"], "the board of the forfeited game stays visible");
        assert.deepEqual(s.ending, { reason: "left", name: leaver.toUpperCase() }, "the state says who left");
        rejects(s, leaver, mark(1), "NOT_A_PLAYER");
        rejects(s, leaver, rematch, "NOT_A_PLAYER");
        rejects(s, leaver, leave, "NOT_A_PLAYER");
      });
    }

    it("a player whose connection dropped and who did not come back forfeits alike, and the ending says so (during a game and after one)", () => {
      const gone = { type: "leave", dropped: true } as const;
      const s0 = run(run(game(), "a", mark(0)), "b", mark(2));
      const during = run(s0, "b", gone);
      assert.deepEqual({ ...during, ending: null }, { ...run(s0, "b", leave), ending: null }, "the same forfeit as a leave");
      assert.deepEqual(during.ending, { reason: "dropped", name: "B" });
      assert.deepEqual(run(overByWin(), "b", gone).ending, { reason: "dropped", name: "B" }, "the one who stays learns that the other did not come back");
      // Only `true` says so (the room sets it; a client cannot send a system action).
      assert.deepEqual(run(s0, "b", { type: "leave", dropped: "yes" } as unknown as typeof leave).ending, { reason: "left", name: "B" });
    });

    it("leaving before the start frees the seat and keeps waiting", () => {
      const s = run(alone(), "a", leave);
      assert.deepEqual(race.playerIds(s), []);
      assert.equal(s.phase, "waiting");
      assert.equal(s.board, EMPTY);
    });

    it("leaving after a game frees the seat and waits on the empty board; the rematch request is forgotten", () => {
      let s = run(overByWin(), "a", rematch);
      s = run(s, "b", leave);
      assert.deepEqual(race.playerIds(s), ["a"]);
      assert.equal(s.phase, "waiting");
      assert.equal(s.board, EMPTY);
      assert.equal(s.winner, null);
      assert.equal(s.draw, false);
      assert.deepEqual(s.rematch, []);
      assert.deepEqual(s.ending, { reason: "left", name: "B" }, "the one who stays learns that the other left");
      rejects(s, "a", rematch, "NOT_ALLOWED");
      rejects(s, "a", mark(0), "NOT_STARTED");
      assert.equal(run(s, "a", leave).ending, null, "an empty room has nobody to tell");
    });

    it("a player who stays after the opponent forfeited by leaving waits for a newcomer, even after asking for a rematch", () => {
      let s = run(game(), "b", leave);
      s = run(s, "a", rematch);
      assert.equal(s.phase, "over", "no game against a player who is gone");
      assert.deepEqual(s.rematch, ["a"]);
      s = run(s, "c", join("C"));
      assert.equal(s.phase, "playing");
      assert.deepEqual(s.rematch, []);
      assert.deepEqual(s.board, EMPTY);
      assert.deepEqual(race.playerIds(s), ["a", "c"]);
    });

    it("a timeout forfeits the game of the player on turn; both stay seated", () => {
      const s = run(run(game(), "a", mark(0)), "b", timeout);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "a");
      assert.equal(s.currentTurn, null);
      assert.deepEqual(race.playerIds(s), ["a", "b"]);
      assert.deepEqual(s.board, ["X", "", ""]);
      assert.deepEqual(s.ending, { reason: "timeout", name: "B" }, "the state says whose time ran out");
    });

    it("a timeout when no turn of that player runs is NOT_ALLOWED (NOT_A_PLAYER for a stranger)", () => {
      rejects(setup(), "a", timeout, "NOT_A_PLAYER");
      rejects(alone(), "a", timeout, "NOT_ALLOWED");
      rejects(game(), "b", timeout, "NOT_ALLOWED");
      rejects(game(), "z", timeout, "NOT_A_PLAYER");
      rejects(overByWin(), "a", timeout, "NOT_ALLOWED");
      rejects(overByWin(), "b", timeout, "NOT_ALLOWED");
      rejects(run(game(), "a", timeout), "a", timeout, "NOT_ALLOWED");
    });

    it("a rematch needs both players, once each, and only after a game", () => {
      rejects(alone(), "a", rematch, "NOT_ALLOWED");
      rejects(game(), "a", rematch, "NOT_ALLOWED");
      rejects(overByWin(), "z", rematch, "NOT_A_PLAYER");
      let s = run(overByWin(), "b", rematch);
      assert.equal(s.phase, "over");
      assert.deepEqual(s.rematch, ["b"]);
      rejects(s, "b", rematch, "NOT_ALLOWED");
      const players = s.players;
      s = run(s, "a", rematch);
      assert.equal(s.phase, "playing");
      assert.equal(s.board, EMPTY);
      assert.equal(s.winner, null);
      assert.deepEqual(s.rematch, []);
      assert.equal(s.players, players, "marks belong to seats: the players are unchanged");
      assert.equal(s.currentTurn, "b", "O opens the room's second game");
    });
  });

  describe("apply", () => {
    it("refuses an unknown action type with NOT_ALLOWED", () => {
      const states = [setup(), alone(), game(), overByWin()];
      calls.length = 0;
      for (const type of ["fly", "", "MARK", "mark ", "make_move", "drop", "schedule", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
        for (const state of states) {
          rejects(state, "a", { type, cell: 0 }, "NOT_ALLOWED");
          rejects(state, "z", { type }, "NOT_ALLOWED");
        }
      }
      assert.equal(calls.length, 0);
    });

    it("never throws for an action that is not an action object", () => {
      const odd: unknown[] = [null, undefined, 0, 42, NaN, "mark", "", true, Symbol("mark"), 10n, () => mark(0), [], [mark(0)], {}, { type: 5 }, { type: null }, { type: { toString: () => "mark" } }, { type: ["mark"] }, Object.create(null), new Date(0)];
      const states = [setup(), alone(), game(), overByWin()];
      calls.length = 0;
      for (const action of odd) {
        for (const state of states) {
          let result;
          assert.doesNotThrow(() => {
            result = race.apply(state, "a", action as Action, scriptedRng([]));
          }, String(typeof action === "symbol" ? "symbol" : typeof action === "bigint" ? "bigint" : JSON.stringify(action)));
          assert.deepEqual(result, { ok: false, code: "NOT_ALLOWED", message: "Unknown action." });
        }
      }
      assert.equal(calls.length, 0);
    });

    it("never mutates its input, and keeps unchanged parts of the state as the same objects", () => {
      const s = game();
      const frozen = structuredClone(s);
      const next = run(s, "a", mark(1));
      assert.deepEqual(s, frozen);
      assert.equal(next.players, s.players, "a move keeps the players");
      assert.equal(s.board, EMPTY, "the shared empty board was not written to");
      assert.deepEqual(EMPTY, ["", "", ""]);
      assert.ok(Object.isFrozen(EMPTY));
      const asked = run(overByWin(), "a", rematch);
      assert.equal(run(asked, "b", rematch).players, asked.players);
    });

    it("takes no randomness with an alternating opener", () => {
      // Every step of this file runs with scriptedRng([]), which throws if asked for a number.
      let s = overByWin();
      for (let g = 0; g < 4; g++) s = nextGame(s);
      assert.equal(s.phase, "playing");
    });
  });

  describe("a random opener", () => {
    const random = rulesHarness(randomRace);
    /** Applies an action that must be accepted, drawing exactly the numbers `draws` (none by default). */
    const step = (s: State, id: string, action: Action, draws: number[] = []) => {
      const rng = scriptedRng(draws);
      const next = random.accept(s, id, action, rng).state;
      assert.equal(rng.remaining(), 0, `${id} ${JSON.stringify(action)} drew every number it was given`);
      return next;
    };

    it("each game start draws one number in [0, 1]: the player in that seat (X 0, O 1) opens; the first game, a rematch and a new opponent alike", () => {
      const ranges: [number, number][] = [];
      const spy = (value: number) => ({ int: (min: number, max: number) => (ranges.push([min, max]), value) });
      let s = step(randomRace.setup({}, scriptedRng([])), "a", join("A"));
      s = random.accept(s, "b", join("B"), spy(1)).state;
      assert.deepEqual(ranges, [[0, 1]], "one draw, over the two seats");
      assert.equal(s.currentTurn, "b", "seat 1 (O) drawn: b opens the room's first game");
      assert.equal(symbolOf(s, "b"), "O");

      s = step(step(s, "b", mark(0)), "a", mark(1));
      s = step(s, "b", mark(2)); // b wins
      s = step(s, "a", rematch);
      s = step(s, "b", rematch, [1]);
      assert.equal(s.currentTurn, "b", "seat 1 drawn again: b opens again (no alternation)");
      s = step(s, "b", timeout);
      s = step(step(s, "b", rematch), "a", rematch, [0]);
      assert.equal(s.currentTurn, "a", "seat 0 drawn: a opens");

      s = step(s, "b", leave); // b forfeits and goes
      s = step(s, "c", join("C"), [1]);
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "c", "a new opponent's first game: drawn too");
    });

    it("draws nothing but at a game's start: moves, a lone rematch request, a timeout, a leave", () => {
      let s = step(step(randomRace.setup({}, scriptedRng([])), "a", join("A")), "b", join("B"), [0]);
      s = step(s, "a", mark(0));
      s = step(s, "b", tie);
      s = step(s, "a", rematch);
      s = step(s, "b", leave);
      assert.equal(s.phase, "waiting");
    });
  });
});
