/**
 * Attacks on the HTTP routes (issue 18, findings 7–10 and 13, and the matchmaking flood of
 * issue 13), each against a real server process at its DEFAULT limits. Every test shows
 * that the limit holds, that honest players are still served while the attack runs, and,
 * where memory was the problem, that memory stays bounded.
 *
 * The server trusts one proxy hop (TRUST_PROXY=1), so `X-Forwarded-For: <ip>` makes a
 * request count as coming from that address (test/helpers/abuse.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type { Room as SdkRoom } from "@colyseus/sdk";
import { address, clientFrom, healthMs, HonestGame, percentile, rssMb, startDefaultServer } from "../helpers/abuse.js";
import { stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { eventually, Player } from "../helpers/clients.js";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** Time until the answer was read, in ms. */
  ms: number;
}

/** A GET with exactly these headers (fetch would add its own Sec-Fetch-Mode). */
function plainGet(server: ServerProcess, path: string, headers: Record<string, string>): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(`${server.url}${path}`, { headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), text, ms: performance.now() - t0 }));
      })
      .on("error", reject);
  });
}

async function call(
  server: ServerProcess,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}${path}`, { method: options.method ?? "GET", headers: options.headers, body: options.body, redirect: "manual" });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, ms: performance.now() - t0 };
}

/** A matchmaking POST with a JSON body from `from`. */
function matchmake(server: ServerProcess, method: string, room: string, from: string, body: unknown = {}, headers: Record<string, string> = {}) {
  return call(server, `/matchmake/${method}/${room}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-For": from, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface RawAnswer {
  status: number;
  text: string;
  /** Time until the answer was in, in ms. */
  ms: number;
}

/**
 * POSTs a large body over a raw socket, as an uploader would: with its Content-Length, or
 * chunked (no Content-Length: the server only learns the size by reading). It sends the
 * headers and the first 64 KB, waits for the answer (at most `patienceMs`: a server that
 * waits for the whole body gets it all), then streams the rest until the server hangs up.
 * Resolves with the answer and how many bytes of the body got out.
 *
 * Why not send it all at once: the server answers a refused body and closes the connection
 * while the upload still runs; the client's next write then fails (EPIPE), and Node drops the
 * connection, often with the answer still unread in the kernel. (Browsers and curl report a
 * reset too in that race; it costs the server nothing.)
 */
function postBig(
  server: ServerProcess,
  path: string,
  from: string,
  body: Buffer,
  options: { chunked?: boolean; contentType?: string; patienceMs?: number } = {},
): Promise<RawAnswer & { bodyBytesSent: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = net.connect(server.port, "127.0.0.1");
    const head =
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: ${options.contentType ?? "application/json"}\r\n` +
      `X-Forwarded-For: ${from}\r\n${options.chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${body.length}`}\r\n\r\n`;
    const FIRST = 64 * 1024;
    const CHUNK = 256 * 1024;
    /** `body[from, to)` as it goes on the wire. */
    const piece = (start: number, stop: number): Buffer[] => {
      const data = body.subarray(start, stop);
      if (!options.chunked) return [data];
      return [Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(stop >= body.length ? "\r\n0\r\n\r\n" : "\r\n")];
    };
    let answer: { status: number; ms: number; text: string } | undefined;
    let received = Buffer.alloc(0);
    let sent = 0;
    let finished = false;
    let streaming = false;
    const patience = setTimeout(() => streamRest(), options.patienceMs ?? 500);
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(patience);
      socket.destroy();
      if (answer) resolve({ ...answer, bodyBytesSent: sent });
      else reject(new Error(`${path} (${options.chunked ? "chunked" : "Content-Length"}, ${body.length} bytes): the connection ended without an answer`));
    };
    /** Streams the rest of the body after the answer, until it is all out or the server hung up. */
    const streamRest = () => {
      if (streaming) return;
      streaming = true;
      pump();
    };
    const pump = () => {
      while (!finished && sent < body.length) {
        const stop = Math.min(body.length, sent + CHUNK);
        const parts = piece(sent, stop);
        sent = stop;
        let more = true;
        for (const part of parts) more = socket.write(part) && more;
        if (!more) return void socket.once("drain", pump);
      }
    };
    socket.on("data", (data: Buffer) => {
      if (answer) return;
      received = Buffer.concat([received, data]);
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const headText = received.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      answer = { status: Number(headText.split(" ")[1]), ms: performance.now() - t0, text: received.subarray(end + 4, end + 4 + length).toString("utf8") };
      streamRest();
      if (sent >= body.length) finish();
    });
    socket.on("error", finish);
    socket.on("close", finish);
    socket.write(head);
    sent = Math.min(FIRST, body.length);
    for (const part of piece(0, sent)) socket.write(part);
  });
}

/**
 * The expensive-GET attack of finding 8 (there, about 100 requests/s saturated the server):
 * 300 GET /api/rooms in thirty concurrent batches of 10, each batch from another of ten
 * addresses (one address alone is held to HTTP_REQUESTS_PER_10S), half `joinable`, half
 * `include=all`, over keep-alive sockets (node:http: much lighter on this process than fetch,
 * and this process also measures the honest game). Resolves with each answer's time, the
 * distinct entry counts seen, and any answer that was not 200 JSON.
 */
