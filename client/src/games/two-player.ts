/**
 * What the screens of two-player board games share (TicTacToe, Connect Four: rooms with a
 * {@link BoardGameState}): the player list with each player's mark, the summary lines
 * (waiting, whose turn, game over, rematch asked), the result and the rematch button. A
 * game adds its board and the board's actions.
 */
import type { empty, GameProtocol } from "../../../src/protocol/game.js";
import type { BoardGameState } from "../../../src/schema/BoardGameState.js";
import { asName, h, rich, type Text } from "../dom.js";
import { endLine, forfeitLine, wentAway, wentLine } from "../ending.js";
import type { HistoryEntry } from "../../../src/protocol/messages.js";
import type { TwoPlayerState } from "../../../src/rules/two-player.js";
import type { ReplayRules } from "../../../src/replay/replay.js";
import { aloneStatus, backToLobbyButton, RematchRequest, overStatus, resultClass, possessive, tally, type GameView, type Summary, type ViewContext, awayBadge, winnerBadge, commonStepLine, endedHere, replayCommon, type ReplayView } from "../view.js";

/** A two-player board game's protocol: its moves, and `rematch`. */
export type BoardGameProtocol = GameProtocol<string, { rematch: typeof empty }>;

export abstract class BoardGameView implements GameView<BoardGameState> {
  /** This player's rematch request (shown at once on the click). */
  private readonly rematch = new RematchRequest();

  constructor(protected readonly ctx: ViewContext<BoardGameProtocol>) {}

  /** A move's place in words, from its payload ("row 2, column 3"; Connect Four: "column 4"). */
  protected abstract movePlace(data: Record<string, unknown>): string;

  historyLine(entry: HistoryEntry, state: BoardGameState | undefined): Text | undefined {
    const myName = state?.players?.get(this.me)?.name ?? "";
    if (entry.kind === "move") {
      const who: Text = entry.who === myName && myName !== "" ? "You" : asName(entry.who ?? "");
      return [who, ` (${this.markName(String(entry.data?.mark ?? ""))}): ${this.movePlace(entry.data ?? {})}`];
    }
    if (entry.kind === "end") return endLine(entry.data, myName);
    return undefined;
  }

  /** What wins, for the status line: "three in a row wins." */
  protected abstract readonly goal: string;

  /** The game's board; `seated`: the viewer plays (a spectator's board is read-only). */
  protected abstract renderBoard(state: BoardGameState, seated: boolean): Node;

  /** A click on one of the board's `data-action` elements. */
  protected abstract boardAction(name: string, el: HTMLElement, state: BoardGameState): void;

  /** A mark in words, for the turn and role lines ("X"; Connect Four adds its colour). */
  protected markName(symbol: string): string {
    return symbol;
  }

  protected get me() {
    return this.ctx.room.sessionId;
  }

  ready(state: BoardGameState | undefined): state is BoardGameState {
    return !!state && !!state.players && !!state.board;
  }

  /** The server refused a message: a rematch asked by a click is asked only if the state says so. */
  refused(): void {
    this.rematch.refused();
  }

  /** This player asked for a rematch: the state says so (also after a reload), or the click just did. */
  private asked(state: BoardGameState): boolean {
    return this.rematch.asked(state.players.get(this.me)?.rematch === true);
  }

  /** The player's name (isolated when rendered), or words for a player who left. */
  private name(state: BoardGameState, id: string): Text {
    const player = state.players.get(id);
    return player ? asName(player.name) : "A player who left";
  }

  summary(state: BoardGameState): Summary {
    const mine = state.players.get(this.me);
    const role = mine ? `playing as ${this.markName(mine.symbol)}` : "watching";
    const base = { deadline: state.turnDeadline, role, waiting: state.phase === "waiting", running: state.phase === "playing" && !!mine, myTurn: false };
    this.rematch.phase(state.phase);
    switch (state.phase) {
      case "waiting":
        return { ...base, status: wentLine(state, "Waiting for a new opponent to join…") ?? "Waiting for an opponent to join…", turn: "" };
      case "playing": {
        const player = state.players.get(state.currentTurn);
        const mark = this.markName(player?.symbol ?? "");
        const myTurn = state.currentTurn === this.me;
        const turn: Text = myTurn ? `Your turn (${mark})` : [player ? possessive(player.name) : "A player who left's", ` turn (${mark})`];
        return { ...base, status: `Game on: ${this.goal}`, turn, myTurn };
      }
      default: {
        if (state.players.size < 2) {
          const status = aloneStatus(state, !!mine, "Invite someone with the link, or go back to the lobby.", "Waiting for a new opponent to join…");
          return { ...base, waiting: true, status, turn: "" };
        }
        const asker = Array.from(state.players.entries()).find(([id, p]) => id !== this.me && p.rematch);
        const status: Text = asker ? [asName(asker[1].name), " wants a rematch."] : overStatus(state.players.get(this.me)?.rematch);
        return { ...base, over: state.phase === "over", status: state.phase === "over" ? status : "", turn: "" };
      }
    }
  }

