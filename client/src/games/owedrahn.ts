import "./owedrahn.css";
import { oweDrahnProtocol, type OweDrahnEvents } from "../../../src/protocol/games/owedrahn.js";
import type { OweDrahnPlayer, OweDrahnState } from "../../../src/schema/OweDrahnState.js";
import { dieFace, dieWord } from "../die.js";
import { asName, h, rich, type Text } from "../dom.js";
import { gridData } from "../grid.js";
import { endLine, forfeitLine } from "../ending.js";
import type { HistoryEntry } from "../../../src/protocol/messages.js";
import { LOSE_LIFE_MIN_TOTAL, oweDrahn, outOfRunningGame, type OweDrahnState as OweDrahnRulesState } from "../../../src/rules/owe-drahn.js";
import { defineView, resultClass, ruleList, possessive, type GameView, type Summary, type ViewContext, awayBadge, winnerBadge, commonStepLine, endedHere, replayCommon, type ReplayView } from "../view.js";

/** Lives a player starts a game with (games.md: "Each player has 6 lives"); only the hearts' outline count. */
const START_LIVES = 6;
/** Above this total the roller is out (games.md); shown as the limit of the meter. */
const LIMIT = 15;
/** How long the last-roll die carries its tumble class after a roll (the animation's length). */
const ROLL_ANIMATION_MS = 450;
/**
 * A second press of "I'm ready" this soon after the first is a double click, not a change of
 * mind: it is not sent (it would undo the first once the state showed it; the client's guard
 * against repeats only catches the same message again).
 */
const READY_DOUBLE_CLICK_MS = 500;

/**
 * The history entries that say why a game's total is 0, oldest first: the roll over the
 * limit (`bust`), the "owe drahn" or the leave of the player on turn that set it to 0, then
 * what came after it that changes no total (the choice of who plays next, the leaves of
 * players not on turn), at most two such. The game's end, which that 0 may have brought, is
 * passed over and not returned: the view says it on a line of its own. Undefined when the
 * newest entries say nothing of it (an ordinary roll, a game's start, or more than two
 * entries since).
 */
export function zeroReason(recent: readonly HistoryEntry[]): { entries: HistoryEntry[]; bust: boolean } | undefined {
  const since: HistoryEntry[] = [];
  for (let i = recent.length - 1; i >= 0 && since.length <= 2; i--) {
    const entry = recent[i]!;
    if (entry.kind === "end") continue;
    if (entry.kind === "roll") return Number(entry.data?.total) > LIMIT ? { entries: [entry, ...since], bust: true } : undefined;
    if (entry.kind === "oweDrahn" || (entry.kind === "left" && entry.data?.reset === true)) return { entries: [entry, ...since], bust: false };
    if (entry.kind !== "next" && entry.kind !== "left") return undefined;
    since.unshift(entry);
  }
  return undefined;
}

class OweDrahnView implements GameView<OweDrahnState> {
  private readonly send;
  private lastWinner?: { id: string; name: Text };
  /** When the last `rolled` event came: the die tumbles for a moment. */
  private rolledAt = 0;
  /** When "I'm ready" (or "click to wait") was last pressed. */
  private readyPressedAt = -Infinity;

  constructor(private readonly ctx: ViewContext<typeof oweDrahnProtocol>) {
    this.send = ctx.send;
    // The log lines of rolls, choices and endings come with the room's history (historyLine).
    ctx.room.onMessage("rolled", () => {
      this.rolledAt = Date.now();
      ctx.rerender();
    });
    ctx.room.onMessage("gameOver", (payload: OweDrahnEvents["gameOver"]) => {
      const id = typeof payload?.winnerId === "string" ? payload.winnerId : "";
      this.lastWinner = { id, name: this.nameOf(id) };
      ctx.rerender();
    });
  }

  private get me() {
    return this.ctx.room.sessionId;
  }

