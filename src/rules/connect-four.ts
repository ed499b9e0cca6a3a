/**
 * Connect Four rules: a 7 × 6 grid, discs fall to the lowest free cell of a column, four
 * in a row (across, down or either diagonal) wins, a full grid is a draw. The board logic
 * of a two-player game: seats, turns (X first, then alternating between games), forfeits,
 * rematches and the check order come from {@link twoPlayerGame}. `drop` checks, after
 * those: the column's range (0–6), then that it has room.
 */
import type { MovesOf } from "../protocol/game.js";
import type { connectFourProtocol } from "../protocol/games/connectfour.js";
import { reject } from "./types.js";
import { twoPlayerGame, type Mark, type TwoPlayerState } from "./two-player.js";

export const COLUMNS = 7;
export const ROWS = 6;

export type Cell = "" | Mark;
/** 42 cells, row-major from the top row: cell (row, column) is `board[row * 7 + column]`. */
export type ConnectFourState = TwoPlayerState<readonly Cell[]>;
type Moves = Omit<MovesOf<typeof connectFourProtocol>, "rematch">;

const EMPTY_BOARD: readonly Cell[] = Object.freeze(Array<Cell>(COLUMNS * ROWS).fill(""));

/** The four directions a line can run in: across, down, and both diagonals. */
const DIRECTIONS: readonly (readonly [number, number])[] = [[0, 1], [1, 0], [1, 1], [1, -1]];

/** Whether the disc at (row, column) is part of four or more in a row. */
export function connectsFour(board: readonly Cell[], row: number, column: number): boolean {
  const mark = board[row * COLUMNS + column];
  if (!mark) return false;
  const same = (r: number, c: number) => r >= 0 && r < ROWS && c >= 0 && c < COLUMNS && board[r * COLUMNS + c] === mark;
  for (const [dr, dc] of DIRECTIONS) {
    let run = 1;
    for (let k = 1; same(row + k * dr, column + k * dc); k++) run++;
    for (let k = 1; same(row - k * dr, column - k * dc); k++) run++;
    if (run >= 4) return true;
  }
  return false;
}

/** Connect Four as a {@link GameRules} module. */
export const connectFour = twoPlayerGame<readonly Cell[], Moves>({
  // X-style alternation (issue 17): X opens a room's first game, then O, X…
  opener: "alternating",
  emptyBoard: EMPTY_BOARD,
  moves: {
    drop(board, mark, { column }) {
      if (column < 0 || column >= COLUMNS) return reject("INVALID_MOVE", `The column must be 0 to ${COLUMNS - 1}.`);
      let row = ROWS - 1;
      while (row >= 0 && board[row * COLUMNS + column] !== "") row--;
      if (row < 0) return reject("INVALID_MOVE", "That column is full.");
      const next = board.slice();
      next[row * COLUMNS + column] = mark;
      return { board: next, outcome: connectsFour(next, row, column) ? "won" : next.every((c) => c !== "") ? "draw" : "next" };
    },
  },
});

/** Every action Connect Four's rules take, as a flat object. */
export type ConnectFourAction = Parameters<typeof connectFour.apply>[2];
