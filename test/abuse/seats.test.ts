/**
 * Attacks on seats, spectator slots and reconnection tokens (issue 18, findings 4, 6, 11
 * and 12), each against real server processes at their DEFAULT limits (only the seat
 * reservation time is shortened, to 3 s, where a test waits for reservations to expire).
 *
 * The server trusts one proxy hop (TRUST_PROXY=1), so `X-Forwarded-For: <ip>` makes a
 * request count as coming from that address (test/helpers/abuse.ts).
 */
import assert from "node:assert/strict";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { ErrorCode as ColyseusErrorCode } from "@colyseus/core";
import { MatchmakingStatus } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { address, clientFrom, HonestGame, startDefaultServer } from "../helpers/abuse.js";
import { dropConnection, eventually, Player, refusedWith } from "../helpers/clients.js";
import { stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

type Ttt = TicTacToeState;

/** Seat reservations live this long in the tests that wait for them to expire. */
const RESERVATION_SECONDS = 3;
const MAX_PENDING = 6; // MAX_PENDING_RESERVATIONS_PER_IP, default
const JOINS_PER_10S = 20; // default

interface Answer {
  status: number;
  retryAfter: string | null;
  json: any;
  /** When the answer arrived (Date.now()). */
  at: number;
}

/** A matchmaking POST (JSON) to `server` from `from`: the HTTP step alone, no WebSocket. */
async function matchmake(server: ServerProcess, method: string, room: string, from: string, body: unknown = {}): Promise<Answer> {
  const res = await fetch(`${server.url}/matchmake/${method}/${room}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, retryAfter: res.headers.get("retry-after"), json, at: Date.now() };
}

async function listed(server: ServerProcess, include: "joinable" | "all" = "joinable"): Promise<Array<{ roomId: string; open: boolean; players: number }>> {
  return (await (await fetch(`${server.url}/api/rooms?include=${include}`)).json()) as Array<{ roomId: string; open: boolean; players: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));



const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const isLedgerRefusal = (a: Answer) => a.status === 429 && /unused seat reservations/.test(String(a.json?.error));
const isRateRefusal = (a: Answer) => a.status === 429 && /Too many matchmaking requests/.test(String(a.json?.error));

/** The most successes in any `windowMs` (by arrival time). */
function mostAtOnce(successes: number[], windowMs: number): number {
  const sorted = [...successes].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("Abuse: seats, spectators and tokens", function () {
  this.timeout(60000);
  const held: SdkRoom[] = [];
  const hold = <R extends SdkRoom>(room: R): R => (held.push(room), room);
  let redis: TestRedis | undefined;

  afterEach(async () => {
    // The servers are killed: their clients must not try to reconnect.
    for (const room of held.splice(0)) room.reconnection.enabled = false;
    await stopAllServers();
  });

  after(async () => {
    await redis?.stop();
  });

  /** `n` waiting TicTacToe rooms on `servers` (round robin), each hosted by a connected player from its own address. */
  async function waitingRooms(servers: ServerProcess[], n: number, firstAddress: number): Promise<Player<Ttt>[]> {
    return Promise.all(
      range(n).map(async (i) => {
        const room = hold(await clientFrom(servers[i % servers.length]!, address(firstAddress + i)).create<Ttt>("tictactoe", { name: `Host ${i}` }));
        return new Player<Ttt>(room);
      }),
    );
  }

  it("issue 18, finding 4: one address holds at most 6 unused reservations; honest players still get into games", async function () {
    this.timeout(30000);
    const server = await startDefaultServer({ SEAT_RESERVATION_SECONDS: String(RESERVATION_SECONDS) });
    const hosts = await waitingRooms([server], 10, 100);
    const roomIds = hosts.map((h) => h.room.roomId);
    await eventually(async () => (await listed(server)).length === 10, "the ten waiting rooms to be listed");

    // The attacker reserves a seat in each room without ever connecting.
    const attacker = "10.66.6.6";
    const first: Answer[] = [];
    for (const roomId of roomIds) first.push(await matchmake(server, "joinById", roomId, attacker));
    const t0 = first[0]!.at;
    assert.deepEqual(first.map((a) => a.status), [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    for (const a of first.slice(MAX_PENDING)) {
      assert.ok(isLedgerRefusal(a), JSON.stringify(a.json));
      assert.match(a.retryAfter ?? "", /^\d+$/);
    }
    // The listing is read at most once per LOBBY_THROTTLE_MS (500 ms): wait for it to catch up.
    const openIds = async () => (await listed(server)).map((r) => r.roomId).sort().join();
    await eventually(async () => (await openIds()) === roomIds.slice(MAX_PENDING).sort().join(), "the listing to show the unreserved rooms only", 2000).catch(() => undefined);
    const open = new Set((await listed(server)).map((r) => r.roomId));
    assert.deepEqual([...open].sort(), roomIds.slice(MAX_PENDING).sort(), "the rooms it did not reserve stay listed open; the reserved ones are hidden");

    // The attacker keeps trying, every 300 ms, every room it sees open (all at once).
    const tries: Answer[] = [];
    let attacking = true;
    const attack = (async () => {
      while (attacking) {
        const targets = (await listed(server)).map((r) => r.roomId);
        tries.push(...(await Promise.all(targets.map((roomId) => matchmake(server, "joinById", roomId, attacker)))));
        await sleep(300); // the attacker's pace
      }
    })();

    // Meanwhile, ten honest players quick-match, one after another, each from its own address.
    const honest: Player<Ttt>[] = [];
    for (const i of range(10)) honest.push(new Player<Ttt>(hold(await clientFrom(server, address(200 + i)).joinOrCreate<Ttt>("tictactoe", { name: `Honest ${i}` }))));
    const honestDone = Date.now();
    for (const p of honest) await p.until(() => p.state.phase === "playing" && p.state.players.has(p.id), "an honest player in a running game", 5000);
    assert.equal(honest.filter((p) => p.state.phase === "playing").length, 10, "10 of 10 honest players are in games");
    assert.ok(!tries.some((a) => a.status === 200 && a.at < t0 + RESERVATION_SECONDS * 1000 - 200), "the attacker got nothing more while its reservations lived");

    // Four more rooms open up, so the attacker has more than six to try once its reservations
    // (and its join budget, 20 per 10 s) come back.
    await waitingRooms([server], 4, 300);
    await eventually(() => tries.some((a) => a.status === 200), "the attacker to reserve again once its reservations expired", 15000);
    const again = tries.findIndex((a) => a.status === 200);
    // Two more rounds of attempts after that.
    await eventually(() => tries.length >= again + 20, "two more rounds of attempts", 5000);
    attacking = false;
    await attack;

    const successes = [...first, ...tries].filter((a) => a.status === 200).map((a) => a.at);
    const after = tries.slice(again);
    assert.ok(tries[again]!.at >= t0 + RESERVATION_SECONDS * 1000 - 200, "it reserved again only after its reservations expired");
    assert.ok(after.some(isLedgerRefusal), "after that it was stopped by the reservation cap again");
    // A reservation lives 3 s: no 2.5 s window may hold more than six of its successes.
    assert.ok(mostAtOnce(successes, (RESERVATION_SECONDS - 0.5) * 1000) <= MAX_PENDING, `at most ${MAX_PENDING} reservations at once`);
    const statuses = tries.reduce<Record<string, number>>((acc, a) => {
      const key = a.status === 200 ? "200" : isLedgerRefusal(a) ? "429 reservations" : isRateRefusal(a) ? "429 rate" : String(a.status);
      acc[key] = (acc[key] ?? 0) + 1;
      return acc;
    }, {});
    for (const a of tries) assert.ok(a.status === 200 || a.status === 429, `attacker retry answered ${a.status}: ${JSON.stringify(a.json)}`);
    console.log(
      `      finding 4 (memory): first pass ${first.map((a) => a.status).join(",")}; attacker retries ${JSON.stringify(statuses)}; ` +
        `most at once ${mostAtOnce(successes, 2500)}; honest 10/10 playing, seated ${honestDone - t0} ms after the attack began; ` +
        `reserved again ${tries[again]!.at - t0} ms after it began`,
    );
  });

  describe("on Redis (two processes sharing it)", function () {
    before(async function () {
      this.timeout(20000);
      redis = await startRedis();
    });

    async function twoServers() {
      const env = { SEAT_RESERVATION_SECONDS: String(RESERVATION_SECONDS), PUBLIC_ADDRESS: "127.0.0.1:{port}" };
      return Promise.all([startDefaultServer(env, redis!.url), startDefaultServer(env, redis!.url)]);
    }

    it("issue 18, finding 4: the cap of 6 holds across processes for requests spread over both", async function () {
      this.timeout(30000);
      const servers = await twoServers();
      const hosts = await waitingRooms(servers, 10, 100);
      const roomIds = hosts.map((h) => h.room.roomId);
      await eventually(async () => (await listed(servers[0]!)).length === 10 && (await listed(servers[1]!)).length === 10, "both processes to list the ten rooms");

      const attacker = "10.66.6.7";
      const first: Answer[] = [];
      for (const [i, roomId] of roomIds.entries()) first.push(await matchmake(servers[i % 2]!, "joinById", roomId, attacker));
      const t0 = first[0]!.at;
      assert.deepEqual(first.map((a) => a.status), [200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
      for (const a of first.slice(MAX_PENDING)) assert.ok(isLedgerRefusal(a), JSON.stringify(a.json));
      for (const server of servers) {
        // The listing is read at most once per LOBBY_THROTTLE_MS (500 ms): wait for it to catch up.
        await eventually(async () => (await listed(server)).map((r) => r.roomId).sort().join() === roomIds.slice(MAX_PENDING).sort().join(), "the listing to catch up", 2000).catch(() => undefined);
        const open = (await listed(server)).map((r) => r.roomId).sort();
        assert.deepEqual(open, roomIds.slice(MAX_PENDING).sort(), "the unreserved rooms stay listed open on both processes");
      }

      // Honest players, one after another on either process, take the four open rooms.
      const honest: Player<Ttt>[] = [];
      for (const i of range(4)) honest.push(new Player<Ttt>(hold(await clientFrom(servers[i % 2]!, address(200 + i)).joinOrCreate<Ttt>("tictactoe", { name: `Honest ${i}` }))));
      for (const p of honest) await p.until(() => p.state.phase === "playing", "an honest player in a running game", 5000);
      const honestMs = Date.now() - t0;

      // After expiry (and with four more open rooms), one pass over every open room: six again, no more.
      await waitingRooms(servers, 4, 300);
      await eventually(async () => (await listed(servers[0]!)).length === 10, "the six expired and four new rooms to be listed open", RESERVATION_SECONDS * 1000 + 3000);
      const open = (await listed(servers[1]!)).map((r) => r.roomId);
      const second: Answer[] = [];
      for (const [i, roomId] of open.entries()) second.push(await matchmake(servers[i % 2]!, "joinById", roomId, attacker));
      assert.equal(second.filter((a) => a.status === 200).length, MAX_PENDING, JSON.stringify(second.map((a) => a.status)));
      assert.ok(second.filter((a) => a.status !== 200).every(isLedgerRefusal));
      console.log(`      finding 4 (Redis, sequential over both processes): ${first.map((a) => a.status).join(",")}; honest 4/4 playing after ${honestMs} ms; after expiry ${second.map((a) => a.status).join(",")}`);
    });

    // SERVER BUG (left failing on purpose, see the report): with Redis, the ledger's check and
    // its record are separate round trips (src/http/matchmaking.ts:135 `await ledger.admit(address)`,
    // then the reservation, then :150 `await ledger.add(...)`; src/matchmaking/reservations.ts:83-98),
    // so concurrent requests from one address all pass the check before any is recorded: a burst
    // reserves every seat it targets (10 of 10 here; up to JOINS_PER_10S per process per 10 s).
    // On one in-memory process the same burst is held to 6 (the whole check-reserve-record runs
    // without real I/O in between).
    it("issue 18, finding 4: a concurrent burst from one address over both processes gets at most 6 reservations", async function () {
      this.timeout(30000);
      const servers = await twoServers();
      const hosts = await waitingRooms(servers, 10, 100);
      const roomIds = hosts.map((h) => h.room.roomId);
      await eventually(async () => (await listed(servers[0]!)).length === 10, "the ten rooms to be listed");

      const burst = await Promise.all(roomIds.map((roomId, i) => matchmake(servers[i % 2]!, "joinById", roomId, "10.66.6.8")));
      const reserved = burst.filter((a) => a.status === 200).length;
      const stillOpen = (await listed(servers[0]!)).length;
      console.log(`      finding 4 (Redis, concurrent burst of 10): ${reserved} reserved, ${stillOpen} rooms left open`);
      assert.ok(reserved <= MAX_PENDING, `a concurrent burst reserved ${reserved} seats (cap ${MAX_PENDING}): ${JSON.stringify(burst.map((a) => a.status))}`);
    });
  });

  it("issue 18, finding 6: spectators have 16 slots, 4 per address, and never take a player's seat", async () => {
    const server = await startDefaultServer();
    const [host] = await waitingRooms([server], 1, 100);
    const roomId = host!.room.roomId;

    // 16 spectate reservations from 4 addresses (4 each) fill the spectator slots.
    const watchers = range(4).map((a) => address(400 + a));
    const reservations = await Promise.all(watchers.flatMap((from) => range(4).map(() => matchmake(server, "joinById", roomId, from, { spectate: true }))));
    assert.deepEqual(reservations.map((a) => a.status), Array(16).fill(200));
    const seventeenth = await matchmake(server, "joinById", roomId, address(404), { spectate: true });
    assert.notEqual(seventeenth.status, 200, "a 17th spectator is refused");

    // The host's friend still takes the seat, and the game starts.
    const friend = new Player<Ttt>(hold(await clientFrom(server, address(500)).joinById<Ttt>(roomId, { name: "Friend" })));
    await host!.until(() => host!.state.phase === "playing" && host!.state.players.has(friend.id), "the game starts with the friend", 5000);

    // Per address: 4 in one room, even with 12 slots free; another address still gets one.
    const [other] = await waitingRooms([server], 1, 101);
    const fromOne = address(410);
    const four = [];
    for (let i = 0; i < 4; i++) four.push(await matchmake(server, "joinById", other!.room.roomId, fromOne, { spectate: true }));
    assert.deepEqual(four.map((a) => a.status), [200, 200, 200, 200]);
    const fifth = await matchmake(server, "joinById", other!.room.roomId, fromOne, { spectate: true });
    assert.notEqual(fifth.status, 200, `a 5th spectator from one address is refused: ${JSON.stringify(fifth.json)}`);
    assert.ok(!isLedgerRefusal(fifth), "refused by the per-address spectator limit, not the reservation cap");
    assert.equal((await matchmake(server, "joinById", other!.room.roomId, address(411), { spectate: true })).status, 200, "the slots were free");
    console.log(`      finding 6: 17th spectator → ${seventeenth.status} ${JSON.stringify(seventeenth.json)}; 5th from one address → ${fifth.status} ${JSON.stringify(fifth.json)}`);
  });

  it("issue 18, finding 6: a spectator who drops frees its slot at once and cannot come back with its token", async () => {
    const server = await startDefaultServer(); // RECONNECT_SECONDS=10: a player's seat would be held 10 s
    const [host] = await waitingRooms([server], 1, 100);
    const roomId = host!.room.roomId;

    const spectators: SdkRoom<any, Ttt>[] = [];
    for (const a of range(4)) {
      const client = clientFrom(server, address(400 + a));
      spectators.push(...(await Promise.all(range(4).map(async () => hold(await client.joinById<Ttt>(roomId, { spectate: true }))))));
    }
    assert.equal(spectators.length, 16);
    await assert.rejects(clientFrom(server, address(404)).joinById(roomId, { spectate: true }), refusedWith(MatchmakingStatus.CONFLICT), "the 17th spectator is refused");

    const gone = spectators[0]!;
    const token = gone.reconnectionToken;
    gone.reconnection.enabled = false; // the page is gone
    const dropped = Date.now();
    dropConnection(gone);

    // A new spectator gets the slot right away (a player's seat would be held RECONNECT_SECONDS).
    let newcomer: SdkRoom | undefined;
    let attempt = 0;
    await eventually(
      async () => {
        try {
          newcomer = hold(await clientFrom(server, address(420 + attempt++)).joinById(roomId, { spectate: true }));
          return true;
        } catch {
          return false;
        }
      },
      "a new spectator to take the dropped one's slot",
      3000,
    );
    const freedMs = Date.now() - dropped;
    assert.ok(newcomer);
    await assert.rejects(new Client(server.url, { headers: { "X-Forwarded-For": address(400) } }).reconnect(token), refusedWith(ColyseusErrorCode.MATCHMAKE_EXPIRED), "the dropped spectator's token is refused");
    console.log(`      finding 6: a dropped spectator's slot was taken again after ${freedMs} ms (${attempt} attempt(s))`);
  });

  it("issue 18, finding 12: a live player's token cannot take over the seat, and guessing tokens is rate-limited", async () => {
    const server = await startDefaultServer();
    const game = await HonestGame.start(server);
    hold(game.a.room);
    hold(game.b.room);
    const victim = game.a;

    // Someone who learned the connected player's token presents it.
    await assert.rejects(new Client(server.url).reconnect(victim.room.reconnectionToken), refusedWith(ColyseusErrorCode.MATCHMAKE_EXPIRED), "a live session's token is refused");
    assert.ok((await game.move()) < 1000, "the game goes on");
    assert.ok((await game.move()) < 1000);
    assert.equal(victim.left, undefined, "the victim was not disconnected");
    assert.equal(game.b.state.players.get(victim.id)?.connected, true, "and shows as connected");

    // 25 reconnects with made-up tokens from one address: past JOINS_PER_10S (20), 429.
    const guesser = "10.12.12.12";
    const guesses: Answer[] = [];
    for (let i = 0; i < 25; i++) guesses.push(await matchmake(server, "reconnect", victim.room.roomId, guesser, { reconnectionToken: `guess-${i}-${"x".repeat(8)}` }));
    const limited = guesses.filter(isRateRefusal);
    assert.equal(limited.length, 25 - JOINS_PER_10S, JSON.stringify(guesses.map((a) => a.status)));
    assert.ok(guesses.slice(0, JOINS_PER_10S).every((a) => a.status !== 200 && a.status !== 429), "the guesses under the limit are refused as bad tokens");
    for (const a of limited) assert.match(a.retryAfter ?? "", /^\d+$/);
    console.log(`      finding 12: made-up tokens → ${[...new Set(guesses.map((a) => `${a.status} ${JSON.stringify(a.json)}`))].join(" | ")}`);
    assert.equal(victim.left, undefined);
    assert.ok((await game.move()) < 1000, "the game still goes on");
    await game.leave();
  });

  it("issue 18, finding 11: look-alike names are numbered in the room, and a bidi override is refused at matchmaking", async () => {
    const server = await startDefaultServer();
    const ada = new Player<Ttt>(hold(await clientFrom(server, address(1)).create<Ttt>("tictactoe", { name: "Ada" })));
    const twin = new Player<Ttt>(hold(await clientFrom(server, address(2)).joinById<Ttt>(ada.room.roomId, { name: "ada" })));
    await ada.until(() => ada.state.phase === "playing" && ada.state.players.size === 2, "both seated", 5000);
    assert.equal(ada.state.players.get(ada.id)?.name, "Ada");
    assert.equal(ada.state.players.get(twin.id)?.name, "ada (2)", "GameRoom.uniqueName numbers the second one");

    const refused = await matchmake(server, "create", "tictactoe", address(3), { name: "Ada\u202Eevil" });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 4403);
    assert.match(refused.json.error, /U\+202E/);
    await assert.rejects(clientFrom(server, address(4)).create("tictactoe", { name: "\u202Eada" }), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, 400);
      assert.match(err.message ?? "", /U\+202E/);
      return true;
    });
    assert.equal((await listed(server, "all")).length, 1, "only the first room exists");
  });
});
