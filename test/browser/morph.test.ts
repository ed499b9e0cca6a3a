/**
 * The screen's patcher (client/src/morph.ts): every render builds the screen anew and
 * `morph` patches the page to it. Which nodes it keeps decides what a player notices: a
 * focused button replaced loses the keyboard's focus, a row rebuilt flickers or replays its
 * entrance. Run in a DOM in Node (linkedom).
 */
import assert from "node:assert/strict";
import { h } from "../../client/src/dom.js";
import { morph, morphContent } from "../../client/src/morph.js";
import { withDom } from "../helpers/dom.js";

/** A list of `keys` (each a keyed `li` holding its key as text, with a button). */
const list = (keys: string[]) => h("ul", {}, keys.map((k) => h("li", { data: { key: k } }, k, h("button", {}, `Join ${k}`))));
/** The `li` elements of `el`, by key. */
const rows = (el: Element) => new Map(Array.from(el.querySelectorAll("li")).map((li) => [li.getAttribute("data-key")!, li]));

/**
 * Patches `page` to `next` and checks it then reads as `next` did. Returns the children of
 * `page` that were taken out of it meanwhile, even for a moment (removed, replaced, or moved:
 * in a browser each loses the keyboard's focus inside it).
 */
function patch(page: Element, next: Element): Set<Node> {
  const wanted = next.outerHTML;
  const before = new Set(Array.from(page.childNodes));
  const out = new Set<Node>();
  type Spied = (this: Node, a: Node, b?: Node | null) => Node;
  const parent = page as unknown as Record<"insertBefore" | "replaceChild" | "removeChild", Spied>;
  const spies = { insertBefore: parent.insertBefore, replaceChild: parent.replaceChild, removeChild: parent.removeChild };
  parent.insertBefore = function (node: Node, ref?: Node | null) {
    if (before.has(node as ChildNode)) out.add(node);
    return spies.insertBefore.call(this, node, ref);
  };
  parent.replaceChild = function (node: Node, old?: Node | null) {
    if (old && before.has(old as ChildNode)) out.add(old);
    return spies.replaceChild.call(this, node, old);
  };
  parent.removeChild = function (node: Node) {
    if (before.has(node as ChildNode)) out.add(node);
    return spies.removeChild.call(this, node);
  };
  const removes = Array.from(before).map((child) => {
    const own = child as ChildNode & { remove: () => void };
    const remove = own.remove;
    own.remove = function () {
      out.add(child);
      remove.call(this);
    };
    return () => delete (own as { remove?: unknown }).remove;
  });
  try {
    morph(page, next);
  } finally {
    Object.assign(parent, spies);
    for (const undo of removes) undo();
  }
  assert.equal(page.outerHTML, wanted, "the page reads as the new render");
  return out;
}

/** Asserts none of `rows` (by key) was taken out of the page. */
function stayed(out: Set<Node>, rows: Map<string, Element>, keys: string[]) {
  for (const key of keys) assert.ok(!out.has(rows.get(key)!), `row ${key} stayed on the page`);
}

