/**
 * Compile-time checks of what `defineGame` (src/games/definition.ts) accepts: `npm test`
 * type-checks this file (`npm run typecheck`), and each `@ts-expect-error` below fails the
 * check if the line it marks ever compiles. Nothing here runs.
 */
import { defineGame } from "../../src/games/definition.js";
import { boardGameHistory, boardGameStanding, boardGameState, projectBoardGame } from "../../src/games/two-player.js";
import { ticTacToeProtocol } from "../../src/protocol/games/tictactoe.js";
import { ticTacToe, type TicTacToeState } from "../../src/rules/tictactoe.js";
import type { GameRules } from "../../src/rules/types.js";

type Moves = typeof ticTacToe extends GameRules<TicTacToeState, infer _C, infer M, infer _E, infer _X> ? M : never;
/** The game's other parts, taking any state: only the rules decide whether a game compiles below. */
const parts = {
  protocol: ticTacToeProtocol,
  config: () => ({}),
  state: boardGameState,
  project: (target: ReturnType<typeof boardGameState>, state: unknown, ctx: unknown) => projectBoardGame(target, state as TicTacToeState, ctx as never),
  history: (step: unknown) => boardGameHistory(step as never),
  standing: (state: unknown) => boardGameStanding(state as TicTacToeState),
};

/** The game as registered: compiles. */
export const whole = defineGame({ ...parts, rules: ticTacToe });

/** Rules whose state lacks one of the fields the room reads of every game (CommonState). */
declare const noEnding: GameRules<Omit<TicTacToeState, "ending">, Record<string, never>, Moves>;
declare const noTurn: GameRules<Omit<TicTacToeState, "currentTurn">, Record<string, never>, Moves>;
declare const unnamed: GameRules<Omit<TicTacToeState, "players"> & { players: readonly { id: string }[] }, Record<string, never>, Moves>;

export const refused = [
  // @ts-expect-error a state without `ending` (how the last game ended): the room could not log, record or show an end
  defineGame({ ...parts, rules: noEnding }),
  // @ts-expect-error a state without `currentTurn`
  defineGame({ ...parts, rules: noTurn }),
  // @ts-expect-error players without names: a match's record could not name its seats
  defineGame({ ...parts, rules: unnamed }),
];
