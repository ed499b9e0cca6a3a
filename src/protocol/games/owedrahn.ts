/** Owe Drahn's wire contract (games.md, "Owe Drahn"). */
import { z } from "zod";
import { defineProtocol, empty } from "../game.js";
import { commonJoinOptions } from "../messages.js";

export const oweDrahnProtocol = defineProtocol({
  name: "owedrahn",
  messages: {
    ready: z.object({ ready: z.boolean() }).strict(),
    roll: empty,
    lose_life: empty,
    choose_next: z.object({ playerId: z.string().min(1).max(64) }).strict(),
  },
  options: commonJoinOptions.extend({
    /** Seats of the room. @default 8 */
    maxPlayers: z.number().int().min(2).max(8).optional(),
  }),
});

/** Server → client events of `owedrahn`. */
export interface OweDrahnEvents {
  /** A die was rolled; `total` is the running total before any reset; `timeout`: the server rolled because the player's time ran out. */
  rolled: { playerId: string; die: number; total: number; timeout: boolean };
  /** The player who said "owe drahn" handed the turn to `nextId` (`timeout`: their time ran out, and the server chose the next player alive). */
  handedOver: { playerId: string; nextId: string; timeout: boolean };
  /** One player is left alive. */
  gameOver: { winnerId: string };
}
