/**
 * Issue 18, findings 2 and 5: frames Colyseus answers itself (ping, request) used to
 * bypass every rate limit, and a socket that never acknowledged its join made the server
 * queue every reply for it. Real server process at its default limits, raw WebSockets.
 */
import assert from "node:assert/strict";
import net from "node:net";
import WebSocket from "ws";
import { Protocol } from "@colyseus/core";
import { CLOSE_FLOODING, CLOSE_NO_JOIN_ACK } from "../../src/protocol/errors.js";
import { refusedFrame } from "../../src/transport.js";
import { clientFrom, HonestGame, percentile, rssMb, startDefaultServer, address } from "../helpers/abuse.js";
import { eventually } from "../helpers/clients.js";
import { stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { metric } from "../helpers/match-records.js";
import { tcpOf } from "../helpers/sockets.js";

interface Reservation {
  sessionId: string;
  roomId: string;
  processId: string;
}

async function reserve(server: ServerProcess, method: string, target: string, body: Record<string, unknown>, from: string): Promise<Reservation> {
  const res = await fetch(`${server.url}/matchmake/${method}/${target}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `reservation ${method}/${target}: ${await res.clone().text()}`);
  return (await res.json()) as Reservation;
}

/** A raw socket on a reservation: it speaks only when told to (no join acknowledgement). */
function rawSocket(server: ServerProcess, r: Reservation | undefined, from: string): Promise<WebSocket> {
  const path = r ? `/${r.processId}/${r.roomId}?sessionId=${r.sessionId}` : "/";
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers: { "X-Forwarded-For": from } });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/**
 * A server at its defaults, and the raw socket of a new TicTacToe room's host from `from`,
 * its join acknowledged; `collect(keep)` gathers the frames `keep` accepts from now on.
 */
async function rawHost(from: string, env: Record<string, string> = {}) {
  const server = await startDefaultServer(env);
  const ws = await rawSocket(server, await reserve(server, "create", "tictactoe", { name: "Host" }, from), from);
  ws.send(Uint8Array.of(Protocol.JOIN_ROOM));
  const collect = (keep: (data: Buffer) => boolean): Buffer[] => {
    const kept: Buffer[] = [];
    ws.on("message", (data: Buffer) => void (keep(data) && kept.push(data)));
    return kept;
  };
  return { server, ws, collect };
}

/** Resolves with the close code once the socket is closed (or rejects after `ms`). */
function closed(ws: WebSocket, ms: number): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
    ws.once("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Sends `frame` as fast as the socket takes it until it closes or `ms` pass; how many were sent. */
async function flood(ws: WebSocket, frame: Uint8Array, ms: number): Promise<number> {
  let sent = 0;
  const until = Date.now() + ms;
  while (ws.readyState === WebSocket.OPEN && Date.now() < until) {
    for (let i = 0; i < 200 && ws.readyState === WebSocket.OPEN; i++, sent++) ws.send(frame);
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

/** A server at its defaults with an honest game to time, and a TicTacToe room whose host (from `from`) is a raw socket: the room the attackers join. */
async function attackScene(from: string) {
  const server = await startDefaultServer();
  const game = await HonestGame.start(server);
  const host = await reserve(server, "create", "tictactoe", { name: "Host" }, from);
  const hostSocket = await rawSocket(server, host, from);
  return { server, game, host, hostSocket };
}

/**
 * After an attack: the honest game timed meanwhile kept moving, its move p99 under 50 ms, and
 * the attacked room's own player was not touched (its socket is closed here); `sent` is logged.
 */
function honestGameKept(latencies: number[], hostSocket: WebSocket, sent: string) {
  console.log(`      ${sent}; honest moves p99 ${percentile(latencies, 99).toFixed(1)} ms over ${latencies.length}`);
  assert.ok(latencies.length >= 5, `the honest game kept moving (${latencies.length} moves)`);
  assert.ok(percentile(latencies, 99) < 50, `honest move latency p99 ${percentile(latencies, 99).toFixed(1)} ms < 50 ms`);
  assert.equal(hostSocket.readyState, WebSocket.OPEN, "the room's own player was not touched");
  hostSocket.terminate();
}

/** A masked client frame (mask 0: the payload as is): `first` is FIN, RSV and opcode. */
function maskedFrame(first: number, payload: Buffer): Buffer {
  const length = payload.length < 126 ? [0x80 | payload.length] : [0x80 | 126, payload.length >> 8, payload.length & 255];
  return Buffer.concat([Buffer.from([first, ...length, 0, 0, 0, 0]), payload]);
}

/**
 * A WebSocket peer on a bare TCP socket, upgraded on `/` (no room): it answers nothing (not
 * even a close), writes only what the test writes, and reads whatever comes (`reads`) or,
 * from the upgrade on, nothing.
 */
function barePeer(server: ServerProcess, from: string, reads: boolean): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1", () => {
      socket.setNoDelay(true);
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${Buffer.from("0123456789abcdef").toString("base64")}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: ${from}\r\n\r\n`,
      );
    });
    let head = "";
    const onHead = (d: Buffer) => {
      head += d.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onHead);
      if (reads) socket.on("data", () => undefined);
      else socket.pause();
      if (head.startsWith("HTTP/1.1 101")) resolve(socket);
      else reject(new Error(`not upgraded: ${head.split("\r\n")[0]}`));
    };
    socket.on("data", onHead);
    socket.once("error", reject);
  });
}

