import assert from "node:assert/strict";
import {
  LINES,
  lineWinner,
  ticTacToe,
  type Cell,
  type TicTacToeAction,
  type TicTacToeState,
} from "../../src/rules/tictactoe.js";
import { scriptedRng, seededRng, type Rng } from "../../src/rules/rng.js";
import type { RuleErrorCode } from "../../src/rules/types.js";
import { join, leave, rejectionTable, rematch, rulesHarness, timeout, twoPlayerFixtures } from "../helpers/rules.js";

const harness = rulesHarness(ticTacToe);

/** Applies an action that must be accepted (TicTacToe emits no events). */
function run(state: TicTacToeState, playerId: string, action: TicTacToeAction, rng?: Rng) {
  const result = harness.accept(state, playerId, action, rng);
  assert.deepEqual(result.events, [], "TicTacToe emits no events");
  return result.state;
}

/** Applies an action that must be rejected with `code`, leaving the state deep-equal to before. */
function rejects(state: TicTacToeState, playerId: string, action: TicTacToeAction, code: RuleErrorCode) {
  harness.refuse(state, playerId, action, code);
}

const at = (row: number, col: number) => ({ type: "make_move", row, col }) as const;
const cell = (index: number) => at(Math.floor(index / 3), index % 3);


const { alone, game, symbolOf, idOf } = twoPlayerFixtures(ticTacToe, run);

/** Plays the cells in order, each by whoever is on turn. */
function play(s: TicTacToeState, cells: readonly number[]): TicTacToeState {
  for (const c of cells) s = run(s, s.currentTurn!, cell(c));
  return s;
}

const count = (board: readonly Cell[], c: Cell) => board.filter((x) => x === c).length;
const emptyBoard: Cell[] = Array<Cell>(9).fill("");

/** `a` won on the top row, `b` was not on turn when it ended. */
function overByWin(): TicTacToeState {
  return play(game(0), [0, 3, 1, 4, 2]);
}

/** A full board with no line (X O X / X O O / O X X), X moving first. */
const DRAW_SEQUENCE = [0, 1, 2, 4, 3, 5, 7, 6, 8];
/** The ninth move fills the board and completes the diagonal 0-4-8 (X X O / O X O / X O X). */
const LAST_MOVE_WINS_SEQUENCE = [0, 2, 1, 3, 4, 5, 6, 7, 8];