  historyLine(entry: HistoryEntry, state: OweDrahnState | undefined): Text | undefined {
    const myName = state?.players?.find((p) => p.id === this.me)?.name ?? "";
    const mine = myName !== "" && entry.who === myName;
    const who: Text = mine ? "You" : asName(entry.who ?? "");
    const data = entry.data ?? {};
    switch (entry.kind) {
      case "roll": {
        const die = Number(data.die);
        const total = Number(data.total);
        const counts = die === 3 ? " (a 3 counts 0)" : "";
        const out = total > LIMIT ? ` — over ${LIMIT}, ${mine ? "you are" : "they are"} out!` : "";
        if (data.timeout === true) return [mine ? "Your time ran out" : ["Time ran out for ", who], `: the server rolled ${die} for ${mine ? "you" : "them"}${counts}. Total ${total}${out}`];
        return [who, ` rolled ${die}${counts}: total ${total}${out}`];
      }
      case "oweDrahn":
        return [who, " said “owe drahn”: one life less, the total is back to 0."];
      case "left":
        return outOfTheGame(who, data.dropped === true, data.reset === true, mine);
      case "next": {
        const nextName = String(data.next ?? "");
        const nextMine = myName !== "" && nextName === myName;
        if (data.timeout === true) return [mine ? "Your time ran out" : ["Time ran out for ", who], " while choosing: ", nextMine ? "you play next." : [asName(nextName), " plays next."]];
        const next: Text = nextName === entry.who ? (mine ? "yourself" : "themselves") : nextMine ? "you" : asName(nextName);
        return [who, " chose ", next, " to play next."];
      }
      case "end":
        return data.reason === "won" ? (myName !== "" && data.winner === myName ? "You won the game!" : [asName(String(data.winner ?? "")), " won the game."]) : endLine(data, myName);
      default:
        return undefined;
    }
  }

  /**
   * Why the running total is 0 during a game, when the last thing that happened set it so: a
   * roll over the limit (the roller is out), "owe drahn" (and the choice of who plays next
   * after it), or a player on turn who left. Shown under the total, where a player looks: a
   * 12 that turned into 0 read like a bug while the reason was in the log, below the fold on
   * a phone (play-test, 2026-12-06). And when a game ends on it: until 2026-12-07 the table
   * of a finished game said "Total 0" with no word of the bust that ended it.
   */
  private whyZero(state: OweDrahnState): Text | undefined {
    if ((state.phase !== "playing" && state.phase !== "over") || state.currentValue !== 0) return undefined;
    const reason = zeroReason(this.ctx.recentHistory?.() ?? []);
    if (!reason) return undefined;
    // The game's end is said just below (the winner line): zeroReason leaves it out.
    const [cause, ...since] = reason.entries.map((entry) => this.historyLine(entry, state) ?? "");
    // A game that ended there starts nothing again: the next game starts at 0 anyway.
    return [cause!, ...(reason.bust && state.phase === "playing" ? [" The total starts again at 0."] : []), ...since.flatMap((line) => [" ", line])];
  }

  /** The player's name (isolated when rendered), or "A player" for one not in the state. */
  private nameOf(id: string): Text {
    const state = this.ctx.room.state as OweDrahnState | undefined;
    const player = state?.players?.find((p) => p.id === id);
    return player ? asName(player.name) : "A player";
  }

  ready(state: OweDrahnState | undefined): state is OweDrahnState {
    return !!state && !!state.players;
  }

  /** The winner during the game-over pause: the event's, else the one player left alive. */
  private winner(state: OweDrahnState): { id: string; name: Text } | undefined {
    if (this.lastWinner) return this.lastWinner;
    const alive = state.players.filter((p) => p.life > 0);
    return alive.length === 1 ? { id: alive[0]!.id, name: asName(alive[0]!.name) } : undefined;
  }

  summary(state: OweDrahnState): Summary {
    const mine = state.players.find((p) => p.id === this.me);
    const base = {
      deadline: state.turnDeadline,
      role: mine ? "playing" : "watching",
      waiting: state.phase === "lobby",
      // Two players or more are a game: a quick match stops saying it searches (until
      // 2026-12-06 "Searching for an opponent…" stayed above "0 of 2 ready").
      seeking: state.phase === "lobby" && state.players.length < 2,
      running: !!mine && state.phase === "playing" && mine.life > 0,
      myTurn: false,
    };
    switch (state.phase) {
      case "lobby": {
        const n = state.players.length;
        const ready = state.players.filter((p) => p.ready).length;
        const need = n < 2 ? " — at least 2 players are needed" : "";
        return { ...base, status: `Waiting until everyone is ready: ${ready} of ${n} ready${need}.`, turn: "" };
      }
      case "playing": {
        const current = state.players.find((p) => p.id === state.currentTurn);
        const choosing = current?.choosing ? " — choosing who plays next" : "";
        const myTurn = current?.id === this.me;
        const turn: Text = !current ? "" : myTurn ? `Your turn${choosing}` : [possessive(current.name), ` turn${choosing}`];
        // The Total box says it in large: on a phone this line is for screen readers only (until 2026-12-07 it took a line above the box).
        // "you" for a player still in; one out, or watching, is not at risk (until 2026-12-07 they too were told "you are out").
        const risk = mine && mine.life > 0 ? "you are out" : "the roller is out";
        return { ...base, status: `Running total: ${state.currentValue}. Above ${LIMIT} ${risk}.`, statusShownBelow: true, turn, myTurn };
      }
      default: {
        // Everyone else is gone (left, or did not come back): nobody to be ready with (the ready
        // check needs two). (A player gone is kept for their score: not connected, with no window to come back.)
        const stays = (p: OweDrahnPlayer) => p.connected || p.awayUntil > 0;
        const staying = state.players.filter(stays).length;
        if (staying < 2) {
          const status = mine && stays(mine) ? "Game over, and everyone else is gone. Invite someone with the link (the next game starts once two players are ready), or go back to the lobby." : "Game over. The room waits for players for the next game.";
          return { ...base, over: true, status, turn: "" };
        }
        return { ...base, over: true, status: mine ? "Game over. In a moment the room goes back to the ready check: press “I'm ready” to play again." : "Game over. In a moment the room goes back to the ready check for the next game.", turn: "" };
      }
    }
  }

