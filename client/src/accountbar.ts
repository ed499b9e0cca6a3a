/**
 * The account bar under the top bar: who is playing (a guest, or signed in), links to the
 * lobby, the leaderboards and the player's profile, and signing in / out. Hidden while a
 * game is on screen (nothing there should lead away from it) and when the server has
 * accounts off.
 */
import type { Account } from "./account.js";
import { delegate, h } from "./dom.js";
import { morphContent } from "./morph.js";
import { VIEWS } from "./games/index.js";
import { ACCOUNT_HREF, currentRoute, leaderboardHref, LOBBY_HREF, profileHref } from "./routes.js";
import { showError } from "./ui.js";

export class AccountBar {
  private inGame = false;
  private signingOut = false;

  constructor(
    private readonly el: HTMLElement,
    private readonly account: Account,
    /** Called after signing out (the page shows the lobby again). */
    private readonly afterSignOut: () => void,
  ) {
    account.onChange(() => this.render());
    addEventListener("hashchange", () => this.render());
    delegate(el, (action) => void this.onAction(action));
    this.render();
  }

  /** A game is on screen: the bar hides. */
  setInGame(inGame: boolean) {
    this.inGame = inGame;
    this.render();
  }

  private async onAction(action: string) {
    if (action === "sign-out") {
      if (this.signingOut) return;
      this.signingOut = true;
      this.render();
      try {
        await this.account.signOut();
        this.afterSignOut();
      } catch (err) {
        showError("Signing out did not work.", err instanceof Error ? err.message : "");
      } finally {
        this.signingOut = false;
        this.render();
      }
    } else if (action === "account-retry") {
      await this.account.retry();
      if (this.account.state === "failed" && this.account.problem) showError("Signing in still did not work.", this.account.problem.title);
    }
  }

  private render() {
    const { account } = this;
    const hidden = this.inGame || !account.enabled;
    this.el.hidden = hidden;
    if (hidden) return;
    const user = account.user;
    const route = currentRoute();
    const here = (on: boolean) => (on ? "page" : undefined);
    const link = (href: string, testid: string, label: string, current: boolean) => h("a", { class: "nav-link", testid, attrs: { href, "aria-current": here(current) } }, label);
    const who =
      account.state === "failed"
        ? h(
            "span",
            { class: "who-line problem", testid: "account-who", attrs: { role: "status" } },
            `Not signed in: ${account.problem?.title ?? "signing in did not work."} Your games are not recorded. `,
            h("button", { class: "link-button", action: "account-retry", testid: "btn-account-retry", attrs: { type: "button" } }, "Try again"),
          )
        : user
          ? h(
              "span",
              // One line at any length of name (see .who-user in style.css); the full name is the title of a cut one.
              { class: "who-line who-user", testid: "account-who" },
              // The spaces for the line's text (a screen reader's, a copy's); the flex box draws the gaps.
              h("span", {}, user.guest ? "Playing as " : "Signed in as "),
              h("bdi", { class: "player-name", attrs: { title: user.name } }, user.name),
              user.guest ? [" ", h("span", { class: "badge" }, "guest")] : null,
            )
          : h("span", { class: "who-line muted", testid: "account-who" }, "Signing in…");
    const next = h(
      "div",
      { class: "account-inner" },
      who,
      h(
        "span",
        { class: "nav-links" },
        link(LOBBY_HREF, "nav-lobby", "Lobby", route.kind === "lobby"),
        link(leaderboardHref(route.kind === "leaderboard" ? route.game : VIEWS[0].protocol.name), "nav-leaderboard", "Leaderboards", route.kind === "leaderboard"),
        user ? link(profileHref(user.id), "nav-profile", "Profile", route.kind === "profile" && route.id === user.id) : null,
        user && !user.guest
          ? h("button", { class: "link-button", action: "sign-out", testid: "btn-sign-out", attrs: { type: "button", disabled: this.signingOut } }, this.signingOut ? "Signing out…" : "Sign out")
          : h("a", { class: "nav-link", testid: "nav-account", attrs: { href: ACCOUNT_HREF, "aria-current": here(route.kind === "account"), title: "Sign in, or create an account" } }, "Sign in"),
      ),
    );
    morphContent(this.el, next);
  }
}
