import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

/** A seated TicTacToe player, keyed by session id in {@link TicTacToeState.players}. */
export class TicTacToePlayer extends Schema {
  @type("string") name = "";
  @type("string") symbol = "";
  @type("boolean") connected = true;
  /** Asked for a rematch since the game ended. */
  @type("boolean") rematch = false;
}

/** What every TicTacToe client sees (games.md, "TicTacToe", State). */
export class TicTacToeState extends Schema {
  @type(["string"]) board = new ArraySchema<string>("", "", "", "", "", "", "", "", "");
  @type({ map: TicTacToePlayer }) players = new MapSchema<TicTacToePlayer>();
  @type("string") currentTurn = "";
  @type("string") winner = "";
  @type("boolean") draw = false;
  @type("string") phase = "waiting";
  @type("number") turnDeadline = 0;
}
