/**
 * Edges of the pure rules that the per-game tests leave open: what the RNGs return (ranges,
 * a seed's exact sequence, a script running out or off its range, shuffle and pick), the
 * reasons given when a seat is refused, range errors for out-of-range input given straight
 * to the rules, Owe Drahn's room configuration and default names, and the empty boards and
 * lines of TicTacToe and Connect Four.
 */
import assert from "node:assert/strict";
import { COLUMNS, ROWS, connectFour, connectsFour, type Cell as C4Cell, type ConnectFourAction, type ConnectFourState } from "../../src/rules/connect-four.js";
import { DEFAULT_MAX_PLAYERS, oweDrahn, type OweDrahnAction, type OweDrahnConfig, type OweDrahnState } from "../../src/rules/owe-drahn.js";
import { cryptoRng, d6, pick, scriptedRng, seededRng, shuffle, type Rng } from "../../src/rules/rng.js";
import { LINES, lineWinner, ticTacToe, type Cell as TttCell, type TicTacToeAction, type TicTacToeState } from "../../src/rules/tictactoe.js";
import { join, rulesHarness, timeout, twoPlayerFixtures } from "../helpers/rules.js";

/** An Rng that answers from a script and records every range it was asked for. */
function recording(values: readonly number[]): Rng & { asked: [number, number][]; remaining(): number } {
  const inner = scriptedRng(values);
  const asked: [number, number][] = [];
  return {
    asked,
    remaining: () => inner.remaining(),
    int(min, max) {
      asked.push([min, max]);
      return inner.int(min, max);
    },
  };
}

