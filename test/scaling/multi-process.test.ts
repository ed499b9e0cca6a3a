/**
 * Several server processes on one Redis: the real start script (`src/index.ts`) runs twice,
 * as process A and process B, sharing a private redis-server. Every client is an
 * `@colyseus/sdk` Client pointed at A; the matchmaker sends its WebSocket to the process
 * that owns the room (the seat reservation's `publicAddress`).
 *
 * Each test gets a fresh Redis and a fresh pair of processes.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { RoomEntry } from "../../src/rooms/listing.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { dropConnection, Player, quiet } from "../helpers/clients.js";
import { startServers, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";

type Ttt = TicTacToeState;

/** Environment of both processes: short windows so the file runs in well under a minute and a half. */
const SERVER_ENV = {
  RECONNECT_SECONDS: "10",
  SEAT_RESERVATION_SECONDS: "5",
  DRAIN_SECONDS: "30",
  PROCESS_SWEEP_MS: "500",
  LISTING_REFRESH_MS: "250",
  MESSAGES_PER_SECOND: "200",
  MESSAGE_BURST: "200",
  LOG_LEVEL: "info",
};

/**
 * After a SIGKILL, the rooms of the dead process must leave the listing within this bound.
 * Expected: a sweep tick (PROCESS_SWEEP_MS = 500) finds the process's presence channel gone,
 * the channel stays gone for the sweep's 1.5 s confirmation, the health check times out
 * (Colyseus's 2 s IPC timeout), and its listings are deleted: about 4 s.
 */
const DEAD_PROCESS_LISTING_BOUND_MS = 6000;

/** How many joins / reconnects the latency figures are taken over. */
const SAMPLES = 50;

