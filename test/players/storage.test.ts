/**
 * The players' database (src/players): the same suite on the embedded SQLite database and
 * on a real PostgreSQL server started privately for the test (initdb + pg_ctl on a free
 * port). Identities, the record of a match (exactly once), stats, ratings, leaderboards,
 * profiles, the embedded file's lock.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { openDatabase, type PlayersDatabase } from "../../src/players/database.js";
import { migrationProvider } from "../../src/players/schema.js";
import { conservative, initialSkill } from "../../src/players/ratings.js";
import { LEADERBOARD_MIN_GAMES, PlayerStore, type MatchRecord } from "../../src/players/store.js";
import { ResultRecorder } from "../../src/players/recorder.js";
import { lineLogger, type LogLine } from "../helpers/log-lines.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";

let seq = 0;
/** A finished two-player match: `winner` first, or a draw when null. */
function duel(game: string, a: string | null, b: string | null, winner: "a" | "b" | null, endedAt = Date.now() + seq): MatchRecord {
  return {
    id: `m${++seq}-${Math.random().toString(36).slice(2)}`,
    game,
    startedAt: endedAt - 60_000,
    endedAt,
    players: [
      { seat: 0, userId: a, name: "A", placement: winner === "b" ? 2 : 1 },
      { seat: 1, userId: b, name: "B", placement: winner === "a" ? 2 : 1 },
    ],
    result: { reason: winner ? "won" : "draw" },
    log: [{ type: "make_move", row: 0, col: 0 }],
  };
}

