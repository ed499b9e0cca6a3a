import { Schema, type } from "@colyseus/schema";

/**
 * Provably fair dice, as players see them (src/fairness/): the commitment to the server
 * seed of the game being played or about to start, and once a game is over its seed.
 */
export class FairnessState extends Schema {
  /** SHA-256 of the server seed (lowercase hex): of the game being played or about to start; after a game, of that game. */
  @type("string") commitment = "";
  /** The server seed (hex) of the game that just ended; "" while a game runs or before the first ends. */
  @type("string") seed = "";
  /** The client seeds of the game that just ended, in seat order, joined with ":"; "" otherwise. */
  @type("string") clientSeeds = "";
  /** After a game: the commitment of the next game's seed (client seeds sent now count for it); "" otherwise. */
  @type("string") next = "";
}
