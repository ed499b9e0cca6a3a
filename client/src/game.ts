/**
 * The game screen shell: header (game, room code, role, leave), invite link, status and
 * turn lines, turn countdown, the game's own area, an event log, and the connection
 * handling of the room (drop → reconnecting, reconnect → connected, leave → lost).
 *
 * A spectator has no place to keep on the server: when its connection drops, the server
 * forgets it at once, so the SDK's reconnection cannot work. A spectator's screen instead
 * joins the same room again as a spectator (a few tries, with a backoff) and shows
 * "Reconnecting…" meanwhile.
 *
 * A seated player whose process died (high availability, README "High availability"):
 * the SDK's own reconnection retries only the dead process's address. So, 1.5 s after a
 * drop and alongside the SDK, or at once when the room says it moved (4412) or the SDK
 * gives up, the screen reconnects with the seat's current token through the page's own
 * address, which finds the room on the process that restored it (seat-restore.ts).
 */
import { CloseCode, type Client, type Room } from "@colyseus/sdk";
import type { Account } from "./account.js";
import { checkName } from "../../src/protocol/names.js";
import type { HistoryEntry, ServerEvents } from "../../src/protocol/messages.js";
import { describeCloseCode, describeErrorPayload, describeJoinError, isSeatExpired, type JoinFailure } from "./errors.js";
import { CLOSE_ROOM_MOVED, CLOSE_SLOW_CLIENT, ErrorCode } from "../../src/protocol/errors.js";
import { delegate, h, online, plainText, rich, sleep, type Text } from "./dom.js";
import { gridKeys, gridOf, readStops, usableStop, writeStops } from "./grid.js";
import { morphContent } from "./morph.js";
import type { AnyView } from "./games/index.js";
import { clearSeat, inviteLink, loadName, markLeft, saveSeat } from "./session.js";
import { addsTo, clearToasts, setConnectedAgain, setConnection, setNotice } from "./ui.js";
import { setSound, soundOn, TurnSignal } from "./attention.js";
import QRCode from "qrcode";
import { secondsLeft, type GameView, type Summary, type ViewContext } from "./view.js";
import { checkedSender, RepeatGuard } from "./sender.js";
import type { JoinSeed } from "./fairness.js";
import { FairDice } from "./fair-dice.js";
import { reconnectWindowMs, RESTORE_DELAYS_MS, restoreGiveUpAt, SeatRestore, seatGoneText } from "./seat-restore.js";
import { leaveWhenBack } from "./late-leave.js";
import { SeatWatch } from "./seat-watch.js";

export interface GameHost {
  /** The page is being unloaded (reload, navigation): keep the saved seat. */
  readonly unloading: boolean;
  /** The page's Colyseus client (a spectator joins again through it). */
  readonly client: Client;
  /** The player's sign-in: a spectator's join again retries once after a refused token. */
  readonly account: Account;
  showLobby(): void;
  /**
   * A spectator takes a free seat of the room: joined as a player (the game screen is
   * replaced), or what went wrong (the spectator's screen stays). A seat joined once the
   * spectator no longer `wanted` it (they left meanwhile) is given up at once.
   */
  takeSeat(roomId: string, view: AnyView, isPrivate: boolean, wanted: () => boolean): Promise<JoinFailure | undefined>;
}

/** How long a refused action stays explained under the game when nothing else changes. */
const FEEDBACK_MS = 6000;

const LOG_LINES = 6;
/** History entries kept and shown ("What happened", newest first). */
const HISTORY_LINES = 60;

/** Waits before each try of a spectator's re-join: a few tries, backing off. */
const REJOIN_DELAYS_MS = [300, 1000, 2000, 4000, 8000];
/** A spectator's re-join gives up after this long, even while the page waits to be online. */
const REJOIN_GIVE_UP_MS = 60_000;
/** How long a Leave sent over an open connection waits for the server to close it (its sign the leave was read). */
const LEAVE_CONFIRM_MS = 2000;

/** Close codes of a connection that was lost (not closed by the server on purpose). */
const CONNECTION_LOST: readonly number[] = [
  CloseCode.GOING_AWAY,
  CloseCode.NO_STATUS_RECEIVED,
  CloseCode.ABNORMAL_CLOSURE,
  CloseCode.MAY_TRY_RECONNECT,
  CloseCode.FAILED_TO_RECONNECT,
];

/**
 * Turns off an old connection of a seat that came back through another one. The SDK reads
 * `reconnection.enabled` only when a socket closes, so a retry it has already scheduled
 * would still open a socket: that is made a no-op, and a retry socket still opening is
 * ignored (and closed if it opens). Its listeners go, so its later onLeave does nothing.
 */
function retire(room: Room) {
  room.reconnection.enabled = false;
  room.reconnection.maxRetries = 0;
  room.reconnection.enqueuedMessages = [];
  room.removeAllListeners();
  const connection = room.connection;
  if (!connection) return;
  connection.reconnect = () => undefined;
  connection.events.onmessage = null;
  connection.events.onerror = null;
  // (Also skips the SDK's offline-listener bookkeeping, which, for a socket that never
  // opened, removes the last listener of another connection.)
  connection.events.onclose = null;
  connection.events.onopen = () => connection.close();
  try {
    if (connection.isOpen) connection.close();
  } catch {
    // no socket
  }
}

/** A spectator's join options: the name from the lobby's field, when it is a valid one. */
export function spectatorOptions(): { spectate: true; name?: string } {
  const raw = loadName();
  const checked = raw.trim() === "" ? undefined : checkName(raw);
  return checked?.ok ? { spectate: true, name: checked.name } : { spectate: true };
}

