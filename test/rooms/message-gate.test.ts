/**
 * The room's message door (src/rooms/message-gate.ts) on its own, with a fake client and
 * the clock held still: what the sender of each message gets back, and what is counted.
 */
import assert from "node:assert/strict";
import type { Client } from "@colyseus/core";
import { MessageGate } from "../../src/rooms/message-gate.js";
import { MessageLimit } from "../../src/rooms/message-limit.js";
import { CLOSE_FLOODING, ErrorCode } from "../../src/protocol/errors.js";
import type { Logger } from "../../src/logger.js";

function setUp() {
  const sent: [string, unknown][] = [];
  const left: [number | undefined, string | undefined][] = [];
  const client = { sessionId: "a", send: (type: string, payload: unknown) => sent.push([type, payload]), leave: (code?: number, reason?: string) => left.push([code, reason]) } as unknown as Client;
  const counted = { messages: 0, rejected: [] as string[], warnings: 0 };
  const metrics = { message: () => counted.messages++, rejected: (_game: string, code: string) => counted.rejected.push(code) };
  const log = { warn: () => counted.warnings++ } as unknown as Logger;
  const limit = new MessageLimit({ messagesPerSecond: 1, messageBurst: 2, floodDisconnectAfter: 3 });
  limit.add("a");
  const gate = new MessageGate(limit, { metrics: metrics as never, messagesPerSecond: 1 }, "tictactoe", log);
  return { gate, client, sent, left, counted };
}

describe("MessageGate", () => {
  const realNow = performance.now;
  beforeEach(() => {
    performance.now = () => 1_000;
  });
  afterEach(() => {
    performance.now = realNow;
  });

  it("admits a burst, answers the first message over it with one RATE_LIMITED error, refuses the next silently, and cuts a flood with 4429", () => {
    const { gate, client, sent, left, counted } = setUp();
    assert.deepEqual([gate.admit(client), gate.admit(client), gate.admit(client), gate.admit(client), gate.admit(client)], [true, true, false, false, false]);
    assert.deepEqual(sent, [["error", { code: ErrorCode.RATE_LIMITED, message: "Slow down: at most 1 messages per second." }]], "one reply for the whole flood");
    assert.deepEqual(left, [[CLOSE_FLOODING, "too many messages"]], "cut at the third refusal in a row");
    assert.equal(counted.warnings, 1, "the cut is logged");
    assert.equal(counted.messages, 5, "every message counted");
    assert.deepEqual(counted.rejected, [ErrorCode.RATE_LIMITED]);
  });

  it("reject sends the structured error { code, message } to the sender and counts it by code", () => {
    const { gate, client, sent, counted } = setUp();
    gate.reject(client, ErrorCode.NOT_YOUR_TURN, "Wait for your turn.");
    assert.deepEqual(sent, [["error", { code: ErrorCode.NOT_YOUR_TURN, message: "Wait for your turn." }]]);
    assert.deepEqual(counted.rejected, [ErrorCode.NOT_YOUR_TURN]);
  });
});
