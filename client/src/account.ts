/**
 * The player's identity, through the SDK's `client.auth` (the server's `/auth` routes): a
 * visitor without a stored sign-in becomes a guest at once, so a guest keeps their id, name
 * and record across reloads (the SDK keeps the token in localStorage and sends it with every
 * matchmaking request). A guest may register (the guest's record moves along), a player may
 * sign in and out (out: a new guest). When the server has accounts off, nothing here shows
 * and the page plays as before.
 */
import { ErrorCode as SdkErrorCode, type Client } from "@colyseus/sdk";
import { checkName } from "../../src/protocol/names.js";
import { AuthCode, describeAuthError, refusedWith, type RequestFailure } from "./errors.js";
import { asName, sleep, type Text } from "./dom.js";
import { loadName, saveName } from "./session.js";
import { showError } from "./ui.js";
import { accountsOffHere } from "./api.js";

/** A player as the server describes them (`{ user }` of the `/auth` routes). */
export interface User {
  id: string;
  name: string;
  /** A guest: no email and password yet (registering keeps the id). */
  guest: boolean;
  email: string | null;
}

/**
 * `starting`: not known yet; `off`: the server has accounts off (no account UI);
 * `on`: signed in (`user` set); `failed`: accounts exist but signing in did not work
 * (`problem` says why): the page plays without an identity until "Try again" works.
 */
export type AccountState = "starting" | "off" | "on" | "failed";

type Listener = () => void;

/** A warning about the player's sign-in, as shown. */
export interface SignInWarning {
  title: Text;
  detail: Text;
}

/**
 * How long a sign-in warning counts as on screen (a toast's life, ui.ts): a game screen
 * entered meanwhile shows it again (see {@link Account.takeWarnings}).
 */
const WARNING_CARRY_MS = 6000;

/** How long a player's join waits for a sign-in still running (see {@link Account.signInSettled}). */
const JOIN_WAITS_FOR_SIGN_IN_MS = 10_000;

/** The profile is read again (a rename on another device) at most this often: see {@link Account.refresh}. */
const REFRESH_MIN_MS = 2000;

function isUser(v: unknown): v is User {
  const u = v as User;
  return typeof u === "object" && u !== null && typeof u.id === "string" && typeof u.name === "string" && typeof u.guest === "boolean" && (u.email === null || u.email === undefined || typeof u.email === "string");
}

/** The `user` of an `/auth` answer (`{ user }`), unchecked. */
function userIn(data: unknown): unknown {
  return (data as { user?: unknown } | null)?.user;
}

/** The user in a token's payload (id, name, guest), read without checking it: for a page offline at start. */
function userOfToken(token: string): User | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const u = JSON.parse(json) as Partial<User>;
    return typeof u.id === "string" && typeof u.name === "string" && typeof u.guest === "boolean" ? { id: u.id, name: u.name, guest: u.guest, email: null } : undefined;
  } catch {
    return undefined;
  }
}

/** The name stored on this device, when it is one the server accepts. */
export function storedName(): string | undefined {
  const raw = loadName();
  if (raw.trim() === "") return undefined;
  const checked = checkName(raw);
  return checked.ok ? checked.name : undefined;
}

/** A join or create refused because the server did not accept the sign-in token (code 525). */
export function isAuthFailed(err: unknown): boolean {
  return refusedWith(err, SdkErrorCode.AUTH_FAILED);
}

export class Account {
  state: AccountState = "starting";
  user?: User;
  /** Why signing in did not work (state `failed`). */
  problem?: RequestFailure;
  private readonly listeners = new Set<Listener>();
  private started?: Promise<void>;
  /** The running re-sign-in after a refused token (several joins may be refused at once). */
  private recovering?: Promise<void>;
  /** The running rename, by name. */
  private renaming?: { name: string; done: Promise<void> };
  /** Sign-in warnings shown lately, not yet carried into a game screen. */
  private warnings: (SignInWarning & { at: number })[] = [];
  /** When {@link refresh} last asked the server. */
  private refreshedAt = 0;

  constructor(private readonly client: Client) {
    // Tabs of this device share the stored token: a sign-out, sign-in, registration or rename
    // in another tab stores a new one, which this page takes at once (before 2026-12-05 it
    // went on as the player it was, until a reload). A removal alone (a sign-out's first half)
    // waits for the token that follows it.
    addEventListener("storage", (e) => {
      if (e.key !== this.client.auth.settings.key || !e.newValue || e.newValue === this.client.auth.token || this.state === "off") return;
      this.adoptStoredToken().catch(() => undefined);
    });
  }

