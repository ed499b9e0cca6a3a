/**
 * A seated player's way back after their process died (client/src/seat-restore.ts) on its
 * own, with a stand-in screen and stand-in answers from the server: what the status says
 * while it runs, when it gives the game up and with what words, and that it tries with the
 * seat's current token. The browser's own tests (test/browser/failover.test.ts) run it
 * against real killed processes; this one needs no page.
 */
import assert from "node:assert/strict";
import { CloseCode, ErrorCode as SdkErrorCode, type Room } from "@colyseus/sdk";
import { GAME_GONE_TEXT, RECONNECTING_TEXT, RESTORE_DELAYS_MS, RESTORING_TEXT, SeatRestore, seatGoneText } from "../../client/src/seat-restore.js";
import { RATE_LIMIT_WAIT_MS } from "../../client/src/errors.js";
import { CLOSE_ROOM_MOVED } from "../../src/protocol/errors.js";
import { sleep } from "../../client/src/dom.js";
import { goOffline, onlineNavigator } from "../helpers/online.js";

/** An answer the SDK rejects a reconnect with (`code`: the matchmaker's HTTP status). */
const refused = (code: number) => Object.assign(new Error(`refused ${code}`), { code });

/**
 * A screen holding `room`, answering each reconnect with the next of `answers` (an error is a
 * refusal). Like the game screen, it stops the fallback once the seat is back or the game
 * lost. A short window by default: the fallback's give-up timers end soon after the tests.
 */
function standIn(answers: (Error | "back" | { backAfter: number })[], reconnectSeconds = 0, running = true, marginMs?: number) {
  const room = { reconnectionToken: "room:t1", state: { reconnectSeconds } } as unknown as Room;
  const seen = { at: [] as number[], tokens: [] as string[], statuses: [] as (string | undefined)[], lost: undefined as { code: number; detail: string } | undefined, restored: undefined as Room | undefined, began: 0 };
  const back = { roomId: "room" } as unknown as Room;
  let restore: SeatRestore;
  let over: () => void;
  const ended = new Promise<void>((resolve) => (over = resolve));
  restore = new SeatRestore({
    room,
    reconnect: async (token) => {
      seen.tokens.push(token);
      seen.at.push(Date.now());
      // The SDK's own reconnection (meanwhile) gave the seat a new token.
      (room as { reconnectionToken: string }).reconnectionToken = `room:t${seen.tokens.length + 1}`;
      const answer = answers.shift() ?? refused(SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID);
      if (answer === "back") return back;
      if ("backAfter" in answer) return sleep(answer.backAfter).then(() => back);
      throw answer;
    },
    done: () => seen.lost !== undefined,
    gameRunning: () => running,
    began: () => seen.began++,
    restored: (_old, r) => {
      restore.stop();
      seen.restored = r;
      over();
    },
    lost: (code, detail) => {
      restore.stop();
      seen.lost = { code, detail };
      over();
    },
    render: () => seen.statuses.push(restore.status()),
  }, marginMs);
  return { room, back, seen, restore, ended };
}

