/**
 * The page's places, in the address's hash: the lobby (`#/`, or no hash; an invitation
 * `#join=<id>` is the lobby too), a player's profile, a game's leaderboard, a recorded match's
 * replay (`#/replay/<matchId>`, a link to share), and signing in.
 * A game is never a route: it lives in the session (a reload rejoins it).
 */
export type Route =
  | { kind: "lobby" }
  | { kind: "profile"; id: string }
  | { kind: "leaderboard"; game: string }
  | { kind: "replay"; id: string }
  | { kind: "account" };

const ID = /^[\w-]{1,64}$/;

/** The route of a hash ("#/profile/abc"); anything unknown is the lobby. */
export function routeOf(hash: string): Route {
  const parts = hash.replace(/^#/, "").split("/");
  if (parts[0] !== "" || parts.length < 2) return { kind: "lobby" };
  const [, place, arg = ""] = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return "";
    }
  });
  if (place === "profile" && ID.test(arg)) return { kind: "profile", id: arg };
  if (place === "leaderboard" && ID.test(arg)) return { kind: "leaderboard", game: arg };
  if (place === "replay" && ID.test(arg)) return { kind: "replay", id: arg };
  if (place === "account") return { kind: "account" };
  return { kind: "lobby" };
}

export function currentRoute(): Route {
  return routeOf(location.hash);
}

export const profileHref = (id: string) => `#/profile/${encodeURIComponent(id)}`;
export const leaderboardHref = (game: string) => `#/leaderboard/${encodeURIComponent(game)}`;
export const replayHref = (matchId: string) => `#/replay/${encodeURIComponent(matchId)}`;
export const ACCOUNT_HREF = "#/account";
export const LOBBY_HREF = "#/";