/** What POST /matchmake/:method/:room answers. */
interface Reservation {
  name: string;
  sessionId: string;
  roomId: string;
  processId: string;
  publicAddress?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");


/** The port in a seat reservation's publicAddress (`127.0.0.1:<port>`). */
function portOf(r: Reservation): number {
  const match = /:(\d+)$/.exec(r.publicAddress ?? "");
  assert.ok(match, `seat reservation without a host:port publicAddress: ${JSON.stringify(r)}`);
  return Number(match[1]);
}

/** The port the SDK room's WebSocket went to. */
function socketPort(room: SdkRoom): number {
  return Number(new URL(room.connection.url!).port);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

describe("Several processes on one Redis", function () {
  this.timeout(30000);

  let redis: TestRedis;
  let redisClient: Redis;
  let A: ServerProcess;
  let B: ServerProcess;
  /** Every SDK room a test opened, closed after it. */
  let openRooms: SdkRoom[] = [];
  /** Rooms this test created on each process (by processId), for the placement wait. */
  let createdOn = new Map<string, number>();
  /** Every room placeRoom created in this test. */
  let created: Reservation[] = [];

  beforeEach(async function () {
    this.timeout(30000);
    openRooms = [];
    createdOn = new Map();
    created = [];
    redis = await startRedis();
    redisClient = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    redisClient.on("error", () => undefined);
    [A, B] = await startServers(2, { redisUrl: redis.url, env: SERVER_ENV });
  });

  afterEach(async function () {
    this.timeout(15000);
    await closeClients();
    await stopAllServers();
    redisClient?.disconnect();
    await redis?.stop();
  });

  after(async () => {
    await stopAllServers();
  });

  async function closeClients() {
    const rooms = openRooms.splice(0);
    await Promise.all(
      rooms.map(async (room) => {
        room.reconnection.enabled = false;
        if (room.connection?.isOpen) await Promise.race([room.leave(true), sleep(500)]);
        else room.removeAllListeners();
      }),
    );
  }

  // ---- HTTP -------------------------------------------------------------------------

  async function post(via: ServerProcess, method: string, target: string, options: Record<string, unknown> = {}) {
    return fetch(`${via.url}/matchmake/${method}/${target}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(options),
    });
  }

  async function reserve(via: ServerProcess, method: string, target: string, options: Record<string, unknown> = {}): Promise<Reservation> {
    const res = await post(via, method, target, options);
    if (!res.ok) throw new Error(`POST ${via.url}/matchmake/${method}/${target} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Reservation;
  }

  async function listing(p: ServerProcess): Promise<RoomEntry[]> {
    const res = await fetch(`${p.url}/api/rooms?include=all`);
    assert.equal(res.status, 200, `GET ${p.url}/api/rooms`);
    return (await res.json()) as RoomEntry[];
  }

  const ids = (entries: RoomEntry[]) => entries.map((e) => e.roomId).sort();

  /** Both processes list the same rooms, and these among them. */
  async function assertListingsAgree(expected: string[], when: string) {
    const [a, b] = await Promise.all([listing(A), listing(B)]);
    assert.deepEqual(ids(a), ids(b), `${when}: A and B list the same rooms`);
    for (const id of expected) assert.ok(ids(a).includes(id), `${when}: room ${id} is listed`);
  }

  /** The id of the lobby room `p` opened for itself (from the listing in Redis). */
  async function lobbyRoomOf(p: ServerProcess): Promise<string> {
    for (const raw of Object.values(await redisClient.hgetall("roomcaches"))) {
      const room = JSON.parse(raw) as { name: string; roomId: string; publicAddress?: string };
      if (room.name === "lobby" && room.publicAddress?.endsWith(`:${p.port}`)) return room.roomId;
    }
    throw new Error(`no lobby room of the process on port ${p.port} in Redis`);
  }

  // ---- clients ------------------------------------------------------------------------

  /** Waits for a joined room's first full state and wraps it. */
  async function enter(pending: Promise<SdkRoom>, withState = true): Promise<Player<Ttt>> {
    const room = await pending;
    openRooms.push(room);
    // A plain handler registered before Player's, not `onStateChange.once`: the SDK's signal
    // removes a `once` handler by swapping the last handler into its slot during the
    // dispatch, so the handler after it misses that event (sdk 0.18.4, core/signal.ts).
    let initial = false;
    room.onStateChange(() => (initial = true));
    const player = new Player<Ttt>(room);
    if (withState) await player.until(() => initial, "initial state");
    return player;
  }

  /** A client pointed at A joins a room by id. */
  const joinViaA = (roomId: string, options: Record<string, unknown> = {}) => enter(new Client(A.url).joinById(roomId, options));

  /** Waits until Redis's `roomcount` shows at least `n` rooms for a process (its stats persist at most once a second). */
  async function roomCountAtLeast(processId: string, n: number, timeoutMs = 2500) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const value = await redisClient.hget("roomcount", processId);
      if (value && Number(value.split(",")[0]) >= n) return;
      await sleep(25);
    }
  }

  /**
   * Creates a room on `target`. New rooms go to the process with the fewest rooms, so
   * rooms are created through A (and taken by a first player, a client pointed at A)
   * until one lands on the target; the others stay where they landed.
   */
  async function placeRoom(target: ServerProcess, name = "tictactoe", options: Record<string, unknown> = {}) {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const reservation = await reserve(A, "create", name, options);
      created.push(reservation);
      const count = (createdOn.get(reservation.processId) ?? 0) + 1;
      createdOn.set(reservation.processId, count);
      const player = await enter(new Client(A.url).consumeSeatReservation<Ttt>(reservation as any), name !== "lobby");
      // Let the owner's count reach Redis before the next placement decision.
      if (portOf(reservation) !== A.port) await roomCountAtLeast(reservation.processId, count);
      if (portOf(reservation) === target.port) return { reservation, player };
    }
    throw new Error(`no ${name} room landed on port ${target.port} in 6 attempts`);
  }

  /** A TicTacToe game on `target` with two players, both clients pointed at A; [first, second] in turn order. */
  async function gameOn(target: ServerProcess) {
    const { reservation, player: a } = await placeRoom(target);
    const b = await joinViaA(reservation.roomId, { name: "Bob" });
    await a.until(() => a.state.phase === "playing", "game start");
    await b.until(() => b.state.phase === "playing", "game start");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    return { reservation, roomId: reservation.roomId, a, b, first, second };
  }

  async function move(p: Player<Ttt>, watchers: Player<Ttt>[], row: number, col: number) {
    const before = watchers.map(board);
    p.send("make_move", { row, col });
    await Promise.all(watchers.map((w, i) => w.until(() => board(w) !== before[i], `board change after (${row},${col})`)));
  }

  async function assertWin(players: Player<Ttt>[], winner: Player<Ttt>) {
    for (const p of players) {
      await p.until(() => p.state.phase === "over", "game over");
      assert.equal(p.state.winner, winner.id);
      assert.equal(p.state.draw, false);
    }
    const symbol = players[0].state.players.get(winner.id)!.symbol;
    for (const p of players) assert.deepEqual(Array.from(p.state.board).slice(0, 3), [symbol, symbol, symbol], "the winner's top row");
    assert.equal(board(players[0]), board(players[1]), "both see the same final board");
  }

  // ---- tests --------------------------------------------------------------------------

  it("a player joining through process A lands in a room on process B and plays a whole game", async () => {
    const { reservation, roomId, a, b, first, second } = await gameOn(B);
    assert.equal(reservation.publicAddress, `127.0.0.1:${B.port}`, "the seat reservation (asked of A) points at B");
    for (const p of [a, b]) assert.equal(socketPort(p.room), B.port, "the WebSocket went to B although the client was pointed at A");
    await assertListingsAgree([roomId], "before the first move");

    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 0);
    await assertListingsAgree([roomId], "during the game");
    await move(first, [a, b], 0, 1);
    await move(second, [a, b], 1, 1);
    await move(first, [a, b], 0, 2);

    await assertWin([a, b], first);
    await assertListingsAgree([roomId], "after the game");
  });