describe("A seated player's way back after their process died (seat-restore.ts)", () => {
  onlineNavigator();

  it("says 'reconnecting' until the server says the game's process is gone (523), then 'the server restarted'; gets the seat back with its current token each try", async () => {
    const { room, back, seen, restore, ended } = standIn([refused(SdkErrorCode.MATCHMAKE_UNHANDLED), "back"]);
    assert.equal(restore.status(), undefined, "not running: the status is the game's");
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    assert.equal(restore.active, true);
    await ended;
    assert.equal(seen.began, 1);
    assert.deepEqual(seen.statuses, [RECONNECTING_TEXT, RESTORING_TEXT], "the first render, then the one after the 523");
    assert.deepEqual(seen.tokens, ["room:t1", "room:t2"], "each try with the token the room holds then");
    assert.equal(seen.restored, back);
    assert.equal(seen.lost, undefined);
  });

  it("while it runs after a plain drop, counts down how long the seat is kept (from the room's window); nothing once a restart is heard, or once it stops", async () => {
    const { room, restore, ended } = standIn([refused(SdkErrorCode.MATCHMAKE_UNHANDLED), "back"], 20);
    assert.equal(restore.seatKeptFor(), undefined, "not running");
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    // read after start() took the drop's time: a millisecond that ticks between the two would make it 21 s
    const start = Date.now();
    assert.equal(restore.seatKeptFor(start), 20);
    assert.equal(restore.seatKeptFor(start + 5500), 15);
    assert.equal(restore.seatKeptFor(start + 25_000), 0);
    await sleep(700);
    assert.equal(restore.seatKeptFor(), undefined, "after the 523: a restored room keeps the seat from its restore, which the page cannot know");
    await ended;
    assert.equal(restore.seatKeptFor(), undefined, "back in the game");
    const moved = standIn(["back"], 20);
    void moved.restore.start(moved.room, CLOSE_ROOM_MOVED);
    assert.equal(moved.restore.seatKeptFor(), undefined, "a room that moved");
    await moved.ended;
  });

  it("says at once that the server restarted when the room moved (4412)", async () => {
    const { room, seen, restore, ended } = standIn(["back"]);
    void restore.start(room, CLOSE_ROOM_MOVED);
    assert.equal(restore.status(), RESTORING_TEXT);
    await ended;
    assert.deepEqual(seen.statuses, [RESTORING_TEXT]);
  });

  it("gives the game up after three 'no such room' answers (522) in a row, not after two with a 523 between", async function () {
    this.timeout(15_000);
    const gone = () => refused(SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID);
    const { room, seen, restore, ended } = standIn([gone(), gone(), refused(SdkErrorCode.MATCHMAKE_UNHANDLED), gone(), gone(), gone()], 60);
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    assert.equal(seen.tokens.length, 6, "a 523 between starts the count again");
    assert.deepEqual(seen.lost, { code: CloseCode.ABNORMAL_CLOSURE, detail: GAME_GONE_TEXT });
  });

  it("says the seat was given up when the server answers 'expired' once the window is over: a forfeit if a game was running at the drop, none between games", async () => {
    for (const running of [true, false]) {
      const { room, seen, restore, ended } = standIn([refused(SdkErrorCode.MATCHMAKE_EXPIRED)], 0, running);
      void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
      await ended;
      assert.equal(seen.tokens.length, 1);
      assert.deepEqual(seen.lost, { code: CloseCode.ABNORMAL_CLOSURE, detail: seatGoneText(0, running) });
    }
    assert.match(seatGoneText(30_000, true), /\(30 s\), so your seat was given up: the game went on without you, and counts as a forfeit\.$/);
    assert.match(seatGoneText(30_000, false), /\(30 s\), so your seat was given up\. No game was running when your connection dropped\.$/);
  });

  it("stops when told (the SDK's own reconnection came back first): no more tries, neither restored nor lost", async () => {
    const { room, seen, restore } = standIn([refused(SdkErrorCode.MATCHMAKE_UNHANDLED), "back"]);
    const run = restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    restore.stop();
    assert.equal(restore.active, false);
    assert.equal(restore.status(), undefined);
    await run;
    assert.deepEqual(seen.tokens, [], "stopped during its first wait");
    assert.equal(seen.restored, undefined);
    assert.equal(seen.lost, undefined);
  });

  it("starts by itself a moment after a drop, once for several drops, and not for a room the screen no longer shows", async function () {
    this.timeout(10_000);
    const { room, seen, restore, ended } = standIn(["back", "back"]);
    restore.dropped(room);
    await sleep(1000);
    // The SDK's next failed retry, before the fallback started: no second one.
    restore.dropped(room);
    assert.equal(restore.active, false, "not at once: the SDK's own retries go first");
    await ended;
    // Long enough for a second fallback, had the second drop scheduled one, to start and try.
    await sleep(2500);
    assert.equal(seen.began, 1);
    assert.deepEqual(seen.tokens, ["room:t1"]);
    const other = standIn(["back"]);
    void other.restore.start({} as Room, CloseCode.ABNORMAL_CLOSURE);
    assert.equal(other.restore.active, false, "an old room's drop");
  });

  it("tries at the fallback's pace (0.5 s, then 1 s apart…); online with 'not there yet' (523) answers all along, it gives up once the window and its margin are over, saying it did not work (the server may be down), not a forfeit", async () => {
    const { room, seen, restore, ended } = standIn(Array.from({ length: 20 }, () => refused(SdkErrorCode.MATCHMAKE_UNHANDLED)), 0, true, 3000);
    const start = Date.now();
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    const took = Date.now() - start;
    assert.ok(seen.at[0]! - start >= RESTORE_DELAYS_MS[0]! - 5 && seen.at[0]! - start < RESTORE_DELAYS_MS[0]! + 900, `the first try ${seen.at[0]! - start} ms after the start`);
    const gap = seen.at[1]! - seen.at[0]!;
    assert.ok(gap >= RESTORE_DELAYS_MS[1]! - 5 && gap < RESTORE_DELAYS_MS[1]! + 900, `the second ${gap} ms after the first`);
    assert.ok(seen.tokens.length >= 2 && seen.tokens.length <= 3, `tries at 0.5, 1.5 and 2.5 s of a 3 s margin (the next would be at 3.5 s): ${seen.tokens.length}`);
    assert.ok(took >= 3000 - 5 && took < 5000, `gave up ${took} ms after the start`);
    assert.equal(seen.lost?.code, CloseCode.ABNORMAL_CLOSURE);
    assert.match(seen.lost?.detail ?? "", /^Bringing your game back did not work: /);
    assert.equal(seen.restored, undefined);
  });

  it("a try with no answer when the window and margin end: lost with no reason (nothing answered), not before; the seat, if that try brings it back later, is kept", async () => {
    const { room, seen, restore, ended } = standIn([{ backAfter: 1200 }], 0, true, 1000);
    const start = Date.now();
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    assert.ok(Date.now() - start >= 1000 - 5, `lost ${Date.now() - start} ms after the start, once the margin was over`);
    assert.deepEqual(seen.lost, { code: CloseCode.ABNORMAL_CLOSURE, detail: "" });
    await sleep(1500);
    assert.equal(seen.restored?.roomId, "room", "the late answer's seat is handed to the screen (which leaves it, being lost)");
  });

  it("offline all along: when the window and margin end, the seat was given up (the player was away)", async () => {
    const offline = goOffline();
    try {
      const { room, seen, restore, ended } = standIn(["back"], 0, true, 800);
      void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
      await ended;
      assert.deepEqual(seen.tokens, [], "no try while offline");
      assert.deepEqual(seen.lost, { code: CloseCode.ABNORMAL_CLOSURE, detail: seatGoneText(0, true) });
    } finally {
      offline.restore();
    }
  });

  it("'expired' (524) within the window is not the end (the server may not have seen the drop yet), and a network error is no restart", async () => {
    const { room, seen, restore, ended } = standIn([refused(SdkErrorCode.MATCHMAKE_EXPIRED), new TypeError("Failed to fetch"), "back"], 60);
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    assert.equal(seen.restored?.roomId, "room");
    assert.equal(seen.lost, undefined);
    assert.ok(!seen.statuses.includes(RESTORING_TEXT), `never 'the server restarted': ${JSON.stringify(seen.statuses)}`);
  });

  it("too many tries from this network (429): waits what the server asks before the next", async function () {
    this.timeout(15_000);
    const { room, seen, restore, ended } = standIn([refused(429), "back"], 60);
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    const gap = seen.at[1]! - seen.at[0]!;
    assert.ok(gap >= RATE_LIMIT_WAIT_MS + RESTORE_DELAYS_MS[1]! - 5, `the next try ${gap} ms later`);
    assert.equal(seen.restored?.roomId, "room");
  });

  it("counts the seat's time from the drop the SDK reported, not from its own start; a second start while it runs does nothing; a stop forgets a restart it heard", async function () {
    this.timeout(10_000);
    const { room, seen, restore, ended } = standIn([refused(SdkErrorCode.MATCHMAKE_UNHANDLED), "back"], 20);
    restore.dropped(room);
    const droppedAt = Date.now();
    for (let waited = 0; !restore.active && waited < 4000; waited += 50) await sleep(50);
    assert.equal(restore.active, true, "started by itself");
    assert.equal(restore.seatKeptFor(droppedAt + 5500), 15, "20 s from the drop, 1.5 s before the start");
    void restore.start(room, CloseCode.ABNORMAL_CLOSURE);
    await ended;
    assert.equal(seen.began, 1, "one run");
    assert.equal(seen.tokens.length, 2);
    assert.deepEqual(seen.statuses.at(-1), RESTORING_TEXT, "the 523 was heard");
    // A new drop after a stop: a plain drop again until the server says otherwise.
    const again = standIn(["back"], 20);
    void again.restore.start(again.room, CloseCode.ABNORMAL_CLOSURE);
    again.restore.stop();
    void again.restore.start(again.room, CloseCode.ABNORMAL_CLOSURE);
    assert.equal(again.restore.status(), RECONNECTING_TEXT);
    await again.ended;
  });
});