/** The width up to which client/style.css lays the page out for a phone (its `@media (max-width: 480px)`). */
const PHONE_WIDTH = "(max-width: 480px)";

/** The server's refusal of a client seed (sent once the game had started, or by a spectator): not the player's doing, not shown. */
function isClientSeedRefusal(payload: unknown): boolean {
  const { code, message } = (payload ?? {}) as { code?: unknown; message?: unknown };
  return (code === ErrorCode.NOT_ALLOWED || code === ErrorCode.NOT_A_PLAYER) && typeof message === "string" && /client seed/i.test(message);
}

export class GameScreen {
  readonly el: HTMLElement;
  private room!: Room;
  private view!: GameView<any>;
  private readonly roomId: string;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly logLines: { id: number; text: Text }[] = [];
  /** The room's history as last read from the state (rebuilt when its entries change). */
  private history: HistoryEntry[] = [];
  private historyKey = "";
  /**
   * The newest history entry read out (its seq): undefined until the first state, whose
   * lines are not read out (a join or a reload mid-game would read the whole log).
   */
  private announcedSeq?: number;
  /** The history lines that came with the last state that brought any, for the live region. */
  private announcement: { seq: number; text: Text }[] = [];
  private logId = 0;
  private confirmingLeave = false;
  private leaving = false;
  private lost = false;
  /** A spectator's connection dropped: joining the room again (see rejoin()). */
  private rejoining = false;
  /** A seated player's way back after their process died or the room moved (beside the SDK's own reconnection). */
  private readonly restore: SeatRestore;
  private disposed = false;
  private copied = false;
  /** A spectator's look-out for a free seat ("Take the seat" is offered while its listing says one is free). */
  private readonly seats: SeatWatch;
  /** A spectator is taking the free seat (one join at a time). */
  private takingSeat = false;
  /**
   * The last refused action, shown under the game area (never over the board or its
   * controls) until the state changes, the next refusal replaces it, or a few seconds pass.
   */
  private feedback?: { title: Text; detail: Text; code: string };
  private feedbackTimer?: ReturnType<typeof setTimeout>;
  /** The clipboard could not be written (plain http, no permission): the link is selected instead. */
  private copyByHand = false;
  /** `<details>` (by test id) the player opened: kept open across renders, which rebuild the screen. */
  private readonly openDetails = new Set<string>();
  /** The invite link's QR code (a data URL), made once per link. */
  private qr?: { link: string; src?: string };
  /** "Your turn" in the tab's title and icon, and the optional chime. */
  private readonly signal: TurnSignal;
  /** Provably fair dice: the client seeds, the rolls seen, the reveal and "Verify fairness" (fair-dice.ts). */
  private readonly fair: FairDice;
  /** Leaves out a double click's second message (per connection). */
  private repeats = new RepeatGuard();
  /** The last render showed this player's turn (a new turn resets {@link repeats}). */
  private myTurnShown = false;

  /** `spectator`: this page joined the room to watch (with `spectate: true`). */
  constructor(
    private readonly host: GameHost,
    room: Room,
    private readonly entry: AnyView,
    private readonly isPrivate: boolean,
    private readonly spectator = false,
    /** Reached by Quick match: while the room waits, the page says it is searching. */
    private readonly quick = false,
    /** A client seed sent with the join (a join by id into a room with fair dice): see {@link FairDice}. */
    joinSeed?: JoinSeed,
    /**
     * The last game of the room's history before this page's player sat down: its lines are
     * not "You", even under the player's name (a player who left, and a newcomer given the
     * same name). Undefined for a fresh join: read from the first history seen.
     */
    private sinceGame?: number,
  ) {
    this.fair = new FairDice(spectator, joinSeed, entry.rolls, () => this.scheduleRender());
    this.el = h("section", { class: "screen game", testid: "game-screen", data: { game: entry.protocol.name } });
    this.signal = new TurnSignal(entry.title);
    this.roomId = room.roomId;
    this.seats = new SeatWatch(room.roomId, () => this.render(), () => this.disposed);
    const screen = this;
    this.restore = new SeatRestore({
      get room() {
        return screen.room;
      },
      reconnect: (token) => this.host.client.reconnect(token),
      done: () => this.leaving || this.disposed || this.lost,
      began: () => {
        this.confirmingLeave = false;
      },
      restored: (old, restored) => this.restored(old, restored),
      gameRunning: () => this.currentSummary()?.running === true,
      lost: (code, detail) => this.showLost(code, detail),
      render: () => this.render(),
    });
    delegate(this.el, (action, el) => this.onAction(action, el));
    gridKeys(this.el);
    // The control of the game's area that has the focus (a keyboard's, or a click's where
    // clicks focus); none once the focus moved elsewhere on the screen (see keepFocusInArea).
    this.el.addEventListener("focusin", (event) => {
      const target = event.target as HTMLElement;
      this.focusedInArea = target.closest(".game-area") ? target : undefined;
      this.focusedGrid = this.focusedInArea && gridOf(target);
    });
    this.attach(room);
    setConnection("connected");

    this.timer = setInterval(() => this.render(), 250);
    this.render();
  }

