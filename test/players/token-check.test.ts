/**
 * The token check at a room's door (src/players/accounts.ts, through @colyseus/auth's
 * `JWT.settings.revocationCheck`) against players' stores that answer, refuse, fail or never
 * answer: a join never waits on the database longer than TOKEN_CHECK_MS, and after a check
 * it did not answer, joins skip it for a while (logged once, and once when it works again).
 * The real databases are in auth.test.ts and outage.test.ts.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { JWT } from "@colyseus/auth";
import pino from "pino";
import { Accounts, TOKEN_CHECK_MS, TOKEN_CHECK_PAUSE_MS } from "../../src/players/accounts.js";
import type { User } from "../../src/players/store.js";

describe("The token check at a room's door (Accounts, revocationCheck)", () => {
  const saved = { ...JWT.settings };
  after(() => Object.assign(JWT.settings, saved));

  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as { level: number; msg: string });
        done();
      },
    }),
  );

  /** Accounts on `user` (the store's read by id); returns the check @colyseus/auth calls at every join. */
  function checkWith(user: (id: string) => Promise<User | undefined>) {
    new Accounts({
      store: { user, createGuest: () => Promise.reject(new Error("unused")), register: () => Promise.reject(new Error("unused")), userByEmail: () => Promise.resolve(undefined), rename: () => Promise.resolve(false) },
      secret: "s".repeat(40),
      tokenDays: 30,
      requestsPerMinute: 10,
      maxBodyBytes: 1000,
      address: () => "127.0.0.1",
      originAllowed: () => true,
      logger,
    });
    const check = JWT.settings.revocationCheck!;
    return async (payload: unknown) => {
      const started = Date.now();
      const ok = await check(payload);
      return { ok, ms: Date.now() - started };
    };
  }
  const guestToken = { id: "u1", name: "Gus", guest: true };
  const registeredToken = { id: "u1", name: "Gus", guest: false };

  it("a guest's token is taken while its player is a guest, refused once they registered; a registered player's token while the account exists; nobody's never", async () => {
    const users = new Map<string, User>([["u1", { id: "u1", name: "Gus", guest: true, email: null }]]);
    const check = checkWith((id) => Promise.resolve(users.get(id)));
    assert.equal((await check(guestToken)).ok, true);
    users.set("u1", { id: "u1", name: "Gus", guest: false, email: "gus@example.org" });
    assert.equal((await check(guestToken)).ok, false, "the guest registered since");
    assert.equal((await check(registeredToken)).ok, true);
    users.clear();
    assert.equal((await check(registeredToken)).ok, false, "no such player");
    assert.equal((await check({ other: "shape" })).ok, true, "a token of another shape is left to the room");
  });

  it("a database that never answers: the join goes on after TOKEN_CHECK_MS, with one warning; the next joins skip the check at once", async function () {
    this.timeout(10000);
    lines.length = 0;
    const check = checkWith(() => new Promise<never>(() => undefined));
    const first = await check(guestToken);
    assert.equal(first.ok, true, "taken at its word");
    assert.ok(first.ms >= TOKEN_CHECK_MS - 20 && first.ms < TOKEN_CHECK_MS + 500, `answered after ${first.ms} ms`);
    const next = await check(guestToken);
    assert.equal(next.ok, true);
    assert.ok(next.ms < 50, `the next join does not wait: ${next.ms} ms`);
    const warnings = lines.filter((l) => l.level === 40);
    assert.equal(warnings.length, 1, JSON.stringify(lines));
    assert.match(warnings[0]!.msg, /did not answer a sign-in token check: joins take tokens at their word/);
    assert.ok(TOKEN_CHECK_PAUSE_MS >= 5000, "skipped for seconds, not one join");
  });

  it("a database that answers late (1.5 s): the join went on at 1 s, and the late answer changes nothing (no 'checked again' line, the pause stands)", async function () {
    this.timeout(10000);
    lines.length = 0;
    let calls = 0;
    const check = checkWith((id) => {
      calls++;
      return new Promise((resolve) => setTimeout(() => resolve({ id, name: "Gus", guest: false, email: "g@example.org" }), TOKEN_CHECK_MS + 500));
    });
    assert.equal((await check(guestToken)).ok, true, "taken at its word after 1 s (the late answer would refuse it)");
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(lines.map((l) => l.level), [40], JSON.stringify(lines));
    assert.equal((await check(guestToken)).ok, true);
    assert.equal(calls, 1, "still paused");
  });

  it("a database that fails: taken at its word at once, and checked again after the pause", async () => {
    lines.length = 0;
    let calls = 0;
    const check = checkWith(() => {
      calls++;
      return Promise.reject(new Error("connection refused"));
    });
    const first = await check(guestToken);
    assert.deepEqual([first.ok, first.ms < 100], [true, true], `answered after ${first.ms} ms`);
    await check(guestToken);
    assert.equal(calls, 1, "the second join skipped the check");
    assert.equal(lines.filter((l) => l.level === 40 && /failed a sign-in token check/.test(l.msg)).length, 1);
  });
});
