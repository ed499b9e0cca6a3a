/**
 * Entry point: one Colyseus client for the page's own origin (the game server serves this
 * page), the player's sign-in (a guest at once, see account.ts), then either the saved seat
 * (a reload mid-game) or the page the address names: the lobby, a profile, a leaderboard,
 * a match's replay, or signing in (routes.ts).
 */
// First: before any schema is built (see the module).
import "./no-eval.js";
import { Client, type Room } from "@colyseus/sdk";
import { Account } from "./account.js";
import { AccountBar } from "./accountbar.js";
import { describeJoinError, isSeatExpired, type JoinFailure } from "./errors.js";
import { h, sleep } from "./dom.js";
import { GameScreen, spectatorOptions, type GameHost } from "./game.js";
import type { JoinSeed } from "./fairness.js";
import { fairJoinSeed, joinByIdOptions } from "./join.js";
import { viewOf, type AnyView } from "./games/index.js";
import { LeaderboardScreen } from "./leaderboard.js";
import { LobbyScreen, type LobbyHost } from "./lobby.js";
import { ProfileScreen } from "./profile.js";
import { ReplayScreen } from "./replay.js";
import { currentRoute, LOBBY_HREF, type Route } from "./routes.js";
import { brokenInviteInLocation, clearSeat, forgetInviteInLocation, inviteInLocation, loadSeat, type SavedSeat } from "./session.js";
import type { AwaySeat } from "./api.js";
import { AccountScreen } from "./signin.js";
import { clearToasts, setConnection, showError } from "./ui.js";

/** How long the first screen waits for the sign-in at load (then it shows, and follows the sign-in when it comes). */
const SIGN_IN_WAIT_MS = 4000;

interface Screen {
  readonly el: HTMLElement;
  dispose(): void;
}

class App implements LobbyHost, GameHost {
  readonly client = new Client(location.origin);
  readonly account = new Account(this.client);
  unloading = false;
  private screen?: Screen;
  private readonly root: HTMLElement;
  private readonly bar: AccountBar;
  /** A game (or resuming one) is on screen: the address's hash does not navigate away from it. */
  private inGame = false;

