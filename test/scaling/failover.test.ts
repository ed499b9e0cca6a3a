/**
 * High availability (issue 10): real server processes on a private redis-server. The
 * process that owns a game is killed (SIGKILL) or stalled (SIGSTOP); a survivor restores
 * the room from its snapshot, and the players come back with `client.reconnect(token)`
 * through a survivor, with identical state, and finish the game.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import { startServer, type ServerProcess } from "../helpers/cluster.js";
import { dropConnection, eventually, quietReconnection } from "../helpers/clients.js";
import { silentProxy } from "../helpers/silent-proxy.js";
import { parseSnapshot } from "../../src/ha/snapshot.js";
import { FAILOVER_ENV, failoverSuite, ownerOf, resume, snapshotOf, tttPair as sharedTttPair, type Seated } from "../helpers/failover.js";
import { tttMove } from "../helpers/rooms.js";

const ENV = {
  ...FAILOVER_ENV,
};

const boardOf = (p: Seated<Ttt>) => Array.from(p.state.board);

describe("High availability: games survive the death of their process (issue 10)", function () {
  this.timeout(60000);
  const suite = failoverSuite(ENV);
  const { start, join, killAndResume, sameStateOnceAllBack } = suite;

  it("TicTacToe: SIGKILL after two moves; both players resume on the survivor with identical state, then finish the game", async () => {
    const [A] = await start(2);
    const a = await join<Ttt>(A!, "create", "tictactoe", { name: "Ada" });
    const b = await join<Ttt>(A!, "joinById", a.room.roomId, { name: "Bob" });
    await a.until(() => a.state.currentTurn !== "", "game start");
    const first = a.state.currentTurn === a.id ? a : b;
    const second = first === a ? b : a;
    await tttMove(first, [a, b], 0, 0);
    await tttMove(second, [a, b], 1, 0);

    const { survivor, before, resumed } = await killAndResume([first, second]);
    await sameStateOnceAllBack(resumed, before);
    const [f, s] = resumed as [Seated<Ttt>, Seated<Ttt>];
    assert.equal(f.room.roomId, a.room.roomId, "same room id");
    await tttMove(f, [f, s], 0, 1);
    await tttMove(s, [f, s], 1, 1);
    await tttMove(f, [f, s], 0, 2);
    await f.until(() => (f.state as unknown as { winner: string }).winner === f.id, "a win");
    const restoredLog = await survivor.logged((l) => l.msg === "room restored", "the survivor logs the restore");
    assert.equal(restoredLog.roomId, a.room.roomId);
  });

  it("a restored seat whose player never comes back: the window on the survivor runs out, and the one who came back wins because the other did not come back (not 'left')", async () => {
    // A short window: the survivor holds each restored seat for what was left of it (a full one for a player who was connected).
    const [A] = await start(2, { RECONNECT_SECONDS: "3" });
    const { first, second, owner } = await tttPair(A!);
    await tttMove(first, [first, second], 0, 0);
    const name = second.state.players.get(second.id)!.name;
    const survivor = suite.processes.find((p) => p !== owner)!;
    const token = first.token();
    second.room.removeAllListeners();
    owner.kill("SIGKILL");
    const { player: back } = await resume<Ttt>(token, survivor);
    suite.track(back);
    await back.until(() => back.state.phase === "over", "the other seat's window runs out on the survivor", 15000);
    assert.equal(back.state.winner, back.id);
    assert.equal(back.state.endReason, "dropped");
    assert.equal(back.state.endName, name);
  });

  /** Two seated TicTacToe players in a new room created through `via`, the game running; `first` is on turn. */
  const tttPair = (via: ServerProcess) => sharedTttPair(suite, via);

  /** Plays the rest of a top-row win from a board where `first` holds (0,0) and `second` (1,0). */
  async function finishTopRow(first: Seated<Ttt>, second: Seated<Ttt>) {
    await tttMove(first, [first, second], 0, 1);
    await tttMove(second, [first, second], 1, 1);
    await tttMove(first, [first, second], 0, 2);
    await first.until(() => first.state.winner === first.id, "a win");
  }

  const listedOn = async (roomId: string) => {
    const row = await suite.redis.hget("roomcaches", roomId);
    return row ? (JSON.parse(row) as { processId: string }).processId : null;
  };
  const processIdOf = async (p: ServerProcess) => {
    for (let i = 0; i < 100; i++) {
      const line = p.logs().find((l) => typeof l.processId === "string" && l.msg?.startsWith("game server listening"));
      if (line) return line.processId as string;
      const rows = await suite.redis.hgetall("roomcaches");
      for (const raw of Object.values(rows)) {
        const row = JSON.parse(raw) as { publicAddress?: string; processId: string };
        if (row.publicAddress?.endsWith(`:${p.port}`)) return row.processId;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no processId known for the process on ${p.port}`);
  };

  for (const killed of ["after the server cut it", "before the server cut it"] as const) {
    it(`a player whose reconnection went quiet before it acknowledged the join (the join frame lost), on a process then killed ${killed}: the survivor holds the seat under the token the player still has too, and they resume with it`, async () => {
      const [A] = await start(2, { JOIN_ACK_SECONDS: killed === "after the server cut it" ? "1" : "60" });
      const { first, second, owner } = await tttPair(A!);
      await tttMove(first, [first, second], 0, 0);
      const survivor = suite.processes.find((p) => p !== owner)!;
      const had = second.token();
      dropConnection(second.room);
      await first.until(() => first.state.players.get(second.id)?.connected === false, "away");
      const quiet = await quietReconnection(owner.url, had);
      assert.notEqual(await quiet.given, had, "that connection was given a new token");
      if (killed === "after the server cut it") {
        assert.equal(await quiet.closed, 4010, "cut, may try again");
        await first.until(() => first.state.players.get(second.id)?.connected === false, "away again, the seat held");
      }
      // The seat's snapshot holds the token the player had before the crash.
      await eventually(async () => {
        const read = parseSnapshot(await suite.redis.hgetall(`ha:snap:${first.room.roomId}`));
        return read.ok && read.snapshot.seats.some((seat) => seat.also?.includes(had.split(":")[1]!));
      }, "the snapshot holds the token the player had");
      const firstToken = first.token();
      first.room.removeAllListeners();
      second.room.removeAllListeners();
      owner.kill("SIGKILL");
      const [f, s] = await Promise.all([resume<Ttt>(firstToken, survivor), resume<Ttt>(had, survivor)]);
      suite.track(f.player, s.player);
      await f.player.until(() => f.player.state.players.get(s.player.id)?.connected === true, "both back");
      await tttMove(s.player, [f.player, s.player], 1, 1);
    });
  }

  it("a reconnect that reaches a survivor before the takeover is answered at once (523: the game is being brought back), not after Colyseus's 2 s timeout; later tries get the seat back", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    const owner = ownerOf(first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    const before = [first, second].map(snapshotOf);
    const tokens = [first.token(), second.token()];

    const listeners = async () => Number(((await suite.redis.pubsub("NUMSUB", `$${roomId}`)) as [string, number])[1]);
    assert.equal(await listeners(), 1, "the owner listens on the room's presence channel");
    owner.kill("SIGKILL");
    // Redis drops the dead process's connections at once; the takeover waits HA_DEAD_AFTER_MS (1.5 s).
    for (let i = 0; i < 100 && (await listeners()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await listeners(), 0, "nobody listens for the room once its process is dead");
    assert.ok(await suite.redis.hget("roomcaches", roomId), "the room is still listed (not taken over yet)");

    // On the wire: the SDK does not show the response's headers.
    const [rid, secret] = tokens[0]!.split(":") as [string, string];
    const raw = await fetch(`${survivor.url}/matchmake/reconnect/${rid}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ reconnectionToken: secret }) });
    assert.equal(raw.status, 523);
    assert.equal(raw.headers.get("retry-after"), "1", "the client is told to try again in a second");
    const answer = (await raw.json()) as { code: number; error: string };
    assert.equal(answer.code, 523);
    assert.match(answer.error, /bringing it back/);

    const refused = await new Client(survivor.url).reconnect<Ttt>(tokens[0]!).then(
      (room) => {
        void room.leave(true);
        return undefined;
      },
      (err: { code?: number; message?: string }) => err,
    );
    assert.ok(refused, "the reconnect is refused while the room has no process");
    assert.equal(refused.code, 523);
    assert.match(String(refused.message), /bringing it back/, "the route's own answer, not Colyseus's timeout");

    const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, survivor)));
    const [f, s] = back.map((b) => b.player) as [Seated<Ttt>, Seated<Ttt>];
    suite.track(f, s);
    await sameStateOnceAllBack([f, s], before);
    await tttMove(s, [f, s], 1, 0);
  });

  it("a reconnect (or a spectator's join by id) to a running room whose listing row is missing (a sweep deleting a row a restore had just written) is answered 523, try again, not 522: the web client takes 522 as the game's end; a room with no snapshot is 522", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    const [rid, secret] = first.token().split(":") as [string, string];
    const row = await suite.redis.hget("roomcaches", roomId);
    assert.ok(row, "the room is listed");
    await suite.redis.hdel("roomcaches", roomId);
    try {
      for (const p of suite.processes) {
        const raw = await fetch(`${p.url}/matchmake/reconnect/${rid}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ reconnectionToken: secret }) });
        assert.equal(raw.status, 523, `process ${p.port}: a room with its snapshot is not gone`);
        assert.equal(raw.headers.get("retry-after"), "1");
      }
      const gone = await fetch(`${suite.processes[1]!.url}/matchmake/reconnect/noSuchRoom1`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ reconnectionToken: secret }) });
      assert.equal(gone.status, 522, "a room with neither a row nor a snapshot is gone");
      // A spectator joining it again (the web client does, after its room moved) is told the same.
      const watch = (id: string) => fetch(`${suite.processes[1]!.url}/matchmake/joinById/${id}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ spectate: true }) });
      assert.equal((await watch(roomId)).status, 523, "a spectator's join: not gone either");
      assert.equal((await watch("noSuchRoom1")).status, 522, "a spectator's join of a room that is gone");
    } finally {
      await suite.redis.hset("roomcaches", roomId, row);
    }
    // The game goes on.
    await tttMove(second, [first, second], 1, 0);
  });

  it("a reconnect to a room whose process died and whose listing row the sweep removed, before any survivor took it over, is answered 523 (its snapshot is in Redis: it may come back), not 522", async () => {
    // The takeover waits a minute here, so the sweep's removal of the dead process's rows comes first.
    await start(2, { HA_DEAD_AFTER_MS: "60000" });
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    const owner = ownerOf(first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    const [rid, secret] = first.token().split(":") as [string, string];
    owner.kill("SIGKILL");
    await eventually(async () => !(await suite.redis.hget("roomcaches", roomId)), "the sweep removing the dead process's row", 15000);
    assert.equal(await suite.redis.exists(`ha:owner:${roomId}`), 1, "its snapshot is still in Redis (nobody took it over)");
    const raw = await fetch(`${survivor.url}/matchmake/reconnect/${rid}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ reconnectionToken: secret }) });
    assert.equal(raw.status, 523, "silent, unlisted, but saved: try again");
    assert.equal(raw.headers.get("retry-after"), "1");
  });

  it("SIGSTOP of the owner for 5 s, then SIGCONT: the room is restored once, the stalled copy closes itself (4412), and every player ends in the one live copy", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    await tttMove(second, [first, second], 1, 0);
    const owner = ownerOf(first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    const before = [first, second].map(snapshotOf);
    const tokens = [first.token(), second.token()];

    owner.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 5000));
    // (The owner is still stopped while this waits.)
    await survivor.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the survivor restored the room while the owner was stopped");
    owner.kill("SIGCONT");

    // The stalled copy finds it was superseded and closes its clients with 4412 (room moved).
    await Promise.all([first, second].map((p) => p.until(() => p.left !== undefined, "the stalled copy closing", 10000)));
    assert.deepEqual([first.left, second.left], [4412, 4412], "the stalled copy closes with 4412 (the room moved)");
    await owner.logged((l) => l.roomId === roomId && /taken over by another process/.test(l.msg), "the stalled process logs why it closed its copy");

    const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, survivor)));
    const [f, s] = back.map((b) => b.player) as [Seated<Ttt>, Seated<Ttt>];
    suite.track(f, s);
    for (const p of [f, s]) assert.equal(ownerOf(p.room, suite.processes), survivor);
    await sameStateOnceAllBack([f, s], before);

    // Exactly one live copy: the listing names the survivor, the stalled process disposed its copy.
    assert.equal(await listedOn(roomId), await processIdOf(survivor));
    await f.until(() => owner.logs().some((l) => l.roomId === roomId && l.msg === "room disposed"), "the stalled copy disposed", 5000).catch(() => undefined);
    assert.ok(owner.logs().some((l) => l.roomId === roomId && l.msg === "room disposed"), "the stalled copy is disposed");
    await finishTopRow(f, s);
    assert.equal(await listedOn(roomId), await processIdOf(survivor), "still listed on the survivor after the stalled copy is gone");
  });

  it("a stalled owner that wakes with a Redis call in flight (its connection times out as it wakes) shows its players nothing the live copy lacks: the move waiting in its socket is never seen, and they resume in the live copy", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    await tttMove(first, [first, second], 0, 0);
    const owner = ownerOf(first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    const before = [first, second].map((p) => Array.from(p.state.board).join(","));
    const tokens = [first.token(), second.token()];
    const changes: string[] = [];
    for (const p of [first, second]) p.room.onStateChange(() => changes.push(Array.from(p.state.board).join(",")));

    // Redis answers nothing for 700 ms: the owner's heartbeat and checks (every 250 ms) are in flight when it stops.
    await suite.redis.call("CLIENT", "PAUSE", "700", "ALL");
    await new Promise((r) => setTimeout(r, 400));
    owner.kill("SIGSTOP");
    // The second player's move waits in the stopped process's socket.
    second.send("make_move", { row: 1, col: 1 });
    await survivor.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the survivor restoring the room", 15000);
    changes.length = 0;
    owner.kill("SIGCONT");
    await Promise.all([first, second].map((p) => p.until(() => p.left !== undefined, "the stalled copy closing", 10000)));
    assert.deepEqual([first.left, second.left], [4412, 4412], "the stalled copy closes with 4412 (the room moved)");
    assert.deepEqual(changes, [], "its players saw no state from the stalled copy after it woke");
    await owner.logged((l) => /event loop stood still/.test(l.msg), "the stall is logged");

    const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, survivor)));
    const [f, s] = back.map((b) => b.player) as [Seated<Ttt>, Seated<Ttt>];
    suite.track(f, s);
    for (const p of [f, s]) assert.equal(Array.from(p.state.board).join(","), before[0], "the live copy's board is the one they last saw");
    assert.deepEqual(before[1], before[0]);
  });

  it("a stalled owner whose room was restored, played to its end and closed on the survivor meanwhile: woken with a move still in its socket, its copy leaves no row in the listing", async () => {
    await start(2);
    const { first, second, roomId } = await tttPair(suite.processes[0]!);
    for (const [p, row, col] of [[first, 0, 0], [second, 1, 0], [first, 0, 1], [second, 1, 1]] as const) await tttMove(p, [first, second], row, col);
    const owner = ownerOf(first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    const tokens = [first.token(), second.token()];

    owner.kill("SIGSTOP");
    // The winning move, on the old connection: it waits in the stalled process's socket.
    first.send("make_move", { row: 0, col: 2 });
    await survivor.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the survivor restoring the room", 15000);
    const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, survivor)));
    const [f, s] = back.map((b) => b.player) as [Seated<Ttt>, Seated<Ttt>];
    suite.track(f, s);
    // On the survivor the first player plays elsewhere, and the second completes the middle row.
    await tttMove(f, [f, s], 2, 2);
    await tttMove(s, [f, s], 1, 2);
    await f.until(() => f.state.winner === s.id, "the second player winning");
    await Promise.all([f, s].map((p) => p.room.leave(true)));
    await survivor.logged((l) => l.msg === "room disposed" && l.roomId === roomId, "the live copy closing", 10000);
    assert.equal(await listedOn(roomId), null, "the live copy's row is gone with it");

    // Redis holds its answers for 500 ms: the woken copy applies the move (its game ends, and
    // its listing row is written again) before it can learn that it was taken over.
    await suite.redis.call("CLIENT", "PAUSE", "500", "ALL");
    owner.kill("SIGCONT");
    await owner.logged((l) => l.roomId === roomId && l.msg === "room disposed", "the stalled copy disposed", 10000);
    assert.ok(owner.logs().some((l) => l.roomId === roomId && l.msg === "game over"), "the stalled copy applied the move before it knew");
    assert.ok(owner.logs().some((l) => l.roomId === roomId && /taken over by another process/.test(l.msg)), "the stalled copy knew it was taken over");
    // A few checks later: nothing lists a room that is gone, under its id or any other.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await listedOn(roomId), null, "no row left for the closed room");
    const rows = Object.keys(await suite.redis.hgetall("roomcaches")).filter((id) => id.startsWith(roomId));
    assert.deepEqual(rows, [], "nor any row named after it");
  });

  it("the owner cut off from Redis while its players still reach it: it answers the others directly, so its room is neither taken over nor dropped by a process started during the cut; its players play on, and once the network is back nothing they saw is taken back", async () => {
    // The owner reaches Redis through a proxy that can drop every byte; the survivor reaches it directly.
    const proxy = await silentProxy({ host: "127.0.0.1", port: Number(new URL(suite.redisUrl).port) });
    try {
      const owner = await startServer({ redisUrl: `redis://127.0.0.1:${proxy.port}`, env: ENV });
      suite.processes.push(owner);
      const { first, second, roomId } = await tttPair(owner);
      const [survivor] = await start(1); // after the room is made: it is the owner's
      const both = [first, second];
      await tttMove(first, both, 0, 0);
      await tttMove(second, both, 1, 0);

      proxy.cut();
      const cutAt = Date.now();
      await tttMove(first, both, 2, 2); // waits for its snapshot write's timeout (2 s), then goes out
      await tttMove(second, both, 1, 1);
      const seen = boardOf(first);
      const [F, S] = [first, second].map((p) => p.state.players.get(p.id)!.symbol);
      assert.deepEqual(seen, [F, "", "", S, S, "", "", "", F], "the moves of the cut landed for both players");
      await new Promise((r) => setTimeout(r, Math.max(0, cutAt + 6000 - Date.now())));
      assert.ok(!survivor!.logs().some((l) => l.msg === "room restored"), "the survivor did not restore a room whose process runs");
      const answersLine = (p: ServerProcess) => p.logs().filter((l) => typeof l.msg === "string" && l.msg.startsWith("process has no heartbeat but answers directly"));
      // The log is written asynchronously (pino, sync: false): wait for the line before counting.
      await eventually(() => answersLine(survivor!).length >= 1, "the survivor's line about the owner answering", 2000);
      assert.equal(answersLine(survivor!).length, 1, "the survivor says once why it leaves the process alone");
      const ownerId = await processIdOf(owner);
      assert.equal(answersLine(survivor!)[0]!.processId, ownerId);

      // Redis forgets the owner's subscriber (its connection timed out and was made again, into
      // the cut), and a process starts now: the owner looks like one that died before it started,
      // whose snapshots it would drop. It asks first, and leaves them.
      await eventually(async () => Number(((await suite.redis.pubsub("NUMSUB", `p:${ownerId}`)) as [string, number])[1]) === 0, "the owner's presence channel gone from Redis", 15000);
      const [late] = await start(1);
      await eventually(() => answersLine(late!).length === 1, "the process started during the cut finds the owner answering", 5000);
      assert.ok(!late!.logs().some((l) => /died before this one started/.test(l.msg ?? "")), "it dropped nothing");
      assert.equal(await suite.redis.exists(`ha:owner:${roomId}`), 1, "the room's owner key is still there");
      // The dead-process sweep (confirmation 1.5 s, then a check) asks it directly too, and
      // does not unlist its rooms. (Colyseus's own check at the late process's start-up does:
      // the owner lists them again once it reaches Redis and reads Colyseus's receipt, below.)
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(![survivor!, late!].some((p) => p.logs().some((l) => l.msg === "process gone: its rooms were removed from the listing")), "no sweep took it for gone");

      proxy.heal();
      await owner.logged((l) => l.msg === "snapshots resumed", '"snapshots resumed" on the owner', 20000);
      let stored: string[] | undefined;
      await eventually(
        async () => {
          const read = parseSnapshot(await suite.redis.hgetall(`ha:snap:${roomId}`));
          stored = read.ok ? (read.snapshot.game as { board: string[] }).board : undefined;
          return stored?.join() === seen.join();
        },
        "the board the players saw, in Redis",
        5000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}: stored ${JSON.stringify(stored)}`);
      });
      assert.deepEqual([first.left, second.left], [undefined, undefined], "nobody was moved to another copy");
      assert.ok(!owner.logs().some((l) => /taken over by another process/.test(l.msg ?? "")), "the owner's copy was never superseded");
      await eventually(async () => (await listedOn(roomId)) === ownerId, "the room listed on its owner again", 10000);
      // The game goes on where the players left it.
      await tttMove(first, both, 0, 1);
      await tttMove(second, both, 1, 2);
      await first.until(() => first.state.phase === "over", "the game over");
      assert.equal(first.state.winner, second.id, "O took the middle row, the moves of the cut included");
    } finally {
      await proxy.close();
    }
  });

  it("both suite.processes killed: nothing is restored; a process started later drops their snapshots, and the listing ends empty", async () => {
    const [A, B] = await start(2);
    const games = [await tttPair(A!), await tttPair(B!)];
    for (const g of games) await tttMove(g.first, [g.first, g.second], 0, 0);
    assert.ok((await suite.redis.keys("ha:snap:*")).length >= 2, "snapshots were written");
    A!.kill("SIGKILL");
    B!.kill("SIGKILL");
    const [C] = await start(1);
    await new Promise<void>((resolve, reject) => {
      const end = Date.now() + 10000;
      const poll = async () => {
        if ((await suite.redis.keys("ha:snap:*")).length === 0) return resolve();
        if (Date.now() > end) return reject(new Error("snapshots of the dead suite.processes were never dropped"));
        setTimeout(poll, 100);
      };
      void poll();
    });
    // The drop's line is logged after the snapshots are gone: wait for it, then nothing was restored before it.
    await C!.logged((l) => /died before this one started/.test(l.msg ?? ""), "the drop is logged");
    assert.ok(!C!.logs().some((l) => l.msg === "room restored"), "nothing restored");
    const listed = (await (await fetch(`${C!.url}/api/rooms?include=all`)).json()) as unknown[];
    assert.deepEqual(listed, [], "the listing is empty");
    const rows = Object.values(await suite.redis.hgetall("roomcaches")).map((r) => JSON.parse(r) as { name: string });
    assert.deepEqual(rows.filter((r) => r.name !== "lobby"), [], "no game room is left in Redis's listing");
    for (const g of games) {
      await assert.rejects(new Client(C!.url).reconnect(g.first.token()), "the dead games cannot be rejoined");
    }
  });

  it("a crashed process restarted at once, while a survivor is still taking its rooms over: the new process leaves them to the survivor instead of dropping them as left from before it started", async () => {
    const [owner] = await start(1);
    const { first, second, roomId } = await tttPair(owner!);
    // Started after the room is made (it is the owner's); slow to declare the owner dead (5 s), so that the restarted process is up first.
    const [survivor] = await start(1, { HA_DEAD_AFTER_MS: "5000" });
    await tttMove(first, [first, second], 0, 0);
    owner!.kill("SIGKILL");
    // The restarted process: its first heartbeat comes more than its HA_DEAD_AFTER_MS (1.5 s)
    // after the owner's last one, so the owner looks to it like a process that died before it started.
    await new Promise((r) => setTimeout(r, 1600));
    const [restarted] = await start(1);
    await survivor!.logged((l) => l.msg === "room restored" && l.roomId === roomId, "the survivor restores the room", 15000);
    // The restarted process's wait (3 × 1.5 s from its start) is over: it dropped nothing.
    await new Promise((r) => setTimeout(r, 5000));
    assert.ok(!restarted!.logs().some((l) => /died before this one started/.test(l.msg ?? "")), "the restarted process dropped nothing");
    assert.equal(await suite.redis.exists(`ha:snap:${roomId}`), 1, "the game's snapshot is there, the survivor's");
    assert.equal(await listedOn(roomId), await processIdOf(survivor!), "listed on the survivor");
  });

  it("three survivors: each room of the dead process is restored exactly once, and its players resume", async () => {
    await start(4);
    const games: Awaited<ReturnType<typeof tttPair>>[] = [];
    for (let i = 0; i < 6; i++) games.push(await tttPair(suite.processes[i % 4]!));
    const owners = games.map((g) => ownerOf(g.first.room, suite.processes));
    const victim = owners[0]!;
    const victims = games.filter((_, i) => owners[i] === victim);
    for (const g of victims) await tttMove(g.first, [g.first, g.second], 0, 0);
    victim.kill("SIGKILL");
    const survivors = suite.processes.filter((p) => p !== victim);
    for (const g of victims) {
      const back = await Promise.all([g.first.token(), g.second.token()].map((t) => resume<Ttt>(t, survivors[0]!)));
      suite.track(...back.map((b) => b.player));
      assert.equal(back[0]!.player.room.roomId, g.roomId);
    }
    for (const g of victims) {
      // The log is written asynchronously (pino, sync: false): wait for the restore's line before counting.
      await eventually(() => survivors.some((p) => p.logs().some((l) => l.msg === "room restored" && l.roomId === g.roomId)), `room ${g.roomId}'s restore line`, 2000);
      const restores = survivors.flatMap((p) => p.logs().filter((l) => l.msg === "room restored" && l.roomId === g.roomId));
      assert.equal(restores.length, 1, `room ${g.roomId} restored exactly once (got ${restores.length})`);
    }
  });

  it("a corrupt snapshot is skipped with an error log line; the survivor stays up and restores the others", async () => {
    await start(2);
    const games: Awaited<ReturnType<typeof tttPair>>[] = [];
    // Two games on one process: create until a process holds two.
    let pair: typeof games = [];
    for (let i = 0; i < 8 && pair.length < 2; i++) {
      games.push(await tttPair(suite.processes[i % 2]!));
      const byOwner = new Map<ServerProcess, typeof games>();
      for (const g of games) byOwner.set(ownerOf(g.first.room, suite.processes), [...(byOwner.get(ownerOf(g.first.room, suite.processes)) ?? []), g]);
      pair = [...byOwner.values()].find((gs) => gs.length >= 2) ?? [];
    }
    assert.equal(pair.length, 2, "two games on one process");
    const [bad, good] = pair as [(typeof games)[0], (typeof games)[0]];
    await tttMove(good.first, [good.first, good.second], 0, 0);
    await suite.redis.hset(`ha:snap:${bad.roomId}`, "g:board", '["X",'); // a field cut short
    const owner = ownerOf(bad.first.room, suite.processes);
    const survivor = suite.processes.find((p) => p !== owner)!;
    owner.kill("SIGKILL");
    const back = await Promise.all([good.first.token(), good.second.token()].map((t) => resume<Ttt>(t, survivor)));
    suite.track(...back.map((b) => b.player));
    await new Promise((r) => setTimeout(r, 200));
    const line = await survivor.logged((l) => l.roomId === bad.roomId && /snapshot unreadable/.test(l.msg ?? ""), "the corrupt snapshot is logged");
    assert.equal(line.level, 50, "at error level");
    assert.equal((await fetch(`${survivor.url}/health`)).status, 200, "the survivor is up");
    assert.equal(await suite.redis.exists(`ha:snap:${bad.roomId}`), 0, "the corrupt snapshot is dropped");
    await assert.rejects(new Client(survivor.url).reconnect(bad.first.token()), "the corrupt game cannot be resumed");
  });
});
