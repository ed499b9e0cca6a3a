/**
 * The players' side of the server-process tests (test/players/recording.test.ts,
 * outage.test.ts): guests signed in over HTTP, SDK players joining with (or without) their
 * token, the profile and match records read back, and the results metrics.
 */
import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import type { ServerProcess } from "./cluster.js";
import { seated, type Seated } from "./failover.js";
import { eventually } from "./clients.js";
import type { GameStats, LoggedStep, MatchPlayer, MatchRecordView, Profile } from "../../src/protocol/players.js";

/** A guest: `POST /auth/anonymous`'s user id and token, and the name it plays under. */
export interface Guest {
  id: string;
  name: string;
  token: string;
}

export type { GameStats, LoggedStep, MatchPlayer, MatchRecordView, Profile };

/** A new guest named `name`. */
export async function guest(server: ServerProcess, name: string): Promise<Guest> {
  const res = await fetch(`${server.url}/auth/anonymous`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ options: { name } }) });
  assert.equal(res.status, 200, `POST /auth/anonymous: ${res.status}`);
  const body = (await res.json()) as { user: { id: string; name: string }; token: string };
  assert.equal(body.user.name, name);
  assert.ok(body.token, "a token");
  return { id: body.user.id, name, token: body.token };
}

export async function getJson<T>(server: ServerProcess, path: string): Promise<T> {
  const res = await fetch(server.url + path);
  assert.equal(res.status, 200, `GET ${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

export const profile = (server: ServerProcess, id: string) => getJson<Profile>(server, `/api/players/${id}`);
export const matchRecord = (server: ServerProcess, id: string) => getJson<MatchRecordView>(server, `/api/matches/${id}`);

/**
 * Joins (`create` a room of game `target`, or `joinById` room `target`) through `server`,
 * signed in as `as` (its token) or as an anonymous program (no token); resolves with the
 * synced player, whose SDK does not reconnect by itself.
 */
export async function joinAs<S>(server: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>, as?: Guest): Promise<Seated<S>> {
  const sdk = new Client(server.url);
  if (as) sdk.auth.token = as.token;
  const room = method === "create" ? await sdk.create<S>(target, options) : await sdk.joinById<S>(target, options);
  const player = seated(room);
  await player.synced();
  return player;
}

/** When each server's /metrics was last read: the server renders it at most once a second (src/metrics.ts `render`). */
const lastRead = new WeakMap<Pick<ServerProcess, "url">, number>();
const RENDER_MS = 1000;

/**
 * A metric's value (no labels) from GET /metrics (served to 127.0.0.1), as it is now: a
 * read less than a second after the last one would get that one's cached text, so it waits.
 */
export async function metric(server: Pick<ServerProcess, "url">, name: string): Promise<number> {
  const wait = (lastRead.get(server) ?? 0) + RENDER_MS + 50 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  lastRead.set(server, Date.now());
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200, `GET /metrics: ${res.status}`);
  const line = (await res.text()).split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line, `metric ${name} is served`);
  return Number(line.slice(name.length + 1));
}

/** Waits until metric `name` is `value` (read about once a second). */
export function metricIs(server: Pick<ServerProcess, "url">, name: string, value: number, timeoutMs = 8000): Promise<void> {
  let last: number | undefined;
  return eventually(async () => (last = await metric(server, name)) === value, `${name} = ${value}`, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message} (last seen ${last})`);
  });
}

/**
 * Polls `GET /api/players/<player.id>` until a match not in `before` shows in the profile;
 * resolves with its id.
 */
export async function newMatchOf(server: ServerProcess, player: Guest, before: Profile, timeoutMs = 10000): Promise<string> {
  const known = new Set(before.matches.map((m) => m.id));
  let found: string | undefined;
  await eventually(
    async () => {
      found = (await profile(server, player.id)).matches.find((m) => !known.has(m.id))?.id;
      return found !== undefined;
    },
    `a new match in ${player.name}'s profile`,
    timeoutMs,
  );
  return found!;
}

/**
 * The match `matchId` is recorded exactly once for each of `players` (compared with their
 * profiles `before`): one entry with that id in the profile, `played` of `game` one more.
 * Resolves with the profiles after.
 */
export async function recordedOnceFor(server: ServerProcess, game: string, matchId: string, players: readonly Guest[], before: readonly Profile[]): Promise<Profile[]> {
  const after: Profile[] = [];
  for (const [i, p] of players.entries()) {
    const now = await profile(server, p.id);
    assert.equal(now.matches.filter((m) => m.id === matchId).length, 1, `exactly one entry of the match in ${p.name}'s profile`);
    assert.equal(now.stats[game]?.played, (before[i]!.stats[game]?.played ?? 0) + 1, `${p.name} played one more ${game} game`);
    after.push(now);
  }
  return after;
}

/** The rating of a player who has not played `game` yet (μ − 3σ of a new player, rounded as the API does). */
export const INITIAL_RATING = 0;

/** The rating and counts of `game` in `p`, or a new player's. */
export function statsOf(p: Profile, game: string): GameStats {
  return p.stats[game] ?? { played: 0, won: 0, lost: 0, drawn: 0, rated: 0, rating: INITIAL_RATING };
}