describe("TicTacToe rules", () => {
  describe("lines and results", () => {
    const cases = LINES.flatMap((line) =>
      (["X", "O"] as const).map((symbol) => ({ line, symbol })),
    );
    for (const { line, symbol } of cases) {
      it(`${symbol} completing the line ${line.join("-")} wins`, () => {
        // The winner moves first; the loser plays the first two cells off the line.
        const first = symbol === "X" ? 0 : 1;
        let s = game(first);
        const winnerId = s.currentTurn!;
        assert.equal(symbolOf(s, winnerId), symbol);
        const loserCells = [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !line.includes(c)).slice(0, 2);
        s = play(s, [line[0], loserCells[0]!, line[1], loserCells[1]!]);
        assert.equal(s.phase, "playing", "two in a line do not win");
        s = run(s, winnerId, cell(line[2]));
        assert.equal(s.phase, "over");
        assert.equal(s.winner, winnerId, "the winner is the session id of the player who completed the line");
        assert.equal(s.currentTurn, null);
        assert.equal(s.draw, false);
        assert.equal(lineWinner(s.board), symbol);
        assert.equal(ticTacToe.activePlayer(s), null);
        assert.equal(ticTacToe.isStarted(s), false);
      });
    }

    for (const first of [0, 1] as const) {
      it(`a full board with no line is a draw (${first === 0 ? "X" : "O"} moving first)`, () => {
        const s = play(game(first), DRAW_SEQUENCE);
        assert.equal(s.phase, "over");
        assert.equal(s.draw, true);
        assert.equal(s.winner, null);
        assert.equal(s.currentTurn, null);
        assert.equal(count(s.board, ""), 0);
        assert.equal(ticTacToe.activePlayer(s), null);
      });

      it(`a move that fills the board and completes a line is a win, not a draw (${first === 0 ? "X" : "O"} moving first)`, () => {
        let s = game(first);
        const mover = s.currentTurn!;
        s = play(s, LAST_MOVE_WINS_SEQUENCE.slice(0, 8));
        assert.equal(s.phase, "playing");
        assert.equal(lineWinner(s.board), null);
        s = run(s, mover, cell(LAST_MOVE_WINS_SEQUENCE[8]!));
        assert.equal(count(s.board, ""), 0, "the board is full");
        assert.equal(s.phase, "over");
        assert.equal(s.winner, mover);
        assert.equal(s.draw, false);
      });
    }

    it("the turn passes to the other player after a move that decides nothing", () => {
      let s = game(1);
      assert.equal(s.currentTurn, "b");
      s = run(s, "b", at(1, 1));
      assert.equal(s.board[4], "O", "b sits second and plays O");
      assert.equal(s.currentTurn, "a");
      s = run(s, "a", at(2, 0));
      assert.equal(s.board[6], "X", "row-major: row 2, col 0 is cell 6");
      assert.equal(s.currentTurn, "b");
    });
  });

  describe("rejections in the documented order", () => {
    interface Case {
      title: string;
      state: () => TicTacToeState;
      player: string;
      action: TicTacToeAction;
      code: RuleErrorCode;
    }
    const cases: Case[] = [
      // Seated comes first.
      { title: "a move by an unknown id", state: () => game(0), player: "z", action: at(0, 0), code: "NOT_A_PLAYER" },
      { title: "a move by an unknown id before the start", state: alone, player: "z", action: at(0, 0), code: "NOT_A_PLAYER" },
      { title: "a move by an unknown id after the end", state: overByWin, player: "z", action: at(2, 2), code: "NOT_A_PLAYER" },
      { title: "an out-of-bounds move by an unknown id", state: () => game(0), player: "z", action: at(-1, 3), code: "NOT_A_PLAYER" },
      { title: "a rematch by an unknown id", state: overByWin, player: "z", action: rematch, code: "NOT_A_PLAYER" },
      { title: "a timeout for an unknown id", state: () => game(0), player: "z", action: timeout, code: "NOT_A_PLAYER" },
      { title: "a leave by an unknown id", state: () => game(0), player: "z", action: leave, code: "NOT_A_PLAYER" },
      // Then started.
      { title: "a move with one player seated", state: alone, player: "a", action: at(0, 0), code: "NOT_STARTED" },
      { title: "an out-of-bounds move with one player seated", state: alone, player: "a", action: at(3, -1), code: "NOT_STARTED" },
      // Then not over: even the player not on turn, even out of bounds or on a taken cell.
      { title: "a move by the winner after the end", state: overByWin, player: "a", action: at(2, 2), code: "GAME_OVER" },
      { title: "a move after the end by the player who is not on turn", state: overByWin, player: "b", action: at(2, 2), code: "GAME_OVER" },
      { title: "an out-of-bounds move after the end", state: overByWin, player: "b", action: at(3, 3), code: "GAME_OVER" },
      { title: "a move onto a taken cell after the end", state: overByWin, player: "b", action: at(0, 0), code: "GAME_OVER" },
      { title: "a move after a draw", state: () => play(game(0), DRAW_SEQUENCE), player: "b", action: at(0, 0), code: "GAME_OVER" },
      { title: "a move after a forfeit", state: () => run(game(0), "a", timeout), player: "b", action: at(1, 1), code: "GAME_OVER" },
      // Then the sender's turn: before bounds and before the cell check.
      { title: "a move by the player not on turn", state: () => game(0), player: "b", action: at(1, 1), code: "NOT_YOUR_TURN" },
      { title: "an out-of-bounds move by the player not on turn", state: () => game(0), player: "b", action: at(-1, 0), code: "NOT_YOUR_TURN" },
      { title: "an out-of-bounds move (row 3) by the player not on turn", state: () => game(0), player: "b", action: at(3, 0), code: "NOT_YOUR_TURN" },
      { title: "a move onto a taken cell by the player not on turn", state: () => play(game(0), [4]), player: "a", action: at(1, 1), code: "NOT_YOUR_TURN" },
      { title: "a second move in a row", state: () => play(game(0), [0]), player: "a", action: at(2, 2), code: "NOT_YOUR_TURN" },
      // Then bounds.
      { title: "row -1", state: () => game(0), player: "a", action: at(-1, 0), code: "INVALID_MOVE" },
      { title: "row 3", state: () => game(0), player: "a", action: at(3, 0), code: "INVALID_MOVE" },
      { title: "col -1", state: () => game(0), player: "a", action: at(0, -1), code: "INVALID_MOVE" },
      { title: "col 3", state: () => game(0), player: "a", action: at(0, 3), code: "INVALID_MOVE" },
      { title: "row and col 3 (cell index 12)", state: () => game(0), player: "a", action: at(3, 3), code: "INVALID_MOVE" },
      { title: "row 1, col 3 (would alias cell 6)", state: () => game(0), player: "a", action: at(1, 3), code: "INVALID_MOVE" },
      { title: "row 1, col -1 (would alias cell 2)", state: () => game(0), player: "a", action: at(1, -1), code: "INVALID_MOVE" },
      // Then the empty cell.
      { title: "a move onto the opponent's cell", state: () => play(game(0), [4]), player: "b", action: at(1, 1), code: "INVALID_MOVE" },
      { title: "a move onto one's own cell", state: () => play(game(0), [4, 0]), player: "a", action: at(1, 1), code: "INVALID_MOVE" },
      // System actions and rematch.
      { title: "a join by a seated player", state: alone, player: "a", action: join("A again"), code: "NOT_ALLOWED" },
      { title: "a third join during the game", state: () => game(0), player: "c", action: join("C"), code: "NOT_ALLOWED" },
      { title: "a third join after the end", state: overByWin, player: "c", action: join("C"), code: "NOT_ALLOWED" },
      { title: "a timeout for the player not on turn", state: () => game(0), player: "b", action: timeout, code: "NOT_ALLOWED" },
      { title: "a timeout before the start", state: alone, player: "a", action: timeout, code: "NOT_ALLOWED" },
      { title: "a timeout after the end", state: overByWin, player: "b", action: timeout, code: "NOT_ALLOWED" },
      { title: "a rematch during the game", state: () => game(0), player: "a", action: rematch, code: "NOT_ALLOWED" },
      { title: "a rematch before the start", state: alone, player: "a", action: rematch, code: "NOT_ALLOWED" },
      { title: "a second rematch request", state: () => run(overByWin(), "b", rematch), player: "b", action: rematch, code: "NOT_ALLOWED" },
    ];

    rejectionTable(ticTacToe, cases);
  });

  describe("seating", () => {
    it("setup waits for two players on an empty board", () => {
      const s = ticTacToe.setup({}, scriptedRng([]));
      assert.equal(s.phase, "waiting");
      assert.deepEqual(s.board, emptyBoard);
      assert.deepEqual(ticTacToe.playerIds(s), []);
      assert.deepEqual(ticTacToe.canSeat(s), { ok: true });
      assert.equal(ticTacToe.activePlayer(s), null);
      assert.equal(ticTacToe.isStarted(s), false);
      assert.equal(s.winner, null);
      assert.equal(s.draw, false);
    });

    it("the first seated player is X and the game waits for a second", () => {
      const s = alone();
      assert.deepEqual(s.players, [{ id: "a", name: "A", symbol: "X", wins: 0 }]);
      assert.equal(s.phase, "waiting");
      assert.equal(s.currentTurn, null);
      assert.equal(ticTacToe.activePlayer(s), null);
      assert.deepEqual(ticTacToe.canSeat(s), { ok: true });
    });

    it("the second seated player is O, and the game starts with a random first mover: one draw over the two seats (games.md)", () => {
      const rng = scriptedRng([0]);
      const s = run(alone(), "b", join("B"), rng);
      assert.equal(rng.remaining(), 0, "the start drew one number");
      assert.deepEqual(s.players, [
        { id: "a", name: "A", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.deepEqual(ticTacToe.playerIds(s), ["a", "b"]);
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "a");
      assert.equal(ticTacToe.activePlayer(s), "a");
      assert.equal(ticTacToe.isStarted(s), true);
      assert.deepEqual(s.board, emptyBoard);
    });

    it("a third join is refused: canSeat says started during the game and full after it", () => {
      const playing = game(0);
      assert.deepEqual(ticTacToe.canSeat(playing), { ok: false, reason: "started" });
      rejects(playing, "c", join("C"), "NOT_ALLOWED");
      const over = overByWin();
      assert.deepEqual(ticTacToe.canSeat(over), { ok: false, reason: "full" });
      rejects(over, "c", join("C"), "NOT_ALLOWED");
    });

    it("leaving before the start frees the seat, and the next joiner takes the free symbol", () => {
      let s = run(alone(), "a", leave);
      assert.deepEqual(ticTacToe.playerIds(s), []);
      assert.equal(s.phase, "waiting");
      assert.deepEqual(ticTacToe.canSeat(s), { ok: true });
      s = run(s, "b", join("B"));
      assert.equal(symbolOf(s, "b"), "X", "X left, so the newcomer is X");
      s = run(s, "c", join("C"), scriptedRng([1]));
      assert.equal(symbolOf(s, "c"), "O");
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "c", "the draw (seat 1) says who opens");
    });

    it("when X leaves after the game, the newcomer takes X and O keeps O", () => {
      let s = run(overByWin(), "a", leave);
      assert.deepEqual(s.players, [{ id: "b", name: "B", symbol: "O", wins: 0 }]);
      s = run(s, "c", join("C"), scriptedRng([1]));
      assert.deepEqual(s.players, [
        { id: "c", name: "C", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.deepEqual(ticTacToe.playerIds(s), ["c", "b"], "seat order: X before O");
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "b", "seat 1 (O) drawn: b opens");
      s = run(s, "b", at(0, 0));
      assert.equal(s.board[0], "O");
    });

    it("when O leaves after the game, the newcomer takes O: two players never share a symbol", () => {
      let s = run(overByWin(), "b", leave);
      s = run(s, "c", join("C"), scriptedRng([1]));
      assert.equal(symbolOf(s, "a"), "X");
      assert.equal(symbolOf(s, "c"), "O");
      assert.equal(s.currentTurn, "c");
    });
  });

  describe("forfeit", () => {
    for (const leaver of ["a", "b"] as const) {
      it(`leaving during the game hands the win to the other player (${leaver === "a" ? "on turn" : "not on turn"})`, () => {
        const s = run(play(game(0), [4, 0]), leaver, leave);
        const other = leaver === "a" ? "b" : "a";
        assert.equal(s.phase, "over");
        assert.equal(s.winner, other);
        assert.equal(s.draw, false);
        assert.equal(s.currentTurn, null);
        assert.equal(ticTacToe.activePlayer(s), null);
      });
    }

    it("a timeout of the player on turn hands the win to the other player", () => {
      let s = play(game(1), [4]);
      assert.equal(s.currentTurn, "a");
      s = run(s, "a", timeout);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "b");
      assert.equal(s.draw, false);
      assert.equal(s.currentTurn, null);
    });

    it("a timeout of the player not on turn is refused", () => {
      rejects(play(game(1), [4]), "b", timeout, "NOT_ALLOWED");
    });

    // Bug: a leave during the game forfeits but keeps the leaver seated. The room dispatches
    // `leave` only once (onLeave), so the departed player holds the seat forever.
    it("a player who leaves during the game gives up the seat", () => {
      const s = run(play(game(0), [4]), "a", leave);
      assert.equal(s.winner, "b");
      assert.deepEqual(ticTacToe.playerIds(s), ["b"], "the departed player must not hold a seat");
    });

    it("a newcomer never starts a game against a player who left during the previous one", () => {
      let s = run(play(game(0), [4]), "a", leave); // a forfeits and is gone for good
      s = run(s, "b", leave); // the winner leaves too
      s = run(s, "c", join("C"), scriptedRng([0]));
      assert.equal(s.phase, "waiting", "c must wait for a real opponent, not play against the departed a");
      assert.deepEqual(ticTacToe.playerIds(s), ["c"]);
    });
  });

  describe("rematch", () => {
    it("one request alone does not restart the game", () => {
      const s = run(overByWin(), "b", rematch);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "a");
      assert.deepEqual(s.rematch, ["b"]);
      rejects(s, "b", rematch, "NOT_ALLOWED");
      rejects(s, "z", rematch, "NOT_A_PLAYER");
      rejects(s, "b", at(2, 2), "GAME_OVER");
    });

    it("both requests start a fresh game with the same symbols, and a random player starts (games.md): the draw, not the last game, says who", () => {
      let s = overByWin();
      const opener: string[] = [];
      for (const expected of ["a", "a", "b", "b", "a"]) {
        const turnBefore = ticTacToe.turnNumber(s);
        const players = s.players;
        const rng = scriptedRng([expected === "a" ? 0 : 1]);
        s = run(run(s, "b", rematch), "a", rematch, rng);
        assert.equal(rng.remaining(), 0, "one draw per game started");
        assert.equal(s.phase, "playing");
        assert.deepEqual(s.board, emptyBoard);
        assert.equal(s.winner, null);
        assert.equal(s.draw, false);
        assert.deepEqual(s.rematch, []);
        assert.equal(s.currentTurn, expected);
        assert.equal(ticTacToe.activePlayer(s), expected);
        assert.deepEqual(s.players, players, "symbols belong to seats and do not change");
        assert.ok(ticTacToe.turnNumber(s) > turnBefore, "a new turn starts");
        opener.push(symbolOf(s, expected)!);
        s = run(s, expected, at(1, 1));
        assert.equal(s.board[4], symbolOf(s, expected));
        s = run(s, s.currentTurn!, timeout);
      }
      assert.deepEqual(opener, ["X", "X", "O", "O", "X"], "games 2 to 6 of the room: as drawn, no alternation");
    });

    it("a rematch after a draw works the same way", () => {
      let s = play(game(0), DRAW_SEQUENCE);
      s = run(s, "a", rematch);
      s = run(s, "b", rematch, scriptedRng([1]));
      assert.equal(s.phase, "playing");
      assert.equal(s.draw, false);
      assert.deepEqual(s.board, emptyBoard);
      assert.equal(s.currentTurn, "b");
    });

    it("a rematch after a timeout forfeit works the same way", () => {
      let s = run(game(0), "a", timeout);
      s = run(s, "a", rematch);
      s = run(s, "b", rematch, scriptedRng([1]));
      assert.equal(s.phase, "playing");
      assert.equal(s.winner, null);
      assert.equal(s.currentTurn, "b", "seat 1 drawn: O opens");
    });

    it("with a real random source, whoever sat down first opens about half of the first games and half of the rematches", () => {
      const opened = { first: 0, rematch: 0 };
      const rooms = 1000;
      for (let seed = 1; seed <= rooms; seed++) {
        const rng = seededRng(seed);
        let s = run(run(ticTacToe.setup({}, rng), "a", join("A"), rng), "b", join("B"), rng);
        if (s.currentTurn === "a") opened.first++;
        s = run(run(run(s, s.currentTurn!, timeout), "a", rematch, rng), "b", rematch, rng);
        if (s.currentTurn === "a") opened.rematch++;
      }
      for (const [what, n] of Object.entries(opened)) assert.ok(n > 0.44 * rooms && n < 0.56 * rooms, `the first to sit opened ${n} of ${rooms} ${what} games`);
    });

    it("leaving after the game frees the seat and returns to waiting with an empty board", () => {
      let s = run(overByWin(), "a", rematch);
      s = run(s, "b", leave);
      assert.equal(s.phase, "waiting");
      assert.deepEqual(s.board, emptyBoard);
      assert.deepEqual(ticTacToe.playerIds(s), ["a"]);
      assert.equal(s.winner, null);
      assert.equal(s.draw, false);
      assert.equal(s.currentTurn, null);
      assert.deepEqual(s.rematch, [], "the request is forgotten with the old opponent gone");
      assert.deepEqual(ticTacToe.canSeat(s), { ok: true });
      assert.equal(ticTacToe.activePlayer(s), null);
      rejects(s, "a", rematch, "NOT_ALLOWED");
      rejects(s, "a", at(0, 0), "NOT_STARTED");
      rejects(s, "b", at(0, 0), "NOT_A_PLAYER");
    });
  });

  describe("turns", () => {
    it("turnNumber increases with each move while playing", () => {
      let s = game(0);
      let last = ticTacToe.turnNumber(s);
      for (const c of [4, 0, 8, 2]) {
        s = run(s, s.currentTurn!, cell(c));
        const now = ticTacToe.turnNumber(s);
        assert.ok(now > last, `turn number after cell ${c}: ${now} > ${last}`);
        last = now;
      }
    });

    it("the game's start is a new turn", () => {
      const before = ticTacToe.turnNumber(alone());
      assert.ok(ticTacToe.turnNumber(game(0)) > before);
    });

    it("activePlayer follows currentTurn while playing and is null otherwise", () => {
      assert.equal(ticTacToe.activePlayer(ticTacToe.setup({}, scriptedRng([]))), null);
      assert.equal(ticTacToe.activePlayer(alone()), null);
      let s = game(0);
      assert.equal(ticTacToe.activePlayer(s), "a");
      s = play(s, [0]);
      assert.equal(ticTacToe.activePlayer(s), "b");
      assert.equal(ticTacToe.activePlayer(overByWin()), null);
      assert.equal(ticTacToe.activePlayer(play(game(0), DRAW_SEQUENCE)), null);
      assert.equal(ticTacToe.activePlayer(run(game(0), "a", timeout)), null);
      assert.equal(ticTacToe.activePlayer(run(overByWin(), "a", leave)), null);
    });
  });

  describe("property: random play never breaks the board", () => {
    const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);
    const STEPS = 600;
    const JOINERS = ["a", "b", "c"] as const;
    const EVERYONE = [...JOINERS, "stranger"] as const;

    function randomAction(rng: Rng, s: TicTacToeState): { player: string; action: TicTacToeAction } {
      const roll = rng.int(0, 99);
      // Mostly moves, most of them by whoever is on turn, so games actually get decided.
      const player = roll < 60 && s.currentTurn ? s.currentTurn : EVERYONE[rng.int(0, EVERYONE.length - 1)]!;
      if (roll < 70) return { player, action: at(rng.int(-1, 3), rng.int(-1, 3)) };
      if (roll < 88) return { player, action: rematch };
      if (roll < 96) return { player, action: join(player.toUpperCase()) };
      if (roll < 98) return { player, action: leave };
      return { player, action: timeout };
    }

    function checkInvariants(s: TicTacToeState, where: string) {
      assert.equal(s.board.length, 9, where);
      for (const c of s.board) assert.ok(c === "" || c === "X" || c === "O", `${where}: cell ${JSON.stringify(c)}`);
      const xs = count(s.board, "X");
      const os = count(s.board, "O");
      assert.ok(Math.abs(xs - os) <= 1, `${where}: X and O alternate (${xs} X, ${os} O)`);
      assert.ok(s.players.length <= 2, where);
      assert.notEqual(s.players[0]?.symbol, s.players[1]?.symbol ?? "none", `${where}: two players never share a symbol`);
      if (s.winner !== null) {
        assert.equal(s.phase, "over", `${where}: a winner only when over`);
        assert.ok(ticTacToe.playerIds(s).includes(s.winner), `${where}: the winner is seated`);
      }
      if (s.draw) {
        assert.equal(s.phase, "over", where);
        assert.equal(s.winner, null, where);
      }
      const line = lineWinner(s.board);
      if (line) {
        assert.equal(s.phase, "over", `${where}: a completed line ends the game`);
        assert.equal(s.winner, idOf(s, line), `${where}: the line's owner is the winner`);
      }
      if (s.phase === "playing") {
        assert.equal(s.players.length, 2, where);
        assert.ok(s.currentTurn !== null && ticTacToe.playerIds(s).includes(s.currentTurn), where);
        assert.ok(count(s.board, "") > 0, where);
        assert.equal(ticTacToe.activePlayer(s), s.currentTurn, where);
      } else {
        assert.equal(s.currentTurn, null, `${where}: nobody is on turn when not playing`);
        assert.equal(ticTacToe.activePlayer(s), null, where);
      }
    }

    it(`${SEEDS.length} seeds × ${STEPS} random actions`, () => {
      let decided = 0;
      let draws = 0;
      let moves = 0;
      for (const seed of SEEDS) {
        const rng = seededRng(seed);
        let s = ticTacToe.setup({}, rng);
        for (let step = 0; step < STEPS; step++) {
          const { player, action } = randomAction(rng, s);
          const where = `seed ${seed}, step ${step}: ${player} ${JSON.stringify(action)}`;
          const before = structuredClone(s);
          let result;
          try {
            result = ticTacToe.apply(s, player, action, rng);
          } catch (err) {
            assert.fail(`${where} threw ${String(err)}`);
          }
          assert.deepEqual(s, before, `${where}: the input state is never mutated`);
          if (!result.ok) continue;
          const next = result.state;
          if (action.type === "make_move") {
            moves++;
            const changed = next.board.flatMap((c, i) => (c === before.board[i] ? [] : [i]));
            assert.deepEqual(changed, [action.row * 3 + action.col], `${where}: a move fills exactly its own cell`);
            assert.equal(before.board[changed[0]!], "", `${where}: a filled cell never changes`);
            assert.equal(next.board[changed[0]!], symbolOf(before, player), `${where}: the mover's symbol`);
            assert.equal(before.currentTurn, player, `${where}: only the player on turn moves`);
            if (next.phase === "over") {
              if (next.draw) draws++;
              else decided++;
            }
          } else {
            const untouched = next.board.every((c, i) => c === before.board[i]);
            const cleared = next.board.every((c) => c === "");
            assert.ok(untouched || cleared, `${where}: only a move writes to the board; others keep or clear it`);
          }
          checkInvariants(next, where);
          s = next;
        }
      }
      assert.ok(moves > 100 && decided > 5 && draws > 0, `the random play reaches real games (${moves} moves, ${decided} wins, ${draws} draws)`);
    });
  });
});