  private result(state: BoardGameState): Text {
    const forfeit = forfeitLine(state.endReason, state.endName, state.players.get(state.winner)?.name ?? "", state.players.get(this.me)?.name ?? "");
    if (forfeit !== undefined) return forfeit;
    if (state.winner) return state.winner === this.me ? "You win!" : [this.name(state, state.winner), " wins!"];
    if (state.draw) return "It's a draw.";
    return "Game over.";
  }

  render(state: BoardGameState): Node {
    const seated = state.players.has(this.me);
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
          // Whose turn, in words (not only the highlight).
          state.currentTurn === id ? h("span", { class: "badge turn", testid: "badge-turn" }, "to play") : null,
          winnerBadge(state.winner === id),
          awayBadge(p),
          h("span", { class: "sr-only" }, `plays ${this.markName(p.symbol)}`),
        ),
      ),
      players.length < 2 ? h("li", { class: "player empty" }, h("span", { class: "symbol" }, players.some(([, p]) => p.symbol === "X") ? "O" : "X"), "Free seat") : null,
    );

    const over = state.phase === "over";
    // The opponent left after a game (the room waits for a new one): the lobby is at hand
    // where Rematch was, as after a forfeit (until 2026-12-06 only the header's Leave was).
    // The one action left, so primary: brought into view, and given the focus a keyboard
    // player's cell lost as the board went inert (game.ts keepPrimaryActionVisible).
    const backToLobby = backToLobbyButton(true);
    const leftAfterGame = seated && players.length < 2 && state.phase === "waiting" && wentAway(state.endReason);
    return h(
      "div",
      { class: "board-game" },
      playerList,
      tally(players.map(([, p]) => p)),
      this.renderBoard(state, seated),
      over ? h("p", { class: resultClass(state.winner, this.me, seated), testid: "winner", attrs: { role: "status" } }, rich(this.result(state))) : null,
      over && seated
        ? h(
            "div",
            { class: "controls" },
            players.length < 2
              ? // The opponent left: no rematch to wait for. The invite link shows above.
                backToLobby
              : h(
                  "button",
                  { class: "primary", testid: "btn-rematch", action: "rematch", attrs: { type: "button", disabled: this.asked(state) } },
                  this.asked(state) ? "Rematch asked — waiting for the other player" : "Rematch",
                ),
          )
        : leftAfterGame
          ? h("div", { class: "controls" }, backToLobby)
          : null,
    );
  }

  action(name: string, el: HTMLElement, state: BoardGameState): void {
    if (name === "rematch") {
      this.rematch.ask();
      this.ctx.send("rematch", undefined);
      this.ctx.rerender();
    } else this.boardAction(name, el, state);
  }
}

/**
 * A two-player board game's replay (replay.ts): its `rules` run again, the room state's
 * shape from the rules' state, and each move in words, its place told by `place` ("row 2,
 * column 3").
 */
export function boardGameReplay(rules: ReplayRules<TwoPlayerState<readonly string[]>>, place: (action: Record<string, unknown>) => string, markName: (symbol: string) => string = (s) => s): ReplayView<BoardGameState, TwoPlayerState<readonly string[]>> {
  return {
    rules,
    state(rules: TwoPlayerState<readonly string[]>) {
      const players = new Map(
        rules.players.map((p) => [p.id, { name: p.name, symbol: p.symbol, connected: true, awayUntil: 0, rematch: rules.rematch.includes(p.id), wins: p.wins }] as const),
      );
      const state = {
        ...replayCommon(rules),
        board: [...rules.board],
        players,
        winner: rules.winner ?? "",
        draw: rules.draw,
      };
      // What the screen reads of a BoardGameState, in plain objects (a Map for the map).
      return state as unknown as BoardGameState;
    },
    step(info) {
      const mover = (info.before as TwoPlayerState<readonly string[]>).players.find((p) => p.id === info.actor);
      const { type, ...payload } = info.action;
      if (type === "rematch") return [asName(info.who), " asked for a rematch."];
      const after = info.after as TwoPlayerState<readonly string[]>;
      const won = endedHere(info.before as TwoPlayerState<readonly string[]>, after, after.players.find((p) => p.id === after.winner)?.name);
      return [commonStepLine(info) ?? [asName(info.who), mover ? ` (${markName(mover.symbol)})` : "", `: ${place(payload)}`, "."], won];
    },
  };
}
