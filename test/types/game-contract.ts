/**
 * Compile-time checks of what `defineGame` (src/games/definition.ts) and `defineRules`
 * (src/rules/types.ts) accept: `npm test` type-checks this file (`npm run typecheck`), and
 * each `@ts-expect-error` below fails the check if the line it marks ever compiles.
 * Nothing here runs.
 */
import { defineGame } from "../../src/games/definition.js";
import { boardGameHistory, boardGameStanding, boardGameState, projectBoardGame } from "../../src/games/two-player.js";
import { ticTacToeProtocol } from "../../src/protocol/games/tictactoe.js";
import { ticTacToe, type TicTacToeState } from "../../src/rules/tictactoe.js";
import { accept, defineRules, type GameRules } from "../../src/rules/types.js";
import { Schema } from "@colyseus/schema";

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
declare const noPhase: GameRules<Omit<TicTacToeState, "phase">, Record<string, never>, Moves>;
declare const unnamed: GameRules<Omit<TicTacToeState, "players"> & { players: readonly { id: string }[] }, Record<string, never>, Moves>;

export const refused = [
  // @ts-expect-error a state without `ending` (how the last game ended): the room could not log, record or show an end
  defineGame({ ...parts, rules: noEnding }),
  // @ts-expect-error a state without `currentTurn`
  defineGame({ ...parts, rules: noTurn }),
  // @ts-expect-error players without names: a match's record could not name its seats
  defineGame({ ...parts, rules: unnamed }),
  // @ts-expect-error a state without `phase`: the room could not show it
  defineGame({ ...parts, rules: noPhase }),
  // @ts-expect-error a schema state without GameStateBase()'s fields: the room could not write the turn, its clock or the history
  defineGame({ ...parts, rules: ticTacToe, state: () => new Schema(), project: () => undefined }),
];

/** The least a game's rules are: a game that schedules nothing may leave `scheduled` out. */
type Tiny = { players: { id: string; name: string }[]; currentTurn: string | null; phase: string; ending: null };
const ok = (state: Tiny) => accept<Tiny, never>(state);
const tiny = {
  seats: () => 2,
  setup: (): Tiny => ({ players: [], currentTurn: null, phase: "waiting", ending: null }),
  canSeat: () => ({ ok: true }) as const,
  join: ok,
  leave: ok,
  timeout: ok,
  moves: { poke: ok },
  activePlayer: () => null,
  turnNumber: () => 0,
  playerIds: (state: Tiny) => state.players.map((p) => p.id),
  isStarted: () => false,
};
export const withoutSchedule = defineRules<Tiny, object, { poke: object }>(tiny);
// @ts-expect-error a game that schedules an action (`wake`) must say what it does
export const scheduleMissing = defineRules<Tiny, object, { poke: object }, never, { wake: object }>(tiny);
