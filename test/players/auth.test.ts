/**
 * Players' sign-in (src/players/accounts.ts) on real server processes (`src/index.ts`), as a
 * player and an operator meet it: guests, registration that keeps a guest's record, email
 * normalisation, password lengths, wrong passwords that leave no trace in the logs, tokens
 * that are refused (tampered, expired, foreign) by /auth and by the game rooms alike, the
 * production secret requirement, the sign-in rate limit, and ACCOUNTS=off.
 *
 * One main server (its own DATA_DIR, so the test can read the development secret) serves
 * most cases; the rate limit, production start-up and ACCOUNTS=off get servers of their own.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@colyseus/sdk";
import jsonwebtoken from "jsonwebtoken";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { eventually, Player, refusedWith } from "../helpers/clients.js";
import { runServerExpectingExit, startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { freePort } from "../helpers/ports.js";
import { topRowMoves } from "../helpers/rooms.js";
import { startRestartableRedis, type RestartableRedis } from "../helpers/redis.js";

/** Colyseus's AUTH_FAILED: what a join with a refused token answers. */
const AUTH_FAILED = 525;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

interface SignedIn {
  user: { id: string; name: string; guest: boolean; email: string | null };
  token: string;
}

/** Every token any server issued, every password and email sent: none may reach a log. */
const issuedTokens = new Set<string>();
const passwordsUsed = new Set<string>();
const emailsUsed = new Set<string>();

async function call(base: string, method: "GET" | "POST", route: string, body?: unknown, token?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  const answer = { status: res.status, headers: res.headers, body: parsed as any };
  if (typeof answer.body?.token === "string") issuedTokens.add(answer.body.token);
  return answer;
}

const post = (base: string, route: string, body: unknown, token?: string) => {
  const b = body as { password?: unknown; email?: unknown };
  if (typeof b?.password === "string") passwordsUsed.add(b.password);
  if (typeof b?.email === "string") emailsUsed.add(b.email.trim());
  return call(base, "POST", route, body, token);
};
const get = (base: string, route: string, token?: string) => call(base, "GET", route, undefined, token);

/** A fresh, unique email address (each test registers its own). */
const uniqueEmail = (label: string) => `${label}-${crypto.randomBytes(4).toString("hex")}@example.org`;

/** A token whose signature no longer matches: one character of the signature changed. */
function tamperSignature(token: string): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  // A middle character: the last one carries padding bits, and some changes to it decode to the same bytes.
  const i = Math.floor(signature.length / 2);
  const flipped = signature[i] === "A" ? "Q" : "A";
  return [header, payload, signature.slice(0, i) + flipped + signature.slice(i + 1)].join(".");
}

/** A token whose payload was rewritten (another id, guest flag) but kept the original signature. */
function tamperPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, ...changes })).toString("base64url");
  return [header, forged, signature].join(".");
}

