import { diceProtocol } from "../protocol/games/dice.js";
import { DEFAULT_TARGET_SCORE, dice as rules } from "../rules/dice.js";
import { DicePlayer, DiceState } from "../schema/DiceState.js";
import { syncArray, syncMap } from "../schema/sync.js";
import { defineGame } from "./definition.js";

/** Dice (two-player Farkle with bots): room `dice`. */
export const dice = defineGame({
  protocol: diceProtocol,
  rules,
  config: (options) => ({ targetScore: options.targetScore ?? DEFAULT_TARGET_SCORE }),
  state: () => new DiceState(),
  project(target, game, { prev, away, projection }) {
    syncMap(target.players, game.players, prev?.players, (p) => p.id, () => new DicePlayer(), (entry, p) =>
      projection.assign(entry, {
        name: p.name,
        isBot: p.isBot,
        score: p.score,
        roundScore: p.roundScore,
        turnScore: p.turnScore,
        wins: p.wins,
        connected: !away.has(p.id),
        awayUntil: away.get(p.id) ?? 0,
        rematch: game.rematch.includes(p.id),
      }),
    );
    syncArray(target.dice, game.dice, prev?.dice);
    syncArray(target.selected, game.selected, prev?.selected);
    syncArray(target.setAside, game.setAside, prev?.setAside);
    projection.assign(target, {
      currentTurn: game.currentTurn ?? "",
      winner: game.winner ?? "",
      targetScore: game.targetScore,
      phase: game.phase,
      endReason: game.ending?.reason ?? "",
      endName: game.ending?.name ?? "",
    });
  },
});
