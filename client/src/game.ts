/**
 * The game screen shell: header (game, room code, role, leave), invite link, status and
 * turn lines, turn countdown, the game's own area, an event log, and the connection
 * handling of the room (drop → reconnecting, reconnect → connected, leave → lost).
 */
import { CloseCode, type Room } from "@colyseus/sdk";
import type { RoomName, ServerEvents } from "../../src/protocol/messages.js";
import { describeCloseCode, describeErrorPayload } from "./errors.js";
import { delegate, h, morphContent } from "./dom.js";
import { DiceView } from "./games/dice.js";
import { OweDrahnView } from "./games/owedrahn.js";
import { TicTacToeView } from "./games/tictactoe.js";
import { clearSeat, inviteLink, saveSeat } from "./session.js";
import { setConnection, setNotice, showError } from "./ui.js";
import { secondsLeft, type GameView, type Summary, type ViewContext } from "./view.js";

export interface GameHost {
  /** The page is being unloaded (reload, navigation): keep the saved seat. */
  readonly unloading: boolean;
  showLobby(): void;
}

const LOG_LINES = 6;

function createView(game: RoomName, ctx: ViewContext): GameView<any> {
  switch (game) {
    case "tictactoe":
      return new TicTacToeView(ctx);
    case "dice":
      return new DiceView(ctx);
    case "owedrahn":
      return new OweDrahnView(ctx);
  }
}

export class GameScreen {
  readonly el: HTMLElement;
  private readonly view: GameView<any>;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly logLines: { id: number; text: string }[] = [];
  private logId = 0;
  private confirmingLeave = false;
  private leaving = false;
  private lost = false;
  private disposed = false;
  private copied = false;

  constructor(
    private readonly host: GameHost,
    private readonly room: Room,
    private readonly game: RoomName,
    private readonly isPrivate: boolean,
  ) {
    this.el = h("section", { class: "screen game", testid: "game-screen", data: { game } });
    const ctx: ViewContext = { room, log: (text) => this.log(text), rerender: () => this.scheduleRender() };
    this.view = createView(game, ctx);
    delegate(this.el, (action, el) => this.onAction(action, el));

    // A drop right after joining should still be retried (the SDK's default waits 5 s).
    room.reconnection.minUptime = 1000;
    this.save();
    setConnection("connected");

    room.onStateChange(() => this.render());
    room.onMessage("error", (payload: unknown) => {
      const e = describeErrorPayload(payload);
      showError(e.title, e.detail, e.code);
    });
    room.onMessage("draining", (payload: Partial<ServerEvents["draining"]> | undefined) => {
      const seconds = typeof payload?.seconds === "number" && payload.seconds > 0 ? payload.seconds : undefined;
      const limit = seconds === undefined ? "" : seconds < 120 ? ` (up to ${Math.round(seconds)} s)` : ` (up to ${Math.round(seconds / 60)} min)`;
      setNotice(`The server is restarting soon. A game in progress may finish${limit}; new games will start once it is back.`);
    });
    // Events this screen does not show (a newer server may add some): ignore quietly.
    room.onMessage("*", () => undefined);
    room.onDrop(() => {
      setConnection("reconnecting");
      this.render();
    });
    room.onReconnect(() => {
      // The reconnection token changes with every reconnection.
      this.save();
      setConnection("connected", "back in the game");
      this.render();
    });
    room.onLeave((code: number) => this.onLeave(code));

    this.timer = setInterval(() => this.render(), 250);
    this.render();
  }

  private save() {
    saveSeat({ roomId: this.room.roomId, game: this.game, reconnectionToken: this.room.reconnectionToken, private: this.isPrivate });
  }

  dispose() {
    this.disposed = true;
    clearInterval(this.timer);
    setNotice("");
  }

  private log(text: string) {
    this.logLines.unshift({ id: ++this.logId, text });
    this.logLines.length = Math.min(this.logLines.length, LOG_LINES);
    this.scheduleRender();
  }

  private renderQueued = false;

  /** Renders once after the current task (views may log while they render). */
  private scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private onLeave(code: number) {
    if (this.leaving || this.disposed) return;
    if (code === CloseCode.CONSENTED) return;
    this.lost = true;
    clearInterval(this.timer);
    if (!this.host.unloading) clearSeat();
    setConnection("lost");
    // The room's state is torn down with the connection: keep the last picture, disable it.
    for (const button of Array.from(this.el.querySelectorAll<HTMLButtonElement>(".game-area button"))) button.disabled = true;
    const panel = h(
      "div",
      { class: "lost-panel", testid: "lost", attrs: { role: "alert" } },
      h("p", {}, describeCloseCode(code)),
      h("button", { class: "primary", action: "lobby", testid: "btn-lobby", attrs: { type: "button" } }, "Back to the lobby"),
    );
    this.el.querySelector(".lost-panel")?.remove();
    this.el.prepend(panel);
  }

