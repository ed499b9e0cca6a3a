import assert from "node:assert/strict";
import { COLUMNS, ROWS, connectFour, connectsFour, type Cell, type ConnectFourAction, type ConnectFourState } from "../../src/rules/connect-four.js";
import { connectFourProtocol } from "../../src/protocol/games/connectfour.js";
import { pick, scriptedRng, seededRng, type Rng } from "../../src/rules/rng.js";
import type { RuleErrorCode } from "../../src/rules/types.js";
import { join, leave, rejectionTable, rematch, rulesHarness, timeout, twoPlayerFixtures } from "../helpers/rules.js";

const harness = rulesHarness(connectFour);

/** Applies an action that must be accepted (Connect Four emits no events). */
function run(state: ConnectFourState, playerId: string, action: ConnectFourAction, rng?: Rng) {
  const result = harness.accept(state, playerId, action, rng);
  assert.deepEqual(result.events, [], "Connect Four emits no events");
  return result.state;
}

/** Applies an action that must be rejected with `code`, leaving the state deep-equal to before. */
function rejects(state: ConnectFourState, playerId: string, action: ConnectFourAction, code: RuleErrorCode) {
  harness.refuse(state, playerId, action, code);
}

const drop = (column: number) => ({ type: "drop", column }) as const;
const at = (row: number, column: number) => row * COLUMNS + column;


const { alone, game, symbolOf, idOf } = twoPlayerFixtures(connectFour, run);

/** Drops into the columns in order, each by whoever is on turn. */
function play(s: ConnectFourState, columns: readonly number[]): ConnectFourState {
  for (const c of columns) s = run(s, s.currentTurn!, drop(c));
  return s;
}

const count = (board: readonly Cell[], c: Cell) => board.filter((x) => x === c).length;
const emptyBoard: Cell[] = Array<Cell>(COLUMNS * ROWS).fill("");

/** The board as rows of `.`, `X` and `O`, top row first (for messages). */
const show = (board: readonly Cell[]) =>
  Array.from({ length: ROWS }, (_, r) => board.slice(r * COLUMNS, (r + 1) * COLUMNS).map((c) => c || ".").join("")).join("/");

/**
 * Every four-in-a-row on `board`, found independently of the rules: by (row, column) with
 * bounds checks, so a line can never continue across the edge into the next row.
 */
function fours(board: readonly Cell[]): { mark: Cell; cells: number[] }[] {
  const found: { mark: Cell; cells: number[] }[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLUMNS; c++) {
      for (const [dr, dc] of [[0, 1], [1, 0], [1, 1], [1, -1]] as const) {
        const cells = [0, 1, 2, 3].map((k) => [r + k * dr, c + k * dc] as const);
        if (!cells.every(([rr, cc]) => rr >= 0 && rr < ROWS && cc >= 0 && cc < COLUMNS)) continue;
        const marks = cells.map(([rr, cc]) => board[at(rr, cc)]);
        if (marks[0] !== "" && marks.every((m) => m === marks[0])) found.push({ mark: marks[0]!, cells: cells.map(([rr, cc]) => at(rr, cc)) });
      }
    }
  }
  return found;
}

/** Cells that hold a disc with an empty cell below (the rules must never make one). */
function floating(board: readonly Cell[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < ROWS - 1; r++) for (let c = 0; c < COLUMNS; c++) if (board[at(r, c)] !== "" && board[at(r + 1, c)] === "") out.push(at(r, c));
  return out;
}

/**
 * A board from a picture: six rows of seven characters, top row first: `.` empty, `X`, `O`,
 * and one `*` (empty) marking the cell the mover's next drop must land in.
 */
function picture(rows: readonly string[]): { board: Cell[]; target: number } {
  assert.equal(rows.length, ROWS, "a picture has 6 rows");
  const board: Cell[] = [];
  let target = -1;
  for (const [r, row] of rows.entries()) {
    assert.equal(row.length, COLUMNS, `picture row ${r} has 7 cells: ${row}`);
    for (const [c, ch] of [...row].entries()) {
      if (ch === "*") {
        assert.equal(target, -1, "one target per picture");
        target = at(r, c);
      }
      assert.ok(".XO*".includes(ch), `picture cell ${ch}`);
      board.push(ch === "X" || ch === "O" ? ch : "");
    }
  }
  return { board, target };
}

/**
 * A running game whose board is `rows` (checked: a board Connect Four can reach, no
 * floating disc, no four yet) with the right player on turn: the mark with fewer discs, or
 * with equal counts the opener (X in the room's first game, O in its second).
 */
