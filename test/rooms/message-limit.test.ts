/**
 * The per-client token bucket (src/rooms/message-limit.ts) on its own, with the clock held
 * still: the exact message at which a client is warned, refused and cut.
 */
import assert from "node:assert/strict";
import { MessageLimit } from "../../src/rooms/message-limit.js";

describe("MessageLimit", () => {
  const realNow = performance.now;
  let now = 0;
  beforeEach(() => {
    now = 1_000;
    performance.now = () => now;
  });
  afterEach(() => {
    performance.now = realNow;
  });

  it("a burst is accepted, the next message warned once, the rest refused, and strike N cuts (for good)", () => {
    const limit = new MessageLimit({ messagesPerSecond: 10, messageBurst: 5, floodDisconnectAfter: 4 });
    limit.add("a");
    const verdicts = Array.from({ length: 5 + 4 + 2 }, () => limit.take("a"));
    assert.deepEqual(verdicts, ["accept", "accept", "accept", "accept", "accept", "warn", "refuse", "refuse", "cut", "refuse", "refuse"]);
    assert.equal(limit.wasCut("a"), true);
    now += 60_000;
    assert.equal(limit.take("a"), "refuse", "a cut client stays cut, whatever the time");
  });

  it("an accepted message forgives the strikes: refusals must come in a row to cut", () => {
    const limit = new MessageLimit({ messagesPerSecond: 10, messageBurst: 1, floodDisconnectAfter: 3 });
    limit.add("a");
    assert.equal(limit.take("a"), "accept");
    assert.deepEqual([limit.take("a"), limit.take("a")], ["warn", "refuse"]);
    now += 100; // one token back (10 a second)
    assert.equal(limit.take("a"), "accept");
    assert.deepEqual([limit.take("a"), limit.take("a"), limit.take("a")], ["warn", "refuse", "cut"], "counted from zero again");
  });

  it("refills at the rate, up to the burst; an unknown or removed client is refused", () => {
    const limit = new MessageLimit({ messagesPerSecond: 10, messageBurst: 3, floodDisconnectAfter: 100 });
    limit.add("a");
    for (let i = 0; i < 3; i++) assert.equal(limit.take("a"), "accept");
    assert.equal(limit.take("a"), "warn");
    now += 250; // 2.5 tokens
    assert.deepEqual([limit.take("a"), limit.take("a"), limit.take("a")], ["accept", "accept", "warn"]);
    now += 10_000; // far more than the burst
    assert.deepEqual([limit.take("a"), limit.take("a"), limit.take("a"), limit.take("a")], ["accept", "accept", "accept", "warn"], "never more than the burst");
    assert.equal(limit.take("nobody"), "refuse");
    assert.equal(limit.remove("a"), true);
    assert.equal(limit.remove("a"), false);
    assert.equal(limit.take("a"), "refuse");
    assert.equal(limit.wasCut("a"), false);
  });

  it("clear forgets every client and tells how many were counted (a closing room counts them out)", () => {
    const limit = new MessageLimit({ messagesPerSecond: 10, messageBurst: 3, floodDisconnectAfter: 100 });
    limit.add("a");
    limit.add("b");
    limit.remove("a");
    assert.equal(limit.clear(), 1, "b only: a was counted out already");
    assert.equal(limit.remove("b"), false, "nothing left to count out twice");
    assert.equal(limit.take("b"), "refuse");
    assert.equal(limit.clear(), 0);
  });
});