  private hearts(p: OweDrahnPlayer, index: number): HTMLElement {
    const lost = Math.max(0, START_LIVES - p.life);
    return h(
      "span",
      { class: "hearts", testid: `lives-${index}`, data: { lives: p.life }, attrs: { role: "img", "aria-label": `${p.life} ${p.life === 1 ? "life" : "lives"} left` } },
      h("span", { class: "heart-full" }, "♥".repeat(p.life)),
      h("span", { class: "heart-empty" }, "♡".repeat(lost)),
    );
  }

  render(state: OweDrahnState): Node {
    const mine = state.players.find((p) => p.id === this.me);
    const playing = state.phase === "playing";
    const myTurn = playing && state.currentTurn === this.me;
    if (state.phase === "playing") this.lastWinner = undefined;
    const w = this.winner(state);

    const list = h(
      "ul",
      { class: "players od-players", testid: "players", attrs: { "aria-label": "Players in seat order" } },
      state.players.map((p, i) => {
        const out = state.phase !== "lobby" && p.life === 0;
        return h(
          "li",
          {
            class: `player${state.currentTurn === p.id ? " on-turn" : ""}${out ? " out" : ""}${p.connected ? "" : " away"}`,
            testid: `player-${i}`,
            data: { id: p.id },
          },
          h("bdi", { class: "player-name" }, p.name),
          p.id === this.me ? h("span", { class: "badge you" }, "you") : null,
          state.currentTurn === p.id ? h("span", { class: "badge turn" }, p.choosing ? "choosing" : "to play") : null,
          state.phase === "lobby" ? h("span", { class: `badge ${p.ready ? "ready" : "not-ready"}` }, p.ready ? "ready ✓" : "not ready") : null,
          out ? h("span", { class: "badge out", testid: `out-${i}` }, "out") : null,
          winnerBadge(state.phase === "over" && w?.id === p.id),
          // Not connected with no window to come back: gone for good, by Leave or a window that ran out (the state keeps them for their score).
          !p.connected && !(p.awayUntil > 0) ? h("span", { class: "badge away", testid: `left-${i}` }, "gone") : awayBadge(p),
          h("span", { class: "player-stats" }, this.hearts(p, i), h("span", { class: "score", testid: `score-${i}`, attrs: { title: "Score across games in this room" } }, `score ${p.score > 0 ? "+" : ""}${p.score}`)),
        );
      }),
    );

    const reset = this.whyZero(state);
    const fill = Math.min(100, (state.currentValue / LIMIT) * 100);
    const tableArea = h(
      "section",
      { class: "od-table", attrs: { "aria-label": "Table" } },
      h(
        "div",
        { class: "total-box" },
        h("span", { class: "label" }, "Total"),
        h("span", { class: `total${state.currentValue >= 10 ? " hot" : ""}`, testid: "total" }, String(state.currentValue)),
        h("span", { class: "meter", attrs: { "aria-hidden": "true" } }, h("span", { class: "meter-fill", attrs: { style: `width: ${fill.toFixed(1)}%` } })),
        h("span", { class: "muted" }, `out above ${LIMIT}`),
      ),
      h(
        "div",
        { class: "last-roll" },
        h("span", { class: "label" }, "Last roll"),
        dieFace(state.lastRoll, { testid: "last-roll", class: Date.now() - this.rolledAt < ROLL_ANIMATION_MS ? "just-rolled" : "", attrs: { "aria-label": state.lastRoll ? `Last roll: ${dieWord(state.lastRoll)}${state.lastRoll === 3 ? " (counts 0)" : ""}` : "No roll yet" } }, "large"),
        state.lastRoll === 3 ? h("span", { class: "muted" }, "counts 0") : null,
      ),
      reset ? h("p", { class: "od-reset", testid: "reset-note", attrs: { role: "status" } }, rich(reset)) : null,
    );

    const controls: Node[] = [];
    if (state.phase === "lobby" && mine) {
      controls.push(
        h(
          "button",
          { class: mine.ready ? "" : "primary", testid: "btn-ready", action: "ready", attrs: { type: "button", "aria-pressed": mine.ready ? "true" : "false" } },
          mine.ready ? "Ready ✓ (click to wait)" : "I'm ready",
        ),
      );
    }
    let picker: Node | null = null;
    if (myTurn && mine && !mine.choosing) {
      controls.push(
        h("button", { class: "primary", testid: "btn-roll", action: "roll", attrs: { type: "button" } }, "Roll"),
        h(
          "button",
          {
            testid: "btn-lose-life",
            action: "lose_life",
            attrs: {
              type: "button",
              // Offered only when allowed: a total of 10 or more and a life to spare.
              disabled: state.currentValue < LOSE_LIFE_MIN_TOTAL || mine.life <= 1,
              title: mine.life <= 1 ? "You cannot give up your last life." : state.currentValue < LOSE_LIFE_MIN_TOTAL ? `Possible once the total is ${LOSE_LIFE_MIN_TOTAL} or more.` : undefined,
            },
          },
          "Owe drahn (lose a life)",
        ),
      );
    }
    if (myTurn && mine?.choosing) {
      const choices = state.players.filter((p) => p.life > 0);
      // One Tab stop, the arrow keys between the players (client/src/grid.ts); each button keyed
      // by its player, so one who goes out meanwhile takes only their own button away, and a
      // focused choice stays on its player (patched by place, each button from the leaver's on
      // took the next player's name: a focus on Cyd's was on Dee's, which Enter then chose).
      picker = h(
        "fieldset",
        { class: "picker", testid: "choose-next", data: gridData(choices.length) },
        h("legend", {}, "You lost a life. Who plays next?"),
        choices.map((p) =>
          h(
            "button",
            { testid: `choose-${state.players.indexOf(p)}`, action: "choose", data: { id: p.id, key: p.id }, attrs: { type: "button" } },
            h("bdi", { class: "name" }, p.name),
            p.id === this.me ? " (you)" : null,
          ),
        ),
      );
    }

    let note: Node | null = null;
    if (state.phase === "over" && w) {
      const forfeit = forfeitLine(state.endReason, state.endName, state.players.find((p) => p.id === w.id)?.name ?? "", mine?.name ?? "");
      note = h("p", { class: resultClass(w.id, this.me, !!mine), testid: "winner", attrs: { role: "status" } }, rich(forfeit ?? (w.id === this.me ? "You win!" : [w.name, " wins!"])));
    } else if (state.phase === "lobby" && this.lastWinner) {
      note = h("p", { class: "last-winner", testid: "last-winner" }, rich(["Last game: ", this.lastWinner.id === this.me ? "you" : this.lastWinner.name, " won."]));
    }

    let hint = "";
    // Why "Owe drahn" is off, where everyone reads it (until 2026-12-07 only in the disabled
    // button's tooltip, which neither a keyboard nor a screen reader reaches: play-test).
    if (myTurn && mine && !mine.choosing) {
      hint =
        mine.life <= 1
          ? "Roll: this is your last life, so you cannot give it up."
          : state.currentValue < LOSE_LIFE_MIN_TOTAL
            ? `Roll. Once the total is ${LOSE_LIFE_MIN_TOTAL} or more, you may instead give up a life (owe drahn) to reset it to 0 and choose who plays next.`
            : "Roll, or give up a life (owe drahn) to reset the total to 0 and choose who plays next.";
    }
    else if (playing && mine && mine.life === 0) hint = "You are out of this game. Watch the rest; the next game starts soon.";

    // The decision beside what it depends on: the controls right under the total, the players
    // after them. On a phone, up to eight players above the controls pushed the total and the
    // shell's "Your turn" and countdown off the top when the page scrolled to Roll.
    return h(
      "div",
      { class: "od-game" },
      tableArea,
      note,
      picker,
      controls.length ? h("div", { class: "controls" }, controls) : null,
      hint ? h("p", { class: "hint" }, hint) : null,
      list,
    );
  }

