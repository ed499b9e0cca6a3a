/**
 * The page's places, in the address's hash: the lobby (`#/`, or no hash; an invitation
 * `#join=<id>` is the lobby too), a player's profile, a game's leaderboard, a recorded match's
 * replay (`#/replay/<matchId>`, a link to share; `#/replay/<matchId>/<step>` at a step, so a
 * reload shows the step it showed), and signing in.
 * A game is never a route: it lives in the session (a reload rejoins it).
 */
export type Route =
  | { kind: "lobby" }
  | { kind: "profile"; id: string }
  | { kind: "leaderboard"; game: string }
  | { kind: "replay"; id: string; step: number }
  | { kind: "account" };

const ID = /^[\w-]{1,64}$/;
/** A replay's step in the address: a whole number (a replay clamps it to its steps). */
const STEP = /^\d{1,6}$/;

/** The route of a hash ("#/profile/abc"); anything unknown is the lobby. */
export function routeOf(hash: string): Route {
  const parts = hash.replace(/^#/, "").split("/");
  if (parts[0] !== "" || parts.length < 2) return { kind: "lobby" };
  const [, place, arg = "", more = ""] = parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return "";
    }
  });
  if (place === "profile" && ID.test(arg)) return { kind: "profile", id: arg };
  if (place === "leaderboard" && ID.test(arg)) return { kind: "leaderboard", game: arg };
  if (place === "replay" && ID.test(arg)) return { kind: "replay", id: arg, step: STEP.test(more) ? Number(more) : 0 };
  if (place === "account") return { kind: "account" };
  return { kind: "lobby" };
}

export function currentRoute(): Route {
  return routeOf(location.hash);
}

export const profileHref = (id: string) => `#/profile/${encodeURIComponent(id)}`;
export const leaderboardHref = (game: string) => `#/leaderboard/${encodeURIComponent(game)}`;
/** A replay's address; at `step` (> 0) when given: the start is the replay's own address. */
export const replayHref = (matchId: string, step = 0) => `#/replay/${encodeURIComponent(matchId)}${step > 0 ? `/${step}` : ""}`;
export const ACCOUNT_HREF = "#/account";
export const LOBBY_HREF = "#/";
