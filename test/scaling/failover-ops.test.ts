/**
 * High availability (issue 10), as an operator and the players see it: a Redis outage with
 * snapshots on (play goes on, one error line, `ha_snapshots_paused`, the resave when Redis
 * is back), a Redis gone silent (a proxy that drops every byte: one move per room waits for
 * the write's timeout, then none; /health 503; everything back once the network is), the
 * snapshot written before the patch goes out (checked from outside, in Redis,
 * for every move of a game), and the survivor's restore metrics and log line after a SIGKILL.
 * Real server processes on private redis-servers.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import { Redis } from "ioredis";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { eventually } from "../helpers/clients.js";
import { startServers, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { FAILOVER_ENV, failoverSuite, ownerOf, seated, type Seated } from "../helpers/failover.js";
import { startRestartableRedis, type RestartableRedis } from "../helpers/redis.js";
import { silentProxy, type SilentProxy } from "../helpers/silent-proxy.js";
import { tttMove } from "../helpers/rooms.js";
import { parseSnapshot } from "../../src/ha/snapshot.js";
import { tcpOf } from "../helpers/sockets.js";

/** What the tests read of a stored snapshot (src/ha/snapshot.ts): the rules' state is `game`. */
interface StoredTtt {
  roomId: string;
  epoch: number;
  owner: string;
  seats: { sessionId: string }[];
  game: { board: string[]; phase: string; winner: string | null; currentTurn: string | null };
}

const boardOf = (p: Seated<Ttt>) => Array.from(p.state.board);
/** A player's mark ("X" or "O"): either may move first (the first mover is drawn). */
const markOf = (p: Seated<Ttt>) => p.state.players.get(p.id)!.symbol;

/** The room's stored snapshot, parsed (undefined when there is none). */
async function storedSnapshot(redis: Redis, roomId: string): Promise<StoredTtt | undefined> {
  const read = parseSnapshot(await redis.hgetall(`ha:snap:${roomId}`));
  return read.ok ? (read.snapshot as unknown as StoredTtt) : undefined;
}

