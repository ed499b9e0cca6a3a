/**
 * The lobby: the player's name, a live list of every game's public rooms (join an open
 * one, watch a running one), creating a public or private room, and joining by link.
 */
import { ErrorCode as SdkErrorCode, type Client, type Room } from "@colyseus/sdk";
import { CLOSE_FLOODING, MatchmakingStatus } from "../../src/protocol/errors.js";
import { commonJoinOptions, type RoomEntry } from "../../src/protocol/messages.js";
import { checkName, NAME_MAX_GRAPHEMES } from "../../src/protocol/names.js";
import type { Account } from "./account.js";
import { fetchRunningGames, isRoomEntry, lookUpRoom, type AwaySeat } from "./api.js";
import { describeJoinError, RATE_LIMIT_WAIT_MS, type JoinFailure, type RequestFailure } from "./errors.js";
import { delegate, h, napUntilOnline } from "./dom.js";
import { morphContent } from "./morph.js";
import { VIEWS, viewOf, type AnyView } from "./games/index.js";
import { forgetInviteInLocation, leftHere, loadName, roomIdFrom, saveName } from "./session.js";
import { setConnection, showError } from "./ui.js";
import { secondsLeft, type OptionField } from "./view.js";
import { quickMatch } from "./quick-match.js";
import type { JoinSeed } from "./fairness.js";
import { fairJoinSeed, joinByIdOptions } from "./join.js";

export interface LobbyHost {
  readonly client: Client;
  /** The player's identity: the name field is their profile's name, joins retry after a refused sign-in. */
  readonly account: Account;
  enterGame(room: Room, view: AnyView, isPrivate: boolean, spectator: boolean, quick?: boolean, joinSeed?: JoinSeed): void;
  /** Takes back a seat the server holds for the signed-in player while they are away (this page has no saved seat for it: a closed tab, another device). */
  returnTo(seat: AwaySeat): void;
}

/** The form control of a game's create option: named `<game>.<key>`, test id `create-<game>-<key>`. */
function optionControl(game: string, field: OptionField, id: string): HTMLElement {
  const props = { testid: `create-${game}-${field.key}` };
  const name = `${game}.${field.key}`;
  if (field.kind === "number") {
    return h("input", { ...props, attrs: { id, name, type: "number", min: field.min, max: field.max, step: field.step ?? 1, value: field.default, inputmode: "numeric" } });
  }
  const values = Array.from({ length: field.max - field.min + 1 }, (_, i) => field.min + i);
  return h("select", { ...props, attrs: { id, name } }, values.map((n) => h("option", { attrs: { value: n, selected: n === field.default } }, field.choice(n))));
}

let fieldIds = 0;

/** After a failed lookup of the player's running games, the next try. */
const RUNNING_RETRY_MS = 15_000;
/**
 * While the lobby is on screen, it looks this often for a seat held for its player (their
 * game's tab closed, or their other device dropped) and for a rename made elsewhere: nothing
 * tells an open lobby of either.
 */
const LOOK_AGAIN_MS = 10_000;
/** The invite card reads its room again this often while it is shown: a seat may free up, a game end. */
const INVITE_LOOK_MS = 3000;
/** How long after the mouse last moved over the room lists (or the forms below them) a new list waits (see Lobby.roomsArrived). */
const HOLD_MS = 1500;