  action(name: string, el: HTMLElement, state: OweDrahnState): void {
    switch (name) {
      case "ready": {
        const now = Date.now();
        if (now - this.readyPressedAt < READY_DOUBLE_CLICK_MS) break;
        this.readyPressedAt = now;
        const mine = state.players.find((p) => p.id === this.me);
        this.send("ready", { ready: !mine?.ready });
        break;
      }
      case "roll":
        this.send("roll", undefined);
        break;
      case "lose_life":
        this.send("lose_life", undefined);
        break;
      case "choose":
        this.send("choose_next", { playerId: el.getAttribute("data-id") ?? "" });
        break;
      default:
        break;
    }
  }
}

/** Replays (replay.ts): the room state's shape from the rules' state, and each step in words. */
const oweDrahnReplay: ReplayView<OweDrahnState, OweDrahnRulesState> = {
  rules: oweDrahn,
  state(rules: OweDrahnRulesState) {
    const state = {
      ...replayCommon(rules),
      players: rules.players.map((p) => ({ id: p.id, name: p.name, life: p.life, ready: p.ready, choosing: p.choosing, connected: !p.left, awayUntil: 0, score: p.score })),
      currentValue: rules.currentValue,
      lastRoll: rules.lastRoll,
    };
    // What the screen reads of an OweDrahnState, in plain objects (an array for the players).
    return state as unknown as OweDrahnState;
  },
  step(info) {
    const b = info.before as OweDrahnRulesState;
    const a = info.after as OweDrahnRulesState;
    const who = asName(info.who);
    const nameOf = (id: unknown): Text => asName(b.players.find((p) => p.id === id)?.name ?? "");
    const won = endedHere(b, a, a.players.find((p) => p.life > 0 && !p.left)?.name);
    const rolled = (prefix: Text): Text => {
      const die = info.dice?.[0] ?? a.lastRoll;
      const total = b.currentValue + (die === 3 ? 0 : die);
      return [prefix, ` ${die}${die === 3 ? " (a 3 counts 0)" : ""}: total ${total}`, total > LIMIT ? ` — over ${LIMIT}, out!` : ".", won];
    };
    switch (info.action.type) {
      case "roll":
        return rolled([who, " rolled"]);
      case "lose_life":
        return [who, " said “owe drahn”: one life less, the total is back to 0."];
      case "choose_next":
        return [who, " chose ", info.action.playerId === info.actor ? "themselves" : nameOf(info.action.playerId), " to play next."];
      case "timeout":
        if (info.dice && info.dice.length > 0) return rolled(["Time ran out for ", who, ": the server rolled"]);
        return ["Time ran out for ", who, " while choosing: ", nameOf(a.currentTurn), " plays next."];
      case "leave": {
        // Out of a running game that goes on: the live log's words ("Ada left the game: out.").
        const out = outOfRunningGame(b, a, info.actor);
        if (!out) return [commonStepLine(info)!, won];
        return outOfTheGame(who, info.action.dropped === true, out.reset, false);
      }
      default:
        return [commonStepLine(info) ?? [who, `: ${info.action.type}`], won];
    }
  },
};