async function listingBurst(server: ServerProcess): Promise<{ ms: number[]; sizes: number[]; bad: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const get = (path: string, from: string) =>
    new Promise<{ path: string; status: number; type: string; body: string; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get({ host: "127.0.0.1", port: server.port, path, agent, headers: { "X-Forwarded-For": from } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => resolve({ path, status: res.statusCode!, type: res.headers["content-type"] ?? "", body: Buffer.concat(chunks).toString(), ms: performance.now() - t0 }));
          res.on("error", reject);
        })
        .on("error", reject);
    });
  const answers: Array<Awaited<ReturnType<typeof get>>> = [];
  try {
    for (let batch = 0; batch < 30; batch++) {
      const paths = range(10).map((i) => (i % 2 === 0 ? "/api/rooms" : "/api/rooms?include=all"));
      answers.push(...(await Promise.all(paths.map((p) => get(p, address(5000 + (batch % 10)))))));
    }
  } finally {
    agent.destroy();
  }
  const sizes = new Set<number>();
  const bad: string[] = [];
  for (const a of answers) {
    let list: unknown;
    try {
      list = JSON.parse(a.body);
    } catch {
      list = undefined;
    }
    if (a.status !== 200 || !/^application\/json/.test(a.type) || !Array.isArray(list)) bad.push(`${a.path} ${a.status} ${a.type}`);
    else sizes.add(list.length);
  }
  return { ms: answers.map((a) => a.ms), sizes: [...sizes], bad };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


/** Probes /health back to back (10 ms apart) until `stop` settles; the times in ms. */
async function healthWhile(server: ServerProcess, stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => (done = true)).catch(() => undefined);
  const times: number[] = [];
  while (!done) {
    times.push(await healthMs(server));
    await sleep(10);
  }
  return times;
}

/** CPU time (user + system) the process has used, in ms (from /proc). */
function cpuMs(server: ServerProcess): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * (1000 / 100); // USER_HZ = 100 on Linux
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const rooms = (answer: Answer) => JSON.parse(answer.text) as Array<{ roomId: string; open: boolean }>;
const roomsCreated = (server: ServerProcess) => server.logs().filter((l) => l.msg === "room created" && l.roomName === "tictactoe").length;
const fmt = (values: number[]) => values.map((v) => v.toFixed(1)).join(", ");

/** Whether `value` (a parsed log line) has a key named "stack" anywhere. */
function hasStack(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) => k === "stack" || hasStack(v));
}

