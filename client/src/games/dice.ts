import "./dice.css";
import { diceProtocol, type DiceEvents } from "../../../src/protocol/games/dice.js";
import type { DiceState } from "../../../src/schema/DiceState.js";
import { ofAKind, RUNS, scoreDice } from "../../../src/rules/dice-scoring.js";
import { dieButton, dieFace, dieWord } from "../die.js";
import { asName, h, rich, type Text } from "../dom.js";
import { gridData } from "../grid.js";
import { endLine, forfeitLine, wentAway, wentLine } from "../ending.js";
import type { HistoryEntry } from "../../../src/protocol/messages.js";
import { DICE_COUNT, dice as diceRules, MAX_TURNS, type DiceState as DiceRulesState } from "../../../src/rules/dice.js";
import { aloneStatus, backToLobbyButton, defineView, RematchRequest, overStatus, resultClass, possessive, ruleList, tally, type GameView, type Summary, type ViewContext, awayBadge, winnerBadge, commonStepLine, endedHere, replayCommon, type ReplayView } from "../view.js";

/** How long the bust notice stays after a `busted` event (the pause itself may be shorter). */
const BUST_NOTICE_MS = 4000;

class DiceView implements GameView<DiceState> {
  private readonly send;
  /** This player's rematch request (shown at once on the click). */
  private readonly rematch = new RematchRequest();
  private bust?: { name: Text; mine: boolean; timeout: boolean; at: number };
  private hot?: { text: Text; at: number };

  constructor(private readonly ctx: ViewContext<typeof diceProtocol>) {
    this.send = ctx.send;
    const nameOf = (id: unknown): { name: Text; mine: boolean } => {
      const state = ctx.room.state as DiceState | undefined;
      const player = typeof id === "string" ? state?.players?.get(id) : undefined;
      return { name: player ? asName(player.name) : "A player", mine: id === ctx.room.sessionId };
    };
    ctx.room.onMessage("busted", (payload: DiceEvents["busted"]) => {
      const { name, mine } = nameOf(payload?.playerId);
      const timeout = payload?.reason === "timeout";
      this.bust = { name, mine, timeout, at: Date.now() };
      this.hot = undefined;
      ctx.rerender(); // the log line comes with the room's history
    });
    ctx.room.onMessage("hotDice", (payload: DiceEvents["hotDice"]) => {
      const { name, mine } = nameOf(payload?.playerId);
      const text: Text = mine ? "Hot dice! All six scored: roll all six again." : ["Hot dice! All six scored: ", name, " rolls all six again."];
      this.hot = { text, at: Date.now() };
      ctx.rerender();
    });
  }

  private get me() {
    return this.ctx.room.sessionId;
  }

  historyLine(entry: HistoryEntry, state: DiceState | undefined): Text | undefined {
    const myName = state?.players?.get(this.me)?.name ?? "";
    const mine = myName !== "" && entry.who === myName;
    const who: Text = mine ? "You" : asName(entry.who ?? "");
    const data = entry.data ?? {};
    switch (entry.kind) {
      case "roll":
        return [who, ` rolled ${(Array.isArray(data.dice) ? data.dice : []).join(" ")}`];
      case "aside":
        return [who, ` set aside ${(Array.isArray(data.values) ? data.values : []).join(" ")} (${Number(data.points)} points) and kept rolling`];
      case "bank":
        return [who, ` banked ${Number(data.points)} points`];
      case "bust":
        if (data.reason === "timeout") return mine ? "Your time ran out: this turn's points are lost." : ["Time ran out for ", who, ": the turn's points are lost."];
        return mine ? "You busted: no scoring dice. This turn's points are lost." : [who, " busted: no scoring dice."];
      case "hot":
        return mine ? "Hot dice! All six scored: roll all six again." : ["Hot dice! All six scored: ", who, " rolls all six again."];
      case "bot":
        return [asName(entry.who ?? ""), " (bot) sat down"];
      case "end":
        return endLine(data, myName);
      default:
        return undefined;
    }
  }

