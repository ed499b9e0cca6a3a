/**
 * `TRUST_PROXY`: whose address the per-address limits count (src/net/address.ts), against
 * real server processes at their DEFAULT limits.
 *
 * - unset (the default): the socket's peer is the client. A client cannot escape a limit by
 *   claiming a new `X-Forwarded-For` on every request: the HTTP request rate, the rooms
 *   waiting for players, the creates per 10 s and the WebSocket connections are all counted
 *   by the socket address, whatever the header says.
 * - `1` (nginx in front): the LAST `X-Forwarded-For` entry (the one nginx appended) is the
 *   client; entries before it are the client's own and change nothing; a last entry that is
 *   not an address counts as the socket's peer.
 * - `2` (two proxies of ours): the second entry from the end is the client.
 *
 * Every test client runs on this host, so "another client" is another loopback source
 * address (127.0.0.x: Linux routes all of 127/8 to lo), bound with `localAddress`.
 */
import assert from "node:assert/strict";
import http from "node:http";
import WebSocket from "ws";
import { address, startDefaultServer } from "../helpers/abuse.js";
import { stopAllServers, type ServerProcess } from "../helpers/cluster.js";

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
}

/**
 * One HTTP request on its own connection from the source address `from` (default
 * 127.0.0.1), with `X-Forwarded-For: xff` when given.
 */
function call(
  server: ServerProcess,
  path: string,
  options: { method?: string; xff?: string; from?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.xff !== undefined) headers["X-Forwarded-For"] = options.xff;
  if (options.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(options.body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: server.port, path, method: options.method ?? "GET", headers, localAddress: options.from ?? "127.0.0.1", agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const retryAfter = res.headers["retry-after"];
          resolve({ status: res.statusCode!, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** POST /matchmake/create/tictactoe with valid options. */
function create(server: ServerProcess, options: { xff?: string; from?: string } = {}): Promise<Answer> {
  return call(server, "/matchmake/create/tictactoe", {
    ...options,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "Host" }),
  });
}

/** A raw WebSocket from source address `from`; resolves with the open socket, or the status that refused it. */
function connect(server: ServerProcess, options: { xff?: string; from?: string } = {}): Promise<{ ws?: WebSocket; status?: number; text?: string }> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.xff === undefined ? {} : { "X-Forwarded-For": options.xff };
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { headers, localAddress: options.from ?? "127.0.0.1" });
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", () => resolve({ status: res.statusCode }));
    });
    ws.once("error", () => resolve({ status: -1 }));
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const json = (answer: Answer) => JSON.parse(answer.text) as unknown;

const HTTP_LIMIT = 300; // HTTP_REQUESTS_PER_10S
const WAITING_LIMIT = 5; // MAX_WAITING_ROOMS_PER_IP
const CREATES_LIMIT = 10; // CREATES_PER_10S
const CONNECTIONS_LIMIT = 32; // MAX_CONNECTIONS_PER_IP

const TOO_MANY_REQUESTS = { code: 429, error: "Too many requests from your address; try again shortly." };
const TOO_MANY_WAITING = {
  code: 429,
  error: `Your address already has ${WAITING_LIMIT} games waiting for players: start or leave one of them before creating another.`,
};
const TOO_MANY_MATCHMAKING = { code: 429, error: "Too many matchmaking requests from your address; try again shortly." };

/** Asserts `answer` is the rate limiter's 429: `body`, and a Retry-After of 1–10 s. */
function assertRateLimited(answer: Answer, body: object, what: string) {
  assert.equal(answer.status, 429, `${what}: ${answer.text}`);
  assert.deepEqual(json(answer), body, what);
  assert.match(answer.retryAfter ?? "", /^\d+$/, `${what}: Retry-After`);
  assert.ok(Number(answer.retryAfter) >= 1 && Number(answer.retryAfter) <= 10, `${what}: Retry-After ${answer.retryAfter}`);
}

/**
 * `CREATES_LIMIT + 1` creates in a row, the i-th with `X-Forwarded-For: xff(i)`, all of which
 * the server should count as one address: 5 rooms, then 5 refused as too many waiting rooms,
 * then one refused by the create rate.
 */
async function assertCreatesCountedTogether(server: ServerProcess, xff: (i: number) => string | undefined, from: string | undefined, what: string) {
  const answers: Answer[] = [];
  for (const i of range(CREATES_LIMIT + 1)) answers.push(await create(server, { xff: xff(i), from }));
  const statuses = answers.map((a) => a.status);
  assert.deepEqual(statuses, [...range(WAITING_LIMIT).map(() => 200), ...range(CREATES_LIMIT + 1 - WAITING_LIMIT).map(() => 429)], `${what}: statuses`);
  for (const [i, answer] of answers.entries()) {
    if (i < WAITING_LIMIT) {
      assert.equal(typeof (json(answer) as { sessionId?: unknown }).sessionId, "string", `${what}, create ${i + 1}: a seat reservation`);
    } else if (i < CREATES_LIMIT) {
      assert.deepEqual(json(answer), TOO_MANY_WAITING, `${what}, create ${i + 1}`);
      assert.equal(answer.retryAfter, "10", `${what}, create ${i + 1}: Retry-After`);
    } else {
      assertRateLimited(answer, TOO_MANY_MATCHMAKING, `${what}, create ${i + 1}`);
    }
  }
}

