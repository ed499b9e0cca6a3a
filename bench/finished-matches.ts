/**
 * Finished TicTacToe matches as a room hands them to the recorder, for the recording
 * benchmarks (bench/record-stalls.ts, bench/record-postgres.ts): two different players of
 * `users` drawn at random, the first winning, with a game's worth of action log.
 */
import { v7 as timeOrderedId } from "uuid";
import type { MatchRecord } from "../src/players/store.js";

const log = {
  initial: { board: Array(9).fill(""), currentTurn: "s1", phase: "playing" },
  steps: Array.from({ length: 8 }, (_, i) => ({ t: i * 10, seat: i % 2, action: { type: "make_move", row: i % 3, col: (i * 2) % 3 } })),
};

export function finishedMatch(users: readonly string[]): MatchRecord {
  const a = users[Math.floor(Math.random() * users.length)]!;
  let b = a;
  while (b === a) b = users[Math.floor(Math.random() * users.length)]!;
  const now = Date.now();
  return { id: timeOrderedId(), game: "tictactoe", startedAt: now - 1000, endedAt: now, players: [{ seat: 0, userId: a, name: "A", placement: 1 }, { seat: 1, userId: b, name: "B", placement: 2 }], result: { reason: "won", winner: 0 }, log };
}
