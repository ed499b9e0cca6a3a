/**
 * Shared set-up of the room suites: the in-process test server, a clean matchmaker before
 * each test, and joining helpers that wait for the first full state.
 */
import type { Room } from "@colyseus/core";
import type { ColyseusTestServer } from "@colyseus/testing";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { Player } from "./clients.js";
import { testServer } from "./server.js";

export interface RoomSuite {
  readonly colyseus: ColyseusTestServer;
  readonly port: number;
  /** Joins room `roomId` as a new client (automatic reconnection allowed at once). */
  join<S = any>(roomId: string, options?: Record<string, unknown>): Promise<Player<S>>;
  /** A TicTacToe room with both seats taken and the game running; `first` is on turn. */
  startedTicTacToe(options?: Record<string, unknown>): Promise<{
    room: Room;
    a: Player<TicTacToeState>;
    b: Player<TicTacToeState>;
    first: Player<TicTacToeState>;
    second: Player<TicTacToeState>;
  }>;
}

/** Registers the suite's hooks (call inside `describe`) and returns its helpers. */
export function roomSuite(): RoomSuite {
  let colyseus!: ColyseusTestServer;
  let port = 0;
  before(async () => {
    ({ colyseus, port } = await testServer());
  });
  beforeEach(async () => {
    await colyseus.cleanup();
  });

  const suite: RoomSuite = {
    get colyseus() {
      return colyseus;
    },
    get port() {
      return port;
    },
    async join<S>(roomId: string, options: Record<string, unknown> = {}) {
      const room = await colyseus.sdk.joinById(roomId, options);
      await room.waitForInitialState();
      room.reconnection.minUptime = 0; // tests drop connections right after joining
      return new Player<S>(room);
    },
    async startedTicTacToe(options = {}) {
      const room = await colyseus.createRoom("tictactoe", options);
      const a = await suite.join<TicTacToeState>(room.roomId, { name: "Ada" });
      const b = await suite.join<TicTacToeState>(room.roomId, { name: "Bob" });
      await a.until(() => a.state.phase === "playing");
      await b.until(() => b.state.phase === "playing");
      const first = a.state.currentTurn === a.id ? a : b;
      return { room, a, b, first, second: first === a ? b : a };
    },
  };
  return suite;
}

const board = (p: Player<TicTacToeState>) => Array.from(p.state.board).join(",");

/** `p` plays (row, col); resolves once every watcher's board has changed. */
export async function tttMove(p: Player<TicTacToeState>, watchers: Player<TicTacToeState>[], row: number, col: number) {
  const before = watchers.map(board);
  p.send("make_move", { row, col });
  await Promise.all(watchers.map((w, i) => w.until(() => board(w) !== before[i], "board change")));
}

/**
 * The TicTacToe moves (player, row, column) by which `winner` takes the top row whoever
 * opens (the first mover is drawn): `loser` plays the middle row, and a corner too when it opened.
 */
export function topRowMoves<P>(winner: P, loser: P, winnerOpens: boolean): [P, number, number][] {
  if (winnerOpens) return [[winner, 0, 0], [loser, 1, 0], [winner, 0, 1], [loser, 1, 1], [winner, 0, 2]];
  return [[loser, 1, 0], [winner, 0, 0], [loser, 1, 1], [winner, 0, 1], [loser, 2, 2], [winner, 0, 2]];
}

/** `first` takes the top row while `second` plays the middle row: five moves, `first` wins. */
export async function topRowWin(first: Player<TicTacToeState>, second: Player<TicTacToeState>, watchers: Player<TicTacToeState>[]) {
  await tttMove(first, watchers, 0, 0);
  await tttMove(second, watchers, 1, 0);
  await tttMove(first, watchers, 0, 1);
  await tttMove(second, watchers, 1, 1);
  await tttMove(first, watchers, 0, 2);
}