  constructor() {
    const root = document.getElementById("app");
    const bar = document.getElementById("account-bar");
    if (!root || !bar) throw new Error("#app or #account-bar missing from index.html");
    this.root = root;
    this.bar = new AccountBar(bar, this.account, () => {
      if (!this.inGame && currentRoute().kind === "account") location.hash = LOBBY_HREF;
    });
    addEventListener("pagehide", () => (this.unloading = true));
    addEventListener("pageshow", () => (this.unloading = false));
    addEventListener("hashchange", () => this.onHashChange());
    // A link to the records page already shown ("Profile" on one's profile) shows it again,
    // fresh: the address does not change, so no hashchange comes (until 2026-12-05 the click did nothing).
    addEventListener("click", (e) => {
      const link = e.target instanceof Element ? e.target.closest("a[href^='#']") : null;
      if (!link || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || this.inGame) return;
      const route = currentRoute();
      if (link.getAttribute("href") === location.hash && route.kind !== "lobby" && route.kind !== "account") this.showRoute(route);
    });
    // Back to the front: a rename on another device shows here (Account.refresh).
    addEventListener("focus", () => void this.account.refresh());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") void this.account.refresh();
    });
  }

  async start() {
    // At once, beside a resume (a reconnection needs no sign-in).
    const signedIn = this.account.start();
    const saved = loadSeat();
    if (saved && (await this.resume(saved))) return;
    await Promise.race([signedIn, sleep(SIGN_IN_WAIT_MS)]);
    this.showRoute(currentRoute());
  }

  private onHashChange() {
    if (this.inGame) {
      // Leaving a running game is the Leave button's job: the address does not.
      if (currentRoute().kind !== "lobby") {
        showError("Leave the game first to see profiles, leaderboards, replays or your account.");
        // The address goes back to the game's (until 2026-12-05 it kept the other page's, and a reload resumed the game under it).
        history.replaceState(null, "", location.pathname + location.search);
      }
      return;
    }
    this.showRoute(currentRoute());
  }

  private showRoute(route: Route) {
    // The records pages hold no room connection (the lobby's screen sets its own state).
    if (route.kind !== "lobby") setConnection("connected");
    switch (route.kind) {
      case "profile":
        this.show(new ProfileScreen(this, route.id));
        break;
      case "leaderboard":
        this.show(new LeaderboardScreen(this, route.game));
        break;
      case "replay":
        this.show(new ReplayScreen(route.id, route.step));
        break;
      case "account":
        this.show(new AccountScreen(this));
        break;
      default:
        this.showLobby(inviteInLocation());
    }
  }

  /** The lobby's "Return to the game": a seat the server holds for the signed-in player; the lobby again if it is gone. */
  returnTo(seat: AwaySeat) {
    void this.resume({ roomId: seat.roomId, game: seat.game, reconnectionToken: seat.reconnectionToken, private: seat.private }, true).then((resumed) => {
      if (!resumed) this.showLobby(inviteInLocation());
    });
  }

  /**
   * Reconnects to the saved seat (a reload mid-game), or watches the saved room again (a
   * spectator has no seat to reconnect to); false when the seat or room is gone. `offered`:
   * the seat came from the server's list of the player's games (the lobby's "Return to the
   * game"), not from this tab, whose old page has no socket left to wait for.
   */
  private async resume(saved: SavedSeat, offered = false): Promise<boolean> {
    const view = viewOf(saved.game);
    if (!view) {
      clearSeat();
      return false;
    }
    const spectator = saved.spectator === true;
    setConnection("connecting", spectator ? "watching again" : "rejoining your game");
    this.setInGame(true);
    this.show({ el: h("section", { class: "screen card", testid: "resuming" }, h("p", {}, spectator ? "Back to the game you were watching…" : "Rejoining your game…")), dispose: () => undefined });
    let lastError: unknown;
    // The server may not have noticed the old page's socket closing yet: retry briefly.
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        // A spectator joins again, which a refused sign-in token fails (525): signed in again, one more try.
        const room = spectator ? await this.account.withAuthRetry(() => this.client.joinById(saved.roomId, spectatorOptions())) : await this.client.reconnect(saved.reconnectionToken);
        // A seat the lobby offered (no saved seat in this tab) does not know which games were its player's: 0, by name.
        this.enterGame(room, view, saved.private === true, spectator, false, undefined, saved.sinceGame ?? 0);
        return true;
      } catch (err) {
        lastError = err;
        const failure = describeJoinError(err);
        // Refused for good (room gone, options, origin), or too many requests: no quick retries.
        if (failure.waitMs > 0 || (!failure.transient && spectator) || (offered && isSeatExpired(err))) break;
        await sleep(300 * (attempt + 1));
      }
    }
    const failure = describeJoinError(lastError);
    // Still "no seat for this token" (524) after the quick retries: the room holds no seat
    // for it any more (the reconnection window passed, as for a tab reopened later), so a
    // reload would only say this again.
    const seatGone = !spectator && isSeatExpired(lastError);
    // A refusal for good forgets the seat; a passing failure (network, busy server) keeps it,
    // so a reload tries again while the server still holds the seat.
    if (!failure.transient || seatGone) clearSeat();
    this.setInGame(false);
    showError(
      spectator ? "The game you were watching could not be shown again." : "Your game could not be resumed.",
      seatGone
        ? "It may have ended, or you were away too long."
        : failure.transient
          ? `${failure.title} ${offered ? "Try again from the lobby" : "Reload the page to try again"}: ${spectator ? "the game" : "your seat"} may still be there.`
          : `It may have ended${spectator ? "" : ", or you were away too long"}. ${failure.title}`,
    );
    return false;
  }

  private show(screen: Screen) {
    this.screen?.dispose();
    this.screen = screen;
    this.root.replaceChildren(screen.el);
    const heading = screen.el.querySelector<HTMLElement>("h2");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }

  private setInGame(inGame: boolean) {
    this.inGame = inGame;
    this.bar.setInGame(inGame);
  }

  showLobby(invite?: string) {
    this.setInGame(false);
    // Back from a game: the address says "lobby" (an invitation in it stays until used).
    if (currentRoute().kind !== "lobby") history.replaceState(null, "", location.pathname + location.search);
    this.show(new LobbyScreen(this, invite));
    reportBrokenInvite();
  }

  async takeSeat(roomId: string, view: AnyView, isPrivate: boolean, wanted: () => boolean): Promise<JoinFailure | undefined> {
    // The same join as the lobby's: the name the spectator watched under (else the
    // profile's), and a client seed for a room with fair dice.
    const name = spectatorOptions().name ?? this.account.user?.name;
    const joinSeed = await fairJoinSeed(roomId);
    try {
      await this.account.signInSettled();
      if (!wanted()) return undefined;
      const room = await this.account.withAuthRetry(() => this.client.joinById(roomId, joinByIdOptions(name, joinSeed)));
      // Left meanwhile (back in the lobby, or in another game): the seat is given up, not taken.
      if (!wanted()) {
        void room.leave(true).catch(() => undefined);
        return undefined;
      }
      // The spectator's connection ends with its screen (dispose).
      this.enterGame(room, view, isPrivate, false, false, joinSeed);
      return undefined;
    } catch (err) {
      return describeJoinError(err);
    }
  }

  enterGame(room: Room, view: AnyView, isPrivate: boolean, spectator = false, quick = false, joinSeed?: JoinSeed, sinceGame?: number) {
    // The lobby's toasts (a refused join, "too many attempts") do not follow the player into
    // the game; a warning about the sign-in raised just now (during this join: "your games are
    // not recorded", "playing as a guest now") does, since the game screen hides the account bar.
    const warnings = this.account.takeWarnings();
    clearToasts();
    for (const warning of warnings) showError(warning.title, warning.detail);
    this.setInGame(true);
    this.show(new GameScreen(this, room, view, isPrivate, spectator, quick, joinSeed, sinceGame));
  }
}

/** An invitation in the address that holds no room code is said, not silently dropped (the player followed a link expecting a game). */
function reportBrokenInvite() {
  if (!brokenInviteInLocation()) return;
  forgetInviteInLocation();
  showError("That invite link is broken: it holds no room code.", "Ask for the link again, or pick a game below.");
}

void new App().start().catch((err: unknown) => {
  console.error(err);
  showError("The page failed to start.", err instanceof Error ? err.message : "");
});
