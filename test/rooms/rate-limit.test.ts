/**
 * The per-client message rate limit as a player meets it, with real game messages (also on
 * Redis presence and driver: `npm run test:redis`): past the burst, moves and rematch
 * requests earn ONE `RATE_LIMITED` and are then dropped without changing the game or
 * closing the connection; once the bucket has refilled the same player plays again; and
 * an honest player sending no faster than the limit plays three whole games without ever
 * being limited. The test server runs 50 messages/s, burst 50, cut after 100 refusals
 * (TEST_ENV).
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { Player, quiet } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV } from "../helpers/server.js";

type Board = BoardGameState;

const RATE = Number(TEST_ENV.MESSAGES_PER_SECOND);
const BURST = Number(TEST_ENV.MESSAGE_BURST);
const CUT_AFTER = Number(TEST_ENV.FLOOD_DISCONNECT_AFTER);
/** Messages sent past the burst by a flood: well under the cut. */
const OVER = 20;
/** An empty bucket is full again after BURST / RATE seconds (1 s on the test server); plus a margin for a busy machine. */
const REFILL_MS = (BURST / RATE) * 1000 + 250;

const codes = (p: Player<Board>): string[] => p.all("error").map((e) => e.code as string);
const count = (p: Player<Board>, code: ErrorCode) => codes(p).filter((c) => c === code).length;

/** What a refused message must not touch: board, turn, phase, rematch requests and the history. */
const snapshot = (p: Player<Board>) =>
  JSON.stringify({
    board: Array.from(p.state.board),
    currentTurn: p.state.currentTurn,
    phase: p.state.phase,
    rematch: Array.from(p.state.players.values()).map((pl) => pl.rematch),
    history: p.state.history.size,
  });

