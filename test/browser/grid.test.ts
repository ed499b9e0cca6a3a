/**
 * A board as one Tab stop, the arrow keys moving inside it (client/src/grid.ts): which cell
 * a key lands on, which cell Tab enters on, and that a render keeps it. Run in a DOM in Node
 * (linkedom); the keys themselves in Chromium (board-keys.test.ts).
 */
import assert from "node:assert/strict";
import { h } from "../../client/src/dom.js";
import { gridKeys, gridOf, moveInGrid, readStops, stopCell, usableStop, writeStops } from "../../client/src/grid.js";
import { withDom } from "../helpers/dom.js";

const all = (n: number) => Array<boolean>(n).fill(true);
/** `n` cells, usable but for those listed. */
const but = (n: number, ...unusable: number[]) => all(n).map((_, i) => !unusable.includes(i));

describe("Boards with the keyboard (client/src/grid.ts)", () => {
  describe("moveInGrid: where a key goes", () => {
    it("TicTacToe's 3 by 3: the arrows go to the cell beside, above or below", () => {
      const to = (key: string) => moveInGrid(4, key, 3, all(9));
      assert.deepEqual(["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp"].map(to), [5, 3, 7, 1]);
    });

    it("at an edge an arrow stays put: it never wraps to the next row or around the board", () => {
      assert.equal(moveInGrid(2, "ArrowRight", 3, all(9)), 2, "the end of the first row is not followed by the next row's start");
      assert.equal(moveInGrid(3, "ArrowLeft", 3, all(9)), 3);
      assert.equal(moveInGrid(1, "ArrowUp", 3, all(9)), 1);
      assert.equal(moveInGrid(7, "ArrowDown", 3, all(9)), 7);
      assert.equal(moveInGrid(8, "ArrowRight", 3, all(9)), 8);
      assert.equal(moveInGrid(0, "ArrowLeft", 3, all(9)), 0);
    });

    it("Home and End: the row's first and last cell; with Ctrl, the board's", () => {
      assert.equal(moveInGrid(5, "Home", 3, all(9)), 3);
      assert.equal(moveInGrid(3, "End", 3, all(9)), 5);
      assert.equal(moveInGrid(8, "Home", 3, all(9), true), 0);
      assert.equal(moveInGrid(0, "End", 3, all(9), true), 8);
      assert.equal(moveInGrid(4, "Home", 3, all(9), false), 3, "without Ctrl, the row");
    });

    it("cells that cannot be used are passed over (a full Connect Four column), in every direction", () => {
      const full3 = but(7, 3);
      assert.equal(moveInGrid(2, "ArrowRight", 7, full3), 4);
      assert.equal(moveInGrid(4, "ArrowLeft", 7, full3), 2);
      assert.equal(moveInGrid(1, "ArrowDown", 3, but(9, 4)), 7);
      assert.equal(moveInGrid(7, "ArrowUp", 3, but(9, 4)), 1);
      assert.equal(moveInGrid(6, "Home", 7, but(7, 0, 1)), 2, "Home: the row's first usable");
      assert.equal(moveInGrid(0, "End", 7, but(7, 6)), 5, "End: the row's last usable");
      assert.equal(moveInGrid(8, "Home", 3, but(9, 0, 1), true), 2, "Ctrl+Home: the board's first usable");
      assert.equal(moveInGrid(0, "End", 3, but(9, 8, 7), true), 6, "Ctrl+End: the board's last usable");
    });

    it("with nothing usable that way, the key stays put", () => {
      assert.equal(moveInGrid(2, "ArrowRight", 7, but(7, 3, 4, 5, 6)), 2);
      assert.equal(moveInGrid(4, "ArrowLeft", 7, but(7, 0, 1, 2, 3)), 4);
      assert.equal(moveInGrid(4, "ArrowDown", 3, but(9, 7)), 4);
      assert.equal(moveInGrid(1, "Home", 3, but(9, 0)), 1, "the row's first usable is the cell itself");
    });

    it("one row (Connect Four's columns, the dice, wrapped onto two lines on a phone): Up and Down go back and on along it", () => {
      assert.equal(moveInGrid(3, "ArrowUp", 7, all(7)), 2);
      assert.equal(moveInGrid(3, "ArrowDown", 7, all(7)), 4);
      assert.equal(moveInGrid(3, "ArrowDown", 7, but(7, 4)), 5, "passing over what cannot be used");
      assert.equal(moveInGrid(0, "ArrowUp", 7, all(7)), 0, "no wrap");
      assert.equal(moveInGrid(5, "ArrowDown", 6, all(5)), 5, "a row shorter than its width: still one row");
      assert.equal(moveInGrid(3, "ArrowRight", 7, all(7)), 4);
    });

    it("a last row shorter than the others ends where its cells end", () => {
      assert.equal(moveInGrid(6, "ArrowRight", 3, all(7)), 6);
      assert.equal(moveInGrid(6, "End", 3, all(7)), 6);
      assert.equal(moveInGrid(4, "ArrowDown", 3, all(7)), 4, "no cell below");
      assert.equal(moveInGrid(3, "ArrowDown", 3, all(7)), 6);
    });

    it("other keys are not the grid's (Enter and Space play the cell, Tab leaves the board)", () => {
      for (const key of ["Enter", " ", "Tab", "a", "PageDown"]) assert.equal(moveInGrid(4, key, 3, all(9)), undefined, key);
    });
  });

  describe("stopCell: the cell Tab enters the board on", () => {
    it("the cell last used, when it can be used", () => {
      assert.equal(stopCell(5, all(9)), 5);
      assert.equal(stopCell(0, all(9)), 0);
    });

    it("else the usable cell nearest it, the later of two as near (the column on the right of a full one)", () => {
      assert.equal(stopCell(3, but(7, 3)), 4);
      assert.equal(stopCell(3, but(7, 3, 4)), 2);
      assert.equal(stopCell(6, but(7, 6, 5)), 4);
      assert.equal(stopCell(0, but(7, 0, 1, 2)), 3);
    });

    it("a cell beyond the board (it has fewer cells now) is its last; before its first, its first", () => {
      assert.equal(stopCell(9, all(7)), 6);
      assert.equal(stopCell(-2, all(7)), 0);
    });

    it("with no usable cell (the board inert between games), the cell itself: the stop waits there", () => {
      assert.equal(stopCell(4, Array<boolean>(9).fill(false)), 4);
      assert.equal(stopCell(12, Array<boolean>(9).fill(false)), 8);
    });

    it("no cells: none", () => {
      assert.equal(stopCell(0, []), -1);
    });
  });

  describe("readStops and writeStops: a render keeps the stop", () => {
    withDom();

    /** A board of `n` cells (`data-grid-cols` 3), the listed ones disabled; `stop`: the cell with tabindex 0. */
    const grid = (testid: string, n: number, opts: { disabled?: number[]; stop?: number } = {}) =>
      h(
        "div",
        { testid, data: { "grid-cols": 3 } },
        Array.from({ length: n }, (_, i) =>
          h("button", { action: "move", testid: `${testid}-${i}`, attrs: { disabled: opts.disabled?.includes(i), tabindex: opts.stop === undefined ? undefined : i === opts.stop ? 0 : -1 } }),
        ),
        h("p", {}, "not a cell"),
      );
    const tabindexes = (el: Element) => Array.from(el.querySelectorAll("button")).map((b) => b.getAttribute("tabindex"));

    it("a board new to the page: its first usable cell is the stop, every other cell is skipped by Tab", () => {
      const screen = h("div", {}, grid("board", 4, { disabled: [0] }));
      writeStops(screen, new Map());
      assert.deepEqual(tabindexes(screen), ["-1", "0", "-1", "-1"]);
    });

    it("the stop on the page is read back and written into the next render, board by board", () => {
      const page = h("div", {}, grid("a", 9, { stop: 5 }), grid("b", 7, { stop: 2 }));
      const stops = readStops(page);
      assert.deepEqual([...stops], [["a", { at: 5, key: undefined }], ["b", { at: 2, key: undefined }]]);
      const next = h("div", {}, grid("a", 9), grid("b", 7, { disabled: [2] }));
      writeStops(next, stops);
      assert.deepEqual(tabindexes(next.firstElementChild!), ["-1", "-1", "-1", "-1", "-1", "0", "-1", "-1", "-1"]);
      assert.deepEqual(tabindexes(next.lastElementChild!), ["-1", "-1", "-1", "0", "-1", "-1", "-1"], "b's stop, now disabled, moved to the next usable cell");
    });

    it("the focused cell is the stop, whatever cell has tabindex 0 (a cell focused since the last render); the first cell too", () => {
      const page = h("div", {}, grid("board", 9, { stop: 5 }));
      const doc = (globalThis as unknown as { document: Document }).document;
      const focusOn = (el: Element | null) => Object.defineProperty(doc, "activeElement", { value: el, configurable: true });
      try {
        focusOn(page.querySelector("[data-testid=board-2]"));
        assert.deepEqual(readStops(page).get("board"), { at: 2, key: undefined });
        focusOn(page.querySelector("[data-testid=board-0]"));
        assert.deepEqual(readStops(page).get("board"), { at: 0, key: undefined });
        focusOn(null);
        assert.deepEqual(readStops(page).get("board"), { at: 5, key: undefined }, "no focus: the cell with tabindex 0");
      } finally {
        delete (doc as unknown as Record<string, unknown>).activeElement;
      }
      assert.deepEqual(readStops(h("div", {}, grid("board", 9, { stop: 0 }))).get("board"), { at: 0, key: undefined }, "a stop on the first cell is a stop");
    });

    it("a keyed stop is found by its key where it stands now, and by its place once its key is gone", () => {
      const keyed = (keys: string[], stop?: string) =>
        h("div", {}, h("div", { testid: "pick", data: { "grid-cols": keys.length } }, keys.map((k) => h("button", { action: "choose", data: { key: k }, attrs: { tabindex: stop === undefined ? undefined : k === stop ? 0 : -1 } }, k))));
      const stops = readStops(keyed(["a", "b", "c", "d"], "c"));
      assert.deepEqual(stops.get("pick"), { at: 2, key: "c" });
      const moved = keyed(["a", "c", "d"]);
      writeStops(moved, stops);
      assert.deepEqual(tabindexes(moved), ["-1", "0", "-1"], "c, one place earlier");
      const first = keyed(["c", "d"]);
      writeStops(first, stops);
      assert.deepEqual(tabindexes(first), ["0", "-1"], "c, now the first");
      const gone = keyed(["a", "b", "d", "e"]);
      writeStops(gone, stops);
      assert.deepEqual(tabindexes(gone), ["-1", "-1", "0", "-1"], "c gone: the cell now in its place");
    });

    it("a page whose board has no stop yet gives none; what is not a cell is left alone", () => {
      const page = h("div", {}, grid("board", 9));
      assert.equal(readStops(page).size, 0);
      const next = h("div", {}, grid("board", 9));
      writeStops(next, readStops(page));
      assert.equal(next.querySelector("p")!.hasAttribute("tabindex"), false);
      assert.equal(tabindexes(next).indexOf("0"), 0);
    });

    it("gridOf names the board a cell is in; usableStop finds its Tab stop, if it can be used", () => {
      const page = h("div", {}, grid("board", 4, { stop: 2, disabled: [3] }), h("button", { action: "leave" }));
      const cells = Array.from(page.querySelectorAll("[data-testid^=board-]"));
      assert.equal(gridOf(cells[1]!), "board");
      assert.equal(gridOf(page.querySelector("[data-action=leave]")!), undefined, "a button in no board");
      assert.equal(gridOf(page.querySelector("p")!), undefined, "a board's child that is no cell");
      assert.equal(usableStop(page, "board"), cells[2]);
      assert.equal(usableStop(page, "other"), undefined);
      assert.equal(usableStop(page, undefined), undefined);
      cells[2]!.setAttribute("disabled", "");
      assert.equal(usableStop(page, "board"), undefined, "a disabled stop is not one to go to");
    });

    describe("gridKeys: the keys on the page", () => {
      /** A 3 by 3 board on a screen with `gridKeys`, its cells' focus() recorded. */
      function screen(disabled: number[] = []) {
        const root = h("div", {}, grid("board", 9, { stop: 4, disabled }), h("button", { action: "leave", testid: "leave" }));
        gridKeys(root);
        const focused: string[] = [];
        for (const b of Array.from(root.querySelectorAll("button"))) b.focus = () => focused.push(b.getAttribute("data-testid")!);
        /** Presses `key` on element `testid`: whether the page took it. */
        const press = (testid: string, key: string, mods: Partial<Record<"ctrlKey" | "shiftKey" | "altKey" | "metaKey", boolean>> = {}) => {
          const event = new (globalThis as unknown as { document: Document }).document.defaultView!.Event("keydown", { bubbles: true, cancelable: true }) as KeyboardEvent;
          Object.assign(event, { key, ctrlKey: false, shiftKey: false, altKey: false, metaKey: false, ...mods });
          root.querySelector(`[data-testid=${testid}]`)!.dispatchEvent(event);
          return event.defaultPrevented;
        };
        return { root, focused, press, stops: () => tabindexes(root.firstElementChild!) };
      }

      it("an arrow moves the focus and the Tab stop to the cell it lands on, and is taken (the page does not scroll)", () => {
        const { focused, press, stops } = screen();
        assert.equal(press("board-4", "ArrowRight"), true);
        assert.deepEqual(focused, ["board-5"]);
        assert.deepEqual(stops(), ["-1", "-1", "-1", "-1", "-1", "0", "-1", "-1", "-1"]);
        assert.equal(press("board-5", "Home", { ctrlKey: true }), true);
        assert.deepEqual(focused, ["board-5", "board-0"], "Ctrl+Home: the board's first cell");
      });

      it("at an edge the key is taken but nothing moves", () => {
        const { focused, press, stops } = screen();
        press("board-4", "ArrowRight");
        assert.equal(press("board-5", "ArrowRight"), true);
        assert.deepEqual(focused, ["board-5"], "no second focus");
        assert.equal(stops().indexOf("0"), 5);
      });

      it("cells that cannot be used are passed over", () => {
        const { focused, press, stops } = screen([4]);
        press("board-3", "ArrowRight");
        assert.deepEqual(focused, ["board-5"], "over the disabled centre");
        assert.equal(stops().indexOf("0"), 5);
        const other = screen([5]);
        other.press("board-4", "ArrowRight");
        assert.deepEqual(other.focused, [], "nothing usable on the right: no move");
      });

      it("with Shift, Alt or Meta, or a key that is not the grid's, or outside a board, nothing happens", () => {
        const { focused, press, stops } = screen();
        assert.equal(press("board-4", "ArrowRight", { shiftKey: true }), false);
        assert.equal(press("board-4", "ArrowRight", { altKey: true }), false);
        assert.equal(press("board-4", "ArrowRight", { metaKey: true }), false);
        assert.equal(press("board-4", "Enter"), false, "Enter plays the cell (the button's own click)");
        assert.equal(press("board-4", " "), false);
        assert.equal(press("leave", "ArrowRight"), false, "a button in no board");
        assert.deepEqual(focused, []);
        assert.equal(stops().indexOf("0"), 4);
      });

      it("a cell that takes the focus otherwise (a click) becomes the Tab stop at once; focus elsewhere changes nothing", () => {
        const { root, stops } = screen();
        const focusin = (testid: string) => root.querySelector(`[data-testid=${testid}]`)!.dispatchEvent(new (globalThis as unknown as { document: Document }).document.defaultView!.Event("focusin", { bubbles: true }));
        focusin("board-7");
        assert.equal(stops().indexOf("0"), 7);
        focusin("leave");
        assert.equal(stops().indexOf("0"), 7);
      });

      it("a board's width comes from its attribute: 3 to a row, ArrowDown goes three cells on", () => {
        const { focused, press } = screen();
        press("board-1", "ArrowDown");
        assert.deepEqual(focused, ["board-4"]);
      });
    });
  });
});
