/** What a stand-in TicTacToe room's snapshot holds (the HA service's tests): its board, one seat. */
import type { SnapshotBody } from "../../src/ha/service.js";

export const snapshotBody = (board: string[], roomId = "r1"): SnapshotBody => ({
  roomId,
  roomName: "tictactoe",
  options: {},
  host: "",
  game: { board, turn: "s1" },
  seats: [{ sessionId: "s1", token: "t1", name: "Ada" }],
  turn: null,
  scheduled: [],
  history: { seq: 0, game: 0, entries: [] },
});
