/**
 * A recorded match, replayed (`#/replay/<matchId>`, a link anyone can open): the match's
 * action log (`GET /api/matches/:id`) is run again by the server's own pure rules in the
 * browser (src/replay/replay.ts), and each state is shown on the game's own screen (its view,
 * read-only, watching: games/*.ts `replay` turns a rules state into what the screen reads).
 * Play, pause, step back and forward, a scrubber, the step in words; dice games can have
 * their dice checked against the revealed seeds ("Verify fairness").
 */
import type { Room } from "@colyseus/sdk";
import { replay } from "../../src/replay/replay.js";
import { fetchMatch, type MatchRecord } from "./api.js";
import { append, delegate, h, plainText, rich, type Text } from "./dom.js";
import { morphContent } from "./morph.js";
import { rollsOfSteps } from "./fairness.js";
import { viewOf, type AnyView } from "./games/index.js";
import { ordinal } from "./outcome.js";
import { gameTitle, loadRecords, playerLink } from "./profile.js";
import { currentRoute, replayHref } from "./routes.js";
import { FairnessVerification, fairnessReport } from "./verify.js";
import { endsAsRecorded, type GameView, type ReplayView, type ViewContext } from "./view.js";

/** Time per step while playing. */
const STEP_MS = 700;
/** The address follows the step shown once the steps have stood still this long. */
const ADDRESS_DELAY_MS = 300;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "0:07", "1:23" — time since the match started. */
function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The address of a replay, to share. */
export function replayLink(matchId: string): string {
  return `${location.origin}${location.pathname}${replayHref(matchId)}`;
}

/** What a loaded replay shows. */
interface Loaded {
  match: MatchRecord;
  entry: AnyView;
  replayView: ReplayView<unknown>;
  screen: GameView<unknown>;
  /** Every state, the start first: states.length − 1 steps. */
  states: unknown[];
  /** Each step in words (step i leads from states[i] to states[i + 1]). */
  lines: Text[];
}

