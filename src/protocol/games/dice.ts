/** Dice's wire contract (games.md, "Dice": two-player Farkle with bots). */
import { z } from "zod";
import { defineProtocol, empty, int } from "../game.js";
import { commonJoinOptions } from "../messages.js";

export const diceProtocol = defineProtocol({
  name: "dice",
  messages: {
    roll: empty,
    select: z.object({ index: int }).strict(),
    set_aside: z.object({ endTurn: z.boolean() }).strict(),
    add_bot: empty,
    rematch: empty,
  },
  options: commonJoinOptions.extend({
    /** Banked score that wins. @default 3000 */
    targetScore: z.number().int().min(1000).max(10000).optional(),
  }),
});

/** Server → client events of `dice`. */
export interface DiceEvents {
  /** The roll held no scoring die (`no-score`; the turn passes after the bust pause) or the turn's time ran out (`timeout`; it passes at once). */
  busted: { playerId: string; reason: "no-score" | "timeout" };
  /** All six dice scored: the same player rolls six fresh dice. */
  hotDice: { playerId: string };
}
