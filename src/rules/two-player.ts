/**
 * Turn-based two-player board games (TicTacToe, Connect Four): everything but the board.
 *
 * A game gives its empty board and its moves, as board logic only; this helper owns the
 * rest, the same for every such game:
 * - **Seats:** two. Marks belong to seats: X is taken by whoever sits down first, so a
 *   newcomer gets the free mark. The game starts when both seats are taken.
 * - **Turns:** the game says who opens each game (the first, each rematch, each new
 *   opponent's): `random` (drawn from the room's random source: TicTacToe, games.md) or
 *   `alternating` (X opens a room's first game, then O, X…: Connect Four); after each move
 *   the turn passes to the other player. The framework, not the game, passes turns and ends games.
 * - **Check order** of every move (games.md): seated (NOT_A_PLAYER), started
 *   (NOT_STARTED), not over (GAME_OVER), the sender's turn (NOT_YOUR_TURN); then the game's
 *   own checks: the argument's range, then the rule (both INVALID_MOVE).
 * - **Leaving is final** (README "Rule choices"): during a game it is a forfeit, and the
 *   seat is freed at once; before or after one, the seat is freed and the room waits with
 *   an empty board.
 * - **Timeout:** the player whose time ran out forfeits.
 * - **Rematch:** after a game, both seated players ask for it (`rematch` message).
 */
import type { Ending, LeaveHow, MoveMap, Rejection, RulesSpec, RulesSpecInput, SeatCheck, Step } from "./types.js";
import { accept, defineRules, reject, seated } from "./types.js";
import { pick, type Rng } from "./rng.js";

export type Mark = "X" | "O";
export type TwoPlayerPhase = "waiting" | "playing" | "over";

export interface TwoPlayerPlayer {
  readonly id: string;
  readonly name: string;
  readonly symbol: Mark;
  /** Games won against the current opponent (the tally across rematches; a new opponent starts it again). */
  readonly wins: number;
}

/** The state of a two-player board game; `B` is the game's board. */
export interface TwoPlayerState<B> {
  /** Seated players, X first. */
  readonly players: readonly TwoPlayerPlayer[];
  readonly board: B;
  readonly currentTurn: string | null;
  readonly winner: string | null;
  readonly draw: boolean;
  readonly phase: TwoPlayerPhase;
  /** Players who asked for a rematch since the game ended. */
  readonly rematch: readonly string[];
  /** Increments whenever a turn starts. */
  readonly turn: number;
  /** Games started in this room (an `alternating` opener alternates with it: X, O, X…). */
  readonly games: number;
  /** How the last game ended (null while one runs or none has ended). */
  readonly ending: Ending | null;
}

/** What a board move leads to: the board after it, and whether that ended the game. */
export interface Placement<B> {
  board: B;
  outcome: "next" | "won" | "draw";
}

/** A game's part: its board, and its moves as board logic. */
export interface BoardGame<B, M extends MoveMap> {
  /**
   * Who opens each game: `random` (one number drawn from the room's random source per game
   * started), or `alternating` (X opens the room's first game, then O, X…; draws nothing).
   */
  readonly opener: "random" | "alternating";
  /** The board every game starts with (shared, never mutated). */
  readonly emptyBoard: B;
  /**
   * The moves, keyed by message name. Each is called only for the seated player on turn in
   * a running game, with that player's mark; it checks the argument's range, then the rule.
   */
  readonly moves: { readonly [K in keyof M]: (board: B, mark: Mark, payload: M[K]) => Placement<B> | Rejection };
}

/** The players with one more win for `winnerId`. */
function addWin(players: readonly TwoPlayerPlayer[], winnerId: string): readonly TwoPlayerPlayer[] {
  return players.map((p) => (p.id === winnerId ? { ...p, wins: p.wins + 1 } : p));
}

/** The message every two-player game adds to its own: ask for a rematch after a game. */
export type TwoPlayerMoves<M extends MoveMap> = M & { rematch: Record<never, never> };

export type TwoPlayerRules<B, M extends MoveMap> = ReturnType<typeof twoPlayerGame<B, M>>;