  private async leave() {
    if (this.leaving) return;
    this.leaving = true;
    clearSeat();
    try {
      await Promise.race([this.room.leave(true), new Promise((r) => setTimeout(r, 2000))]);
    } finally {
      this.host.showLobby();
    }
  }

  private onAction(action: string, el: HTMLElement) {
    if (this.lost && (action === "leave" || action === "leave-confirm")) action = "lobby";
    switch (action) {
      case "leave":
        if (this.currentSummary()?.running && !this.lost) {
          this.confirmingLeave = true;
          this.render();
          this.el.querySelector<HTMLElement>("[data-testid=btn-leave-confirm]")?.focus();
        } else void this.leave();
        return;
      case "leave-confirm":
        void this.leave();
        return;
      case "leave-cancel":
        this.confirmingLeave = false;
        this.render();
        this.el.querySelector<HTMLElement>("[data-testid=btn-leave]")?.focus();
        return;
      case "lobby":
        this.host.showLobby();
        return;
      case "copy-link":
        void this.copyLink();
        return;
      default:
        if (this.lost) return;
        {
          const state = this.room.state;
          if (this.view.ready(state)) this.view.action(action, el, state);
        }
    }
  }

  private async copyLink() {
    const link = inviteLink(this.room.roomId);
    try {
      await navigator.clipboard.writeText(link);
      this.copied = true;
    } catch {
      // No clipboard (http, permissions): select the text so the player can copy it.
      const code = this.el.querySelector("[data-testid=invite-link]");
      if (code) window.getSelection()?.selectAllChildren(code);
    }
    this.render();
  }

  private currentSummary(): Summary | undefined {
    const state = this.room.state;
    return this.view.ready(state) ? this.view.summary(state) : undefined;
  }

  render() {
    if (this.disposed || this.lost) return;
    const state = this.room.state;
    const ready = this.view.ready(state);
    const summary = ready ? this.view.summary(state) : undefined;
    if (summary && !summary.running) this.confirmingLeave = false;
    const left = summary && summary.deadline > 0 ? secondsLeft(summary.deadline) : undefined;

    const showInvite = summary?.waiting === true;
    const next = h(
      "section",
      {},
      h(
        "header",
        { class: "game-head" },
        h("h2", {}, this.view.title),
        h(
          "p",
          { class: "room-line" },
          "Room ",
          h("code", { testid: "room-id" }, this.room.roomId),
          this.isPrivate ? h("span", { class: "badge private" }, "private") : null,
          summary ? h("span", { class: "role", testid: "role" }, ` · You are ${summary.role}`) : null,
        ),
        h(
          "div",
          { class: "head-actions" },
          this.confirmingLeave
            ? h(
                "div",
                { class: "confirm", attrs: { role: "group", "aria-label": "Leave the game?" } },
                h("span", {}, "Leaving now forfeits the game."),
                h("button", { class: "danger", action: "leave-confirm", testid: "btn-leave-confirm", attrs: { type: "button" } }, "Leave and forfeit"),
                h("button", { action: "leave-cancel", testid: "btn-leave-cancel", attrs: { type: "button" } }, "Stay"),
              )
            : h("button", { action: "leave", testid: "btn-leave", attrs: { type: "button" } }, "Leave"),
        ),
      ),
      showInvite
        ? h(
            "div",
            { class: "invite", testid: "invite" },
            h("span", { class: "label" }, this.isPrivate ? "Private room — only people with this link can join:" : "Invite a friend with this link:"),
            h("code", { class: "link", testid: "invite-link" }, inviteLink(this.room.roomId)),
            h("button", { action: "copy-link", testid: "btn-copy-link", attrs: { type: "button" } }, this.copied ? "Copied ✓" : "Copy link"),
          )
        : null,
      h(
        "div",
        { class: "summary" },
        h("p", { class: "status", testid: "status", attrs: { "aria-live": "polite" } }, summary?.status ?? "Loading the game…"),
        h(
          "p",
          { class: `turn${summary?.turn.startsWith("Your turn") ? " mine" : ""}`, testid: "turn", attrs: { "aria-live": "polite", hidden: !summary?.turn } },
          summary?.turn ?? "",
        ),
        h(
          "p",
          { class: `countdown${left !== undefined && left <= 5 ? " urgent" : ""}`, testid: "countdown", attrs: { hidden: left === undefined, "aria-label": left === undefined ? undefined : `${left} seconds left in this turn` } },
          left === undefined ? "" : `⏱ ${left} s left`,
        ),
      ),
      h("div", { class: "game-area" }, ready ? this.view.render(state) : h("p", { class: "muted" }, "Waiting for the game state…")),
      h(
        "section",
        { class: "log", attrs: { "aria-label": "What happened", hidden: this.logLines.length === 0 } },
        h("h3", {}, "What happened"),
        h(
          "ul",
          { testid: "event-log", attrs: { "aria-label": "Newest first" } },
          this.logLines.map((l) => h("li", { data: { key: l.id } }, l.text)),
        ),
      ),
    );
    morphContent(this.el, next);
  }
}
