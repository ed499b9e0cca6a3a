import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";
import { GameStateBase } from "./GameState.js";

/** A seated player of a two-player board game, keyed by session id in {@link BoardGameState.players}. */
export class BoardGamePlayer extends Schema {
  @type("string") name = "";
  /** "X" (the first seat) or "O". */
  @type("string") symbol = "";
  @type("boolean") connected = true;
  /** While not connected: epoch ms the seat is held until (the reconnection window); 0 otherwise. */
  @type("number") awayUntil = 0;
  /** Asked for a rematch since the game ended. */
  @type("boolean") rematch = false;
  /** Games won against the current opponent (the tally across rematches). */
  @type("uint16") wins = 0;
}

/**
 * What every client of a two-player board game sees (TicTacToe, Connect Four; games.md,
 * "TicTacToe", State): the board's cells row-major from the top row, each "", "X" or "O".
 */
export class BoardGameState extends GameStateBase() {
  @type(["string"]) board = new ArraySchema<string>();
  @type({ map: BoardGamePlayer }) players = new MapSchema<BoardGamePlayer>();
  @type("string") winner = "";
  @type("boolean") draw = false;
}
