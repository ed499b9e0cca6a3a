import { FairnessState } from "./FairnessState.js";
import { ArraySchema, Schema, type } from "@colyseus/schema";
import { GameStateBase } from "./GameState.js";

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
export class OweDrahnState extends GameStateBase() {
  /** Provably fair dice: the seed commitment, and after a game its seed (src/fairness/). */
  @type(FairnessState) fairness = new FairnessState();
  @type([OweDrahnPlayer]) players = new ArraySchema<OweDrahnPlayer>();
  @type("uint8") currentValue = 0;
  @type("uint8") lastRoll = 0;
}
