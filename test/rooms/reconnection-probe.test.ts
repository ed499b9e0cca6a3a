/**
 * Which connection a presented reconnection token would take a seat from, and what asking it
 * does (src/rooms/reconnection-probe.ts), on real WebSocket connections with stand-ins for
 * Colyseus's clients: the room tests (test/rooms/silent-connection.test.ts) show the same
 * through a real room, end to end.
 */
import assert from "node:assert/strict";
import pino from "pino";
import { ClientState, type Client } from "@colyseus/core";
import { WebSocket } from "ws";
import { ReturnTokens } from "../../src/rooms/join-ack.js";
import { ReconnectionProbe } from "../../src/rooms/reconnection-probe.js";
import { PROBE_PING, SILENT_PROBE_MS } from "../../src/rooms/silent-connection.js";
import { cutConnection, cutReason } from "../../src/transport.js";
import { quiet as sleep } from "../helpers/clients.js";
import { socketPairs } from "../helpers/sockets.js";

type Stand = Client & { state: ClientState };

describe("ReconnectionProbe: the connection a presented token would take a seat from (src/rooms/reconnection-probe.ts)", function () {
  this.timeout(10_000);
  const { pair } = socketPairs();
  let lines: Array<Record<string, unknown>>;
  let probe: ReconnectionProbe;
  let returns: ReturnTokens;
  beforeEach(() => {
    lines = [];
    returns = new ReturnTokens();
    // seatReservationSeconds 0.4: the holder has 200 ms to answer (half the reservation, under SILENT_PROBE_MS).
    probe = new ReconnectionProbe(returns, pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) }), 0.4);
  });
  const said = (pattern: RegExp) => lines.filter((l) => pattern.test(String(l.msg))).map((l) => l.sessionId);

  /** A client stand-in on a new connection whose peer answers pings if `answersPings`; `pinged` counts the probe's pings it got. */
  async function client(sessionId: string, token: string, state: ClientState, answersPings: boolean) {
    const { side, peer } = await pair(answersPings);
    let pinged = 0;
    peer.on("ping", (data: Buffer) => data.equals(PROBE_PING) && pinged++);
    const closed = new Promise<number>((resolve) => side.once("close", () => resolve(Date.now())));
    const c = { sessionId, reconnectionToken: token, state, ref: side } as unknown as Stand;
    return { c, side, closed, pinged: () => pinged };
  }

  /** A reconnection of `sessionId` still joining, whose seat was held under `held` (its player came back with one of them). */
  async function returning(sessionId: string, token: string, held: string[], answersPings: boolean) {
    const r = await client(sessionId, token, ClientState.JOINING, answersPings);
    returns.restored(sessionId, held);
    returns.back(r.c);
    return r;
  }

  it("finds the connected client whose own token it is among several; undefined, asking nobody, for a token nobody holds", async () => {
    const ada = await client("ada", "t-ada", ClientState.JOINED, true);
    const bob = await client("bob", "t-bob", ClientState.JOINED, true);
    assert.equal(probe.ask([ada.c, bob.c], "t-bob"), bob.c);
    assert.equal(probe.ask([ada.c, bob.c], "t-nobody"), undefined);
    await sleep(300);
    assert.deepEqual([ada.pinged(), bob.pinged()], [0, 1], "only the holder was asked");
  });

  it("a silent holder is dropped once its time (half the seat reservation, here 200 ms) is up; a live one stays, and the operator reads which", async () => {
    const quiet = await client("ada", "t-ada", ClientState.JOINED, false);
    const live = await client("bob", "t-bob", ClientState.JOINED, true);
    const t0 = Date.now();
    probe.ask([quiet.c, live.c], "t-ada");
    probe.ask([quiet.c, live.c], "t-bob");
    const dropAfter = (await quiet.closed) - t0;
    assert.ok(dropAfter >= 190 && dropAfter < SILENT_PROBE_MS, `dropped ${dropAfter} ms after it was asked`);
    await sleep(100);
    assert.equal(live.side.readyState, WebSocket.OPEN);
    assert.deepEqual(said(/answered no ping: that connection is dropped/), ["ada"]);
  });

  it("the probe's time: SILENT_PROBE_MS by default (1 s of a 5 s reservation), a set time under half the reservation (300 ms of 5 s), half the reservation when over it (3 s asked of a 1 s reservation: 500 ms)", async () => {
    // [set time (undefined: the default), seat reservation in seconds, expected ms, slack ms]
    const cases = [
      [undefined, 5, SILENT_PROBE_MS, 1500],
      [300, 5, 300, 400],
      [3000, 1, 500, 400],
    ] as const;
    for (const [probeMs, seatSeconds, expected, slack] of cases) {
      probe = new ReconnectionProbe(returns, pino({ level: "silent" }), seatSeconds, probeMs);
      const quiet = await client("ada", "t-ada", ClientState.JOINED, false);
      const t0 = Date.now();
      probe.ask([quiet.c], "t-ada");
      const dropAfter = (await quiet.closed) - t0;
      assert.ok(dropAfter >= expected - 10 && dropAfter < expected + slack, `SILENT_PROBE_MS ${probeMs ?? "default"}, a ${seatSeconds} s reservation: dropped ${dropAfter} ms after it was asked (expected ${expected})`);
    }
  });

  it("a reconnection still joining holds the tokens its player may have come back with: silent, it is cut as the join-ack deadline would cut it (the no-ack cut), and dropped at once", async () => {
    const r = await returning("ada", "t-new", ["t-old", "t-older"], false);
    const t0 = Date.now();
    assert.equal(probe.ask([r.c], "t-older"), r.c, "a token the player came back with");
    const closedAfter = (await r.closed) - t0;
    assert.ok(closedAfter >= 190 && closedAfter < 1100, `cut and dropped ${closedAfter} ms after it was asked (its 200 ms, not the second more a cut connection has to answer its close)`);
    assert.equal(cutReason(r.side), "no-ack", "the join-ack deadline's cut (src/rooms/join-ack.ts, cutReconnection)");
    assert.deepEqual(said(/never acknowledged its join: that one is cut/), ["ada"]);
  });

  it("a reconnection still joining that answers is left alone, with either token", async () => {
    const r = await returning("ada", "t-new", ["t-old"], true);
    assert.equal(probe.ask([r.c], "t-old"), r.c);
    assert.equal(probe.ask([r.c], "t-new"), r.c);
    await sleep(400);
    assert.equal(r.pinged(), 1, "asked once: the tries share the probe");
    assert.equal(r.side.readyState, WebSocket.OPEN);
    assert.equal(cutReason(r.side), undefined);
  });

  it("a first join still joining (no seat to hold: its deadline frees it) is found by its token but not asked", async () => {
    const first = await client("ada", "t-ada", ClientState.JOINING, false);
    assert.equal(probe.ask([first.c], "t-ada"), first.c, "its token is refused meanwhile");
    await sleep(400);
    assert.equal(first.pinged(), 0);
    assert.equal(first.side.readyState, WebSocket.OPEN);
  });

  it("the token a reconnection came back with is spent once it acknowledged its join; nor is a token held for one player anyone else's", async () => {
    const joined = await returning("ada", "t-new", ["t-old"], false);
    // Acknowledged: Colyseus marks the client JOINED (what ReturnTokens remembers stays; the probe reads the state).
    joined.c.state = ClientState.JOINED;
    const other = await returning("bob", "t-bob-new", ["t-bob-old"], false);
    assert.equal(probe.ask([joined.c, other.c], "t-old"), undefined, "spent");
    assert.equal(probe.ask([joined.c, other.c], "t-ada-unknown"), undefined);
    assert.equal(probe.ask([other.c], "t-old"), undefined, "Ada's token is not Bob's");
    await sleep(400);
    assert.deepEqual([joined.pinged(), other.pinged()], [0, 0]);
  });

  it("a holder the server already cut (here as too slow) is dropped at once, without a ping: it reads nothing more, so it could not answer one", async () => {
    const slow = await client("ada", "t-ada", ClientState.JOINED, true);
    cutConnection(slow.side, "slow", 4430, "too slow: reconnect");
    const t0 = Date.now();
    assert.equal(probe.ask([slow.c], "t-ada"), slow.c);
    const closedAfter = (await slow.closed) - t0;
    assert.ok(closedAfter < 800, `closed ${closedAfter} ms after the token came (the cut's own drop comes after 1 s)`);
    assert.equal(slow.pinged(), 0);
    assert.deepEqual(lines.filter((l) => /already cut/.test(String(l.msg))).map((l) => [l.sessionId, l.cut]), [["ada", "slow"]]);
  });
});
