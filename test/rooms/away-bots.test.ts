/**
 * Two small parts of a room on their own: who is away (src/rooms/away-seats.ts) and the
 * bots' delayed moves (src/rooms/bot-turn.ts, on real RoomTimers).
 */
import assert from "node:assert/strict";
import { AwaySeats } from "../../src/rooms/away-seats.js";
import { BotTurn } from "../../src/rooms/bot-turn.js";
import { RoomTimers } from "../../src/rooms/timers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("AwaySeats (src/rooms/away-seats.ts)", () => {
  it("a drop holds the seat for a full window from now; a second drop keeps the first end; back() ends it; each change is reported once", () => {
    const away = new AwaySeats(() => 30_000);
    const before = Date.now();
    assert.equal(away.drop("ada"), true);
    const end = away.endOf("ada")!;
    assert.ok(end >= before + 30_000 && end <= Date.now() + 30_000);
    assert.equal(away.drop("ada"), false, "already away");
    assert.equal(away.endOf("ada"), end);
    assert.equal(away.takeChanged(), true);
    assert.equal(away.takeChanged(), false, "reported once");
    assert.equal(away.back("bob"), false, "was not away");
    assert.equal(away.takeChanged(), false);
    assert.equal(away.back("ada"), true);
    assert.equal(away.endOf("ada"), undefined);
    assert.equal(away.takeChanged(), true);
  });

  it("a restored seat keeps the end it had (given), even when already marked", () => {
    const away = new AwaySeats(() => 30_000);
    away.drop("ada", 123);
    assert.deepEqual([...away.all], [["ada", 123]]);
  });

  it("everyone(): true only when there is someone and all of them are away", () => {
    const away = new AwaySeats(() => 1000);
    assert.equal(away.everyone([]), false);
    away.drop("ada");
    assert.equal(away.everyone(["ada"]), true);
    assert.equal(away.everyone(["ada", "bob"]), false);
  });
});

describe("BotTurn (src/rooms/bot-turn.ts)", () => {
  let timers: RoomTimers;
  beforeEach(() => (timers = new RoomTimers((err) => assert.fail(String(err)))));
  afterEach(() => timers.clearAll());

  it("plays the bot's move after the delay, read again when it is due; a change meanwhile (a human's drop) does not restart the delay; no bot to move, no timer", async () => {
    let next: string | undefined = "roll";
    const played: string[] = [];
    const bots = new BotTurn(timers, 100, () => next, (m) => played.push(m));
    assert.equal(bots.arm(), "roll");
    await sleep(50);
    // The room changed meanwhile (a human dropped, came back), and the bot is still to move.
    assert.equal(bots.arm(), "roll");
    next = "hold";
    await sleep(80);
    assert.deepEqual(played, ["hold"], "once, at the first delay's end (not 100 ms after the change), with the move as it is when due");
    next = undefined;
    bots.arm();
    assert.equal(timers.size, 0);
  });

  it("a bot no longer to move loses its pending move; when it is to move again, the delay starts from then", async () => {
    let next: string | undefined = "roll";
    const played: string[] = [];
    const bots = new BotTurn(timers, 100, () => next, (m) => played.push(m));
    bots.arm();
    await sleep(50);
    next = undefined;
    bots.arm();
    assert.equal(timers.size, 0, "the pending move is dropped");
    next = "roll";
    bots.arm();
    await sleep(70);
    assert.deepEqual(played, [], "not at the first delay's end");
    await sleep(60);
    assert.deepEqual(played, ["roll"]);
  });

  it("a bot that no longer has a move when the delay ends plays nothing", async () => {
    let next: string | undefined = "roll";
    const played: string[] = [];
    new BotTurn(timers, 10, () => next, (m) => played.push(m)).arm();
    next = undefined;
    await sleep(40);
    assert.deepEqual(played, []);
  });
});
