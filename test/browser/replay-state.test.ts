/**
 * A replay shows each state on the game's own screen, which reads the room's schema state
 * (src/schema): each game's view builds that shape from the rules' state (client/src/games/*.ts
 * `replay.state`), as a plain object cast to the schema's type, which the compiler cannot
 * check. This test does: every field of the game's schema state, and of each of its players,
 * is in the replay's state, for every listed game. No page needed.
 */
import assert from "node:assert/strict";
import type { AnyGame } from "../../src/games/definition.js";
import { GAMES } from "../../src/games/index.js";
import type { Rng } from "../../src/rules/rng.js";
import { clientViews } from "../helpers/views.js";
import { schemaFieldList } from "../helpers/schema-fields.js";

/** The fields of a schema class, inherited ones included, and the schema class of its players' entries, if any. */
function schemaFields(ctor: unknown): { names: string[]; player?: unknown } {
  const fields = schemaFieldList(ctor);
  const players = fields.find((f) => f.name === "players")?.type;
  const player = players && typeof players === "object" ? Object.values(players)[0] : undefined;
  return { names: fields.map((f) => f.name), player: typeof player === "function" ? player : undefined };
}

const low: Rng = { int: (min) => min };

/**
 * Fields only the live game's shell reads (client/src/game.ts), never a game's screen: the
 * fair dice of the game under way (fair-dice.ts; a replay shows the record's own, revealed
 * seeds) and the seat's reconnection window (seat-restore.ts). A replay has no shell.
 */
const SHELL_FIELDS: readonly string[] = ["fairness", "reconnectSeconds"];

describe("A replay's state has every field the game's screen reads", () => {
  for (const game of GAMES as readonly AnyGame[]) {
    const name = game.protocol.name;
    it(`${name}: the schema state's fields, and each player's`, () => {
      const view = clientViews().find((v) => v.protocol.name === name)!;
      // Two players seated: a started game where two seats start one.
      let rules: unknown = game.rules.setup(game.config({} as never), low);
      for (const [id, player] of [["a", "Ada"], ["b", "Bob"]] as const) {
        const step = game.rules.apply(rules, id, { type: "join", name: player }, low);
        assert.ok(step.ok, `${name}: ${player} joins`);
        rules = step.state;
      }
      const shown = view.replay!.state(rules as never) as unknown as Record<string, unknown>;
      const schema = schemaFields(game.state().constructor);
      const missing = schema.names.filter((field) => !(field in shown) && !SHELL_FIELDS.includes(field));
      assert.deepEqual(missing, [], `${name}: fields of the room's state the replay does not have`);
      if (schema.player) {
        const players = shown.players instanceof Map ? [...shown.players.values()] : (shown.players as unknown[]);
        assert.equal(players.length, 2, `${name}: both players`);
        const wanted = schemaFields(schema.player).names;
        for (const player of players as Record<string, unknown>[]) assert.deepEqual(wanted.filter((field) => !(field in player)), [], `${name}: fields of a player the replay does not have`);
      }
    });
  }
});
