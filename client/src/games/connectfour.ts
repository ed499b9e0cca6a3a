/**
 * Connect Four: a 7 × 6 grid; a click on a column drops the player's disc into its lowest
 * free cell. Seats, turns, result and rematch are the shared two-player board screen's.
 */

import "./connectfour.css";
import { connectFourProtocol } from "../../../src/protocol/games/connectfour.js";
import type { BoardGameState } from "../../../src/schema/BoardGameState.js";
import { connectFour } from "../../../src/rules/connect-four.js";
import { h } from "../dom.js";
import { gridData } from "../grid.js";
import { defineView, ruleList, type ViewContext } from "../view.js";
import { BoardGameView, boardGameReplay } from "./two-player.js";

const COLUMNS = 7;
const ROWS = 6;
const COLOURS: Record<string, string> = { X: "red", O: "yellow" };
/** Across, down and both diagonals. */
const DIRECTIONS = [
  [0, 1],
  [1, 0],
  [1, 1],
  [1, -1],
] as const;

/** The cells of every four (or more) in a row (display only: the server decides who won). */
function winningCells(board: readonly string[]): Set<number> {
  const at = (r: number, c: number) => (r >= 0 && r < ROWS && c >= 0 && c < COLUMNS ? board[r * COLUMNS + c] : undefined);
  const cells = new Set<number>();
  for (let r = 0; r < ROWS; r++)
    for (let c = 0; c < COLUMNS; c++)
      for (const [dr, dc] of DIRECTIONS) {
        const line = [0, 1, 2, 3].map((k) => [r + k * dr, c + k * dc] as const);
        if (at(r, c) && line.every(([lr, lc]) => at(lr, lc) === at(r, c))) line.forEach(([lr, lc]) => cells.add(lr * COLUMNS + lc));
      }
  return cells;
}

/** A mark in words: "X, red". */
function markName(symbol: string): string {
  return COLOURS[symbol] ? `${symbol}, ${COLOURS[symbol]}` : symbol;
}

/** A move's place in words: "column 4". */
function movePlace(data: Record<string, unknown>): string {
  return `column ${Number(data.column) + 1}`;
}

class ConnectFourView extends BoardGameView {
  protected readonly goal = "four in a row wins (across, down or diagonally).";
  /** The board last rendered (undefined before the first render: no disc animates then). */
  private seen?: readonly string[];
  /** The cell of the newest disc, which falls into place; -1 for none. */
  private dropped = -1;

  constructor(protected override readonly ctx: ViewContext<typeof connectFourProtocol>) {
    super(ctx);
  }

  protected override markName(symbol: string): string {
    return markName(symbol);
  }

  /** Notes a disc that appeared since the last render: the one that falls. */
  private noteDrop(board: readonly string[]) {
    const added = this.seen?.length === board.length ? board.findIndex((c, i) => c !== "" && this.seen![i] === "") : -1;
    if (added >= 0) this.dropped = added;
    if (board[this.dropped] === "") this.dropped = -1;
    this.seen = board;
  }

  protected renderBoard(state: BoardGameState, seated: boolean): Node {
    const board = Array.from(state.board);
    this.noteDrop(board);
    const wins = state.phase === "over" ? winningCells(board) : new Set<number>();
    const myTurn = state.phase === "playing" && state.currentTurn === this.me;
    const columns = Array.from({ length: COLUMNS }, (_, col) => {
      const cells = Array.from({ length: ROWS }, (_, row) => board[row * COLUMNS + col] ?? "");
      const discs = cells.filter((c) => c !== "").reverse();
      const full = discs.length === ROWS;
      const contents = discs.length ? `${discs.join(", ")} from the bottom` : "empty";
      return h(
        "button",
        {
          // "live": a seated player's column while a game runs (a full one then refuses the pointer; off play, the board is inert).
          class: `cf-col${full ? " full" : ""}${seated && state.phase === "playing" ? " live" : ""}`,
          testid: `cf-col-${col}`,
          action: "drop",
          data: { column: col },
          attrs: { type: "button", disabled: !seated || full || state.phase !== "playing", "aria-label": `Column ${col + 1}${full ? ", full" : ""}: ${contents}` },
        },
        h("span", { class: "cf-head", attrs: { "aria-hidden": "true" } }, full ? "full" : myTurn ? "▼" : ""),
        cells.map((mark, row) => {
          const i = row * COLUMNS + col;
          const falling = i === this.dropped;
          return h(
            "span",
            { class: "cf-cell", testid: `cf-cell-${row}-${col}`, data: { mark } },
            mark
              ? h(
                  "span",
                  {
                    class: `cf-disc cf-disc-${mark.toLowerCase()}${falling ? " cf-drop" : ""}${wins.has(i) ? " win" : ""}`,
                    attrs: { style: falling ? `--cf-fall: ${row + 1}` : undefined },
                  },
                  mark,
                )
              : null,
          );
        }),
      );
    });
    return h("div", { class: "cf-board", testid: "board", data: gridData(COLUMNS), attrs: { role: "group", "aria-label": `Board, ${COLUMNS} columns by ${ROWS} rows: pick a column to drop a disc (the arrow keys move between columns)` } }, columns);
  }

  protected movePlace(data: Record<string, unknown>): string {
    return movePlace(data);
  }

  protected boardAction(name: string, el: HTMLElement): void {
    if (name === "drop") this.ctx.send("drop", { column: Number(el.getAttribute("data-column")) });
  }
}

export const connectFourView = defineView({
  protocol: connectFourProtocol,
  title: "Connect Four",
  blurb: "Two players drop discs; four in a row wins.",
  createOptions: [],
  rules: () =>
    ruleList([
      "Two players take turns dropping a disc into one of the seven columns; it falls to the lowest free cell.",
      "Four of your discs in a row — across, down or diagonally — win; a full board without four is a draw.",
      "X (red) opens the room's first game; after that the first move alternates.",
      "With a turn timer, the player whose time runs out loses the game; so does a player who leaves.",
    ]),
  screen: (ctx) => new ConnectFourView(ctx),
  replay: boardGameReplay(connectFour, movePlace, markName),
});