function position(rows: readonly string[], opener: "X" | "O" = "X") {
  const { board, target } = picture(rows);
  const xs = count(board, "X");
  const os = count(board, "O");
  assert.ok(Math.abs(xs - os) <= 1, `picture: ${xs} X and ${os} O`);
  assert.deepEqual(floating(board), [], "picture: no floating disc");
  assert.deepEqual(fours(board), [], "picture: no four yet");
  const mover: "X" | "O" = xs === os ? opener : xs < os ? "X" : "O";
  // Game 1 is opened by X, game 2 by O; the opener is the mark that has one disc more, or the mover on equal counts.
  const openedBy: "X" | "O" = xs === os ? mover : xs > os ? "X" : "O";
  const base = game(openedBy === "X" ? 0 : 1);
  const state: ConnectFourState = { ...base, board, currentTurn: idOf(base, mover) };
  if (target >= 0) {
    const r = Math.floor(target / COLUMNS);
    assert.ok(r === ROWS - 1 || board[target + COLUMNS] !== "", "picture: the target is where a drop lands");
  }
  return { state, mover, moverId: idOf(base, mover), target, column: target % COLUMNS };
}

/** 42 drops (X first) that fill the board without a four: a draw. */
const DRAW_SEQUENCE = [3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 0, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6];
/** Its last board: OXOOOXO / XOXXXOX, three times. */
const DRAW_BOARD = ["OXOOOXO", "XOXXXOX", "OXOOOXO", "XOXXXOX", "OXOOOXO", "XOXXXOX"];
/** 42 drops whose last one (the opener's opponent, into column 6) fills the board and completes four down column 6. */
const LAST_DROP_WINS_SEQUENCE = [3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 4, 4, 4, 4, 4, 4, 0, 1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 0, 6, 0, 6, 6, 0, 6, 0, 6, 0, 6];

/** X (a) wins down column 0 in the room's first game; b is O. */
function overByWin(): ConnectFourState {
  return play(game(0), [0, 1, 0, 1, 0, 1, 0]);
}

/** Column 0 full (X O X O X O from the bottom), then X wins down column 1: the game ended with a full column. */
function overWithFullColumn(): ConnectFourState {
  return play(game(0), [0, 0, 0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 1]);
}

