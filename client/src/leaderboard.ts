/**
 * A game's leaderboard (`#/leaderboard/<game>`): the best players by rating, with a tab for
 * each game. A player's name opens their profile.
 */
import { fetchLeaderboard, type Leaderboard } from "./api.js";
import { delegate, h } from "./dom.js";
import { VIEWS, viewOf } from "./games/index.js";
import { gameTitle, loadRecords, playerLink, type RecordsHost } from "./profile.js";
import { leaderboardHref } from "./routes.js";

/** Rows shown (the server gives up to 100). */
const ROWS = 50;

export class LeaderboardScreen {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private board?: Leaderboard;

  constructor(
    private readonly host: RecordsHost,
    private readonly game: string,
  ) {
    this.body = h("div", { attrs: { "aria-live": "polite" } });
    this.el = h(
      "section",
      { class: "screen records leaderboard card", testid: "leaderboard", data: { game } },
      h("h2", {}, viewOf(game) ? `Leaderboard: ${gameTitle(game)}` : "Leaderboards"),
      h(
        "nav",
        { class: "tabs", attrs: { "aria-label": "Games" } },
        VIEWS.map((v) => {
          const g = v.protocol.name;
          return h("a", { class: "tab", testid: `tab-${g}`, attrs: { href: leaderboardHref(g), "aria-current": g === game ? "page" : undefined } }, v.title);
        }),
      ),
      this.body,
    );
    delegate(this.el, (action) => {
      if (action === "reload") void this.load();
    });
    this.unsubscribe = host.account.onChange(() => {
      if (this.board) this.show(this.board);
    });
    void this.load();
  }

  dispose() {
    this.abort.abort();
    this.unsubscribe();
  }

  private load() {
    // An address naming no game of this server (typed, or from an older version): the tabs above offer the real ones.
    if (!viewOf(this.game)) {
      this.body.replaceChildren(h("p", { class: "load-error", testid: "leaderboard-error", attrs: { role: "alert" } }, "There is no such game here: pick one above."));
      return Promise.resolve();
    }
    return loadRecords({ el: this.el, body: this.body, signal: this.abort.signal }, "the leaderboard", () => fetchLeaderboard(this.game, ROWS, this.abort.signal), (data) => this.show(data));
  }


  private show(board: Leaderboard) {
    this.board = board;
    const me = this.host.account.user?.id;
    this.body.replaceChildren(
      board.entries.length === 0
        ? h("p", { class: "muted", testid: "leaderboard-empty" }, `No one is on the ${gameTitle(board.game)} leaderboard yet. Players appear here once they have played ${board.minGames === undefined ? "a few rated games" : board.minGames === 1 ? "a rated game" : `${board.minGames} rated games`} (against other players; games against a bot are not rated).`)
        : h(
            "div",
            { class: "table-wrap" },
            h(
              "table",
              { class: "records-table", testid: "leaderboard-table" },
              h("thead", {}, h("tr", {}, ["#", "Player", "Rating", "Played", "Won"].map((c, i) => h("th", { attrs: { scope: "col", class: i === 1 ? undefined : "num" } }, c)))),
              h(
                "tbody",
                {},
                board.entries.map((e) =>
                  h(
                    "tr",
                    { class: e.userId === me ? "mine" : undefined, testid: `leader-${e.userId}` },
                    h("td", { class: "num" }, e.rank),
                    h("th", { attrs: { scope: "row" } }, playerLink(e.name, e.userId, "leader-link"), e.userId === me ? h("span", { class: "badge you" }, "you") : null),
                    h("td", { class: "num" }, e.rating.toFixed(1)),
                    h("td", { class: "num" }, e.played),
                    h("td", { class: "num" }, e.won),
                  ),
                ),
              ),
            ),
          ),
    );
  }
}