describe("Abuse: TRUST_PROXY (whose address the per-address limits count)", function () {
  this.timeout(30000);
  let unset: ServerProcess;
  let one: ServerProcess;
  let two: ServerProcess;
  const held: WebSocket[] = [];

  before(async () => {
    // TRUST_PROXY "" is unset (readEnv drops empty variables): the server's default.
    // The requests here come 320 at once from one address, each on its own connection: the cap on
    // connections per address (MAX_SOCKETS_PER_IP, test/abuse/sockets.test.ts) is lifted so
    // that the limits counted here are what answers.
    [unset, one, two] = await Promise.all([startDefaultServer({ TRUST_PROXY: "", MAX_SOCKETS_PER_IP: "0" }), startDefaultServer({ TRUST_PROXY: "1" }), startDefaultServer({ TRUST_PROXY: "2" })]);
  });

  afterEach(() => {
    for (const ws of held.splice(0)) ws.terminate();
  });

  after(async () => {
    await stopAllServers();
  });

  describe("unset (the default): the socket's address is the client", () => {
    it("HTTP requests: 320 from one socket, each claiming a new X-Forwarded-For, get exactly 300 answers and 20 × 429; another socket address is still served", async () => {
      const from = "127.0.0.11";
      const answers = await Promise.all(range(HTTP_LIMIT + 20).map((i) => call(unset, "/api/rooms", { from, xff: address(10_000 + i) })));
      assert.equal(answers.filter((a) => a.status === 200).length, HTTP_LIMIT, "served");
      const refused = answers.filter((a) => a.status === 429);
      assert.equal(refused.length, 20, `refused (others: ${answers.filter((a) => a.status !== 200 && a.status !== 429).map((a) => a.status).join(",")})`);
      for (const answer of refused) assertRateLimited(answer, TOO_MANY_REQUESTS, "a request over the limit");

      // The same socket address without the header, or with yet another one: the same budget.
      assertRateLimited(await call(unset, "/api/rooms", { from }), TOO_MANY_REQUESTS, "no X-Forwarded-For, same socket address");
      assertRateLimited(await call(unset, "/api/rooms", { from, xff: "198.51.100.200, 203.0.113.200" }), TOO_MANY_REQUESTS, "two forwarded entries, same socket address");
      // Another socket address has its own budget, whatever it claims.
      const other = await call(unset, "/api/rooms", { from: "127.0.0.12", xff: address(10_000) });
      assert.equal(other.status, 200, other.text);
      assert.deepEqual(json(other), []);
    });

    it("matchmaking: rooms waiting for players and creates per 10 s count the socket address, not X-Forwarded-For", async () => {
      const from = "127.0.0.21";
      // Eleven creates, each claiming another address (one or two entries, so neither the
      // first nor the last entry is trusted): 5 rooms, 5 × too many waiting, 1 × create rate.
      await assertCreatesCountedTogether(unset, (i) => (i % 2 === 0 ? address(20_000 + i) : `${address(21_000 + i)}, ${address(22_000 + i)}`), from, "new X-Forwarded-For each time");
      assertRateLimited(await create(unset, { from }), TOO_MANY_MATCHMAKING, "no X-Forwarded-For, same socket address");
      // Another socket address creates, even claiming to be one the first socket already used.
      const other = await create(unset, { from: "127.0.0.22", xff: address(20_000) });
      assert.equal(other.status, 200, other.text);
    });

    it(`WebSockets: ${CONNECTIONS_LIMIT} open from one socket address, each claiming a new X-Forwarded-For, and the next is refused 429; another socket address connects`, async () => {
      const from = "127.0.0.31";
      for (const i of range(CONNECTIONS_LIMIT)) {
        const { ws, status } = await connect(unset, { from, xff: address(30_000 + i) });
        assert.ok(ws, `connection ${i + 1} of ${CONNECTIONS_LIMIT} refused with ${status}`);
        held.push(ws);
      }
      const over = await connect(unset, { from, xff: address(31_000) });
      assert.equal(over.status, 429, "a new X-Forwarded-For does not make a new address");
      assert.equal(over.text, "too many connections from your address");
      assert.equal((await connect(unset, { from })).status, 429, "nor does leaving it out");
      const other = await connect(unset, { from: "127.0.0.32", xff: address(30_000) });
      assert.ok(other.ws, `another socket address: refused with ${other.status}`);
      held.push(other.ws);
    });
  });

  describe("TRUST_PROXY=1: the last X-Forwarded-For entry (nginx's) is the client", () => {
    it("HTTP requests: two forwarded addresses have separate budgets; entries before the last change nothing", async () => {
      const A = "203.0.113.10";
      const B = "203.0.113.11";
      // All from 127.0.0.1: the socket address is not what is counted.
      // 320 requests from A, each with another forged entry in front of it.
      const answers = await Promise.all(range(HTTP_LIMIT + 20).map((i) => call(one, "/api/rooms", { xff: i % 2 === 0 ? A : `${address(40_000 + i)}, ${A}` })));
      assert.equal(answers.filter((a) => a.status === 200).length, HTTP_LIMIT, "A served");
      const refused = answers.filter((a) => a.status === 429);
      assert.equal(refused.length, 20, "A refused");
      for (const answer of refused) assertRateLimited(answer, TOO_MANY_REQUESTS, "A over the limit");
      assertRateLimited(await call(one, "/api/rooms", { xff: `${B}, ${A}` }), TOO_MANY_REQUESTS, "B, A: counted as A");

      // B, still served: alone, or with A forged in front of it.
      for (const xff of [B, `${A}, ${B}`]) {
        const answer = await call(one, "/api/rooms", { xff });
        assert.equal(answer.status, 200, `${xff}: ${answer.text}`);
        assert.deepEqual(json(answer), [], xff);
      }
      // The socket's own address (no header) is a third client, still served.
      assert.equal((await call(one, "/api/rooms")).status, 200, "no X-Forwarded-For: 127.0.0.1");
    });

    it("matchmaking: A is refused at its limits while B still creates; a forged first entry is ignored", async () => {
      // Other addresses than the other tests' (every request counts against the HTTP budget too).
      const A = "203.0.113.20";
      const B = "203.0.113.21";
      // Eleven creates from A, most with a forged entry (another each time) in front of it.
      await assertCreatesCountedTogether(one, (i) => (i === 0 ? A : `${address(50_000 + i)}, ${i % 3 === 0 ? "unknown" : address(51_000 + i)}, ${A}`), undefined, "A");
      assertRateLimited(await create(one, { xff: A }), TOO_MANY_MATCHMAKING, "A once more");
      assertRateLimited(await create(one, { xff: `${B}, ${A}` }), TOO_MANY_MATCHMAKING, "B, A: counted as A");
      for (const xff of [B, `${A}, ${B}`]) {
        const answer = await create(one, { xff });
        assert.equal(answer.status, 200, `${xff}: ${answer.text}`);
      }
    });

    it("matchmaking: a last entry that is not an address counts as the socket's address", async () => {
      const from = "127.0.0.41";
      // Eleven different non-address last entries (after a different real address each time):
      // all one client, the socket address.
      await assertCreatesCountedTogether(one, (i) => `${address(60_000 + i)}, not-an-ip-${i}`, from, "non-address last entries");
      assertRateLimited(await create(one, { from }), TOO_MANY_MATCHMAKING, "the socket address itself, no header");
      const other = await create(one, { from: "127.0.0.42", xff: `${address(60_000)}, not-an-ip-0` });
      assert.equal(other.status, 200, `another socket address with the same header: ${other.text}`);
    });

    it(`WebSockets: ${CONNECTIONS_LIMIT} open for A and the next is refused 429, while B connects`, async () => {
      const A = "203.0.113.30";
      const B = "203.0.113.31";
      for (const i of range(CONNECTIONS_LIMIT)) {
        const { ws, status } = await connect(one, { xff: i === 0 ? A : `${address(70_000 + i)}, ${A}` });
        assert.ok(ws, `A's connection ${i + 1} of ${CONNECTIONS_LIMIT} refused with ${status}`);
        held.push(ws);
      }
      for (const xff of [A, `${B}, ${A}`]) {
        const over = await connect(one, { xff });
        assert.equal(over.status, 429, `${xff}: counted as A`);
        assert.equal(over.text, "too many connections from your address");
      }
      for (const xff of [B, `${A}, ${B}`]) {
        const { ws, status } = await connect(one, { xff });
        assert.ok(ws, `${xff}: refused with ${status}`);
        held.push(ws);
      }
    });
  });

  describe("TRUST_PROXY=2: the second entry from the end is the client", () => {
    it("matchmaking: neither the forged entries in front nor the outer proxy's entry behind make another client", async () => {
      const C = "192.0.2.30";
      const D = "192.0.2.40";
      // client-written…, C (written by our outer proxy), <outer proxy> (written by nginx):
      // the forged entry and the proxy entry differ every time; C is the client.
      await assertCreatesCountedTogether(two, (i) => `${address(80_000 + i)}, ${C}, 10.255.0.${i + 1}`, undefined, "C behind another outer proxy each time");
      assertRateLimited(await create(two, { xff: `${C}, 10.255.1.1` }), TOO_MANY_MATCHMAKING, "C, proxy: counted as C");
      // D, C: C is the outer proxy here, D the client, with its own budget.
      const d = await create(two, { xff: `${D}, ${C}` });
      assert.equal(d.status, 200, `D, C: counted as D: ${d.text}`);
      const d2 = await create(two, { xff: `${C}, ${D}, 10.255.1.1` });
      assert.equal(d2.status, 200, `C, D, proxy: counted as D: ${d2.text}`);
    });
  });
});