  /** Shows `room` (the first one, or a spectator's new connection to the same room). */
  private attach(room: Room) {
    this.room = room;
    // Refused here, before it was sent (a payload the protocol does not allow): as the server's refusals are.
    const refused = (title: Text, detail: Text, code: string) => {
      this.view.refused?.();
      this.showFeedback(title, detail, code);
    };
    this.repeats = new RepeatGuard();
    const ctx: ViewContext = { room, send: checkedSender(room, this.entry.protocol, refused, this.repeats, this.entry.toggles, () => this.scheduleRender()), log: (text) => this.log(text), rerender: () => this.scheduleRender(), recentHistory: () => this.history };
    this.view = this.entry.screen(ctx);
    if (this.spectator) {
      // The server keeps no place for a spectator (its reconnection would be refused):
      // a drop goes straight to onLeave, which joins the room again (rejoin()).
      room.reconnection.enabled = false;
    } else {
      // A drop right after joining should still be retried (the SDK's default waits 5 s).
      room.reconnection.minUptime = 1000;
    }
    this.save();

    // A new connection (a reconnection, a spectator's join again) sends its client seed again.
    this.fair.connected();
    room.onStateChange(() => {
      // What was refused is no longer true once the game moved on ("not your turn"…).
      this.feedback = undefined;
      // The message sent, if any, is answered: the next one may go.
      this.repeats.answered();
      this.fair.stateChanged(room);
      this.render();
    });
    room.onMessage("fairnessRevealed", (payload: ServerEvents["fairnessRevealed"] | undefined) => {
      if (room !== this.room || !payload || typeof payload.seed !== "string" || !Array.isArray(payload.rolls)) return;
      this.fair.revealed(room, payload);
      this.render();
    });
    room.onMessage("clientSeedAccepted", (payload: Partial<ServerEvents["clientSeedAccepted"]> | undefined) => {
      if (room !== this.room || typeof payload?.seed !== "string") return;
      this.fair.seedAccepted(payload.seed);
    });
    room.onMessage("error", (payload: unknown) => {
      this.repeats.reset();
      // A client seed sent once the game had started counts for nothing: the next one is sent after the game.
      if (isClientSeedRefusal(payload)) {
        this.fair.seedRefused();
        return;
      }
      // A refused rematch request (too many messages, a server error) must not leave its button waiting for an answer that will not come.
      this.view.refused?.();
      const e = describeErrorPayload(payload);
      this.showFeedback(e.title, e.detail, e.code);
    });
    room.onMessage("draining", (payload: Partial<ServerEvents["draining"]> | undefined) => {
      const seconds = typeof payload?.seconds === "number" && payload.seconds > 0 ? payload.seconds : undefined;
      const limit = seconds === undefined ? "" : seconds < 120 ? ` (up to ${Math.round(seconds)} s)` : ` (up to ${Math.round(seconds / 60)} min)`;
      setNotice(`The server is restarting soon. A game in progress may finish${limit}; new games will start once it is back.`);
    });
    // Events this screen does not show (a newer server may add some): ignore quietly.
    room.onMessage("*", () => undefined);
    // The SDK calls onDrop again for each of its retries that fails.
    room.onDrop(() => {
      // The lost screen stays as it is: the SDK's retries go on behind it (one that comes back
      // leaves the seat, see onReconnect), and until 2026-12-07 each one that failed put
      // "reconnecting…" back in the banner beside the panel saying the game was lost.
      if (room !== this.room || this.lost) return;
      this.fair.dropped();
      if (!this.restore.active) setConnection("reconnecting");
      if (!this.spectator) this.restore.dropped(room);
      this.render();
    });
    room.onReconnect(() => {
      // (A screen left or gone retired its room: a late reconnection is not this game's any more.)
      if (room !== this.room || this.leaving || this.disposed) return;
      // The page already said the game was lost (its seat given up): it does not come back under that panel.
      if (this.lost) {
        void room.leave(true).catch(() => undefined);
        return;
      }
      // The SDK's own reconnection came first: the fallback stops.
      this.restore.stop();
      this.fair.reconnected();
      // The server issues a new reconnection token with every reconnection, and the SDK
      // sets it on the room only after this callback returns: save it then.
      setTimeout(() => {
        if (room === this.room && !this.disposed && !this.lost) this.save();
      }, 0);
      setConnectedAgain("back in the game");
      this.render();
    });
    room.onLeave((code: number) => this.onLeave(room, code));
  }

  private showFeedback(title: Text, detail: Text, code: string) {
    const feedback = { title, detail, code };
    this.feedback = feedback;
    clearTimeout(this.feedbackTimer);
    this.feedbackTimer = setTimeout(() => {
      if (this.feedback !== feedback) return;
      this.feedback = undefined;
      this.render();
    }, FEEDBACK_MS);
    this.render();
  }

  private save() {
    saveSeat({
      roomId: this.room.roomId,
      game: this.entry.protocol.name,
      reconnectionToken: this.room.reconnectionToken,
      private: this.isPrivate,
      spectator: this.spectator || undefined,
      sinceGame: this.sinceGame,
    });
  }

  dispose() {
    this.disposed = true;
    this.restore.stop();
    // Whatever way the player left (Leave, "Back to the lobby" while reconnecting, a lost
    // game), the SDK's own reconnection must not bring the seat back behind the lobby: it
    // would sit the player, connected, in a game they left. (After a consented leave, the
    // connection is closed already.)
    retire(this.room);
    clearInterval(this.timer);
    clearTimeout(this.feedbackTimer);
    this.seats.watch(false);
    this.signal.dispose();
    setNotice("");
    // Nothing said about this game follows the player into the lobby.
    clearToasts();
  }

