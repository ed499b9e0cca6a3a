/**
 * TicTacToe rules (games.md, "TicTacToe"): the board logic of a two-player game; seats,
 * turns, forfeits, rematches and the check order come from {@link twoPlayerGame}.
 * `make_move` checks, after those: the cell's range (0–2), then that it is empty. Each
 * game's first mover is drawn at random.
 */
import type { MovesOf } from "../protocol/game.js";
import type { ticTacToeProtocol } from "../protocol/games/tictactoe.js";
import { reject } from "./types.js";
import { twoPlayerGame, type Mark, type TwoPlayerState } from "./two-player.js";

export type { Mark } from "./two-player.js";
export type Cell = "" | Mark;
export type TicTacToeState = TwoPlayerState<readonly Cell[]>;
type Moves = Omit<MovesOf<typeof ticTacToeProtocol>, "rematch">;

const EMPTY_BOARD: readonly Cell[] = Object.freeze(Array<Cell>(9).fill(""));

/** The eight lines that win, as cell indexes. */
export const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];

/** The symbol on a full line of `board`, if any. */
export function lineWinner(board: readonly Cell[]): Mark | null {
  for (let i = 0; i < LINES.length; i++) {
    const line = LINES[i]!;
    const s = board[line[0]];
    if (s && s === board[line[1]] && s === board[line[2]]) return s;
  }
  return null;
}

/** TicTacToe as a {@link GameRules} module. */
export const ticTacToe = twoPlayerGame<readonly Cell[], Moves>({
  // games.md: "The first mover is chosen at random", and after a rematch "a random player starts".
  opener: "random",
  emptyBoard: EMPTY_BOARD,
  moves: {
    make_move(board, mark, { row, col }) {
      if (row < 0 || row > 2 || col < 0 || col > 2) return reject("INVALID_MOVE", "Row and column must be 0, 1 or 2.");
      const index = row * 3 + col;
      if (board[index] !== "") return reject("INVALID_MOVE", "That cell is taken.");
      const next = board.slice();
      next[index] = mark;
      return { board: next, outcome: lineWinner(next) ? "won" : next.every((c) => c !== "") ? "draw" : "next" };
    },
  },
});

/** Every action TicTacToe's rules take, as a flat object. */
export type TicTacToeAction = Parameters<typeof ticTacToe.apply>[2];
