import { FairnessState } from "./FairnessState.js";
import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";
import { GameStateBase } from "./GameState.js";

/** A seated Dice player or bot, keyed by session id (or bot id) in {@link DiceState.players}. */
export class DicePlayer extends Schema {
  @type("string") name = "";
  @type("boolean") isBot = false;
  @type("uint32") score = 0;
  @type("uint32") roundScore = 0;
  @type("uint32") turnScore = 0;
  /** Games won against the current opponent (the tally across rematches). */
  @type("uint16") wins = 0;
  @type("boolean") connected = true;
  /** While not connected: epoch ms the seat is held until (the reconnection window); 0 otherwise. */
  @type("number") awayUntil = 0;
  /** Asked for a rematch since the game ended (a bot always agrees, so it never asks). */
  @type("boolean") rematch = false;
}

/** What every Dice client sees (games.md, "Dice", State). */
export class DiceState extends GameStateBase() {
  /** Provably fair dice: the seed commitment, and after a game its seed (src/fairness/). */
  @type(FairnessState) fairness = new FairnessState();
  @type({ map: DicePlayer }) players = new MapSchema<DicePlayer>();
  /** The dice on the table; 0 = unrolled. */
  @type(["uint8"]) dice = new ArraySchema<number>();
  /** Indexes into `dice` of the selected dice. */
  @type(["uint8"]) selected = new ArraySchema<number>();
  /** Values of the dice set aside this turn. */
  @type(["uint8"]) setAside = new ArraySchema<number>();
  @type("string") winner = "";
  @type("uint16") targetScore = 3000;
}
