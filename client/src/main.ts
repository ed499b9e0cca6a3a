/**
 * Entry point: one Colyseus client for the page's own origin (the game server serves this
 * page), then either the saved seat (a reload mid-game) or the lobby.
 */
import { Client, type Room } from "@colyseus/sdk";
import { describeJoinError } from "./errors.js";
import { h, sleep } from "./dom.js";
import { GameScreen, spectatorOptions, type GameHost } from "./game.js";
import { viewOf, type AnyView } from "./games/index.js";
import { LobbyScreen, type LobbyHost } from "./lobby.js";
import { clearSeat, inviteInLocation, loadSeat, type SavedSeat } from "./session.js";
import { clearToasts, setConnection, showError } from "./ui.js";

interface Screen {
  readonly el: HTMLElement;
  dispose(): void;
}

class App implements LobbyHost, GameHost {
  readonly client = new Client(location.origin);
  unloading = false;
  private screen?: Screen;
  private readonly root: HTMLElement;

  constructor() {
    const root = document.getElementById("app");
    if (!root) throw new Error("#app missing from index.html");
    this.root = root;
    addEventListener("pagehide", () => (this.unloading = true));
    addEventListener("pageshow", () => (this.unloading = false));
  }

  async start() {
    const saved = loadSeat();
    if (saved && (await this.resume(saved))) return;
    this.showLobby(inviteInLocation());
  }

  /**
   * Reconnects to the saved seat (a reload mid-game), or watches the saved room again (a
   * spectator has no seat to reconnect to); false when the seat or room is gone.
   */
  private async resume(saved: SavedSeat): Promise<boolean> {
    const view = viewOf(saved.game);
    if (!view) {
      clearSeat();
      return false;
    }
    const spectator = saved.spectator === true;
    setConnection("connecting", spectator ? "watching again" : "rejoining your game");
    this.show({ el: h("section", { class: "screen card", testid: "resuming" }, h("p", {}, spectator ? "Back to the game you were watching…" : "Rejoining your game…")), dispose: () => undefined });
    let lastError: unknown;
    // The server may not have noticed the old page's socket closing yet: retry briefly.
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const room = spectator ? await this.client.joinById(saved.roomId, spectatorOptions()) : await this.client.reconnect(saved.reconnectionToken);
        this.enterGame(room, view, saved.private === true, spectator);
        return true;
      } catch (err) {
        lastError = err;
        const failure = describeJoinError(err);
        // Refused for good (room gone, options, origin), or too many requests: no quick retries.
        if (failure.waitMs > 0 || (!failure.transient && spectator)) break;
        await sleep(300 * (attempt + 1));
      }
    }
    const failure = describeJoinError(lastError);
    // A refusal for good forgets the seat; a passing failure (network, busy server) keeps it,
    // so a reload tries again while the server still holds the seat.
    if (!failure.transient) clearSeat();
    showError(
      spectator ? "The game you were watching could not be shown again." : "Your game could not be resumed.",
      failure.transient
        ? `${failure.title} Reload the page to try again: ${spectator ? "the game" : "your seat"} may still be there.`
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

  showLobby(invite?: string) {
    this.show(new LobbyScreen(this, invite));
  }

  enterGame(room: Room, view: AnyView, isPrivate: boolean, spectator = false, quick = false) {
    clearToasts();
    this.show(new GameScreen(this, room, view, isPrivate, spectator, quick));
  }
}

void new App().start().catch((err: unknown) => {
  console.error(err);
  showError("The page failed to start.", err instanceof Error ? err.message : "");
});
