/**
 * Redis connections that notice a network gone silent (src/net/redis.ts), on a private
 * redis-server behind a proxy in the test process (test/helpers/silent-proxy.ts): a
 * subscriber that only listens is made again after a silent cut, so messages reach it once
 * the network is back; and a connection closed with a command in flight is not destroyed
 * again by the old connection's timer once it is back (ioredis 5, redis/ioredis#2147).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { watchedRedis, WatchedRedisPresence } from "../../src/net/redis.js";
import { eventually } from "../helpers/clients.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { silentProxy, type SilentProxy } from "../helpers/silent-proxy.js";

describe("Redis connections that notice a silent network (src/net/redis.ts)", function () {
  this.timeout(30000);
  let redis: TestRedis;
  let proxy: SilentProxy;
  let direct: Redis;
  const closeLater: { disconnect(): void }[] = [];

  beforeEach(async () => {
    redis = await startRedis();
    proxy = await silentProxy({ host: "127.0.0.1", port: Number(new URL(redis.url).port) });
    direct = new Redis(redis.url);
  });
  afterEach(async () => {
    for (const c of closeLater.splice(0)) c.disconnect();
    direct.disconnect();
    await proxy.close();
    await redis.stop();
  });
  const viaProxy = () => `redis://127.0.0.1:${proxy.port}`;

  it("a subscriber that only listens: cut silently, then back: it is made again and gets the next message", async () => {
    const presence = new WatchedRedisPresence(viaProxy(), { pingMs: 200, socketTimeoutMs: 500 });
    closeLater.push({ disconnect: () => presence.shutdown() });
    const got: unknown[] = [];
    await presence.subscribe("chan", (message: unknown) => got.push(message));
    await direct.publish("chan", JSON.stringify({ n: 1 }));
    await eventually(() => got.length === 1, "the first message", 3000);

    proxy.cut();
    await direct.publish("chan", JSON.stringify({ n: 2 })); // lost in the cut
    await new Promise((r) => setTimeout(r, 1500));
    proxy.heal();
    // Published until one arrives: the subscriber must be made again (and subscribed again) to hear any.
    let n = 3;
    await eventually(
      async () => {
        await direct.publish("chan", JSON.stringify({ n: n++ }));
        return got.length > 1;
      },
      "a message after the network is back",
      5000,
    );
    assert.ok((got[1] as { n: number }).n >= 3, "a message published after the network came back");
  });

  it("a connection closed with a command in flight, made again and answering: the old connection's timer does not close it", async () => {
    const client = watchedRedis(viaProxy(), { socketTimeout: 1500, maxRetriesPerRequest: null });
    closeLater.push(client);
    client.on("error", () => undefined);
    await client.ping();
    let closes = 0;
    client.on("close", () => closes++);
    proxy.cut();
    const pending = client.get("k"); // arms the socket timer; never answered on this connection
    await new Promise((r) => setTimeout(r, 300));
    proxy.heal();
    proxy.reset(); // closed abruptly before the timer fired: ioredis makes a new connection
    assert.equal(await pending, null, "the command is sent again on the new connection and answered");
    assert.equal(closes, 1);
    // Busy and answering past the old timer's deadline (1.5 s after the command).
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      await client.ping();
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(closes, 1, "the new connection was never closed");
  });
});