for (const kind of ["sqlite", "postgres"] as const) {
  describe(`Players' database on ${kind === "sqlite" ? "the embedded SQLite database" : "a private PostgreSQL server"} (src/players)`, function () {
    this.timeout(60000);
    let pgServer: TestPostgres | undefined;
    let dataDir: string;
    let opened: PlayersDatabase;
    let store: PlayerStore;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "players-test-"));
      if (kind === "postgres") pgServer = await startPostgres();
      opened = await openDatabase({ url: pgServer?.url, dataDir });
      store = new PlayerStore(opened);
    });
    after(async () => {
      await opened?.close();
      await pgServer?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /**
     * A new, empty database of this kind (another database on the same server, or a folder
     * of its own): `url` and `dataDir` open it; `raw()` is a bare connection to it, with no
     * migration run (for building an old database); `remove()` deletes the folder.
     */
    async function emptyDatabase(): Promise<{ url?: string; dataDir: string; raw(): Kysely<any>; remove(): void }> {
      if (kind === "postgres") {
        const name = `players_${++seq}`;
        const admin = new pg.Client({ connectionString: pgServer!.url });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE ${name}`);
        } finally {
          await admin.end();
        }
        const url = new URL(`/${name}`, pgServer!.url).href;
        return { url, dataDir, raw: () => new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) }) }), remove: () => undefined };
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "players-test-"));
      return {
        dataDir: dir,
        raw: () => new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(path.join(dir, "players.sqlite")) }) }),
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
      };
    }

    /** {@link emptyDatabase}, migrated as far as `migration` only (a database from before a later one), open on `old`. */
    async function databaseAt(migration: string) {
      const where = await emptyDatabase();
      const old = where.raw();
      assert.equal((await new Migrator({ db: old, provider: migrationProvider }).migrateTo(migration)).error, undefined);
      return { ...where, old };
    }

    it("opens the kind asked for, and opening it again runs no migration twice", async () => {
      assert.equal(opened.kind, kind);
      if (kind === "postgres") {
        const again = await openDatabase({ url: pgServer!.url, dataDir });
        await again.close();
      }
    });

    it("a database from before migration 0003 (the seats without the match's end) is migrated at open: its players' last matches come out newest first, then new matches join them", async () => {
      // The old database, migrated to 0002 only, with three matches ended in the order 2, 3, 1.
      const { old, url, dataDir: oldDir, remove } = await databaseAt("0002-guests-by-age");
      await old.insertInto("users").values({ id: "u-old", name: "Old", email: null, password: null, guest: 1, created_at: 1 }).execute();
      for (const [id, endedAt] of [["m-a", 3000], ["m-b", 1000], ["m-c", 2000]] as const) {
        await old.insertInto("matches").values({ id, game: "tictactoe", started_at: endedAt - 500, ended_at: endedAt, rated: 0, result: "{}", log: "[]" }).execute();
        await old.insertInto("match_players").values([{ match_id: id, seat: 0, user_id: "u-old", name: "Old", placement: 1 }, { match_id: id, seat: 1, user_id: null, name: "bot", placement: 2 }]).execute();
      }
      await old.destroy();

      const reopened = await openDatabase({ url, dataDir: oldDir });
      try {
        const s = new PlayerStore(reopened);
        const before = (await s.profile("u-old"))!.matches;
        assert.deepEqual(before.map((m) => [m.id, m.endedAt]), [["m-a", 3000], ["m-c", 2000], ["m-b", 1000]], "the old matches, newest first, with their end");
        assert.deepEqual(before[0]!.players.map((p) => p.name), ["Old", "bot"]);
        const newer = { ...duel("tictactoe", "u-old", null, "a", 5000), id: "m-d" };
        await s.recordMatch(newer);
        assert.deepEqual((await s.profile("u-old"))!.matches.map((m) => m.id), ["m-d", "m-a", "m-c", "m-b"]);
      } finally {
        await reopened.close();
        remove();
      }
    });

    it("migration 0005 is all or nothing: a start that fails in it leaves no column behind (without a transaction of its own the embedded database kept it, and every later start failed), and the next start migrates", async () => {
      const { old, url, dataDir: oldDir, raw, remove } = await databaseAt("0004-stats-by-rank");
      // An index of the name 0005 creates makes its third step fail, after the column and the count.
      await sql`create index stats_rated_rank on stats (game)`.execute(old);
      await old.destroy();
      const columns = async () => {
        const db = raw();
        try {
          return (await db.introspection.getTables()).find((t) => t.name === "stats")!.columns.map((c) => c.name);
        } finally {
          await db.destroy();
        }
      };
      try {
        await assert.rejects(openDatabase({ url, dataDir: oldDir }), /stats_rated_rank/);
        assert.ok(!(await columns()).includes("rated"), "no column left by the failed migration");
        const fix = raw();
        await sql`drop index stats_rated_rank`.execute(fix);
        await fix.destroy();
        const reopened = await openDatabase({ url, dataDir: oldDir });
        await reopened.close();
        assert.ok((await columns()).includes("rated"), "migrated at the next start");
      } finally {
        remove();
      }
    });

    it("a database from before migration 0005 (no count of rated games) is migrated at open: its leaderboard counts each player's rated games from the matches, so a player of bot games only is not listed", async () => {
      const { old, url, dataDir: oldDir, remove } = await databaseAt("0004-stats-by-rank");
      const game = "dice";
      const users = ["u-rated", "u-rival", "u-bot"];
      await old.insertInto("users").values(users.map((id) => ({ id, name: id, email: null, password: null, guest: 1, created_at: 1 }))).execute();
      let n = 0;
      const match = async (a: string, b: string | null) => {
        const id = `old-${++n}`;
        await old.insertInto("matches").values({ id, game, started_at: n, ended_at: n, rated: b ? 1 : 0, result: "{}", log: "[]" }).execute();
        await old.insertInto("match_players").values([{ match_id: id, seat: 0, user_id: a, name: a, placement: 1, ended_at: n }, { match_id: id, seat: 1, user_id: b, name: b ?? "bot", placement: 2, ended_at: n }]).execute();
      };
      for (let i = 0; i < LEADERBOARD_MIN_GAMES; i++) await match("u-rated", "u-rival");
      for (let i = 0; i < LEADERBOARD_MIN_GAMES + 1; i++) await match("u-bot", null);
      await match("u-rival", null);
      const row = (user_id: string, played: number, mu: number, sigma: number) => ({ user_id, game, played, won: 0, lost: 0, drawn: 0, mu, sigma });
      await old.insertInto("stats").values([row("u-rated", 5, 30, 5), row("u-rival", 6, 20, 5), row("u-bot", 6, 25, 25 / 3)]).execute();
      await old.destroy();

      const reopened = await openDatabase({ url, dataDir: oldDir });
      try {
        const s = new PlayerStore(reopened);
        assert.deepEqual((await s.leaderboard(game, 10)).map((e) => [e.userId, e.played]), [["u-rated", 5], ["u-rival", 6]], "counted: 5, 5 and 0 rated games");
        // The next rated game counts on from there: the rival's sixth.
        const next = await reopened.db.selectFrom("stats").select(["user_id", "rated"]).where("game", "=", game).orderBy("user_id").execute();
        assert.deepEqual(next.map((r) => [r.user_id, Number(r.rated)]), [["u-bot", 0], ["u-rated", 5], ["u-rival", 5]]);
        await s.recordMatch(duel(game, "u-rival", "u-rated", "a"));
        assert.equal(Number((await reopened.db.selectFrom("stats").select("rated").where("user_id", "=", "u-rival").executeTakeFirstOrThrow()).rated), 6);
      } finally {
        await reopened.close();
        remove();
      }
    });

    if (kind === "postgres")
      it("migrations are not cut by DATABASE_TIMEOUT_MS: migration 0003 updating 200,000 seat rows (longer than a 200 ms timeout) completes, and the server's queries keep the timeout", async () => {
        const { old, url } = await databaseAt("0002-guests-by-age");
        await sql`insert into matches (id, game, started_at, ended_at, rated, result, log) select 'big-' || g, 'tictactoe', g, g + 1, 0, '{}', '[]' from generate_series(1, 100000) g`.execute(old);
        await sql`insert into match_players (match_id, seat, user_id, name, placement) select 'big-' || g, s, null, 'x', s + 1 from generate_series(1, 100000) g, generate_series(0, 1) s`.execute(old);
        await old.destroy();
        const started = Date.now();
        const reopened = await openDatabase({ url, dataDir, timeoutMs: 200 });
        try {
          const took = Date.now() - started;
          assert.ok(took > 200, `the migrations took ${took} ms: longer than the timeout, or this test proves nothing`);
          const [row] = (await sql<{ ended_at: number }>`select ended_at from match_players where match_id = 'big-777' limit 1`.execute(reopened.db)).rows;
          assert.equal(Number(row!.ended_at), 778, "every seat has its match's end");
          await assert.rejects(sql`select pg_sleep(1)`.execute(reopened.db), /statement timeout/, "the server's own queries are still cut at 200 ms");
        } finally {
          await reopened.close();
        }
      });

    it("a guest is an identity with a name; registering with the guest's id keeps the id (the record moves along), a plain registration is a new one", async () => {
      const guest = await store.createGuest("Ada");
      assert.deepEqual(await store.user(guest.id), { id: guest.id, name: "Ada", guest: true, email: null });
      const upgraded = await store.register("ada@example.com", "scrypt$salt$hash", "Ada L.", guest.id);
      assert.equal(upgraded.id, guest.id);
      assert.deepEqual(await store.user(guest.id), { id: guest.id, name: "Ada L.", guest: false, email: "ada@example.com" });
      assert.equal((await store.userByEmail("ada@example.com"))?.password, "scrypt$salt$hash");
      const other = await store.register("bob@example.com", "h", "Bob", "no-such-guest");
      assert.notEqual(other.id, guest.id);
      await assert.rejects(store.register("ada@example.com", "h", "Copy"), "an email is registered once");
      assert.equal(await store.user("nobody"), undefined);
      assert.equal(await store.rename(other.id, "Robert"), true);
      assert.equal((await store.user(other.id))?.name, "Robert");
    });

    it("a match is recorded once, keyed by its id: a retry changes nothing", async () => {
      const a = await store.createGuest("A");
      const b = await store.createGuest("B");
      const m = duel("tictactoe", a.id, b.id, "a");
      assert.equal(await store.recordMatch(m), "recorded");
      assert.equal(await store.recordMatch(m), "duplicate");
      const profile = await store.profile(a.id);
      assert.deepEqual(profile?.stats.tictactoe && { ...profile.stats.tictactoe, rating: undefined }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 1, rating: undefined });
      const read = await store.match(m.id);
      assert.deepEqual(read, { id: m.id, game: "tictactoe", startedAt: m.startedAt, endedAt: m.endedAt, rated: true, players: m.players, result: m.result, log: m.log });
      assert.equal(await store.match("unknown"), undefined);
      // The API's text: the same match, its log as stored.
      assert.deepEqual(JSON.parse((await store.matchJson(m.id))!), read);
      assert.equal(await store.matchJson("unknown"), undefined);
    });

    it("a batch of matches in one transaction comes out as the same matches one by one: stats and ratings chained in order, a repeated id recorded once", async () => {
      const [a, b, c] = await Promise.all(["A", "B", "C"].map((n) => store.createGuest(n)));
      const [x, y, z] = await Promise.all(["X", "Y", "Z"].map((n) => store.createGuest(n)));
      const games = (p: string, q: string, r: string) => [duel("dice", p, q, "a"), duel("dice", q, r, "b"), duel("dice", p, r, null), duel("tictactoe", p, q, "b")];
      const batched = games(a!.id, b!.id, c!.id);
      const single = games(x!.id, y!.id, z!.id);
      assert.deepEqual(await store.recordMatches([...batched, batched[1]!]), ["recorded", "recorded", "recorded", "recorded", "duplicate"]);
      for (const m of single) await store.recordMatch(m);
      assert.deepEqual(await store.recordMatches([batched[0]!]), ["duplicate"]);
      for (const [mine, theirs] of [[a, x], [b, y], [c, z]] as const) {
        const got = (await store.profile(mine!.id))!.stats;
        const want = (await store.profile(theirs!.id))!.stats;
        assert.deepEqual(got, want, `${mine!.name}: the same stats and ratings as ${theirs!.name}`);
      }
      assert.equal((await store.profile(a!.id))!.stats.dice!.played, 2);
    });

    it("stats: won, lost and a draw (both first); the winner's rating rises above a new player's and the loser's falls below", async () => {
      const a = await store.createGuest("A");
      const b = await store.createGuest("B");
      await store.recordMatch(duel("connectfour", a.id, b.id, "a"));
      await store.recordMatch(duel("connectfour", a.id, b.id, null));
      const pa = (await store.profile(a.id))!.stats.connectfour!;
      const pb = (await store.profile(b.id))!.stats.connectfour!;
      assert.deepEqual({ ...pa, rating: 0 }, { played: 2, won: 1, lost: 0, drawn: 1, rated: 2, rating: 0 });
      assert.deepEqual({ ...pb, rating: 0 }, { played: 2, won: 0, lost: 1, drawn: 1, rated: 2, rating: 0 });
      const start = conservative(initialSkill());
      assert.ok(pa.rating > pb.rating, `winner ${pa.rating} above loser ${pb.rating}`);
      assert.ok(pb.rating < start + 2, "the loser is not rewarded");
    });

    it("a game with a bot or an anonymous program is recorded and counted, but changes no rating", async () => {
      const a = await store.createGuest("A");
      const m = duel("dice", a.id, null, "a");
      await store.recordMatch(m);
      const stats = (await store.profile(a.id))!.stats.dice!;
      assert.equal(stats.played, 1);
      assert.equal(stats.won, 1);
      assert.equal(stats.rating, Math.round(conservative(initialSkill()) * 100) / 100, "rating untouched");
      assert.equal((await store.match(m.id))?.rated, false);
    });

    it("guests whose sign-in expired and who have no record are removed; a guest with a record, a recent guest and a registered player stay", async () => {
      const old = await store.createGuest("Old");
      const played = await store.createGuest("Played");
      const recent = await store.createGuest("Recent");
      const registered = await store.register(`reg-${kind}@example.org`, "h", "Reg");
      const longAgo = Date.now() - 40 * 86_400_000;
      await opened.db.updateTable("users").set({ created_at: longAgo }).where("id", "in", [old.id, played.id, registered.id]).execute();
      await store.recordMatch(duel("dice", played.id, null, "a"));
      const cutoff = Date.now() - 31 * 86_400_000;
      assert.deepEqual(await store.pruneGuests(cutoff), { removed: 1, next: cutoff }, "one guest removed; every one before the cut-off done");
      assert.equal(await store.user(old.id), undefined, "the unused old guest");
      for (const kept of [played, recent, registered]) assert.equal((await store.user(kept.id))?.id, kept.id, `${kept.name} kept`);
      assert.equal((await store.profile(played.id))!.stats.dice!.played, 1, "its record intact");
    });

    it("unused guests go in batches, oldest first, each call going on after the last: a guest with a record is passed over once, not read again by every batch and every pass", async () => {
      const day = 86_400_000;
      const base = Date.now() - 100 * day;
      const guests = [];
      for (let i = 0; i < 7; i++) guests.push(await store.createGuest(`G${i}`));
      // Created a day apart, oldest first; G1 and G4 have records.
      for (const [i, g] of guests.entries()) await opened.db.updateTable("users").set({ created_at: base + i * day }).where("id", "=", g.id).execute();
      for (const i of [1, 4]) await store.recordMatch(duel("dice", guests[i]!.id, null, "a"));
      const cutoff = base + 6 * day; // G6 is too recent
      const first = await store.pruneGuests(cutoff, 2, 0);
      assert.deepEqual(first, { removed: 2, next: base + 2 * day }, "G0 and G2 (G1 passed over); the next call starts at G2's creation");
      const second = await store.pruneGuests(cutoff, 2, first.next);
      assert.deepEqual(second, { removed: 2, next: base + 5 * day }, "G3 and G5 (G4 passed over)");
      const third = await store.pruneGuests(cutoff, 2, second.next);
      assert.deepEqual(third, { removed: 0, next: cutoff }, "nothing left before the cut-off");
      const left = await Promise.all(guests.map(async (g) => (await store.user(g.id)) !== undefined));
      assert.deepEqual(left, [false, true, false, false, true, false, true], "the guests with records and the recent one stay");
      // A pass that starts where the last ended never reads what lies before it.
      const stale = await store.createGuest("Stale");
      await opened.db.updateTable("users").set({ created_at: base }).where("id", "=", stale.id).execute();
      assert.deepEqual(await store.pruneGuests(cutoff, 2, third.next), { removed: 0, next: cutoff });
      assert.notEqual(await store.user(stale.id), undefined);
    });

    it("a player unknown to this database (a token from a reset database) is recorded as anonymous: the match lands, unrated, and the queue is not held up", async () => {
      const a = await store.createGuest("A");
      const m = duel("tictactoe", a.id, "no-such-user", "b");
      assert.equal(await store.recordMatch(m), "recorded");
      const recorded = (await store.match(m.id))!;
      assert.equal(recorded.rated, false);
      assert.deepEqual(recorded.players.map((p) => p.userId), [a.id, null]);
      assert.equal((await store.profile(a.id))!.stats.tictactoe!.lost, 1);
    });

    it("a match the database refuses for what it holds (two players in one seat, an impossible start) is set aside by the recorder, logged whole and counted; the matches queued before and after it are recorded", async () => {
      const a = await store.createGuest("A");
      const twoInOneSeat = duel("tictactoe", a.id, null, "a");
      twoInOneSeat.players[1]!.seat = 0;
      const noStart = { ...duel("tictactoe", a.id, null, "a"), startedAt: Number.NaN };
      for (const bad of [twoInOneSeat, noStart]) {
        const err = await store.recordMatches([bad]).then(() => undefined, (e: unknown) => e);
        assert.ok(err, "the database refuses it");
        assert.equal(store.refusesRecord(err), true, `${(err as Error).message}: a refusal, not an outage`);
      }
      assert.equal(store.refusesRecord(Object.assign(new Error("Connection terminated unexpectedly"), { code: "ECONNRESET" })), false);
      const lines: LogLine[] = [];
      let refused = 0;
      let recorded = 0;
      const recorder = new ResultRecorder({ store, logger: lineLogger(lines), metrics: { backlog: () => undefined, recorded: (n) => (recorded += n), dropped: () => undefined, refused: () => refused++ }, retryMs: 10 });
      const good = Array.from({ length: 10 }, () => duel("tictactoe", a.id, null, "a"));
      // Queued together, so that they share batches with the refused ones.
      for (const m of [...good.slice(0, 4), twoInOneSeat, ...good.slice(4, 8), noStart, ...good.slice(8)]) recorder.record(m);
      assert.equal(await recorder.flush(10_000), true, "the queue empties: the refused matches hold nothing up");
      for (const m of good) assert.ok(await store.match(m.id), `match ${good.indexOf(m)} recorded`);
      assert.equal(await store.match(twoInOneSeat.id), undefined);
      assert.equal(await store.match(noStart.id), undefined);
      assert.equal((await store.profile(a.id))!.stats.tictactoe!.won, 10);
      assert.equal(recorded, 10);
      assert.equal(refused, 2);
      const setAside = lines.filter((l) => l.level === "error" && /refused/.test(l.msg));
      assert.deepEqual(setAside.map((l) => l.fields.matchId), [twoInOneSeat.id, noStart.id]);
      assert.deepEqual(setAside[0]!.fields.record, twoInOneSeat, "the whole record is in the log");
      assert.equal(lines.filter((l) => /unavailable/.test(l.msg)).length, 0, "not taken for an outage");
    });

    it("Owe Drahn, a free-for-all: placements by elimination order rank the ratings in that order", async () => {
      const ids = [];
      for (const n of ["P1", "P2", "P3", "P4"]) ids.push((await store.createGuest(n)).id);
      const m: MatchRecord = { ...duel("owedrahn", null, null, null), players: ids.map((id, i) => ({ seat: i, userId: id, name: `P${i + 1}`, placement: i + 1 })) };
      await store.recordMatch(m);
      const ratings = await Promise.all(ids.map(async (id) => (await store.profile(id))!.stats.owedrahn!.rating));
      assert.deepEqual([...ratings].sort((x, y) => y - x), ratings, `descending by placement: ${ratings.join(", ")}`);
      const [first, second, third, fourth] = ids.map((id) => id);
      assert.equal((await store.profile(first!))!.stats.owedrahn!.won, 1);
      for (const id of [second, third, fourth]) assert.equal((await store.profile(id!))!.stats.owedrahn!.lost, 1);
    });

    it("ties: with placements 1, 2, 2, 4 the last is rated below both tied second places (Bradley–Terry full)", async () => {
      const ids = [];
      for (const n of ["T1", "T2", "T3", "T4"]) ids.push((await store.createGuest(n)).id);
      const places = [1, 2, 2, 4];
      await store.recordMatch({ ...duel("owedrahn", null, null, null), players: ids.map((id, i) => ({ seat: i, userId: id, name: `T${i}`, placement: places[i]! })) });
      const r = await Promise.all(ids.map(async (id) => (await store.profile(id))!.stats.owedrahn!.rating));
      assert.ok(r[3]! < r[1]! && r[3]! < r[2]!, `4th ${r[3]} below the tied 2nds ${r[1]}, ${r[2]}`);
      assert.equal(r[1], r[2], "the tied players are rated alike");
    });

    it("leaderboard: the database reads it from the index stats_rated_rank in its order (no sort of every player; players of bot games only are not in it), with 2,000 players", async () => {
      const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `rank-${i}`, name: `R${i}`, email: null, password: null, guest: 1, created_at: 0 }));
      for (let i = 0; i < rows.length; i += 500) await opened.db.insertInto("users").values(rows.slice(i, i + 500)).execute();
      // A third played only the bot (no rated game: a new player's 0.0), the others 1–9 rated games.
      const stats = rows.map((u, i) =>
        i % 3 === 0
          ? { user_id: u.id, game: "rank-game", played: 5 + (i % 7), won: 0, lost: 0, drawn: 0, rated: 0, mu: 25, sigma: 25 / 3 }
          : { user_id: u.id, game: "rank-game", played: 9 + (i % 7), won: 0, lost: 0, drawn: 0, rated: 1 + (i % 9), mu: 20 + (i % 97) / 10, sigma: 1 + (i % 13) / 10 },
      );
      for (let i = 0; i < stats.length; i += 500) await opened.db.insertInto("stats").values(stats.slice(i, i + 500)).execute();
      const q = store.leaderboardQuery("rank-game", 100).compile();
      let plan: string;
      if (kind === "postgres") {
        await opened.pool!.query("analyze stats");
        plan = (await opened.pool!.query(`explain ${q.sql}`, q.parameters as unknown[])).rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
        assert.doesNotMatch(plan, /Sort/, plan);
      } else {
        plan = opened.sqlite!.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])).map((r) => (r as { detail: string }).detail).join("\n");
        assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
      }
      assert.match(plan, /stats_rated_rank/, plan);
      const top = await store.leaderboard("rank-game", 100);
      const expected = stats.filter((s) => s.rated >= LEADERBOARD_MIN_GAMES).sort((a, b) => b.mu - 3 * b.sigma - (a.mu - 3 * a.sigma) || b.played - a.played || (a.user_id < b.user_id ? -1 : 1)).slice(0, 100);
      assert.deepEqual(top.map((e) => e.userId), expected.map((s) => s.user_id), "in the order of the ratings");
    });

    it("leaderboard: only players with at least 5 rated games, ranked by μ − 3σ from 1, limited, with name, played and won", async () => {
      const champ = await store.createGuest("Champ");
      const rookie = await store.createGuest("Rookie");
      const rival = await store.createGuest("Rival");
      const botter = await store.createGuest("Botter");
      for (let i = 0; i < LEADERBOARD_MIN_GAMES; i++) await store.recordMatch(duel("leaderboard-game", champ.id, rival.id, "a"));
      await store.recordMatch(duel("leaderboard-game", rookie.id, rival.id, "a"));
      // Games against a bot or a program that did not sign in move no rating: the rookie's
      // 1 rated game and 5 such are not enough, nor the botter's 6 (they would be listed at a
      // new player's 0.0, above the rival's rating).
      for (let i = 0; i < LEADERBOARD_MIN_GAMES; i++) await store.recordMatch(duel("leaderboard-game", rookie.id, null, "b"));
      for (let i = 0; i <= LEADERBOARD_MIN_GAMES; i++) await store.recordMatch(duel("leaderboard-game", botter.id, null, "a"));
      assert.equal((await store.profile(botter.id))!.stats["leaderboard-game"]!.played, LEADERBOARD_MIN_GAMES + 1);
      const board = await store.leaderboard("leaderboard-game", 10);
      assert.deepEqual(
        board.map((e) => [e.rank, e.name, e.played, e.won]),
        [
          [1, "Champ", 5, 5],
          [2, "Rival", 6, 0],
        ],
        "the rookie (1 rated game of 6) and the botter (6 games, none rated) are not listed",
      );
      assert.ok(board[0]!.rating > board[1]!.rating);
      assert.deepEqual((await store.leaderboard("leaderboard-game", 1)).map((e) => e.name), ["Champ"]);
      assert.deepEqual(await store.leaderboard("no-such-game", 10), []);
    });

    it("leaderboard: equal ratings share a rank (1, 1, 3, 3), as players read equal numbers", async () => {
      const [ann, bea, xan, yve] = await Promise.all(["Ann", "Bea", "Xan", "Yve"].map((n) => store.createGuest(n)));
      // Two pairs with the same history: Ann beats Xan, Bea beats Yve, five times each.
      for (let i = 0; i < LEADERBOARD_MIN_GAMES; i++) {
        await store.recordMatch(duel("tie-game", ann!.id, xan!.id, "a"));
        await store.recordMatch(duel("tie-game", bea!.id, yve!.id, "a"));
      }
      const board = await store.leaderboard("tie-game", 10);
      assert.deepEqual(board.map((e) => e.rank), [1, 1, 3, 3], JSON.stringify(board.map((e) => [e.name, e.rating])));
      assert.deepEqual(new Set(board.slice(0, 2).map((e) => e.name)), new Set(["Ann", "Bea"]));
      assert.equal(board[0]!.rating, board[1]!.rating);
    });

    it("profile: the last 20 matches, newest first, each with the player's placement and everyone who sat", async () => {
      const me = await store.createGuest("Me");
      const you = await store.createGuest("You");
      const base = 1_900_000_000_000;
      const recorded: MatchRecord[] = [];
      for (let i = 0; i < 22; i++) {
        const m = duel("history-game", me.id, you.id, i % 2 ? "a" : "b", base + i * 1000);
        recorded.push(m);
        await store.recordMatch(m);
      }
      const profile = (await store.profile(me.id))!;
      assert.equal(profile.matches.length, 20);
      assert.deepEqual(
        profile.matches.map((m) => m.id),
        recorded
          .slice(2)
          .reverse()
          .map((m) => m.id),
      );
      assert.equal(profile.matches[0]!.placement, 1, "the newest (i = 21, odd) was won by me");
      assert.equal(profile.matches[1]!.placement, 2);
      assert.deepEqual(profile.matches[0]!.players.map((p) => p.userId), [me.id, you.id]);
      assert.equal(await store.profile("nobody"), undefined);
    });

    it("profile: a match where the player sat in two seats (two tabs) is listed once, at their better place, with both seats", async () => {
      const me = await store.createGuest("Me");
      const older = duel("two-tabs-game", me.id, null, "a", 1_950_000_000_000);
      const both = duel("two-tabs-game", me.id, me.id, "b", 1_950_000_001_000);
      await store.recordMatches([older, both]);
      const profile = (await store.profile(me.id))!;
      assert.deepEqual(
        profile.matches.map((m) => [m.id, m.placement]),
        [
          [both.id, 1],
          [older.id, 1],
        ],
        "each match once, newest first; in the two-seat match their better place (seat 1 won)",
      );
      assert.deepEqual(profile.matches[0]!.players.map((p) => [p.seat, p.userId, p.placement]), [
        [0, me.id, 2],
        [1, me.id, 1],
      ]);
      assert.deepEqual({ ...profile.stats["two-tabs-game"], rating: 0 }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 0, rating: 0 }, "the game against themselves counts in no stats (the one against a program does, unrated)");
    });

    it("profile: a player in three seats of each of 25 matches (more rows than one page of the index), several ending at the same moment, gets the last 20 matches once each, at their best place, newest first", async () => {
      const me = await store.createGuest("Tabs");
      const other = await store.createGuest("Other");
      const matches: MatchRecord[] = Array.from({ length: 25 }, (_, i) => ({
        id: `tabs-${String(i).padStart(2, "0")}-${Math.random().toString(36).slice(2)}`,
        game: "owedrahn",
        startedAt: 1_960_000_000_000,
        // Ends in fives: five matches share each moment.
        endedAt: 1_960_000_000_000 + Math.floor(i / 5) * 1000,
        players: [
          { seat: 0, userId: me.id, name: "Tabs", placement: 3 },
          { seat: 1, userId: other.id, name: "Other", placement: 1 },
          { seat: 2, userId: me.id, name: "Tabs (2)", placement: 2 + (i % 2) },
          { seat: 3, userId: me.id, name: "Tabs (3)", placement: 4 },
        ],
        result: { reason: "won" },
        log: [],
      }));
      await store.recordMatches(matches);
      const listed = (await store.profile(me.id))!.matches;
      const expected = [...matches].sort((a, b) => b.endedAt - a.endedAt || (a.id < b.id ? 1 : -1)).slice(0, 20);
      assert.deepEqual(
        listed.map((m) => [m.id, m.endedAt, m.placement]),
        expected.map((m, k) => [m.id, m.endedAt, 2 + (matches.indexOf(m) % 2)]),
        `the 20 newest (ties by id), each once at the best of its three places (${listed.length} listed)`,
      );
      assert.equal(new Set(listed.map((m) => m.id)).size, 20);
      assert.ok(listed.every((m) => m.game === "owedrahn" && m.players.length === 4));
      // Stats: the player in three seats of each played against themselves (nothing counted); the other player, in one seat, won all 25.
      const stats = async (id: string) => (await store.profile(id))!.stats.owedrahn;
      assert.equal(await stats(me.id), undefined, "no stats for the player in three seats");
      assert.deepEqual({ ...(await stats(other.id)), rating: 0 }, { played: 25, won: 25, lost: 0, drawn: 0, rated: 0, rating: 0 }, "the other player's games count (unrated: the same account in several seats)");
    });

    /** A second, empty database of the same kind (its own folder, or another database on the same server), with its close. */
    async function otherDatabase(): Promise<{ opened: PlayersDatabase; close(): Promise<void> }> {
      const where = await emptyDatabase();
      const other = await openDatabase({ url: where.url, dataDir: where.dataDir });
      return {
        opened: other,
        close: async () => {
          await other.close();
          where.remove();
        },
      };
    }

    it(`the ${kind === "sqlite" ? "embedded database's" : "PostgreSQL"} writer of results (statements prepared once) and the query builder's write every batch alike, row for row`, async () => {
      // A second database with the same players, written through Kysely instead.
      const other = await otherDatabase();
      try {
        const viaKysely = new PlayerStore({ db: other.opened.db, kind: other.opened.kind });
        const users = [];
        for (const n of ["W1", "W2", "W3", "W4"]) users.push(await store.createGuest(n));
        await other.opened.db.insertInto("users").values(users.map((u) => ({ id: u.id, name: u.name, email: null, password: null, guest: 1, created_at: 0 }))).execute();
        const [p, q, r, s] = users.map((u) => u.id) as [string, string, string, string];
        const ffa = (places: number[], ids: (string | null)[]): MatchRecord => ({ ...duel("owedrahn", null, null, null), players: ids.map((id, i) => ({ seat: i, userId: id, name: `S${i}`, placement: places[i]! })) });
        const batches: MatchRecord[][] = [
          [duel("writers-dice", p, q, "a"), duel("writers-dice", q, r, null), duel("writers-ttt", p, "no-such-user", "b"), duel("writers-ttt", s, s, "a")],
          [ffa([1, 2, 2, 4], [p, q, r, s]), ffa([1, 2, 3], [s, null, q]), duel("writers-dice", r, p, "b")],
        ];
        batches[1]!.push(batches[1]![0]!, batches[0]![1]!); // a repeat within the batch, and one recorded before
        // Names and a log that need escaping on the way (PostgreSQL's arrays: quotes, backslashes, commas, braces, the word NULL).
        const awkward = duel("writers-ttt", q, s, "b");
        awkward.players = awkward.players.map((pl, i) => ({ ...pl, name: i === 0 ? 'NULL' : 'a "b", {c} \\ d' }));
        awkward.log = { steps: [{ say: 'x", NULL, {y}\\' }] };
        batches.push([awkward], [], [...batches[0]!]); // an empty batch, and one of matches all recorded before
        for (const batch of batches) assert.deepEqual(await store.recordMatches(batch), await viaKysely.recordMatches(batch), "the same answers");
        const ids = batches.flat().map((m) => m.id);
        const mine = users.map((u) => u.id);
        const dump = async (db: PlayersDatabase["db"]) => ({
          matches: await db.selectFrom("matches").selectAll().where("id", "in", ids).orderBy("id").execute(),
          seats: await db.selectFrom("match_players").selectAll().where("match_id", "in", ids).orderBy("match_id").orderBy("seat").execute(),
          stats: await db.selectFrom("stats").selectAll().where("user_id", "in", mine).orderBy("user_id").orderBy("game").execute(),
        });
        const got = await dump(store.db);
        assert.deepEqual(got, await dump(other.opened.db));
        assert.equal(got.matches.length, 8, "every distinct match once");
        assert.deepEqual((await store.match(awkward.id))?.players.map((pl) => pl.name), ["NULL", 'a "b", {c} \\ d'], "names come back as they were");
        assert.deepEqual((await store.match(awkward.id))?.log, awkward.log);
        assert.ok(got.stats.length >= 8 && got.stats.some((st) => st.mu !== initialSkill().mu), "stats and ratings were written");
      } finally {
        await other.close();
      }
    });

    if (kind === "postgres") {
      it("two processes recording matches of the same players at once (two connection pools) lose no count and never deadlock", async () => {
        const other = await openDatabase({ url: pgServer!.url, dataDir });
        try {
          const second = new PlayerStore(other);
          const players = [];
          for (let i = 0; i < 30; i++) players.push(await store.createGuest(`C${i}`));
          const ids = players.map((u) => u.id);
          const reversed = [...ids].reverse();
          // The two writers meet the same players in opposite orders (a batch changes its players' stats rows in the order it names them).
          const batch = (order: string[], round: number) => Array.from({ length: 15 }, (_, j) => duel("concurrent", order[2 * j]!, order[2 * j + 1]!, (round + j) % 3 === 0 ? null : "a"));
          const rounds = 20;
          const all = Array.from({ length: rounds }, (_, i) => [batch(ids, i), batch(reversed, i)] as const);
          for (const [x, y] of all) {
            const answers = await Promise.all([store.recordMatches(x), second.recordMatches(y)]);
            assert.deepEqual(answers.flat(), Array(30).fill("recorded"));
          }
          const played = new Map<string, number>();
          for (const m of all.flat(2)) for (const p of m.players) played.set(p.userId!, (played.get(p.userId!) ?? 0) + 1);
          for (const u of players) {
            const stats = (await store.profile(u.id))!.stats.concurrent!;
            assert.equal(stats.played, played.get(u.id), `${u.name}: every match counted`);
            assert.equal(stats.won + stats.lost + stats.drawn, stats.played);
          }
        } finally {
          await other.close();
        }
      });
    }

    if (kind === "postgres") {
      it("a connection the server ends while it records (mid-transaction) fails that batch alone: nothing crashes, nothing half-written, and the retry records it", async () => {
        const a = await store.createGuest("Cut1");
        const b = await store.createGuest("Cut2");
        const m = duel("cut", a.id, b.id, "a");
        const admin = new pg.Client({ connectionString: pgServer!.url });
        await admin.connect();
        try {
          // The writer's transaction waits for this lock, so it is under way when its connection is ended.
          await admin.query("begin");
          await admin.query("lock table matches in access exclusive mode");
          const writing = store.recordMatches([m]);
          let pid: number | undefined;
          for (let i = 0; i < 250 && pid === undefined; i++) {
            const waiting = await admin.query<{ pid: number }>("select pid from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database() and pid <> pg_backend_pid()");
            pid = waiting.rows[0]?.pid;
            if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
          }
          assert.ok(pid, "the writer waits for the lock");
          await admin.query("select pg_terminate_backend($1)", [pid]);
          await assert.rejects(writing, "the batch fails (the recorder retries it)");
          await admin.query("rollback");
          assert.equal((await store.profile(a.id))!.stats.cut, undefined, "nothing of it was written");
          assert.deepEqual(await store.recordMatches([m]), ["recorded"], "the next try records it, on a new connection");
          assert.equal((await store.profile(a.id))!.stats.cut!.played, 1);
        } finally {
          await admin.end();
        }
      });
    }

    if (kind === "sqlite") {
      it("while the server has it open, the README's backup command (another process: the sqlite3 shell, VACUUM INTO) copies it, with the newest match", async () => {
        const a = await store.createGuest("Backed");
        const b = await store.createGuest("Up");
        const m = duel("tictactoe", a.id, b.id, "a");
        assert.equal(await store.recordMatch(m), "recorded");
        const copy = path.join(dataDir, "backup.sqlite");
        execFileSync("sqlite3", [path.join(dataDir, "players.sqlite"), `VACUUM INTO '${copy}'`], { stdio: "pipe", timeout: 30000 });
        const backup = new BetterSqlite3(copy, { readonly: true });
        try {
          assert.equal(backup.prepare("select count(*) from matches where id = ?").pluck().get(m.id), 1, "the match recorded just before is in the copy");
          assert.equal(backup.prepare("select count(*) from match_players where user_id = ?").pluck().get(a.id), 1);
        } finally {
          backup.close();
          fs.rmSync(copy, { force: true });
        }
      });

      it("another process that opens the same folder stops with a clear error; the lock leaves no journal beside it while held", () => {
        // (until 2026-12-05 players.lock-journal lay in the folder for as long as the server ran)
        assert.deepEqual(fs.readdirSync(dataDir).filter((f) => f.startsWith("players.lock")), ["players.lock"]);
        const script = `require("./src/players/database.ts").openDatabase({ dataDir: process.argv[1] }).then(() => process.exit(0), (err) => { console.error(err.message); process.exit(3); })`;
        const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script, dataDir], { cwd: path.resolve(__dirname, "../.."), encoding: "utf8", timeout: 30000 });
        assert.equal(run.status, 3, run.stderr);
        assert.match(run.stderr, /is in use by another process/);
      });

      it("a server from before the lock file (it locked the database file itself) keeps this one out with the same clear error, and nothing is left open", async () => {
        const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), "players-old-"));
        try {
          const old = new BetterSqlite3(path.join(otherDir, "players.sqlite"), { timeout: 0 });
          try {
            old.pragma("journal_mode = WAL");
            old.pragma("locking_mode = EXCLUSIVE");
            old.exec("BEGIN EXCLUSIVE; COMMIT;");
            await assert.rejects(openDatabase({ dataDir: otherDir }), /is in use by another process/);
          } finally {
            old.close();
          }
          // Everything the refused open took was let go: the folder opens now.
          const now = await openDatabase({ dataDir: otherDir });
          await now.close();
        } finally {
          fs.rmSync(otherDir, { recursive: true, force: true });
        }
      });

      it("the embedded file is locked: a second open of it (another process, another connection) fails with a clear error until the first closes it", async () => {
        await assert.rejects(openDatabase({ dataDir }), /in use by another process/);
        await opened.close();
        const reopened = await openDatabase({ dataDir });
        opened = reopened;
        store = new PlayerStore(opened);
        assert.ok((await store.leaderboard("leaderboard-game", 10)).length > 0, "the data is still there");
      });
    }
  });
}
