/**
 * Players' identities over HTTP, under `/auth`, in the wire format of `@colyseus/auth` and
 * the SDK's `client.auth` (`{ user, token }`; the token a JWT signed by `@colyseus/auth`'s
 * `JWT`, which its room hook verifies at every join):
 *
 *   POST /auth/anonymous  { options?: { name? } }              a new guest
 *   POST /auth/register   { email, password, options?: { name? } }  with the guest's token
 *                         (Authorization: Bearer): the guest becomes the registered
 *                         player and keeps their record
 *   POST /auth/login      { email, password }
 *   GET  /auth/userdata   (Bearer)                              { user } as stored now
 *   POST /auth/name       { name } (Bearer)                     renames; a new token
 *
 * Why not the package's own routes: they log every wrong password with a stack trace,
 * accept 6-character passwords and cannot be limited per route; and a rename has none.
 * A token must still name its player as they are (the account exists; a guest's token, a
 * guest): a guest's tokens stop working once that guest registers, here and at a room's door.
 * Refusals are `{ code, error }` (codes below). A POST from a page of a foreign origin, or
 * without `Content-Type: application/json` (a form, a "simple" cross-site request), is
 * refused before anything else; every other POST counts against a per-address limit (429
 * beyond it), which a foreign page therefore cannot spend for its visitors: the password
 * routes (login, register) against one, new guests and renames against a larger one of their
 * own, so a group of friends behind one home network can all sit down as guests (until
 * 2026-12-07 they shared one budget of 10 a minute, two requests per new guest who typed a
 * name, and the sixth newcomer was refused). Passwords, tokens and the secret never reach a log: the log
 * lines here carry no request body and no header.
 */
import { Hash, JWT } from "@colyseus/auth";
import { PasswordWork } from "./password-work.js";
import type { Redis } from "ioredis";
import { Room } from "@colyseus/core";
import { createSecretKey } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import express from "express";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { checkName } from "../protocol/names.js";
import { AuthErrorCode } from "../protocol/players.js";
import { isJson, readJsonBody, sendJson } from "../http/respond.js";
import { AddressLimiter } from "../http/rate-limit.js";
import type { PlayerStore, User } from "./store.js";

/** What a token carries: enough for a room to know who joins. */
export interface TokenPayload {
  id: string;
  name: string;
  guest: boolean;
}

export { AuthErrorCode };

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Trimmed and lower-cased; the whole address is compared, so `A@B.org` and `a@b.org ` are one player. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const email = z
  .string()
  .max(254, "An email address is at most 254 characters.")
  .transform(normalizeEmail)
  .pipe(z.email({ error: "That is not an email address." }));
