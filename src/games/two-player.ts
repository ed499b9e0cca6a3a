/** The server part every two-player board game shares: its schema and projection. */
import { BoardGamePlayer, BoardGameState } from "../schema/BoardGameState.js";
import { syncArray, syncMap, type WriteContext } from "../schema/sync.js";
import type { TwoPlayerState } from "../rules/two-player.js";
import { endItem, type HistoryItem, type HistoryStep } from "./definition.js";
import type { Standing } from "../players/match-tracker.js";

/**
 * A two-player board game's history: each move (`move`, `data`: the mover's `mark` and the
 * move's payload, e.g. `{ mark: "X", row: 1, col: 2 }`), and how each game ended (`end`).
 */
export function boardGameHistory({ before, after, playerId, action }: HistoryStep<TwoPlayerState<readonly string[]>>): HistoryItem[] {
  const items: HistoryItem[] = [];
  const mover = before.players.find((p) => p.id === playerId);
  if (mover && before.phase === "playing" && after.board !== before.board) {
    const { type: _type, ...payload } = action;
    const data: Record<string, string | number> = { mark: mover.symbol };
    for (const [key, value] of Object.entries(payload)) if (typeof value === "number") data[key] = value;
    items.push({ kind: "move", who: mover.name, data });
  }
  return [...items, ...endItem(before, after, after.players.find((p) => p.id === after.winner)?.name)];
}

/** Writes a two-player game's own fields into its {@link BoardGameState} (the room writes the common ones, src/schema/GameState.ts). */
export function projectBoardGame(target: BoardGameState, game: TwoPlayerState<readonly string[]>, { prev, away, awayChanged, projection }: WriteContext<TwoPlayerState<readonly string[]>>) {
  syncArray(target.board, game.board, prev?.board);
  // A move changes neither the players nor the rematch requests: their entries stay as they are.
  if (!prev || awayChanged || game.players !== prev.players || game.rematch !== prev.rematch) {
    syncMap(target.players, game.players, prev?.players, (p) => p.id, () => new BoardGamePlayer(), (entry, p) =>
      projection.assign(entry, { name: p.name, symbol: p.symbol, connected: !away.has(p.id), awayUntil: away.get(p.id) ?? 0, rematch: game.rematch.includes(p.id), wins: p.wins }),
    );
  }
  projection.assign(target, { winner: game.winner ?? "", draw: game.draw });
}

/** Both players are in until one wins (a draw: both), or one leaves. */
export function boardGameStanding(game: TwoPlayerState<readonly string[]>): Standing {
  const ids = game.players.map((p) => p.id);
  const winners = game.phase !== "over" ? [] : game.winner ? [game.winner] : game.draw ? ids : [];
  return { contenders: ids, winners };
}

/** A fresh board game state. */
export const boardGameState = () => new BoardGameState();
