/** TicTacToe's wire contract (games.md, "TicTacToe"). */
import { z } from "zod";
import { defineProtocol, empty, int } from "../game.js";
import { commonJoinOptions } from "../messages.js";

export const ticTacToeProtocol = defineProtocol({
  name: "tictactoe",
  messages: {
    /** Mark a cell: row and column 0–2 (the range is a rule check, after the turn check). */
    make_move: z.object({ row: int, col: int }).strict(),
    /** After a game: ask for another one; it starts when both players asked. */
    rematch: empty,
  },
  options: commonJoinOptions,
});