  /** Accounts are in use: the account bar, profile links and renames show. */
  get enabled(): boolean {
    return this.state === "on" || this.state === "failed";
  }

  /**
   * The sign-in warnings shown in the last few seconds (still on screen), once. Entering a
   * game clears the lobby's toasts: these are shown again there, as the player must learn
   * that their games are not recorded, or that they play as a guest now.
   */
  takeWarnings(): SignInWarning[] {
    const now = Date.now();
    const recent = this.warnings.filter((w) => now - w.at < WARNING_CARRY_MS).map(({ title, detail }) => ({ title, detail }));
    this.warnings = [];
    return recent;
  }

  /** Shows a warning about the sign-in (a toast), kept for a game screen entered next. */
  private warn(title: Text, detail: Text) {
    showError(title, detail);
    this.warnings.push({ title, detail, at: Date.now() });
  }

  /** Calls `listener` on every change of state or user; returns the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed() {
    for (const l of Array.from(this.listeners)) l();
  }

  private setUser(user: User) {
    this.user = { ...user, email: user.email ?? null };
    this.state = "on";
    this.problem = undefined;
    // The name field of the lobby and a spectator's name follow the profile.
    saveName(user.name);
    this.changed();
  }

  /** Signing in failed: plays on without an identity (and without the stale token, if `dropToken`). */
  private setFailed(failure: RequestFailure) {
    if (failure.accountsOff) return this.setOff();
    this.user = undefined;
    this.state = "failed";
    this.problem = failure;
    this.changed();
  }

  private setOff() {
    // A token from before (accounts were on) would make every join fail: it goes.
    if (this.client.auth.token) void this.client.auth.signOut();
    this.user = undefined;
    this.problem = undefined;
    this.state = "off";
    this.changed();
  }

  /** Stores a token the way the SDK does (sent with every request, kept across reloads). */
  private storeToken(token: string) {
    this.client.auth.token = token;
    try {
      localStorage.setItem(this.client.auth.settings.key, token);
    } catch {
      // storage disabled: signed in for this page only
    }
  }

  /** Signs in at page load (once): the stored sign-in, else a new guest with the stored name. */
  start(): Promise<void> {
    this.started ??= this.signInAtStart();
    return this.started;
  }

  private async signInAtStart() {
    // The page says accounts are off: nothing to ask the server.
    if (accountsOffHere()) return this.setOff();
    const token = this.client.auth.token;
    if (token) {
      try {
        const data: unknown = (await this.client.auth.getUserData()) as unknown;
        const user = userIn(data);
        if (isUser(user)) return this.setUser(user);
      } catch (err) {
        const failure = describeAuthError(err);
        if (failure.accountsOff) return this.setOff();
        if (failure.transient) {
          // Offline or busy: the stored sign-in is probably fine; play on with what it says.
          const user = userOfToken(token);
          if (user) {
            this.setUser(user);
            this.problem = failure;
            return;
          }
          return this.setFailed(failure);
        }
        // Expired, or signed by another server: a new guest (below), said in plain words.
        const was = userOfToken(token);
        if (was && !was.guest) this.warn("Your sign-in has expired, so you are playing as a guest now.", ["Sign in again to play as ", asName(was.name), "."]);
      }
      await this.client.auth.signOut();
    }
    await this.signInAsGuest(storedName());
  }

  /** A new guest (named `name`, or by the server); on failure the state says why. */
  private async signInAsGuest(name: string | undefined): Promise<void> {
    try {
      const { user } = await this.client.auth.signInAnonymously(name ? { name } : undefined);
      if (isUser(user)) this.setUser(user);
      else this.setFailed({ title: "The server's answer to signing in was not understood.", detail: "", accountsOff: false, transient: false });
    } catch (err) {
      this.setFailed(describeAuthError(err));
    }
  }

  /** "Try again" after a failed sign-in at start. */
  async retry(): Promise<void> {
    if (this.state !== "failed") return;
    this.state = "starting";
    this.changed();
    await this.signInAsGuest(this.user?.name ?? storedName());
  }

  /** Signs in with email and password; throws a {@link RequestFailure}. */
  async signIn(email: string, password: string): Promise<User> {
    try {
      const { user } = await this.client.auth.signInWithEmailAndPassword(email, password);
      if (!isUser(user)) throw new Error("The server's answer to signing in was not understood.");
      this.setUser(user);
      return user;
    } catch (err) {
      throw describeAuthError(err);
    }
  }

