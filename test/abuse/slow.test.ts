/**
 * Slow clients (issue 13): a client whose socket stops being read (paused, not closed)
 * used to make the server queue everything sent to it. Now its unsent bytes are capped
 * (MAX_SEND_BUFFER_BYTES): past the cap it is cut (close code 4430), keeps its seat for
 * the reconnection window, and comes back with the whole state. Real server process.
 */
import assert from "node:assert/strict";
import { CLOSE_SLOW_CLIENT } from "../../src/protocol/errors.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { address, clientFrom, HonestGame, percentile, rssMb, startDefaultServer } from "../helpers/abuse.js";
import { eventually, Player, quiet } from "../helpers/clients.js";
import { stopAllServers } from "../helpers/cluster.js";
import { tcpOfRoom } from "../helpers/sockets.js";

type Ttt = BoardGameState;

/** The send-buffer cap of the server under test (the default is 512 KB). */
const CAP = 64 * 1024;

describe("Abuse: a client that stops reading (issue 13, slow clients)", function () {
  this.timeout(90000);
  afterEach(stopAllServers);

  it("is cut at the send-buffer cap, keeps its seat, and resumes with the whole state; the others never notice", async () => {
    const server = await startDefaultServer({
      MAX_SEND_BUFFER_BYTES: String(CAP),
      // Only the buffer cap may cut it here: pings (which a paused client cannot answer) wait.
      PING_INTERVAL_MS: "60000",
      // The clients below send as fast as the server answers, to make traffic.
      MESSAGES_PER_SECOND: "10000",
      MESSAGE_BURST: "10000",
      FLOOD_DISCONNECT_AFTER: "100000",
      MAX_FRAMES_PER_SECOND: "100000",
      FRAME_BURST: "100000",
    });
    const slow = new Player<Ttt>(await clientFrom(server, address(1)).create("tictactoe", { name: "Slow" }));
    const fast = new Player<Ttt>(await clientFrom(server, address(2)).joinById(slow.room.roomId, { name: "Fast" }));
    const spectators = await Promise.all([3, 4, 5, 6].map(async (n) => new Player<Ttt>(await clientFrom(server, address(n)).joinById(slow.room.roomId, { spectate: true }))));
    await fast.until(() => fast.state.phase === "playing", "the game to start");
    const honest = await HonestGame.start(server);
    // Warm-up: the same flood for a second while the page still reads (the latencies below
    // are those of a warm server).
    for (let i = 0; i < 100; i++) {
      for (let j = 0; j < 50; j++) slow.send("chat", "hello?");
      await quiet(10);
    }
    await slow.until(() => slow.all("error").length >= 5000, "the warm-up's answers", 10000);
    await honest.move();
    const rssBefore = rssMb(server);

    // The slow player's page stops reading its socket (a frozen tab, a stalled phone, or a
    // slow-read attack), but its messages still go out.
    slow.room.reconnection.minUptime = 0;
    const socket = tcpOfRoom(slow.room);
    socket.pause();
    const isCut = () => fast.state.players.get(slow.id)?.connected === false;
    const deadline = Date.now() + 60_000;

    // The game goes on (moves and rematches, decided from the fast player's view) and its
    // latency, as the fast player sees it, is measured.
    const inRoom: number[] = [];
    const play = (async () => {
      while (!isCut() && Date.now() < deadline) {
        const v = fast.state;
        const mover = v.currentTurn === fast.id ? fast : slow;
        const board = Array.from(v.board).join();
        const phase = v.phase;
        const t0 = performance.now();
        if (phase === "over") {
          fast.send("rematch");
          slow.send("rematch");
        } else if (phase === "playing") {
          const free = Array.from(v.board).findIndex((c) => c === "");
          mover.send("make_move", { row: Math.floor(free / 3), col: free % 3 });
        }
        await fast.until(() => Array.from(fast.state.board).join() !== board || fast.state.phase !== phase || isCut(), "the action to show", 5000);
        if (mover === fast || phase === "over") inRoom.push(performance.now() - t0);
      }
    })();
    // The traffic that fills its buffer: what it asks for (refused messages, each answered
    // with an error) and what the spectators flood the room with (refused too).
    let asked = 0;
    const flood = (async () => {
      while (!isCut() && Date.now() < deadline) {
        for (let i = 0; i < 100; i++) slow.send("chat", "hello?");
        for (const s of spectators) for (let i = 0; i < 10; i++) s.send("make_move", { row: 0, col: 0 });
        asked += 100;
        await quiet(10);
      }
    })();
    const latencies = await honest.playWhile(Promise.all([play, flood]));
    assert.ok(isCut(), "the server cut the client that stopped reading");
    const rssCut = rssMb(server);

    // The seat is held for the reconnection window: the fast player sees "away", not a forfeit.
    assert.equal(fast.state.players.size, 2, "the slow player still has the seat");
    assert.notEqual(fast.state.phase, "waiting");
    assert.equal(fast.left, undefined, "the fast player was not touched");
    for (const s of spectators) assert.equal(s.left, undefined, "spectators were not touched");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^connections_cut_total\{reason="slow"\} 1$/m, "the cut is counted, as slow");
    assert.ok(
      server.logs().some((l) => l.msg === "connection cut" && l.reason === "slow"),
      "the cut is logged with its reason",
    );

    // The page reads again: what was sent before the cut arrives, then the connection's end:
    // the close with its own code if the page read it within a second, else a plain drop
    // (the server destroys a socket that does not answer the close), after which the SDK
    // reconnects by itself. Either way the player comes back to the same seat with the
    // whole current state.
    let reconnected = false;
    slow.room.onReconnect(() => (reconnected = true));
    socket.resume();
    await eventually(() => reconnected || slow.left !== undefined, "the slow page to see its connection end", 15000);
    let back = slow;
    if (!reconnected) {
      assert.equal(slow.left, CLOSE_SLOW_CLIENT, "closed with the slow-client close code");
      back = new Player<Ttt>(await clientFrom(server, address(1)).reconnect(slow.room.reconnectionToken));
    }
    await fast.until(() => fast.state.players.get(slow.id)?.connected === true, "the slow player back", 10000);
    await back.until(() => Array.from(back.state.board).join() === Array.from(fast.state.board).join() && back.state.phase === fast.state.phase, "the same board as the others", 5000);
    assert.equal(back.id, slow.id, "the same session, the same seat");
    // And it plays on: its next move (or the fast player's) reaches everyone.
    const marks = () => Array.from(fast.state.board).filter((c) => c !== "").length;
    if (fast.state.phase === "playing") {
      const before = marks();
      const mover = fast.state.currentTurn === fast.id ? fast : back;
      const free = Array.from(fast.state.board).findIndex((c) => c === "");
      mover.send("make_move", { row: Math.floor(free / 3), col: free % 3 });
      await back.until(() => Array.from(back.state.board).filter((c) => c !== "").length > before, "a move after the return", 5000);
    }

    console.log(
      `      came back ${reconnected ? "by the SDK's own reconnection after a drop" : "with its token after close code 4430"}; cut after ${asked} refused asks; server RSS ${rssBefore.toFixed(0)} → ${rssCut.toFixed(0)} MB; ` +
        `in-room moves p99 ${percentile(inRoom, 99).toFixed(1)} ms over ${inRoom.length}; honest game elsewhere p95 ${percentile(latencies, 95).toFixed(1)} ms over ${latencies.length}`,
    );
    // Bounded: the server's memory is back within 40 MB of before once the flood is over. Right
    // after the burst it may still hold the burst's garbage (V8 returns memory after a GC, on
    // its own schedule: one CI run read 168 → 256 MB at the cut on a loaded machine).
    let rss = rssCut;
    await eventually(() => (rss = rssMb(server)) - rssBefore < 40, () => `memory bounded: ${rssBefore.toFixed(0)} MB before, ${rssCut.toFixed(0)} at the cut, ${rss.toFixed(0)} now`, 20_000);
    // ~60 moves: p95 (p99 would be the one slowest move, with this test's own client flood
    // sharing the test process).
    assert.ok(percentile(latencies, 95) < 50, "an honest game elsewhere kept its move latency");
    assert.ok(percentile(inRoom, 99) < 50, "the other player in the room kept its move latency");
    await honest.leave();
    await back.room.leave(true);
  });
});
