import { TicTacToePlayer, TicTacToeState } from "../schema/TicTacToeState.js";
import { syncArray, syncMap, type WriteContext } from "../schema/sync.js";
import { commonJoinOptions, TicTacToeMessages } from "../protocol/messages.js";
import { ticTacToe, type TicTacToeAction, type TicTacToeState as Game } from "../rules/tictactoe.js";
import { GameRoom, type MessageSpec } from "./GameRoom.js";

/** Room `tictactoe`: the TicTacToe rules on the shared base room. */
export class TicTacToeRoom extends GameRoom<Game, TicTacToeAction, never, Record<string, never>, TicTacToeState> {
  protected readonly rules = ticTacToe;
  protected readonly optionsSchema = commonJoinOptions;
  protected readonly messageSpecs: Record<string, MessageSpec<TicTacToeAction>> = {
    make_move: { schema: TicTacToeMessages.make_move, toAction: (p) => ({ type: "make_move", row: p.row, col: p.col }) },
    rematch: { schema: TicTacToeMessages.rematch, toAction: () => ({ type: "rematch" }) },
  };

  protected configFrom() {
    return {};
  }

  protected seatCount() {
    return 2;
  }

  protected createState() {
    return new TicTacToeState();
  }

  protected writeState(target: TicTacToeState, game: Game, { prev, away, awayChanged }: WriteContext<Game>) {
    syncArray(target.board, game.board, prev?.board);
    syncMap(target.players, game.players, prev?.players, awayChanged || prev?.rematch !== game.rematch, (p) => p.id, () => new TicTacToePlayer(), (entry, p) =>
      this.projection.assign(entry, { name: p.name, symbol: p.symbol, connected: !away.has(p.id), rematch: game.rematch.includes(p.id) }),
    );
    this.projection.assign(target, {
      currentTurn: game.currentTurn ?? "",
      winner: game.winner ?? "",
      draw: game.draw,
      phase: game.phase,
    });
  }
}
