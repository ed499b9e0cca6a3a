/**
 * TicTacToe rules (games.md, "TicTacToe"): pure functions, no framework, no clock.
 * Check order for `make_move`: seated, started, not over, sender's turn, bounds, empty cell
 * (the payload's shape is checked before, by the room against src/protocol).
 */
import { pick, type Rng } from "./rng.js";
import type { GameRules, Rejection, RulesResult, SeatCheck } from "./types.js";

export type Symbol = "X" | "O";
export type Cell = "" | Symbol;
export type TicTacToePhase = "waiting" | "playing" | "over";

export interface TicTacToePlayer {
  readonly id: string;
  readonly name: string;
  readonly symbol: Symbol;
}

export interface TicTacToeState {
  /** Seated players; the seat decides the symbol (first seat X, second O). */
  readonly players: readonly TicTacToePlayer[];
  /** 9 cells, row-major. */
  readonly board: readonly Cell[];
  readonly currentTurn: string | null;
  readonly winner: string | null;
  readonly draw: boolean;
  readonly phase: TicTacToePhase;
  /** Players who asked for a rematch since the game ended. */
  readonly rematch: readonly string[];
  /** Increments whenever a turn starts. */
  readonly turn: number;
}

export type TicTacToeAction =
  | { type: "join"; name: string }
  | { type: "leave" }
  | { type: "timeout" }
  | { type: "make_move"; row: number; col: number }
  | { type: "rematch" };

/** TicTacToe emits no events of its own: everything a client needs is in the state. */
export type TicTacToeEvent = never;

export type TicTacToeConfig = Record<string, never>;

const EMPTY_BOARD: readonly Cell[] = Object.freeze(Array<Cell>(9).fill(""));

/** The eight lines that win, as cell indexes. */
export const LINES: readonly (readonly [number, number, number])[] = [
  [0, 1, 2], [3, 4, 5], [6, 7, 8],
  [0, 3, 6], [1, 4, 7], [2, 5, 8],
  [0, 4, 8], [2, 4, 6],
];

const reject = (code: Rejection["code"], message: string): Rejection => ({ ok: false, code, message });
const accept = (state: TicTacToeState): RulesResult<TicTacToeState, never> => ({ ok: true, state, events: [] });

/** The symbol on a full line of `board`, if any. */
export function lineWinner(board: readonly Cell[]): Symbol | null {
  for (let i = 0; i < LINES.length; i++) {
    const line = LINES[i]!;
    const s = board[line[0]];
    if (s && s === board[line[1]] && s === board[line[2]]) return s;
  }
  return null;
}

function otherPlayer(state: TicTacToeState, id: string): TicTacToePlayer | undefined {
  return state.players.find((p) => p.id !== id);
}

/** A fresh game between the two seated players, with a random first mover. */
function start(state: TicTacToeState, rng: Rng): TicTacToeState {
  return {
    ...state,
    board: EMPTY_BOARD,
    winner: null,
    draw: false,
    rematch: [],
    phase: "playing",
    currentTurn: pick(rng, state.players).id,
    turn: state.turn + 1,
  };
}

function forfeit(state: TicTacToeState, loserId: string): TicTacToeState {
  return { ...state, phase: "over", currentTurn: null, winner: otherPlayer(state, loserId)?.id ?? null, draw: false, rematch: [] };
}

function move(state: TicTacToeState, playerId: string, row: number, col: number): RulesResult<TicTacToeState, never> {
  if (state.phase === "waiting") return reject("NOT_STARTED", "The game starts when both seats are taken.");
  if (state.phase === "over") return reject("GAME_OVER", "The game is over.");
  if (state.currentTurn !== playerId) return reject("NOT_YOUR_TURN", "It is not your turn.");
  if (row < 0 || row > 2 || col < 0 || col > 2) return reject("INVALID_MOVE", "Row and column must be 0, 1 or 2.");
  const index = row * 3 + col;
  if (state.board[index] !== "") return reject("INVALID_MOVE", "That cell is taken.");

  const symbol = state.players.find((p) => p.id === playerId)!.symbol;
  const board = state.board.slice();
  board[index] = symbol;
  if (lineWinner(board)) {
    return accept({ ...state, board, phase: "over", winner: playerId, currentTurn: null });
  }
  if (board.every((c) => c !== "")) {
    return accept({ ...state, board, phase: "over", draw: true, currentTurn: null });
  }
  return accept({ ...state, board, currentTurn: otherPlayer(state, playerId)!.id, turn: state.turn + 1 });
}