/** A metric's value on `p`'s /metrics (a sample without labels), undefined when absent. */
async function metric(p: ServerProcess, name: string): Promise<number | undefined> {
  const res = await fetch(`${p.url}/metrics`);
  assert.equal(res.status, 200, "/metrics answers the test (an internal address)");
  const text = await res.text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Polls `p`'s /metrics (rendered at most once a second) until `name` has a value `ok` accepts; returns it. */
async function metricUntil(p: ServerProcess, name: string, ok: (v: number | undefined) => boolean, what: string, timeoutMs = 5000): Promise<number | undefined> {
  let last: number | undefined;
  await eventually(async () => ok((last = await metric(p, name))), what, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; last ${name} = ${last}`);
  });
  return last;
}

/** The process id a server logged when it started listening. */
function processIdOf(p: ServerProcess): string {
  const line = p.logs().find((l) => typeof l.msg === "string" && l.msg.startsWith("game server listening") && typeof l.processId === "string");
  assert.ok(line, `the process on ${p.port} logged its process id`);
  return line.processId as string;
}

/** Two seated TicTacToe players in a new room created through `via`, the game running; `first` is on turn. */
async function tttPair(join: (via: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>) => Promise<Seated<Ttt>>, via: ServerProcess) {
  const a = await join(via, "create", "tictactoe", { name: "Ada" });
  const b = await join(via, "joinById", a.room.roomId, { name: "Bob" });
  await a.until(() => a.state.currentTurn !== "", "game start");
  await b.until(() => b.state.currentTurn !== "", "game start");
  const first = a.state.currentTurn === a.id ? a : b;
  return { first, second: first === a ? b : a, roomId: a.room.roomId };
}

describe("High availability, operations: a Redis outage with snapshots on, or a Redis gone silent (issue 10)", function () {
  this.timeout(60000);
  let redis: RestartableRedis | undefined;
  /** In front of Redis, for the silent one. */
  let proxy: SilentProxy | undefined;
  let client: Redis | undefined;
  let processes: ServerProcess[] = [];
  const players: Seated<Ttt>[] = [];

  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      for (const p of processes) console.log(`--- process on ${p.port}${p.exited ? " (exited)" : ""}:\n${p.lines.slice(-40).join("\n")}\n${p.stderr().slice(-2000)}`);
    }
    for (const p of players.splice(0)) p.room.removeAllListeners();
    await stopAllServers();
    client?.disconnect();
    await proxy?.close();
    await redis?.destroy();
    redis = proxy = client = undefined;
    processes = [];
  });

  const pausedLines = (p: ServerProcess) => p.logs().filter((l) => typeof l.msg === "string" && l.msg.startsWith("snapshots paused"));

  const join = async (via: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>) => {
    const sdk = new Client(via.url);
    const room = method === "create" ? await sdk.create<Ttt>(target, options) : await sdk.joinById<Ttt>(target, options);
    const p = seated(room);
    players.push(p);
    await p.synced();
    return p;
  };


  /**
   * A game on one process; Redis stopped after the first move; three moves during the
   * outage; Redis started again on the same port (`data`: empty, or with what it held).
   */
  async function outage(data: "empty" | "keep") {
    redis = await startRestartableRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    const [A] = await startServers(1, { redisUrl: redis.url, env: FAILOVER_ENV });
    processes.push(A!);
    const { first, second, roomId } = await tttPair(join, A!);
    const both = [first, second];
    const [F, S] = [markOf(first), markOf(second)];

    await tttMove(first, both, 0, 0);
    assert.deepEqual((await storedSnapshot(client, roomId))?.game.board, boardOf(first), "before the outage the snapshot holds the board");
    assert.equal(await metric(A!, "ha_snapshots_paused"), 0, "not paused while Redis answers");

    // ---- the outage: redis-server stopped (its clients see the connection closed).
    await (data === "keep" ? redis.shutdownSave() : redis.stopEmpty());
    const outageAt = Date.now();
    // Three moves while Redis is down: each is seen by both players in normal time
    // (tttMove waits at most 3 s for each watcher's board).
    await tttMove(second, both, 1, 0);
    await tttMove(first, both, 0, 1);
    await tttMove(second, both, 1, 1);
    const playedMs = Date.now() - outageAt;
    assert.ok(playedMs < 3000, `three moves during the outage took ${playedMs} ms`);
    assert.deepEqual(boardOf(first), [F, F, "", S, S, "", "", "", ""], "every move of the outage landed");
    assert.deepEqual(boardOf(second), boardOf(first), "both players see the same board");

    await metricUntil(A!, "ha_snapshots_paused", (v) => v === 1, "ha_snapshots_paused 1 during the outage");
    // The log is written asynchronously (pino, sync: false): the line may reach the pipe after /metrics answered.
    await eventually(() => pausedLines(A!).length >= 1, '"snapshots paused" in the log', 2000);
    const paused = pausedLines(A!);
    assert.equal(paused.length, 1, `"snapshots paused" is logged once for the whole outage, not once per move (got ${paused.length})`);
    assert.equal(paused[0]!.level, 50, "at error level");
    assert.match(paused[0]!.msg as string, /^snapshots paused: Redis is unreachable; /);
    assert.equal(typeof paused[0]!.reason, "string", "the line says why");
    assert.ok(!A!.logs().some((l) => l.msg === "snapshots resumed"), "not resumed while Redis is down");
    assert.ok(both.every((p) => p.left === undefined), "no player was disconnected by the outage");

    // ---- Redis back on the same port.
    const restartAt = Date.now();
    await redis.restart();
    const backAt = Date.now();
    // Until the process says it resumed, or a player is cut off.
    await eventually(() => A!.logs().some((l) => l.msg === "snapshots resumed") || both.some((p) => p.left !== undefined), '"snapshots resumed" in the log', 10000).catch(() => undefined);
    const cut = both.filter((p) => p.left !== undefined);
    if (cut.length > 0) {
      const cutMs = Date.now() - backAt;
      const warning = () => A!.logs().find((l) => l.roomId === roomId && l.level >= 40 && l.time >= restartAt);
      await eventually(() => warning() !== undefined, "the process's reason in its log", 2000).catch(() => undefined);
      const why = warning();
      assert.fail(`Redis back (${data === "empty" ? "empty" : "with its data"}): the room closed its players' connections (close codes ${cut.map((p) => p.left).join(", ")}) within ${cutMs} ms of its first answer; the process logged ${JSON.stringify(why?.msg)}`);
    }
    const resumed = A!.logs().find((l) => l.msg === "snapshots resumed");
    assert.ok(resumed, '"snapshots resumed" is logged once Redis is back');
    assert.equal(resumed.level, 30, "at info level");
    await metricUntil(A!, "ha_snapshots_paused", (v) => v === 0, "ha_snapshots_paused 0 once Redis is back");
    // The resave: the board played during the outage is in Redis with no further move.
    let stored: StoredTtt | undefined;
    await eventually(async () => (stored = await storedSnapshot(client!, roomId))?.game.board.join() === boardOf(first).join(), "the current board written again", 5000).catch((err: Error) => {
      throw new Error(`${err.message}: stored ${JSON.stringify(stored?.game.board)}, players see ${JSON.stringify(boardOf(first))}`);
    });
    assert.equal(stored!.roomId, roomId);
    assert.equal(stored!.game.currentTurn, first.id, "and whose turn it is");
    assert.equal(await client.get(`ha:owner:${roomId}`), `0|${processIdOf(A!)}`, "the owner key names this process (epoch 0)");
    assert.ok(both.every((p) => p.left === undefined), "no player was disconnected when Redis came back");
    assert.equal(pausedLines(A!).length, 1, "still a single pause line");
    const resavedMs = Date.now() - backAt;

    // One more move: in the snapshot by the time both players see it.
    await tttMove(first, both, 2, 2);
    const after = await storedSnapshot(client, roomId);
    assert.deepEqual(after?.game.board, boardOf(first), "the next move is in the snapshot");
    assert.equal(after!.game.board[8], F);
    console.log(`      outage (${data}): 3 moves in ${playedMs} ms; board back in Redis ${resavedMs} ms after it answered`);
  }

  it("Redis stopped mid-game and started again empty on the same port: play goes on, one error line and ha_snapshots_paused 1; then snapshots resumed, ha_snapshots_paused 0 and the current board in Redis without a move (resave), and the next move too", async () => {
    await outage("empty");
  });

  it("the same outage, Redis started again with its data (SHUTDOWN SAVE): the stale pre-outage snapshot is replaced by the current board without a move", async () => {
    await outage("keep");
  });

  /** `p` plays (row, col): how long until both players see it. */
  const timedMove = async (p: Seated<Ttt>, both: Seated<Ttt>[], row: number, col: number) => {
    const started = Date.now();
    await tttMove(p, both, row, col);
    return Date.now() - started;
  };

  it("the network to Redis drops every byte after two moves: the first move after waits for the snapshot's timeout, the next ones go at once (snapshots paused), /health answers 503 in time; the network back: snapshots resumed, the current board in Redis without a move, /health 200, and a game asked for during the cut gets its room", async () => {
    redis = await startRestartableRedis();
    proxy = await silentProxy({ host: "127.0.0.1", port: Number(new URL(redis.url).port) });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on("error", () => undefined);
    const [A] = await startServers(1, { redisUrl: `redis://127.0.0.1:${proxy.port}`, env: FAILOVER_ENV });
    processes.push(A!);
    const { first, second, roomId } = await tttPair(join, A!);
    const both = [first, second];
    const [F, S] = [markOf(first), markOf(second)];
    await tttMove(first, both, 0, 0);
    await tttMove(second, both, 1, 0);
    assert.deepEqual((await storedSnapshot(client, roomId))?.game.board, boardOf(first), "before the cut the snapshot holds the board");

    // ---- the cut: every connection of the process to Redis goes silent (no close, no reset).
    proxy.cut();
    const waited = await timedMove(first, both, 2, 2);
    const later = [await timedMove(second, both, 1, 1), await timedMove(first, both, 0, 1)];
    console.log(`      silent Redis: first move ${waited} ms, then ${later.join(" and ")} ms`);
    assert.ok(waited < 2800, `the first move after the cut waited ${waited} ms: the snapshot write's timeout (2 s) at most`);
    for (const ms of later) assert.ok(ms < 700, `a move while Redis is silent and snapshots are paused takes ${ms} ms: it waits for no write that cannot answer`);
    assert.deepEqual(boardOf(first), [F, F, "", S, S, "", "", "", F], "every move of the cut landed");
    assert.deepEqual(boardOf(second), boardOf(first), "both players see the same board");
    // The log is written asynchronously (pino, sync: false): the line may reach the pipe after the players saw the moves.
    await eventually(() => pausedLines(A!).length >= 1, '"snapshots paused" in the log', 2000);
    assert.equal(pausedLines(A!).length, 1, '"snapshots paused" is logged once');
    assert.ok(both.every((p) => p.left === undefined), "no player was disconnected by the cut");
    // What a load balancer's probe sees: an answer, not a probe that hangs.
    const probeAt = Date.now();
    const probe = await fetch(`${A!.url}/health`, { signal: AbortSignal.timeout(10000) });
    const probeMs = Date.now() - probeAt;
    assert.equal(probe.status, 503, "/health says the process cannot reach Redis");
    assert.ok(probeMs < 2500, `/health answered in ${probeMs} ms`);

    // A new game asked for during the cut waits (joins wait for Redis), and gets its room once the network is back.
    const asked = join(A!, "create", "tictactoe", { name: "Cy" }).then((p) => p, (err: Error) => err);

    // ---- the network back.
    proxy.heal();
    const healedAt = Date.now();
    await A!.logged((l) => l.msg === "snapshots resumed", '"snapshots resumed" in the log', 20000);
    let stored: StoredTtt | undefined;
    await eventually(async () => (stored = await storedSnapshot(client!, roomId))?.game.board.join() === boardOf(first).join(), "the current board written again", 5000).catch((err: Error) => {
      throw new Error(`${err.message}: stored ${JSON.stringify(stored?.game.board)}, players see ${JSON.stringify(boardOf(first))}`);
    });
    assert.equal(stored!.game.currentTurn, second.id, "and whose turn it is");
    assert.ok(both.every((p) => p.left === undefined), "no player was disconnected when the network came back");
    await eventually(async () => (await fetch(`${A!.url}/health`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined))?.status === 200, "/health 200 again once the network is back", 10000);
    const cy = await Promise.race([asked, new Promise<"waiting">((r) => setTimeout(() => r("waiting"), Math.max(0, healedAt + 15000 - Date.now())))]);
    assert.ok(!(cy instanceof Error) && cy !== "waiting", `the game asked for during the cut has its room within 15 s of the network's return: ${cy instanceof Error ? cy.message : cy}`);
    console.log(`      the room asked for during the cut: ${Date.now() - healedAt} ms after the network came back`);
    // And the game goes on to its end as usual.
    assert.ok((await timedMove(second, both, 1, 2)) < 700, "a move once the network is back goes out in normal time");
    for (const p of both) await p.until(() => p.state.phase === "over", "the game over");
    assert.equal(first.state.winner, second.id);
  });
});

