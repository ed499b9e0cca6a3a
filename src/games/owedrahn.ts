import { oweDrahnProtocol } from "../protocol/games/owedrahn.js";
import { DEFAULT_MAX_PLAYERS, oweDrahn as rules } from "../rules/owe-drahn.js";
import { OweDrahnPlayer, OweDrahnState } from "../schema/OweDrahnState.js";
import { syncSchemaArray } from "../schema/sync.js";
import { defineGame } from "./definition.js";

/** Owe Drahn (Austrian push-your-luck dice, 2–8 players): room `owedrahn`. */
export const oweDrahn = defineGame({
  protocol: oweDrahnProtocol,
  rules,
  config: (options) => ({ maxPlayers: options.maxPlayers ?? DEFAULT_MAX_PLAYERS }),
  state: () => new OweDrahnState(),
  project(target, game, { prev, away, projection }) {
    syncSchemaArray(target.players, game.players, prev?.players, (entry, p) => entry.id === p.id, () => new OweDrahnPlayer(), (entry, p) =>
      projection.assign(entry, {
        id: p.id,
        name: p.name,
        life: p.life,
        ready: p.ready,
        choosing: p.choosing,
        connected: !p.left && !away.has(p.id),
        awayUntil: p.left ? 0 : (away.get(p.id) ?? 0),
        score: p.score,
      }),
    );
    projection.assign(target, {
      currentValue: game.currentValue,
      currentTurn: game.currentTurn ?? "",
      phase: game.phase,
      endReason: game.ending?.reason ?? "",
      endName: game.ending?.name ?? "",
      lastRoll: game.lastRoll,
    });
  },
});
