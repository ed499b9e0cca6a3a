import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

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
export class BoardGameState extends Schema {
  @type(["string"]) board = new ArraySchema<string>();
  @type({ map: BoardGamePlayer }) players = new MapSchema<BoardGamePlayer>();
  @type("string") currentTurn = "";
  @type("string") winner = "";
  @type("boolean") draw = false;
  @type("string") phase = "waiting";
  @type("number") turnDeadline = 0;
  /** How long a dropped player's seat is held, in seconds (the server's RECONNECT_SECONDS): a client retrying after a drop knows when to stop. */
  @type("uint16") reconnectSeconds = 0;
  /** How the last game ended: "" (none yet, or a game runs), "won", "draw", "left" or "dropped" (a forfeit: left, or did not come back in time) or "timeout" (a forfeit). */
  @type("string") endReason = "";
  /** Who it is about: the winner (won), the player who left or ran out of time; "" for a draw. */
  @type("string") endName = "";
  /**
   * The room's history: the newest entries, keyed by their `seq`, each a JSON array
   * `[game, kind, who, data?]` (src/rooms/history.ts). Plain strings: cheaper to send than a
   * schema object per entry.
   */
  @type({ map: "string" }) history = new MapSchema<string>();
}
