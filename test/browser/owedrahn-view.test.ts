/**
 * Owe Drahn's screen (client/src/games/owedrahn.ts) in Node. "Who plays next?", rendered (linkedom)
 * and patched as the game screen patches it (client/src/morph.ts): a player who goes out
 * while another chooses takes only their own button away. Until 2026-12-07 the buttons were
 * patched by place: the last one was removed, and each from the leaver's on took the next
 * player's name, so a keyboard's focus on Cyd's button was on Dee's (Enter then chose Dee).
 * And its status line, which the large Total box says again while a game runs.
 */
import assert from "node:assert/strict";
import { h } from "../../client/src/dom.js";
import { readStops, writeStops } from "../../client/src/grid.js";
import { morphContent } from "../../client/src/morph.js";
import { withDom } from "../helpers/dom.js";
import { clientViews } from "../helpers/views.js";

const player = (id: string, name: string, life: number, choosing = false) => ({ id, name, life, ready: true, choosing, score: 0, left: false });

describe("Owe Drahn's 'Who plays next?'", () => {
  withDom();

  /** Ada's screen, and the view's state for `players` while Ada chooses. */
  function adaChoosing() {
    const entry = clientViews().find((v) => v.protocol.name === "owedrahn")!;
    const room = { sessionId: "ada", onMessage: () => () => undefined };
    const recent: Array<{ kind: string; who?: string; data?: Record<string, unknown> }> = [];
    const view = entry.screen({ room, send: () => undefined, log: () => undefined, rerender: () => undefined, recentHistory: () => recent } as never);
    const state = (players: ReturnType<typeof player>[]) => entry.replay!.state({ players, currentValue: 0, currentTurn: "ada", phase: "playing", lastRoll: 4, maxPlayers: 8, turn: 3, ending: null } as never);
    const page = h("div");
    /** Renders `players` and patches the page to it, as the game screen does (Tab stops kept). */
    const show = (players: ReturnType<typeof player>[]) => {
      const next = h("div", {}, view.render(state(players) as never));
      writeStops(next, readStops(page));
      morphContent(page, next);
    };
    const buttons = () => Array.from(page.querySelectorAll<HTMLElement>("[data-testid=choose-next] button"));
    return { page, show, buttons, view, state, recent };
  }

  it("a player who goes out takes only their own button away: the others' buttons stay, each on its player", () => {
    const { show, buttons } = adaChoosing();
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 6), player("cyd", "Cyd", 6), player("dee", "Dee", 6)]);
    assert.deepEqual(buttons().map((b) => b.textContent), ["Ada (you)", "Bob", "Cyd", "Dee"]);
    const [ada, , cyd, dee] = buttons();
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 0), player("cyd", "Cyd", 6), player("dee", "Dee", 6)]);
    assert.deepEqual(buttons().map((b) => b.textContent), ["Ada (you)", "Cyd", "Dee"], "Bob, out, is no choice");
    assert.deepEqual(buttons(), [ada, cyd, dee], "Cyd's and Dee's buttons are the ones they had: a focus on either stays");
    assert.deepEqual(buttons().map((b) => b.getAttribute("data-id")), ["ada", "cyd", "dee"]);
  });

  it("a player who goes out while Ada chooses is said in the note under the total, a polite live region, so a screen reader hears why a focus on their button moved on", () => {
    const { page, show, recent } = adaChoosing();
    recent.push({ kind: "oweDrahn", who: "Ada" });
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 6), player("cyd", "Cyd", 6), player("dee", "Dee", 6)]);
    const note = () => page.querySelector("[data-testid=reset-note]")!;
    assert.equal(note().getAttribute("role"), "status");
    const before = note();
    recent.push({ kind: "left", who: "Cyd", data: { dropped: false, reset: false } });
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 6), player("cyd", "Cyd", 0), player("dee", "Dee", 6)]);
    assert.equal(note(), before, "the same live region, patched (a new one might not be read)");
    assert.equal(note().textContent, "You said “owe drahn”: one life less, the total is back to 0. Cyd left the game: out.");
  });

  it("the choices are one Tab stop: the first at first, then the one last used, which stays on its player when another goes out", () => {
    const { page, show, buttons } = adaChoosing();
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 6), player("cyd", "Cyd", 6), player("dee", "Dee", 6)]);
    assert.equal(page.querySelector("[data-testid=choose-next]")!.getAttribute("data-grid-cols"), "4", "the arrow keys go along the four choices");
    assert.deepEqual(buttons().map((b) => b.getAttribute("tabindex")), ["0", "-1", "-1", "-1"]);
    // The arrow keys made Cyd's button the stop (client/src/grid.ts writes it on the page).
    buttons().forEach((b, i) => b.setAttribute("tabindex", i === 2 ? "0" : "-1"));
    show([player("ada", "Ada", 5, true), player("bob", "Bob", 0), player("cyd", "Cyd", 6), player("dee", "Dee", 6)]);
    assert.deepEqual(
      buttons().map((b) => [b.textContent, b.getAttribute("tabindex")]),
      [
        ["Ada (you)", "-1"],
        ["Cyd", "0"],
        ["Dee", "-1"],
      ],
      "the stop is still on Cyd's button, one place earlier now (not on Dee's, now where Cyd's was)",
    );
  });

  it("a finished game's table says why its total reads 0: the bust that ended it, without \"starts again\", and the winner line below it says who won (until 2026-12-07 it said \"Total 0\" and nothing more)", () => {
    const { page, view, state, recent } = adaChoosing();
    recent.push({ kind: "start", data: { first: "Ada" } }, { kind: "roll", who: "Ada", data: { die: 5, total: 12 } }, { kind: "roll", who: "Bob", data: { die: 6, total: 18 } });
    const players = [player("ada", "Ada", 5), player("bob", "Bob", 0)];
    const show = (phase: string) => morphContent(page, h("div", {}, view.render({ ...(state(players) as object), phase, currentTurn: phase === "over" ? "" : "ada" } as never)));
    const note = () => page.querySelector("[data-testid=reset-note]")?.textContent;
    show("playing");
    assert.equal(note(), "Bob rolled 6: total 18 — over 15, they are out! The total starts again at 0.");
    recent.push({ kind: "end", data: { reason: "won", name: "", winner: "Ada" } });
    show("over");
    assert.equal(page.querySelector("[data-testid=total]")?.textContent, "0");
    assert.equal(note(), "Bob rolled 6: total 18 — over 15, they are out!");
    assert.equal(page.querySelector("[data-testid=winner]")?.textContent, "You win!", "once, below");
    show("lobby");
    assert.equal(note(), undefined, "the ready check for the next game: nothing to explain");
  });

  it("on the player's turn, the hint under Roll says why 'Owe drahn' is off (a total under 10, the last life), where its tooltip alone did not reach a keyboard or a screen reader", () => {
    const entry = clientViews().find((v) => v.protocol.name === "owedrahn")!;
    const view = entry.screen({ room: { sessionId: "ada", onMessage: () => () => undefined }, send: () => undefined, log: () => undefined, rerender: () => undefined, recentHistory: () => [] } as never);
    const hint = (adaLife: number, total: number) => {
      const state = entry.replay!.state({ players: [player("ada", "Ada", adaLife), player("bob", "Bob", 6)], currentValue: total, currentTurn: "ada", phase: "playing", lastRoll: 4, maxPlayers: 8, turn: 3, ending: null } as never);
      const page = h("div", {}, view.render(state as never));
      const button = page.querySelector<HTMLButtonElement>("[data-testid=btn-lose-life]")!;
      return { text: page.querySelector(".hint")?.textContent ?? "", off: button.disabled };
    };
    assert.deepEqual(hint(5, 4), { text: "Roll. Once the total is 10 or more, you may instead give up a life (owe drahn) to reset it to 0 and choose who plays next.", off: true });
    assert.deepEqual(hint(1, 12), { text: "Roll: this is your last life, so you cannot give it up.", off: true });
    assert.deepEqual(hint(5, 12), { text: "Roll, or give up a life (owe drahn) to reset the total to 0 and choose who plays next.", off: false });
  });

  it("the status line says the running total while a game runs, marked as one the Total box shows again (on a phone, for screen readers only); in the ready stage it is the only place that says who is ready", () => {
    const { view, state } = adaChoosing();
    const players = [player("ada", "Ada", 5), player("bob", "Bob", 6)];
    const playing = view.summary(state(players) as never);
    assert.equal(playing.status, "Running total: 0. Above 15 you are out.");
    assert.equal(playing.statusShownBelow, true);
    // A player out (no lives) is not at risk: the rule is said of the roller.
    const out = view.summary(state([player("ada", "Ada", 0), player("bob", "Bob", 6), player("cyd", "Cyd", 4)]) as never);
    assert.equal(out.status, "Running total: 0. Above 15 the roller is out.");
    const lobby = view.summary({ ...(state(players) as object), phase: "lobby", currentTurn: "" } as never);
    assert.match(String(lobby.status), /^Waiting until everyone is ready/);
    assert.notEqual(lobby.statusShownBelow, true, "nothing else says it: shown on a phone too");
  });
});
