/** Connect Four's wire contract: room `connectfour`, message `drop { column }`. */
import { z } from "zod";
import { defineProtocol, empty, int } from "../game.js";
import { commonJoinOptions } from "../messages.js";

export const connectFourProtocol = defineProtocol({
  name: "connectfour",
  messages: {
    /** Drop a disc into a column 0–6 (the range is a rule check, after the turn check). */
    drop: z.object({ column: int }).strict(),
    /** After a game: ask for another one; it starts when both players asked. */
    rematch: empty,
  },
  options: commonJoinOptions,
});