  ready(state: DiceState | undefined): state is DiceState {
    return !!state && !!state.players && !!state.dice && !!state.setAside && !!state.selected;
  }

  /** The player's name (isolated when rendered), "(bot)" after a bot's. */
  private name(state: DiceState, id: string): Text {
    const p = state.players.get(id);
    if (!p) return "A player who left";
    return p.isBot ? [asName(p.name), " (bot)"] : asName(p.name);
  }

  /** "You" for this player, else the player's name. */
  private who(state: DiceState, id: string): Text {
    return id === this.me ? "You" : this.name(state, id);
  }

  /** The server refused a message: a rematch asked by a click is asked only if the state says so. */
  refused(): void {
    this.rematch.refused();
  }

  /** This player asked for a rematch: the state says so (also after a reload), or the click just did. */
  private asked(state: DiceState): boolean {
    return this.rematch.asked(state.players.get(this.me)?.rematch === true);
  }

  summary(state: DiceState): Summary {
    const seated = state.players.has(this.me);
    const base = {
      deadline: state.turnDeadline,
      role: seated ? "playing" : "watching",
      waiting: state.phase === "waiting",
      running: seated && (state.phase === "playing" || state.phase === "busted"),
      myTurn: false,
    };
    this.rematch.phase(state.phase);
    const current = state.players.get(state.currentTurn);
    const turn: Text =
      state.currentTurn === this.me
        ? "Your turn"
        : current
          ? current.isBot
            ? [asName(current.name), " (bot)'s turn"]
            : [possessive(current.name), " turn"]
          : state.currentTurn
            ? "A player who left's turn"
            : "";
    switch (state.phase) {
      case "waiting":
        if (seated) return { ...base, status: wentLine(state, "Wait for a new opponent — or play against a bot.") ?? "Waiting for a second player — or play against a bot.", turn: "" };
        // A spectator learns who left: the table empty (the last human, and their bot with them), or one player waiting.
        return { ...base, status: wentLine(state, state.players.size === 0 ? "Waiting for players…" : "Waiting for a new player…") ?? "Waiting for players…", turn: "" };
      case "playing":
        return { ...base, status: `First to ${state.targetScore} points wins.`, turn, myTurn: state.currentTurn === this.me };
      case "busted":
        // The bust pause: nobody may act, the turn passes in a moment.
        return { ...base, status: [this.who(state, state.currentTurn), " busted! The turn's points are lost."], turn: "" };
      default: {
        if (state.players.size < 2) {
          const status = aloneStatus(state, seated, "Invite someone with the link, play against a bot, or go back to the lobby.", "Waiting for a new player…");
          return { ...base, waiting: true, status, turn: "" };
        }
        const players = Array.from(state.players.values());
        if (players.some((p) => p.isBot)) {
          // Against a bot a rematch starts as soon as the human asks: nobody waits for the bot.
          const human = players.find((p) => !p.isBot)?.name ?? "";
          const status: Text = seated ? "Game over. Ask for a rematch to play the bot again." : ["Game over. ", asName(human), " may ask for a rematch against the bot."];
          return { ...base, over: true, status, turn: "" };
        }
        const asker = Array.from(state.players.entries()).find(([id, p]) => id !== this.me && p.rematch);
        return { ...base, over: true, status: asker ? [asName(asker[1].name), " wants a rematch."] : overStatus(state.players.get(this.me)?.rematch), turn: "" };
      }
    }
  }