describe("High availability, operations: snapshots seen from outside, and the survivor's metrics (issue 10)", function () {
  this.timeout(60000);
  const suite = failoverSuite(FAILOVER_ENV);
  const { start, join, killAndResume } = suite;

  it("every move of a game to a win is in Redis by the time a client sees it; held writes hold the patch; the snapshot is deleted once the ended room is left", async () => {
    const [A] = await start(1);
    const { first, second, roomId } = await tttPair(join, A!);
    const both = [first, second];
    const pid = processIdOf(A!);
    // first takes the top row, second the middle row: five moves, first wins.
    const moves: [Seated<Ttt>, number, number][] = [
      [first, 0, 0],
      [second, 1, 0],
      [first, 0, 1],
      [second, 1, 1],
      [first, 0, 2],
    ];
    for (const [i, [mover, row, col]] of moves.entries()) {
      const before = both.map(boardOf);
      if (i === 2) {
        // Redis holds writes (scripts included) for 400 ms, reads still answered: the move's
        // patch must wait for its snapshot.
        // The clock is read before the command: the hold starts when Redis runs it, before its answer arrives.
        const heldAt = Date.now();
        assert.equal(await suite.redis.call("CLIENT", "PAUSE", "400", "WRITE"), "OK");
        mover.send("make_move", { row, col });
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(both.map(boardOf), before, "no client sees the move while its snapshot cannot be written");
        assert.deepEqual((await storedSnapshot(suite.redis, roomId))?.game.board, before[0], "nor is it in Redis yet");
        await Promise.all(both.map((w, k) => w.until(() => boardOf(w).join() !== before[k]!.join(), "board change", 5000)));
        const heldMs = Date.now() - heldAt;
        assert.ok(heldMs >= 350, `the patch waited for the held write (${heldMs} ms)`);
        const stored = await storedSnapshot(suite.redis, roomId);
        assert.deepEqual(stored?.game.board, boardOf(mover), "once seen, the move is in Redis");
        continue;
      }
      mover.send("make_move", { row, col });
      // Whoever sees the new board first: Redis is read at once.
      const seen = await Promise.race(both.map((w, k) => w.until(() => boardOf(w).join() !== before[k]!.join(), "board change").then(() => boardOf(w))));
      const stored = await storedSnapshot(suite.redis, roomId);
      assert.ok(stored, `move ${i + 1}: a snapshot exists`);
      assert.equal(stored.owner, pid);
      // The stored board holds every mark the client saw (equal, or ahead of it).
      seen.forEach((cell, c) => {
        if (cell !== "") assert.equal(stored.game.board[c], cell, `move ${i + 1}: cell ${c} seen by a client is in the stored board`);
      });
      assert.equal(stored.game.board[row * 3 + col], mover.state.players.get(mover.id)!.symbol, `move ${i + 1}: the move is stored`);
      assert.deepEqual(stored.game.board, seen, `move ${i + 1}: nothing else moved, so the stored board is the one seen`);
      await Promise.all(both.map((w, k) => w.until(() => boardOf(w).join() !== before[k]!.join(), "board change")));
    }
    await first.until(() => first.state.winner === first.id && first.state.phase === "over", "a win");
    const over = await storedSnapshot(suite.redis, roomId);
    assert.equal(over?.game.phase, "over", "the won game is in the snapshot while the room stays open (a rematch may follow)");
    assert.equal(over!.game.winner, first.id);
    assert.equal(await suite.redis.sismember(`ha:rooms:${pid}`, roomId), 1, "the room is among its process's rooms");

    // Both players leave: the room disposes and, ending normally, deletes its snapshot.
    await Promise.all(both.map((p) => p.room.leave()));
    await eventually(async () => (await suite.redis.exists(`ha:snap:${roomId}`)) === 0, "the snapshot deleted", 5000);
    assert.equal(await suite.redis.exists(`ha:owner:${roomId}`, `ha:hist:${roomId}`), 0, "owner key and history go with it");
    assert.equal(await suite.redis.sismember(`ha:rooms:${pid}`, roomId), 0, "and the room is no longer its process's");
    await A!.logged((l) => l.roomId === roomId && l.msg === "room disposed", "the room's disposal in the log", 5000);
  });

  it("a player reconnecting while a snapshot is held gets their new token, and the whole state, only once Redis has them: a crash then loses neither the seat nor a move they saw", async () => {
    const [A] = await start(1);
    const { first, second, roomId } = await tttPair(join, A!);
    const both = [first, second];
    await tttMove(first, both, 0, 0);
    // The SDK's own reconnection, straight to the room's process (no matchmaking, no Redis on its way).
    second.room.reconnection.enabled = true;
    second.room.reconnection.minUptime = 0;
    let reconnectedAt: number | undefined;
    let seen: { token: string; board: string[]; stored?: StoredTtt } | undefined;
    second.room.onReconnect(() => {
      reconnectedAt = Date.now();
      // What the player holds the moment the SDK says it is back (it sets the new token right after), and what Redis holds then.
      setTimeout(() => {
        const token = second.room.reconnectionToken;
        void storedSnapshot(suite.redis, roomId).then((stored) => (seen ??= { token, board: boardOf(second), stored }));
      }, 0);
    });
    const oldToken = second.room.reconnectionToken;

    // Redis holds every write for 1.5 s; meanwhile the second player's move goes in, and their connection drops.
    const pausedAt = Date.now(); // before the command: the hold starts when Redis runs it
    assert.equal(await suite.redis.call("CLIENT", "PAUSE", "1500", "WRITE"), "OK");
    second.send("make_move", { row: 1, col: 1 });
    await new Promise((r) => setTimeout(r, 100));
    (second.room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
    await eventually(() => reconnectedAt !== undefined, "the SDK reconnected", 10000);
    await eventually(() => seen !== undefined, "Redis read at the reconnection", 5000);
    console.log(`      reconnected ${reconnectedAt! - pausedAt} ms after Redis held its writes (1500 ms)`);
    assert.notEqual(seen!.token, oldToken, "a new token");
    const seat = (seen!.stored as unknown as { seats: { sessionId: string; token: string }[] }).seats.find((s) => s.sessionId === second.id);
    // The SDK's token is "<roomId>:<token>".
    assert.equal(`${roomId}:${seat?.token}`, seen!.token, "the snapshot in Redis holds the token the player got");
    assert.ok(reconnectedAt! - pausedAt >= 1300, `the reconnection completed ${reconnectedAt! - pausedAt} ms into the 1.5 s hold: it waited for the snapshot`);
    await second.until(() => boardOf(second)[4] !== "", "the move seen after the reconnection");
    const stored = await storedSnapshot(suite.redis, roomId);
    boardOf(second).forEach((cell, c) => {
      if (cell !== "") assert.equal(stored?.game.board[c], cell, `cell ${c} the player sees is in Redis`);
    });
    // No more of the SDK's retries once the suite stops its server (they kept mocha up 30 s).
    second.room.reconnection.enabled = false;
  });

  for (const how of ["closed", "closing (its close frame sent, the connection not ended yet: a page reload)"] as const) {
  it(`a reconnection whose connection is ${how} while it waits for its snapshot (the player never got its new token): the seat is held under the token the player still has, in the room and in Redis, and the player comes back with it`, async () => {
    const [A] = await start(1);
    const { first, second, roomId } = await tttPair(join, A!);
    await tttMove(first, [first, second], 0, 0);
    const token = second.room.reconnectionToken; // "<roomId>:<token>"
    const [, bare] = token.split(":") as [string, string];
    const storedToken = async () => ((await storedSnapshot(suite.redis, roomId)) as unknown as { seats: { sessionId: string; token: string }[] } | undefined)?.seats.find((seat) => seat.sessionId === second.id)?.token;
    assert.equal(await storedToken(), bare);

    // The second player's connection dies; the seat is held.
    (second.room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
    await A!.logged((l) => l.msg === "connection dropped; seat held" && l.sessionId === second.id, "the seat held", 5000);

    // Redis holds writes for 1.5 s; the player reconnects with their token (raw, as the SDK
    // does: the matchmaker, then the WebSocket), and that connection dies while the room
    // waits for the snapshot holding its new token, before Colyseus sends it.
    assert.equal(await suite.redis.call("CLIENT", "PAUSE", "1500", "WRITE"), "OK");
    const res = await fetch(`${A!.url}/matchmake/reconnect/${roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reconnectionToken: bare }) });
    assert.equal(res.status, 200, await res.clone().text());
    const seat = (await res.json()) as { processId: string; roomId: string; sessionId: string };
    const ws = new WebSocket(`ws://127.0.0.1:${A!.port}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}&reconnectionToken=${bare}`);
    ws.addEventListener("error", () => undefined);
    const reconnectedLines = () => A!.logs().filter((l) => l.msg === "reconnected" && l.sessionId === second.id).length;
    await eventually(() => reconnectedLines() === 1, "the room's onReconnect running", 3000);
    if (how === "closed") ws.close();
    else {
      // A close frame (1001, masked as a client's must be) written under the library, which
      // reads no more: the server answers it and waits for the connection's end, still CLOSING.
      const socket = tcpOf(ws);
      socket.pause();
      socket.write(Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]));
    }
    await eventually(() => A!.logs().filter((l) => l.msg === "connection dropped; seat held" && l.sessionId === second.id).length === 2, "the seat held again", 5000);
    await eventually(async () => (await storedToken()) === bare, "Redis holds the token the player has", 5000);

    // The player comes back with the only token they have, and plays on.
    const back = await new Client(A!.url).reconnect<Ttt>(token);
    await eventually(() => back.state.board?.[0] !== undefined && back.state.board[0] !== "", "the board", 3000);
    assert.equal(back.sessionId, second.id, "the same seat");
    back.send("make_move", { row: 1, col: 1 });
    await first.until(() => boardOf(first)[4] !== "", "the move of the player who came back");
    await back.leave();
    if (how !== "closed") (ws as unknown as { terminate(): void }).terminate();
  });
  }

  it("a restored room closed while its players' seats are still held (superseded by a second takeover): the copy's process counts them out of game_clients", async () => {
    await start(3);
    const { first, second, roomId } = await tttPair(join, suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    const owner = ownerOf(first.room, suite.processes);
    // The players never come back: the restored copies hold both seats for them.
    for (const p of [first, second]) p.room.reconnection.enabled = false;
    owner.kill("SIGKILL");
    const restoredOn = (p: ServerProcess) => p.logs().some((l) => l.msg === "room restored" && l.roomId === roomId);
    await eventually(() => suite.processes.some((p) => p !== owner && restoredOn(p)), "the room restored on a survivor", 15000);
    const copy = suite.processes.find((p) => p !== owner && restoredOn(p))!;
    const live = suite.processes.find((p) => p !== owner && p !== copy)!;
    const clients = 'game_clients{game="tictactoe"}';
    await metricUntil(copy, clients, (v) => v === 2, "the two held seats counted where the room was restored");

    // Stalled past the takeover: the third process restores the room again, and the woken copy closes.
    copy.kill("SIGSTOP");
    await eventually(() => restoredOn(live), "the room restored again on the third process", 15000);
    copy.kill("SIGCONT");
    await copy.logged((l) => l.roomId === roomId && l.msg === "room disposed", "the superseded copy disposed", 10000);
    await metricUntil(copy, clients, (v) => v === 0, "the closed copy's held seats counted out");
    await metricUntil(live, clients, (v) => v === 2, "and counted on the live copy, where they are held now");
  });

  it("SIGKILL of the owner: the survivor's /metrics count the restore (restored 1, failures 0, write time observed) and its log names the room, the dead process and the time taken", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(join, suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    await tttMove(second, [first, second], 1, 0);
    const owner = ownerOf(first.room, suite.processes);
    const dead = processIdOf(owner);
    const killedAt = Date.now();

    const { survivor, resumed } = await killAndResume([first, second]);
    const resumeMs = Date.now() - killedAt;
    assert.equal((await owner.waitForExit(5000)).signal, "SIGKILL");
    const me = processIdOf(survivor);
    const [f, s] = resumed as [Seated<Ttt>, Seated<Ttt>];
    assert.equal(f.room.roomId, roomId);

    assert.equal(await metricUntil(survivor, "ha_rooms_restored_total", (v) => v === 1, "ha_rooms_restored_total 1 on the survivor"), 1);
    assert.equal(await metric(survivor, "ha_restore_failures_total"), 0, "no restore failed");
    assert.equal(await metric(survivor, "ha_rooms_superseded_total"), 0, "nothing superseded");

    // A move on the restored room: its snapshot write is timed.
    await f.until(() => f.state.currentTurn === f.id, "first on turn after the restore");
    const writesBefore = (await metric(survivor, "ha_snapshot_write_seconds_count")) ?? 0;
    await tttMove(f, [f, s], 0, 1);
    const writes = await metricUntil(survivor, "ha_snapshot_write_seconds_count", (v) => v !== undefined && v > writesBefore && v > 0, "ha_snapshot_write_seconds_count grows on the survivor");
    assert.ok(writes! > 0);
    assert.ok(((await metric(survivor, "ha_snapshot_write_seconds_sum")) ?? -1) >= 0, "the histogram has its sum");
    const stored = await storedSnapshot(suite.redis, roomId);
    assert.equal(stored?.owner, me, "the survivor writes the snapshot now");
    assert.equal(stored!.epoch, 1, "at the epoch its claim set");
    assert.deepEqual(stored!.game.board, boardOf(f), "holding the move made after the restore");
    assert.equal(await suite.redis.get(`ha:owner:${roomId}`), `1|${me}`);

    // Both lines may reach the pipe after the players were back (the takeover's comes after the restore's).
    await survivor.logged((l) => l.msg === "room restored", "the survivor's restore line");
    await survivor.logged((l) => l.msg === "process dead: its rooms were taken over", "the survivor's takeover line");
    const restoredLines = survivor.logs().filter((l) => l.msg === "room restored");
    assert.equal(restoredLines.length, 1, "one room restored");
    const line = restoredLines[0]!;
    assert.equal(line.level, 30, "at info level");
    assert.equal(line.roomId, roomId, "the line names the room");
    assert.equal(line.roomName, "tictactoe");
    assert.equal(line.from, dead, "and the dead process");
    assert.equal(line.epoch, 1);
    assert.equal(line.seats, 2);
    assert.equal(typeof line.ms, "number", "and how long the restore took (ms)");
    assert.ok(line.ms >= 0 && line.ms < resumeMs, `restore ms ${line.ms} within the ${resumeMs} ms to resume`);
    const takeover = survivor.logs().find((l) => l.msg === "process dead: its rooms were taken over");
    assert.ok(takeover, "the survivor logs the takeover");
    assert.equal(takeover.level, 40);
    assert.equal(takeover.processId, dead);
    assert.equal(takeover.rooms, 1);
    assert.equal(takeover.restored, 1);
    assert.equal(typeof takeover.ms, "number");
    assert.equal(typeof takeover.silentMs, "number");
    console.log(`      restore: ${line.ms} ms (takeover ${takeover.ms} ms, process silent ${takeover.silentMs} ms); players back ${resumeMs} ms after the kill`);
  });
});