describe("Abuse: HTTP routes", function () {
  this.timeout(60000);
  const held: SdkRoom[] = [];
  const hold = <R extends SdkRoom>(room: R): R => (held.push(room), room);

  afterEach(async () => {
    // The servers are killed: their clients must not try to reconnect.
    for (const room of held.splice(0)) room.reconnection.enabled = false;
    await stopAllServers();
  });

  it("issue 18, finding 7: oversized bodies are answered 413 at once, never buffered, while /health keeps answering", async function () {
    this.timeout(30000);
    // The time bounds (/health < 100 ms) are wall-clock on a shared 2-CPU host, where other
    // jobs can starve the server for a moment; a real regression fails every attempt.
    this.retries(2);
    const server = await startDefaultServer();
    // Warm-up (first requests compile the route code), so the RSS baseline is not the JIT.
    for (let i = 0; i < 3; i++) {
      await healthMs(server);
      await call(server, "/api/rooms");
      await postBig(server, "/matchmake/create/tictactoe", address(900 + i), Buffer.alloc(8192, 0x20), { chunked: i === 1 });
    }
    const created0 = roomsCreated(server);
    const rssBefore = rssMb(server);
    let rssPeak = rssBefore;

    const MB50 = 50 * 1024 * 1024;
    const big = Buffer.alloc(MB50, 0x20);
    // 3.5 MB of JSON with 200,000 keys (a hash-flooding / parse-cost body).
    const manyKeys = Buffer.from(`{${range(200_000).map((i) => `"k${String(i).padStart(8, "0")}":12345`).join(",")}}`);
    assert.ok(manyKeys.length > 3.4e6 && manyKeys.length < 3.8e6, `the many-keys body is ~3.5 MB (${manyKeys.length})`);

    const attack = (async () => {
      // Ten 50 MB bodies at once, from ten addresses (so the create rate limit is not what refuses them):
      // five with a Content-Length, five chunked (no Content-Length: refused as the bytes pass the cap).
      const fifty = await Promise.all(
        range(10).map((i) =>
          postBig(server, "/matchmake/create/tictactoe", address(i), big, { chunked: i % 2 === 1 }),
        ),
      );
      const keys = await Promise.all([
        postBig(server, "/matchmake/create/tictactoe", address(20), manyKeys),
        postBig(server, "/matchmake/create/tictactoe", address(21), manyKeys, { chunked: true }),
      ]);
      return { fifty, keys };
    })();
    const sampler = (async () => {
      let done = false;
      void attack.finally(() => (done = true)).catch(() => undefined);
      while (!done) {
        rssPeak = Math.max(rssPeak, rssMb(server));
        await sleep(5);
      }
    })();
    const [{ fifty, keys }, health] = await Promise.all([attack, healthWhile(server, attack), sampler]);
    rssPeak = Math.max(rssPeak, rssMb(server));
    const rssAfter = rssMb(server);

    for (const [i, answer] of fifty.entries()) {
      assert.equal(answer.status, 413, `50 MB body #${i} (${i % 2 === 0 ? "Content-Length" : "chunked"}): ${answer.text}`);
      assert.equal(JSON.parse(answer.text).code, 413);
      assert.ok(answer.ms < 1000, `50 MB body #${i} answered in ${answer.ms.toFixed(0)} ms`);
      assert.ok(answer.bodyBytesSent < MB50, `50 MB body #${i}: the server hung up on the upload (${answer.bodyBytesSent} bytes got out)`);
    }
    for (const answer of keys) assert.equal(answer.status, 413, `200,000-key body: ${answer.text}`);
    assert.ok(health.length >= 1, "/health was probed during the attack");
    assert.ok(Math.max(...health) < 100, `/health during the attack: max ${Math.max(...health).toFixed(1)} ms (${fmt(health)})`);
    assert.ok(rssPeak - rssBefore < 30, `RSS grew ${(rssPeak - rssBefore).toFixed(1)} MB (peak) over ten 50 MB bodies`);
    assert.equal(roomsCreated(server), created0, "no room was created");
    assert.deepEqual(rooms(await call(server, "/api/rooms?include=all")), [], "no room is listed");

    // Every other route refuses bodies over the cap too, with or without a Content-Length.
    const kb50 = Buffer.alloc(50 * 1024, 0x20);
    const other = await postBig(server, "/api/rooms", address(30), kb50);
    assert.equal(other.status, 413, `POST /api/rooms with 50 KB: ${other.text}`);
    const otherChunked = await postBig(server, "/no/such/path", address(31), kb50, { chunked: true, contentType: "text/plain" });
    assert.equal(otherChunked.status, 413, `chunked POST to another path: ${otherChunked.text}`);
    const health2 = await call(server, "/health");
    assert.equal(health2.status, 200);

    console.log(
      `      finding 7: 50 MB bodies answered in ${fmt(fifty.map((a) => a.ms))} ms, upload cut off after ${fmt(fifty.map((a) => a.bodyBytesSent / 1e6))} MB; 200k keys in ${fmt(keys.map((a) => a.ms))} ms; ` +
        `RSS ${rssBefore.toFixed(1)} → peak ${rssPeak.toFixed(1)} → ${rssAfter.toFixed(1)} MB (Δpeak ${(rssPeak - rssBefore).toFixed(1)} MB); ` +
        `/health ${health.length} probes, p50 ${percentile(health, 50).toFixed(1)} / max ${Math.max(...health).toFixed(1)} ms`,
    );
  });

  it("issue 18, finding 8: 300 concurrent listings of 150 rooms are capped at 50 entries while games and /health stay fast; /metrics is guarded", async function () {
    this.timeout(40000);
    // The time bounds (move p99 < 50 ms, /health < 100 ms) are wall-clock on a shared 2-CPU
    // host, where other jobs can starve the server for a moment; a real regression (a listing
    // that grows with the rooms, or a GET that blocks the loop) fails every attempt.
    this.retries(2);
    const [server, tokenServer] = await Promise.all([startDefaultServer(), startDefaultServer({ METRICS_TOKEN: "metrics-token-0123456789abcdef" })]);

    // 150 public waiting rooms, each held by its connected host: 30 addresses × 5 creates
    // (the rooms an address may hold waiting, and well under 32 connections per address).
    const HOLDERS = 30;
    const PER_HOLDER = 5;
    await Promise.all(
      range(HOLDERS).map(async (h) => {
        const client = clientFrom(server, address(1000 + h));
        for (let i = 0; i < PER_HOLDER; i++) hold(await client.create("tictactoe", { name: `Host ${h}-${i}` }));
      }),
    );
    await eventually(async () => rooms(await call(server, "/api/rooms?include=all")).length === 50, "the listing to fill", 5000);

    const game = await HonestGame.start(server);
    hold(game.a.room);
    hold(game.b.room);

    // The same game's latency without the attack first, for comparison (logged, not asserted).
    const baseline: number[] = [];
    for (let i = 0; i < 10; i++) {
      baseline.push(await game.move());
      await sleep(60); // the honest players' pace, as in playWhile below
    }

    const t0 = performance.now();
    const cpu0 = cpuMs(server);
    const burst = listingBurst(server);
    const [latencies, health, answers] = await Promise.all([game.playWhile(burst, 30), healthWhile(server, burst), burst]);
    const burstMs = performance.now() - t0;
    const serverCpuMs = cpuMs(server) - cpu0;
    const p99 = percentile(latencies, 99);
    console.log(
      `      finding 8: 300 GETs in ${burstMs.toFixed(0)} ms (GET p50 ${percentile(answers.ms, 50).toFixed(1)} / p99 ${percentile(answers.ms, 99).toFixed(1)} ms; ` +
        `server CPU ${serverCpuMs} ms, with the honest game and /health); ` +
        `honest moves ${latencies.length}: p50 ${percentile(latencies, 50).toFixed(1)} / p99 ${p99.toFixed(1)} ms (${fmt(latencies)}), ` +
        `without the attack p50 ${percentile(baseline, 50).toFixed(1)} / p99 ${percentile(baseline, 99).toFixed(1)} ms; ` +
        `/health ${health.length} probes, max ${Math.max(...health).toFixed(1)} ms`,
    );

    assert.equal(answers.ms.length, 300, "300 answers");
    assert.deepEqual(answers.bad, [], "every answer is 200 JSON");
    assert.deepEqual(answers.sizes, [50], "every listing has LISTING_MAX_ROOMS (50) entries of the 150 open rooms");
    assert.ok(latencies.length >= 3, `the honest game moved during the burst (${latencies.length} moves)`);
    assert.ok(p99 < 50, `honest move latency p99 ${p99.toFixed(1)} ms during the burst (${fmt(latencies)})`);
    assert.ok(Math.max(...health) < 100, `/health during the burst: max ${Math.max(...health).toFixed(1)} ms (${fmt(health)})`);
    await game.leave();

    // /metrics: internal addresses only without a token…
    const outside = await call(server, "/metrics", { headers: { "X-Forwarded-For": "203.0.113.9" } });
    assert.equal(outside.status, 403, "a public address");
    const inside = await call(server, "/metrics");
    assert.equal(inside.status, 200, "127.0.0.1, no forwarding header");
    assert.match(inside.text, /^process_resident_memory_bytes \d+/m);
    // …and only the right Bearer token with one.
    assert.equal((await call(tokenServer, "/metrics")).status, 401, "no token");
    assert.equal((await call(tokenServer, "/metrics", { headers: { Authorization: "Bearer metrics-token-wrong-0123456" } })).status, 401, "wrong token");
    assert.equal((await call(tokenServer, "/metrics", { headers: { Authorization: "Basic bWV0cmljczp4" } })).status, 401, "not a bearer token");
    const right = await call(tokenServer, "/metrics", { headers: { Authorization: "Bearer metrics-token-0123456789abcdef" } });
    assert.equal(right.status, 200, "right token");
    assert.match(right.text, /^process_resident_memory_bytes \d+/m);

    // One address alone: HTTP_REQUESTS_PER_10S (300) requests of any kind, then 429.
    const statuses = await Promise.all(range(320).map(() => call(server, "/api/rooms", { headers: { "X-Forwarded-For": "198.51.100.77" } }).then((a) => a.status)));
    assert.equal(statuses.filter((st) => st === 200).length, 300, "300 served");
    assert.equal(statuses.filter((st) => st === 429).length, 20, "the rest 429");
  });

  it("issue 18, finding 9: CORS answers only allowed origins, never with credentials, and foreign pages cannot matchmake", async () => {
    const [listed, unset] = await Promise.all([startDefaultServer({ ALLOWED_ORIGINS: "http://games.test" }), startDefaultServer()]);
    let n = 0;
    const from = () => address(2000 + n++);

    /** The routes a page could call, each with `origin` (undefined: no Origin header). */
    async function routes(server: ServerProcess, origin: string | undefined) {
      const o: Record<string, string> = origin === undefined ? {} : { Origin: origin };
      return {
        preflight: await call(server, "/matchmake/joinOrCreate/tictactoe", {
          method: "OPTIONS",
          headers: { ...o, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type", "X-Forwarded-For": from() },
        }),
        matchmake: await matchmake(server, "joinOrCreate", "tictactoe", from(), {}, o),
        rooms: await call(server, "/api/rooms", { headers: o }),
        health: await call(server, "/health", { headers: o }),
        page: await call(server, "/", { headers: o }),
      };
    }
    const check = (answers: Record<string, Answer>, what: string, acao: string | null) => {
      for (const [route, answer] of Object.entries(answers)) {
        assert.equal(answer.headers.get("access-control-allow-credentials"), null, `${what}, ${route}: never Allow-Credentials`);
        assert.equal(answer.headers.get("access-control-allow-origin"), acao, `${what}, ${route}: Allow-Origin`);
        assert.match(answer.headers.get("vary") ?? "", /\bOrigin\b/, `${what}, ${route}: Vary: Origin (a cache keeps one answer per origin)`);
      }
    };

    // ALLOWED_ORIGINS=http://games.test. Foreign and "null" origins first, on a server with no rooms.
    for (const origin of ["http://evil.test", "null"]) {
      const answers = await routes(listed, origin);
      check(answers, `Origin ${origin}`, null);
      assert.equal(answers.preflight.status, 204);
      assert.equal(answers.preflight.headers.get("access-control-allow-methods"), null, `Origin ${origin}: no preflight grant`);
      assert.equal(answers.matchmake.status, 403, `Origin ${origin}: matchmaking refused (${answers.matchmake.text})`);
      assert.equal(JSON.parse(answers.matchmake.text).code, 403);
    }
    assert.equal(roomsCreated(listed), 0, "the refused matchmaking reserved nothing (no room was created)");
    assert.deepEqual(rooms(await call(listed, "/api/rooms?include=all")), []);

    const allowed = await routes(listed, "http://games.test");
    check(allowed, "Origin http://games.test", "http://games.test");
    assert.equal(allowed.preflight.status, 204);
    assert.match(allowed.preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    assert.equal(allowed.matchmake.status, 200, `allowed origin matchmakes: ${allowed.matchmake.text}`);
    const program = await routes(listed, undefined);
    check(program, "no Origin (a program)", null);
    assert.equal(program.matchmake.status, 200, "a program (no Origin) matchmakes");

    // ALLOWED_ORIGINS unset: only the server's own origin.
    const foreign = await routes(unset, "http://evil.test");
    check(foreign, "unset, Origin http://evil.test", null);
    assert.equal(foreign.matchmake.status, 403, `unset, foreign origin: ${foreign.matchmake.text}`);
    assert.equal(roomsCreated(unset), 0, "the refused matchmaking reserved nothing");
    const own = `http://127.0.0.1:${unset.port}`;
    const same = await routes(unset, own);
    check(same, `unset, own origin ${own}`, own);
    assert.equal(same.matchmake.status, 200, `own origin matchmakes: ${same.matchmake.text}`);
    check(await routes(unset, "null"), "unset, Origin null", null);
    // The same host on another port is another origin.
    check(await routes(unset, `http://127.0.0.1:${unset.port + 1}`), "unset, other port", null);
  });

  it("a foreign page cannot spend its visitors' matchmaking budget: its requests are refused before they are counted, and the visitor then creates at once", async () => {
    const server = await startDefaultServer({ MAX_WAITING_ROOMS_PER_IP: "100" });
    const visitor = "10.77.0.1";
    // What a foreign page can make its visitor's browser send: "simple" requests (text/plain or a
    // form, no preflight), and JSON ones, which the browser sends only if a preflight passed.
    const forged: Answer[] = [];
    for (const [i, contentType] of ["text/plain", "application/x-www-form-urlencoded", "application/json"].entries()) {
      for (const method of ["create", "joinOrCreate", "join"]) {
        for (let k = 0; k < 7; k++) {
          forged.push(await matchmake(server, method, "tictactoe", visitor, i === 1 ? "a=1" : { name: "Forged" }, { Origin: "http://evil.test", "Content-Type": contentType }));
        }
      }
    }
    assert.deepEqual([...new Set(forged.map((a) => a.status))], [403], "every forged request is refused for its origin");
    // The page's own form posts without an Origin but with a form type: refused for the type, and not counted either.
    for (let k = 0; k < 12; k++) {
      const form = await matchmake(server, "create", "tictactoe", visitor, "a=1", { "Content-Type": "application/x-www-form-urlencoded" });
      assert.equal(form.status, 415);
    }
    assert.equal(roomsCreated(server), 0);

    // CREATES_PER_10S (10) is untouched: the visitor's own page creates 10 games in a row (and
    // takes each seat, as a page does: unused reservations have a cap of their own).
    const own = `http://127.0.0.1:${server.port}`;
    const sdk = clientFrom(server, visitor);
    const created: number[] = [];
    for (let k = 0; k < 10; k++) {
      const answer = await matchmake(server, "create", "tictactoe", visitor, { name: "Visitor" }, { Origin: own });
      created.push(answer.status);
      if (answer.status === 200) hold(await sdk.consumeSeatReservation(JSON.parse(answer.text)));
    }
    assert.deepEqual(created, Array(10).fill(200), "the visitor's ten creates after the forged ones");
    // The budget itself still holds.
    assert.equal((await matchmake(server, "create", "tictactoe", visitor, { name: "Visitor" }, { Origin: own })).status, 429);
  });

  it("issue 18, finding 10: invalid matchmaking requests get a clear 4xx, create nothing, and cannot flood the log", async () => {
    const server = await startDefaultServer();
    let n = 0;
    const from = () => address(3000 + n++);

    // 10 bad creates from one address within one second (the create limit lets exactly 10 through).
    const linesBefore = server.lines.length;
    const badBodies: unknown[] = [{ turnSeconds: 5000 }, { name: "\u202e" }, [1, 2], "{not json", { turnSeconds: -1 }, { spectate: "yes" }, { private: 1 }, { name: 42 }, { name: "" }, { turnSeconds: "x" }];
    const t0 = Date.now();
    const burst = await Promise.all(badBodies.map((body) => matchmake(server, "create", "tictactoe", "10.99.0.1", body)));
    assert.ok(Date.now() - t0 < 1000, "the ten bad creates were sent within one second");
    for (const [i, answer] of burst.entries()) assert.equal(answer.status, 400, `bad create #${i}: ${answer.text}`);
    // The route logs refusals at most once a second: wait until its line is in, then count.
    await eventually(() => server.lines.slice(linesBefore).some((l) => l.includes('"matchmaking refused"')), "the refusal's log line", 3000);
    const refusedLines = () => server.lines.slice(linesBefore).filter((l) => l.includes('"matchmaking refused"')).length;
    assert.ok(refusedLines() >= 1 && refusedLines() <= 2, `10 bad creates in one second logged ${refusedLines()} "matchmaking refused" lines`);

    // Each reason names the field.
    const cases: Array<[unknown, RegExp]> = [
      [{ turnSeconds: 5000 }, /turnSeconds/],
      [{ name: "\u202e" }, /name.*U\+202E/],
      [[1, 2], /options must be a JSON object/],
    ];
    for (const [body, reason] of cases) {
      const answer = await matchmake(server, "create", "tictactoe", from(), body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.match(answer.headers.get("content-type") ?? "", /^application\/json/);
      const json = JSON.parse(answer.text);
      assert.equal(json.code, 4403, JSON.stringify(body));
      assert.match(json.error, reason, JSON.stringify(body));
    }
    const notJson = await matchmake(server, "create", "tictactoe", from(), "{not json");
    assert.equal(notJson.status, 400);
    assert.deepEqual(JSON.parse(notJson.text), { code: 400, error: "The request body is not valid JSON." });

    // The SDK reports the HTTP status as its code and the reason as its message.
    await assert.rejects(clientFrom(server, from()).create("tictactoe", { turnSeconds: 5000 }), (err: { code?: number; message?: string }) => {
      assert.equal(err.code, 400);
      assert.match(err.message ?? "", /^turnSeconds: /);
      return true;
    });

    // Other refusals.
    const plain = await call(server, "/matchmake/create/tictactoe", { method: "POST", headers: { "Content-Type": "text/plain", "X-Forwarded-For": from() }, body: "{}" });
    assert.equal(plain.status, 415, plain.text);
    const method = await matchmake(server, "teleport", "tictactoe", from());
    assert.equal(method.status, 404, method.text);
    const game = await matchmake(server, "create", "chess", from());
    assert.equal(game.status, 404, game.text);
    assert.match(JSON.parse(game.text).error, /chess/);
    const lobby = await matchmake(server, "create", "lobby", from());
    assert.equal(lobby.status, 403, lobby.text);

    assert.deepEqual(rooms(await call(server, "/api/rooms?include=all")), [], "no room was created");
    assert.equal(roomsCreated(server), 0, "no game room was created");
    const stacks = server.logs().filter(hasStack);
    assert.deepEqual(stacks, [], "no log line carries a stack trace");
    assert.equal(server.stderr(), "", "nothing on stderr");
  });

  it("a malformed %-escape in an API path, or a path that does not exist (in the API or not), is answered in JSON with a code: never an HTML page, never a stack trace", async () => {
    const server = await startDefaultServer();
    for (const path of ["/api/players/%E0", "/api/matches/%ZZ", "/api/leaderboard/%E0", "/api/rooms/%E0%A4"]) {
      const answer = await call(server, path, { headers: { "X-Forwarded-For": address(3100) } });
      assert.equal(answer.status, 400, `${path}: ${answer.text.slice(0, 200)}`);
      assert.match(answer.headers.get("content-type") ?? "", /application\/json/, path);
      assert.deepEqual(JSON.parse(answer.text), { code: 400, error: "That request could not be read." }, path);
    }
    for (const path of ["/api/players/", "/api/leaderboard", "/api/players/a/b", "/api/nothing-here", "/.env", "/wp-login.php", "/monitor-not", "/assets/none.js"]) {
      const answer = await call(server, path, { headers: { "X-Forwarded-For": address(3101) } });
      assert.equal(answer.status, 404, `${path}: ${answer.text.slice(0, 200)}`);
      assert.match(answer.headers.get("content-type") ?? "", /application\/json/, path);
      assert.equal(JSON.parse(answer.text).code, 404, path);
    }
    const page = await call(server, "/", { headers: { "X-Forwarded-For": address(3101) } });
    assert.equal(page.status, 200, "the web client is still served");
    assert.match(page.text, /<html/i);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(server.logs().filter(hasStack), [], "no log line carries a stack trace");
    assert.equal(server.stderr(), "", "nothing on stderr");
  });

  it("connections that send nothing, or trickle their headers, are closed after HTTP_REQUEST_TIMEOUT_MS (Node's defaults kept them 60 to 300 s); an honest request meanwhile is served", async () => {
    const server = await startDefaultServer({ HTTP_REQUEST_TIMEOUT_MS: "1500" });
    const port = Number(new URL(server.url).port);
    const opened = performance.now();
    const closedAfter = (first: string | undefined) =>
      new Promise<number>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => {
          if (first !== undefined) socket.write(first);
        });
        // The rest of the headers, a byte at a time, never finished.
        const trickle = first === undefined ? undefined : setInterval(() => socket.write("x"), 200);
        socket.on("data", () => undefined);
        socket.on("error", () => undefined);
        socket.on("close", () => (clearInterval(trickle), resolve(performance.now() - opened)));
        setTimeout(() => socket.destroy(), 10_000);
      });
    const all = [...range(10).map(() => closedAfter(undefined)), ...range(10).map(() => closedAfter("GET /api/rooms HTTP/1.1\r\nHost: x\r\nX-Slow: "))];
    const honest = await call(server, "/api/rooms");
    assert.equal(honest.status, 200);
    const times = await Promise.all(all);
    assert.ok(Math.max(...times) < 4000, `closed after ${fmt(times)} ms (limit 1500 ms, checked every second)`);
  });

  it("a flood of refused WebSocket upgrades (a foreign Origin of 8 KB) writes about one log line a second, with the origin clipped; each is still counted", async () => {
    const server = await startDefaultServer({ ALLOWED_ORIGINS: "http://games.test" });
    const origin = `http://${"e".repeat(8000)}.test`;
    const upgrade = () =>
      new Promise<number>((resolve) => {
        const req = http.request(`${server.url}/`, { headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", Origin: origin } });
        req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
        req.on("upgrade", (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
        req.on("error", () => resolve(0));
        req.end();
      });
    const started = Date.now();
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) statuses.push(...(await Promise.all(range(20).map(upgrade))));
    const seconds = (Date.now() - started) / 1000;
    assert.deepEqual([...new Set(statuses)], [403], "every upgrade refused");
    await new Promise((r) => setTimeout(r, 300));
    await server.logged((l) => l.msg === "connection refused", 'a "connection refused" line, before counting them');
    const lines = server.logs().filter((l) => l.msg === "connection refused");
    assert.ok(lines.length >= 1 && lines.length <= Math.ceil(seconds) + 1, `${lines.length} lines for 200 refusals in ${seconds.toFixed(1)} s`);
    for (const l of lines) assert.ok(String(l.origin).length <= 100, "the origin is clipped");
    const metrics = (await call(server, "/metrics")).text;
    assert.match(metrics, /connections_refused_total\{reason="origin"\} 200\b/, "each refusal is counted");
  });

  it("issue 18, finding 13: pages and the API carry the anti-framing and no-sniff headers, and no X-Powered-By", async () => {
    const server = await startDefaultServer();
    for (const path of ["/", "/api/rooms", "/health"]) {
      const answer = await call(server, path);
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, `${path}: CSP`);
      assert.equal(answer.headers.get("x-frame-options"), "DENY", `${path}: X-Frame-Options`);
      assert.equal(answer.headers.get("x-content-type-options"), "nosniff", `${path}: X-Content-Type-Options`);
      assert.equal(answer.headers.get("x-powered-by"), null, `${path}: X-Powered-By`);
    }
  });

  it("what a page of another site makes its visitors' browsers send (a cross-site Sec-Fetch-Site, a foreign Origin) has its own budget: it cannot spend the visitor's, whose matchmaking and pages still answer", async () => {
    const server = await startDefaultServer({ HTTP_REQUESTS_PER_10S: "5" });
    const from = { "X-Forwarded-For": "10.99.1.1" };
    const foreignGets = { ...from, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image" };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(server, `/health?${i}`, { headers: foreignGets })).status);
    for (let i = 0; i < 2; i++) {
      statuses.push((await call(server, "/matchmake/joinOrCreate/dice", { method: "POST", headers: { ...from, Origin: "https://evil.example", "Content-Type": "text/plain" }, body: "{}" })).status);
    }
    // A window the foreign page opened, moved by its script (no user activation), and a prefetch.
    const scripted = { ...from, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" };
    statuses.push((await plainGet(server, "/", scripted)).status);
    statuses.push((await plainGet(server, "/", { ...scripted, "Sec-Fetch-User": "?1", "Sec-Purpose": "prefetch" })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429, 429], "the foreign page's budget runs out");
    // The visitor's own requests: the page, a link followed from another site, matchmaking from the page, a program.
    const own = [
      await call(server, "/", { headers: { ...from, "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" } }),
      // (fetch sets its own Sec-Fetch-Mode: a navigation is sent as a browser sends it.)
      await plainGet(server, "/", { ...from, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1" }),
      await call(server, "/matchmake/joinOrCreate/dice", { method: "POST", headers: { ...from, Origin: server.url, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/json" }, body: "{}" }),
      await call(server, "/api/rooms", { headers: from }),
    ];
    assert.deepEqual(own.map((a) => a.status), [200, 200, 200, 200], `the visitor's budget is untouched: ${own.map((a) => a.text.slice(0, 80)).join(" | ")}`);
    assert.equal((await call(server, "/api/rooms", { headers: from })).status, 200, "five of the visitor's own");
    assert.equal((await call(server, "/api/rooms", { headers: from })).status, 429, "and the sixth is over their own budget");
  });

  it("the limiter's 429 carries the security headers too; /__healthcheck with a forged X-Forwarded-Proto or a Host that is no host is answered at once, with nothing on stderr", async () => {
    const server = await startDefaultServer({ HTTP_REQUESTS_PER_10S: "3" });
    const from = { "X-Forwarded-For": "10.99.0.1" };
    let answer: Answer | undefined;
    for (let i = 0; i < 4; i++) answer = await call(server, "/api/rooms", { headers: from });
    assert.equal(answer!.status, 429, "the fourth request in 10 s");
    assert.match(answer!.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/, "429: CSP");
    assert.equal(answer!.headers.get("x-frame-options"), "DENY", "429: X-Frame-Options");
    assert.equal(answer!.headers.get("x-content-type-options"), "nosniff", "429: X-Content-Type-Options");

    // Colyseus's own health route built a URL from these headers in a promise nothing caught:
    // no answer ever (the connection held open), and a stack trace on stderr for each request.
    const raw = (head: string) =>
      new Promise<string>((resolve) => {
        let text = "";
        const socket = net.connect(Number(new URL(server.url).port), "127.0.0.1", () => socket.write(head));
        socket.on("data", (d: Buffer) => {
          text += d.toString("utf8");
          if (text.includes("\r\n\r\n")) socket.destroy();
        });
        socket.on("error", () => undefined);
        socket.on("close", () => resolve(text));
        setTimeout(() => socket.destroy(), 3000);
      });
    const forgedProto = await raw(`GET /__healthcheck HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 10.99.0.2\r\nX-Forwarded-Proto: 1\r\n\r\n`);
    assert.match(forgedProto, /^HTTP\/1\.1 200 /, `a forged X-Forwarded-Proto: ${JSON.stringify(forgedProto.slice(0, 40))}`);
    for (const host of ["%", "["]) {
      const badHost = await raw(`GET /__healthcheck HTTP/1.1\r\nHost: ${host}\r\nX-Forwarded-For: 10.99.0.3\r\n\r\n`);
      assert.match(badHost, /^HTTP\/1\.1 400 /, `Host: ${host}: ${JSON.stringify(badHost.slice(0, 40))}`);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.stderr(), "", "nothing on stderr");
  });

  it("issue 13 / 18: a burst of 40 creates from one address gets exactly 10 rooms, and others still create and play", async () => {
    // The rate limit alone: the cap on rooms waiting for players (5) is lifted here, and
    // attacked in the next test.
    const server = await startDefaultServer({ MAX_WAITING_ROOMS_PER_IP: "100" });
    const attacker = "10.13.13.13";
    const sdk = clientFrom(server, attacker);

    // 40 creates as fast as the attacker can, at most 5 in flight (each one connects to the
    // room it gets, so the unused-reservation cap of 6 is not what stops them: the rate is).
    const statuses: Array<{ status: number; retryAfter: string | null; error?: string }> = [];
    let next = 0;
    await Promise.all(
      range(5).map(async () => {
        while (next < 40) {
          next++;
          const answer = await matchmake(server, "create", "tictactoe", attacker, { name: "Flood" });
          statuses.push({ status: answer.status, retryAfter: answer.headers.get("retry-after"), error: answer.status === 200 ? undefined : JSON.parse(answer.text).error });
          if (answer.status === 200) hold(await sdk.consumeSeatReservation(JSON.parse(answer.text)));
        }
      }),
    );
    const ok = statuses.filter((s) => s.status === 200);
    const limited = statuses.filter((s) => s.status === 429);
    assert.equal(ok.length, 10, `creates that succeeded: ${JSON.stringify(statuses.filter((s) => s.status !== 429))}`);
    assert.equal(limited.length, 30);
    for (const s of limited) {
      assert.match(s.retryAfter ?? "", /^\d+$/, "Retry-After is a number of seconds");
      assert.ok(Number(s.retryAfter) >= 1 && Number(s.retryAfter) <= 10, `Retry-After ${s.retryAfter}`);
      assert.match(s.error ?? "", /Too many matchmaking requests/);
    }

    // Another address still creates and plays.
    const game = await HonestGame.start(server);
    hold(game.a.room);
    hold(game.b.room);
    const moves = [await game.move(), await game.move(), await game.move()];
    assert.ok(Math.max(...moves) < 1000);
    // The server holds the attacker's 10 rooms and the honest one, no more.
    assert.ok(roomsCreated(server) <= 10 + 1, `${roomsCreated(server)} rooms created`);
    assert.equal(rooms(await call(server, "/api/rooms?include=all")).length, 10, "the attacker's 10 public rooms");
    await game.leave();
    console.log(`      flood: 10 created, 30 × 429 (Retry-After ${[...new Set(limited.map((s) => s.retryAfter))].join("/")} s); honest moves ${fmt(moves)} ms`);
  });

  it("issue 13: one address holds at most 5 rooms waiting for players; a started game frees its place; joinOrCreate still joins others", async () => {
    // The create rate (10 per 10 s) is lifted: the waiting-room cap alone is attacked here.
    const server = await startDefaultServer({ CREATES_PER_10S: "100" });
    const host = "10.13.0.1";
    const sdk = clientFrom(server, host);
    const waiting: SdkRoom[] = [];
    for (let i = 0; i < 5; i++) waiting.push(hold(await sdk.create("tictactoe", { name: `Host ${i}` })));
    const rssBefore = rssMb(server);

    // A sixth waiting room (public or private) is refused, with words and a Retry-After.
    for (const options of [{ name: "Host 5" }, { name: "Host 5", private: true }]) {
      const answer = await matchmake(server, "create", "tictactoe", host, options);
      assert.equal(answer.status, 429, answer.text);
      assert.equal(answer.headers.get("retry-after"), "10");
      assert.deepEqual(JSON.parse(answer.text), {
        code: 429,
        error: "Your address already has 5 games waiting for players: start or leave one of them before creating another.",
      });
    }
    // joinOrCreate at the limit, with no other open room: refused the same way, nothing created.
    const alone = await matchmake(server, "joinOrCreate", "connectfour", host, { name: "Host 5" });
    assert.equal(alone.status, 429, alone.text);
    assert.match(JSON.parse(alone.text).error, /5 games waiting for players/);
    // The log is written asynchronously (pino, sync: false): wait for the fifth room's line before counting.
    await eventually(() => roomsCreated(server) >= 5, 'the five "room created" lines', 2000);
    assert.equal(roomsCreated(server), 5, "no sixth room was created");

    // Someone else's open Connect Four room: joinOrCreate at the limit joins it.
    const other = hold(await clientFrom(server, address(2)).create("connectfour", { name: "Other" }));
    const joined = hold(await sdk.joinOrCreate("connectfour", { name: "Host 5" }));
    assert.equal(joined.roomId, other.roomId, "joinOrCreate joined the other address's room");

    // A guest takes the last seat of one waiting room: that game starts, and its place is free.
    const guest = new Player(hold(await clientFrom(server, address(3)).joinById(waiting[0]!.roomId, { name: "Guest" })));
    await guest.until(() => guest.state.phase === "playing", "the game to start");
    const created = async (name: string) => {
      const answer = await matchmake(server, "create", "tictactoe", host, { name });
      if (answer.status === 200) hold(await sdk.consumeSeatReservation(JSON.parse(answer.text)));
      return answer.status;
    };
    await eventually(async () => (await created("Host 6")) === 200, "a create to be allowed again", 3000);
    // Leaving a waiting room frees its place too.
    await waiting[1]!.leave(true);
    await eventually(async () => (await created("Host 7")) === 200, "a create after a leave", 3000);
    // Back at 5 waiting: refused again.
    assert.equal(await created("Host 8"), 429);
    assert.ok(rssMb(server) - rssBefore < 20, "memory stayed bounded");
  });
});
