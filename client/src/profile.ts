/**
 * A player's profile (`#/profile/<id>`): name, stats per game, and the last 20 matches
 * (game, date, placement, players). Every player's name links to their own profile.
 */
import type { Account } from "./account.js";
import { fetchProfile, type MatchSummary, type Profile } from "./api.js";
import { append, delegate, h, type Child } from "./dom.js";
import { describeApiError } from "./errors.js";
import { matchResult, ordinal, outcomeWord } from "./outcome.js";
import { ratingCell } from "./rating.js";
import { viewOf } from "./games/index.js";
import { leaderboardHref, profileHref, replayHref } from "./routes.js";

export interface RecordsHost {
  readonly account: Account;
}

/** A game's title ("TicTacToe"), or its room name for a game this page does not know. */
export function gameTitle(game: string): string {
  return viewOf(game)?.title ?? game;
}

/** A player's name, as a link to their profile when they have one (a bot has none). */
export function playerLink(name: string, userId: string | null, testid = "player-link"): HTMLElement {
  const bdi = h("bdi", { class: "player-name" }, name);
  return userId ? h("a", { class: "player-link", testid, data: { user: userId }, attrs: { href: profileHref(userId) } }, bdi) : h("span", { class: "player-nolink" }, bdi);
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * Loads what a records page (profile, leaderboard, replay) shows: "Loading …" meanwhile, then
 * `show(data)`, or the failure in plain words with "Try again" when a retry could help.
 * Nothing happens once `signal` is aborted (the page was left).
 */
export async function loadRecords<T>(page: { el: HTMLElement; body: HTMLElement; signal: AbortSignal }, what: string, fetch: () => Promise<T>, show: (data: T) => void): Promise<void> {
  page.el.setAttribute("aria-busy", "true");
  page.body.replaceChildren(h("p", { class: "muted", testid: "loading" }, `Loading ${what}…`));
  try {
    show(await fetch());
  } catch (err) {
    if (page.signal.aborted) return;
    const failure = describeApiError(err);
    page.body.replaceChildren(loadFailed(failure.title, failure.detail, failure.transient));
  } finally {
    page.el.removeAttribute("aria-busy");
  }
}

/** The failed frame of a records page. */
export function loadFailed(title: string, detail: string, canRetry: boolean): HTMLElement {
  return h(
    "div",
    { class: "load-error", testid: "load-error", attrs: { role: "alert" } },
    h("p", {}, h("strong", {}, title), detail && detail !== title ? h("span", { class: "muted" }, ` (${detail})`) : null),
    canRetry ? h("button", { action: "reload", testid: "btn-reload", attrs: { type: "button" } }, "Try again") : null,
  );
}

export class ProfileScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private profile?: Profile;

  constructor(
    private readonly host: RecordsHost,
    private readonly id: string,
  ) {
    this.body = h("div", { attrs: { "aria-live": "polite" } });
    this.el = h("section", { class: "screen records profile", testid: "profile", data: { user: id } }, h("h2", { testid: "profile-heading" }, "Player profile"), this.body);
    delegate(this.el, (action) => {
      if (action === "reload") void this.load();
    });
    // "This is you" follows signing in and out.
    this.unsubscribe = host.account.onChange(() => {
      if (this.profile) this.show(this.profile);
    });
    void this.load();
  }

  dispose() {
    this.abort.abort();
    this.unsubscribe();
  }

  private load() {
    return loadRecords({ el: this.el, body: this.body, signal: this.abort.signal }, "the profile", () => fetchProfile(this.id, this.abort.signal), (data) => this.show(data));
  }


  private show(profile: Profile) {
    this.profile = profile;
    const me = this.host.account.user?.id === profile.id;
    const heading = this.el.querySelector("h2");
    if (heading) {
      heading.replaceChildren();
      append(heading, [h("bdi", { class: "player-name", testid: "profile-name" }, profile.name), me ? h("span", { class: "badge you" }, "you") : null]);
    }
    const games = Object.entries(profile.stats);
    this.body.replaceChildren();
    append(this.body, [
      h(
        "p",
        { class: "muted small profile-kind" },
        profile.guest ? "Guest player" : "Registered player",
        " · player id ",
        h("code", { testid: "profile-id" }, profile.id),
      ),
      me && profile.guest ? h("p", { class: "hint", testid: "guest-hint" }, "You play as a guest: ", h("a", { attrs: { href: "#/account" } }, "create an account"), " to keep this record on any device.") : null,
      h(
        "section",
        { class: "card" },
        h("h3", {}, "Games"),
        games.length === 0
          ? h(
              "p",
              { class: "muted", testid: "no-stats" },
              // Listed below but in no record: games between two tabs of one player.
              profile.matches.length === 0 ? "No games played yet." : "No games counted yet: a game between two tabs of the same player counts in no record.",
            )
          : h(
              "div",
              { class: "table-wrap" },
              h(
                "table",
                { class: "records-table", testid: "profile-stats" },
                h("thead", {}, h("tr", {}, ["Game", "Played", "Won", "Lost", "Drawn", "Rating"].map((c, i) => h("th", { attrs: { scope: "col", class: i > 0 ? "num" : undefined } }, c)))),
                h(
                  "tbody",
                  {},
                  games.map(([game, s]) => {
                    const rating = ratingCell(s);
                    return h(
                      "tr",
                      { testid: `stats-${game}` },
                      h("th", { attrs: { scope: "row" } }, h("a", { attrs: { href: leaderboardHref(game), title: `${gameTitle(game)} leaderboard` } }, gameTitle(game))),
                      ([["played", s.played], ["won", s.won], ["lost", s.lost], ["drawn", s.drawn]] as const).map(([key, value]) =>
                        h("td", { class: "num", testid: `stats-${game}-${key}` }, value),
                      ),
                      h("td", { class: "num", testid: `stats-${game}-rating`, attrs: { title: rating.title } }, rating.text),
                    );
                  }),
                ),
              ),
            ),
      ),
      h(
        "section",
        { class: "card" },
        h("h3", {}, "Last games"),
        profile.matches.length === 0
          ? h("p", { class: "muted", testid: "no-matches" }, "No recorded games yet.")
          : h("ol", { class: "match-list", testid: "match-history" }, profile.matches.map((m) => this.matchItem(m, profile.id))),
      ),
    ]);
  }

  private matchItem(m: MatchSummary, owner: string): HTMLElement {
    const result = outcomeWord(m.placement, m.players);
    const players: Child[] = [...m.players]
      .sort((a, b) => a.placement - b.placement || a.seat - b.seat)
      .map((p) => h("li", { class: p.userId === owner ? "owner" : undefined }, h("span", { class: "place" }, ordinal(p.placement)), " ", playerLink(p.name, p.userId)));
    return h(
      "li",
      { class: `match outcome-${result === "Won" ? "won" : result === "Lost" ? "lost" : "other"}`, testid: `match-${m.id}`, data: { match: m.id, game: m.game } },
      h(
        "p",
        { class: "match-head" },
        h("strong", { testid: "match-game" }, gameTitle(m.game)),
        " · ",
        h("span", { testid: "match-result" }, matchResult(m.placement, m.players)),
        " · ",
        h("time", { testid: "match-date", attrs: { datetime: new Date(m.endedAt).toISOString() } }, dateFormat.format(m.endedAt)),
        " · ",
        h("a", { class: "replay-link", testid: "match-replay", attrs: { href: replayHref(m.id), title: `Replay this ${gameTitle(m.game)} game, step by step` } }, "Replay"),
      ),
      h("ol", { class: "match-players", testid: "match-players", attrs: { "aria-label": "Players, by placement" } }, players),
    );
  }
}