export class ReplayScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly abort = new AbortController();
  private loaded?: Loaded;
  /** The state shown: 0 = the start, n = after step n. */
  private pos = 0;
  private timer?: ReturnType<typeof setInterval>;
  private addressTimer?: ReturnType<typeof setTimeout>;
  private verification?: FairnessVerification;
  private copied = false;
  // The parts that change with each step (built once, so the scrubber is never rebuilt under the pointer).
  private parts?: { area: HTMLElement; scrubber: HTMLInputElement; position: HTMLElement; step: HTMLElement; turn: HTMLElement; play: HTMLButtonElement; steps: HTMLElement; fairness: HTMLElement; share: HTMLElement };

  /** `step`: the step to show first (from the address: a reload shows the step it showed). */
  constructor(
    private readonly matchId: string,
    private readonly firstStep = 0,
  ) {
    this.body = h("div", { attrs: { "aria-live": "polite" } });
    this.el = h("section", { class: "screen records replay", testid: "replay", data: { match: matchId } }, h("h2", { testid: "replay-heading" }, "Replay"), this.body);
    delegate(this.el, (action, el) => this.onAction(action, el));
    void this.load();
  }

  dispose() {
    this.abort.abort();
    this.pause();
    clearTimeout(this.addressTimer);
  }

  private load() {
    return loadRecords({ el: this.el, body: this.body, signal: this.abort.signal }, "the match", () => fetchMatch(this.matchId, this.abort.signal), (data) => this.show(data));
  }


  /** A replay that cannot be shown at all, said plainly. */
  private failed(title: string, detail: string) {
    this.body.replaceChildren(
      h("div", { class: "load-error replay-error", testid: "replay-error", attrs: { role: "alert" } }, h("p", {}, h("strong", {}, title)), detail ? h("p", { class: "muted" }, detail) : null),
    );
  }

  private show(match: MatchRecord) {
    const heading = this.el.querySelector("h2");
    if (heading) heading.textContent = `Replay: ${gameTitle(match.game)}`;
    const entry = viewOf(match.game);
    if (!entry?.replay) return this.failed(`This page cannot replay ${gameTitle(match.game)} games.`, "The match is recorded, but this version of the page does not know how to show it.");

    let result: ReturnType<typeof replay>;
    try {
      result = replay(entry.replay.rules, match.log);
    } catch (err) {
      return this.failed("This replay failed: the recorded game could not be run again.", err instanceof Error ? err.message : String(err));
    }
    const { states } = result;
    const problem = !result.ok
      ? `This replay failed at step ${result.step + 1} of ${match.log.steps.length}: ${result.reason}. It shows the game up to there.`
      : match.log.final !== undefined && !endsAsRecorded(entry.replay as ReplayView<unknown>, states[states.length - 1], match.log.final)
        ? "This replay does not end in the recorded final state: the rules may have changed since the game was played."
        : "";

    // The game's own screen, watching (no seat: every control read-only), in a room that never sends.
    const room = { sessionId: "", roomId: "", state: undefined, onMessage: () => () => undefined } as unknown as Room;
    const ctx: ViewContext = { room, send: () => undefined, log: () => undefined, rerender: () => this.renderStep(), replay: true };
    const screen = entry.screen(ctx) as GameView<unknown>;
    const replayView = entry.replay as ReplayView<unknown>;
    const lines: Text[] = [];
    for (let i = 0; i + 1 < states.length; i++) {
      const step = match.log.steps[i]!;
      const actor = step.seat >= 0 ? (match.log.seats[step.seat] ?? "") : "";
      const before = states[i] as { players?: readonly { id: string; name: string }[] };
      const who = (actor && before.players?.find((p) => p.id === actor)?.name) || match.players.find((p) => p.seat === step.seat)?.name || "";
      let line: Text;
      try {
        line = replayView.step({ before: states[i], after: states[i + 1], action: step.action, actor, who, dice: step.dice });
      } catch {
        line = `${who || "The game"}: ${step.action.type}`;
      }
      lines.push(line);
    }
    this.loaded = { match, entry, replayView, screen, states, lines };
    this.pos = Math.min(this.firstStep, this.total);
    this.build(problem);
    this.renderStep();
  }

  private get total(): number {
    return (this.loaded?.states.length ?? 1) - 1;
  }

  private build(problem: string) {
    const { match, entry } = this.loaded!;
    const link = replayLink(match.id);
    const players = [...match.players].sort((a, b) => a.placement - b.placement || a.seat - b.seat);
    const scrubber = h("input", {
      class: "replay-scrubber",
      testid: "replay-scrubber",
      attrs: { type: "range", min: 0, max: this.total, step: 1, value: 0, "aria-label": "Step" },
    });
    scrubber.addEventListener("input", () => {
      this.pause();
      this.go(Number(scrubber.value));
    });
    const button = (action: string, testid: string, label: string, title: string) => h("button", { action, testid, attrs: { type: "button", title, "aria-label": title } }, label);
    const play = button("play", "replay-play", "▶ Play", "Play");
    const parts = {
      area: h("div", { class: `game-area game-${entry.protocol.name}`, testid: "replay-board" }),
      scrubber,
      position: h("span", { class: "replay-position", testid: "replay-position" }),
      step: h("p", { class: "replay-step", testid: "replay-step", attrs: { "aria-live": "polite" } }),
      turn: h("p", { class: "turn", testid: "replay-turn" }),
      play,
      steps: h("ol", { class: "replay-steps", testid: "replay-steps", attrs: { start: 0 } }),
      fairness: h("div", { class: "replay-fairness" }),
      share: h("span", {}),
    };
    this.parts = parts;
    parts.steps.append(
      ...[["The game starts."] as Text, ...this.loaded!.lines].map((line, i) =>
        h("li", {}, h("button", { class: "link-button", action: "goto", data: { step: i }, attrs: { type: "button" } }, rich(line))),
      ),
    );
    this.renderShare();
    this.renderFairness();

    this.body.replaceChildren(
      h(
        "p",
        { class: "muted small replay-meta" },
        h("time", { testid: "replay-date", attrs: { datetime: new Date(match.endedAt).toISOString() } }, dateFormat.format(match.endedAt)),
        ` · ${match.log.steps.length} ${match.log.steps.length === 1 ? "step" : "steps"} · ${clock(match.endedAt - match.startedAt)} long${match.rated ? " · rated" : ""}`,
      ),
      h(
        "ol",
        { class: "match-players", testid: "replay-players", attrs: { "aria-label": "Players, by placement" } },
        players.map((p) => h("li", {}, h("span", { class: "place" }, ordinal(p.placement)), " ", playerLink(p.name, p.userId))),
      ),
      problem ? h("p", { class: "load-error replay-error", testid: "replay-error", attrs: { role: "alert" } }, h("strong", {}, problem)) : "",
      h(
        "div",
        { class: "replay-controls card", attrs: { role: "group", "aria-label": "Replay controls" } },
        h(
          "div",
          { class: "replay-buttons" },
          button("first", "replay-first", "« Start", "To the start"),
          button("back", "replay-back", "◀ Back", "Step back"),
          play,
          button("forward", "replay-forward", "Forward ▶", "Step forward"),
          button("last", "replay-last", "End »", "To the end"),
          parts.position,
        ),
        scrubber,
        parts.step,
        parts.turn,
      ),
      parts.area,
      h("details", { class: "card replay-list" }, h("summary", {}, "Every step"), parts.steps),
      parts.fairness,
      h("p", { class: "replay-share small" }, "Share this replay: ", h("code", { class: "link", testid: "replay-link" }, link), " ", parts.share),
    );
  }

  private renderShare() {
    this.parts?.share.replaceChildren(h("button", { action: "copy-link", testid: "btn-copy-replay-link", attrs: { type: "button" } }, this.copied ? "Copied ✓" : "Copy link"));
  }

  private renderFairness() {
    const { match } = this.loaded!;
    const fairness = match.log.fairness;
    if (!this.parts || !fairness) return;
    this.parts.fairness.replaceChildren(
      this.verification
        ? fairnessReport(this.verification, true)
        : h(
            "p",
            { class: "card" },
            "This game's dice came from committed seeds. ",
            h("button", { action: "verify-fairness", testid: "btn-verify-fairness", attrs: { type: "button" } }, "Verify fairness"),
          ),
    );
  }

  /** Shows the state at `pos` (clamped). */
  private go(pos: number) {
    this.pos = Math.max(0, Math.min(this.total, Math.round(pos) || 0));
    this.renderStep();
    // The address follows the step (replaced, not pushed: Back leaves the replay), so a
    // reload shows it again; until 2026-12-05 a reload went back to the start. Once the
    // steps stop changing: a scrubber dragged over every step would replace the address a
    // hundred times, which some browsers refuse.
    clearTimeout(this.addressTimer);
    this.addressTimer = setTimeout(() => this.followAddress(), ADDRESS_DELAY_MS);
  }

  private followAddress() {
    // Only while this replay is still the page's place (a click on a name may have moved on).
    const route = currentRoute();
    if (!this.el.isConnected || route.kind !== "replay" || route.id !== this.matchId) return;
    const href = replayHref(this.matchId, this.pos);
    try {
      if (location.hash !== href) history.replaceState(null, "", href);
    } catch {
      // refused by the browser (too many): the address keeps the last step it took
    }
  }

  private renderStep() {
    const loaded = this.loaded;
    const parts = this.parts;
    if (!loaded || !parts) return;
    const rulesState = loaded.states[this.pos];
    let node: Node;
    let turn: Text = "";
    try {
      const state = loaded.replayView.state(rulesState, this.pos > 0 ? loaded.states[this.pos - 1] : undefined);
      node = loaded.screen.render(state);
      turn = loaded.screen.summary(state).turn;
    } catch (err) {
      node = h("p", { class: "load-error", testid: "replay-error", attrs: { role: "alert" } }, `This step cannot be shown: ${err instanceof Error ? err.message : String(err)}`);
    }
    morphContent(parts.area, h("div", {}, node));
    const total = this.total;
    parts.scrubber.max = String(total);
    parts.scrubber.value = String(this.pos);
    parts.scrubber.setAttribute("aria-valuetext", `Step ${this.pos} of ${total}`);
    parts.position.textContent = `Step ${this.pos} / ${total}`;
    parts.position.dataset.step = String(this.pos);
    parts.position.dataset.total = String(total);
    const step = this.pos > 0 ? loaded.match.log.steps[this.pos - 1] : undefined;
    const line = this.pos === 0 ? "The game starts." : loaded.lines[this.pos - 1]!;
    parts.step.replaceChildren();
    append(parts.step, [step ? h("span", { class: "muted" }, `${clock(step.t)} · `) : null, rich(line)]);
    parts.turn.textContent = plainText(turn);
    parts.turn.hidden = plainText(turn) === "";
    for (const [i, li] of Array.from(parts.steps.children).entries()) {
      if (i === this.pos) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
    const atEnd = this.pos >= total;
    for (const [testid, disabled] of [["replay-first", this.pos === 0], ["replay-back", this.pos === 0], ["replay-forward", atEnd], ["replay-last", atEnd]] as const) {
      const b = this.el.querySelector<HTMLButtonElement>(`[data-testid=${testid}]`);
      if (b) b.disabled = disabled;
    }
    parts.play.disabled = total === 0;
    parts.play.textContent = this.timer ? "⏸ Pause" : "▶ Play";
    parts.play.setAttribute("aria-label", this.timer ? "Pause" : "Play");
    parts.play.setAttribute("title", this.timer ? "Pause" : "Play");
    parts.play.setAttribute("aria-pressed", this.timer ? "true" : "false");
  }

  private playOn() {
    if (this.timer || this.total === 0) return;
    // From the end, play starts again from the beginning.
    if (this.pos >= this.total) this.pos = 0;
    this.timer = setInterval(() => {
      if (this.pos >= this.total) return this.pause();
      this.go(this.pos + 1);
      if (this.pos >= this.total) this.pause();
    }, STEP_MS);
    this.renderStep();
  }

  private pause() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.renderStep();
  }

  private onAction(action: string, el: HTMLElement) {
    switch (action) {
      case "reload":
        void this.load();
        return;
      case "play":
        if (this.timer) this.pause();
        else this.playOn();
        return;
      case "first":
      case "back":
      case "forward":
      case "last":
      case "goto": {
        this.pause();
        const to = action === "first" ? 0 : action === "back" ? this.pos - 1 : action === "forward" ? this.pos + 1 : action === "last" ? this.total : Number(el.dataset.step);
        this.go(to);
        return;
      }
      case "verify-fairness": {
        const fairness = this.loaded?.match.log.fairness;
        if (!fairness) return;
        const { log } = this.loaded!.match;
        const record = {
          commitment: fairness.commitment,
          seed: fairness.seed,
          clientSeeds: fairness.clientSeeds,
          rolls: rollsOfSteps(log.steps),
          ...(fairness.seats ? { seats: fairness.seats } : {}),
          ...(fairness.first !== undefined ? { first: fairness.first } : {}),
        };
        // How the game began, as its log says: the seats in order, the bots, and (a record that says who moved first) who was on turn.
        const initial = (log.initial ?? {}) as { currentTurn?: unknown; players?: unknown };
        const bots = Array.isArray(initial.players) ? initial.players.flatMap((p: { id?: unknown; isBot?: unknown }) => (p?.isBot === true && typeof p.id === "string" ? [p.id] : [])) : [];
        const startedBy = fairness.first !== undefined && typeof initial.currentTurn === "string" ? { startedBy: initial.currentTurn } : {};
        this.verification = new FairnessVerification({ record, opening: { seats: log.seats, ordered: true, bots, ...startedBy } }, () => this.renderFairness());
        this.renderFairness();
        return;
      }
      case "verify-close":
        this.verification = undefined;
        this.renderFairness();
        this.el.querySelector<HTMLElement>("[data-testid=btn-verify-fairness]")?.focus();
        return;
      case "copy-link":
        void this.copyLink();
        return;
      default:
        return;
    }
  }

  private async copyLink() {
    try {
      await navigator.clipboard.writeText(replayLink(this.matchId));
      this.copied = true;
    } catch {
      // No clipboard (plain http, permissions): the link is selected for copying by hand.
      const code = this.el.querySelector("[data-testid=replay-link]");
      if (code) window.getSelection()?.selectAllChildren(code);
    }
    this.renderShare();
  }
}