const password = z
  .string({ error: "A password is text." })
  .min(PASSWORD_MIN, `A password has at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `A password has at most ${PASSWORD_MAX} characters.`);
const name = z.string().transform((raw, ctx) => {
  const checked = checkName(raw);
  if (!checked.ok) {
    ctx.addIssue({ code: "custom", message: `${checked.reason}.` });
    return z.NEVER;
  }
  return checked.name;
});
const nameOption = z.object({ name: name.optional() }).loose().optional();

const bodies = {
  anonymous: z.object({ options: nameOption }).loose(),
  register: z.object({ email, password, options: nameOption }).loose(),
  // The login form checks nothing but the length (a long password costs scrypt time).
  // (No control character: PostgreSQL refuses NUL in text, which would read as the database failing.)
  login: z.object({ email: z.string().max(254).regex(/^[^\u0000-\u001f\u007f]*$/, "That is not an email address.").transform(normalizeEmail), password: z.string().max(PASSWORD_MAX) }),
  name: z.object({ name }),
};

export interface AccountsOptions {
  store: Pick<PlayerStore, "createGuest" | "register" | "userByEmail" | "user" | "rename">;
  /** Signs and verifies the tokens (the one `@colyseus/auth` uses for rooms too). */
  secret: string;
  tokenDays: number;
  /** Password POSTs (login, register) per client address per minute. */
  requestsPerMinute: number;
  /** Guest POSTs (a new guest, a rename) per client address per minute. @default requestsPerMinute */
  guestRequestsPerMinute?: number;
  /** Password hashes (sign-ins, registrations) waiting for one of the process's two places, at most; beyond, 503 (src/players/password-work.ts). @default 32 */
  passwordQueue?: number;
  maxBodyBytes: number;
  /** The client address of a request (the gate resolves proxies). */
  address: (req: IncomingMessage) => string;
  /** Whether a request's Origin (when it has one) may use this server (ALLOWED_ORIGINS). */
  originAllowed: (req: IncomingMessage) => boolean;
  logger: Logger;
}

/**
 * Importing `@colyseus/auth` replaced `Room.onAuth` with a hook that verifies every join's
 * token and refuses the join (525) when it does not verify. Without accounts (ACCOUNTS=off:
 * no {@link Accounts}, no secret) nothing can verify, so a token a client still holds (the
 * SDK keeps one in localStorage and sends it with every join) would get every join refused,
 * and `@colyseus/auth` would print a JWT_SECRET complaint to stderr at each. Until an
 * {@link Accounts} exists, a token is ignored: the player joins as a guest.
 */
let tokensVerified = false;
const verifyJoinToken = Room.onAuth;
Room.onAuth = function onAuth(this: unknown, token: string, options: unknown, context: Parameters<typeof Room.onAuth>[2]) {
  return tokensVerified ? verifyJoinToken.call(this, token, options, context) : Promise.resolve(true);
};

/** A password hash no password matches: a sign-in for an unknown email costs the same scrypt. */
let decoyHash: Promise<string> | undefined;

/** Password hashes running at once in a process (libuv's pool has 4 threads). */
const PASSWORD_HASHES_AT_ONCE = 2;

/**
 * How long a join waits for the players' database to confirm a token's player; beyond it
 * (or when the database fails) the token is taken at its word: a join never waits on it.
 */
export const TOKEN_CHECK_MS = 1000;
/** After a check the database did not answer, joins skip it this long (they would each wait for nothing, and add to its load). */
export const TOKEN_CHECK_PAUSE_MS = 10_000;

/**
 * Whether a valid token still names its player as they are: the account exists, and a
 * guest's token names a guest. Once a guest registers, the tokens they had as a guest are
 * refused: such a token (left on a shared computer, in another tab) would otherwise read the
 * account's email, rename it and play as it until it expired.
 */
function stillNames(payload: TokenPayload, user: Pick<User, "guest"> | undefined): boolean {
  return user !== undefined && (user.guest || !payload.guest);
}

export class Accounts {
  /** The password routes' per-address limit. */
  private readonly limiter: AddressLimiter;
  /** New guests' and renames' per-address limit. */
  private readonly guestLimiter: AddressLimiter;
  private readonly passwords: PasswordWork;
  /** Joins take tokens at their word until then (the database did not answer a check). */
  private checksPausedUntil = 0;
  /** A check failed, and none has worked since (logged once each way). */
  private checksFailing = false;

  constructor(private readonly options: AccountsOptions) {
    // One process-wide secret: @colyseus/auth's room hook verifies joins with it. As a key
    // object made once: given a string, jsonwebtoken tries it as a public key (which throws)
    // and then makes a secret key, on every sign and verify: about 290 µs each, against 6.
    JWT.settings.secret = createSecretKey(Buffer.from(options.secret, "utf8"));
    // @colyseus/auth's room hook asks this after a token verifies, at every join.
    JWT.settings.revocationCheck = (decoded: unknown) => this.joinable(decoded);
    tokensVerified = true;
    this.limiter = new AddressLimiter(options.requestsPerMinute, 60);
    this.guestLimiter = new AddressLimiter(options.guestRequestsPerMinute ?? options.requestsPerMinute, 60);
    this.passwords = new PasswordWork(PASSWORD_HASHES_AT_ONCE, options.passwordQueue ?? 32);
  }

  /**
   * Counts sign-in requests in Redis from now on, across every process sharing it: behind a
   * load balancer that spreads `/auth` over N processes, a per-process count would let one
   * address try N times `AUTH_REQUESTS_PER_MINUTE` passwords a minute.
   */
  shareLimits(redis: Redis): void {
    this.limiter.share(redis, "auth");
    this.guestLimiter.share(redis, "auth-guest");
  }

  /** A signed token for `user`, valid for `tokenDays`, or until `expiresAt` (seconds since 1970) when given. */
  token(user: Pick<User, "id" | "name" | "guest">, expiresAt?: number): Promise<string> {
    const payload: TokenPayload = { id: user.id, name: user.name, guest: user.guest };
    const lifetime = this.options.tokenDays * 86_400;
    return JWT.sign(payload, { expiresIn: expiresAt === undefined ? lifetime : Math.max(1, expiresAt - Math.floor(Date.now() / 1000)) });
  }

  /** The payload of a valid token (right secret, not expired, the right shape), else undefined. */
  async verify(token: string | undefined): Promise<TokenPayload | undefined> {
    return (await this.verified(token))?.payload;
  }

  /** A valid token's payload and expiry (seconds since 1970), else undefined. */
  private async verified(token: string | undefined): Promise<{ payload: TokenPayload; expiresAt: number | undefined } | undefined> {
    if (!token) return undefined;
    try {
      const decoded = (await JWT.verify(token)) as { exp?: unknown };
      const payload = tokenPayload(decoded);
      return payload && { payload, expiresAt: typeof decoded.exp === "number" ? decoded.exp : undefined };
    } catch {
      return undefined;
    }
  }

  /**
   * At a room's door: whether a verified token still names its player ({@link stillNames}).
   * A token of another shape is left to the room (it joins as nobody in particular). When the
   * database fails or takes longer than {@link TOKEN_CHECK_MS}, yes: play never waits on it.
   */
  private async joinable(decoded: unknown): Promise<boolean> {
    const payload = tokenPayload(decoded);
    if (!payload || Date.now() < this.checksPausedUntil) return true;
    let timer: NodeJS.Timeout | undefined;
    /** Answered (or given up): a late answer changes nothing. */
    let settled = false;
    const answer = await Promise.race([
      this.options.store.user(payload.id).then(
        (user) => {
          if (settled) return true;
          if (this.checksFailing) {
            this.checksFailing = false;
            this.options.logger.info("sign-in tokens are checked at the door again");
          }
          return stillNames(payload, user);
        },
        () => (settled ? true : this.checksFailed("failed")),
      ),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(this.checksFailed("did not answer")), TOKEN_CHECK_MS))),
    ]);
    settled = true;
    clearTimeout(timer);
    return answer;
  }

  /** The database failed a token check: joins take tokens at their word for a while. Returns true (this join's answer). */
  private checksFailed(how: string): true {
    this.checksPausedUntil = Date.now() + TOKEN_CHECK_PAUSE_MS;
    if (!this.checksFailing) {
      this.checksFailing = true;
      this.options.logger.warn({ pauseMs: TOKEN_CHECK_PAUSE_MS }, `the players' database ${how} a sign-in token check: joins take tokens at their word (a guest's old token may play as the registered player) until it answers again`);
    }
    return true;
  }

  routes(): express.Router {
    const router = express.Router();
    const { store, logger } = this.options;
    const handle = (fn: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => (req: express.Request, res: express.Response) => {
      fn(req, res).catch((err: unknown) => {
        logger.error({ err: (err as Error).message, path: req.path }, "sign-in route failed (players' database?)");
        refuse(res, 503, "UNAVAILABLE", "Accounts are not available right now; try again shortly.");
      });
    };
    /** The origin and content type, the limit (the password routes', or `guest`: new guests' and renames'), then the body, validated; undefined when the request was answered. */
    const body = async <T extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: T, guest = false): Promise<z.output<T> | undefined> => {
      if (!this.options.originAllowed(req)) return void refuse(res, 403, "FOREIGN_ORIGIN", "This page's origin may not sign in to this server.");
      if (!isJson(req)) return void refuse(res, 415, "INVALID_INPUT", "Sign-in requests take Content-Type: application/json.");
      const limit = await (guest ? this.guestLimiter : this.limiter).consume(this.options.address(req));
      if (!limit.ok) return void refuse(res, 429, "RATE_LIMITED", `Too many sign-in requests from your address; try again in ${limit.retryAfterSeconds} s.`, { "Retry-After": String(limit.retryAfterSeconds) });
      const read = await readJsonBody(req, this.options.maxBodyBytes);
      if (!read.ok) return void refuse(res, read.status, "INVALID_INPUT", read.message);
      const parsed = schema.safeParse(read.value);
      if (!parsed.success) return void refuse(res, 400, "INVALID_INPUT", parsed.error.issues[0]?.message ?? "Invalid request.");
      return parsed.data;
    };
    const busy = (res: ServerResponse) => refuse(res, 503, "UNAVAILABLE", "The server is checking too many passwords right now; try again in a moment.", { "Retry-After": "1" });
    const signedIn = async (res: ServerResponse, user: User, status = 200, expiresAt?: number) => sendJson(res, status, { user: publicUser(user), token: await this.token(user, expiresAt) });

    router.post(
      "/auth/anonymous",
      handle(async (req, res) => {
        const input = await body(req, res, bodies.anonymous, true);
        if (!input) return;
        const user = await store.createGuest(input.options?.name ?? guestName());
        await signedIn(res, user);
      }),
    );

    router.post(
      "/auth/register",
      handle(async (req, res) => {
        const input = await body(req, res, bodies.register);
        if (!input) return;
        if (await store.userByEmail(input.email)) return refuse(res, 409, "EMAIL_TAKEN", "That email address already has an account: sign in instead.");
        // The guest signing up (their token): they keep their id, so their record moves along.
        const guest = await this.verify(bearer(req));
        const found = guest?.guest ? await store.user(guest.id) : undefined;
        // A guest token whose guest registered since (another tab, a shared computer) is refused, as everywhere.
        if (guest?.guest && !found?.guest) return refuse(res, 401, "TOKEN_INVALID", "Your sign-in has expired or is not valid here: sign in again.");
        const upgrading = found;
        const chosen = input.options?.name ?? upgrading?.name ?? "Player";
        const hashed = await this.passwords.run(() => Hash.make(input.password));
        if (!hashed.ok) return busy(res);
        const hash = hashed.value;
        let user: User;
        try {
          user = await store.register(input.email, hash, chosen, upgrading?.id);
        } catch (err) {
          // Two registrations of one email at once: the unique index refused the second.
          if (await store.userByEmail(input.email)) return refuse(res, 409, "EMAIL_TAKEN", "That email address already has an account: sign in instead.");
          throw err;
        }
        logger.info({ userId: user.id, upgraded: user.id === upgrading?.id }, "player registered");
        await signedIn(res, user, 201);
      }),
    );

    router.post(
      "/auth/login",
      handle(async (req, res) => {
        const input = await body(req, res, bodies.login);
        if (!input) return;
        const found = await store.userByEmail(input.email);
        const checked = await this.passwords.run(async () => {
          const stored = found?.password ?? (await (decoyHash ??= Hash.make("no password matches this")));
          return Hash.verify(input.password, stored).catch(() => false);
        });
        if (!checked.ok) return busy(res);
        const ok = checked.value && found?.password != null;
        // A refused sign-in is an answer, not an error: nothing is logged.
        if (!ok || !found) return refuse(res, 401, "INVALID_CREDENTIALS", "Wrong email or password.");
        await signedIn(res, found);
      }),
    );

    router.get(
      "/auth/userdata",
      handle(async (req, res) => {
        const signed = await this.current(req);
        if (!signed) return refuse(res, 401, "TOKEN_INVALID", "Your sign-in has expired or is not valid here: sign in again.");
        sendJson(res, 200, { user: publicUser(signed.user) });
      }),
    );

    router.post(
      "/auth/name",
      handle(async (req, res) => {
        const input = await body(req, res, bodies.name, true);
        if (!input) return;
        const signed = await this.current(req);
        if (!signed) return refuse(res, 401, "TOKEN_INVALID", "Your sign-in has expired or is not valid here: sign in again.");
        await store.rename(signed.user.id, input.name);
        // The new token (with the new name) expires when the old one would have: renaming
        // must not make a token last for ever.
        await signedIn(res, { ...signed.user, name: input.name }, 200, signed.expiresAt);
      }),
    );

    // Routes of @colyseus/auth this server does not offer (password reset by email, OAuth).
    router.all(/^\/auth(\/|$)/, (_req, res) => refuse(res, 404, "INVALID_INPUT", "There is no such sign-in route."));
    return router;
  }

  /** The player a request's sign-in token (`Authorization: Bearer`) names, as stored now ({@link stillNames}), or undefined. */
  async signedIn(req: IncomingMessage): Promise<User | undefined> {
    return (await this.current(req))?.user;
  }

  /** The user a request's token names (as stored now, {@link stillNames}) and when that token expires (seconds since 1970), or undefined. */
  private async current(req: IncomingMessage): Promise<{ user: User; expiresAt: number | undefined } | undefined> {
    const token = await this.verified(bearer(req));
    if (!token) return undefined;
    const user = await this.options.store.user(token.payload.id);
    return user && stillNames(token.payload, user) ? { user, expiresAt: token.expiresAt } : undefined;
  }
}

function refuse(res: ServerResponse, status: number, code: AuthErrorCode, error: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { code, error }, headers);
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7) : undefined;
}

/** A token's payload when it has the shape this server signs. */
export function tokenPayload(decoded: unknown): TokenPayload | undefined {
  const p = decoded as Partial<TokenPayload> | null;
  if (typeof p !== "object" || p === null || typeof p.id !== "string" || typeof p.name !== "string" || typeof p.guest !== "boolean") return undefined;
  return { id: p.id, name: p.name, guest: p.guest };
}

function publicUser(user: User) {
  return { id: user.id, name: user.name, guest: user.guest, email: user.email };
}

function guestName(): string {
  return `Guest ${Math.floor(1000 + Math.random() * 9000)}`;
}
