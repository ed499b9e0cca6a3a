import "./tictactoe.css";
import { ticTacToeProtocol } from "../../../src/protocol/games/tictactoe.js";
import type { BoardGameState } from "../../../src/schema/BoardGameState.js";
import { ticTacToe } from "../../../src/rules/tictactoe.js";
import { h } from "../dom.js";
import { gridData } from "../grid.js";
import { defineView, ruleList, type ViewContext } from "../view.js";
import { BoardGameView, boardGameReplay } from "./two-player.js";

const LINES = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
  [0, 3, 6],
  [1, 4, 7],
  [2, 5, 8],
  [0, 4, 8],
  [2, 4, 6],
];

/** The cells of a completed line (display only: the server decides who won). */
function winningCells(board: readonly string[]): Set<number> {
  const cells = new Set<number>();
  for (const line of LINES) {
    const [a, b, c] = line as [number, number, number];
    if (board[a] && board[a] === board[b] && board[a] === board[c]) line.forEach((i) => cells.add(i));
  }
  return cells;
}

/** A move's place in words: "row 2, column 3". */
function movePlace(data: Record<string, unknown>): string {
  return `row ${Number(data.row) + 1}, column ${Number(data.col) + 1}`;
}

class TicTacToeView extends BoardGameView {
  protected readonly goal = "three in a row wins.";

  constructor(protected override readonly ctx: ViewContext<typeof ticTacToeProtocol>) {
    super(ctx);
  }

  protected renderBoard(state: BoardGameState, seated: boolean): Node {
    const board = Array.from(state.board);
    const wins = state.phase === "over" ? winningCells(board) : new Set<number>();
    const cells = board.map((value, i) => {
      const row = Math.floor(i / 3) + 1;
      const col = (i % 3) + 1;
      return h(
        "button",
        {
          // A taken cell is marked (no hover, a not-allowed cursor; its label names the mark); a
          // click on it still reaches the server, which explains why it is refused.
          class: `cell${value ? ` cell-${value.toLowerCase()} taken` : ""}${wins.has(i) ? " win" : ""}`,
          testid: `cell-${i}`,
          action: "move",
          data: { index: i },
          attrs: {
            type: "button",
            "aria-label": `Row ${row}, column ${col}: ${value || "empty"}`,
            // Before a game and after it the board is inert: no hover, no click (until
            // 2026-12-06 a click there only earned "The game is over." or "The game starts
            // when both seats are taken.").
            disabled: !seated || state.phase !== "playing",
          },
        },
        value,
      );
    });
    return h("div", { class: "board", testid: "board", data: gridData(3), attrs: { role: "group", "aria-label": "Board, 3 by 3 (the arrow keys move between cells)" } }, cells);
  }

  protected movePlace(data: Record<string, unknown>): string {
    return movePlace(data);
  }

  protected boardAction(name: string, el: HTMLElement): void {
    if (name !== "move") return;
    const index = Number(el.getAttribute("data-index"));
    this.ctx.send("make_move", { row: Math.floor(index / 3), col: index % 3 });
  }
}

export const ticTacToeView = defineView({
  protocol: ticTacToeProtocol,
  title: "TicTacToe",
  blurb: "Two players, three in a row.",
  createOptions: [],
  rules: () =>
    ruleList([
      "Two players take turns placing their mark, X or O, in an empty cell.",
      "Three of your marks in a row, a column or a diagonal win; a full board without three is a draw.",
      "Who moves first is drawn at random for every game, rematches too.",
      "With a turn timer, the player whose time runs out loses the game; so does a player who leaves.",
    ]),
  screen: (ctx) => new TicTacToeView(ctx),
  replay: boardGameReplay(ticTacToe, movePlace),
});