describe("Abuse: protocol frames and unacknowledged joins (issue 18, findings 2 and 5)", function () {
  this.timeout(60000);
  afterEach(stopAllServers);

  it("cuts a socket flooding ping or request frames, while a game elsewhere keeps its move latency", async () => {
    const { server, game, host, hostSocket } = await attackScene(address(1));

    // The game is timed for the whole attack, and for at least two seconds.
    const attack = (async () => {
      const minimum = new Promise((r) => setTimeout(r, 2000));
      const results: { code: number; sent: number }[] = [];
      // A spectator's socket (finding 2's case), a socket with no room at all, and request frames.
      for (const [frame, target] of [
        [Uint8Array.of(Protocol.PING), "spectator"],
        [Uint8Array.of(Protocol.PING), "no room"],
        [Uint8Array.of(Protocol.ROOM_REQUEST, 1, 0xa3, 0x61, 0x62, 0x63), "spectator"],
      ] as const) {
        const r = target === "spectator" ? await reserve(server, "joinById", host.roomId, { spectate: true }, address(2)) : undefined;
        const ws = await rawSocket(server, r, address(2));
        const done = closed(ws, 5000);
        const sent = await flood(ws, frame, 3000);
        results.push({ code: await done, sent });
      }
      await minimum;
      return results;
    })();
    const latencies = await game.playWhile(attack);
    const results = await attack;

    for (const { code } of results) assert.equal(code, CLOSE_FLOODING, "the flooding socket is cut with 4429");
    honestGameKept(latencies, hostSocket, `frames sent before the cut: ${results.map((r) => r.sent).join(", ")}`);
    await game.leave();
  });

  it("request frames of a type no room handles, at 30 a second (under the 60-a-second frame budget), are held to the game messages' limit: cut with 4429 instead of each answered for ever", async () => {
    const server = await startDefaultServer();
    const host = await reserve(server, "create", "tictactoe", { name: "Host" }, address(3));
    const hostSocket = await rawSocket(server, host, address(3));
    const r = await reserve(server, "joinById", host.roomId, { spectate: true }, address(4));
    const ws = await rawSocket(server, r, address(4));
    ws.send(Uint8Array.of(Protocol.JOIN_ROOM));
    let answers = 0;
    ws.on("message", (data: Buffer) => {
      if (data[0] === Protocol.ROOM_RESPONSE) answers++;
    });
    // A 1.5 KB type name: Colyseus's answer echoes it.
    const type = "t".repeat(1500);
    const frame = Buffer.concat([Buffer.from([Protocol.ROOM_REQUEST, 1, 0xda, type.length >> 8, type.length & 255]), Buffer.from(type)]);
    const done = closed(ws, 8000);
    let sent = 0;
    while (ws.readyState === WebSocket.OPEN && sent < 150) {
      ws.send(frame);
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 33));
    }
    assert.equal(await done, CLOSE_FLOODING, `cut (after ${sent} requests, ${answers} answered)`);
    assert.ok(sent <= 60, `cut after ${sent} requests (a burst of 20, then 10 a second)`);
    assert.equal(hostSocket.readyState, WebSocket.OPEN, "the room's player was not touched");
    hostSocket.terminate();
  });

  it("request frames (this server's rooms take none) are each answered UNKNOWN_ACTION by the room: a broken payload gets no decoder text and writes no error log, a game message sent as a request is not played; the connection stays", async () => {
    const { server, ws, collect } = await rawHost(address(8));
    const responses = collect((data) => data[0] === Protocol.ROOM_RESPONSE);
    await new Promise((r) => setTimeout(r, 300));
    const logLinesBefore = server.logs().length;
    const text = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];
    // Request 5: type "abc" with a payload msgpack cannot read (0xc1 is never used); request 6:
    // a game message ("rematch", no payload) sent as a request.
    ws.send(Buffer.from([Protocol.ROOM_REQUEST, 5, ...text("abc"), 0xc1]));
    ws.send(Buffer.from([Protocol.ROOM_REQUEST, 6, ...text("rematch")]));
    await eventually(() => responses.length === 2, "both requests answered", 3000);
    for (const [i, id] of [5, 6].entries()) {
      const r = responses[i]!;
      assert.deepEqual([r[1], r[2]], [id, 2], `request ${id}: answered, status ERROR`);
      assert.ok(r.includes(Buffer.from("UNKNOWN_ACTION")), `request ${id}: code UNKNOWN_ACTION`);
      assert.ok(!r.includes(Buffer.from("MessagePack")), `request ${id}: no decoder text`);
    }
    await new Promise((r) => setTimeout(r, 200));
    const lines = server.logs().slice(logLinesBefore);
    assert.deepEqual(lines.filter((l) => Number(l.level) >= 50).map((l) => l.msg), [], "no error-level log line");
    assert.ok(!lines.some((l) => l.msg === "rejected" || l.code !== undefined), "the game message sent as a request reached no handler");
    assert.equal(ws.readyState, WebSocket.OPEN, "the connection stays");
    ws.terminate();
  });

  it("a message whose type is not valid UTF-8 is answered UNKNOWN_ACTION like any unknown type, and writes nothing to stderr; the connection stays", async () => {
    const { server, ws, collect } = await rawHost(address(9));
    const answers = collect((data) => data[0] === Protocol.ROOM_DATA && data.includes(Buffer.from("UNKNOWN_ACTION")));
    await new Promise((r) => setTimeout(r, 300));
    // Types of 3 bytes that are no UTF-8 (a lone continuation byte, 0xff), with and without a
    // payload, as a message and as a bytes message; then one of 40 such bytes (str 8).
    ws.send(Buffer.from([Protocol.ROOM_DATA, 0xa3, 0x80, 0x41, 0x42]));
    ws.send(Buffer.from([Protocol.ROOM_DATA, 0xa3, 0xff, 0xfe, 0xfd, 0x01]));
    ws.send(Buffer.from([Protocol.ROOM_DATA_BYTES, 0xa3, 0xc3, 0x28, 0x41, 0x01, 0x02]));
    ws.send(Buffer.from([Protocol.ROOM_DATA, 0xd9, 40, ...Array<number>(40).fill(0xbf)]));
    await eventually(() => answers.length === 4, "each answered UNKNOWN_ACTION", 3000);
    // A type that is valid UTF-8 but not ASCII is still named in the answer.
    ws.send(Buffer.from([Protocol.ROOM_DATA, 0xa2, ...Buffer.from("ü")]));
    await eventually(() => answers.length === 5, "the fifth answered", 3000);
    assert.ok(answers[4]!.includes(Buffer.from("ü")), "the readable type is named");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(server.stderr(), "", "nothing on stderr");
    assert.equal(ws.readyState, WebSocket.OPEN, "the connection stays");
    ws.terminate();
  });

  it("a WebSocket path naming a room id that is a member of Object.prototype (constructor, __proto__, toString) is refused at the upgrade with 404: no internal error text, no error log", async () => {
    const server = await startDefaultServer();
    const before = server.logs().length;
    for (const id of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const outcome = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/anyprocess/${id}?sessionId=abc`, { headers: { "X-Forwarded-For": address(9) } });
        const got: string[] = [];
        ws.on("unexpected-response", (_req, res) => {
          resolve(`refused ${res.statusCode}`);
          ws.terminate();
        });
        ws.on("message", (d: Buffer) => got.push(d.toString("latin1")));
        ws.on("close", (code) => resolve(`closed ${code}: ${got.join(" ")}`));
        ws.on("error", () => undefined);
      });
      assert.equal(outcome, "refused 404", `${id}: ${outcome}`);
    }
    // Paths that name the same room once normalised, as the transport reads them (a client
    // library would normalise them itself: these are written raw).
    for (const path of ["/p/./constructor", "/p/x/../constructor", "/p/constructor#", "/p\\constructor", "/p/%2E/__proto__"]) {
      const status = await new Promise<string>((resolve) => {
        const socket = net.connect(server.port, "127.0.0.1", () => {
          socket.write(
            `GET ${path}?sessionId=abc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              `Sec-WebSocket-Key: ${Buffer.from("0123456789abcdef").toString("base64")}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: ${address(9)}\r\n\r\n`,
          );
        });
        let head = "";
        socket.on("data", (d: Buffer) => {
          head += d.toString("latin1");
          if (head.includes("\r\n")) {
            resolve(head.split("\r\n")[0]!);
            socket.destroy();
          }
        });
        socket.on("error", () => resolve("error"));
        socket.on("close", () => resolve(head.split("\r\n")[0] || "closed"));
      });
      assert.match(status, / 404 /, `${path}: ${status}`);
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(server.logs().slice(before).filter((l) => Number(l.level) >= 50).map((l) => l.msg), [], "no error-level log line");
  });

  it("WebSocket protocol errors from 60 addresses at once are counted as cuts (bad-frame) and logged as one warning a second, with no error line and no stack (each used to make Colyseus log an error line with its stack)", async () => {
    const server = await startDefaultServer();
    const sockets = await Promise.all(Array.from({ length: 60 }, (_, i) => rawSocket(server, undefined, address(100 + i))));
    const before = server.logs().length;
    // A masked binary frame with RSV2 set (no extension allows it): the server's socket errors.
    const bad = Buffer.from([0xa2, 0x80, 1, 2, 3, 4]);
    for (const ws of sockets) tcpOf(ws).write(bad);
    const codes = await Promise.all(sockets.map((ws) => closed(ws, 5000)));
    assert.deepEqual(new Set(codes), new Set([1002]), "each is closed as a protocol error");
    assert.equal(await metric(server, 'connections_cut_total{reason="bad-frame"}'), 60, "every one is counted");
    assert.equal(await metric(server, 'connections_cut_total{reason="too-big"}'), 0);
    assert.equal(await metric(server, 'log_lines_suppressed_total{source="colyseus"}'), 0, "Colyseus had nothing to log");
    await server.logged((l) => l.msg === "connection cut", "the cut's warning");
    const lines = server.logs().slice(before);
    assert.deepEqual(lines.filter((l) => Number(l.level) >= 50), [], "no error line");
    const cuts = lines.filter((l) => l.msg === "connection cut");
    assert.ok(cuts.length >= 1 && cuts.length <= 2, `one warning a second (${cuts.length}: two if the burst straddles a second)`);
    for (const l of cuts) assert.deepEqual([l.level, l.reason, l.code, l.stack], [40, "bad-frame", "WS_ERR_UNEXPECTED_RSV_2_3", undefined]);
    assert.match(String(cuts[0]!.ip), /^10\./, "with the sender's address");
  });

  it("a message over MAX_MESSAGE_BYTES closes its socket with 1009, counted as a cut (too-big) and logged as a warning with the address, not as an error with a stack; the game goes on", async () => {
    const { server, ws } = await rawHost(address(7));
    const before = server.logs().length;
    const honest = await HonestGame.start(server);
    ws.send(Buffer.alloc(2048 + 1));
    assert.equal(await closed(ws, 5000), 1009);
    await honest.move();
    assert.equal(await metric(server, 'connections_cut_total{reason="too-big"}'), 1, "the cut is counted, as too-big");
    assert.equal(await metric(server, 'connections_cut_total{reason="bad-frame"}'), 0);
    const cut = await server.logged((l) => l.msg === "connection cut", "the cut's warning");
    assert.deepEqual([cut.level, cut.reason, cut.ip, cut.code], [40, "too-big", address(7), "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"]);
    assert.deepEqual(server.logs().slice(before).filter((l) => Number(l.level) >= 50), [], "no error line");
  });

  it("WebSocket control frames count against the frame budget: a flood of pings, or of pongs, is cut with 4429 (flood) while an honest game keeps its latency (until 2026-12-06 neither was counted: the server answered every ping, and a pong flood held most of a core)", async () => {
    const { server, game, host, hostSocket } = await attackScene(address(29));
    const attack = (async () => {
      const results: Record<string, { code: number; sent: number }> = {};
      for (const kind of ["ping", "pong"] as const) {
        const ws = await rawSocket(server, await reserve(server, "joinById", host.roomId, { spectate: true }, address(30)), address(30));
        const done = closed(ws, 5000);
        const payload = Buffer.alloc(16, 1);
        let sent = 0;
        const until = Date.now() + 3000;
        while (ws.readyState === WebSocket.OPEN && Date.now() < until) {
          for (let i = 0; i < 200 && ws.readyState === WebSocket.OPEN; i++, sent++) ws[kind](payload);
          await new Promise((r) => setImmediate(r));
        }
        results[kind] = { code: await done, sent };
      }
      return results;
    })();
    const latencies = await game.playWhile(attack);
    const results = await attack;
    for (const [kind, { code, sent }] of Object.entries(results)) assert.equal(code, CLOSE_FLOODING, `the ${kind} flood is cut with 4429 (after ${sent} sent)`);
    assert.equal(await metric(server, 'connections_cut_total{reason="flood"}'), 2, "both counted as floods");
    honestGameKept(latencies, hostSocket, `control frames sent before the cut: ${Object.values(results).map((r) => r.sent).join(", ")}`);
    await game.leave();
  });

  it("pings within the frame budget are answered, but not to a peer that reads nothing: once the answers queued for it pass MAX_SEND_BUFFER_BYTES it is cut as slow (ws dropped it after 60 unsent answers, with no reason counted)", async () => {
    const { server, ws } = await rawHost(address(34), { MAX_SEND_BUFFER_BYTES: "4096", MAX_FRAMES_PER_SECOND: "100000", FRAME_BURST: "1000000" });
    const pongs: Buffer[] = [];
    ws.on("pong", (data: Buffer) => pongs.push(data));
    ws.ping(Buffer.from("first"));
    await eventually(() => pongs.length === 1, "a ping answered", 3000);
    assert.equal(pongs[0]!.toString(), "first", "with its own payload");
    // Now it reads nothing, and pings as fast as it can: the answers fill the socket buffers, then the server's queue.
    tcpOf(ws).pause();
    const payload = Buffer.alloc(125, 7);
    let sent = 0;
    const until = Date.now() + 10_000;
    while (Date.now() < until && ws.readyState === WebSocket.OPEN && (await metric(server, 'connections_cut_total{reason="slow"}')) === 0) {
      for (let i = 0; i < 20_000; i++, sent++) ws.ping(payload);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await metric(server, 'connections_cut_total{reason="slow"}'), 1, `cut as slow (after ${sent} pings)`);
    assert.equal(await metric(server, 'connections_cut_total{reason="flood"}'), 0);
    ws.terminate();
  });

  it("a message in up to 16 fragments is read as one message (answered); one in 17 is refused with 1008, counted as bad-frame (ws allowed 16,384 fragments, each one an empty frame if the sender liked, for one message's place in the budget)", async () => {
    const { server, ws, collect } = await rawHost(address(31));
    const answers = collect((data) => data.length === 1 && data[0] === Protocol.PING);
    // The room answers a PING with a PING; this one's first fragment holds the byte.
    const inFragments = (n: number) => {
      ws.send(Uint8Array.of(Protocol.PING), { fin: n === 1, binary: true });
      for (let i = 2; i <= n; i++) ws.send(Buffer.alloc(0), { fin: i === n, binary: true });
    };
    inFragments(16);
    await eventually(() => answers.length === 1, "the message in 16 fragments answered", 3000);
    assert.equal(ws.readyState, WebSocket.OPEN);
    const done = closed(ws, 5000);
    inFragments(17);
    assert.equal(await done, 1008, "closed: too many fragments");
    assert.equal(answers.length, 1, "the message in 17 fragments was never read");
    assert.equal(await metric(server, 'connections_cut_total{reason="bad-frame"}'), 1, "counted as a bad frame");
  });

  it("a message dripped a byte per TCP segment is cut with 4429 before it is whole: the socket's reads count against the frame budget too", async () => {
    // A small budget (5 a second, 10 at once), so that no pace this test's timers keep can stay under it.
    // No server pings: the client's ws answers one with a pong written between two of the
    // dripped bytes, which breaks the frame (CI, 2026-12-07: closed 1009 after 4 bytes, a
    // pong's bytes read as the frame's length).
    const { server, ws, collect } = await rawHost(address(32), { MAX_FRAMES_PER_SECOND: "5", FRAME_BURST: "10", PING_INTERVAL_MS: "0" });
    const answers = collect((data) => data.length === 1 && data[0] === Protocol.PING);
    const done = closed(ws, 15_000);
    const raw = tcpOf(ws);
    // One PING message of 1,000 bytes (under MAX_MESSAGE_BYTES): 1,008 bytes, a read each.
    const frame = maskedFrame(0x82, Buffer.alloc(1000, Protocol.PING));
    let sent = 0;
    for (; sent < frame.length && ws.readyState === WebSocket.OPEN; sent++) {
      raw.write(frame.subarray(sent, sent + 1));
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(await done, CLOSE_FLOODING, `cut after ${sent} bytes`);
    assert.ok(sent < frame.length, `cut before the message was whole (${sent} of ${frame.length} bytes written)`);
    assert.equal(answers.length, 0, "the message never reached the room");
    assert.equal(await metric(server, 'connections_cut_total{reason="flood"}'), 1);
  });

  it("a peer that sends a frame the library refuses, then reads nothing and goes on sending, is dropped once its reads pass the budget (ws waited 30 s for its close, reading all it sent)", async () => {
    const server = await startDefaultServer();
    const peer = await barePeer(server, address(33), false);
    // It reads nothing, so it learns of the drop only when a write of its own is refused.
    const gone = new Promise<number>((resolve) => peer.once("close", () => resolve(Date.now())));
    peer.on("error", () => undefined);
    const t0 = Date.now();
    // RSV2 set: refused (1002). Then it sends 32 MB (the server's socket buffers hold a few),
    // and pings every 20 ms, and never a close.
    peer.write(maskedFrame(0xa2, Buffer.alloc(0)));
    const junk = Buffer.alloc(64 * 1024, 0x89);
    for (let i = 0; i < 512; i++) peer.write(junk);
    const chatter = setInterval(() => peer.writable && peer.write(maskedFrame(0x89, Buffer.from("hi"))), 20);
    try {
      await new Promise((r) => setTimeout(r, 500));
      // Read to the end, it would be gone at once (loopback moves gigabytes a second).
      assert.ok(peer.destroyed || peer.writableLength > 16 * 1024 * 1024, `the server stopped reading: ${(peer.writableLength / 1048576).toFixed(1)} MB of 32 still unsent after 500 ms`);
      const at = await Promise.race([gone, new Promise<number>((r) => setTimeout(() => r(NaN), 5000))]);
      assert.ok(at - t0 < 3000, `dropped ${at - t0} ms after its refused frame (ws's own wait: 30 s)`);
    } finally {
      clearInterval(chatter);
      peer.destroy();
    }
    assert.equal(await metric(server, 'connections_cut_total{reason="bad-frame"}'), 1);
  });

  it("a peer that sends a frame the library refuses, then neither reads nor sends anything, holds its place under the per-address cap 5 s (CLOSE_TIMEOUT_MS), not 30 s", async function () {
    this.timeout(30000);
    const server = await startDefaultServer({ MAX_CONNECTIONS_PER_IP: "1" });
    const peer = await barePeer(server, address(35), false);
    peer.on("error", () => undefined);
    const t0 = Date.now();
    peer.write(maskedFrame(0xa2, Buffer.alloc(0)));
    // The address's one place is taken until the server drops the socket: a new connection
    // is refused (429) until then. Asked every 500 ms (under 60 new connections a minute).
    let next: WebSocket | undefined;
    while (!next && Date.now() - t0 < 12_000) {
      next = await rawSocket(server, undefined, address(35)).catch(() => undefined);
      if (!next) await new Promise((r) => setTimeout(r, 500));
    }
    const took = Date.now() - t0;
    next?.terminate();
    peer.destroy();
    assert.ok(next, "the address's place came back");
    assert.ok(took >= 4000 && took < 8000, `its place came back ${took} ms after the refused frame (CLOSE_TIMEOUT_MS 5000)`);
    assert.equal(await metric(server, 'connections_cut_total{reason="bad-frame"}'), 1, "the refused frame counted");
  });

  it("which frames the library refused count as too big, which as broken, and which errors are neither", () => {
    const err = (code?: unknown) => Object.assign(new Error("x"), code === undefined ? {} : { code });
    assert.equal(refusedFrame(err("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH")), "too-big", "a message over maxPayload");
    assert.equal(refusedFrame(err("WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH")), "too-big", "a frame whose length field is beyond any payload (1009 too)");
    for (const code of ["WS_ERR_UNEXPECTED_RSV_2_3", "WS_ERR_INVALID_OPCODE", "WS_ERR_INVALID_UTF8", "WS_ERR_EXPECTED_MASK", "WS_ERR_TOO_MANY_BUFFERED_PARTS"]) {
      assert.equal(refusedFrame(err(code)), "bad-frame", code);
    }
    for (const code of [undefined, "ECONNRESET", 1009, "ws_err_invalid_opcode", "XWS_ERR_INVALID_OPCODE"]) {
      assert.equal(refusedFrame(err(code)), undefined, `${String(code)}: not a refused frame (logged as an error)`);
    }
  });

  it("a player who pings at an honest pace keeps the seat however long they wait, in a game room and in the lobby (Colyseus's own frame count now starts a new second even when nothing else happens)", async function () {
    this.timeout(30000);
    // Colyseus's own count allows MAX_FRAMES_PER_SECOND + FRAME_BURST (10 here) a second; the transport's budget is 5 a second.
    const server = await startDefaultServer({ MAX_FRAMES_PER_SECOND: "5", FRAME_BURST: "5" });
    const ada = clientFrom(server, address(5));
    const room = await ada.create("tictactoe", { name: "Ada" });
    const lobby = await clientFrom(server, address(6)).join("lobby");
    // The lobby's lists keep coming while it pings (and no list goes unhandled: the SDK warns on stderr).
    const lists: Array<Array<{ roomId: string }>> = [];
    lobby.onMessage("rooms", (list: Array<{ roomId: string }>) => lists.push(list));
    const codes: Record<string, number | undefined> = {};
    room.onLeave((code) => (codes.room = code));
    lobby.onLeave((code) => (codes.lobby = code));
    // 3 pings a second each for 6 s, in a room where nothing else happens: 18, past the 10 that
    // Colyseus's count allowed in all (the clock it reads never moved).
    let answered = 0;
    for (let i = 0; i < 18; i++) {
      room.ping(() => answered++);
      lobby.ping(() => answered++);
      await new Promise((r) => setTimeout(r, 333));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(codes, {}, "neither connection was closed");
    assert.ok(answered >= 34, `${answered} of 36 pings answered`);
    // Ada is still seated: Bob joins and the game starts.
    const bob = await clientFrom(server, address(7)).joinById(room.roomId, { name: "Bob" });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((room.state as unknown as { phase: string }).phase, "playing", "the game started with Ada in her seat");
    assert.ok(lists.some((list) => list.some((entry) => entry.roomId === room.roomId)), "the lobby listed Ada's room");
    for (const r of [room, bob, lobby]) {
      r.reconnection.enabled = false;
      await r.leave(true);
    }
  });

  it("cuts a quiet socket that never acknowledges its join at the deadline (4408)", async () => {
    const server = await startDefaultServer({ JOIN_ACK_SECONDS: "2" });
    const r = await reserve(server, "join", "lobby", { include: "all" }, address(20));
    const t0 = Date.now();
    const ws = await rawSocket(server, r, address(20));
    const code = await closed(ws, 6000);
    assert.equal(code, CLOSE_NO_JOIN_ACK);
    const took = Date.now() - t0;
    assert.ok(took >= 1900 && took < 4000, `cut after ${took} ms (deadline 2 s)`);
  });

  it("cuts flooding sockets that never acknowledge their join, and the server's memory stays bounded", async () => {
    const server = await startDefaultServer();
    const before = rssMb(server);
    const sockets: WebSocket[] = [];
    // Four lobby sockets that never acknowledge, asking for the list again and again
    // (finding 5: 4 such sockets took RSS from 202 to 498 MB in 20 s).
    for (let i = 0; i < 4; i++) {
      const r = await reserve(server, "join", "lobby", { include: "all" }, address(10 + i));
      sockets.push(await rawSocket(server, r, address(10 + i)));
    }
    const refresh = Buffer.from([Protocol.ROOM_DATA, 0xa7, ...Buffer.from("refresh")]);
    const codes = Promise.all(sockets.map((ws) => closed(ws, 10_000)));
    const t0 = Date.now();
    await Promise.all(sockets.map((ws) => flood(ws, refresh, 8000)));
    const closedWith = await codes;
    const after = rssMb(server);
    for (const code of closedWith) assert.ok(code === CLOSE_NO_JOIN_ACK || code === CLOSE_FLOODING, `cut with 4408 or 4429, got ${code}`);
    assert.ok(Date.now() - t0 < 7000, "cut within the join-acknowledgement deadline (5 s) or sooner");
    assert.ok(after - before < 30, `RSS grew ${(after - before).toFixed(1)} MB (< 30 MB)`);
    console.log(`      RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB; cut with ${closedWith.join(", ")} after ${Date.now() - t0} ms`);
  });
});
