/**
 * Every game's schema state extends GameStateBase() (src/schema/GameState.ts): the fields the
 * room writes for every game, and only its own game's classes in a join's handshake.
 */
import assert from "node:assert/strict";
import { Encoder, Reflection, Schema } from "@colyseus/schema";
import type { AnyGame } from "../../src/games/definition.js";
import { GAMES } from "../../src/games/index.js";
import { schemaFieldList } from "../helpers/schema-fields.js";

const COMMON = ["currentTurn", "phase", "endReason", "endName", "turnDeadline", "reconnectSeconds", "history"];

/** The schema classes a state's handshake describes. */
function handshakeTypes(state: Schema): Set<unknown> {
  return new Set((new Encoder(state).context as unknown as { schemas: Map<unknown, number> }).schemas.keys());
}

describe("Each game's schema state (src/schema/GameState.ts)", () => {
  const games = GAMES as readonly AnyGame[];

  it("has the fields the room writes for every game, decoded by a client from the handshake alone", () => {
    for (const game of games) {
      const state = game.state();
      // What a client builds from the handshake (the SDK decodes by reflection, with no classes of its own).
      const decoded = schemaFieldList(Reflection.decode(Reflection.encode(new Encoder(state))).state.constructor).map((f) => f.name);
      assert.deepEqual(COMMON.filter((field) => !decoded.includes(field)), [], `${game.protocol.name}: fields missing`);
    }
  });

  it("a join's handshake describes its own game's classes only, never another game's state (a shared base class would carry them all)", () => {
    const stateClasses = games.map((game) => game.state().constructor);
    for (const game of games) {
      const own = game.state().constructor;
      const types = handshakeTypes(game.state());
      assert.ok(types.has(own), `${game.protocol.name}: its own state class`);
      const others = stateClasses.filter((c) => c !== own && types.has(c)).map((c) => c.name);
      assert.deepEqual(others, [], `${game.protocol.name}: other games' state classes in its handshake`);
    }
  });
});