describe("Connect Four rules", () => {
  describe("gravity", () => {
    for (let column = 0; column < COLUMNS; column++) {
      for (const first of [0, 1] as const) {
        it(`a disc dropped into empty column ${column} lands in the bottom row (${first === 0 ? "X" : "O"} moving)`, () => {
          const s0 = game(first);
          const mover = s0.currentTurn!;
          const s = run(s0, mover, drop(column));
          const changed = s.board.flatMap((c, i) => (c === "" ? [] : [i]));
          assert.deepEqual(changed, [at(ROWS - 1, column)], "row 5, row-major from the top: cell 35 + column");
          assert.equal(s.board[at(ROWS - 1, column)], symbolOf(s0, mover));
        });
      }
    }

    it("discs stack from the bottom row to the top row of a column, alternating marks", () => {
      let s = game(0);
      for (let n = 0; n < ROWS; n++) {
        const mover = s.currentTurn!;
        s = run(s, mover, drop(3));
        const row = ROWS - 1 - n;
        assert.equal(s.board[at(row, 3)], symbolOf(s, mover), `drop ${n + 1} lands in row ${row}`);
        for (let r = 0; r < row; r++) assert.equal(s.board[at(r, 3)], "", `row ${r} above it is still empty`);
      }
      assert.deepEqual(
        Array.from({ length: ROWS }, (_, r) => s.board[at(r, 3)]),
        ["O", "X", "O", "X", "O", "X"],
        "column 3 from the top: X at the bottom, O on the top",
      );
      assert.equal(s.phase, "playing", "alternating marks in a column never make four");
    });

    it("each column has its own height", () => {
      const s = play(game(0), [2, 2, 5, 2, 5, 6]);
      assert.equal(show(s.board), [".......", ".......", ".......", "..O....", "..O..X.", "..X..XO"].join("/"));
      assert.deepEqual(floating(s.board), []);
    });

    it("the turn passes to the other player after a drop that decides nothing", () => {
      let s = game(1);
      assert.equal(s.currentTurn, "b");
      s = run(s, "b", drop(4));
      assert.equal(s.board[at(5, 4)], "O", "b sits second and plays O");
      assert.equal(s.currentTurn, "a");
      s = run(s, "a", drop(4));
      assert.equal(s.board[at(4, 4)], "X");
      assert.equal(s.currentTurn, "b");
    });
  });

  describe("four in a row", () => {
    interface WinCase {
      title: string;
      rows: string[];
      opener?: "X" | "O";
      /** Length of the line the drop completes. */
      length: number;
    }
    // `*` is where the mover's drop lands; it completes the line.
    const wins: WinCase[] = [
      { title: "across the bottom row from the left edge, last disc at the end", length: 4, rows: [".......", ".......", ".......", ".......", "OOO....", "XXX*..."] },
      { title: "across the bottom row to the right edge, last disc at the start", length: 4, rows: [".......", ".......", ".......", ".......", "....OOO", "...*XXX"] },
      { title: "across a middle row, last disc inside the line, by O", length: 4, rows: [".......", ".......", ".......", ".OO*O..", ".XXOX..", ".XXXO.."] },
      { title: "down the left edge column, from the bottom", length: 4, rows: [".......", ".......", "*......", "XO.....", "XO.....", "XO....."] },
      { title: "down the right edge column, up to the top row", length: 4, rows: ["......*", "......X", "......X", "......X", "......O", "O.....O"] },
      { title: "diagonal \\ from the left edge, last disc at its top", length: 4, rows: [".......", ".......", "*......", "OX.....", "XOX....", "OXOX..O"] },
      { title: "diagonal \\ in the middle, last disc inside the line, by O", length: 4, rows: [".......", ".......", "..O....", "..OO...", "..XX*..", "..XXXO."] },
      { title: "diagonal / in the middle, last disc inside the line", length: 4, rows: [".......", ".......", "....X..", "...*O..", "..XOO..", ".XOXO.."] },
      { title: "diagonal / to the right edge, last disc at its top", length: 4, rows: [".......", ".......", "......*", ".....XO", "....XOX", "O..XOXO"] },
      { title: "five across, made by a drop in the middle", length: 5, rows: [".......", ".......", ".......", ".......", "OO.OO..", "XX*XX.."] },
      { title: "seven across the whole bottom row, made by a drop in the middle", length: 7, rows: [".......", ".......", ".......", ".......", "OOO.OOO", "XXX*XXX"] },
      { title: "five on the diagonal /, made by a drop in the middle", length: 5, rows: [".......", "....X..", "...XX..", "..*OO..", ".XOOX..", "XOOXO.."] },
    ];

    for (const w of wins) {
      it(`${w.title} wins`, () => {
        const { state, mover, moverId, target, column } = position(w.rows, w.opener);
        const loser = state.players.find((p) => p.id !== moverId)!.id;
        rejects(state, loser, drop(column), "NOT_YOUR_TURN");
        const s = run(state, moverId, drop(column));
        assert.equal(s.board[target], mover, "the disc fell into the marked cell");
        assert.equal(s.phase, "over");
        assert.equal(s.winner, moverId, "the winner is the player who completed the line");
        assert.equal(s.draw, false);
        assert.equal(s.currentTurn, null);
        assert.equal(connectFour.activePlayer(s), null);
        assert.equal(connectFour.isStarted(s), false);
        assert.ok(connectsFour(s.board, Math.floor(target / COLUMNS), column), "connectsFour sees the line through the last disc");
        const lines = fours(s.board);
        assert.ok(lines.length > 0 && lines.every((l) => l.mark === mover && l.cells.includes(target)), `the only fours run through the last disc: ${show(s.board)}`);
        assert.equal(lines.length, w.length - 3, `a line of ${w.length} holds ${w.length - 3} fours`);
      });
    }

    it("a sequence of real drops wins across, down and on both diagonals", () => {
      // X: 0 1 2 3 across the bottom; O plays on top of them.
      assert.equal(play(game(0), [0, 0, 1, 1, 2, 2, 3]).winner, "a");
      // O moving first wins down column 6.
      assert.equal(play(game(1), [6, 5, 6, 5, 6, 5, 6]).winner, "b");
      // X: (5,0) (4,1) (3,2) (2,3): diagonal /.
      assert.equal(play(game(0), [0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3]).winner, "a");
      // X: (5,6) (4,5) (3,4) (2,3): diagonal \.
      assert.equal(play(game(0), [6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3]).winner, "a");
    });

    interface NoWinCase {
      title: string;
      rows: string[];
    }
    const noWins: NoWinCase[] = [
      { title: "three across", rows: [".......", ".......", ".......", ".......", "OO.....", "XX*...."] },
      { title: "three down", rows: [".......", ".......", ".......", "*O.....", "XO.....", "XO....."] },
      { title: "three on a diagonal", rows: [".......", ".......", ".......", "..*....", ".XO....", "XOOX..."] },
      { title: "four across broken by the other mark", rows: [".......", ".......", ".......", ".......", "O.O....", "XXOX*.."] },
      { title: "four down broken by the other mark", rows: [".......", "*......", "X......", "O......", "XO.....", "XOO...."] },
      // Cells 33 34 35 36 (row 4: columns 5, 6; row 5: columns 0, 1) are consecutive in the
      // row-major array: a check on flat indexes would see four across here.
      { title: "four consecutive cells across the end of a row into the next row", rows: [".......", ".......", ".......", ".......", ".....XX", "X*..OOO"] },
      // Cells 21 27 33 39 are (3,0) (3,6) (4,5) (5,4): the diagonal / (5,4)-(4,5)-(3,6) plus,
      // 6 cells further in the array, (3,0) on the far side of the board.
      { title: "three on the diagonal / continued across the right edge to column 0", rows: [".......", ".......", ".......", "X.....X", "O....XO", "XOO.*OX"] },
    ];

    for (const c of noWins) {
      it(`${c.title} does not win`, () => {
        const { state, mover, moverId, target, column } = position(c.rows);
        const s = run(state, moverId, drop(column));
        assert.equal(s.board[target], mover);
        assert.equal(s.phase, "playing", show(s.board));
        assert.equal(s.winner, null);
        assert.notEqual(s.currentTurn, moverId, "the turn passes");
        assert.equal(connectsFour(s.board, Math.floor(target / COLUMNS), column), false);
        assert.deepEqual(fours(s.board), []);
      });
    }

    it("connectsFour never joins cells across the board's edges", () => {
      const only = (cells: number[]) => {
        const board = emptyBoard.slice();
        for (const i of cells) board[i] = "X";
        return board;
      };
      const wraps: [string, number[]][] = [
        ["across: end of row 0 into row 1", [5, 6, 7, 8]],
        ["across: end of row 4 into row 5", [33, 34, 35, 36]],
        ["diagonal \\ (step 8): (1,4) (2,5) (3,6) then (5,0)", [11, 19, 27, 35]],
        ["diagonal \\ (step 8): (0,5) (1,6) then (3,0) (4,1)", [5, 13, 21, 29]],
        ["diagonal / (step 6): (3,0) then (3,6) (4,5) (5,4)", [21, 27, 33, 39]],
        ["diagonal / (step 6): (0,1) (1,0) then (1,6) (2,5)", [1, 7, 13, 19]],
      ];
      for (const [title, cells] of wraps) {
        const board = only(cells);
        for (const i of cells) assert.equal(connectsFour(board, Math.floor(i / COLUMNS), i % COLUMNS), false, `${title}: cell ${i}`);
      }
      // The same check sees real lines at the edges.
      const edges: [string, number[]][] = [
        ["across the top row, right end", [3, 4, 5, 6]],
        ["down column 6, top", [6, 13, 20, 27]],
        ["diagonal / ending in the top-right corner", [6, 12, 18, 24]],
        ["diagonal \\ ending in the bottom-right corner", [17, 25, 33, 41]],
      ];
      for (const [title, cells] of edges) {
        const board = only(cells);
        for (const i of cells) assert.equal(connectsFour(board, Math.floor(i / COLUMNS), i % COLUMNS), true, `${title}: cell ${i}`);
      }
      assert.equal(connectsFour(emptyBoard, 5, 0), false, "an empty cell is part of no line");
    });

    for (const first of [0, 1] as const) {
      it(`a full board with no four is a draw (${first === 0 ? "X" : "O"} moving first)`, () => {
        let s = game(first);
        const opener = symbolOf(s, s.currentTurn!)!;
        s = play(s, DRAW_SEQUENCE.slice(0, -1));
        assert.equal(s.phase, "playing", "41 discs and no four: still playing");
        s = play(s, DRAW_SEQUENCE.slice(-1));
        assert.equal(s.phase, "over");
        assert.equal(s.draw, true);
        assert.equal(s.winner, null);
        assert.equal(s.currentTurn, null);
        assert.equal(count(s.board, ""), 0);
        assert.deepEqual(fours(s.board), []);
        const swap = (row: string) => [...row].map((ch) => (ch === "X" ? "O" : "X")).join("");
        assert.equal(show(s.board), (opener === "X" ? DRAW_BOARD : DRAW_BOARD.map(swap)).join("/"));
        assert.equal(connectFour.activePlayer(s), null);
        rejects(s, s.players[0]!.id, drop(0), "GAME_OVER");
      });

      it(`a drop that fills the board and completes four is a win, not a draw (${first === 0 ? "X" : "O"} moving first)`, () => {
        let s = play(game(first), LAST_DROP_WINS_SEQUENCE.slice(0, -1));
        assert.equal(s.phase, "playing");
        assert.equal(count(s.board, ""), 1);
        const mover = s.currentTurn!;
        s = run(s, mover, drop(LAST_DROP_WINS_SEQUENCE.at(-1)!));
        assert.equal(count(s.board, ""), 0, "the board is full");
        assert.equal(s.phase, "over");
        assert.equal(s.winner, mover);
        assert.equal(s.draw, false);
      });
    }
  });

  describe("rejections in the documented order", () => {
    interface Case {
      title: string;
      state: () => ConnectFourState;
      player: string;
      action: ConnectFourAction;
      code: RuleErrorCode;
    }
    /** Column 0 full, X (a) on turn. */
    const fullColumn = () => play(game(0), [0, 0, 0, 0, 0, 0]);
    /** Column 0 full, O (b) on turn. */
    const fullColumnOnTurnB = () => play(game(0), [0, 0, 0, 0, 0, 0, 3]);
    const cases: Case[] = [
      // Seated comes first.
      { title: "a drop by an unknown id", state: () => game(0), player: "z", action: drop(3), code: "NOT_A_PLAYER" },
      { title: "a drop by an unknown id before the start", state: alone, player: "z", action: drop(3), code: "NOT_A_PLAYER" },
      { title: "a drop by an unknown id after the end", state: overByWin, player: "z", action: drop(3), code: "NOT_A_PLAYER" },
      { title: "an out-of-range drop (column 7) by an unknown id", state: () => game(0), player: "z", action: drop(7), code: "NOT_A_PLAYER" },
      { title: "an out-of-range drop (column -1) by an unknown id", state: () => game(0), player: "z", action: drop(-1), code: "NOT_A_PLAYER" },
      { title: "a drop into a full column by an unknown id", state: fullColumn, player: "z", action: drop(0), code: "NOT_A_PLAYER" },
      { title: "a rematch by an unknown id", state: overByWin, player: "z", action: rematch, code: "NOT_A_PLAYER" },
      { title: "a timeout for an unknown id", state: () => game(0), player: "z", action: timeout, code: "NOT_A_PLAYER" },
      { title: "a leave by an unknown id", state: () => game(0), player: "z", action: leave, code: "NOT_A_PLAYER" },
      // Then started.
      { title: "a drop with one player seated", state: alone, player: "a", action: drop(3), code: "NOT_STARTED" },
      { title: "a column-7 drop with one player seated", state: alone, player: "a", action: drop(7), code: "NOT_STARTED" },
      { title: "a column -1 drop with one player seated", state: alone, player: "a", action: drop(-1), code: "NOT_STARTED" },
      // Then not over: even the player not on turn, out of range, or into a full column.
      { title: "a drop by the winner after the end", state: overByWin, player: "a", action: drop(3), code: "GAME_OVER" },
      { title: "a drop after the end by the player who was not on turn", state: overByWin, player: "b", action: drop(3), code: "GAME_OVER" },
      { title: "a column-7 drop after the end", state: overByWin, player: "b", action: drop(7), code: "GAME_OVER" },
      { title: "a column -1 drop after the end", state: overByWin, player: "a", action: drop(-1), code: "GAME_OVER" },
      { title: "a drop into a full column after the end", state: overWithFullColumn, player: "b", action: drop(0), code: "GAME_OVER" },
      { title: "a drop after a draw", state: () => play(game(0), DRAW_SEQUENCE), player: "a", action: drop(0), code: "GAME_OVER" },
      { title: "a drop after a timeout forfeit", state: () => run(game(0), "a", timeout), player: "b", action: drop(3), code: "GAME_OVER" },
      // Then the sender's turn: before the range and before the full-column check.
      { title: "a drop by the player not on turn", state: () => game(0), player: "b", action: drop(3), code: "NOT_YOUR_TURN" },
      { title: "a column-7 drop by the player not on turn", state: () => game(0), player: "b", action: drop(7), code: "NOT_YOUR_TURN" },
      { title: "a column -1 drop by the player not on turn", state: () => game(0), player: "b", action: drop(-1), code: "NOT_YOUR_TURN" },
      { title: "a drop into a full column by the player not on turn", state: fullColumn, player: "b", action: drop(0), code: "NOT_YOUR_TURN" },
      { title: "a second drop in a row", state: () => play(game(0), [3]), player: "a", action: drop(3), code: "NOT_YOUR_TURN" },
      // Then the range.
      { title: "column -1", state: () => game(0), player: "a", action: drop(-1), code: "INVALID_MOVE" },
      { title: "column 7", state: () => game(0), player: "a", action: drop(7), code: "INVALID_MOVE" },
      { title: "column -8 (would alias a cell of the row above)", state: () => game(0), player: "a", action: drop(-8), code: "INVALID_MOVE" },
      { title: "column 13 (would alias column 6 one row down)", state: () => game(0), player: "a", action: drop(13), code: "INVALID_MOVE" },
      { title: "column 2^31", state: () => game(0), player: "a", action: drop(2 ** 31), code: "INVALID_MOVE" },
      { title: "column -MAX_SAFE_INTEGER", state: () => game(0), player: "a", action: drop(-Number.MAX_SAFE_INTEGER), code: "INVALID_MOVE" },
      { title: "column 7 by O moving", state: fullColumnOnTurnB, player: "b", action: drop(7), code: "INVALID_MOVE" },
      // Then the rule: a column with room.
      { title: "a drop into a full column (X)", state: fullColumn, player: "a", action: drop(0), code: "INVALID_MOVE" },
      { title: "a drop into a full column (O)", state: fullColumnOnTurnB, player: "b", action: drop(0), code: "INVALID_MOVE" },
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
      { title: "TicTacToe's make_move", state: () => game(0), player: "a", action: { type: "make_move", row: 0, col: 0 } as unknown as ConnectFourAction, code: "NOT_ALLOWED" },
    ];

    rejectionTable(connectFour, cases);

    it("a full column leaves the others playable", () => {
      let s = play(game(0), [0, 0, 0, 0, 0, 0]);
      assert.equal(count(s.board, ""), 36);
      rejects(s, "a", drop(0), "INVALID_MOVE");
      s = run(s, "a", drop(1));
      assert.equal(s.board[at(5, 1)], "X");
      rejects(s, "b", drop(0), "INVALID_MOVE");
      assert.equal(s.currentTurn, "b", "the refused drop did not pass the turn");
    });

    it("a fractional column never reaches the rules: the validator takes integers only", () => {
      const v = connectFourProtocol.messages.drop;
      for (const column of [2.5, -0.5, NaN, Infinity, "3", null]) assert.equal(v.safeParse({ column }).success, false, String(column));
      for (const column of [-1, 0, 6, 7]) assert.equal(v.safeParse({ column }).success, true, `${column}: the range is the rules' check`);
      assert.equal(v.safeParse({}).success, false, "column is required");
      assert.equal(v.safeParse({ column: 3, row: 1 }).success, false, "no extra fields");
    });
  });

  describe("seats, turns and games", () => {
    it("setup waits for two players on an empty 7 × 6 board", () => {
      const s = connectFour.setup({}, scriptedRng([]));
      assert.equal(s.phase, "waiting");
      assert.equal(s.board.length, 42);
      assert.deepEqual(s.board, emptyBoard);
      assert.deepEqual(connectFour.playerIds(s), []);
      assert.deepEqual(connectFour.canSeat(s), { ok: true });
      assert.equal(connectFour.seats({}), 2);
    });

    it("the first seated player is X, the second O, and X opens the room's first game", () => {
      const s1 = alone();
      assert.deepEqual(s1.players, [{ id: "a", name: "A", symbol: "X", wins: 0 }]);
      assert.equal(s1.phase, "waiting");
      const s = run(s1, "b", join("B"));
      assert.deepEqual(s.players, [
        { id: "a", name: "A", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.equal(s.phase, "playing");
      assert.equal(s.currentTurn, "a");
      assert.equal(connectFour.activePlayer(s), "a");
      assert.deepEqual(connectFour.canSeat(s), { ok: false, reason: "started" });
    });

    it("the first move goes X, O, X over rematches", () => {
      const first = game(0);
      const openers = [symbolOf(first, first.currentTurn!)];
      let s = overByWin();
      for (let g = 2; g <= 5; g++) {
        s = run(run(s, "a", rematch), "b", rematch);
        assert.equal(s.phase, "playing");
        assert.deepEqual(s.board, emptyBoard, "a fresh board");
        assert.equal(s.winner, null);
        const opener = s.currentTurn!;
        openers.push(symbolOf(s, opener));
        s = run(s, opener, drop(3));
        assert.equal(s.board[at(5, 3)], symbolOf(s, opener), "the opener's disc");
        s = run(s, s.currentTurn!, timeout);
      }
      assert.deepEqual(openers, ["X", "O", "X", "O", "X"], "games 1 to 5 of the room");
    });

    it("a rematch needs both players", () => {
      const s = run(overByWin(), "b", rematch);
      assert.equal(s.phase, "over");
      assert.deepEqual(s.rematch, ["b"]);
      rejects(s, "b", rematch, "NOT_ALLOWED");
      rejects(s, "a", drop(3), "GAME_OVER");
      const next = run(s, "a", rematch);
      assert.equal(next.phase, "playing");
      assert.equal(next.currentTurn, "b", "O opens the room's second game");
    });

    for (const leaver of ["a", "b"] as const) {
      it(`leaving during the game is a forfeit and frees the seat (${leaver === "a" ? "on turn" : "not on turn"})`, () => {
        const s = run(play(game(0), [3, 3]), leaver, leave);
        const other = leaver === "a" ? "b" : "a";
        assert.equal(s.phase, "over");
        assert.equal(s.winner, other);
        assert.equal(s.draw, false);
        assert.equal(s.currentTurn, null);
        assert.deepEqual(connectFour.playerIds(s), [other], "the leaver's seat is free");
        assert.deepEqual(connectFour.canSeat(s), { ok: true });
        rejects(s, leaver, drop(3), "NOT_A_PLAYER");
        rejects(s, other, drop(3), "GAME_OVER");
      });
    }

    it("a newcomer takes the free mark and the room's next game starts with the alternating opener", () => {
      let s = run(play(game(0), [3]), "a", leave); // X forfeits game 1
      s = run(s, "c", join("C"));
      assert.deepEqual(s.players, [
        { id: "c", name: "C", symbol: "X", wins: 0 },
        { id: "b", name: "B", symbol: "O", wins: 0 },
      ]);
      assert.equal(s.phase, "playing");
      assert.deepEqual(s.board, emptyBoard);
      assert.equal(s.currentTurn, "b", "game 2 of the room: O opens");
    });

    it("a timeout of the player on turn hands the win to the other player", () => {
      let s = play(game(0), [3]);
      assert.equal(s.currentTurn, "b");
      s = run(s, "b", timeout);
      assert.equal(s.phase, "over");
      assert.equal(s.winner, "a");
      assert.equal(s.currentTurn, null);
      assert.deepEqual(connectFour.playerIds(s), ["a", "b"], "a timeout keeps both seated");
    });

    it("leaving before the start or after the end frees the seat and waits on an empty board", () => {
      let s = run(alone(), "a", leave);
      assert.deepEqual(connectFour.playerIds(s), []);
      assert.equal(s.phase, "waiting");
      s = run(overByWin(), "a", leave);
      assert.deepEqual(connectFour.playerIds(s), ["b"]);
      assert.equal(s.phase, "waiting");
      assert.deepEqual(s.board, emptyBoard);
      assert.equal(s.winner, null);
      rejects(s, "b", drop(3), "NOT_STARTED");
    });

    it("turnNumber increases with every drop and with the start of a game", () => {
      let s = alone();
      let last = connectFour.turnNumber(s);
      s = run(s, "b", join("B"));
      assert.ok(connectFour.turnNumber(s) > last);
      last = connectFour.turnNumber(s);
      for (const c of [3, 3, 4, 2]) {
        s = run(s, s.currentTurn!, drop(c));
        assert.ok(connectFour.turnNumber(s) > last, `after column ${c}`);
        last = connectFour.turnNumber(s);
      }
    });

    it("the rules draw no randomness", () => {
      // scriptedRng([]) throws if asked for a number: every step above ran with it.
      const s = play(game(0), DRAW_SEQUENCE);
      assert.equal(s.draw, true);
    });
  });

  describe("property: seeded random play keeps the board legal", () => {
    const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);
    const STEPS = 800;
    const JOINERS = ["a", "b", "c"] as const;
    const EVERYONE = [...JOINERS, "stranger"] as const;

    function randomAction(rng: Rng, s: ConnectFourState): { player: string; action: ConnectFourAction } {
      const roll = rng.int(0, 99);
      // Mostly drops, most of them by whoever is on turn, so games get decided.
      const player = roll < 70 && s.currentTurn ? s.currentTurn : EVERYONE[rng.int(0, EVERYONE.length - 1)]!;
      if (roll < 80) return { player, action: drop(rng.int(0, 9) === 0 ? pick(rng, [-1, 7, -8, 13]) : rng.int(0, 6)) };
      if (roll < 93) return { player, action: rematch };
      if (roll < 97) return { player, action: join(player.toUpperCase()) };
      if (roll < 98) return { player, action: leave };
      return { player, action: timeout };
    }

    function checkInvariants(s: ConnectFourState, forfeited: boolean, where: string) {
      assert.equal(s.board.length, 42, where);
      for (const c of s.board) assert.ok(c === "" || c === "X" || c === "O", `${where}: cell ${JSON.stringify(c)}`);
      const xs = count(s.board, "X");
      const os = count(s.board, "O");
      assert.ok(Math.abs(xs - os) <= 1, `${where}: X and O alternate (${xs} X, ${os} O)`);
      assert.deepEqual(floating(s.board), [], `${where}: no floating disc in ${show(s.board)}`);
      assert.ok(s.players.length <= 2, where);
      assert.notEqual(s.players[0]?.symbol, s.players[1]?.symbol ?? "none", `${where}: two players never share a mark`);
      const lines = fours(s.board);
      const marks = new Set(lines.map((l) => l.mark));
      assert.ok(marks.size <= 1, `${where}: fours of both marks`);
      if (lines.length > 0) {
        assert.equal(s.phase, "over", `${where}: a four ends the game`);
        assert.ok(s.winner !== null, `${where}: a four has a winner`);
        // The four's owner won (and is seated unless they left after the game: then the board is cleared).
        assert.equal(symbolOf(s, s.winner!), lines[0]!.mark, `${where}: the winner owns the four`);
      }
      if (s.winner !== null) {
        assert.equal(s.phase, "over", `${where}: a winner only when over`);
        assert.ok(lines.length > 0 || forfeited, `${where}: winner set iff a four exists (or the game was forfeited): ${show(s.board)}`);
      }
      const full = count(s.board, "") === 0;
      assert.equal(s.draw, full && lines.length === 0, `${where}: draw iff full with no four`);
      if (s.draw) assert.equal(s.winner, null, where);
      if (s.phase === "playing") {
        assert.equal(s.players.length, 2, where);
        assert.ok(s.currentTurn !== null && connectFour.playerIds(s).includes(s.currentTurn), where);
        assert.ok(!full, `${where}: a full board is not playing`);
        // The mover's mark: the one with fewer discs, or the opener's on equal counts.
        const opener = s.games % 2 === 1 ? "X" : "O";
        const due = xs === os ? opener : xs < os ? "X" : "O";
        assert.equal(symbolOf(s, s.currentTurn!), due, `${where}: ${due} is due (${xs} X, ${os} O, game ${s.games})`);
        assert.equal(connectFour.activePlayer(s), s.currentTurn, where);
      } else {
        assert.equal(s.currentTurn, null, `${where}: nobody is on turn when not playing`);
        assert.equal(connectFour.activePlayer(s), null, where);
      }
      if (s.phase === "waiting") assert.deepEqual(s.board, emptyBoard, `${where}: waiting on an empty board`);
    }

    it(`${SEEDS.length} seeds × ${STEPS} random drops and other actions`, () => {
      let wins = 0;
      let draws = 0;
      let drops = 0;
      let refusedDrops = 0;
      const directions = new Set<string>();
      for (const seed of SEEDS) {
        const rng = seededRng(seed);
        let s = connectFour.setup({}, scriptedRng([]));
        let forfeited = false;
        for (let step = 0; step < STEPS; step++) {
          const { player, action } = randomAction(rng, s);
          const where = `seed ${seed}, step ${step}: ${player} ${JSON.stringify(action)}`;
          const before = structuredClone(s);
          let result;
          try {
            result = connectFour.apply(s, player, action, scriptedRng([]));
          } catch (err) {
            assert.fail(`${where} threw ${String(err)}`);
          }
          assert.deepEqual(s, before, `${where}: the input state is never mutated`);
          if (!result.ok) {
            if (action.type === "drop") refusedDrops++;
            continue;
          }
          const next = result.state;
          if (action.type === "drop") {
            drops++;
            const column = action.column;
            const changed = next.board.flatMap((c, i) => (c === before.board[i] ? [] : [i]));
            assert.equal(changed.length, 1, `${where}: a drop fills exactly one cell`);
            const cell = changed[0]!;
            assert.equal(cell % COLUMNS, column, `${where}: in its own column`);
            assert.equal(before.board[cell], "", `${where}: a filled cell never changes`);
            const row = Math.floor(cell / COLUMNS);
            assert.ok(row === ROWS - 1 || before.board[cell + COLUMNS] !== "", `${where}: the disc rests on the bottom or on a disc`);
            assert.equal(before.currentTurn, player, `${where}: only the player on turn drops`);
            assert.equal(next.board[cell], symbolOf(before, player), `${where}: the mover's mark`);
            if (next.phase === "over") {
              if (next.draw) draws++;
              else {
                wins++;
                assert.equal(next.winner, player, `${where}: the dropper wins`);
                for (const l of fours(next.board)) directions.add(String(l.cells[1]! - l.cells[0]!));
              }
            } else assert.notEqual(next.currentTurn, player, `${where}: the turn passes`);
          } else {
            const untouched = next.board === before.board || next.board.every((c, i) => c === before.board[i]);
            const cleared = next.board.every((c) => c === "");
            assert.ok(untouched || cleared, `${where}: only a drop writes to the board; others keep or clear it`);
          }
          if (next.games !== before.games) forfeited = false; // a new game
          if ((action.type === "leave" || action.type === "timeout") && before.phase === "playing") forfeited = true;
          checkInvariants(next, forfeited, where);
          s = next;
        }
      }
      assert.ok(drops > 2000 && refusedDrops > 500, `the random play makes and refuses drops (${drops} made, ${refusedDrops} refused)`);
      assert.ok(wins > 50, `the random play reaches real games (${wins} wins, ${draws} draws)`);
      assert.deepEqual([...directions].sort(), ["1", "6", "7", "8"], "wins in all four directions (index steps 1, 7, 8 and 6)");
    });
  });
});