/** A player gone from a running game that goes on (the log's `left` entry, a replay's leave): "Ada left the game: out." */
function outOfTheGame(who: Text, dropped: boolean, reset: boolean, mine: boolean): Text {
  return [who, dropped ? " did not come back" : " left the game", mine ? ": you are out" : ": out", reset ? ", and the total is back to 0." : "."];
}

export const oweDrahnView = defineView({
  protocol: oweDrahnProtocol,
  title: "Owe Drahn",
  blurb: "2–8 players share one total; above 15 you are out.",
  createOptions: [{ key: "maxPlayers", label: "Seats", kind: "select", default: 8, min: 2, max: 8, choice: (n) => `${n} players` }],
  rules: () =>
    ruleList([
      "Everyone shares one running total, starting at 0. Each player has 6 lives.",
      "On your turn, roll one die: it adds to the total, but a 3 counts 0. Above 15 you are out, and the total starts again at 0.",
      "Or, with a total of 10 or more and more than one life, say “owe drahn”: lose a life, the total goes back to 0, and you choose who plays next (yourself included).",
      "The last player still in wins. Scores carry across the room's games: each player out −1, the winner +1 for each of them.",
      "With a turn timer, the server rolls for a player whose time runs out (or, while choosing, picks the next player).",
    ]),
  screen: (ctx) => new OweDrahnView(ctx),
  replay: oweDrahnReplay,
  // Each roll is one die, with a history entry of its own.
  rolls: { fromHistory: (kind, data: { die?: unknown } | undefined) => (kind === "roll" && typeof data?.die === "number" ? [data.die] : undefined) },
});