  it("a process killed with SIGKILL: its rooms leave the listing within a bound, games on the other process go on", async () => {
    const game = await gameOn(A);
    const { a, b, first, second } = game;
    assert.equal(socketPort(a.room), A.port);
    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 0);

    await placeRoom(B);
    await placeRoom(B);
    // A lobby client on A: each process opens its own lobby room; join A's by id.
    const lobbyReservation = await reserve(A, "joinById", await lobbyRoomOf(A), { include: "all" });
    assert.equal(portOf(lobbyReservation), A.port);
    const lobby = await enter(new Client(A.url).consumeSeatReservation<Ttt>(lobbyReservation as any), false);
    const deadIds = created.filter((r) => r.name === "tictactoe" && portOf(r) === B.port).map((r) => r.roomId);
    assert.ok(deadIds.length >= 2);
    const latestRooms = () => (lobby.all("rooms").at(-1) ?? []) as RoomEntry[];
    lobby.send("refresh");
    await lobby.until(() => deadIds.every((id) => latestRooms().some((r) => r.roomId === id)), "the lobby lists B's rooms");
    assert.ok(latestRooms().some((r) => r.roomId === game.roomId && r.started), "the lobby lists A's running game");
    await assertListingsAgree([game.roomId, ...deadIds], "before the kill");

    // Clients in B's rooms: no automatic reconnection to a process that is gone for good.
    for (const room of openRooms) if (socketPort(room) === B.port) room.reconnection.enabled = false;
    B.kill("SIGKILL");
    const killedAt = performance.now();

    const gone = (async () => {
      for (;;) {
        const listed = ids(await listing(A));
        if (!deadIds.some((id) => listed.includes(id))) return { ms: performance.now() - killedAt, listed };
        if (performance.now() - killedAt > DEAD_PROCESS_LISTING_BOUND_MS + 4000) {
          throw new Error(`B's rooms still listed ${Math.round(performance.now() - killedAt)} ms after the kill: ${listed}`);
        }
        await sleep(100);
      }
    })();
    gone.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled

    // Meanwhile the game on A goes on to a win.
    await move(first, [a, b], 0, 1);
    await move(second, [a, b], 1, 1);
    await move(first, [a, b], 0, 2);
    await assertWin([a, b], first);

    const { ms, listed } = await gone;
    console.log(`      SIGKILLed process's rooms left the listing after ${Math.round(ms)} ms (bound ${DEAD_PROCESS_LISTING_BOUND_MS} ms)`);
    assert.ok(ms < DEAD_PROCESS_LISTING_BOUND_MS, `took ${Math.round(ms)} ms`);
    assert.ok(listed.includes(game.roomId), "A's game is still listed");
    assert.equal((await B.waitForExit()).signal, "SIGKILL");

    await lobby.until(() => !deadIds.some((id) => latestRooms().some((r) => r.roomId === id)), "the lobby drops B's rooms", 3000);
    assert.ok(latestRooms().some((r) => r.roomId === game.roomId), "the lobby still lists A's game");
    assert.equal(lobby.left, undefined, "the lobby client stayed connected");
    assert.equal(a.left, undefined);
    assert.equal(b.left, undefined);
  });

  it("graceful shutdown: a game in progress finishes before the process exits", async () => {
    const { a, b, first, second, roomId } = await gameOn(B);
    assert.equal(socketPort(a.room), B.port);
    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 0);

    B.kill("SIGTERM");
    const [drainA, drainB] = await Promise.all([a.next("draining"), b.next("draining")]);
    assert.equal(drainA.seconds, Number(SERVER_ENV.DRAIN_SECONDS));
    assert.deepEqual(drainB, drainA);

    const refused = await post(B, "create", "tictactoe");
    assert.equal(refused.status, 503, "the draining process refuses matchmaking");
    await refused.body?.cancel();
    const elsewhere = await reserve(A, "create", "tictactoe");
    assert.equal(portOf(elsewhere), A.port, "new rooms go to the other process");

    await quiet(300);
    assert.equal(B.exited, false, "B waits for the running game");
    assert.equal(a.state.phase, "playing");

    await move(first, [a, b], 0, 1);
    await move(second, [a, b], 1, 1);
    const lastMoveAt = Date.now();
    first.send("make_move", { row: 0, col: 2 });
    await assertWin([a, b], first);

    const exit = await B.waitForExit(10000);
    assert.deepEqual(exit, { code: 0, signal: null }, `B exits cleanly; stderr: ${B.stderr()}`);
    assert.ok(B.exitedAt! >= lastMoveAt, "B exited after the last move");
    for (const p of [a, b]) {
      await p.until(() => p.left !== undefined, "room closed", 3000);
      assert.equal(p.left, 4001, "closed with SERVER_SHUTDOWN");
    }
    assert.ok(!ids(await listing(A)).includes(roomId), "a cleanly stopped process leaves no listing behind");
  });

  it("a player who drops reconnects through the other process", async () => {
    const { a, b, first, second } = await gameOn(B);
    await move(first, [a, b], 1, 1);

    // A page reload: the socket dies without a goodbye and the page's SDK room is gone.
    const sessionId = second.id;
    const token = second.room.reconnectionToken;
    const boardBefore = board(second);
    second.room.reconnection.enabled = false;
    dropConnection(second.room);
    await first.until(() => first.state.players.get(sessionId)?.connected === false, "the other player sees the drop");
    await second.until(() => second.left !== undefined, "the old room is closed");

    const back = await enter(new Client(A.url).reconnect(token));
    assert.equal(back.id, sessionId, "same session, same seat");
    assert.equal(socketPort(back.room), B.port, "the reconnection (asked of A) went to B");
    assert.equal(board(back), boardBefore, "the whole board is there");
    assert.equal(back.state.currentTurn, sessionId);
    await first.until(() => first.state.players.get(sessionId)?.connected === true, "back online");

    await move(back, [first, back], 0, 0);
    await move(first, [first, back], 0, 1);
    await move(back, [first, back], 2, 2);
    await move(first, [first, back], 2, 1); // first holds the middle column: (0,1), (1,1), (2,1)
    for (const p of [first, back]) {
      await p.until(() => p.state.phase === "over", "game over");
      assert.equal(p.state.winner, first.id);
    }
    assert.equal(board(first), board(back));
  });

  it(`measures cross-process joins and reconnects (median over ${SAMPLES} each)`, async function () {
    this.timeout(40000);
    const { roomId, a, b, first, second } = await gameOn(B);
    await move(first, [a, b], 1, 1);

    // Joins through A into the room on B, timed from the joinById call to the first full state.
    // They join as spectators (a seat can be taken once), then leave again.
    const client = new Client(A.url);
    const joins: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      const spectator = await enter(client.joinById(roomId, { spectate: true }));
      joins.push(performance.now() - started);
      assert.equal(socketPort(spectator.room), B.port);
      assert.equal(board(spectator), board(first));
      await spectator.room.leave(true);
    }

    // Reconnects of a seated player through A, timed from the reconnect call to the full state.
    const reconnects: number[] = [];
    let current = second;
    for (let i = 0; i < SAMPLES; i++) {
      const token = current.room.reconnectionToken;
      current.room.reconnection.enabled = false;
      dropConnection(current.room);
      await first.until(() => first.state.players.get(current.id)?.connected === false, "drop seen");
      const started = performance.now();
      const back = await enter(new Client(A.url).reconnect(token));
      reconnects.push(performance.now() - started);
      assert.equal(back.id, current.id);
      current = back;
      await first.until(() => first.state.players.get(current.id)?.connected === true, "back online");
    }
    assert.equal(current.state.board[4], first.state.players.get(first.id)!.symbol, "the game survived every reconnect");

    const fmt = (ms: number) => ms.toFixed(1);
    console.log(`      cross-process join median ${fmt(median(joins))} ms over ${SAMPLES} (min ${fmt(Math.min(...joins))}, max ${fmt(Math.max(...joins))})`);
    console.log(`      cross-process reconnect median ${fmt(median(reconnects))} ms over ${SAMPLES} (min ${fmt(Math.min(...reconnects))}, max ${fmt(Math.max(...reconnects))})`);
    assert.ok(median(joins) < 500, "a cross-process join takes well under half a second");
    assert.ok(median(reconnects) < 500, "a cross-process reconnect takes well under half a second");
  });
});