/** TicTacToe as a {@link GameRules} module. */
export const ticTacToe: GameRules<TicTacToeState, TicTacToeAction, TicTacToeEvent, TicTacToeConfig> = {
  setup() {
    return { players: [], board: EMPTY_BOARD, currentTurn: null, winner: null, draw: false, phase: "waiting", rematch: [], turn: 0 };
  },

  canSeat(state): SeatCheck {
    if (state.phase === "playing") return { ok: false, reason: "started" };
    if (state.players.length >= 2) return { ok: false, reason: "full" };
    return { ok: true };
  },

  apply(state, playerId, action, rng) {
    const seated = state.players.some((p) => p.id === playerId);
    if (action.type === "join") {
      if (seated) return reject("NOT_ALLOWED", "Already seated.");
      const seat = ticTacToe.canSeat(state);
      if (!seat.ok) return reject("NOT_ALLOWED", seat.reason === "full" ? "Both seats are taken." : "The game has started.");
      // Symbols belong to seats: X is taken by whoever sits first, so a newcomer gets the free one.
      const symbol: Symbol = state.players.some((p) => p.symbol === "X") ? "O" : "X";
      const players = [...state.players, { id: playerId, name: action.name, symbol }]
        .sort((a, b) => a.symbol.localeCompare(b.symbol) * -1); // X before O
      const next: TicTacToeState = { ...state, players, phase: "waiting", board: EMPTY_BOARD, winner: null, draw: false, rematch: [] };
      return accept(players.length === 2 ? start(next, rng) : next);
    }
    if (!seated) return reject("NOT_A_PLAYER", "You have no seat in this game.");

    switch (action.type) {
      case "make_move":
        return move(state, playerId, action.row, action.col);
      case "timeout":
        if (state.phase !== "playing" || state.currentTurn !== playerId) return reject("NOT_ALLOWED", "No turn is running out.");
        return accept(forfeit(state, playerId));
      case "leave": {
        // A leave is final (the room dispatches it once the reconnection window is over):
        // during a game it forfeits, and the seat is freed either way, so the room can
        // never start a game against a player who is gone.
        if (state.phase === "playing") {
          const over = forfeit(state, playerId);
          return accept({ ...over, players: over.players.filter((p) => p.id !== playerId) });
        }
        // Before the start or after the end, leaving frees the seat and the room waits for a new opponent
        // (README: "TicTacToe: leaving after the game").
        const players = state.players.filter((p) => p.id !== playerId);
        return accept({ ...state, players, phase: "waiting", board: EMPTY_BOARD, winner: null, draw: false, currentTurn: null, rematch: [] });
      }
      case "rematch": {
        if (state.phase !== "over") return reject("NOT_ALLOWED", "A rematch can be asked for once the game is over.");
        if (state.rematch.includes(playerId)) return reject("NOT_ALLOWED", "You already asked for a rematch.");
        const rematch = [...state.rematch, playerId];
        const next = { ...state, rematch };
        return accept(state.players.length === 2 && rematch.length === 2 ? start(next, rng) : next);
      }
      default: {
        const unreachable: never = action;
        return unreachable;
      }
    }
  },

  activePlayer: (state) => (state.phase === "playing" ? state.currentTurn : null),
  turnNumber: (state) => state.turn,
  playerIds: (state) => state.players.map((p) => p.id),
  isStarted: (state) => state.phase === "playing",
};
