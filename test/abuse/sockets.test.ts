/**
 * `MAX_SOCKETS_PER_IP`: the connections of any kind one address may hold open at once
 * (src/net/socket-cap.ts). Without it, a client reaching the server directly could open
 * connections that send nothing as fast as it liked, each held until the request timeout.
 *
 * "Another client" is another loopback source address (127.0.0.x: Linux routes all of
 * 127/8 to lo), bound with `localAddress`.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { capSocketsPerAddress, MAX_REFUSED_LINGERING } from "../../src/net/socket-cap.js";
import { readEnv } from "../../src/settings.js";
import { healthMs, HonestGame, percentile, startDefaultServer } from "../helpers/abuse.js";
import { stopAllServers } from "../helpers/cluster.js";
import { eventually } from "../helpers/clients.js";

const ATTACKER = "127.0.0.2";

interface Opened {
  socket: net.Socket;
  /** What the server sent on it. */
  received: () => string;
  /** Resolves when the server closed it (or it failed), with the ms since it was opened. */
  closed: Promise<number>;
}

/** A raw connection from `from` that sends `first` (nothing by default) and then waits. */
function open(port: number, from: string, first?: string): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let text = "";
    const socket = net.connect({ port, host: "127.0.0.1", localAddress: from });
    const closed = new Promise<number>((done) => socket.once("close", () => done(performance.now() - t0)));
    socket.on("data", (d: Buffer) => (text += d.toString("utf8")));
    socket.once("error", () => undefined);
    socket.once("connect", () => {
      if (first !== undefined) socket.write(first);
      resolve({ socket, received: () => text, closed });
    });
    socket.once("error", reject);
  });
}

