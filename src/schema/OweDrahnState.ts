import { FairnessState } from "./FairnessState.js";
import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

/** One seat of an Owe Drahn room, in seat order in {@link OweDrahnState.players}. */
export class OweDrahnPlayer extends Schema {
  @type("string") id = "";
  @type("string") name = "";
  @type("uint8") life = 0;
  @type("boolean") ready = false;
  @type("boolean") choosing = false;
  @type("boolean") connected = true;
  /** While not connected: epoch ms the seat is held until (the reconnection window); 0 otherwise. */
  @type("number") awayUntil = 0;
  @type("int32") score = 0;
}

/** What every Owe Drahn client sees (games.md, "Owe Drahn", State). */
export class OweDrahnState extends Schema {
  /** Provably fair dice: the seed commitment, and after a game its seed (src/fairness/). */
  @type(FairnessState) fairness = new FairnessState();
  @type([OweDrahnPlayer]) players = new ArraySchema<OweDrahnPlayer>();
  @type("uint8") currentValue = 0;
  @type("string") currentTurn = "";
  @type("string") phase = "lobby";
  @type("uint8") lastRoll = 0;
  @type("number") turnDeadline = 0;
  /** How long a dropped player's seat is held, in seconds (the server's RECONNECT_SECONDS): a client retrying after a drop knows when to stop. */
  @type("uint16") reconnectSeconds = 0;
  /** How the last game ended: "" (none yet, or a game runs), "won", "left" or "dropped" (a forfeit)… (src/rules/types.ts `Ending`). */
  @type("string") endReason = "";
  /** Who it is about: the winner (won) or the player who left. */
  @type("string") endName = "";
  /**
   * The room's history: the newest entries, keyed by their `seq`, each a JSON array
   * `[game, kind, who, data?]` (src/rooms/history.ts). Plain strings: cheaper to send than a
   * schema object per entry.
   */
  @type({ map: "string" }) history = new MapSchema<string>();
}