describe("The screen's patcher (morph)", () => {
  withDom();

  it("a row added on top of a keyed list is inserted: the rows below keep their elements", () => {
    const page = list(["b", "c", "d"]) as Element;
    const before = rows(page);
    const out = patch(page, list(["a", "b", "c", "d"]) as Element);
    const after = rows(page);
    for (const key of ["b", "c", "d"]) assert.equal(after.get(key), before.get(key), `row ${key} kept`);
    stayed(out, before, ["b", "c", "d"]);
    assert.ok(!Array.from(before.values()).includes(after.get("a")!), "the new row is new");
  });

  it("a row gone from the middle is removed, and one at the end added; the others kept", () => {
    const page = list(["a", "b", "c"]) as Element;
    const before = rows(page);
    const out = patch(page, list(["a", "c", "e"]) as Element);
    const after = rows(page);
    assert.equal(after.get("a"), before.get("a"));
    assert.equal(after.get("c"), before.get("c"));
    assert.equal(after.has("b"), false);
    stayed(out, before, ["a", "c"]);
    const shorter = rows(page);
    stayed(patch(page, list(["a"]) as Element), shorter, ["a"]);
    patch(page, h("ul", {}) as Element);
    assert.equal(page.childNodes.length, 0, "the last ones removed too");
  });

  it("keyed rows in a new order are moved, not rebuilt", () => {
    const page = list(["a", "b", "c", "d"]) as Element;
    const before = rows(page);
    const out = patch(page, list(["d", "a", "c", "b"]) as Element);
    const after = rows(page);
    for (const key of ["a", "b", "c", "d"]) assert.equal(after.get(key), before.get(key), `row ${key} kept`);
    // Two moves are enough (d up, and c or b): a never leaves the page.
    stayed(out, before, ["a"]);
    assert.ok(out.size <= 2, `${out.size} rows moved`);
  });

  it("a keyed part shifted by parts appearing above it keeps its element (and the focus inside it): the game's area under the invite", () => {
    const screen = (above: boolean) =>
      h(
        "main",
        {},
        h("header", {}, "TicTacToe"),
        above ? h("p", { class: "searching" }, "Searching…") : null,
        above ? h("div", { class: "invite" }, h("code", {}, "link")) : null,
        h("div", { class: "summary" }, "Game on"),
        h("div", { class: "game-area", data: { key: "area" } }, h("button", { testid: "cell-0" }, "X")),
      ) as Element;
    const page = screen(false);
    const area = page.querySelector(".game-area");
    const cell = page.querySelector("button");
    patch(page, screen(true));
    assert.equal(page.querySelector(".game-area"), area, "the area is the same element");
    assert.equal(page.querySelector("button"), cell, "so is the cell in it");
    patch(page, screen(false));
    assert.equal(page.querySelector(".game-area"), area, "and when the parts above go again");
  });

  it("a keyed part is not taken out of the page when unkeyed parts above it go (the focus in it would fall to the page), nor when parts appear", () => {
    const screen = (...above: string[]) =>
      h("main", {}, h("header", {}, "Dice"), above.map((text) => h("div", {}, text)), h("div", { class: "summary" }, "Game on"), h("div", { class: "game-area", data: { key: "area" } }, h("button", {}, "Roll"))) as Element;
    const page = screen("Searching…", "Invite");
    const area = page.querySelector(".game-area")!;
    const key = new Map([["area", area]]);
    stayed(patch(page, screen()), key, ["area"]);
    stayed(patch(page, screen("Invite")), key, ["area"]);
    stayed(patch(page, screen("Searching…", "Invite", "More")), key, ["area"]);
    stayed(patch(page, screen("Invite")), key, ["area"]);
    assert.equal(page.querySelector(".game-area"), area);
  });

  it("the game screen's shape: the summary (its live status line) and the area stay the same elements as 'Searching…' and the invite (keyed) come and go above them", () => {
    const screen = (searching: boolean, invite: boolean) =>
      h(
        "section",
        {},
        h("header", {}, "TicTacToe"),
        searching ? h("p", { class: "searching", data: { key: "searching" } }, "Searching…") : null,
        invite ? h("div", { class: "invite", data: { key: "invite" } }, h("code", {}, "link")) : null,
        h("div", { class: "summary" }, h("p", { class: "status" }, searching ? "Waiting" : "Game on")),
        h("div", { class: "game-area", data: { key: "game-area" } }, h("button", {}, "X")),
        h("details", {}, h("summary", {}, "How to play")),
      ) as Element;
    const page = screen(false, false);
    const kept = new Map([
      ["summary", page.querySelector(".summary")!],
      ["area", page.querySelector(".game-area")!],
      ["header", page.querySelector("header")!],
      ["rules", page.querySelector("details")!],
    ]);
    const all = ["summary", "area", "header", "rules"];
    for (const [searching, invite] of [[false, true], [true, true], [false, false], [true, false], [false, true], [false, false]] as const) {
      stayed(patch(page, screen(searching, invite)), kept, all);
      assert.equal(page.querySelector(".summary"), kept.get("summary"), `the summary kept (searching ${searching}, invite ${invite})`);
    }
  });

  it("a keyed child nothing takes any more is removed where it stands: the unkeyed part after it is patched, not rebuilt", () => {
    const screen = (invite: boolean) => h("main", {}, invite ? h("div", { class: "invite", data: { key: "invite" } }, "link") : null, h("div", { class: "summary" }, "Game on"), h("div", { data: { key: "area" } }, "board")) as Element;
    const page = screen(true);
    const kept = new Map([["summary", page.querySelector(".summary")!], ["area", page.querySelector("[data-key=area]")!]]);
    stayed(patch(page, screen(false)), kept, ["summary", "area"]);
    assert.equal(page.querySelector(".summary"), kept.get("summary"));
  });

  it("a text changes in place; morphContent leaves the target's own attributes, morph makes them the new render's", () => {
    const page = h("div", { class: "screen", attrs: { "aria-busy": "true" } }, "Ada's turn") as Element;
    const line = page.firstChild;
    morphContent(page, h("div", { class: "other" }, "Bob's turn") as Element);
    assert.equal(page.firstChild, line, "the same text node");
    assert.equal(page.textContent, "Bob's turn");
    assert.equal(page.getAttribute("class"), "screen");
    assert.equal(page.getAttribute("aria-busy"), "true");
    morph(page, h("div", { class: "other" }, "Bob's turn") as Element);
    assert.equal(page.getAttribute("class"), "other");
    assert.equal(page.hasAttribute("aria-busy"), false);
  });

  it("a keyed part appearing above children none of which is keyed (the first invite over a summary): they keep their elements", () => {
    const page = h("div", {}, h("p", { class: "status" }, "Your turn"), h("p", {}, "Total 12")) as Element;
    const [status, total] = Array.from(page.children);
    const out = patch(page, h("div", {}, h("div", { data: { key: "invite" } }, "Invite a friend"), h("p", { class: "status" }, "Your turn"), h("p", {}, "Total 12")) as Element);
    assert.deepEqual([...out], [], "nothing taken out of the page");
    assert.equal(page.children[1], status);
    assert.equal(page.children[2], total);
  });

  it("unkeyed children are patched in place by position, a child of another tag replaced", () => {
    const page = h("div", {}, h("p", { class: "a" }, "one"), h("span", {}, "two"), "text") as Element;
    const [p, span] = Array.from(page.children);
    patch(page, h("div", {}, h("p", { class: "b" }, "uno"), h("em", {}, "dos"), "texto") as Element);
    assert.equal(page.children[0], p, "the p is patched (class and text)");
    assert.notEqual(page.children[1], span, "the span became an em");
  });

  it("a keyed child whose key changed, or a child that lost its key, is replaced, not patched", () => {
    const page = list(["a", "b"]) as Element;
    const before = rows(page);
    patch(page, list(["x", "y"]) as Element);
    assert.ok(!Array.from(rows(page).values()).some((li) => Array.from(before.values()).includes(li)), "no row kept under another key");
    const keyedPage = h("div", {}, h("p", { data: { key: "k" } }, "keyed")) as Element;
    const keyedP = keyedPage.firstElementChild;
    patch(keyedPage, h("div", {}, h("p", {}, "plain")) as Element);
    assert.notEqual(keyedPage.firstElementChild, keyedP);
  });

  it("a keyed element that became another tag is replaced; keys among text nodes and unkeyed siblings", () => {
    const page = h("div", {}, "start", h("p", { data: { key: "k" } }, "p"), h("i", {}, "plain"), "end") as Element;
    patch(page, h("div", {}, h("b", {}, "new"), "start", h("section", { data: { key: "k" } }, "now a section"), "end") as Element);
    const again = h("div", {}, h("b", {}, "new"), "start", h("section", { data: { key: "k" } }, "now a section"), "end") as Element;
    const section = page.querySelector("section");
    patch(page, again);
    assert.equal(page.querySelector("section"), section, "the same key and tag: kept");
  });

  it("5,000 random renders over random pages (keyed and unkeyed children, duplicate keys, texts, three levels): each page then reads as its render", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const tags = ["p", "div", "span", "li"] as const;
    const children = (depth: number): (Node | string)[] =>
      Array.from({ length: random(6) }, () =>
        random(10) < 2
          ? `t${random(3)}`
          : h(tags[random(4)]!, { class: `c${random(3)}`, ...(random(2) === 0 ? { data: { key: `k${random(5)}` } } : {}) }, depth > 0 ? children(depth - 1) : `x${random(3)}`),
      );
    for (let i = 0; i < 5000; i++) patch(h("div", {}, children(2)) as Element, h("div", {}, children(2)) as Element);
  });
});
