import { oweDrahnProtocol } from "../protocol/games/owedrahn.js";
import { DEFAULT_MAX_PLAYERS, oweDrahn as rules, outOfRunningGame } from "../rules/owe-drahn.js";
import { OweDrahnPlayer, OweDrahnState } from "../schema/OweDrahnState.js";
import { syncSchemaArray } from "../schema/sync.js";
import { defineGame, endItem, type HistoryItem } from "./definition.js";

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
    projection.assign(target, { currentValue: game.currentValue, lastRoll: game.lastRoll });
  },
  /**
   * `roll` (`data`: `die`, `total`, `timeout` when the server rolled), `oweDrahn` (a life
   * given up), `next` (`data`: `next` — the name — and `timeout` when the server chose),
   * `left` (a player still in left the running game, which goes on without them: out;
   * `data`: `reset` when that sent the total back to 0, as a leave on one's own turn does;
   * `dropped` when they did not come back after a dropped connection), and `end`.
   */
  history({ before, after, playerId, action, events }) {
    const items: HistoryItem[] = [];
    const nameOf = (id: string) => before.players.find((p) => p.id === id)?.name ?? "";
    if (action.type === "lose_life") items.push({ kind: "oweDrahn", who: nameOf(playerId) });
    // Not when the leave ends the game: its end entry says who left ("Bea left — you win by forfeit").
    const out = action.type === "leave" ? outOfRunningGame(before, after, playerId) : undefined;
    if (out) items.push({ kind: "left", who: out.leaver.name, data: { reset: out.reset, ...(action.dropped === true ? { dropped: true } : {}) } });
    for (const event of events) {
      if (event.type === "rolled") items.push({ kind: "roll", who: nameOf(String(event.playerId)), data: { die: Number(event.die), total: Number(event.total), timeout: event.timeout === true } });
      if (event.type === "handedOver") items.push({ kind: "next", who: nameOf(String(event.playerId)), data: { next: nameOf(String(event.nextId)), timeout: event.timeout === true } });
    }
    const winner = after.phase === "over" ? after.players.find((p) => p.life > 0 && !p.left)?.name : undefined;
    return [...items, ...endItem(before, after, winner)];
  },
  /** Players with lives left who have not left are in; the last one standing wins. */
  standing(game) {
    const alive = game.players.filter((p) => p.life > 0 && !p.left).map((p) => p.id);
    return { contenders: alive, winners: game.phase === "over" ? alive : [] };
  },
});
