import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "@colyseus/sdk";
import { Redis } from "ioredis";
import { dropConnection, eventually } from "../helpers/clients.js";
import { runServerExpectingExit, startServer, stopAllServers } from "../helpers/cluster.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { freePort, twoFreePorts } from "../helpers/ports.js";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "../..");

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}


describe("Operations", function () {
  this.timeout(60000);
  let redis: TestRedis | undefined;

  afterEach(async () => {
    await stopAllServers();
    await redis?.stop();
    redis = undefined;
  });

  it("serves the monitor only behind its password, and not at all without one", async () => {
    const open = await startServer({ redisUrl: "" });
    const off = await get(`${open.url}/monitor/`);
    assert.equal(off.status, 404);
    assert.match(off.text, /MONITOR_PASSWORD/);

    const guarded = await startServer({ redisUrl: "", env: { MONITOR_PASSWORD: "correct-horse" } });
    assert.equal((await get(`${guarded.url}/monitor/`)).status, 401, "no credentials");
    const wrong = Buffer.from("admin:wrong-horse").toString("base64");
    assert.equal((await get(`${guarded.url}/monitor/`, { Authorization: `Basic ${wrong}` })).status, 401, "wrong password");
    const right = Buffer.from("admin:correct-horse").toString("base64");
    const page = await get(`${guarded.url}/monitor/`, { Authorization: `Basic ${right}` });
    assert.equal(page.status, 200);
    assert.match(page.text, /<html/i);
  });

  it("exports rooms, joins, messages and rejections as Prometheus metrics", async () => {
    const server = await startServer({ redisUrl: "" });
    // Before anything happened, every series known in advance is there at 0 (an alert on
    // rate() sees the first event; until 2026-12-05 a series appeared only with it).
    const fresh = (await get(`${server.url}/metrics`)).text;
    for (const game of ["tictactoe", "dice", "owedrahn", "connectfour"]) {
      for (const series of [`game_rooms{game="${game}"}`, `game_clients{game="${game}"}`, `game_messages_total{game="${game}"}`, `game_reconnections_total{game="${game}"}`, `game_joins_total{game="${game}",role="spectator"}`, `game_rejections_total{game="${game}",code="NOT_YOUR_TURN"}`]) {
        assert.ok(fresh.split("\n").includes(`${series} 0`), `${series} 0 in a fresh process's /metrics`);
      }
    }
    for (const series of ['connections_refused_total{reason="origin"}', 'connections_refused_total{reason="sockets-per-ip"}', 'connections_cut_total{reason="slow"}', 'log_lines_suppressed_total{source="colyseus"}']) {
      assert.ok(fresh.split("\n").includes(`${series} 0`), `${series} 0 in a fresh process's /metrics`);
    }
    const client = new Client(server.url);
    const a = await client.create("tictactoe", { name: "A" });
    const b = await client.joinById(a.roomId, { name: "B" });
    const refused = new Promise<string>((resolve) => a.onMessage("error", (e: { code: string }) => resolve(e.code)));
    a.send("teleport");
    assert.equal(await refused, "UNKNOWN_ACTION");

    // The rendered text is reused for a second (src/metrics.ts): past the one read above.
    await new Promise((r) => setTimeout(r, 1100));
    const { status, text } = await get(`${server.url}/metrics`);
    assert.equal(status, 200);
    assert.match(text, /^game_rooms\{game="tictactoe"\} 1$/m);
    assert.match(text, /^game_clients\{game="tictactoe"\} 2$/m);
    assert.match(text, /^game_joins_total\{game="tictactoe",role="player"\} 2$/m);
    assert.match(text, /^game_messages_total\{game="tictactoe"\} 1$/m);
    assert.match(text, /^game_rejections_total\{game="tictactoe",code="UNKNOWN_ACTION"\} 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.doesNotMatch(text, /^game_reconnections_total\{game="tictactoe"\} [1-9]/m, "nobody has reconnected yet");

    // A dropped player comes back by itself: counted once.
    b.reconnection.minUptime = 0;
    const back = new Promise<void>((resolve) => b.onReconnect(() => resolve()));
    dropConnection(b);
    await back;
    // The server counts it in its onReconnect hook, which may run just after the client hears it is back.
    let metrics = "";
    await eventually(async () => /^game_reconnections_total\{game="tictactoe"\} [1-9]\d*$/m.test((metrics = (await get(`${server.url}/metrics`)).text)), "the reconnection in /metrics", 2000);
    assert.match(metrics, /^game_reconnections_total\{game="tictactoe"\} 1$/m);
    await a.leave();
    await b.leave();
  });

  it("reports ready only while Redis answers", async () => {
    redis = await startRedis();
    const server = await startServer({ redisUrl: redis.url });
    const ok = JSON.parse((await get(`${server.url}/health`)).text);
    assert.equal(ok.status, "ok");
    assert.equal(ok.presence, "redis");
    assert.equal(typeof ok.eventLoop.lagP99Ms, "number");
    await redis.stop();
    let health = await get(`${server.url}/health`);
    await eventually(async () => (health = await get(`${server.url}/health`)).status !== 200, "/health to notice Redis is gone", 2000);
    assert.equal(health.status, 503);
    assert.equal(JSON.parse(health.text).reason, "redis does not answer", "the driver's message (it may name Redis's address) stays in the log");
    server.kill("SIGKILL"); // its Redis is gone; a graceful stop would wait for it
  });

  it("a process that cannot have its port (another program holds it) says so and exits with code 1 (until 2026-12-05 it stayed up, unreachable, and pm2 showed it online)", async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const { code, stdout } = await runServerExpectingExit({ PORT: String(port), ACCOUNTS: "off", REDIS_URL: "" }, 15000);
      assert.equal(code, 1, stdout);
      assert.match(stdout, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another program; exiting`), stdout);
    } finally {
      holder.close();
    }
  });

  it("pm2's configuration with the processes reached directly (no PUBLIC_ADDRESS) lets each process take the pages of all of them: a page loaded from the first creates a room on the second (until 2026-12-05: 403)", async () => {
    const port = await freePort();
    const first = port - 1;
    const { ALLOWED_ORIGINS: _unset, PUBLIC_ADDRESS: _none, ...env } = process.env;
    const { stdout: origins } = await run(process.execPath, ["-e", "process.stdout.write(String(require('./ecosystem.config.js').apps[0].env.ALLOWED_ORIGINS))"], { cwd: ROOT, env: { ...env, INSTANCES: "2", PORT: String(first) } });
    const second = await startServer({ port, redisUrl: "", env: { ACCOUNTS: "off", ...(origins === "undefined" ? {} : { ALLOWED_ORIGINS: origins }) } });
    const create = (origin: string) =>
      fetch(`${second.url}/matchmake/create/tictactoe`, { method: "POST", headers: { "Content-Type": "application/json", Origin: origin }, body: "{}" }).then((r) => r.status);
    assert.equal(await create(`http://localhost:${first}`), 200, `the first process's page, on the second (${origins})`);
    assert.equal(await create(`http://127.0.0.1:${first}`), 200, "the same page at 127.0.0.1");
    assert.equal(await create(`http://localhost:${port}`), 200, "the second's own page");
    assert.equal(await create("http://evil.example"), 403, "a foreign page");
    assert.equal(await create(`http://localhost:${port + 1}`), 403, "a port no process of the two has");
  });

  it("pm2 runs the built server as one process per instance on consecutive ports sharing Redis", async function () {
    this.timeout(120000);
    redis = await startRedis();
    await run(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT });
    const base = await twoFreePorts();
    const pm2Home = mkdtempSync(path.join(os.tmpdir(), "pm2-"));
    const env = { ...process.env, PM2_HOME: pm2Home, INSTANCES: "2", PORT: String(base), REDIS_URL: redis.url, PUBLIC_ADDRESS: "127.0.0.1:{port}", DRAIN_SECONDS: "2", LOG_LEVEL: "warn" };
    const pm2 = (...args: string[]) => run(process.execPath, [path.join(ROOT, "node_modules/pm2/bin/pm2"), ...args], { cwd: ROOT, env });
    try {
      await pm2("start", "ecosystem.config.js");
      for (const port of [base, base + 1]) {
        const health = await get(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200, `instance on ${port}`);
      }
      // Rooms created through the first process are spread over both.
      // The matchmaker places a new room on the process with the fewest, from the counts each
      // publishes to Redis (about once a second): after each create, wait for the counts to show it.
      const addresses = new Set<string>();
      const stats = new Redis(redis.url);
      const published = async () => Object.values(await stats.hgetall("roomcount")).reduce((n, v) => n + Number(v.split(",")[0]), 0);
      try {
        for (let created = 1; created <= 6 && addresses.size < 2; created++) {
          const res = await fetch(`http://127.0.0.1:${base}/matchmake/create/tictactoe`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
          addresses.add(((await res.json()) as { publicAddress: string }).publicAddress);
          await eventually(async () => (await published()) >= created, `both processes' published room counts to add up to ${created}`, 5000);
        }
      } finally {
        stats.disconnect();
      }
      assert.deepEqual([...addresses].sort(), [`127.0.0.1:${base}`, `127.0.0.1:${base + 1}`]);
    } finally {
      await pm2("kill").catch(() => undefined);
      rmSync(pm2Home, { recursive: true, force: true });
    }
  });
});
