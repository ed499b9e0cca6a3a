/**
 * A player back on a new connection while the server still counts the old one (a phone whose
 * network changed): the old connection is asked with a ping, dropped if silent, and the seat
 * goes to the new one `SILENT_PROBE_MS` later (600 ms in these tests, 1 s by default), not once
 * the server's own pings have gone unanswered (6–9 s at the defaults). A live connection keeps its seat (src/rooms/silent-connection.ts).
 */
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { ClientState, CloseCode, ErrorCode, Protocol, type Client, type Room } from "@colyseus/core";
import { deferJoinAcks } from "../../src/ha/room-seats.js";
import type { BoardGameState } from "../../src/schema/BoardGameState.js";
import { answers, cutIfSilent, dropIfSilent, PROBE_PING } from "../../src/rooms/silent-connection.js";
import { dropConnection, eventually, quiet as sleep, quietReconnection, refusedWith, type Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { logMark, logsSince, TEST_ENV } from "../helpers/server.js";
import { socketPairs, tcpOf, tcpOfRoom } from "../helpers/sockets.js";

type Ttt = BoardGameState;
/** How long the test server's rooms wait for a ping's answer (SILENT_PROBE_MS). */
const SILENT_PROBE_MS = Number(TEST_ENV.SILENT_PROBE_MS);

/**
 * What the SDK does after a drop: a new WebSocket to the room's address with the seat's token
 * (`skipHandshake`). Resolves with the new token once the join frame comes (and acknowledges
 * it), or rejects with the close code if the server closes it first.
 */
function wsReconnection(p: Player<Ttt>, token = p.room.reconnectionToken.split(":")[1]!): { joined: Promise<string>; socket: WebSocket } {
  const url = new URL((p.room.connection as unknown as { url: string }).url);
  url.searchParams.set("reconnectionToken", token);
  url.searchParams.set("skipHandshake", "true");
  const socket = new WebSocket(url.toString());
  const joined = new Promise<string>((resolve, reject) => {
    socket.on("message", (data: Buffer) => {
      if (data[0] !== 10 /* JOIN_ROOM: [code, length, token…] */) return;
      socket.send(Buffer.from([10]));
      resolve(data.subarray(2, 2 + data[1]!).toString());
    });
    socket.on("close", (code) => reject(new Error(`closed (${code}) before the join came`)));
    socket.on("error", reject);
  });
  joined.catch(() => undefined);
  return { joined, socket };
}

/** The server logged that `sessionId` came back (onReconnect) since `mark`. */
const reconnectedSince = (mark: number, sessionId: string) => logsSince(mark).some((l) => l.msg === "reconnected" && l.sessionId === sessionId);
/** Lines since `mark` saying a connection that answered no ping was dropped. */
const droppedSince = (mark: number) => logsSince(mark).filter((l) => /answered no ping/.test(String(l.msg)));

describe("A player back on a new connection while the old one still counts (src/rooms/silent-connection.ts)", function () {
  this.timeout(20_000);
  const suite = roomSuite();
  const opened: Array<{ destroy(): void } | { terminate(): void }> = [];
  afterEach(() => {
    for (const o of opened.splice(0)) "destroy" in o ? o.destroy() : o.terminate();
  });

  /** A TicTacToe game whose player `a` then goes silent (her connection no longer read, so it never answers a ping); `mark` is taken before. */
  async function silentAda() {
    const { a, b } = await suite.startedTicTacToe();
    const mark = logMark();
    const tcp = tcpOfRoom(a.room);
    opened.push(tcp);
    tcp.pause();
    return { a, b, mark };
  }

  it("over the WebSocket (the SDK's own reconnection): the old connection, silent, is dropped and the new one takes the seat, the same session with the whole state, once SILENT_PROBE_MS (600 ms here) has passed: well within SEAT_RESERVATION_SECONDS (2 s here; the server's own pings would take 6–9 s)", async () => {
    const { a, b, mark } = await silentAda();
    const t0 = Date.now();
    const back = wsReconnection(a);
    opened.push(back.socket);
    // The server asks the old connection once the WebSocket is up (Colyseus checks the seat then).
    const upAt = new Promise<number>((resolve) => back.socket.once("open", () => resolve(Date.now())));
    const token = await back.joined;
    assert.ok(token.length > 0 && token !== a.room.reconnectionToken.split(":")[1], "a new token");
    await eventually(() => reconnectedSince(mark, a.id), "Ada's seat taken back");
    await eventually(() => b.state.players.get(a.id)?.connected === true && b.state.players.size === 2, "Ada's seat connected again, the game on");
    assert.equal(b.state.phase, "playing", "no forfeit");
    assert.ok(Date.now() - t0 < 2000 + SILENT_PROBE_MS, `back after ${Date.now() - t0} ms`);
    const dropped = droppedSince(mark);
    assert.deepEqual(dropped.map((l) => l.sessionId), [a.id], "the operator reads why the old connection went");
    const dropAfter = Number(dropped[0]!.time) - (await upAt);
    assert.ok(dropAfter >= SILENT_PROBE_MS - 50 && dropAfter < 950, `dropped ${dropAfter} ms after the reconnection's WebSocket was up: SILENT_PROBE_MS (${SILENT_PROBE_MS} here), not the default 1000`);
  });

  it("through the matchmaker (client.reconnect: a reloaded page): refused as expired (524) while the old connection still counts; a try about a second later takes the seat", async () => {
    const { a, b, mark } = await silentAda();
    const t0 = Date.now();
    await assert.rejects(suite.colyseus.sdk.reconnect(a.room.reconnectionToken), refusedWith(ErrorCode.MATCHMAKE_EXPIRED), "the old connection still counts");
    // Tries every 250 ms, as a client does; the seat comes back once the old connection is dropped.
    let room: Awaited<ReturnType<typeof suite.colyseus.sdk.reconnect>> | undefined;
    for (let tries = 0; !room; tries++) {
      assert.ok(Date.now() - t0 < 4000, `back within 4 s (the server's own pings take 6–9 s); ${tries} tries refused`);
      await sleep(250);
      room = await suite.colyseus.sdk.reconnect(a.room.reconnectionToken).catch(() => undefined);
    }
    opened.push({ destroy: () => void room!.leave(false) });
    assert.equal(room.sessionId, a.id, "the same seat");
    assert.ok(reconnectedSince(mark, a.id), "the server took Ada's seat back");
    await eventually(() => b.state.players.get(a.id)?.connected === true, "Ada connected again");
    assert.equal(b.state.phase, "playing", "no forfeit");
  });

  it("a WebSocket with a player's session id (public: it keys the state's players) but not their token asks nothing of their connection, silent or not: it is not pinged, not dropped", async () => {
    const { a, b, mark } = await silentAda();
    const pretender = wsReconnection(a, "not-the-token");
    opened.push(pretender.socket);
    await assert.rejects(pretender.joined, /closed/, "not let in");
    await sleep(SILENT_PROBE_MS + 300);
    assert.deepEqual(droppedSince(mark), [], "nothing dropped");
    assert.equal(b.state.players.get(a.id)?.connected, true, "Ada still counts as connected");
  });

  it("a live connection (it answers the ping) keeps its seat: a WebSocket reconnection with its token is not let in, the matchmaker answers 524, and nothing is dropped", async () => {
    const { a, b } = await suite.startedTicTacToe();
    const mark = logMark();
    const back = wsReconnection(a);
    opened.push(back.socket);
    await assert.rejects(back.joined, /closed/, "not let in while the player is connected");
    await assert.rejects(suite.colyseus.sdk.reconnect(a.room.reconnectionToken), refusedWith(ErrorCode.MATCHMAKE_EXPIRED));
    await sleep(SILENT_PROBE_MS + 200);
    assert.equal(a.left, undefined, "the player's connection stays");
    assert.equal(b.state.players.get(a.id)?.connected, true);
    assert.deepEqual(droppedSince(mark), [], "nothing dropped");
  });

  describe("a reconnection that never acknowledged its join (a phone whose network died again just as it came back)", () => {
    const url = () => `http://127.0.0.1:${suite.port}`;
    /**
     * Ada drops; her reconnection takes the seat back and is given a new token, then goes
     * quiet: it never acknowledges the join, and answers pings only if `answersPings`.
     */
    async function quietlyBack(answersPings: boolean) {
      const { a, b } = await suite.startedTicTacToe();
      a.room.reconnection.enabled = false;
      dropConnection(a.room);
      await b.until(() => b.state.players.get(a.id)?.connected === false, "Ada away");
      const mark = logMark();
      const quiet = await quietReconnection(url(), a.room.reconnectionToken, answersPings);
      opened.push(quiet.socket);
      const given = await quiet.given;
      let pinged = 0;
      quiet.socket.on("ping", (data: Buffer) => data.equals(PROBE_PING) && pinged++);
      await b.until(() => b.state.players.get(a.id)?.connected === true, "Ada's reconnection in her seat");
      return { a, b, mark, had: a.room.reconnectionToken, given, closed: quiet.closed.then(() => Date.now()), pings: () => pinged };
    }
    /** Lines since `mark` saying a quiet reconnection was cut on a probe. */
    const cutSince = (mark: number) => logsSince(mark).filter((l) => /never acknowledged its join: that one is cut/.test(String(l.msg)));

    /**
     * Takes Ada's seat back with `presented`, trying every 250 ms as a client does (a web
     * page falls back to client.reconnect once the SDK gives up); resolves how many tries
     * were refused, asserting she is back well before the join-ack deadline (5 s).
     */
    async function takeBack(a: Player<Ttt>, presented: string, over: "matchmaker" | "websocket"): Promise<number> {
      const t0 = Date.now();
      for (let tries = 0; ; tries++) {
        assert.ok(Date.now() - t0 < 4500, `back within 4.5 s, before the join-ack deadline (5 s); ${tries} tries refused`);
        if (tries > 0) await sleep(250);
        if (over === "websocket") {
          const ws = wsReconnection(a, presented.split(":")[1]!);
          opened.push(ws.socket);
          if (await ws.joined.then(() => true, () => false)) return tries;
          continue;
        }
        const room = await suite.colyseus.sdk.reconnect(presented).catch(() => undefined);
        if (room) {
          opened.push({ destroy: () => void room.leave(false) });
          assert.equal(room.sessionId, a.id, "the same seat");
          return tries;
        }
      }
    }

    /** The quiet reconnection was cut on the probe, its seat held, and it was dropped at once (not after the second a cut connection has to answer its close). */
    async function cutOnProbe(a: Player<Ttt>, b: Player<Ttt>, mark: number, closed: Promise<number>) {
      await eventually(() => reconnectedSince(mark, a.id) && b.state.players.get(a.id)?.connected === true, "Ada's seat taken back");
      assert.equal(b.state.phase, "playing", "no forfeit");
      const cuts = cutSince(mark);
      assert.deepEqual(cuts.map((l) => l.sessionId), [a.id], "the operator reads why the quiet reconnection went");
      assert.ok(logsSince(mark).some((l) => l.msg === "connection dropped; seat held" && l.cut === "no-ack" && l.sessionId === a.id), "its seat was held, as at the deadline");
      assert.equal(logsSince(mark).some((l) => l.msg === "reconnection not acknowledged in time; disconnecting"), false, "not the deadline's cut");
      const dropAfter = (await closed) - Number(cuts[0]!.time);
      assert.ok(dropAfter < 800, `the quiet reconnection's socket closed ${dropAfter} ms after the cut`);
    }

    for (const which of ["had", "given"] as const) {
      const token = which === "had" ? "the token it had (the join never reached the phone)" : "the token that reconnection was given";
      it(`silent: client.reconnect with ${token} is refused (524) at first, and a try about a second later takes the seat, not at the join-ack deadline (5 s)`, async () => {
        const { a, b, mark, had, given, closed } = await quietlyBack(false);
        const refused = await takeBack(a, which === "had" ? had : given, "matchmaker");
        assert.ok(refused >= 1, "refused while the quiet reconnection still holds the seat");
        await cutOnProbe(a, b, mark, closed);
      });
    }

    it("silent: the SDK's WebSocket reconnection with the token that reconnection was given waits, and is let in about a second later", async () => {
      const { a, b, mark, given, closed } = await quietlyBack(false);
      assert.equal(await takeBack(a, given, "websocket"), 0, "let in at the first try");
      await cutOnProbe(a, b, mark, closed);
    });

    it("silent: the SDK's WebSocket reconnection with the token it had is refused (4003: the SDK gives up; Colyseus lets only a connection's own token wait), and client.reconnect with it takes the seat, as the web page does next", async () => {
      const { a, b, mark, had, closed } = await quietlyBack(false);
      const ws = wsReconnection(a, had.split(":")[1]!);
      opened.push(ws.socket);
      await assert.rejects(ws.joined, new RegExp(`closed \\(${CloseCode.FAILED_TO_RECONNECT}\\)`));
      await takeBack(a, had, "matchmaker");
      await cutOnProbe(a, b, mark, closed);
    });

    it("once a reconnection acknowledged its join, the token it came back with is spent: presented again, it asks nothing of that connection, even silent", async () => {
      const { a, b } = await suite.startedTicTacToe();
      a.room.reconnection.enabled = false;
      dropConnection(a.room);
      await b.until(() => b.state.players.get(a.id)?.connected === false, "Ada away");
      const back = wsReconnection(a);
      opened.push(back.socket);
      await back.joined;
      await b.until(() => b.state.players.get(a.id)?.connected === true, "Ada back");
      const mark = logMark();
      tcpOf(back.socket).pause();
      await assert.rejects(suite.colyseus.sdk.reconnect(a.room.reconnectionToken), refusedWith(ErrorCode.MATCHMAKE_EXPIRED));
      await sleep(SILENT_PROBE_MS + 300);
      assert.deepEqual([...droppedSince(mark), ...cutSince(mark)], [], "nothing dropped");
      assert.equal(b.state.players.get(a.id)?.connected, true, "Ada's new connection still counts");
    });

    it("a token that is nobody's, presented while a reconnection is still joining, asks nothing of it", async () => {
      const { a, b, mark } = await quietlyBack(false);
      await assert.rejects(suite.colyseus.sdk.reconnect(`${a.room.roomId}:not-a-token`), refusedWith(ErrorCode.MATCHMAKE_EXPIRED));
      await sleep(SILENT_PROBE_MS + 300);
      assert.deepEqual(cutSince(mark), [], "nothing cut");
      assert.equal(b.state.players.get(a.id)?.connected, true, "the reconnection still holds the seat");
    });

    it("a first join that never acknowledged (it has no seat to hold: the join-ack deadline frees it): its token presented asks nothing of it", async () => {
      const room = await suite.colyseus.createRoom("tictactoe");
      await suite.join<Ttt>(room.roomId, { name: "Ada" });
      const res = await fetch(`${url()}/matchmake/joinById/${room.roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Mute" }) });
      const seat = (await res.json()) as { processId: string; roomId: string; sessionId: string };
      const mute = new WebSocket(`ws://127.0.0.1:${suite.port}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`, { autoPong: false });
      opened.push(mute);
      let pinged = 0;
      mute.on("ping", (data: Buffer) => data.equals(PROBE_PING) && pinged++);
      const token = await new Promise<string>((resolve) =>
        mute.on("message", (data: Buffer) => {
          if (data[0] === 10 /* JOIN_ROOM: [code, length, token…] */) resolve(data.subarray(2, 2 + data[1]!).toString());
        }),
      );
      const mark = logMark();
      await assert.rejects(suite.colyseus.sdk.reconnect(`${room.roomId}:${token}`), refusedWith(ErrorCode.MATCHMAKE_EXPIRED));
      await sleep(SILENT_PROBE_MS + 300);
      assert.equal(pinged, 0, "not asked");
      assert.equal(mute.readyState, WebSocket.OPEN, "not cut");
      assert.deepEqual(cutSince(mark), [], "nothing cut");
    });

    for (const [which, over] of [["had", "matchmaker"], ["given", "websocket"]] as const) {
      const how = over === "matchmaker" ? "client.reconnect with the token it had" : "the SDK's WebSocket reconnection with the token it was given";
      it(`cut at the join-ack deadline (it answers pings but never acknowledged): ${how}, within the second its close takes, drops it at once and takes the seat`, async () => {
        const { a, b, had, given, closed } = await quietlyBack(true);
        const deadline = logMark();
        await eventually(() => logsSince(deadline).some((l) => l.msg === "reconnection not acknowledged in time; disconnecting" && l.sessionId === a.id), "the join-ack deadline's cut", 8000);
        const presented = Date.now();
        await takeBack(a, which === "had" ? had : given, over);
        const closedAfter = (await closed) - presented;
        assert.ok(closedAfter < 500, `the cut connection's socket closed ${closedAfter} ms after the token came (a cut connection reads nothing, so its close takes a second)`);
        const lines = logsSince(deadline).filter((l) => /already cut: that connection is dropped at once/.test(String(l.msg)));
        assert.deepEqual(lines.map((l) => [l.sessionId, l.cut]), [[a.id, "no-ack"]], "the operator reads why it went at once");
        await eventually(() => reconnectedSince(deadline, a.id) && b.state.players.get(a.id)?.connected === true, "Ada's seat taken back");
        assert.equal(b.state.phase, "playing", "no forfeit");
      });
    }

    it("live (it answers pings; its acknowledgement is only late): it is asked, both tokens stay refused, and it keeps the seat", async () => {
      const { a, b, mark, had, given, pings } = await quietlyBack(true);
      for (const token of [had, given]) await assert.rejects(suite.colyseus.sdk.reconnect(token), refusedWith(ErrorCode.MATCHMAKE_EXPIRED));
      await sleep(SILENT_PROBE_MS + 300);
      assert.equal(pings(), 1, "it was asked (once: the tries share the probe, and its answer counts for 5 s)");
      assert.equal(b.state.players.get(a.id)?.connected, true, "the reconnection still holds the seat");
      assert.deepEqual(cutSince(mark), [], "nothing cut");
    });
  });

  describe("answers(socket, ms)", () => {
    const { pair } = socketPairs();

    it("true for a peer that answers the ping, false for one that reads nothing (after `ms`), false at once for a closed socket", async () => {
      const live = await pair();
      assert.equal(await answers(live.side, 500), true);
      const quiet = await pair();
      tcpOf(quiet.peer).pause();
      const t0 = Date.now();
      assert.equal(await answers(quiet.side, 300), false);
      assert.ok(Date.now() - t0 >= 290, "waited its time");
      quiet.side.terminate();
      await new Promise((r) => quiet.side.once("close", r));
      assert.equal(await answers(quiet.side, 300), false);
    });

    it("a message counts as an answer as well as a pong; tries that come together share one probe; an answer counts for PROBE_AGAIN_MS (no ping meanwhile); a socket closing meanwhile is no answer", async () => {
      const { side, peer } = await pair(false);
      const first = answers(side, 1000);
      assert.equal(answers(side, 1000), first, "one probe at a time per socket");
      await sleep(50);
      peer.send("still here");
      assert.equal(await first, true, "a message, with no pong");
      let pinged = 0;
      peer.on("ping", () => pinged++);
      assert.equal(await answers(side, 300), true, "answered just now");
      await sleep(100);
      assert.equal(pinged, 0, "and not pinged again");
      const other = await pair(false);
      const t0 = Date.now();
      const probe = answers(other.side, 2000);
      other.side.terminate();
      assert.equal(await probe, false, "closed");
      assert.ok(Date.now() - t0 < 1000, "as soon as it closed, not when the time was up");
    });

    it("leaves no listener behind, and a silent verdict is not remembered: the next probe asks again", async () => {
      const { side } = await pair(false);
      const tcp = tcpOf(side);
      const counts = () => [side.listenerCount("pong"), side.listenerCount("close"), tcp.listenerCount("data")];
      const before = counts();
      const probe = answers(side, 200);
      assert.deepEqual(counts(), before.map((n) => n + 1), "listening while it asks");
      assert.equal(await probe, false);
      assert.deepEqual(counts(), before, "and no more after");
      assert.equal(await answers(side, 200), false, "silent again, not taken for live");
    });

    it("an answer that arrived while the server was busy past the deadline is read before the verdict", async () => {
      const { side, peer } = await pair(false);
      const probe = answers(side, 50);
      peer.send("here"); // written to the kernel at once; unread by the server while it is held
      const until = Date.now() + 300;
      while (Date.now() < until); // the event loop held past the deadline
      assert.equal(await probe, true);
    });

    it("dropIfSilent: a silent connection is dropped, once, whatever the tries; a live one, or one with data still queued for it (a slow link), is not", async () => {
      const client = (ref: WebSocket) => ({ state: ClientState.JOINED, ref }) as unknown as Client;
      const drops: string[] = [];
      const failed = (err: unknown) => assert.fail(String(err));
      const quiet = await pair(false);
      const closed = new Promise((r) => quiet.side.once("close", r));
      for (let i = 0; i < 3; i++) dropIfSilent(client(quiet.side), () => drops.push("quiet"), failed, 200);
      const live = await pair();
      dropIfSilent(client(live.side), () => drops.push("live"), failed, 200);
      const slow = await pair(false);
      tcpOf(slow.peer).pause();
      const big = Buffer.alloc(1 << 20);
      for (let i = 0; i < 8 && slow.side.bufferedAmount === 0; i++) slow.side.send(big);
      assert.ok(slow.side.bufferedAmount > 0, "data queued for the slow peer");
      dropIfSilent(client(slow.side), () => drops.push("slow"), failed, 200);
      await closed;
      await sleep(300);
      assert.deepEqual(drops, ["quiet"]);
      assert.equal(live.side.readyState, WebSocket.OPEN);
      assert.equal(slow.side.readyState, WebSocket.OPEN);
    });

    it("dropIfSilent leaves alone a connection still joining (cutIfSilent's, or for a first join the join-ack deadline's), one whose player left meanwhile, and one that was replaced meanwhile", async () => {
      const drops: string[] = [];
      const failed = (err: unknown) => assert.fail(String(err));
      const joining = await pair(false);
      let pinged = 0;
      joining.peer.on("ping", () => pinged++);
      dropIfSilent({ state: ClientState.JOINING, ref: joining.side } as unknown as Client, () => drops.push("joining"), failed, 100);
      const leaving = await pair(false);
      const left = { state: ClientState.JOINED, ref: leaving.side } as unknown as Client;
      dropIfSilent(left, () => drops.push("left"), failed, 100);
      left.state = ClientState.LEAVING;
      const replaced = await pair(false);
      const moved = { state: ClientState.JOINED, ref: replaced.side } as unknown as Client & { ref: unknown };
      dropIfSilent(moved, () => drops.push("replaced"), failed, 100);
      moved.ref = (await pair()).side;
      await sleep(400);
      assert.deepEqual(drops, []);
      assert.equal(pinged, 0, "a connection still joining is not even asked");
      for (const s of [joining.side, leaving.side, replaced.side]) assert.equal(s.readyState, WebSocket.OPEN);
    });

    it("cutIfSilent cuts a silent connection still joining, once however often it is asked, and leaves alone one that answers, one that joined, one that joined meanwhile, one whose player left meanwhile, and one whose acknowledgement came (before or meanwhile) and waits for the room's snapshot", async () => {
      const cuts: string[] = [];
      const failed = (err: unknown) => assert.fail(String(err));
      const joining = (ref: WebSocket) => ({ state: ClientState.JOINING, ref }) as unknown as Client;
      const quiet = await pair(false);
      // The room's cut ends the connection (src/rooms/join-ack.ts, cutReconnection).
      const cut = () => {
        cuts.push("quiet");
        quiet.side.terminate();
      };
      for (let i = 0; i < 3; i++) cutIfSilent(joining(quiet.side), cut, failed, 100);
      cutIfSilent(joining((await pair()).side), () => cuts.push("answers"), failed, 200);
      const joinedSocket = await pair(false);
      let pinged = 0;
      joinedSocket.peer.on("ping", () => pinged++);
      cutIfSilent({ state: ClientState.JOINED, ref: joinedSocket.side } as unknown as Client, () => cuts.push("joined"), failed, 100);
      const acknowledged = joining((await pair(false)).side);
      cutIfSilent(acknowledged, () => cuts.push("acknowledged"), failed, 100);
      acknowledged.state = ClientState.JOINED;
      const leaving = joining((await pair(false)).side);
      cutIfSilent(leaving, () => cuts.push("left"), failed, 100);
      leaving.state = ClientState.LEAVING;
      // Acknowledged, the acknowledgement waiting behind the room's snapshot write (src/ha/room-seats.ts), before or while it is asked.
      const room = { _onMessage: () => undefined } as unknown as Room;
      deferJoinAcks(room, () => undefined);
      const ack = (c: Client) => (room as unknown as { _onMessage(c: Client, b: Buffer): void })._onMessage(c, Buffer.from([Protocol.JOIN_ROOM]));
      const waitingBefore = joining((await pair(false)).side);
      ack(waitingBefore);
      cutIfSilent(waitingBefore, () => cuts.push("waiting before"), failed, 100);
      const waitingMeanwhile = joining((await pair(false)).side);
      cutIfSilent(waitingMeanwhile, () => cuts.push("waiting meanwhile"), failed, 100);
      ack(waitingMeanwhile);
      await sleep(400);
      assert.deepEqual(cuts, ["quiet"]);
      assert.equal(pinged, 0, "a joined connection is dropIfSilent's: not even asked here");
    });
  });
});