  /**
   * Registers: the guest signed in now becomes the registered player (the SDK sends the
   * guest's token), keeping their id and record. Throws a {@link RequestFailure}.
   */
  async register(email: string, password: string, name?: string, again = false): Promise<User> {
    const sent = this.client.auth.token;
    try {
      const { user } = await this.client.auth.registerWithEmailAndPassword(email, password, name ? { name } : undefined);
      if (!isUser(user)) throw new Error("The server's answer to registering was not understood.");
      this.setUser(user);
      return user;
    } catch (err) {
      const failure = describeAuthError(err);
      // The guest token was refused (this guest registered in another tab, or is gone): the
      // device's sign-in, or a new guest, then once more as that guest.
      if (failure.code !== AuthCode.TOKEN_INVALID || again) throw failure;
      await this.recover(sent);
      if (this.user && !this.user.guest) throw { ...failure, title: `This device is signed in as ${this.user.name} already (in another tab): sign out first to register another account.` } satisfies RequestFailure;
      return this.register(email, password, name, true);
    }
  }

  /** Signs out: the page goes on as a new guest. */
  async signOut(): Promise<void> {
    await this.client.auth.signOut();
    this.user = undefined;
    this.state = "starting";
    this.changed();
    await this.signInAsGuest(undefined);
    if ((this.state as AccountState) === "failed" && this.problem) this.warn("You are signed out, but a new guest sign-in did not work.", this.problem.title);
  }

  /**
   * Makes `name` the profile's name (POST /auth/name, which answers a new token). Several
   * calls with the same name share one request. Throws a {@link RequestFailure}.
   */
  async rename(name: string): Promise<void> {
    if (this.state !== "on" || !this.user || this.user.name === name) return;
    if (this.renaming?.name === name) return this.renaming.done;
    const done = (async () => {
      const post = async () => {
        const { data } = await this.client.http.post("/auth/name", { body: { name } });
        const body = data as { user?: unknown; token?: unknown };
        if (typeof body.token === "string") this.storeToken(body.token);
        if (isUser(body.user)) this.setUser(body.user);
      };
      try {
        await post();
      } catch (err) {
        const failure = describeAuthError(err);
        // This page's token was replaced in another tab (a guest who registered there): the
        // stored one renames, if it is the same player's.
        const who = this.user?.id;
        if (failure.code !== AuthCode.TOKEN_INVALID || !(await this.adoptStoredToken()) || this.user?.id !== who) throw failure;
        if (this.user?.name === name) return;
        try {
          await post();
        } catch (again) {
          throw describeAuthError(again);
        }
      }
    })();
    const renaming = { name, done };
    this.renaming = renaming;
    try {
      await done;
    } finally {
      if (this.renaming === renaming) this.renaming = undefined;
    }
  }

  /**
   * Reads the signed-in player's profile again, so a rename on another device shows here (and
   * names this page's next game): the page calls it when it comes back to the front, and the
   * lobby every little while. At most once every `minAgeMs`; a refusal or no answer changes
   * nothing here (a join that follows finds out, see {@link recover}).
   */
  async refresh(minAgeMs = REFRESH_MIN_MS): Promise<void> {
    const was = this.user;
    const token = this.client.auth.token;
    if (this.state !== "on" || !was || !token || this.recovering || this.renaming || Date.now() - this.refreshedAt < minAgeMs) return;
    this.refreshedAt = Date.now();
    let user: unknown;
    try {
      const data: unknown = await this.client.auth.getUserData();
      user = userIn(data);
    } catch {
      return;
    }
    // Signed in or out, or renamed here, meanwhile: that is newer.
    if (this.client.auth.token !== token || this.user !== was || !isUser(user) || user.id !== was.id) return;
    if (user.name !== was.name || user.guest !== was.guest) this.setUser({ ...user, email: user.email ?? was.email });
  }

  /**
   * The server refused the token `refused` at a join (525: expired, signed elsewhere, or a
   * guest's who registered since): the token stored on the device if another tab replaced it,
   * else out and in again as a guest (with the same name). Joins refused at once share one
   * try; a join refused with a token this page has replaced since needs none. Throws a
   * {@link RequestFailure} when the stored token could not be checked (no answer, busy): the
   * device's sign-in is kept.
   */
  async recover(refused = this.client.auth.token): Promise<void> {
    // A recovery under way (the token meanwhile is in flux: being checked, or none) finishes first.
    while (this.recovering) await this.recovering.catch(() => undefined);
    if (this.client.auth.token !== refused) return;
    this.recovering = (async () => {
      // A sign-in still running at start finishes first (it may be replacing the token already).
      await this.started?.catch(() => undefined);
      if (this.client.auth.token !== refused) return;
      // Another tab of this site may have registered (or signed in or out): its token is the device's now.
      if (await this.adoptStoredToken()) return;
      const was = this.user;
      await this.client.auth.signOut();
      if (this.state === "off") return;
      this.user = undefined;
      await this.signInAsGuest(was?.name ?? storedName());
      if (was && !was.guest) this.warn("Your sign-in was not accepted any more, so you are playing as a guest now.", ["Sign in again to play as ", asName(was.name), "."]);
    })().finally(() => {
      this.recovering = undefined;
    });
    await this.recovering;
  }