  private log(text: Text) {
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

  private onLeave(room: Room, code: number) {
    if (room !== this.room || this.leaving || this.disposed) return;
    if (code === CloseCode.CONSENTED) return;
    if (this.host.unloading) return this.showLost(code);
    // A spectator has no seat to keep: it joins again. A player cut for not reading in time
    // (4430) keeps the seat for the reconnection window, but the SDK does not reconnect on
    // that code by itself: this page does, with the room's current token.
    // The SDK gave up (4003), its retry reached a process without the room (4003), or this
    // copy of the room was superseded or handed over by a stopping process (4412): the room
    // (and a player's seat) may be elsewhere.
    const mayBeElsewhere = CONNECTION_LOST.includes(code) || code === CLOSE_ROOM_MOVED;
    if (this.spectator && mayBeElsewhere) void this.rejoin(code);
    else if (!this.spectator && code === CLOSE_SLOW_CLIENT) void this.rejoin(code, this.room.reconnectionToken);
    else if (!this.spectator && mayBeElsewhere) void this.restore.start(room, code);
    else this.showLost(code);
  }

  /** The fallback got the seat back in `room`: the old room is retired, and the game shows again. */
  private restored(old: Room, room: Room) {
    if (this.leaving || this.disposed || this.lost) {
      void room.leave(true).catch(() => undefined);
      return;
    }
    // A token works once: the server gave the seat to this connection, whatever the SDK
    // did meanwhile. Its own retries, if any, are turned off.
    this.restore.stop();
    if (old !== room) retire(old);
    this.attach(room);
    setConnectedAgain("back in the game");
    this.render();
  }

  /**
   * The room's state is torn down with the connection: keeps the last picture, with its
   * board disabled and its actions (Rematch, Roll…) gone, since none of them can work now.
   */
  private freeze() {
    for (const button of Array.from(this.el.querySelectorAll<HTMLButtonElement>(".game-area button"))) {
      button.disabled = true;
      if (button.closest(".controls") || button.classList.contains("primary")) button.hidden = true;
    }
  }

  private showLost(code: number, detail = "") {
    // The last picture without the fallback's status line ("bringing your game back").
    const wasRestoring = this.restore.active;
    this.restore.stop();
    if (wasRestoring) this.render();
    this.lost = true;
    // No seat to offer on a lost screen (render() no longer runs to stop the lookups).
    this.seats.watch(false);
    this.signal.update(false);
    this.rejoining = false;
    clearInterval(this.timer);
    if (!this.host.unloading) clearSeat();
    setConnection("lost");
    this.freeze();
    // Whose turn it was, and what the game was waiting for, are no longer this page's to say
    // (until 2026-12-05 "Game on… Ada's turn" stayed under "your seat was given up").
    for (const id of ["status", "turn", "countdown"]) this.el.querySelector<HTMLElement>(`[data-testid=${id}]`)?.setAttribute("hidden", "");
    // Nor is the empty box they stood in, nor an invitation to a game that is gone, nor a
    // player's countdown to come back, which no longer counts (until 2026-12-05 it stayed,
    // frozen: "away — 41 s to come back"); nor who is "to play", the game's hint of what to do
    // next, or the sound of a turn that will not come (until 2026-12-07 they stayed: play-test).
    for (const selector of [".summary", "[data-testid=invite]", "[data-testid=take-seat]", "[data-testid=away]", ".badge.turn", ".hint", "[data-testid=btn-sound]"]) {
      for (const el of Array.from(this.el.querySelectorAll<HTMLElement>(selector))) el.setAttribute("hidden", "");
    }
    const panel = h(
      "div",
      { class: "lost-panel", testid: "lost", attrs: { role: "alert" } },
      h("p", {}, describeCloseCode(code)),
      detail ? h("p", { class: "muted" }, detail) : null,
      h("button", { class: "primary", action: "lobby", testid: "btn-lobby", attrs: { type: "button" } }, "Back to the lobby"),
    );
    this.el.querySelector(".rejoin-panel")?.remove();
    this.el.querySelector(".lost-panel")?.remove();
    this.el.prepend(panel);
  }

  /** Shows (or updates) "Reconnecting…" while a spectator joins the room again, or a player (`seated`) gets the seat back. */
  private showRejoining(tries: number, seated: boolean) {
    const panel = h(
      "div",
      { class: "rejoin-panel", testid: "reconnecting", data: { tries }, attrs: { role: "status" } },
      h("p", {}, "Reconnecting…"),
      h("p", { class: "muted small" }, seated ? "The connection dropped. Getting your seat back: you will be back in the game in a moment." : "The connection dropped. You will be watching again in a moment."),
      h("button", { action: "lobby", testid: "btn-lobby", attrs: { type: "button" } }, "Back to the lobby"),
    );
    const old = this.el.querySelector(".rejoin-panel");
    if (old) old.replaceWith(panel);
    else this.el.prepend(panel);
  }

  /**
   * The connection was lost and the SDK will not bring it back: a spectator joins the same
   * room again as a spectator; a player (`token`) reconnects to the seat the server holds.
   * Tries with a backoff (waiting while the browser is offline), then the game shows again.
   * A spectator, whose place nobody holds, gives up after a few tries; a player tries until
   * the seat's window ends, at the fallback's pace (seat-restore.ts: until 2026-12-07 a
   * player cut as too slow gave up after five tries, 15 s, while the server held the seat
   * for its whole window). Either gives up, and shows the game as lost, when the room is gone.
   */
  private async rejoin(code: number, token?: string) {
    this.rejoining = true;
    this.seats.watch(false);
    this.confirmingLeave = false;
    const seated = Boolean(token);
    setConnection("reconnecting", seated ? "getting your seat back" : "watching");
    this.freeze();
    this.showRejoining(0, seated);
    const cutAt = Date.now();
    const windowMs = reconnectWindowMs(this.room.state);
    const running = this.currentSummary()?.running === true;
    const giveUpAt = seated ? cutAt + windowMs : cutAt + REJOIN_GIVE_UP_MS;
    const delays = seated ? RESTORE_DELAYS_MS : REJOIN_DELAYS_MS;
    let lastError: unknown;
    // The page was offline at some point: its player was away, whatever the server did (as in seat-restore.ts).
    let offline = !navigator.onLine;
    for (let tries = 0; seated || tries < delays.length; tries++) {
      await online(giveUpAt - Date.now());
      offline ||= !navigator.onLine;
      await sleep(delays[Math.min(tries, delays.length - 1)]!);
      if (this.leaving || this.disposed) return;
      if (Date.now() > giveUpAt) break;
      this.showRejoining(tries + 1, seated);
      try {
        const room = token ? await this.host.client.reconnect(token) : await this.host.account.withAuthRetry(() => this.host.client.joinById(this.roomId, spectatorOptions()));
        if (this.leaving || this.disposed) {
          void room.leave(true).catch(() => undefined);
          return;
        }
        this.rejoining = false;
        this.attach(room);
        if (token) this.save();
        this.el.querySelector(".rejoin-panel")?.remove();
        setConnectedAgain(token ? "back in the game" : "watching again");
        this.render();
        return;
      } catch (err) {
        if (this.leaving || this.disposed) return;
        lastError = err;
        const failure = describeJoinError(err);
        if (!failure.transient) break;
        if (failure.waitMs > 0) await sleep(failure.waitMs);
      }
    }
    if (this.leaving || this.disposed) return;
    // Refused as expired (524) at the window's end, or offline all along: the seat was given up.
    if (seated && (isSeatExpired(lastError) || offline || !navigator.onLine)) return this.showLost(code, seatGoneText(windowMs, running));
    const failed = seated ? "Getting your seat back did not work" : "Watching again did not work";
    this.showLost(code, lastError === undefined ? "" : `${failed}: ${describeJoinError(lastError).title}`);
  }

  /** "Take the seat": joined as a player, the screen is replaced; else said why, still watching. */
  private async takeSeat() {
    if (this.takingSeat || !this.spectator) return;
    this.takingSeat = true;
    this.render();
    const failure = await this.host.takeSeat(this.roomId, this.entry, this.isPrivate, () => !this.disposed && !this.leaving);
    if (this.disposed) return;
    this.takingSeat = false;
    if (failure) {
      this.seats.taken();
      this.showFeedback("You could not take the seat.", failure.title, "");
    } else this.render();
  }

  private async leave() {
    if (this.leaving) return;
    this.leaving = true;
    clearSeat();
    const room = this.room;
    try {
      // An open connection tells the server at once (the seat is given up, the opponent wins):
      // the server closes it once it has read the leave. Not closed in LEAVE_CONFIRM_MS, the
      // connection was dead however open it looked (a stalled mobile network): the leave may
      // never arrive, and it goes again once the network is back, as for a dropped one
      // (until 2026-12-07 it was lost, and the others waited out the whole window).
      // (Only a close as consented counts: the SDK's leave() resolves on any close it does not
      // retry, such as 4430, a cut as too slow, which keeps the seat.)
      const confirmed = room.connection?.isOpen === true && (await Promise.race([room.leave(true).then((code) => code === CloseCode.CONSENTED, () => false), sleep(LEAVE_CONFIRM_MS).then(() => false)]));
      // A dropped one (the SDK between retries, a retry socket still opening) would carry
      // nothing, and the SDK would bring the seat back into this game once the network
      // returns: its reconnection stops here, and the leave goes once the network is back.
      if (!confirmed) {
        retire(room);
        this.leaveLater(room);
      }
    } finally {
      this.host.showLobby();
    }
  }

  /**
   * A leave the dropped connection could not carry: this tab no longer offers the game, and
   * a seat is left once the network is back (late-leave.ts), within its window.
   */
  private leaveLater(room: Room) {
    markLeft(room.roomId);
    if (!this.spectator) void leaveWhenBack(this.host.client, room.reconnectionToken, restoreGiveUpAt(Date.now(), room.state));
  }

  private onAction(action: string, el: HTMLElement) {
    if ((this.lost || this.rejoining || this.restore.active) && (action === "leave" || action === "leave-confirm")) action = "lobby";
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
      case "take-seat":
        void this.takeSeat();
        return;
      case "leave-cancel":
        this.confirmingLeave = false;
        this.render();
        this.el.querySelector<HTMLElement>("[data-testid=btn-leave]")?.focus();
        return;
      case "lobby":
        if (this.rejoining || this.restore.active) {
          // Stops the re-join or the fallback (they check `leaving`), and dispose() retires the
          // room (the SDK's own retries stop); no connection is left to leave on: a seat is
          // left once the network is back.
          this.leaving = true;
          clearSeat();
          this.leaveLater(this.room);
        }
        this.host.showLobby();
        return;
      case "copy-link":
        void this.copyLink();
        return;
      case "share-link":
        // The browser's own share sheet (phones); cancelling it is not an error.
        void navigator.share({ title: `${this.entry.title} — Turn games`, text: `Play ${this.entry.title} with me`, url: inviteLink(this.room.roomId) }).catch(() => undefined);
        return;
      case "sound":
        setSound(!soundOn());
        this.render();
        return;
      case "verify-fairness":
        this.fair.openVerification();
        this.render();
        this.el.querySelector<HTMLElement>("[data-testid=fairness-view] h3")?.scrollIntoView({ block: "nearest" });
        return;
      case "verify-close":
        this.fair.closeVerification();
        this.render();
        this.el.querySelector<HTMLElement>("[data-testid=btn-verify-fairness]")?.focus();
        return;
      default:
        if (this.lost || this.rejoining || this.restore.active) return;
        {
          const state = this.room.state;
          if (this.view.ready(state)) this.view.action(action, el, state);
        }
    }
  }

