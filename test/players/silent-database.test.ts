/**
 * A PostgreSQL that goes silent (src/players/database.ts): the network between the server
 * and its database drops every packet, without a reset, as a partition or a firewall that
 * lost a connection's state does. Through a proxy in the test process (test/helpers/
 * silent-proxy.ts) in front of a private PostgreSQL: queries and recording fail within the
 * configured timeout instead of waiting forever, and once the network is back the very next
 * queries work, because the connections that went silent were closed, not handed out again.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type PlayersDatabase } from "../../src/players/database.js";
import { PlayerStore, type MatchRecord } from "../../src/players/store.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { silentProxy, type SilentProxy } from "../helpers/silent-proxy.js";

const TIMEOUT_MS = 500;
/** The driver waits the server's statement timeout plus a margin (2 s); a query must fail well within this. */
const FAILS_WITHIN_MS = TIMEOUT_MS + 2000 + 1500;

let seq = 0;
function duel(a: string, b: string): MatchRecord {
  const endedAt = Date.now();
  return {
    id: `silent-${++seq}-${Math.random().toString(36).slice(2)}`,
    game: "tictactoe",
    startedAt: endedAt - 60_000,
    endedAt,
    players: [
      { seat: 0, userId: a, name: "A", placement: 1 },
      { seat: 1, userId: b, name: "B", placement: 2 },
    ],
    result: { reason: "won" },
    log: [{ type: "make_move", row: 0, col: 0 }],
  };
}

/** How long `promise` took to settle, and whether it rejected. */
async function settle(promise: Promise<unknown>): Promise<{ ms: number; failed: boolean }> {
  const started = Date.now();
  try {
    await promise;
    return { ms: Date.now() - started, failed: false };
  } catch {
    return { ms: Date.now() - started, failed: true };
  }
}

describe("The players' PostgreSQL goes silent (a network partition, no reset): queries fail in bounded time, and the next ones work once it is back", function () {
  this.timeout(60000);
  let pgServer: TestPostgres;
  let proxy: SilentProxy;
  let dataDir: string;
  let opened: PlayersDatabase;
  let store: PlayerStore;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "players-silent-"));
    pgServer = await startPostgres();
    const target = new URL(pgServer.url);
    proxy = await silentProxy({ host: target.hostname, port: Number(target.port) });
    const url = new URL(pgServer.url);
    url.port = String(proxy.port);
    opened = await openDatabase({ url: url.toString(), dataDir, timeoutMs: TIMEOUT_MS });
    store = new PlayerStore(opened);
  });
  after(async () => {
    // The cut connections never answer: closing the pool must not wait for them.
    await Promise.race([opened?.close(), new Promise((r) => setTimeout(r, 2000))]);
    await proxy?.close();
    await pgServer?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("every connection tells the server the same timeout: a statement waiting longer (a lock held by a stalled process) is cancelled by the server, and a transaction whose client vanished gives its locks back", async () => {
    const setting = async (name: string) => (await opened.pool!.query<Record<string, string>>(`show ${name}`)).rows[0]![name];
    assert.equal(await setting("statement_timeout"), `${TIMEOUT_MS}ms`);
    assert.equal(await setting("idle_in_transaction_session_timeout"), `${3 * TIMEOUT_MS}ms`);
  });

  it("cut: reads, sign-ups and recording each fail within the timeout; back: the very next of each works, and the match lands once", async () => {
    const a = await store.createGuest("A");
    const b = await store.createGuest("B");
    assert.equal(await store.recordMatch(duel(a.id, b.id)), "recorded");
    // Several connections open in the pool, idle, when the network goes.
    await Promise.all(Array.from({ length: 6 }, () => store.leaderboard("tictactoe", 10)));
    assert.ok(opened.pool!.totalCount >= 2, `connections open before the cut: ${opened.pool!.totalCount}`);

    proxy.cut();
    const pending = duel(a.id, b.id);
    // Every kind of query, as many at once as the pool holds connections (10): each takes one
    // of its own, so every connection open before the cut is used in it.
    const during = await Promise.all([
      settle(store.leaderboard("tictactoe", 10)),
      settle(store.profile(a.id)),
      settle(store.createGuest("C")),
      settle(store.recordMatch(pending)),
      settle(store.leaderboard("dice", 10)),
      settle(store.user(b.id)),
      ...Array.from({ length: 4 }, () => settle(store.leaderboard("owedrahn", 10))),
    ]);
    assert.equal(opened.pool!.totalCount, 0, "every connection of the cut was closed, none kept for later");
    for (const [i, r] of during.entries()) {
      assert.ok(r.failed, `query ${i} failed while the database is silent`);
      assert.ok(r.ms < FAILS_WITHIN_MS, `query ${i} failed after ${r.ms} ms, within ${FAILS_WITHIN_MS} ms`);
    }

    proxy.heal();
    const after = await Promise.all([settle(store.leaderboard("tictactoe", 10)), settle(store.profile(a.id)), settle(store.user(b.id)), settle(store.createGuest("D"))]);
    for (const [i, r] of after.entries()) assert.ok(!r.failed, `query ${i} works at once once the network is back (no silent connection handed out again); it took ${r.ms} ms`);
    // The match whose write failed in the cut, retried (as the recorder does): recorded now, and once.
    assert.equal(await store.recordMatch(pending), "recorded");
    assert.equal(await store.recordMatch(pending), "duplicate");
    const profile = await store.profile(a.id);
    assert.equal(profile?.stats.tictactoe?.played, 2, "two matches: the one before the cut and the one retried");
    assert.equal(profile?.stats.tictactoe?.won, 2);
  });
});