  private result(state: DiceState): Text {
    const forfeit = forfeitLine(state.endReason, state.endName, state.players.get(state.winner)?.name ?? "", state.players.get(this.me)?.name ?? "");
    if (forfeit !== undefined) return forfeit;
    if (!state.winner) return state.endReason === "draw" ? `It's a draw: the game's ${MAX_TURNS} turns are over, with equal scores.` : "Game over.";
    const score = state.players.get(state.winner)?.score;
    // Short of the target: the game's turns ran out, and the higher score won.
    const points = score !== undefined ? ` with ${score} points${score < state.targetScore ? ` (the game's ${MAX_TURNS} turns are over)` : ""}` : "";
    return state.winner === this.me ? `You win${points}!` : [this.name(state, state.winner), ` wins${points}!`];
  }

  render(state: DiceState): Node {
    const seated = state.players.has(this.me);
    const myTurn = state.phase === "playing" && state.currentTurn === this.me;
    const dice = Array.from(state.dice);
    const selected = new Set(Array.from(state.selected));
    const setAside = Array.from(state.setAside);
    const current = state.players.get(state.currentTurn);
    const allUnrolled = dice.every((d) => d === 0);
    const players = Array.from(state.players.entries());
    // After a game won by a bank the table stays as that bank left it (the rules keep it):
    // the winning roll, the dice banked from it, those set aside before. A game that ended
    // otherwise leaves an empty table, not shown (until 2026-12-06 six blank dice stayed).
    const over = state.phase === "over";
    const winningTable = over && !allUnrolled;
    const tableShown = !over || winningTable;

    const scoreboard = h(
      "table",
      { class: "scoreboard", testid: "scoreboard" },
      h("caption", {}, `Scores — first to ${state.targetScore}`),
      h("thead", {}, h("tr", {}, h("th", { attrs: { scope: "col" } }, "Player"), h("th", { attrs: { scope: "col" } }, "Banked"), h("th", { attrs: { scope: "col" } }, "This turn"))),
      h(
        "tbody",
        {},
        players.map(([id, p], i) =>
          h(
            "tr",
            { class: `${state.currentTurn === id ? "on-turn" : ""}${p.connected ? "" : " away"}`.trim() || undefined, testid: `player-${i}`, data: { id } },
            h(
              "th",
              { attrs: { scope: "row" } },
              h("bdi", { class: "player-name" }, p.name),
              p.isBot ? h("span", { class: "badge bot" }, "bot") : null,
              id === this.me ? h("span", { class: "badge you" }, "you") : null,
              // Whose turn, in words (not only the row's colour).
              state.currentTurn === id && (state.phase === "playing" || state.phase === "busted") ? h("span", { class: "badge turn", testid: "badge-turn" }, "to play") : null,
              winnerBadge(state.winner === id),
              awayBadge(p),
              h(
                "span",
                { class: "meter", attrs: { "aria-hidden": "true" } },
                h("span", { class: "meter-fill", attrs: { style: `width: ${Math.min(100, (p.score / Math.max(1, state.targetScore)) * 100).toFixed(1)}%` } }),
              ),
            ),
            h("td", { class: "num", testid: `score-${i}` }, String(p.score)),
            h("td", { class: "num", testid: `round-${i}` }, state.currentTurn === id ? String(p.roundScore) : "–"),
          ),
        ),
        players.length < 2 ? h("tr", { class: "empty" }, h("th", { attrs: { scope: "row" } }, "Free seat"), h("td", {}, ""), h("td", {}, "")) : null,
      ),
    );

    const diceRow = h(
      "div",
      { class: "dice-row", testid: "dice-row", data: gridData(dice.length), attrs: { role: "group", "aria-label": over ? "The winning roll" : "Dice on the table (select the ones to set aside; the arrow keys move between dice)" } },
      dice.map((value, i) => {
        const isSelected = selected.has(i);
        const label = `Die ${i + 1}: ${dieWord(value)}${isSelected ? (over ? ", banked" : ", selected") : ""}`;
        return dieButton(value, isSelected, label, {
          testid: `dice-${i}`,
          action: "select",
          data: { index: i },
          attrs: { disabled: !(myTurn && value !== 0) },
        });
      }),
    );

    const asideRow = h(
      "div",
      { class: "dice-row small", testid: "set-aside", attrs: { "aria-label": over ? "Dice set aside before the winning roll" : "Dice set aside this turn" } },
      setAside.length ? setAside.map((v, i) => dieFace(v, { testid: `aside-${i}` }, "small")) : h("span", { class: "muted" }, "none yet"),
    );

    const roundScore = current?.roundScore ?? 0;
    const turnScore = current?.turnScore ?? 0;
    const bustVisible = state.phase === "busted" || (this.bust !== undefined && Date.now() - this.bust.at < BUST_NOTICE_MS);
    const bustText: Text =
      state.phase === "busted" || !this.bust
        ? [this.who(state, state.currentTurn), " busted — no scoring dice! The turn's points are lost."]
        : this.bust.timeout
          ? this.bust.mine
            ? "Your time ran out! The turn's points were lost."
            : ["Time ran out for ", this.bust.name, "! The turn's points were lost."]
          : [this.bust.mine ? "You" : this.bust.name, " busted — no scoring dice! The turn's points were lost."];
    const hotVisible = !bustVisible && state.phase === "playing" && this.hot !== undefined && Date.now() - this.hot.at < BUST_NOTICE_MS;

    // Setting aside (and banking) needs a selection in which every die scores: the same
    // scoring as the server's, so an impossible action is never offered.
    const selectionScores = selected.size > 0 && scoreDice([...selected].map((i) => dice[i] ?? 0)).valid;
    const controls: Node[] = [];
    if (myTurn) {
      controls.push(
        h("button", { class: "primary", testid: "btn-roll", action: "roll", attrs: { type: "button", disabled: !allUnrolled } }, allUnrolled ? `Roll ${dice.length} ${dice.length === 1 ? "die" : "dice"}` : "Roll"),
        h("button", { testid: "btn-continue", action: "continue", attrs: { type: "button", disabled: !selectionScores } }, "Set aside & continue"),
        h("button", { testid: "btn-bank", action: "bank", attrs: { type: "button", disabled: !selectionScores } }, selectionScores ? `Bank ${roundScore + turnScore} points` : "Bank"),
      );
    }
    // Alone at the table (before a game, or after the opponent left one): a bot, an invite
    // (the link shows above), or back to the lobby.
    const alone = seated && players.length < 2 && (state.phase === "waiting" || state.phase === "over");
    if (alone) {
      controls.push(h("button", { class: "primary", testid: "btn-add-bot", action: "add_bot", attrs: { type: "button" } }, "Play against a bot"));
      // After a game (the opponent left during it, or after it): the lobby is at hand too.
      if (state.phase === "over" || wentAway(state.endReason)) controls.push(backToLobbyButton(false));
    } else if (state.phase === "over" && seated) {
      controls.push(
        h(
          "button",
          { class: "primary", testid: "btn-rematch", action: "rematch", attrs: { type: "button", disabled: this.asked(state) } },
          this.asked(state) ? "Rematch asked — waiting for the other player" : "Rematch",
        ),
      );
    }

    let hint: Text = "";
    if (myTurn) {
      hint = allUnrolled
        ? "Roll the dice."
        : selected.size > 0 && !selectionScores
          ? "Every selected die must score: unselect the ones that do not (1s, 5s, three or more of a kind and runs score)."
          : "Select scoring dice (1s, 5s, three or more of a kind, a run), then set them aside to roll the rest, or bank your points.";
    } else if (state.phase === "playing" && current) {
      // A replay waits for nobody: its turn line says whose turn it is (until 2026-12-06 each
      // step of a replay read "Waiting for Ada…").
      const live = !this.ctx.replay;
      hint = current.isBot
        ? live ? [asName(current.name), " (bot) is thinking…"] : ""
        : selected.size > 0 && !selectionScores
          ? [asName(current.name), " has selected a die that does not score: it cannot be set aside (the points selected count only the dice that score)."]
          : live ? ["Waiting for ", asName(current.name), "…"] : "";
    }

    return h(
      "div",
      { class: "dice-game" },
      scoreboard,
      tally(players.map(([, p]) => p)),
      !tableShown && !bustVisible
        ? null
        : h(
            "section",
            { class: "table", testid: "table", attrs: { "aria-label": "Table" } },
            !tableShown
              ? null
              : [
                  h("h3", {}, winningTable ? "The winning roll (the banked dice are marked)" : "On the table"),
                  diceRow,
                  // Nothing set aside before the winning roll: no empty row under it.
                  winningTable && setAside.length === 0 ? null : [h("h3", {}, winningTable ? "Set aside before it" : "Set aside this turn"), asideRow],
                ],
            over
              ? null
              : h(
                  "p",
                  { class: "turn-points", testid: "turn-points" },
                  "This turn: ",
                  h("strong", { testid: "round-score" }, String(roundScore)),
                  " · Selected: ",
                  h("strong", { testid: "selection-score" }, String(turnScore)),
                  // The points selected count only the dice that score (games.md, turnScore): said
                  // where the figure is (until 2026-12-06 "Selected: 100" read as the whole selection's).
                  selected.size > 0 && !selectionScores ? h("span", { class: "muted", testid: "selection-note" }, " (only the dice that score count)") : null,
                ),
            bustVisible ? h("p", { class: "bust", testid: "bust-notice", attrs: { role: "status" } }, rich(bustText)) : null,
            hotVisible ? h("p", { class: "hot-dice", testid: "hot-dice", attrs: { role: "status" } }, rich(this.hot!.text)) : null,
            hint ? h("p", { class: "hint", testid: "dice-hint" }, rich(hint)) : null,
          ),
      state.phase === "over" ? h("p", { class: resultClass(state.winner, this.me, state.players.has(this.me)), testid: "winner", attrs: { role: "status" } }, rich(this.result(state))) : null,
      controls.length ? h("div", { class: "controls" }, controls) : null,
    );
  }

  action(name: string, el: HTMLElement, _state: DiceState): void {
    switch (name) {
      case "select":
        this.send("select", { index: Number(el.getAttribute("data-index")) });
        break;
      case "roll":
        this.send("roll", undefined);
        break;
      case "continue":
        this.send("set_aside", { endTurn: false });
        break;
      case "bank":
        this.send("set_aside", { endTurn: true });
        break;
      case "add_bot":
        this.send("add_bot", undefined);
        break;
      case "rematch":
        this.rematch.ask();
        this.send("rematch", undefined);
        this.ctx.rerender();
        break;
      default:
        break;
    }
  }
}

/** The Farkle scoring table, from the same scoring code the server uses. */
function scoringTable(): Node {
  const row = (what: string, points: number) => h("tr", {}, h("th", { attrs: { scope: "row" } }, what), h("td", { class: "num" }, String(points)));
  return h(
    "table",
    { class: "scoring-table", testid: "scoring-table" },
    h("caption", {}, "Scoring"),
    h("tbody", {}, [
      row("Each 1", scoreDice([1]).score),
      row("Each 5", scoreDice([5]).score),
      ...[1, 2, 3, 4, 5, 6].map((face) => row(`Three ${face}s`, ofAKind(face, 3))),
      ...RUNS.map((run) => row(`Run ${run.faces.join("-")}`, run.points)),
    ]),
    h("tfoot", {}, h("tr", {}, h("td", { attrs: { colspan: 2 } }, `Four or more of a kind double for each die beyond three (four 4s = ${ofAKind(4, 4)}, six 1s = ${ofAKind(1, 6)}).`))),
  );
}

/**
 * The game a leave ended when it emptied the table (the last human left a game against the
 * bot mid-game): the table as it was, without the leaver, over, the bot the winner by
 * forfeit. Undefined for any other step.
 */
function leftToTheBot(before: DiceRulesState | undefined, after: DiceRulesState): DiceRulesState | undefined {
  if (!before || after.players.length > 0 || !wentAway(after.ending?.reason ?? "") || before.phase === "waiting" || before.phase === "over") return undefined;
  const bot = before.players.find((p) => p.isBot);
  if (!bot) return undefined;
  return { ...after, players: before.players.filter((p) => p.isBot).map((p) => ({ ...p, roundScore: 0, turnScore: 0 })), phase: "over", winner: bot.id };
}

/** Replays (replay.ts): the room state's shape from the rules' state, and each step in words. */
const diceReplay: ReplayView<DiceState, DiceRulesState> = {
  rules: diceRules,
  state(after: DiceRulesState, before?: DiceRulesState) {
    // The last human left a game against the bot: the bot went with them and the table
    // emptied, but the game ended as a forfeit (the record places the bot first). The replay
    // shows that ending, at the table as it was, as it shows any other forfeit.
    const rules = leftToTheBot(before, after) ?? after;
    const players = new Map(
      rules.players.map((p) => [
        p.id,
        { name: p.name, isBot: p.isBot, score: p.score, roundScore: p.roundScore, turnScore: p.turnScore, wins: p.wins, connected: true, awayUntil: 0, rematch: rules.rematch.includes(p.id) },
      ] as const),
    );
    const state = {
      ...replayCommon(rules),
      players,
      dice: [...rules.dice],
      selected: [...rules.selected],
      setAside: [...rules.setAside],
      winner: rules.winner ?? "",
      targetScore: rules.targetScore,
    };
    // What the screen reads of a DiceState, in plain objects (a Map for the map).
    return state as unknown as DiceState;
  },
  // Until 2026-12-06 every game ended at a cleared table (six unrolled dice, nothing selected
  // or set aside); today a game won by a bank keeps its winning roll (src/rules/dice.ts).
  earlierFinal: (final) => ({ ...final, dice: Array<number>(DICE_COUNT).fill(0), selected: [], setAside: [] }),
  step({ before, after, action, actor, who: whoName, dice }) {
    const b = before as DiceRulesState;
    const a = leftToTheBot(b, after as DiceRulesState) ?? (after as DiceRulesState);
    const who = asName(whoName);
    const player = b.players.find((p) => p.id === actor);
    const won = endedHere(b, a, a.players.find((p) => p.id === a.winner)?.name);
    switch (action.type) {
      case "roll":
        return [who, ` rolled ${(dice ?? []).join(" ")}`, a.phase === "busted" ? " — no scoring die: bust!" : "."];
      case "select": {
        const index = Number(action.index);
        return [who, b.selected.includes(index) ? " put back" : " selected", ` a ${dieWord(b.dice[index] ?? 0)}.`];
      }
      case "set_aside": {
        const values = b.selected.map((i) => b.dice[i] ?? 0);
        if (action.endTurn === true) return [who, ` banked ${(player?.roundScore ?? 0) + (player?.turnScore ?? 0)} points (${values.join(" ")} set aside).`, won];
        return [who, ` set aside ${values.join(" ")} (${player?.turnScore ?? 0} points) and rolls on.`];
      }
      // Either may end the game's last turn (MAX_TURNS): the higher score wins, or a draw.
      case "end_bust":
        return ["After the bust, the turn passes.", won];
      case "timeout":
        return ["Time ran out for ", who, ": the turn's points are lost.", won];
      default:
        return [commonStepLine({ before, after, action, actor, who: whoName, dice }) ?? [who, `: ${action.type}`], won];
    }
  },
};

export const diceView = defineView({
  protocol: diceProtocol,
  title: "Dice",
  blurb: "Two-player Farkle. Play a friend or a bot.",
  createOptions: [{ key: "targetScore", label: "Points to win", kind: "number", default: 3000, min: 1000, max: 10000, step: 500 }],
  rules: () =>
    ruleList(
      [
        "Roll six dice, then set aside scoring dice (every die you set aside must score) and roll the rest, or bank your points.",
        "A roll with no scoring die is a bust: the turn's points are lost and the turn passes.",
        "Hot dice: when all six dice have scored, roll all six again and keep going.",
        "The first to bank the target score (3000 unless the room says otherwise) wins. With a turn timer, running out of time is a bust.",
        `A game ends after ${MAX_TURNS} turns (both players' together): the higher banked score wins, equal scores draw.`,
      ],
      scoringTable(),
    ),
  screen: (ctx) => new DiceView(ctx),
  replay: diceReplay,
  // A die clicked twice quickly is selected, then unselected.
  toggles: ["select"],
  // Each roll's history entry holds its faces, in the order the rules rolled them.
  rolls: { fromHistory: (kind, data: { dice?: unknown } | undefined) => (kind === "roll" && Array.isArray(data?.dice) && data.dice.every((f) => typeof f === "number") ? (data.dice as number[]) : undefined) },
});