/** Wait before the next try to join the lobby: 1, 2, 4, 8, 15 s… with ±20 % jitter. */
function lobbyBackoff(attempt: number): number {
  const base = Math.min(15000, 1000 * 2 ** Math.min(attempt, 4));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Why joining the lobby failed, in plain words, and the least wait before trying again. */
function lobbyFailure(err: unknown): { text: string; waitMs: number } {
  const code = (err as { code?: unknown })?.code;
  const failure = describeJoinError(err);
  switch (code) {
    case MatchmakingStatus.RATE_LIMITED:
      // Too many lobby connections from this address (other tabs), or too many requests.
      return { text: "The lobby is not taking more connections from your network right now (too many open pages or attempts).", waitMs: RATE_LIMIT_WAIT_MS };
    case SdkErrorCode.MATCHMAKE_INVALID_CRITERIA:
      // The lobby room is locked: every place in it is taken.
      return { text: "The lobby is full right now.", waitMs: 3000 };
    case MatchmakingStatus.SHUTTING_DOWN:
      return { text: "The server is restarting.", waitMs: 3000 };
    default:
      return { text: `The list of open games is not available: ${failure.title}`, waitMs: failure.waitMs };
  }
}

export class LobbyScreen {
  readonly el: HTMLElement;
  private lobbyRoom?: Room;
  private rooms: RoomEntry[] | undefined;
  /** When the mouse last moved over the room lists or below them (performance.now(); 0: not there). */
  private pointerMovedAt = 0;
  /** A list that arrived while the mouse was aiming at the lists waits for it ({@link roomsArrived}). */
  private roomsHeld = false;
  private holdTimer?: ReturnType<typeof setTimeout>;
  /** The game a quick match is searching a room for (its button says "Searching…"). */
  private searching: string | undefined;
  /** Why the live list is not connected (shown above it), "" while it is. */
  private lobbyProblem = "";
  private disposed = false;
  /** While the lobby's live list is not connected: the list is read over HTTP every few seconds. */
  private polling?: ReturnType<typeof setInterval>;
  private busy = false;
  /** After "too many requests", no matchmaking request before this time (epoch ms). */
  private waitUntil = 0;
  private waitFailure?: JoinFailure;
  private readonly list: HTMLElement;
  private readonly nameInput: HTMLInputElement;
  private readonly nameError: HTMLElement;
  private readonly nameHelp: HTMLElement;
  /** The player whose profile name the field shows (a new identity puts its name in). */
  private nameOwner?: string;
  /** The player typed in the name field since the page put a name in it. */
  private nameEdited = false;
  private readonly unsubscribe: () => void;
  private readonly joinError: HTMLElement;
  private readonly createForm: HTMLFormElement;
  private readonly linkInput: HTMLInputElement;
  /** The invited room's game, once the live list shows it (a private room's never does). */
  private readonly inviteGame = h("span", { testid: "invite-game" });
  /** The signed-in player's games whose seat the server holds for them (GET /api/me/games): "Return to the game". */
  private readonly running = h("section", { class: "card running-games", testid: "running-games", attrs: { hidden: true, "aria-live": "polite" } });
  private runningSeats: AwaySeat[] = [];
  /** The held rooms the lists' rows last showed Return for (heldKey). */
  private listedHeld = "";
  /** The player whose running games the panel shows (looked up again for a new identity). */
  private runningOwner?: string;
  /** Looks again when the first offered seat's window ends (the offer goes with it). */
  private runningTimer?: ReturnType<typeof setTimeout>;
  /** The player whose held seats are being looked up now (one look at a time). */
  private runningLook?: string;
  /** The invite card's next look at its room. */
  private inviteTimer?: ReturnType<typeof setTimeout>;
  /** The look every {@link LOOK_AGAIN_MS} for a held seat and a rename made elsewhere. */
  private lookTimer?: ReturnType<typeof setInterval>;
  /** Counts the offered seats' time down, once a second while any is offered. */
  private runningTick?: ReturnType<typeof setInterval>;

  constructor(
    private readonly host: LobbyHost,
    private invite?: string,
  ) {
    const id = (name: string) => `${name}-${++fieldIds}`;
    const nameId = id("name");
    this.nameInput = h("input", {
      testid: "name-input",
      // No maxlength: it counts UTF-16 units (an emoji is 2–15) and cuts a pasted name
      // silently, even mid-emoji. The 20-character limit is in graphemes, checked by
      // checkName before anything is sent, which says when a name is too long.
      attrs: { id: nameId, type: "text", dir: "auto", autocomplete: "nickname", placeholder: "e.g. Ada", spellcheck: "false", "aria-describedby": `${nameId}-help` },
    });
    this.nameInput.value = host.account.user?.name ?? loadName();
    this.nameOwner = host.account.user?.id;
    this.nameInput.addEventListener("input", () => {
      this.nameError.hidden = true;
      this.nameInput.removeAttribute("aria-invalid");
      this.nameEdited = true;
      saveName(this.nameInput.value);
    });
    // A changed name becomes the profile's name (when the player leaves the field or presses Enter).
    this.nameInput.addEventListener("change", () => void this.saveProfileName());
    this.nameInput.addEventListener("keydown", (e) => {
      if (e.key === "Enter") void this.saveProfileName();
    });
    this.nameError = h("p", { class: "field-error", testid: "name-error", attrs: { role: "alert", hidden: true } });
    this.nameHelp = h("p", { class: "muted small", attrs: { id: `${nameId}-help` } });
    this.joinError = h("div", { class: "join-error", testid: "join-error", attrs: { hidden: true } });
    this.list = h("div", { class: "room-lists", testid: "lobby-rooms", attrs: { "aria-live": "polite", "aria-busy": "true" } });
    this.createForm = this.buildCreateForm(id);
    const linkId = id("link");
    this.linkInput = h("input", { testid: "join-link-input", attrs: { id: linkId, type: "text", placeholder: "Room code or invite link", autocomplete: "off", spellcheck: "false" } });

    const linkForm = h(
      "form",
      { class: "inline-form", testid: "join-link-form" },
      h("label", { attrs: { for: linkId } }, "Room code or link"),
      h("div", { class: "row" }, this.linkInput, h("button", { class: "primary", testid: "btn-join-link", attrs: { type: "submit" } }, "Join"), h("button", { action: "watch-link", testid: "btn-watch-link", attrs: { type: "button" } }, "Watch")),
    );
    linkForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const roomId = roomIdFrom(this.linkInput.value);
      if (!roomId) return showError("That does not look like a room code or an invite link.");
      void this.joinById(roomId, false);
    });

    this.el = h(
      "section",
      { class: "screen lobby", testid: "lobby" },
      // The screen's heading, for screen readers (the page focuses a screen's first heading):
      // above the name, so the first Tab reaches it (until 2026-12-06 the focus went to "Open
      // games", below it, and the name field was 18 Tabs away).
      h("h2", { class: "sr-only" }, invite ? "Lobby: you were invited to a game" : "Lobby"),
      h(
        "section",
        { class: "card who" },
        h("label", { attrs: { for: nameId } }, "Your name"),
        this.nameInput,
        this.nameHelp,
        this.nameError,
      ),
      invite ? this.buildInvite(invite) : null,
      this.running,
      this.joinError,
      h("section", { class: "card rooms" }, h("h2", {}, "Open games"), this.list),
      h("section", { class: "card create" }, h("h2", {}, "New game"), this.createForm),
      h("section", { class: "card join-link" }, h("h2", {}, "Join by link"), linkForm),
    );
    delegate(this.el, (action, el) => this.onAction(action, el));
    // A mouse (or pen) aiming at a row, or at the forms below the lists (a longer list moves
    // them down): see roomsArrived. What is above the lists stays put. Touch has no hover.
    this.el.addEventListener("pointermove", (e) => {
      if (e.pointerType === "touch") return;
      if (e.clientY >= this.list.getBoundingClientRect().top) this.pointerMovedAt = performance.now();
      else this.pointerAway();
    });
    this.el.addEventListener("pointerleave", () => this.pointerAway());
    this.unsubscribe = host.account.onChange(() => this.onAccount());
    this.renderNameHelp();
    this.renderRooms();
    void this.showRunning();
    addEventListener("focus", this.onFront);
    document.addEventListener("visibilitychange", this.onFront);
    this.lookTimer = setInterval(() => {
      if (document.visibilityState !== "visible") return;
      void this.showRunning(true);
      // The profile less often: a rename elsewhere is rarer than a dropped game.
      void this.host.account.refresh(3 * LOOK_AGAIN_MS);
    }, LOOK_AGAIN_MS);
    void this.connect();
  }

  /** Back to this page (a tab closed elsewhere may have left a game to offer). */
  private readonly onFront = () => {
    if (document.visibilityState === "visible") void this.showRunning(true);
  };

  /**
   * Offers the games whose seat the server holds for the signed-in player while they are
   * away: a tab closed mid-game (its saved seat went with it), another device. A game open
   * in another tab is not offered (its seat is connected), nor one this tab left. Looked up
   * for each new identity (the panel is emptied at once when the player changes), again when
   * the page comes back to the front, every {@link LOOK_AGAIN_MS} while it is on screen, when
   * an offered seat's window ends, and after a failed lookup; nothing is shown when there is
   * none (the lobby works as before).
   */
  private async showRunning(again = false) {
    const user = this.host.account.user;
    const token = this.host.client.auth.token;
    const owner = this.host.account.state === "on" && user && token ? user.id : undefined;
    if (owner === this.runningOwner && !again) return;
    if (owner !== this.runningOwner) this.renderRunning([]);
    this.runningOwner = owner;
    clearTimeout(this.runningTimer);
    if (!owner || !token) return;
    // One look at a time (focus and visibilitychange come together, the timer beside them).
    if (this.runningLook === owner) return;
    this.runningLook = owner;
    let seats: AwaySeat[] | undefined;
    try {
      seats = (await fetchRunningGames(token)).filter((s) => viewOf(s.game) !== undefined && !leftHere(s.roomId));
    } catch {
      seats = undefined;
    } finally {
      if (this.runningLook === owner) this.runningLook = undefined;
    }
    // Signed in as someone else meanwhile: their own lookup shows theirs.
    if (this.disposed || this.runningOwner !== owner) return;
    if (seats) this.renderRunning(seats);
    const soonest = seats && seats.length > 0 ? Math.min(...seats.map((s) => s.until)) - Date.now() + 1000 : Infinity;
    const next = seats ? soonest : RUNNING_RETRY_MS;
    if (next < Infinity) this.runningTimer = setTimeout(() => void this.showRunning(true), Math.max(1000, next));
  }

  private renderRunning(offered: AwaySeat[]) {
    this.runningSeats = offered;
    // The lists' rows follow (Return on a held game's row), held still under an aiming mouse as any new list.
    if (this.rooms !== undefined && this.heldKey() !== this.listedHeld) this.roomsArrived(this.rooms);
    const seats = this.liveSeats();
    this.running.hidden = seats.length === 0;
    const at = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    // "for 51 s more": a clock time alone does not say whether 5 s or 59 s are left.
    const left = (ms: number) => {
      const s = secondsLeft(ms);
      return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min`;
    };
    if (seats.length > 0 && this.runningTick === undefined) this.runningTick = setInterval(() => this.renderRunning(this.runningSeats), 1000);
    if (seats.length === 0) {
      clearInterval(this.runningTick);
      this.runningTick = undefined;
    }
    // Morphed, not rebuilt: it re-renders each second, and a focused Return button must stay.
    morphContent(
      this.running,
      h(
        "div",
        {},
        ...(seats.length === 0
          ? []
          : [
              h("h2", {}, seats.length === 1 ? "Your game is waiting" : "Your games are waiting"),
              ...seats.map((s) => {
                const title = viewOf(s.game)!.title;
                return h(
                  "div",
                  // Keyed: a row of another game is replaced, so a focused Return never changes game under the keyboard.
                  { class: "row running-game", testid: "running-game", data: { key: s.roomId } },
                  // The seconds are hidden from screen readers: the panel is a live region, and they change each second.
                  h("p", {}, h("strong", {}, title), ": you are away from it, and your seat is kept ", h("span", { attrs: { "aria-hidden": "true" } }, `for ${left(s.until)} more `), `(until ${at(s.until)}).`),
                  h("button", { class: "primary", action: "return", testid: "btn-return", data: { room: s.roomId }, attrs: { type: "button", "aria-label": `Return to the game: ${title}` } }, "Return to the game"),
                );
              }),
            ]),
      ),
    );
  }

  private renderNameHelp() {
    const words = this.host.account.enabled
      ? `Your name in games, on your profile and on the leaderboards. Up to ${NAME_MAX_GRAPHEMES} characters (an emoji counts as one).`
      : `Up to ${NAME_MAX_GRAPHEMES} characters (an emoji counts as one). Leave empty to play as “Player 1”, “Player 2”…`;
    if (this.nameHelp.textContent !== words) this.nameHelp.textContent = words;
  }

  /** Signed in, out, or renamed: the name field shows the profile's name (unless the player is typing one). */
  private onAccount() {
    this.renderNameHelp();
    void this.showRunning();
    const user = this.host.account.user;
    if (!user) return;
    const newOwner = user.id !== this.nameOwner;
    // The first sign-in finished after the player typed a name: theirs is kept (and saved at join).
    const keepTyped = newOwner && this.nameOwner === undefined && this.nameEdited;
    this.nameOwner = user.id;
    if (keepTyped || this.nameInput.value === user.name) return;
    if (newOwner || (!this.nameEdited && document.activeElement !== this.nameInput)) {
      this.nameInput.value = user.name;
      this.nameEdited = false;
      this.nameError.hidden = true;
      this.nameInput.removeAttribute("aria-invalid");
    }
  }

  /** Makes the field's name the profile's name; a refusal says why (the field's name is still used in games). */
  private async saveProfileName(): Promise<void> {
    const { account } = this.host;
    if (account.state !== "on") return;
    const raw = this.nameInput.value;
    if (raw.trim() === "") {
      // A profile keeps a name: an emptied field shows it again (it is the name games use),
      // rather than staying blank with nothing said.
      const name = account.user?.name;
      if (name !== undefined) {
        this.nameInput.value = name;
        this.nameEdited = false;
        saveName(name);
      }
      return;
    }
    const checked = checkName(raw);
    if (!checked.ok) {
      this.nameError.textContent = `${checked.reason}.`;
      this.nameError.hidden = false;
      this.nameInput.setAttribute("aria-invalid", "true");
      return;
    }
    try {
      await account.rename(checked.name);
      this.nameEdited = false;
    } catch (err) {
      const failure = err as RequestFailure;
      showError("Your profile name could not be changed.", failure?.title ?? "");
    }
  }

  /**
   * The name to join with: the field's (after making it the profile's name), or the
   * profile's when the field is empty; `null` when the field's name is refused.
   */
  private async joinName(): Promise<string | undefined | null> {
    const name = this.name();
    if (name === null) return null;
    if (name === undefined) return this.host.account.user?.name;
    if (this.host.account.state === "on" && this.host.account.user?.name !== name) await this.saveProfileName();
    return name;
  }

  private buildInvite(roomId: string): HTMLElement {
    const panel = h(
      "section",
      { class: "card invite-card", testid: "invite-panel" },
      h("h2", {}, "You were invited"),
      h("p", { testid: "invite-line" }, "Room ", h("code", {}, roomId), this.inviteGame, ". Pick your name above, then:"),
      h(
        "div",
        { class: "row", testid: "invite-actions" },
        inviteJoinButton(roomId),
        h("button", { action: "invite-watch", testid: "btn-invite-watch", data: { room: roomId }, attrs: { type: "button" } }, "Watch"),
      ),
    );
    void this.describeInvite(panel, roomId);
    return panel;
  }

  /**
   * Says which game and who invites (GET /api/rooms/:id), or that the game is gone; looks
   * again every {@link INVITE_LOOK_MS} while the card is shown, so a seat that frees up is
   * offered, and one taken is not (until 2026-12-05 the card said what it read once).
   */
  private async describeInvite(panel: HTMLElement, roomId: string) {
    const again = () => {
      clearTimeout(this.inviteTimer);
      this.inviteTimer = setTimeout(() => void this.describeInvite(panel, roomId), INVITE_LOOK_MS);
    };
    // A page in the background asks nothing (players behind one address share its request budget).
    if (document.visibilityState === "hidden" && panel.isConnected) return again();
    // Offline (neither): the plain invite stays.
    const { entry, gone } = await lookUpRoom(roomId);
    if (this.disposed) return;
    // Gone is looked at again too: while another process takes a room over, its listing may
    // be missing for a few seconds (src/ha/unanswered.ts), and the room comes back.
    again();
    const line = panel.querySelector<HTMLElement>("[data-testid=invite-line]");
    const actions = panel.querySelector<HTMLElement>("[data-testid=invite-actions]");
    if (!line || !actions) return;
    if (gone) {
      line.replaceChildren("This game no longer exists: it may have ended. Pick an open game below, or start a new one.");
      actions.querySelector("[data-testid=btn-invite-join]")?.remove();
      actions.hidden = true;
      return;
    }
    const view = viewOf(entry?.game);
    if (!entry || !view) return;
    const host = entry.names[0];
    const details = settingsWords(entry.settings);
    line.replaceChildren(
      ...(host ? [h("bdi", { class: "player-name" }, host), ` invites you to ${view.title}`] : [`You are invited to ${view.title}`]),
      details ? ` (${details})` : "",
      entry.open ? ". Pick your name above, then:" : entry.started ? ". The game has started: you can watch it." : ". Every seat is taken: you can watch.",
    );
    actions.hidden = false;
    const join = actions.querySelector("[data-testid=btn-invite-join]");
    if (!entry.open) join?.remove();
    else if (!join) actions.prepend(inviteJoinButton(roomId));
  }

  private buildCreateForm(id: (name: string) => string): HTMLFormElement {
    const gameRadios = VIEWS.map((view, i) => {
      const game = view.protocol.name;
      const rid = id(`game-${game}`);
      return h(
        "div",
        { class: "radio" },
        h("input", { testid: `create-game-${game}`, attrs: { id: rid, type: "radio", name: "game", value: game, checked: i === 0 } }),
        h("label", { attrs: { for: rid } }, h("strong", {}, view.title), h("span", { class: "muted small" }, ` — ${view.blurb}`)),
      );
    });
    const optionFields = VIEWS.flatMap((view) =>
      view.createOptions.map((field) => {
        const fid = id(`${view.protocol.name}-${field.key}`);
        return h("div", { class: "field", data: { "for-game": view.protocol.name } }, h("label", { attrs: { for: fid } }, field.label), optionControl(view.protocol.name, field, fid));
      }),
    );
    const privateId = id("private");
    const timerId = id("timer");
    const form = h(
      "form",
      { class: "create-form", testid: "create-form" },
      h("fieldset", {}, h("legend", {}, "Game"), gameRadios),
      h(
        "div",
        { class: "check" },
        h("input", { testid: "create-private", attrs: { id: privateId, type: "checkbox", name: "private" } }),
        h("label", { attrs: { for: privateId } }, "Private room (not listed; join by link only)"),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { attrs: { for: timerId } }, "Turn timer"),
        h(
          "select",
          { testid: "create-timer", attrs: { id: timerId, name: "turnSeconds" } },
          [0, 15, 30, 60, 120].map((s) => h("option", { attrs: { value: s, selected: s === 0 } }, s === 0 ? "Off" : `${s} seconds`)),
        ),
      ),
      optionFields,
      h("button", { class: "primary", testid: "btn-create", attrs: { type: "submit" } }, "Create room"),
    );
    // Only the chosen game's own options show (hidden fields are not validated or sent).
    const sync = () => {
      const game = (form.elements.namedItem("game") as RadioNodeList).value;
      form.querySelectorAll<HTMLElement>("[data-for-game]").forEach((el) => {
        const other = el.getAttribute("data-for-game") !== game;
        el.hidden = other;
        el.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select").forEach((control) => (control.disabled = other));
      });
    };
    form.addEventListener("change", sync);
    sync();
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.create();
    });
    return form;
  }

  /**
   * The checked and cleaned name, `undefined` for none (the server names the player), `null`
   * when refused: then the field says why (checkName's reason names the character).
   */
  private name(): string | undefined | null {
    const raw = this.nameInput.value;
    if (raw.trim() === "") return undefined;
    const checked = checkName(raw);
    if (checked.ok) return checked.name;
    this.nameError.textContent = `${checked.reason}.`;
    this.nameError.hidden = false;
    this.nameInput.setAttribute("aria-invalid", "true");
    this.nameInput.focus();
    return null;
  }

  private setLobbyProblem(text: string) {
    if (this.lobbyProblem === text) return;
    this.lobbyProblem = text;
    this.renderRooms();
  }

  /** Joins the lobby (the server opens it; clients only join), retrying with a backoff. */
  private async connect() {
    for (let attempt = 0; !this.disposed; attempt++) {
      setConnection("connecting", "lobby");
      try {
        const room = await this.host.account.withAuthRetry(() => this.host.client.join("lobby", { include: "all" }));
        if (this.disposed) {
          // The page left the lobby meanwhile (a seat restored on load, a quick Create): the
          // listing the lobby sends first is not read (until 2026-12-06 the SDK warned in the
          // console that nothing listened for it).
          room.onMessage("*", () => undefined);
          void room.leave(true);
          return;
        }
        this.lobbyRoom = room;
        this.stopPolling();
        this.setLobbyProblem("");
        room.onMessage("rooms", (payload: unknown) => {
          this.roomsArrived(Array.isArray(payload) ? payload.filter(isRoomEntry) : []);
        });
        room.onMessage("*", () => undefined);
        // The lobby keeps no place for a dropped connection (the SDK's reconnection would be
        // refused): a drop goes straight to onLeave, which joins it again.
        room.reconnection.enabled = false;
        room.onDrop(() => setConnection("reconnecting", "lobby"));
        room.onLeave((code: number) => {
          if (this.disposed) return;
          this.lobbyRoom = undefined;
          // Cut for flooding (it should not happen: this page sends one refresh per join).
          const flooding = code === CLOSE_FLOODING;
          const delay = flooding ? 10000 : 2000;
          this.setLobbyProblem(`${flooding ? "The lobby disconnected this page for sending too many requests." : "The connection to the lobby was lost."} Trying again in ${Math.round(delay / 1000)} s.`);
          setConnection("lost", "lobby — retrying…");
          this.startPolling();
          void napUntilOnline(delay).then(() => {
            if (!this.disposed) void this.connect();
          });
        });
        // The first list may have arrived before the handler was registered.
        room.send("refresh");
        setConnection("connected", "lobby");
        return;
      } catch (err) {
        if (this.disposed) return;
        const failure = lobbyFailure(err);
        const delay = Math.max(failure.waitMs, lobbyBackoff(attempt));
        this.setLobbyProblem(`${failure.text} Trying again in ${Math.round(delay / 1000)} s.`);
        setConnection("lost", "lobby — retrying…");
        this.startPolling();
        await napUntilOnline(delay);
      }
    }
  }

  /**
   * The open games without the lobby (full, or this network's connections used up): read
   * over HTTP (`GET /api/rooms`) now and every 5 s until the live list is back, so a lobby
   * filled by others never hides the games.
   */
  private startPolling() {
    if (this.polling || this.disposed) return;
    const read = async () => {
      try {
        const res = await fetch("/api/rooms?include=all");
        const payload: unknown = res.ok ? await res.json() : undefined;
        if (this.disposed || this.lobbyRoom || !Array.isArray(payload)) return;
        this.roomsArrived(payload.filter(isRoomEntry));
      } catch {
        // Offline or refused: the next read, or the lobby, brings the list.
      }
    };
    void read();
    this.polling = setInterval(() => void read(), 5000);
  }

  private stopPolling() {
    clearInterval(this.polling);
    this.polling = undefined;
  }

  dispose() {
    this.stopPolling();
    clearTimeout(this.runningTimer);
    clearInterval(this.runningTick);
    clearTimeout(this.holdTimer);
    removeEventListener("focus", this.onFront);
    clearTimeout(this.inviteTimer);
    document.removeEventListener("visibilitychange", this.onFront);
    clearInterval(this.lookTimer);
    this.disposed = true;
    this.unsubscribe();
    const room = this.lobbyRoom;
    this.lobbyRoom = undefined;
    if (room) {
      room.removeAllListeners();
      void room.leave(true).catch(() => undefined);
    }
  }

  /**
   * A new list of rooms from the lobby (or the HTTP fallback). Rows come, go and reorder
   * (joinable first), so a row can move under a mouse that is about to click: Join on one
   * game becomes Watch on another, and the forms below move down. While the mouse moves over
   * the lists or below them (and up to `HOLD_MS` after it last moved there), the new list
   * waits; it shows once the mouse goes above them or off the page, or rests. The player's
   * own actions (Quick match) show at once.
   */
  private roomsArrived(rooms: RoomEntry[]) {
    const first = this.rooms === undefined;
    this.rooms = rooms;
    const waited = performance.now() - this.pointerMovedAt;
    // The first list replaces "Loading…": nothing there to click.
    if (first || this.pointerMovedAt === 0 || waited >= HOLD_MS) {
      this.renderRooms();
      return;
    }
    this.roomsHeld = true;
    if (this.holdTimer === undefined) this.holdTimer = setTimeout(() => this.releaseRooms(), HOLD_MS - waited);
  }

  /** The mouse is not over the lists or below them: a held list shows now. */
  private pointerAway() {
    if (this.pointerMovedAt === 0) return;
    this.pointerMovedAt = 0;
    if (this.roomsHeld) this.renderRooms();
  }

  /** Shows a held list once the mouse left the lists or rested (else waits on). */
  private releaseRooms() {
    this.holdTimer = undefined;
    if (!this.roomsHeld || this.disposed) return;
    const waited = performance.now() - this.pointerMovedAt;
    if (this.pointerMovedAt !== 0 && waited < HOLD_MS) {
      this.holdTimer = setTimeout(() => this.releaseRooms(), HOLD_MS - waited);
      return;
    }
    this.renderRooms();
  }

  /** The offered seats whose window has not ended (one is not offered while the lookup after it runs, or failed). */
  private liveSeats(): AwaySeat[] {
    return this.runningSeats.filter((s) => secondsLeft(s.until) > 0);
  }

  /** The rooms where the server holds this player's seat while they are away (offered above the lists), as a key. */
  private heldKey(): string {
    if (this.runningOwner === undefined || this.runningOwner !== this.host.account.user?.id) return "";
    return this.liveSeats()
      .map((s) => s.roomId)
      .sort()
      .join(" ");
  }

  private renderRooms() {
    this.roomsHeld = false;
    const rooms = this.rooms;
    // The player's own game, away from it: its row offers Return, not Watch (until 2026-12-06
    // it offered Watch, under "Return to the game", and a click watched their own seat wait).
    this.listedHeld = this.heldKey();
    const held = new Set(this.listedHeld.split(" "));
    const next = h(
      "div",
      {},
      this.lobbyProblem ? h("p", { class: "lobby-problem", testid: "lobby-problem", attrs: { role: "status" } }, this.lobbyProblem) : null,
      VIEWS.map(({ protocol: { name: game }, title }) => {
        const mine = (rooms ?? []).filter((r) => r.game === game);
        return h(
          "section",
          { class: "game-rooms", testid: `rooms-${game}` },
          h(
            "div",
            { class: "game-rooms-head" },
            h("h3", {}, title),
            h(
              "button",
              { action: "quick", testid: `btn-quick-${game}`, data: { game }, attrs: { type: "button", "aria-label": `Quick match: ${title}`, "aria-busy": this.searching === game ? "true" : undefined, disabled: this.searching !== undefined } },
              this.searching === game ? "Searching…" : "Quick match",
            ),
          ),
          rooms === undefined
            ? h("p", { class: "muted" }, this.lobbyProblem ? "Not available yet." : "Loading…")
            : mine.length === 0
              ? h("p", { class: "muted" }, "No public rooms yet. Create one or use Quick match.")
              : h(
                  "ul",
                  { class: "room-list" },
                  mine.map((r) => {
                    const state = r.started ? "playing" : r.open ? "waiting for players" : "full";
                    // Every human seated has a name in the listing; the seats without one are bots.
                    const words = settingsWords(r.settings, true);
                    const bots = Math.max(0, r.players - r.names.length);
                    const botWords = bots === 0 ? "" : bots === 1 ? "a bot" : `${bots} bots`;
                    return h(
                      "li",
                      { class: "room", testid: `room-${r.roomId}`, data: { key: r.roomId, room: r.roomId } },
                      h("code", { class: "room-id" }, r.roomId),
                      h(
                        "span",
                        { class: "room-info" },
                        // Each name isolated on its own: in one <bdi> together, a right-to-left first name
                        // turned the whole list around ("Tom ,شادي"; play-test, 2026-12-07).
                        r.names.length ? [r.names.map((name, i) => [i > 0 ? ", " : "", h("bdi", { class: "player-name" }, name)]), botWords ? ` and ${botWords}` : "", " · "] : botWords ? `${botWords} · ` : null,
                        `${r.players}/${r.seats} players · ${state}`,
                        // (Until 2026-12-06 an Owe Drahn row also said "up to 8 players" after its "3/8 players".)
                        words ? ` · ${words}` : "",
                      ),
                      held.has(r.roomId)
                        ? h("button", { class: "primary", action: "return", testid: `btn-return-${r.roomId}`, data: { room: r.roomId }, attrs: { type: "button", "aria-label": `Return to your game: ${title} room ${r.roomId}` } }, "Return")
                        : r.open
                          ? h("button", { class: "primary", action: "join", testid: `btn-join-${r.roomId}`, data: { room: r.roomId }, attrs: { type: "button", "aria-label": `Join ${title} room ${r.roomId}` } }, "Join")
                          : h("button", { action: "watch", testid: `btn-watch-${r.roomId}`, data: { room: r.roomId }, attrs: { type: "button", "aria-label": `Watch ${title} room ${r.roomId}` } }, "Watch"),
                    );
                  }),
                ),
        );
      }),
    );
    morphContent(this.list, next);
    const invited = this.invite ? rooms?.find((r) => r.roomId === this.invite) : undefined;
    const invitedView = viewOf(invited?.game);
    this.inviteGame.textContent = invitedView ? ` (${invitedView.title})` : "";
    this.list.setAttribute("aria-busy", rooms === undefined ? "true" : "false");
  }

  private onAction(action: string, el: HTMLElement) {
    const roomId = el.getAttribute("data-room") ?? "";
    switch (action) {
      case "join":
      case "invite-join":
        void this.joinById(roomId, false);
        break;
      case "watch":
      case "invite-watch":
      case "error-watch":
        void this.joinById(roomId, true);
        break;
      case "watch-link": {
        const id = roomIdFrom(this.linkInput.value);
        if (!id) showError("That does not look like a room code or an invite link.");
        else void this.joinById(id, true);
        break;
      }
      case "return": {
        // Only the signed-in player's own offer (the panel is emptied when the player changes).
        const seat = this.runningOwner === this.host.account.user?.id ? this.runningSeats.find((s) => s.roomId === roomId) : undefined;
        if (seat) this.host.returnTo(seat);
        break;
      }
      case "quick": {
        const view = viewOf(el.getAttribute("data-game"));
        if (view) void this.quickMatch(view);
        break;
      }
      default:
        break;
    }
  }

  private showJoinError(failure: JoinFailure, roomId?: string) {
    showError(failure.title, failure.detail);
    this.joinError.replaceChildren(h("p", {}, failure.title, failure.detail ? h("span", { class: "muted" }, ` (${failure.detail})`) : null));
    if (failure.canWatch && roomId) {
      this.joinError.append(h("button", { action: "error-watch", testid: "btn-error-watch", data: { room: roomId }, attrs: { type: "button" } }, "Watch instead"));
    }
    this.joinError.hidden = false;
  }

  /**
   * Runs one matchmaking call; while it runs, other joins are ignored. After "too many
   * requests" it sends nothing for a few seconds (and says so), so clicks cannot loop.
   */
  private async attempt(run: () => Promise<Room>, roomId: string | undefined, isPrivate: boolean, spectator = false, quick = false, joinSeed?: JoinSeed) {
    if (this.busy || this.disposed) return;
    if (this.waitFailure && Date.now() < this.waitUntil) {
      this.showJoinError(this.waitFailure, roomId);
      return;
    }
    this.busy = true;
    this.joinError.hidden = true;
    this.el.setAttribute("aria-busy", "true");
    try {
      // Signed in first if that is still under way (the game is recorded); a refused sign-in
      // token (525): signed in again as a guest, then one more try.
      if (!spectator) await this.host.account.signInSettled();
      if (this.disposed) return;
      const room = await this.host.account.withAuthRetry(run);
      const view = viewOf(room.name);
      if (!view) {
        void room.leave(true);
        showError("That room is not a game this page can show.");
        return;
      }
      if (this.invite) forgetInviteInLocation();
      this.host.enterGame(room, view, isPrivate, spectator, quick, joinSeed);
    } catch (err) {
      const failure = describeJoinError(err);
      if (failure.waitMs > 0) {
        this.waitUntil = Date.now() + failure.waitMs;
        this.waitFailure = failure;
      }
      this.showJoinError(failure, roomId);
    } finally {
      this.busy = false;
      this.el.removeAttribute("aria-busy");
    }
  }

  private async joinById(roomId: string, spectate: boolean) {
    if (this.busy) return;
    const name = await this.joinName();
    if (name === null) return;
    // A room with fair dice: a client seed of this page's goes with the join, with the
    // commitment the listing shows now, so it counts in the game the join may start.
    const joinSeed = spectate ? undefined : await fairJoinSeed(roomId);
    const options = joinByIdOptions(name, joinSeed, spectate);
    await this.attempt(() => this.host.client.joinById(roomId, options), roomId, false, spectate, false, joinSeed);
  }

  private async quickMatch(view: AnyView) {
    if (this.searching || this.busy) return;
    this.searching = view.protocol.name;
    this.renderRooms();
    try {
      const name = await this.joinName();
      if (name === null) return;
      await this.attempt(() => quickMatch(() => this.host.client.joinOrCreate(view.protocol.name, commonJoinOptions.parse({ name }))), undefined, false, false, true);
    } finally {
      this.searching = undefined;
      if (!this.disposed) this.renderRooms();
    }
  }

  private async create() {
    if (this.busy) return;
    const name = await this.joinName();
    if (name === null) return;
    const form = this.createForm;
    const field = (n: string) => form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement;
    const view = viewOf((form.elements.namedItem("game") as RadioNodeList).value);
    if (!view) return;
    const game = view.protocol.name;
    const isPrivate = (field("private") as HTMLInputElement).checked;
    const turnSeconds = Number(field("turnSeconds").value);
    const common = { name, private: isPrivate || undefined, turnSeconds: turnSeconds || undefined };
    const extra = Object.fromEntries(view.createOptions.map((o) => [o.key, Number(field(`${game}.${o.key}`).value)]));
    const parsed = view.protocol.options.safeParse({ ...common, ...extra });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const label = view.createOptions.find((o) => o.key === issue?.path[0])?.label ?? issue?.path.join(".");
      showError("Please check the game settings.", issue ? `${label}: ${issue.message}` : "");
      return;
    }
    // Send what the player chose (undefined keys are dropped by JSON).
    await this.attempt(() => this.host.client.create(game, { ...common, ...extra }), undefined, isPrivate);
  }
}

/**
 * A room's settings in a few words: "30 s turns, to 5000 points, up to 4 players"; without
 * the seats where the line says them already (`seatsShown`: a lobby row's "1/4 players").
 */
export function settingsWords(settings: Record<string, number> | undefined, seatsShown = false): string {
  const words: string[] = [];
  for (const [key, value] of Object.entries(settings ?? {})) {
    if (key === "turnSeconds" && value > 0) words.push(`${value} s turns`);
    else if (key === "targetScore") words.push(`to ${value} points`);
    else if (key === "maxPlayers" && !seatsShown) words.push(`up to ${value} players`);
  }
  return words.join(", ");
}

/** The invite card's "Join the game". */
function inviteJoinButton(roomId: string): HTMLElement {
  return h("button", { class: "primary", action: "invite-join", testid: "btn-invite-join", data: { room: roomId }, attrs: { type: "button" } }, "Join the game");
}