/** A token with `alg: none` (no signature at all). */
function unsigned(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${enc({ alg: "none", typ: "JWT" })}.${enc({ ...payload, iat: Math.floor(Date.now() / 1000) })}.`;
}

/** A TicTacToe room's player, with a sign-in token (or none). */
function clientFor(base: string, token?: string): Client {
  const client = new Client(base);
  if (token !== undefined) client.auth.token = token;
  return client;
}

type Ttt = BoardGameState;

/**
 * Two players play a TicTacToe game to its end: `x` creates the room (first to sit: X) and
 * wins along the top row, whoever opens (the first mover is drawn). Resolves once both see the game over.
 */
async function playToWin(base: string, x: { name: string; token?: string }, o: { name: string; token?: string }) {
  const a = new Player<Ttt>(await clientFor(base, x.token).create("tictactoe", { name: x.name }));
  const b = new Player<Ttt>(await clientFor(base, o.token).joinById(a.room.roomId, { name: o.name }));
  try {
    for (const p of [a, b]) await p.until(() => p.state.phase === "playing", "the game to start");
    // b plays the middle row (and a corner, when it opened) while a takes the top row.
    const moves = topRowMoves(a, b, a.state.currentTurn === a.id);
    for (const [p, row, col] of moves) {
      const mark = p === a ? "X" : "O";
      p.send("make_move", { row, col });
      // Both players see the move before the next one (a player acting on a stale view would move out of turn).
      for (const w of [a, b]) await w.until(() => w.state.board[row * 3 + col] === mark, `(${row},${col}) on the board (errors: ${JSON.stringify(w.all("error"))})`);
    }
    for (const p of [a, b]) await p.until(() => p.state.phase === "over", "the game to end");
    assert.equal(a.state.winner, a.id);
  } finally {
    await Promise.all([a.room.leave(true), b.room.leave(true)]).catch(() => undefined);
  }
}

/** Joins a new TicTacToe room with `token` (or none) and leaves; rejects as the join does. */
async function joinWith(base: string, token: string | undefined): Promise<void> {
  const room = await clientFor(base, token).create("tictactoe", { name: "Tester" });
  const p = new Player<Ttt>(room);
  await p.until(() => p.state?.players?.size === 1, "the seat");
  await room.leave(true);
}

/** A player's public profile (GET /api/players/:id). */
async function profile(base: string, id: string) {
  const res = await get(base, `/api/players/${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as { id: string; name: string; guest: boolean; stats: Record<string, { played: number; won: number; lost: number; drawn: number }> };
}

describe("Sign-in (/auth) on real server processes", function () {
  this.timeout(30000);

  /** Data folders this file made (its servers' DATA_DIR), removed at the end. */
  const dataDirs: string[] = [];
  const makeDataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "auth-test-"));
    dataDirs.push(dir);
    return dir;
  };
  /** Every server this file started, for the final log check. */
  const servers: ServerProcess[] = [];

  let server: ServerProcess;
  let base: string;
  let dataDir: string;
  /** The development secret the main server generated into its data folder. */
  let secret: string;

  before(async function () {
    this.timeout(30000);
    dataDir = makeDataDir();
    server = await startServer({ redisUrl: "", env: { DATA_DIR: dataDir, TOKEN_DAYS: "2" } });
    servers.push(server);
    base = server.url;
    secret = fs.readFileSync(path.join(dataDir, "jwt-secret"), "utf8").trim();
  });

  after(async () => {
    await stopAllServers();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("the development secret and the tokens", () => {
    it("without JWT_SECRET, a 32+ character secret is generated into DATA_DIR/jwt-secret, readable by its owner only, and the log says so without it", () => {
      assert.ok(secret.length >= 32, "a long secret");
      assert.equal(fs.statSync(path.join(dataDir, "jwt-secret")).mode & 0o777, 0o600);
      assert.ok(
        server.logs().some((l) => /JWT_SECRET is not set/.test(String(l.msg))),
        "the operator is told to set JWT_SECRET in production",
      );
    });

    it("a token is an HS256 JWT signed with that secret, carrying { id, name, guest }, valid for TOKEN_DAYS", async () => {
      const res = await post(base, "/auth/anonymous", { options: { name: "Tokeneer" } });
      assert.equal(res.status, 200);
      const { user, token } = res.body as SignedIn;
      const claims = jsonwebtoken.verify(token, secret, { algorithms: ["HS256"] }) as jsonwebtoken.JwtPayload;
      assert.equal(claims.id, user.id);
      assert.equal(claims.name, "Tokeneer");
      assert.equal(claims.guest, true);
      assert.equal(claims.exp! - claims.iat!, 2 * 86400, "TOKEN_DAYS=2");
    });
  });

  it("sign-in routes this server does not offer (password reset, OAuth) answer 404 with a JSON refusal", async () => {
    for (const [method, route] of [
      ["POST", "/auth/forgot-password"],
      ["GET", "/auth/provider/discord"],
      ["GET", "/auth"],
    ] as const) {
      const res = await call(base, method, route, method === "POST" ? {} : undefined);
      assert.equal(res.status, 404, `${method} ${route}`);
      assert.equal(res.body.code, "INVALID_INPUT", `${method} ${route}: ${JSON.stringify(res.body)}`);
    }
  });

  describe("guests", () => {
    it("anonymous sign-in gives a guest and a token; /auth/userdata with it returns the same guest", async () => {
      const res = await post(base, "/auth/anonymous", { options: { name: "Gus" } });
      assert.equal(res.status, 200);
      const { user, token } = res.body as SignedIn;
      assert.equal(typeof token, "string");
      assert.deepEqual({ ...user, id: "" }, { id: "", name: "Gus", guest: true, email: null });
      const me = await get(base, "/auth/userdata", token);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, { user });
    });

    it("without a name a guest gets one; /auth/userdata without a token is 401 TOKEN_INVALID", async () => {
      const res = await post(base, "/auth/anonymous", {});
      assert.equal(res.status, 200);
      assert.match(res.body.user.name, /^Guest \d{4}$/);
      const none = await get(base, "/auth/userdata");
      assert.equal(none.status, 401);
      assert.equal(none.body.code, "TOKEN_INVALID");
    });

    for (const [what, name] of [
      ["a right-to-left override (U+202E)", "Bob\u202Egnp.exe"],
      ["an empty name", ""],
      ["a blank name", "   "],
      ["a name over 20 characters", "x".repeat(21)],
      ["a zero-width space", "A\u200BB"],
      ["a name that is not text", 42],
    ] as [string, unknown][]) {
      it(`refuses ${what} as a guest's name: 400 INVALID_INPUT, and no guest is made`, async () => {
        const res = await post(base, "/auth/anonymous", { options: { name } });
        assert.equal(res.status, 400);
        assert.equal(res.body.code, "INVALID_INPUT");
        assert.equal(typeof res.body.error, "string");
        assert.equal(res.body.token, undefined);
      });
    }

    it("renaming (/auth/name) follows the same rules, and a good name shows in /auth/userdata and the new token", async () => {
      const { token } = (await post(base, "/auth/anonymous", { options: { name: "Before" } })).body as SignedIn;
      const bad = await post(base, "/auth/name", { name: "Eve\u202E" }, token);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, "INVALID_INPUT");
      assert.match(bad.body.error, /U\+202E/);
      const good = await post(base, "/auth/name", { name: "  After  " }, token);
      assert.equal(good.status, 200);
      assert.equal(good.body.user.name, "After", "trimmed");
      assert.equal((jsonwebtoken.decode(good.body.token) as { name: string }).name, "After");
      assert.equal((await get(base, "/auth/userdata", token)).body.user.name, "After");
      const anonymousRename = await post(base, "/auth/name", { name: "Nobody" });
      assert.equal(anonymousRename.status, 401);
      assert.equal(anonymousRename.body.code, "TOKEN_INVALID");
    });

    it("the token a rename answers expires when the old one would have: renaming does not make a token last for ever", async () => {
      const { user } = (await post(base, "/auth/anonymous", { options: { name: "Short" } })).body as SignedIn;
      // A token with an hour left (the server's own tokens last TOKEN_DAYS = 2 days).
      const short = jsonwebtoken.sign({ id: user.id, name: "Short", guest: true }, secret, { algorithm: "HS256", expiresIn: "1h" });
      const { exp } = jsonwebtoken.decode(short) as { exp: number };
      const renamed = await post(base, "/auth/name", { name: "Renamed" }, short);
      assert.equal(renamed.status, 200);
      const after = jsonwebtoken.decode(renamed.body.token) as { exp: number; name: string };
      assert.equal(after.name, "Renamed");
      assert.ok(Math.abs(after.exp - exp) <= 1, `the new token expires at ${after.exp}, the old one at ${exp}`);
      assert.equal((await get(base, "/auth/userdata", renamed.body.token)).body.user.name, "Renamed");
    });
  });

  describe("registration keeps a guest's record", () => {
    it("a guest wins a TicTacToe game signed in, registers with its guest token, keeps its id, and its profile still shows played 1 / won 1", async function () {
      this.timeout(30000);
      const ann = (await post(base, "/auth/anonymous", { options: { name: "Ann" } })).body as SignedIn;
      const bob = (await post(base, "/auth/anonymous", { options: { name: "Bob" } })).body as SignedIn;
      await playToWin(base, { name: "Ann", token: ann.token }, { name: "Bob", token: bob.token });

      // The match is recorded in the background.
      await eventually(async () => (await profile(base, ann.user.id)).stats.tictactoe?.played === 1, "Ann's match to be recorded", 5000);
      const bobsRecord = (await profile(base, bob.user.id)).stats.tictactoe;
      assert.deepEqual({ played: bobsRecord?.played, lost: bobsRecord?.lost }, { played: 1, lost: 1 }, "the loser's record too");

      const email = uniqueEmail("ann");
      const registered = await post(base, "/auth/register", { email, password: "ann-secret-pw" }, ann.token);
      assert.equal(registered.status, 201);
      const { user, token } = registered.body as SignedIn;
      assert.equal(user.id, ann.user.id, "the same player");
      assert.equal(user.guest, false);
      assert.equal(user.email, email);
      assert.equal(user.name, "Ann", "the guest's name is kept");
      assert.equal((jsonwebtoken.decode(token) as { guest: boolean }).guest, false, "the new token is a registered player's");

      const after = await profile(base, ann.user.id);
      assert.equal(after.guest, false);
      assert.equal(after.name, "Ann");
      assert.deepEqual({ played: after.stats.tictactoe?.played, won: after.stats.tictactoe?.won }, { played: 1, won: 1 });

      // Signing in again later finds the same player and record.
      const login = await post(base, "/auth/login", { email, password: "ann-secret-pw" });
      assert.equal(login.status, 200);
      assert.equal(login.body.user.id, ann.user.id);
      assert.equal((await get(base, "/auth/userdata", login.body.token)).body.user.id, ann.user.id);
    });

    it("once a guest registers, their guest token is refused (userdata, rename, a game's door, another registration); the new token works, and so do other guests' tokens", async function () {
      this.timeout(20000);
      const gus = (await post(base, "/auth/anonymous", { options: { name: "Gus" } })).body as SignedIn;
      const other = (await post(base, "/auth/anonymous", { options: { name: "Hal" } })).body as SignedIn;
      const registered = await post(base, "/auth/register", { email: uniqueEmail("gus"), password: "gus-secret-pw" }, gus.token);
      assert.equal(registered.status, 201);
      const fresh = registered.body as SignedIn;
      assert.equal(fresh.user.id, gus.user.id);

      // The old guest token (still signed and unexpired) no longer reads or changes the account...
      const me = await get(base, "/auth/userdata", gus.token);
      assert.equal(me.status, 401, JSON.stringify(me.body));
      assert.equal(me.body.code, "TOKEN_INVALID");
      assert.equal(me.body.user, undefined, "nothing of the account (its email) is answered");
      const rename = await post(base, "/auth/name", { name: "Taken Over" }, gus.token);
      assert.equal(rename.status, 401);
      assert.equal(rename.body.code, "TOKEN_INVALID");
      // ...nor plays as it,
      await assert.rejects(joinWith(base, gus.token), refusedWith(AUTH_FAILED));
      // ...nor registers with it (the web client then takes the device's new sign-in).
      const again = await post(base, "/auth/register", { email: uniqueEmail("gus2"), password: "gus-other-pw" }, gus.token);
      assert.equal(again.status, 401);
      assert.equal(again.body.code, "TOKEN_INVALID");

      const now = await get(base, "/auth/userdata", fresh.token);
      assert.equal(now.status, 200);
      assert.deepEqual({ name: now.body.user.name, guest: now.body.user.guest }, { name: "Gus", guest: false }, "the rename with the old token changed nothing");
      await joinWith(base, fresh.token);
      assert.equal((await get(base, "/auth/userdata", other.token)).status, 200, "another guest's token is unaffected");
      await joinWith(base, other.token);
    });

    it("registering without a guest token makes a new player; a name in the options is used, a bad one refused", async () => {
      const bad = await post(base, "/auth/register", { email: uniqueEmail("badname"), password: "long-enough", options: { name: "x\u202E" } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, "INVALID_INPUT");
      const res = await post(base, "/auth/register", { email: uniqueEmail("fresh"), password: "long-enough", options: { name: "Fresh" } });
      assert.equal(res.status, 201);
      assert.equal(res.body.user.name, "Fresh");
      assert.equal(res.body.user.guest, false);
    });

    it("an address that is not an email is refused 400 INVALID_INPUT", async () => {
      for (const email of ["not-an-email", "", `${"a".repeat(250)}@example.org`]) {
        const res = await post(base, "/auth/register", { email, password: "long-enough" });
        assert.equal(res.status, 400, email);
        assert.equal(res.body.code, "INVALID_INPUT");
      }
    });
  });

  describe("email addresses", () => {
    it('registering " Ada@Example.ORG " stores ada@example.org; signing in as "ada@example.org" (or " ADA@example.org ") works', async () => {
      const res = await post(base, "/auth/register", { email: " Ada@Example.ORG ", password: "analytical-engine" });
      assert.equal(res.status, 201);
      assert.equal(res.body.user.email, "ada@example.org");
      for (const email of ["ada@example.org", " ADA@example.org "]) {
        const login = await post(base, "/auth/login", { email, password: "analytical-engine" });
        assert.equal(login.status, 200, email);
        assert.equal(login.body.user.id, res.body.user.id);
      }
    });

    it("the same address in another case is taken: 409 EMAIL_TAKEN, and the first account's password still works", async () => {
      const res = await post(base, "/auth/register", { email: "ADA@EXAMPLE.ORG", password: "another-password" });
      assert.equal(res.status, 409);
      assert.equal(res.body.code, "EMAIL_TAKEN");
      assert.equal((await post(base, "/auth/login", { email: "ada@example.org", password: "another-password" })).status, 401);
      assert.equal((await post(base, "/auth/login", { email: "ada@example.org", password: "analytical-engine" })).status, 200);
    });

    it("a guest registering a taken address stays a guest with its token still valid", async () => {
      const guest = (await post(base, "/auth/anonymous", {})).body as SignedIn;
      const res = await post(base, "/auth/register", { email: "ada@example.org", password: "whatever-pw" }, guest.token);
      assert.equal(res.status, 409);
      const me = await get(base, "/auth/userdata", guest.token);
      assert.equal(me.status, 200);
      assert.equal(me.body.user.guest, true);
    });
  });

  describe("passwords", () => {
    for (const [length, status] of [
      [7, 400],
      [8, 201],
      [256, 201],
      [257, 400],
    ] as [number, number][]) {
      it(`a password of ${length} characters: ${status}${status === 201 ? ", and it signs in" : " INVALID_INPUT"}`, async () => {
        const email = uniqueEmail(`pw${length}`);
        const password = crypto.randomBytes(200).toString("base64url").slice(0, Math.min(length, 200)).padEnd(length, "p");
        assert.equal(password.length, length);
        const res = await post(base, "/auth/register", { email, password });
        assert.equal(res.status, status, JSON.stringify(res.body));
        if (status === 400) {
          assert.equal(res.body.code, "INVALID_INPUT");
          assert.match(res.body.error, /password/i);
          assert.equal((await post(base, "/auth/login", { email, password })).status, length > 256 ? 400 : 401, "no account was made");
        } else {
          const login = await post(base, "/auth/login", { email, password });
          assert.equal(login.status, 200);
          assert.equal(login.body.user.id, res.body.user.id);
        }
      });
    }
  });

  describe("signing in", () => {
    const email = uniqueEmail("grace");
    const password = "cobol-compiler-1959";
    let id: string;

    before(async () => {
      const res = await post(base, "/auth/register", { email, password, options: { name: "Grace" } });
      assert.equal(res.status, 201);
      id = res.body.user.id;
    });

    it("the right password signs in: 200 with the player and a token /auth/userdata accepts", async () => {
      const res = await post(base, "/auth/login", { email, password });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.user, { id, name: "Grace", guest: false, email });
      assert.equal((await get(base, "/auth/userdata", res.body.token)).body.user.id, id);
    });

    it("a wrong password answers 401 INVALID_CREDENTIALS (the same answer as an unknown email), and nothing about it reaches the logs", async () => {
      const wrong = "definitely-not-the-password-" + crypto.randomBytes(6).toString("hex");
      // Let the requests before settle into the log first.
      await new Promise((r) => setTimeout(r, 300));
      const linesBefore = server.lines.length;
      const stderrBefore = server.stderr().length;

      const res = await post(base, "/auth/login", { email, password: wrong });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, "INVALID_CREDENTIALS");
      assert.equal(res.body.token, undefined);
      const unknown = await post(base, "/auth/login", { email: uniqueEmail("nobody"), password: wrong });
      assert.equal(unknown.status, 401);
      assert.deepEqual(unknown.body, res.body, "no hint whether the address has an account");

      await new Promise((r) => setTimeout(r, 500));
      const newLines = server.lines.slice(linesBefore);
      const newStderr = server.stderr().slice(stderrBefore);
      // Rooms of earlier tests may still log their disposal; nothing else may appear.
      assert.deepEqual(newLines.filter((l) => !/"roomId":/.test(l)), [], "no log line for a refused sign-in");
      assert.equal(newStderr, "", "nothing on stderr");
      const text = newLines.join("\n") + newStderr;
      for (const needle of [wrong, email, "invalid", "INVALID_CREDENTIALS", "    at "]) {
        assert.ok(!text.toLowerCase().includes(needle.toLowerCase()), `the logs mention ${JSON.stringify(needle)}`);
      }
    });

    it("a login with no password, a password over 256 characters, or a control character in the email is 400 INVALID_INPUT, not a sign-in attempt", async () => {
      // (A NUL reaching PostgreSQL would fail the query: a 503 and an error line blaming the database.)
      for (const body of [{ email }, { email, password: "x".repeat(257) }, { email, password: 12345678 }, { email: `${email}\u0000`, password }, { email: "a\u0007@example.org", password }]) {
        const res = await post(base, "/auth/login", body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 60));
        assert.equal(res.body.code, "INVALID_INPUT");
      }
    });
  });

  describe("tokens, at /auth/userdata and at a game room's door", () => {
    let guest: SignedIn;
    const refusedTokens: [string, () => string][] = [
      ["a signature with one character changed", () => tamperSignature(guest.token)],
      ["a payload rewritten to another id (original signature)", () => tamperPayload(guest.token, { id: crypto.randomUUID() })],
      ["a payload rewritten to guest: false (original signature)", () => tamperPayload(guest.token, { guest: false })],
      [
        "an expired token (the right secret, exp an hour ago)",
        () => jsonwebtoken.sign({ id: guest.user.id, name: guest.user.name, guest: true, exp: Math.floor(Date.now() / 1000) - 3600 }, secret, { algorithm: "HS256" }),
      ],
      ["a token signed with another secret", () => jsonwebtoken.sign({ id: guest.user.id, name: guest.user.name, guest: true }, crypto.randomBytes(48).toString("base64url"), { algorithm: "HS256", expiresIn: "1d" })],
      ["an unsigned token (alg: none)", () => unsigned({ id: guest.user.id, name: guest.user.name, guest: true })],
      ["a token of another algorithm (HS512, the right secret)", () => jsonwebtoken.sign({ id: guest.user.id, name: guest.user.name, guest: true }, secret, { algorithm: "HS512", expiresIn: "1d" })],
      ["garbage", () => "not.a.token"],
      [
        "a token this server's secret signed for a player who does not exist (a database reset, the secret kept)",
        () => {
          const token = jsonwebtoken.sign({ id: crypto.randomUUID(), name: "Gone", guest: true }, secret, { algorithm: "HS256", expiresIn: "1d" });
          issuedTokens.add(token);
          return token;
        },
      ],
    ];

    before(async () => {
      guest = (await post(base, "/auth/anonymous", { options: { name: "Tess" } })).body as SignedIn;
    });

    for (const [what, make] of refusedTokens) {
      it(`refuses ${what}: /auth/userdata 401 TOKEN_INVALID, and a game join fails with code ${AUTH_FAILED}`, async () => {
        const token = make();
        assert.notEqual(token, guest.token);
        const me = await get(base, "/auth/userdata", token);
        assert.equal(me.status, 401);
        assert.equal(me.body.code, "TOKEN_INVALID");
        await assert.rejects(joinWith(base, token), refusedWith(AUTH_FAILED));
      });
    }

    it("the untampered token: /auth/userdata 200, and the join seats the player", async () => {
      assert.equal((await get(base, "/auth/userdata", guest.token)).status, 200);
      await joinWith(base, guest.token);
    });

    it("no token at all: anonymous play still works (two players play a game to its end)", async () => {
      await joinWith(base, undefined);
      await playToWin(base, { name: "Anon X" }, { name: "Anon O" });
    });

    it("a refused token leaves the server working: the same client signs in again and joins", async () => {
      await assert.rejects(joinWith(base, tamperSignature(guest.token)), refusedWith(AUTH_FAILED));
      const fresh = (await post(base, "/auth/anonymous", {})).body as SignedIn;
      await joinWith(base, fresh.token);
    });
  });

  describe("JWT_SECRET", () => {
    it("NODE_ENV=production without JWT_SECRET: the server exits non-zero naming JWT_SECRET, and writes no secret file", async () => {
      const dir = makeDataDir();
      const { code, stderr, stdout } = await runServerExpectingExit({ NODE_ENV: "production", DATA_DIR: dir, PORT: String(await freePort()), REDIS_URL: "" });
      assert.notEqual(code, 0);
      assert.match(stderr, /JWT_SECRET/);
      assert.doesNotMatch(stdout, /game server listening/);
      assert.equal(fs.existsSync(path.join(dir, "jwt-secret")), false, "no development secret in production");
    });

    it("a JWT_SECRET shorter than 32 characters is refused at start-up, without echoing it", async () => {
      const short = "short-secret-" + crypto.randomBytes(4).toString("hex");
      const { code, stderr, stdout } = await runServerExpectingExit({ NODE_ENV: "production", JWT_SECRET: short, DATA_DIR: makeDataDir(), PORT: String(await freePort()), REDIS_URL: "" });
      assert.notEqual(code, 0);
      assert.match(stderr, /JWT_SECRET/);
      assert.ok(!(stderr + stdout).includes(short), "the secret is not printed");
    });
  });

  describe("the sign-in limit across processes on one Redis (AUTH_REQUESTS_PER_MINUTE=4)", () => {
    let redis: RestartableRedis | undefined;
    after(async () => {
      await redis?.destroy();
    });

    it("one address has one budget whichever process its requests reach (a load balancer spreads them); with Redis gone, each process counts alone and still answers", async function () {
      this.timeout(40000);
      redis = await startRestartableRedis();
      const env = { AUTH_REQUESTS_PER_MINUTE: "4", SNAPSHOTS: "off" };
      const [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env: { ...env, DATA_DIR: makeDataDir() } }), startServer({ redisUrl: redis.url, env: { ...env, DATA_DIR: makeDataDir() } })]);
      servers.push(a, b);
      const email = uniqueEmail("spread");
      // Four guesses, two on each process: the budget of one minute is spent.
      for (const [i, server] of [a, b, a, b].entries()) {
        const res = await post(server.url, "/auth/login", { email, password: `guess-number-${i}` });
        assert.equal(res.status, 401, `guess #${i + 1}`);
      }
      for (const server of [a, b]) {
        const res = await post(server.url, "/auth/login", { email, password: "guess-number-5" });
        assert.equal(res.status, 429, `the fifth guess, on the process on ${server.port}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, "RATE_LIMITED");
      }

      // Redis stopped: sign-in goes on, counted by each process in memory (nobody is refused for the outage).
      await redis.stopEmpty();
      const started = Date.now();
      const res = await post(a.url, "/auth/anonymous", { name: "During" });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
    });
  });

  describe(`the sign-in limits (AUTH_REQUESTS_PER_MINUTE=5, GUEST_REQUESTS_PER_MINUTE=3), JWT_SECRET in production`, () => {
    let limited: ServerProcess;
    let limitedDir: string;
    const jwtSecret = crypto.randomBytes(40).toString("base64url");
    /** A guest of that server (its first sign-in POST): tokens must name a player who exists. */
    let player: SignedIn;

    before(async function () {
      this.timeout(30000);
      limitedDir = makeDataDir();
      limited = await startServer({ redisUrl: "", env: { DATA_DIR: limitedDir, NODE_ENV: "production", JWT_SECRET: jwtSecret, AUTH_REQUESTS_PER_MINUTE: "5", GUEST_REQUESTS_PER_MINUTE: "3" } });
      servers.push(limited);
      player = (await post(limited.url, "/auth/anonymous", { options: { name: "Signed" } })).body as SignedIn;
    });

    it("the 6th password POST from one address in a minute is 429 RATE_LIMITED with Retry-After, registration too; new guests and renames have a budget of their own, refused beyond it; /health and games go on", async function () {
      this.timeout(30000);
      const email = uniqueEmail("flood");
      // The guest made before this test counts against the guests' budget, not this one: five logins.
      for (let i = 1; i <= 5; i++) {
        const res = await post(limited.url, "/auth/login", { email, password: `guess-number-${i}` });
        assert.equal(res.status, 401, `login #${i}`);
        assert.equal(res.body.code, "INVALID_CREDENTIALS");
      }
      const sixth = await post(limited.url, "/auth/login", { email, password: "guess-number-6" });
      assert.equal(sixth.status, 429);
      assert.equal(sixth.body.code, "RATE_LIMITED");
      const retryAfter = Number(sixth.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${sixth.headers.get("retry-after")}`);
      const register = await post(limited.url, "/auth/register", { email: uniqueEmail("flood2"), password: "long-enough" });
      assert.equal(register.status, 429, "a registration checks a password: the same budget");
      assert.equal(register.body.code, "RATE_LIMITED");
      // Guests: the one made before this test, two more; then the guests' budget is spent, for renames too.
      for (let i = 2; i <= 3; i++) assert.equal((await post(limited.url, "/auth/anonymous", {})).status, 200, `guest #${i}, the password budget spent`);
      for (const [route, body, token] of [
        ["/auth/anonymous", {}, undefined],
        ["/auth/name", { name: "Renamed" }, player.token],
      ] as const) {
        const res = await post(limited.url, route, body, token);
        assert.equal(res.status, 429, route);
        assert.equal(res.body.code, "RATE_LIMITED");
      }

      const health = await get(limited.url, "/health");
      assert.equal(health.status, 200);
      assert.equal(health.body.status, "ok");
      // A token signed with JWT_SECRET still plays (reading and joining are not sign-in requests).
      await playToWin(limited.url, { name: "Still X", token: player.token }, { name: "Still O" });
    });

    it("with JWT_SECRET set, tokens are verified with it (another secret is refused) and no secret file is written", async () => {
      const other = jsonwebtoken.sign({ id: player.user.id, name: "Other", guest: true }, crypto.randomBytes(40).toString("base64url"), { algorithm: "HS256", expiresIn: "1h" });
      await assert.rejects(joinWith(limited.url, other), refusedWith(AUTH_FAILED));
      const mine = jsonwebtoken.sign({ id: player.user.id, name: "Mine", guest: true }, jwtSecret, { algorithm: "HS256", expiresIn: "1h" });
      issuedTokens.add(mine);
      await joinWith(limited.url, mine);
      assert.equal(fs.existsSync(path.join(limitedDir, "jwt-secret")), false);
    });
  });

  describe("the sign-in limits at their defaults", () => {
    it("a group behind one address (a home network): eight newcomers each sign in as a guest and take a name in the same minute; password guesses from it stop after 10 (until 2026-12-07 one budget of 10 refused the sixth newcomer)", async function () {
      this.timeout(30000);
      const home = await startServer({ redisUrl: "", defaultLimits: true, env: { DATA_DIR: makeDataDir() } });
      servers.push(home);
      for (let i = 1; i <= 8; i++) {
        const guest = await post(home.url, "/auth/anonymous", {});
        assert.equal(guest.status, 200, `newcomer #${i} signs in: ${JSON.stringify(guest.body)}`);
        const named = await post(home.url, "/auth/name", { name: `Friend ${i}` }, (guest.body as SignedIn).token);
        assert.equal(named.status, 200, `newcomer #${i} takes a name: ${JSON.stringify(named.body)}`);
      }
      const email = uniqueEmail("home");
      for (let i = 1; i <= 10; i++) assert.equal((await post(home.url, "/auth/login", { email, password: `guess-number-${i}` })).status, 401, `guess #${i}`);
      assert.equal((await post(home.url, "/auth/login", { email, password: "guess-number-11" })).status, 429, "the 11th guess");
    });
  });

  describe("password work has a bound across addresses (PASSWORD_QUEUE=2)", () => {
    it("a burst of 30 sign-ins at once: two hash at a time, two wait, the rest are answered 503 UNAVAILABLE with Retry-After at once; then a sign-in goes through", async function () {
      this.timeout(30000);
      const bounded = await startServer({ redisUrl: "", env: { DATA_DIR: makeDataDir(), PASSWORD_QUEUE: "2", AUTH_REQUESTS_PER_MINUTE: "1000" } });
      servers.push(bounded);
      const email = uniqueEmail("burst");
      assert.equal((await post(bounded.url, "/auth/register", { email, password: "the-right-one" })).status, 201);
      const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(bounded.url, "/auth/login", { email, password: `burst-guess-${i}` })));
      const busy = answers.filter((a) => a.status === 503);
      const checked = answers.filter((a) => a.status === 401);
      assert.equal(busy.length + checked.length, 30, `only 401 and 503: ${answers.map((a) => a.status).join(",")}`);
      // Two run and two wait; a few more get a place freed meanwhile (how many depends on the machine's speed).
      assert.ok(checked.length >= 4 && busy.length >= 10, `the places and the queue checked some (${checked.length}), the rest were refused (${busy.length})`);
      for (const a of busy) {
        assert.equal(a.body.code, "UNAVAILABLE");
        assert.equal(a.headers.get("retry-after"), "1");
      }
      const later = await post(bounded.url, "/auth/login", { email, password: "the-right-one" });
      assert.equal(later.status, 200, "once the burst is over, a sign-in goes through");
    });
  });

  describe("foreign pages, and the gate's refusals under /auth (AUTH_REQUESTS_PER_MINUTE=3, GUEST_REQUESTS_PER_MINUTE=3, HTTP_REQUESTS_PER_10S=60)", () => {
    it("a foreign page's sign-in POSTs are 403 FOREIGN_ORIGIN and a form's 415 INVALID_INPUT, none counted, no guest made; the visitor's own sign-ins then pass; the gate answers /auth in /auth's codes", async function () {
      this.timeout(30000);
      const gated = await startServer({ redisUrl: "", env: { DATA_DIR: makeDataDir(), AUTH_REQUESTS_PER_MINUTE: "3", GUEST_REQUESTS_PER_MINUTE: "3", HTTP_REQUESTS_PER_10S: "60", MAX_HTTP_BODY_BYTES: "2048" } });
      servers.push(gated);
      const raw = async (route: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
        const res = await fetch(gated.url + route, { method: init.method ?? "POST", headers: init.headers, body: init.body });
        const text = await res.text();
        assert.doesNotMatch(text, /"token"/, `${route}: no token handed out (${res.status} ${text})`);
        return { status: res.status, code: (JSON.parse(text) as { code: unknown }).code };
      };
      // What a foreign page can make its visitor's browser send without a preflight: text/plain or a form, with its Origin.
      for (const route of ["/auth/anonymous", "/auth/login", "/auth/register"]) {
        for (const type of ["text/plain", "application/x-www-form-urlencoded"]) {
          const body = JSON.stringify({ email: uniqueEmail("csrf"), password: "forged-password" });
          assert.deepEqual(await raw(route, { headers: { Origin: "http://evil.test", "Content-Type": type }, body }), { status: 403, code: "FOREIGN_ORIGIN" }, `${route} ${type}`);
        }
      }
      // A JSON one (which a browser sends only after a preflight the server does not grant it) is refused as well.
      assert.deepEqual(await raw("/auth/anonymous", { headers: { Origin: "http://evil.test", "Content-Type": "application/json" }, body: "{}" }), { status: 403, code: "FOREIGN_ORIGIN" });
      // No Origin (the page's own form, or a program) but not JSON: 415.
      for (let i = 0; i < 4; i++) assert.deepEqual(await raw("/auth/anonymous", { headers: { "Content-Type": "text/plain" }, body: "{}" }), { status: 415, code: "INVALID_INPUT" });

      // None of those counted: the visitor's page signs in three times (its budget), the fourth is limited.
      const own = `http://127.0.0.1:${gated.port}`;
      const signIn = () => fetch(`${gated.url}/auth/anonymous`, { method: "POST", headers: { Origin: own, "Content-Type": "application/json" }, body: "{}" });
      for (let i = 1; i <= 3; i++) {
        const res = await signIn();
        assert.equal(res.status, 200, `the visitor's sign-in #${i}: ${await res.clone().text()}`);
        issuedTokens.add(((await res.json()) as SignedIn).token);
      }
      assert.equal((await signIn()).status, 429);

      // The gate's own refusals under /auth speak /auth's codes: a body over MAX_HTTP_BODY_BYTES…
      assert.deepEqual(await raw("/auth/login", { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "a@b.org", password: "x".repeat(4000) }) }), { status: 413, code: "INVALID_INPUT" });
      // …and HTTP_REQUESTS_PER_10S; elsewhere they stay numeric (the API's and matchmaking's codes).
      let flooded: { status: number; code: unknown } | undefined;
      for (let i = 0; i < 80 && !flooded; i++) {
        const answer = await raw("/auth/userdata", { method: "GET" });
        if (answer.status === 429) flooded = answer;
      }
      assert.deepEqual(flooded, { status: 429, code: "RATE_LIMITED" });
      assert.deepEqual(await raw("/api/leaderboard/tictactoe", { method: "GET" }), { status: 429, code: 429 });
    });
  });

  describe("ACCOUNTS=off", () => {
    let off: ServerProcess;

    before(async function () {
      this.timeout(30000);
      off = await startServer({ redisUrl: "", env: { ACCOUNTS: "off" } });
      servers.push(off);
    });

    it("every /auth route and the players' API answer 404 ACCOUNTS_OFF", async () => {
      for (const [method, route] of [
        ["POST", "/auth/anonymous"],
        ["POST", "/auth/login"],
        ["POST", "/auth/register"],
        ["GET", "/auth/userdata"],
        ["GET", "/api/players/someone"],
        ["GET", "/api/leaderboard/tictactoe"],
        ["GET", "/api/me/games"],
      ] as const) {
        const res = await call(off.url, method, route, method === "POST" ? {} : undefined);
        assert.equal(res.status, 404, `${method} ${route}`);
        assert.equal(res.body.code, "ACCOUNTS_OFF", `${method} ${route}: ${JSON.stringify(res.body)}`);
      }
    });

    it("a join without a token works: a game is played to its end", async () => {
      await joinWith(off.url, undefined);
      await playToWin(off.url, { name: "Off X" }, { name: "Off O" });
    });

    it("a join with a token left from when accounts were on still works (everyone plays as a guest)", async () => {
      const stale = jsonwebtoken.sign({ id: crypto.randomUUID(), name: "Former", guest: false }, secret, { algorithm: "HS256", expiresIn: "1d" });
      await joinWith(off.url, stale);
      assert.doesNotMatch(off.stderr(), /JWT_SECRET/, "no complaint about a missing secret for it");
    });
  });

  describe("restarts and the logs", () => {
    it("a token survives a restart of the server on the same data folder (the development secret is kept)", async function () {
      this.timeout(30000);
      const before = (await post(base, "/auth/anonymous", { options: { name: "Stayer" } })).body as SignedIn;
      server.kill("SIGTERM");
      const status = await server.waitForExit(20000);
      assert.equal(status.code, 0, `clean exit; stderr:\n${server.stderr()}`);
      const again = await startServer({ redisUrl: "", env: { DATA_DIR: dataDir, TOKEN_DAYS: "2" } });
      servers.push(again);
      const me = await get(again.url, "/auth/userdata", before.token);
      assert.equal(me.status, 200);
      assert.equal(me.body.user.id, before.user.id);
      assert.equal(fs.readFileSync(path.join(dataDir, "jwt-secret"), "utf8").trim(), secret, "the same secret");
      server = again;
      base = again.url;
    });

    it("no password, email, issued token or secret ever reached any server's stdout or stderr", () => {
      assert.ok(issuedTokens.size >= 10, `tokens collected: ${issuedTokens.size}`);
      assert.ok(passwordsUsed.size >= 10, `passwords collected: ${passwordsUsed.size}`);
      const secrets: [string, string][] = [
        ["the JWT secret", secret],
        ...[...passwordsUsed].filter((p) => p.length >= 6).map((p): [string, string] => [`the password ${JSON.stringify(p.slice(0, 12))}…`, p]),
        ...[...issuedTokens].map((t): [string, string] => ["an issued token", t]),
        // A token's signature alone is as telling as the token.
        ...[...issuedTokens].map((t): [string, string] => ["a token's signature", t.split(".")[2]!]),
        ...[...emailsUsed].filter((e) => e.includes("@")).map((e): [string, string] => [`the email ${e}`, e.toLowerCase()]),
      ];
      for (const proc of servers) {
        const text = (proc.lines.join("\n") + "\n" + proc.stderr()).toLowerCase();
        assert.ok(proc.lines.length > 0, "the server did log");
        for (const [what, value] of secrets) {
          assert.ok(!text.includes(value.toLowerCase()), `${what} appears in the log of the server on port ${proc.port}`);
        }
      }
    });
  });
});
