/** The server part every two-player board game shares: its schema and projection. */
import { BoardGamePlayer, BoardGameState } from "../schema/BoardGameState.js";
import { syncArray, syncMap, type WriteContext } from "../schema/sync.js";
import type { TwoPlayerState } from "../rules/two-player.js";

/** Writes a two-player game's state into its {@link BoardGameState}. */
export function projectBoardGame(target: BoardGameState, game: TwoPlayerState<readonly string[]>, { prev, away, projection }: WriteContext<TwoPlayerState<readonly string[]>>) {
  syncArray(target.board, game.board, prev?.board);
  syncMap(target.players, game.players, prev?.players, (p) => p.id, () => new BoardGamePlayer(), (entry, p) =>
    projection.assign(entry, { name: p.name, symbol: p.symbol, connected: !away.has(p.id), awayUntil: away.get(p.id) ?? 0, rematch: game.rematch.includes(p.id), wins: p.wins }),
  );
  projection.assign(target, {
    currentTurn: game.currentTurn ?? "",
    winner: game.winner ?? "",
    draw: game.draw,
    phase: game.phase,
    endReason: game.ending?.reason ?? "",
    endName: game.ending?.name ?? "",
  });
}

/** A fresh board game state. */
export const boardGameState = () => new BoardGameState();