  /** Makes the invite link's QR code (once per link), then shows it. */
  private makeQr(link: string) {
    const qr: { link: string; src?: string } = { link };
    this.qr = qr;
    QRCode.toDataURL(link, { margin: 1, width: 180, errorCorrectionLevel: "M" })
      .then((src) => {
        if (this.qr !== qr || this.disposed) return;
        qr.src = src;
        this.render();
      })
      .catch(() => undefined); // no QR code: the link and its buttons remain
  }

  private async copyLink() {
    const link = inviteLink(this.room.roomId);
    try {
      await navigator.clipboard.writeText(link);
      this.copied = true;
      this.copyByHand = false;
    } catch {
      // No clipboard (plain http, permissions): the link is selected, with a hint to copy it.
      this.copyByHand = true;
    }
    this.render();
    if (this.copyByHand) {
      const code = this.el.querySelector("[data-testid=invite-link]");
      if (code) window.getSelection()?.selectAllChildren(code);
    }
  }

  private currentSummary(): Summary | undefined {
    const state = this.room.state;
    return this.view.ready(state) ? this.view.summary(state) : undefined;
  }

  render() {
    if (this.disposed || this.lost || this.rejoining) return;
    // What the player opened or closed since the last render, read from the page before this
    // one resets it (a `toggle` event only comes a task later: a render in between lost the click).
    for (const details of this.el.querySelectorAll<HTMLDetailsElement>("details[data-testid]")) {
      if (details.open) this.openDetails.add(details.dataset.testid!);
      else this.openDetails.delete(details.dataset.testid!);
    }
    const state = this.room.state;
    const ready = this.view.ready(state);
    const summary = ready ? this.view.summary(state) : undefined;
    if (summary && !summary.running) this.confirmingLeave = false;
    // The fallback runs: the last picture stays, its controls off, and the status says why.
    const restoring = this.restore.status();
    const kept = this.restore.seatKeptFor();
    if (restoring !== undefined) setConnection("reconnecting", "", restoring);
    const left = summary && summary.deadline > 0 && restoring === undefined ? secondsLeft(summary.deadline) : undefined;

    this.readHistory(state);
    if (this.sinceGame === undefined && summary) {
      // The games played before this join. A seat is only taken before a game starts, so a
      // game running at the first state is this player's (their join started it; the other
      // player may have moved already): the one before it. Otherwise the newest one.
      const newest = this.history.reduce((max, e) => Math.max(max, e.game), 0);
      this.sinceGame = summary.running ? Math.max(0, newest - 1) : newest;
      if (!this.spectator) this.save();
    }
    if (summary) this.announceNew(state);
    this.seats.watch(this.spectator && summary?.waiting === true);
    // While the room waits for players, and after a game (for the next one).
    const showInvite = summary?.waiting === true || summary?.over === true;
    const link = inviteLink(this.room.roomId);
    if (showInvite && this.qr?.link !== link) this.makeQr(link);
    const next = h(
      "section",
      {},
      h(
        "header",
        { class: "game-head" },
        // Focused when the screen shows (main.ts): its tabindex must survive every re-render,
        // or the focus falls back to the page and a keyboard player starts from the top.
        h("h2", { attrs: { tabindex: "-1" } }, this.entry.title),
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
          this.spectator
            ? null
            : h(
                "button",
                { action: "sound", testid: "btn-sound", attrs: { type: "button", "aria-pressed": soundOn() ? "true" : "false", title: "A short sound when it becomes your turn" } },
                soundOn() ? "Sound on" : "Sound off",
              ),
        ),
      ),
      (summary?.seeking ?? summary?.waiting) === true && this.quick && !this.isPrivate
        ? h("p", { class: "searching", testid: "searching", data: { key: "searching" }, attrs: { role: "status" } }, "Searching for an opponent… The next player to use Quick match joins you here.")
        : null,
      showInvite
        ? h(
            "div",
            { class: "invite", testid: "invite", data: { key: "invite" } },
            h("span", { class: "label" }, this.isPrivate ? "Private room — only people with this link can join:" : "Invite a friend with this link:"),
            h("code", { class: "link", testid: "invite-link" }, link),
            h("button", { action: "copy-link", testid: "btn-copy-link", attrs: { type: "button" } }, this.copied ? "Copied ✓" : "Copy link"),
            typeof navigator.share === "function" ? h("button", { action: "share-link", testid: "btn-share-link", attrs: { type: "button" } }, "Share…") : null,
            this.qr?.src
              ? h(
                  "details",
                  { class: "qr-box", testid: "invite-qr", attrs: { open: this.openDetails.has("invite-qr") } },
                  h("summary", {}, "QR code for a phone nearby"),
                  h("img", { class: "qr", testid: "invite-qr-image", attrs: { src: this.qr.src, width: 180, height: 180, alt: `QR code of the invite link ${link}` } }),
                )
              : null,
            this.copyByHand ? h("span", { class: "muted copy-hint", testid: "copy-hint", attrs: { role: "status" } }, "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.") : null,
          )
        : null,
      h(
        "div",
        { class: "summary" },
        h(
          "p",
          // A status the game's area says again in large is, on a phone, for screen readers only (Summary.statusShownBelow).
          { class: `status${restoring !== undefined ? " restoring" : summary?.statusShownBelow === true && window.matchMedia(PHONE_WIDTH).matches ? " sr-only" : ""}`, testid: "status", attrs: { "aria-live": "polite" } },
          restoring ?? (summary ? rich(summary.status) : "Loading the game…"),
        ),
        // How long the seat waits for this player (the others see it count down too); hidden
        // from screen readers, as the turn's countdown is: it changes every second.
        kept !== undefined
          ? h("p", { class: "seat-kept muted small", testid: "seat-kept", attrs: { "aria-hidden": "true" } }, kept > 0 ? `Your seat is kept for ${kept} s.` : "Your seat may be given up now.")
          : null,
        this.seats.free && summary?.waiting === true && restoring === undefined
          ? h(
              "p",
              { class: "take-seat", testid: "take-seat" },
              "A seat is free: you can play instead of watching. ",
              h("button", { class: "primary", action: "take-seat", testid: "btn-take-seat", attrs: { type: "button", disabled: this.takingSeat } }, this.takingSeat ? "Taking the seat…" : "Take the seat"),
            )
          : null,
        h(
          "p",
          { class: `turn${summary?.myTurn ? " mine" : ""}`, testid: "turn", attrs: { "aria-live": "polite", hidden: !summary || plainText(summary.turn) === "" || restoring !== undefined } },
          summary && restoring === undefined ? rich(summary.turn) : "",
        ),
        // What just happened, said once (the log, newest first, is no live region: it would read
        // out lines that only moved). The status and turn lines say the total and whose turn;
        // this says the roll or move that made them (until 2026-12-07 a roll of 3, which keeps
        // the total, was heard as only "Bob's turn", and a player whose time ran out never
        // heard what the server rolled for them: play-test).
        h(
          "p",
          { class: "sr-only", testid: "announce", data: { key: "announce" }, attrs: { "aria-live": "polite" } },
          this.announcement.map(({ seq, text }) => h("span", { data: { key: `a${seq}` } }, rich(text), " ")),
        ),
        h(
          "p",
          { class: `countdown${left !== undefined && left <= 5 ? " urgent" : ""}`, testid: "countdown", attrs: { hidden: left === undefined, "aria-label": left === undefined ? undefined : `${left} seconds left in this turn` } },
          left === undefined ? "" : `Time left: ${left} s`,
        ),
      ),
      // The game's own CSS is scoped under `.game-<name>` (client/style.css).
      // tabindex -1: the focus can land on the area itself when nothing in it can be used
      // (keepFocusInArea); a named group, so a screen reader says where it landed. Keyed, as
      // the parts above it that come and go (Searching…, the invite at a game's end): they do
      // not shift it into another part's element (client/src/morph.ts), and the keyboard's focus
      // on it stays (until 2026-12-06 it fell to the page).
      h("div", { class: `game-area game-${this.entry.protocol.name}`, data: { key: "game-area" }, attrs: { tabindex: "-1", role: "group", "aria-label": `${this.entry.title}: the game`, "aria-busy": this.repeats.sending() ? "true" : "false" } }, ready ? this.view.render(state) : h("p", { class: "muted" }, "Waiting for the game state…")),
      this.feedback
        ? h(
            "p",
            { class: "move-error", testid: "move-error", attrs: { role: "alert", "data-code": this.feedback.code || undefined } },
            h("strong", {}, rich(this.feedback.title)),
            addsTo(plainText(this.feedback.title), plainText(this.feedback.detail)) ? [" ", rich(this.feedback.detail)] : null,
          )
        : null,
      this.fair.section(state),
      h(
        "details",
        { class: "rules-card card", testid: "rules-card", attrs: { open: this.openDetails.has("rules-card") } },
        h("summary", {}, `How to play ${this.entry.title}`),
        this.entry.rules(),
      ),
      h(
        "section",
        { class: "log", attrs: { "aria-label": "What happened", hidden: this.logLines.length === 0 && this.history.length === 0 } },
        h("h3", {}, "What happened"),
        h(
          "ul",
          { testid: "event-log", attrs: { "aria-label": "Newest first" } },
          this.logLines.map((l) => h("li", { data: { key: `l${l.id}` } }, rich(l.text))),
          this.historyLines(state),
        ),
      ),
    );
    // The boards' Tab stops (client/src/grid.ts): read from the page, kept in the new screen.
    writeStops(next, readStops(this.el));
    morphContent(this.el, next);
    if (restoring !== undefined) {
      for (const button of Array.from(this.el.querySelectorAll<HTMLButtonElement>(".game-area button"))) button.disabled = true;
    }
    this.keepFocusInArea();
    this.keepPrimaryActionVisible();
    this.signal.update(summary?.myTurn === true && restoring === undefined);
    if (summary?.myTurn === true && !this.myTurnShown) this.repeats.reset();
    this.myTurnShown = summary?.myTurn === true;
  }

  /** The room's history from the state's `history` map, oldest first (parsed once per change). */
  private readHistory(state: unknown): HistoryEntry[] {
    const map = (state as { history?: { forEach(cb: (value: string, key: string) => void): void } } | undefined)?.history;
    if (!map) return this.history;
    const lines: { seq: number; value: string }[] = [];
    map.forEach((value, key) => lines.push({ seq: Number(key), value }));
    const key = `${lines.length}:${lines.reduce((max, l) => Math.max(max, l.seq), 0)}`;
    if (key === this.historyKey) return this.history;
    this.historyKey = key;
    this.history = lines
      .sort((a, b) => a.seq - b.seq)
      .slice(-HISTORY_LINES)
      .flatMap(({ seq, value }) => {
        try {
          const [game, kind, who, data] = JSON.parse(value) as [number, string, string, HistoryEntry["data"]?];
          return typeof kind === "string" ? [{ seq, game: Number(game), kind, who: who || undefined, data }] : [];
        } catch {
          return []; // not a line this page can read
        }
      });
    return this.history;
  }

  /**
   * The room's history in words, newest first, with a line where each game began: "Game 2
   * began" comes below that game's lines (it happened first) and closes them off from the
   * game before.
   */
  private historyLines(state: unknown): Node[] {
    const lines: Node[] = [];
    for (let i = this.history.length - 1; i >= 0; i--) {
      const entry = this.history[i]!;
      const text = this.historyText(entry, state);
      if (text !== undefined) lines.push(h("li", { class: entry.kind === "start" ? "log-game" : undefined, data: { key: `h${entry.seq}` } }, rich(text)));
    }
    return lines;
  }

  /** One history entry in words (undefined: the game does not say it). */
  private historyText(entry: HistoryEntry, state: unknown): Text | undefined {
    if (entry.kind === "start") return `Game ${entry.game} began`;
    // A line of a game before this player sat down is another player's, whatever its name.
    return this.view.historyLine(entry, (entry.game <= (this.sinceGame ?? 0) ? undefined : state) as never);
  }

  /** The history lines added since the last state that brought any become the live region's (none at the first state). */
  private announceNew(state: unknown) {
    const newest = this.history.reduce((max, e) => Math.max(max, e.seq), 0);
    const since = this.announcedSeq;
    this.announcedSeq = Math.max(since ?? 0, newest);
    if (since === undefined || newest <= since) return;
    this.announcement = this.history.filter((e) => e.seq > since).flatMap((entry) => {
      const text = this.historyText(entry, state);
      return text === undefined ? [] : [{ seq: entry.seq, text }];
    });
  }

  /** The primary action last brought into view (its test id), so it is scrolled to once. */
  private shownPrimary = "";
  /** The control of the game's area that last had the focus. */
  private focusedInArea?: HTMLElement;
  /** The board or row of cells it is a cell of (client/src/grid.ts), if any. */
  private focusedGrid?: string;

  /**
   * A keyboard's focus the game's area lost in a render (its control disabled or gone: Roll
   * once rolled, Bank, Rematch once asked, a column just filled) goes to the next thing to do
   * there: the primary action, else for a cell of a board or row (client/src/grid.ts: a
   * column just filled, a player gone from "Who plays next?") the board's Tab stop, which is
   * the usable cell nearest it, else the first control still enabled (a die to select), else
   * the area itself, so the next Tab goes on from the game and not from the top of the page
   * (until 2026-12-06 only a new primary action took it, and a Dice player tabbed 7–10 times
   * back to the dice after every roll).
   */
  private keepFocusInArea() {
    const last = this.focusedInArea as HTMLButtonElement | undefined;
    if (!last) return;
    const area = this.el.querySelector<HTMLElement>(".game-area");
    if (!area) return;
    const primary = area.querySelector<HTMLElement>("button.primary:not(:disabled)");
    // Parked on the area itself (nothing in it could be used): the next primary action takes it (Roll on the next turn).
    if (last === area) {
      if (primary && document.activeElement === area) primary.focus({ preventScroll: true });
      return;
    }
    // Still in the area and usable (a control the area holds no more, or the area itself
    // rebuilt in another place, is not).
    if (last.isConnected && last.disabled !== true && area.contains(last)) return;
    // Only a focus the area lost, never one the player moved elsewhere.
    const focused = document.activeElement;
    if (focused && focused !== document.body && focused !== last) return;
    (primary ?? usableStop(area, this.focusedGrid) ?? area.querySelector<HTMLElement>("button:not(:disabled)") ?? area).focus({ preventScroll: true });
  }

  /**
   * When a new primary action appears (Rematch after a game, Roll on your turn, "Play
   * against a bot") below or above the visible part of the page (or under the top bar), it
   * is scrolled into view with the result above it: on a laptop or a phone, the next thing
   * to do is never off-screen, nor the board or dice it is about (until 2026-12-05 it was
   * centred, and on a phone the dice about to be rolled, or the winning row, went under the
   * top bar). A keyboard's focus lost meanwhile goes to it: keepFocusInArea, just before.
   */
  private keepPrimaryActionVisible() {
    const primary = this.el.querySelector<HTMLElement>(".game-area button.primary:not(:disabled)");
    const key = primary?.getAttribute("data-testid") ?? "";
    if (key === this.shownPrimary) return;
    this.shownPrimary = key;
    if (!primary) return;
    const box = primary.getBoundingClientRect();
    // The top bar stays on top of the page as it scrolls: what is under it is not seen.
    const bar = document.querySelector(".top")?.getBoundingClientRect().bottom ?? 0;
    const height = window.innerHeight;
    // Wanted: the game's area from its top, just below the bar, when the action then fits on
    // screen with room to spare (for a line or two the next patch may add above it); otherwise
    // the action a fifth of the screen above its bottom edge, with as much as fits above it.
    const area = primary.closest(".game-area")?.getBoundingClientRect() ?? box;
    const spare = Math.max(16, (height - bar) / 5);
    // On screen already, with the area's top in sight too or the action low enough: left alone.
    if (box.bottom <= height && box.top >= bar && (area.top >= bar || box.bottom >= height - spare)) return;
    let by = area.top - bar - 8;
    if (box.bottom - by > height - spare) by = box.bottom - (height - spare);
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollBy({ top: by, behavior: reduced ? "auto" : "smooth" });
  }
}