/** The rules of a two-player board game, from its board logic. */
export function twoPlayerGame<B, M extends MoveMap>(game: BoardGame<B, M>) {
  type S = TwoPlayerState<B>;
  const other = (state: S, id: string) => state.players.find((p) => p.id !== id);
  const seatOf = (state: S, id: string) => state.players.find((p) => p.id === id);

  /** A fresh game between the two seated players, opened as the game says. */
  const start = (state: S, rng: Rng): S => {
    const first = game.opener === "random" ? pick(rng, state.players) : state.players.find((p) => p.symbol === (state.games % 2 === 0 ? "X" : "O"))!;
    return {
      ...state,
      board: game.emptyBoard,
      winner: null,
      draw: false,
      rematch: [],
      phase: "playing",
      ending: null,
      currentTurn: first.id,
      turn: state.turn + 1,
      games: state.games + 1,
    };
  };

  const forfeit = (state: S, loserId: string, reason: LeaveHow | "timeout"): S => ({
    ...state,
    players: addWin(state.players, other(state, loserId)?.id ?? ""),
    phase: "over",
    currentTurn: null,
    winner: other(state, loserId)?.id ?? null,
    draw: false,
    rematch: [],
    ending: { reason, name: seatOf(state, loserId)?.name ?? "" },
  });

  const waiting = (state: S, players: readonly TwoPlayerPlayer[], ending: Ending | null = null): S => ({ ...state, players, phase: "waiting", board: game.emptyBoard, winner: null, draw: false, currentTurn: null, rematch: [], ending });

  /** The checks every board move shares, then the game's own, then the outcome. */
  const boardMove =
    <K extends keyof M>(name: K) =>
    seated((state: S, player: TwoPlayerPlayer, payload: M[K]): Step<S, never, Record<never, never>> => {
      const playerId = player.id;
      if (state.phase === "waiting") return reject("NOT_STARTED", "The game starts when both seats are taken.");
      if (state.phase === "over") return reject("GAME_OVER", "The game is over.");
      if (state.currentTurn !== playerId) return reject("NOT_YOUR_TURN", "It is not your turn.");
      const placed = game.moves[name](state.board, player.symbol, payload);
      if ("ok" in placed) return placed;
      const { board, outcome } = placed;
      if (outcome === "won") return accept({ ...state, board, phase: "over", winner: playerId, currentTurn: null, ending: { reason: "won", name: player.name }, players: addWin(state.players, playerId) });
      if (outcome === "draw") return accept({ ...state, board, phase: "over", draw: true, currentTurn: null, ending: { reason: "draw", name: "" } });
      return accept({ ...state, board, currentTurn: other(state, playerId)!.id, turn: state.turn + 1 });
    });

  const moves = Object.fromEntries(Object.keys(game.moves).map((name) => [name, boardMove(name as keyof M)])) as unknown as {
    readonly [K in keyof M]: (state: S, playerId: string, payload: M[K]) => Step<S, never, Record<never, never>>;
  };

  const canSeat = (state: S): SeatCheck => {
    if (state.phase === "playing") return { ok: false, reason: "started" };
    if (state.players.length >= 2) return { ok: false, reason: "full" };
    return { ok: true };
  };

  const spec: RulesSpecInput<S, Record<string, never>, TwoPlayerMoves<M>> = {
    seats: () => 2,
    setup: () => ({ players: [], board: game.emptyBoard, currentTurn: null, winner: null, draw: false, phase: "waiting", rematch: [], turn: 0, games: 0, ending: null }),
    canSeat,
    join(state, playerId, name, rng) {
      if (seatOf(state, playerId)) return reject("NOT_ALLOWED", "Already seated.");
      const seat = canSeat(state);
      if (!seat.ok) return reject("NOT_ALLOWED", seat.reason === "full" ? "Both seats are taken." : "The game has started.");
      const symbol: Mark = state.players.some((p) => p.symbol === "X") ? "O" : "X";
      // A new opponent: the tally starts again.
      const players = [...state.players.map((p) => ({ ...p, wins: 0 })), { id: playerId, name, symbol, wins: 0 }].sort((a, b) => (a.symbol === "X" ? -1 : b.symbol === "X" ? 1 : 0));
      const next = waiting(state, players);
      return accept(players.length === 2 ? start(next, rng) : next);
    },
    leave: seated((state: S, { id: playerId, name }, _rng: Rng, how: LeaveHow) => {
      const rest = state.players.filter((p) => p.id !== playerId);
      // During a game a leave forfeits; either way the seat is freed, so the room can never
      // start a game against a player who is gone.
      if (state.phase === "playing") {
        const over = forfeit(state, playerId, how);
        // The one who stays keeps the win in their tally until a new opponent sits down.
        return accept({ ...over, players: over.players.filter((p) => p.id !== playerId) });
      }
      // After a game, the one who stays learns that the other left (a new game clears it).
      return accept(waiting(state, rest, rest.length > 0 ? { reason: how, name } : null));
    }),
    timeout: seated((state: S, { id: playerId }) => {
      if (state.phase !== "playing" || state.currentTurn !== playerId) return reject("NOT_ALLOWED", "No turn is running out.");
      return accept(forfeit(state, playerId, "timeout"));
    }),
    moves: {
      ...moves,
      rematch: seated((state: S, { id: playerId }, _payload: unknown, rng: Rng) => {
        if (state.phase !== "over") return reject("NOT_ALLOWED", "A rematch can be asked for once the game is over.");
        if (state.rematch.includes(playerId)) return reject("NOT_ALLOWED", "You already asked for a rematch.");
        const next = { ...state, rematch: [...state.rematch, playerId] };
        return accept(state.players.length === 2 && next.rematch.length === 2 ? start(next, rng) : next);
      }),
    } as RulesSpec<S, Record<string, never>, TwoPlayerMoves<M>>["moves"],
    activePlayer: (state) => (state.phase === "playing" ? state.currentTurn : null),
    turnNumber: (state) => state.turn,
    playerIds: (state) => state.players.map((p) => p.id),
    isStarted: (state) => state.phase === "playing",
  };
  return defineRules(spec);
}
