import { TicTacToeMessages } from "../../../src/protocol/messages.js";
import type { TicTacToeState } from "../../../src/schema/TicTacToeState.js";
import { asName, h, rich, type Text } from "../dom.js";
import { checkedSender, possessive, type GameView, type Summary, type ViewContext } from "../view.js";

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

export class TicTacToeView implements GameView<TicTacToeState> {
  readonly title = "TicTacToe";
  private readonly send;
  /** This player clicked Rematch (shown at once, before the state confirms it). */
  private rematchAsked = false;

  constructor(private readonly ctx: ViewContext) {
    this.send = checkedSender(ctx.room, TicTacToeMessages);
  }

  private get me() {
    return this.ctx.room.sessionId;
  }

  ready(state: TicTacToeState | undefined): state is TicTacToeState {
    return !!state && !!state.players && !!state.board;
  }

  /** This player asked for a rematch: the state says so (also after a reload), or the click just did. */
  private asked(state: TicTacToeState): boolean {
    return this.rematchAsked || state.players.get(this.me)?.rematch === true;
  }

  /** The player's name (isolated when rendered), or words for a player who left. */
  private name(state: TicTacToeState, id: string): Text {
    const player = state.players.get(id);
    return player ? asName(player.name) : "A player who left";
  }

  summary(state: TicTacToeState): Summary {
    const mine = state.players.get(this.me);
    const role = mine ? `playing as ${mine.symbol}` : "watching";
    const base = { deadline: state.turnDeadline, role, waiting: state.phase === "waiting", running: state.phase === "playing" && !!mine, myTurn: false };
    if (state.phase !== "over") this.rematchAsked = false;
    switch (state.phase) {
      case "waiting":
        return { ...base, status: "Waiting for an opponent to join…", turn: "" };
      case "playing": {
        const symbol = state.players.get(state.currentTurn)?.symbol ?? "";
        const player = state.players.get(state.currentTurn);
        const myTurn = state.currentTurn === this.me;
        const turn: Text = myTurn
          ? `Your turn (${symbol})`
          : [player ? possessive(player.name) : "A player who left's", ` turn (${symbol})`];
        return { ...base, status: "Game on: three in a row wins.", turn, myTurn };
      }
      default: {
        const asker = Array.from(state.players.entries()).find(([id, p]) => id !== this.me && p.rematch);
        const status: Text = asker ? [asName(asker[1].name), " wants a rematch."] : "Game over. Both players may ask for a rematch.";
        return { ...base, status: state.phase === "over" ? status : "", turn: "" };
      }
    }
  }

  private result(state: TicTacToeState): Text {
    if (state.winner) return state.winner === this.me ? "You win!" : [this.name(state, state.winner), " wins!"];
    if (state.draw) return "It's a draw.";
    return "Game over.";
  }

  render(state: TicTacToeState): Node {
    const seated = state.players.has(this.me);
    const board = Array.from(state.board);
    const wins = state.phase === "over" ? winningCells(board) : new Set<number>();
    const players = Array.from(state.players.entries());

    const playerList = h(
      "ul",
      { class: "players", testid: "players", attrs: { "aria-label": "Players" } },
      players.map(([id, p]) =>
        h(
          "li",
          { class: `player${state.currentTurn === id ? " on-turn" : ""}${p.connected ? "" : " away"}`, data: { id } },
          h("span", { class: `symbol symbol-${p.symbol.toLowerCase()}`, attrs: { "aria-hidden": "true" } }, p.symbol),
          h("bdi", { class: "player-name" }, p.name),
          id === this.me ? h("span", { class: "badge you" }, "you") : null,
          state.winner === id ? h("span", { class: "badge win" }, "winner") : null,
          p.connected ? null : h("span", { class: "badge away" }, "away — reconnecting"),
          h("span", { class: "sr-only" }, `plays ${p.symbol}`),
        ),
      ),
      players.length < 2 ? h("li", { class: "player empty" }, h("span", { class: "symbol" }, players.length ? "O" : "X"), "Free seat") : null,
    );

    const cells = board.map((value, i) => {
      const row = Math.floor(i / 3) + 1;
      const col = (i % 3) + 1;
      return h(
        "button",
        {
          class: `cell${value ? ` cell-${value.toLowerCase()}` : ""}${wins.has(i) ? " win" : ""}`,
          testid: `cell-${i}`,
          action: "move",
          data: { index: i },
          attrs: {
            type: "button",
            "aria-label": `Row ${row}, column ${col}: ${value || "empty"}`,
            disabled: !seated,
          },
        },
        value,
      );
    });

    const over = state.phase === "over";
    return h(
      "div",
      { class: "ttt" },
      playerList,
      h("div", { class: "board", testid: "board", attrs: { role: "group", "aria-label": "Board, 3 by 3" } }, cells),
      over ? h("p", { class: "winner", testid: "winner", attrs: { role: "status" } }, rich(this.result(state))) : null,
      over && seated
        ? h(
            "div",
            { class: "controls" },
            h(
              "button",
              { class: "primary", testid: "btn-rematch", action: "rematch", attrs: { type: "button", disabled: this.asked(state) } },
              this.asked(state) ? "Rematch asked — waiting for the other player" : "Rematch",
            ),
          )
        : null,
    );
  }

  action(name: string, el: HTMLElement, _state: TicTacToeState): void {
    if (name === "move") {
      const index = Number(el.getAttribute("data-index"));
      this.send("make_move", { row: Math.floor(index / 3), col: index % 3 });
    } else if (name === "rematch") {
      this.rematchAsked = true;
      this.send("rematch", undefined);
      this.ctx.rerender();
    }
  }
}