describe("rules edges", () => {
  describe("rng", () => {
    it("seededRng follows mulberry32 exactly: a seed always gives the same known sequence", () => {
      const raw = (seed: number) => {
        const rng = seededRng(seed);
        return Array.from({ length: 4 }, () => rng.int(0, 4294967295));
      };
      assert.deepEqual(raw(0), [1144304738, 1416247, 958946056, 627933444]);
      assert.deepEqual(raw(42), [2581720956, 1925393290, 3661312704, 2876485805]);
      const dice = seededRng(42);
      assert.deepEqual(Array.from({ length: 12 }, () => d6(dice)), [4, 3, 6, 5, 2, 4, 2, 4, 6, 3, 2, 6]);
    });

    it("seededRng: the same seed repeats, another seed differs, and every value is in range", () => {
      const draw = (seed: number) => {
        const rng = seededRng(seed);
        return Array.from({ length: 600 }, () => rng.int(1, 6));
      };
      const a = draw(7);
      assert.deepEqual(draw(7), a);
      assert.notDeepEqual(draw(8), a);
      assert.ok(a.every((v) => Number.isInteger(v) && v >= 1 && v <= 6));
      assert.deepEqual([...new Set(a)].sort(), [1, 2, 3, 4, 5, 6]);
    });

    it("cryptoRng returns integers in [min, max], both ends included", () => {
      assert.equal(cryptoRng.int(5, 5), 5);
      assert.equal(cryptoRng.int(-3, -3), -3);
      const seen = new Set<number>();
      for (let i = 0; i < 400; i++) {
        const v = cryptoRng.int(1, 2);
        assert.ok(v === 1 || v === 2, `got ${v}`);
        seen.add(v);
      }
      assert.equal(seen.size, 2, "both ends come up");
    });

    it("scriptedRng returns its values in order, the range's ends included, then throws when exhausted", () => {
      const rng = scriptedRng([1, 6, 4]);
      assert.equal(rng.remaining(), 3);
      assert.equal(rng.int(1, 6), 1);
      assert.equal(rng.int(1, 6), 6);
      assert.equal(rng.remaining(), 1);
      assert.equal(rng.int(4, 4), 4);
      assert.equal(rng.remaining(), 0);
      assert.throws(() => rng.int(1, 6), /scriptedRng: script exhausted after 3 values/);
      assert.throws(() => scriptedRng([]).int(0, 0), /script exhausted after 0 values/);
    });

    it("scriptedRng throws on a value below or above the requested range", () => {
      assert.throws(() => scriptedRng([0]).int(1, 6), /scriptedRng: value 0 outside \[1, 6\]/);
      assert.throws(() => scriptedRng([7]).int(1, 6), /scriptedRng: value 7 outside \[1, 6\]/);
      assert.throws(() => scriptedRng([-1]).int(0, 2), /value -1 outside \[0, 2\]/);
      assert.throws(() => scriptedRng([3]).int(0, 2), /value 3 outside \[0, 2\]/);
    });

    it("pick: the element at the drawn index, from [0, length - 1]; an empty list is a RangeError", () => {
      const rng = recording([2, 0]);
      assert.equal(pick(rng, ["a", "b", "c"]), "c");
      assert.equal(pick(rng, ["z"]), "z");
      assert.deepEqual(rng.asked, [[0, 2], [0, 0]]);
      assert.throws(() => pick(scriptedRng([]), []), (e: unknown) => e instanceof RangeError && /empty list/.test(e.message));
      assert.throws(() => pick(seededRng(1), []), RangeError);
    });

    it("shuffle: Fisher–Yates from the last index down, one draw per index above 0, input untouched", () => {
      const items = Object.freeze(["a", "b", "c", "d"]);
      const rng = recording([0, 0, 0]);
      // i = 3, j = 0: d b c a; i = 2, j = 0: c b d a; i = 1, j = 0: b c d a.
      assert.deepEqual(shuffle(rng, items), ["b", "c", "d", "a"]);
      assert.deepEqual(rng.asked, [[0, 3], [0, 2], [0, 1]]);
      assert.equal(rng.remaining(), 0);
      assert.deepEqual(items, ["a", "b", "c", "d"]);

      const keep = recording([3, 2, 1]);
      assert.deepEqual(shuffle(keep, items), ["a", "b", "c", "d"]);
      assert.deepEqual(keep.asked, [[0, 3], [0, 2], [0, 1]]);

      const mixed = recording([1, 2, 0]);
      // i = 3, j = 1: a d c b; i = 2, j = 2: same; i = 1, j = 0: d a c b.
      assert.deepEqual(shuffle(mixed, items), ["d", "a", "c", "b"]);

      // Nothing to shuffle: no draw at all.
      assert.deepEqual(shuffle(scriptedRng([]), ["x"]), ["x"]);
      assert.deepEqual(shuffle(scriptedRng([]), []), []);
    });
  });

  describe("two-player games (via TicTacToe)", () => {
    const harness = rulesHarness(ticTacToe);
    const run = (s: TicTacToeState, id: string, action: TicTacToeAction, rng?: Rng) => harness.accept(s, id, action, rng).state;
    const { game } = twoPlayerFixtures(ticTacToe, run);

    it("a join is refused with the reason: the game has started, or both seats are taken", () => {
      const playing = game();
      assert.equal(playing.phase, "playing");
      assert.match(harness.refuse(playing, "c", join("C"), "NOT_ALLOWED"), /The game has started/);
      const over = run(playing, "a", timeout);
      assert.equal(over.phase, "over");
      assert.match(harness.refuse(over, "c", join("C"), "NOT_ALLOWED"), /Both seats are taken/);
    });
  });

  describe("TicTacToe", () => {
    const harness = rulesHarness(ticTacToe);
    const run = (s: TicTacToeState, id: string, action: TicTacToeAction, rng?: Rng) => harness.accept(s, id, action, rng).state;
    const { game } = twoPlayerFixtures(ticTacToe, run);
    const at = (row: number, col: number) => ({ type: "make_move", row, col }) as const;

    it("an out-of-range row or column is refused as out of range (not as a taken cell)", () => {
      const s = game();
      for (const [row, col] of [[-1, 0], [3, 0], [-1, 2], [3, 2], [0, -1], [0, 3], [2, 3]] as const) {
        const message = harness.refuse(s, "a", at(row, col), "INVALID_MOVE");
        assert.match(message, /0, 1 or 2/, `row ${row}, col ${col}`);
      }
      const taken = run(s, "a", at(0, 0));
      assert.match(harness.refuse(taken, "b", at(0, 0), "INVALID_MOVE"), /taken/);
    });

    it("the empty board has nine empty cells, and each of the eight lines wins", () => {
      const s = ticTacToe.setup({}, scriptedRng([]));
      assert.deepEqual(s.board, Array<TttCell>(9).fill(""));
      assert.equal(LINES.length, 8);
      const expected = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];
      assert.deepEqual(LINES, expected);
      for (const line of expected) {
        const board = Array<TttCell>(9).fill("");
        for (const i of line) board[i] = "O";
        assert.equal(lineWinner(board), "O", `line ${line.join(",")}`);
      }
      // Through real moves: X takes the anti-diagonal.
      let g = game();
      for (const [id, r, c] of [["a", 0, 2], ["b", 0, 0], ["a", 1, 1], ["b", 0, 1], ["a", 2, 0]] as const) g = run(g, id, at(r, c));
      assert.equal(g.phase, "over");
      assert.equal(g.winner, "a");
    });
  });

  describe("Connect Four", () => {
    const harness = rulesHarness(connectFour);
    const run = (s: ConnectFourState, id: string, action: ConnectFourAction) => harness.accept(s, id, action).state;
    const { game } = twoPlayerFixtures(connectFour, run);
    const drop = (column: number) => ({ type: "drop", column }) as const;

    it("an out-of-range column is refused, naming the range 0 to 6", () => {
      const s = game();
      for (const column of [-1, COLUMNS, 8]) assert.match(harness.refuse(s, "a", drop(column), "INVALID_MOVE"), /0 to 6\./);
    });

    it("the empty board has 42 empty cells; a disc lands on the bottom row", () => {
      const s = connectFour.setup({}, scriptedRng([]));
      assert.equal(COLUMNS * ROWS, 42);
      assert.deepEqual(s.board, Array<C4Cell>(42).fill(""));
      const after = run(game(), "a", drop(3));
      assert.equal(after.board.length, 42);
      assert.equal(after.board[(ROWS - 1) * COLUMNS + 3], "X");
      assert.equal(after.board.filter((c) => c !== "").length, 1);
    });

    it("four on the diagonal / (up to the right) wins, and so does every other direction", () => {
      const board = (cells: readonly [number, number][]) => {
        const b = Array<C4Cell>(42).fill("");
        for (const [r, c] of cells) b[r * COLUMNS + c] = "X";
        return b;
      };
      const slash: [number, number][] = [[5, 0], [4, 1], [3, 2], [2, 3]];
      for (const [r, c] of slash) assert.equal(connectsFour(board(slash), r, c), true, `/ at ${r},${c}`);
      assert.equal(connectsFour(board(slash.slice(0, 3)), 3, 2), false);
      const backslash: [number, number][] = [[2, 3], [3, 4], [4, 5], [5, 6]];
      assert.equal(connectsFour(board(backslash), 3, 4), true);
      const across: [number, number][] = [[5, 1], [5, 2], [5, 3], [5, 4]];
      assert.equal(connectsFour(board(across), 5, 2), true);
      const down: [number, number][] = [[2, 6], [3, 6], [4, 6], [5, 6]];
      assert.equal(connectsFour(board(down), 2, 6), true);
    });
  });

  describe("Owe Drahn", () => {
    const harness = rulesHarness(oweDrahn);
    const run = (s: OweDrahnState, id: string, action: OweDrahnAction, rng?: Rng) => harness.accept(s, id, action, rng).state;
    const lobby = (ids: readonly string[], maxPlayers = DEFAULT_MAX_PLAYERS) => {
      let s = oweDrahn.setup({ maxPlayers }, scriptedRng([]));
      for (const id of ids) s = run(s, id, { type: "join", name: id.toUpperCase() });
      return s;
    };
    const game = (ids: readonly string[]) => {
      let s = lobby(ids);
      ids.forEach((id, i) => {
        s = run(s, id, { type: "ready", ready: true }, i === ids.length - 1 ? scriptedRng([0]) : undefined);
      });
      assert.equal(s.phase, "playing");
      return s;
    };

    it("maxPlayers: 2 to 8 are kept; anything else (or no config at all) gives 8 seats", () => {
      for (const n of [2, 3, 7, 8]) {
        assert.equal(oweDrahn.seats({ maxPlayers: n }), n);
        assert.equal(oweDrahn.setup({ maxPlayers: n }, scriptedRng([])).maxPlayers, n);
      }
      for (const n of [1, 0, -2, 9, 2.5, 7.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.equal(oweDrahn.seats({ maxPlayers: n }), 8, `maxPlayers ${n}`);
        assert.equal(oweDrahn.setup({ maxPlayers: n }, scriptedRng([])).maxPlayers, 8, `maxPlayers ${n}`);
      }
      const none = undefined as unknown as OweDrahnConfig;
      assert.equal(oweDrahn.seats(none), DEFAULT_MAX_PLAYERS);
      assert.equal(oweDrahn.setup(none, scriptedRng([])).maxPlayers, DEFAULT_MAX_PLAYERS);
      assert.equal(oweDrahn.seats({} as OweDrahnConfig), DEFAULT_MAX_PLAYERS);
    });

    it("a room created with maxPlayers 1 still seats two (and up to eight)", () => {
      let s = oweDrahn.setup({ maxPlayers: 1 }, scriptedRng([]));
      for (const id of ["a", "b", "c", "d", "e", "f", "g", "h"]) s = run(s, id, { type: "join", name: id });
      assert.equal(s.players.length, 8);
      harness.refuse(s, "i", { type: "join", name: "I" }, "NOT_ALLOWED");
    });

    it("a join is refused with the reason: every seat is taken, or the game has started", () => {
      const full = lobby(["a", "b"], 2);
      assert.match(harness.refuse(full, "c", { type: "join", name: "C" }, "NOT_ALLOWED"), /Every seat is taken/);
      const playing = game(["a", "b"]);
      assert.match(harness.refuse(playing, "c", { type: "join", name: "C" }, "NOT_ALLOWED"), /The game has started/);
    });

    it("a join without a usable name is named after its seat: Player 1, Player 2, …", () => {
      let s = oweDrahn.setup({ maxPlayers: 8 }, scriptedRng([]));
      s = run(s, "a", { type: "join", name: "" });
      s = run(s, "b", { type: "join", name: "" });
      s = run(s, "c", { type: "join", name: 42 } as unknown as OweDrahnAction);
      s = run(s, "d", { type: "join" } as unknown as OweDrahnAction);
      s = run(s, "e", { type: "join", name: "Eve" });
      s = run(s, "f", { type: "join", name: "" });
      assert.deepEqual(
        s.players.map((p) => p.name),
        ["Player 1", "Player 2", "Player 3", "Player 4", "Eve", "Player 6"],
      );
    });

    it("a move whose payload names an unknown action type is refused, never thrown on", () => {
      const s = game(["a", "b"]);
      assert.equal(s.currentTurn, "a");
      const result = oweDrahn.moves.roll(s, "a", { type: "dance" } as never, scriptedRng([]));
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.code, "NOT_ALLOWED");
      assert.match(result.message, /Unknown action/);
    });
  });
});