  /**
   * When the token stored on this device is not the one this page holds (another tab
   * registered, signed in or out since: tabs share the stored token, and once a guest
   * registers the server refuses the guest's token), this page signs in with the stored one,
   * rather than replacing it with a new guest's and so signing the other tab out. True when
   * that worked, or when this page signed in by itself meanwhile (its own sign-in stands).
   */
  private async adoptStoredToken(): Promise<boolean> {
    let stored: string | null;
    try {
      stored = localStorage.getItem(this.client.auth.settings.key);
    } catch {
      return false;
    }
    if (!stored || stored === this.client.auth.token) return false;
    const was = this.user;
    const held = this.client.auth.token;
    let user: unknown;
    try {
      // Checked before it is this page's: until then the page's joins go on with the token they had.
      const { data } = await this.client.http.get("/auth/userdata", { headers: { authorization: `Bearer ${stored}` } });
      user = userIn(data);
    } catch (err) {
      // Not known (no answer, busy): the device's sign-in is kept, and the join fails for now.
      const failure = describeAuthError(err);
      if (failure.transient) throw failure;
      return false;
    }
    if (!isUser(user)) return false;
    // Meanwhile this page signed in (or out, or registered): its own sign-in is newer than the
    // one checked, which must not undo it (nor, stored again, every other tab's).
    if (this.client.auth.token !== held) return true;
    let still: string | null = null;
    try {
      still = localStorage.getItem(this.client.auth.settings.key);
    } catch {
      // storage gone meanwhile: as above
    }
    // Another tab stored a newer one meanwhile (two renames, a sign-in then a rename): that one.
    if (still !== stored) return this.adoptStoredToken();
    // Already the device's: this page takes it (written back, it would only wake the other tabs).
    this.client.auth.token = stored;
    this.setUser(user);
    // Another player's sign-in (another tab signed in or out meanwhile): said, not done silently.
    if (was && was.id !== user.id) this.warn(["This device is signed in as ", asName(user.name), " now (in another tab): you play as them."], "Sign out to play as someone else.");
    return true;
  }

  /**
   * Before a player takes a seat: the page shows the lobby after a few seconds even if the
   * sign-in at load has not answered yet, and a join made then would carry no token (its
   * game would count for nothing, silently). This waits for that sign-in a while longer.
   */
  async signInSettled(): Promise<void> {
    if (this.started) await Promise.race([this.started.catch(() => undefined), sleep(JOIN_WAITS_FOR_SIGN_IN_MS)]);
    // A sign-in being replaced (a refused token) too: a join meanwhile would carry none.
    if (this.recovering) await Promise.race([this.recovering.catch(() => undefined), sleep(JOIN_WAITS_FOR_SIGN_IN_MS)]);
  }

  /**
   * Runs a join (game room or lobby); when the server refuses the sign-in token (525), signs
   * in again as a guest and runs it once more. Should the fresh token be refused too (the
   * server's processes do not share their signing secret), the page stops sending one and
   * plays unrecorded, saying so, rather than not at all.
   */
  async withAuthRetry<T>(run: () => Promise<T>): Promise<T> {
    const sent = this.client.auth.token;
    try {
      return await run();
    } catch (err) {
      if (!isAuthFailed(err)) throw err;
    }
    await this.recover(sent);
    // A moment, so a refusal does not turn into a tight loop of requests.
    await sleep(50);
    try {
      return await run();
    } catch (err) {
      if (!isAuthFailed(err) || !this.client.auth.token) throw err;
    }
    await this.client.auth.signOut();
    const problem: RequestFailure = { title: "The server did not accept your sign-in.", detail: "", accountsOff: false, transient: false };
    this.warn("The server did not accept your sign-in, so you are playing without it.", "Your games are not recorded until signing in works again.");
    this.setFailed(problem);
    return run();
  }
}