/** One GET on its own connection from `from`; its status. */
function get(port: number, path: string, from: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, localAddress: from, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

const closedWithin = (o: Opened, ms: number) => Promise.race([o.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

describe("Abuse: connections of any kind per address (MAX_SOCKETS_PER_IP)", function () {
  this.timeout(30000);

  describe("the cap (src/net/socket-cap.ts) on a plain HTTP server", () => {
    let server: http.Server;
    let port: number;
    const served: string[] = [];
    const refused: string[] = [];
    let cap: ReturnType<typeof capSocketsPerAddress>;

    beforeEach(async () => {
      served.length = 0;
      refused.length = 0;
      server = http.createServer((req, res) => {
        served.push(req.url!);
        res.end("ok");
      });
      cap = capSocketsPerAddress(server, { maxPerAddress: 3, onRefused: (ip) => refused.push(ip) });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      port = (server.address() as net.AddressInfo).port;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it("an address over the cap is answered 429 and closed, its request never served; other addresses are served; a closed connection frees its place", async () => {
      const idle = [await open(port, ATTACKER), await open(port, ATTACKER), await open(port, ATTACKER)];
      await eventually(() => cap.held(ATTACKER) === 3, "three connections held", 2000);
      const fourth = await open(port, ATTACKER, "GET /fourth HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.ok(await closedWithin(fourth, 2000), "the fourth connection is closed");
      assert.match(fourth.received(), /^HTTP\/1\.1 429 /, "and told why");
      assert.match(fourth.received(), /too many connections from your address$/);
      assert.deepEqual(refused, [ATTACKER], "reported once, with the address");
      assert.deepEqual(served, [], "its request never reached the server's handler");
      for (const o of idle) assert.equal(o.socket.destroyed, false, "the three under the cap stay open");

      assert.equal(await get(port, "/other", "127.0.0.3"), 200, "another address is served meanwhile");

      idle[0]!.socket.destroy();
      await eventually(() => cap.held(ATTACKER) === 2, "the closed one counted out", 2000);
      assert.equal(await get(port, "/again", ATTACKER), 200, "the address may open one again");
      assert.deepEqual(served, ["/other", "/again"]);
      for (const o of idle) o.socket.destroy();
      await eventually(() => cap.held(ATTACKER) === 0, "every connection counted out", 2000);
    });

    it("a refused connection that never reads its answer or closes is dropped after about a second", async () => {
      const connections = () => new Promise<number>((r) => server.getConnections((_err, n) => r(n)));
      const idle = [await open(port, ATTACKER), await open(port, ATTACKER), await open(port, ATTACKER)];
      await eventually(() => cap.held(ATTACKER) === 3, "three connections held", 2000);
      const stubborn = await open(port, ATTACKER);
      stubborn.socket.pause(); // reads nothing (not even the server's close), never closes its side
      await eventually(async () => refused.length === 1 && (await connections()) === 4, "refused, and still open on the server", 2000);
      const t0 = performance.now();
      await eventually(async () => (await connections()) === 3, "the server dropped it", 3000);
      const ms = performance.now() - t0;
      assert.ok(ms > 500 && ms < 3000, `dropped ${ms.toFixed(0)} ms after the refusal (it may take a second to read its answer)`);
      for (const o of [...idle, stubborn]) o.socket.destroy();
    });

    it(`an address opening connections as fast as it can holds at most ${MAX_REFUSED_LINGERING} refused ones waiting for their answer: the rest are dropped at once`, async () => {
      const connections = () => new Promise<number>((r) => server.getConnections((_err, n) => r(n)));
      const idle = [await open(port, ATTACKER), await open(port, ATTACKER), await open(port, ATTACKER)];
      await eventually(() => cap.held(ATTACKER) === 3, "three connections held", 2000);
      // 200 more, none of which reads its answer or closes its side.
      const stubborn = await Promise.all(Array.from({ length: 200 }, () => open(port, ATTACKER).catch(() => undefined)));
      for (const o of stubborn) o?.socket.pause();
      await eventually(() => refused.length === 200, "all 200 refused", 5000);
      const onServer = await connections();
      assert.ok(onServer <= 3 + MAX_REFUSED_LINGERING, `${onServer} connections open on the server (3 held + at most ${MAX_REFUSED_LINGERING} refused waiting)`);
      assert.equal(await get(port, "/other", "127.0.0.3"), 200, "another address is served meanwhile");
      for (const o of [...idle, ...stubborn]) o?.socket.destroy();
    });
  });

  it("the setting: unset, it leaves room for the WebSockets' own cap (none when they have none); set below that cap, the server refuses to start, naming both; behind proxies it is not used, and not checked", () => {
    assert.equal(readEnv({}).MAX_SOCKETS_PER_IP, 64, "the default: nginx's limit_conn in deploy/nginx.ts, twice the 32 WebSockets");
    assert.equal(readEnv({ MAX_CONNECTIONS_PER_IP: "100" }).MAX_SOCKETS_PER_IP, 200, "an operator's larger WebSocket cap keeps working");
    assert.equal(readEnv({ MAX_CONNECTIONS_PER_IP: "0" }).MAX_SOCKETS_PER_IP, 0, "WebSockets unlimited: connections too");
    assert.equal(readEnv({ MAX_SOCKETS_PER_IP: "64", MAX_CONNECTIONS_PER_IP: "0" }).MAX_SOCKETS_PER_IP, 64, "set, it holds");
    assert.throws(() => readEnv({ MAX_SOCKETS_PER_IP: "16", MAX_CONNECTIONS_PER_IP: "32" }), /MAX_SOCKETS_PER_IP: 16 is below MAX_CONNECTIONS_PER_IP \(32\)/);
    assert.equal(readEnv({ MAX_SOCKETS_PER_IP: "16", MAX_CONNECTIONS_PER_IP: "32", TRUST_PROXY: "1" }).MAX_SOCKETS_PER_IP, 16, "behind a proxy: not checked (not used)");
    assert.equal(readEnv({ MAX_SOCKETS_PER_IP: "0", MAX_CONNECTIONS_PER_IP: "32" }).MAX_SOCKETS_PER_IP, 0, "0 lifts it");
  });

  describe("a server process at its defaults, reached directly (TRUST_PROXY=0)", () => {
    afterEach(() => stopAllServers());

    it("200 silent connections from one address: 64 are held, the rest closed at once (told 429 while few wait for it) and counted; an honest game and /health go on; the address is served again once it lets go", async () => {
      const server = await startDefaultServer({ TRUST_PROXY: "0" });
      const game = await HonestGame.start(server);
      const before: number[] = [];
      for (let i = 0; i < 5; i++) before.push(await game.move());

      const attack = await Promise.all(Array.from({ length: 200 }, () => open(server.port, ATTACKER)));
      const during: number[] = [];
      for (let i = 0; i < 5; i++) during.push(await game.move());
      const health = [await healthMs(server), await healthMs(server)];
      const closed = await Promise.all(attack.map((o) => closedWithin(o, 1500)));
      const held = closed.filter((c) => !c).length;
      assert.equal(held, 64, `64 held (the default), the rest closed: ${held} held`);
      // Refused all at once: the first of them are told 429; beyond MAX_REFUSED_LINGERING still waiting for their answer, closed without one.
      const refused = attack.filter((o, i) => closed[i] && /^HTTP\/1\.1 429 /.test(o.received()));
      assert.ok(refused.length >= MAX_REFUSED_LINGERING && refused.length <= 136, `${refused.length} refused connections told 429`);
      assert.ok(attack.every((o, i) => !closed[i] || o.received() === "" || /^HTTP\/1\.1 429 /.test(o.received())), "the others were told nothing else");

      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      assert.match(metrics, /^connections_refused_total\{reason="sockets-per-ip"\} 136$/m, "every refusal counted");
      await server.logged((l) => l.msg === "connection refused" && l.reason === "sockets-per-ip", 'a "connection refused" line, before counting them');
      const lines = server.logs().filter((l) => l.msg === "connection refused" && l.reason === "sockets-per-ip");
      assert.ok(lines.length >= 1 && lines.length <= 3, `about a line a second, not one per refusal: ${lines.length}`);
      assert.equal(lines[0]!.ip, ATTACKER);

      console.log(`      honest move ms before ${before.map((v) => v.toFixed(1)).join(", ")}; during ${during.map((v) => v.toFixed(1)).join(", ")}; /health ${health.map((v) => v.toFixed(1)).join(", ")}`);
      assert.ok(percentile(during, 100) < 1000, "the honest game goes on");
      assert.equal(await get(server.port, "/api/rooms", "127.0.0.3"), 200, "another address is served");

      for (const o of attack) o.socket.destroy();
      await eventually(async () => (await get(server.port, "/api/rooms", ATTACKER).catch(() => 0)) === 200, "the attacker's address served again", 3000);
      await game.leave();
    });
  });
});
