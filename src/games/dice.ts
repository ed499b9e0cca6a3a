import { diceProtocol } from "../protocol/games/dice.js";
import { DEFAULT_TARGET_SCORE, dice as rules } from "../rules/dice.js";
import { DicePlayer, DiceState } from "../schema/DiceState.js";
import { syncArray, syncMap } from "../schema/sync.js";
import { defineGame, endItem, type HistoryItem } from "./definition.js";

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
    projection.assign(target, { winner: game.winner ?? "", targetScore: game.targetScore });
  },
  /**
   * `roll` (`data.dice`: the faces), `aside` (`data.values`, `data.points`: set aside, the
   * turn goes on), `bank` (`data.points`: the round banked), `bust` (`data.reason`:
   * `no-score` or `timeout`), `hot` (hot dice), `bot` (a bot joined), and `end`.
   */
  history({ before, after, playerId, action, events }) {
    const items: HistoryItem[] = [];
    const nameOf = (id: string) => before.players.find((p) => p.id === id)?.name ?? after.players.find((p) => p.id === id)?.name ?? "";
    const who = nameOf(playerId);
    if (action.type === "roll") items.push({ kind: "roll", who, data: { dice: after.dice.filter((d) => d > 0) } });
    if (action.type === "set_aside") {
      const values = before.selected.map((i) => before.dice[i]!);
      const player = before.players.find((p) => p.id === playerId);
      const points = (player?.roundScore ?? 0) + (player?.turnScore ?? 0);
      items.push(action.endTurn === true ? { kind: "bank", who, data: { points } } : { kind: "aside", who, data: { values, points: player?.turnScore ?? 0 } });
    }
    if (action.type === "add_bot") items.push({ kind: "bot", who: after.players.find((p) => p.isBot && !before.players.some((b) => b.id === p.id))?.name ?? "" });
    for (const event of events) {
      if (event.type === "busted") items.push({ kind: "bust", who: nameOf(String(event.playerId)), data: { reason: String(event.reason) } });
      if (event.type === "hotDice") items.push({ kind: "hot", who: nameOf(String(event.playerId)) });
    }
    return [...items, ...endItem(before, after, after.players.find((p) => p.id === after.winner)?.name)];
  },
  /** Both players are in until one reaches the target (or the other leaves). */
  standing: (game) => ({ contenders: game.players.map((p) => p.id), winners: game.phase === "over" && game.winner ? [game.winner] : [] }),
});