describe("Message rate limit with game messages", () => {
  const suite = roomSuite();

  before(() => {
    assert.ok(OVER < CUT_AFTER, "the floods below stay under the cut");
  });

  /**
   * Runs `fn` with the limiter's clock stopped. The bucket refills from `performance.now()`
   * (src/rooms/message-limit.ts, in this same process), one token every 1000 / RATE ms
   * (20 ms here); handling a flood of BURST + OVER messages takes a few ms warm but can take
   * longer on a cold or busy process, and a token refilled mid-flood lets one more message
   * through and opens a new burst with its own RATE_LIMITED. Stopped, the flood meets the
   * burst exactly, as one that arrives at once does. Real time again afterwards.
   */
  async function refillStopped<T>(fn: () => Promise<T>): Promise<T> {
    const own = Object.getOwnPropertyDescriptor(performance, "now");
    const frozen = performance.now();
    Object.defineProperty(performance, "now", { value: () => frozen, configurable: true, writable: true });
    try {
      return await fn();
    } finally {
      if (own) Object.defineProperty(performance, "now", own);
      else delete (performance as { now?: unknown }).now;
    }
  }

  /**
   * A TicTacToe game in which `first` took the centre and `flooder` (the other player, now
   * on turn) sends BURST + OVER real game messages at once: moves onto the taken centre
   * (INVALID_MOVE) alternating with rematch requests during play (NOT_ALLOWED). Returns
   * once the first BURST + 1 replies are in and the rest had time to arrive.
   */
  async function floodedGame() {
    const { room, a, b, first, second: flooder } = await suite.startedTicTacToe();
    first.send("make_move", { row: 1, col: 1 });
    for (const p of [a, b]) await p.until(() => p.state.board[4] !== "" && p.state.currentTurn === flooder.id, "the centre taken");
    const before = [a, b].map(snapshot);

    await refillStopped(async () => {
      for (let i = 0; i < BURST + OVER; i++) {
        if (i % 2 === 0) flooder.send("make_move", { row: 1, col: 1 });
        else flooder.send("rematch");
      }
      await flooder.until(() => flooder.all("error").length >= BURST + 1, `${BURST + 1} replies to the flood`);
      await quiet(150); // the OVER - 1 messages after the RATE_LIMITED: nothing more may arrive
    });

    const expected = [...Array.from({ length: BURST }, (_, i) => (i % 2 === 0 ? ErrorCode.INVALID_MOVE : ErrorCode.NOT_ALLOWED)), ErrorCode.RATE_LIMITED];
    assert.deepEqual(codes(flooder), expected, "the burst gets the game's own codes, then ONE RATE_LIMITED, then silence");
    return { room, a, b, first, flooder, before };
  }

  it("counts moves and rematch requests: past the burst one RATE_LIMITED, the rest dropped, nothing changed, still connected", async () => {
    const { room, a, b, first, flooder, before } = await floodedGame();
    const limited = flooder.all("error").at(-1);
    assert.equal(typeof limited.message, "string");
    assert.match(limited.message, new RegExp(`${RATE}`), "the reply says the rate");
    assert.deepEqual([a, b].map(snapshot), before, "no refused message changed the game");
    assert.equal(a.state.currentTurn, flooder.id, "still the flooder's turn");
    assert.deepEqual(codes(first), [], "the other player got no error");
    assert.equal(flooder.left, undefined, `${OVER} refusals (under ${CUT_AFTER}) do not disconnect`);
    assert.equal(room.clients.length, 2, "both players still connected on the server");
  });

  it("refills the bucket: after BURST / RATE seconds the same player's move is accepted, and a whole burst again", async () => {
    const { a, b, first, flooder } = await floodedGame();
    // No event announces a refill: wait the documented refill time (an empty bucket is full
    // after BURST / RATE s), checking meanwhile that the dropped messages stay dropped.
    await quiet(REFILL_MS);
    assert.equal(flooder.all("error").length, BURST + 1, "nothing arrived while the bucket refilled");

    flooder.send("make_move", { row: 0, col: 0 });
    await flooder.until(() => flooder.state.board[0] !== "" || flooder.all("error").length > BURST + 1, "the move after the refill", 1500);
    assert.equal(flooder.all("error").length, BURST + 1, `the move after the refill got no error: ${codes(flooder).slice(BURST + 1)}`);
    for (const p of [a, b]) {
      await p.until(() => p.state.board[0] !== "", "the board shows the move");
      assert.equal(p.state.board[0], p.state.players.get(flooder.id)!.symbol, "the flooder's mark in the corner");
      assert.equal(p.state.currentTurn, first.id, "the turn passed");
    }

    // The whole burst is back: BURST - 1 more messages (now out of turn) all get their game code.
    for (let i = 0; i < BURST - 1; i++) flooder.send("make_move", { row: 2, col: 2 });
    await flooder.until(() => flooder.all("error").length >= 2 * BURST || count(flooder, ErrorCode.RATE_LIMITED) > 1, "the replies to the second burst");
    await quiet(100);
    const second = codes(flooder).slice(BURST + 1);
    assert.deepEqual(second, Array<string>(BURST - 1).fill(ErrorCode.NOT_YOUR_TURN), "a refilled bucket takes a whole burst again");
    assert.equal(count(flooder, ErrorCode.RATE_LIMITED), 1, "no new RATE_LIMITED after the refill");
    assert.equal(a.state.board[8], "", "the out-of-turn moves changed nothing");
    assert.equal(flooder.left, undefined);
  });

  it("never limits an honest player: three whole Connect Four games with rematches at 80% of the rate", async function () {
    this.timeout(15_000);
    const COLUMNS = 7;
    // A full-board draw: the opener fills the cells (bottom row b, column c) where
    // b % 2 XOR [0,0,1,1,0,0,1][c] is 0; no four in a row, whoever opens.
    const DRAW = "021346502134650213465021346502134650213465".split("").map(Number);
    assert.equal(DRAW.length, 42);
    const GAMES = 3;

    const room = await suite.colyseus.createRoom("connectfour");
    const a = await suite.join<Board>(room.roomId, { name: "Ada" });
    const b = await suite.join<Board>(room.roomId, { name: "Bob" });
    for (const p of [a, b]) await p.until(() => p.state.phase === "playing" && p.state.currentTurn !== "", "the game starts");
    const other = (p: Player<Board>) => (p === a ? b : a);
    const discs = (p: Player<Board>) => Array.from(p.state.board).filter((c) => c !== "").length;

    // Each player's messages at least 1.25 / RATE s apart (25 ms: 40 a second, under the 50 allowed).
    const gapMs = (1.25 * 1000) / RATE;
    const lastSent = new Map<Player<Board>, number>();
    const sent = new Map<Player<Board>, number>([[a, 0], [b, 0]]);
    const t0 = Date.now();

    /** `p` sends at its pace; waits until `done` holds for `p`, failing on any error reply. */
    async function act(p: Player<Board>, type: string, payload: unknown, done: (w: Player<Board>) => boolean, what: string) {
      const wait = (lastSent.get(p) ?? -Infinity) + gapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const errors = p.all("error").length;
      p.send(type, payload);
      lastSent.set(p, Date.now());
      sent.set(p, sent.get(p)! + 1);
      await p.until(() => done(p) || p.all("error").length > errors, what);
      assert.deepEqual(codes(p).slice(errors), [], `${what} (message ${sent.get(p)} of this player, ${Date.now() - t0} ms in) was answered with an error`);
      await other(p).until(() => done(other(p)), `${what}, seen by the other player`);
    }

    for (let game = 1; game <= GAMES; game++) {
      for (const [k, column] of DRAW.entries()) {
        const mover = a.state.currentTurn === a.id ? a : b;
        await act(mover, "drop", { column }, (w) => discs(w) === k + 1, `game ${game}, drop ${k + 1} into column ${column}`);
      }
      for (const p of [a, b]) {
        await p.until(() => p.state.phase === "over", `game ${game} over`);
        assert.equal(p.state.draw, true, `game ${game} is a draw (a full board of ${COLUMNS * 6})`);
      }
      if (game === GAMES) break;
      await act(a, "rematch", undefined, (w) => w.state.players.get(a.id)?.rematch === true, `game ${game}: Ada asks for a rematch`);
      await act(b, "rematch", undefined, (w) => w.state.phase === "playing" && discs(w) === 0, `game ${game + 1} starts`);
    }

    for (const p of [a, b]) {
      assert.ok(sent.get(p)! > BURST, `each player sent more than a burst (${sent.get(p)} > ${BURST}), so only the refill kept them going`);
      assert.equal(count(p, ErrorCode.RATE_LIMITED), 0, "never RATE_LIMITED");
      assert.deepEqual(codes(p), [], "an honest game gets no error at all");
      assert.equal(p.left, undefined);
    }
  });
});
