/**
 * Asking a process directly whether it runs (src/ha/probe.ts), against real sockets: a
 * process answering with its id, one answering with another id (a new process on the dead
 * one's port), a refused port (dead), a listener that never answers (stalled), and answers
 * that are not the route's.
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { internalAddress } from "../../src/app.config.js";
import { aliveHandler, ALIVE_PATH, answersDirectly } from "../../src/ha/probe.js";
import { readEnv } from "../../src/settings.js";
import { freePort } from "../helpers/ports.js";

async function listen(server: http.Server | net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("A process asked directly whether it runs (src/ha/probe.ts)", function () {
  const servers: (http.Server | net.Server)[] = [];
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const s of servers.splice(0)) {
      if (s instanceof http.Server) s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it("answers with its own id: it runs; with another id (a new process on the same port): not the one asked about", async () => {
    const server = http.createServer((req, res) => (req.url === ALIVE_PATH ? aliveHandler(() => "A")(req, res) : res.writeHead(404).end()));
    servers.push(server);
    const address = await listen(server);
    assert.equal(await answersDirectly(address, "A", 1000), true);
    assert.equal(await answersDirectly(address, "B", 1000), false);
    // The route as documented: GET /ha/alive, JSON, never cached by a proxy in between.
    const res = await fetch(`http://${address}/ha/alive`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.deepEqual(await res.json(), { processId: "A" });
  });

  it("a refused connection (the process is gone) or a listener that never answers (stalled) is no answer, within the timeout", async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    let started = Date.now();
    assert.equal(await answersDirectly(refused, "A", 1000), false);
    assert.ok(Date.now() - started < 500, "refused at once");
    const silent = net.createServer((socket) => void sockets.push(socket)); // accepts, says nothing
    servers.push(silent);
    const address = await listen(silent);
    started = Date.now();
    assert.equal(await answersDirectly(address, "A", 300), false);
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 1500, `gave up after ${waited} ms (timeout 300 ms)`);
  });

  it("no address published (a server of an older version) is no answer, without asking anyone", async () => {
    const realFetch = globalThis.fetch;
    let asked = 0;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => (asked++, realFetch(...args))) as typeof fetch;
    try {
      assert.equal(await answersDirectly(undefined, "p1", 50), false);
      assert.equal(await answersDirectly(null, "p1", 50), false);
      assert.equal(await answersDirectly("", "p1", 50), false);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(asked, 0, "no request made");
  });

  it("anything but the route's JSON is no answer: an error status, another page", async () => {
    const refusing = http.createServer((_req, res) => res.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify({ processId: "A" })));
    servers.push(refusing);
    assert.equal(await answersDirectly(await listen(refusing), "A", 1000), false, "an error status, even naming the process");
    const other = http.createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html>a load balancer's page</html>"));
    servers.push(other);
    assert.equal(await answersDirectly(await listen(other), "A", 1000), false, "a page that is not the route's JSON");
  });

  it("the address a process publishes: INTERNAL_ADDRESS with {port} filled in, else loopback for a process bound to every interface, else the one interface HOST names", () => {
    const env = (vars: Record<string, string>) => readEnv(vars);
    assert.equal(internalAddress(env({}), 2570), "127.0.0.1:2570");
    assert.equal(internalAddress(env({ HOST: "::" }), 2570), "127.0.0.1:2570");
    assert.equal(internalAddress(env({ HOST: "localhost" }), 2570), "localhost:2570", "a name stays a name (it may be bound on ::1)");
    assert.equal(internalAddress(env({ HOST: "10.0.0.5" }), 2570), "10.0.0.5:2570");
    assert.equal(internalAddress(env({ HOST: "fd00::5" }), 2570), "[fd00::5]:2570");
    assert.equal(internalAddress(env({ HOST: "10.0.0.5", INTERNAL_ADDRESS: "game-3.internal:{port}" }), 2571), "game-3.internal:2571");
  });
});
