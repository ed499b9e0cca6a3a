/**
 * A Leave pressed while the connection was down is sent once the network is back
 * (client/src/late-leave.ts): the seat is taken back and left for good, so the others read
 * "left" at once instead of waiting out the window. Stand-in client and rooms; the browser's
 * own test is test/browser/leave-resume.test.ts.
 */
import assert from "node:assert/strict";
import { ErrorCode as SdkErrorCode, type Room } from "@colyseus/sdk";
import { RATE_LIMIT_WAIT_MS } from "../../client/src/errors.js";
import { leaveWhenBack } from "../../client/src/late-leave.js";
import { RESTORE_DELAYS_MS } from "../../client/src/seat-restore.js";
import { goOffline, onlineNavigator } from "../helpers/online.js";

const refused = (code: number) => Object.assign(new Error(`refused ${code}`), { code });

/** A client answering each reconnect with the next of `answers` ("room": a room whose leave is recorded). */
function standIn(answers: (Error | "room")[]) {
  const seen = { at: [] as number[], tokens: [] as string[], left: [] as boolean[], reconnecting: [] as boolean[] };
  const client = {
    reconnect: async (token: string) => {
      seen.tokens.push(token);
      seen.at.push(Date.now());
      const answer = answers.shift() ?? refused(SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID);
      if (answer !== "room") throw answer;
      const room = {
        reconnection: { enabled: true },
        leave: async (consented: boolean) => {
          seen.left.push(consented);
          seen.reconnecting.push(room.reconnection.enabled);
          return 1000;
        },
      };
      return room as unknown as Room;
    },
  };
  return { client, seen };
}

describe("A Leave sent once the network is back (late-leave.ts)", function () {
  this.timeout(15_000);
  onlineNavigator();

  it("tries again while the server cannot be reached or has not noticed the drop (524 in the window), then takes the seat back and leaves it, consented, with the SDK's reconnection off", async () => {
    const { client, seen } = standIn([new TypeError("Failed to fetch"), refused(SdkErrorCode.MATCHMAKE_EXPIRED), "room"]);
    assert.equal(await leaveWhenBack(client, "room:t", Date.now() + 30_000), "left");
    assert.deepEqual(seen.tokens, ["room:t", "room:t", "room:t"]);
    assert.deepEqual(seen.left, [true], "a consented leave: the others read 'left'");
    assert.deepEqual(seen.reconnecting, [false], "no reconnection of that connection");
  });

  it("stops at once when the room is gone (522), and gives up when the window is over", async () => {
    const gone = standIn([refused(SdkErrorCode.MATCHMAKE_INVALID_ROOM_ID), "room"]);
    assert.equal(await leaveWhenBack(gone.client, "room:t", Date.now() + 30_000), "gone");
    assert.deepEqual(gone.seen.left, []);
    const late = standIn([refused(SdkErrorCode.MATCHMAKE_EXPIRED), "room"]);
    assert.equal(await leaveWhenBack(late.client, "room:t", Date.now() + 1200), "given up", "the seat's window ended: the server gave it up");
    assert.deepEqual(late.seen.left, []);
  });

  it("tries at the fallback's pace (0.5 s, then 1 s apart), and waits what the server asks after 'too many tries' (429)", async () => {
    const { client, seen } = standIn([new TypeError("Failed to fetch"), refused(429), "room"]);
    const start = Date.now();
    assert.equal(await leaveWhenBack(client, "room:t", Date.now() + 30_000), "left");
    const [first, second, third] = seen.at.map((at) => at - start);
    assert.ok(first! >= RESTORE_DELAYS_MS[0]! - 5 && first! < RESTORE_DELAYS_MS[0]! + 900, `the first try ${first} ms after the start`);
    assert.ok(second! - first! >= RESTORE_DELAYS_MS[1]! - 5 && second! - first! < RESTORE_DELAYS_MS[1]! + 900, `the second ${second! - first!} ms after the first`);
    assert.ok(third! - second! >= RATE_LIMIT_WAIT_MS + RESTORE_DELAYS_MS[2]! - 5, `after the 429, the third ${third! - second!} ms later`);
  });

  it("a 'too many tries' (429) near the window's end waits no longer than the window, and gives up after the next pause, with no try after it: the page does not sit out the whole wait for a seat the server gave up", async () => {
    const { client, seen } = standIn([refused(429), "room"]);
    const start = Date.now();
    const windowMs = RESTORE_DELAYS_MS[0]! + 1000;
    assert.equal(await leaveWhenBack(client, "room:t", start + windowMs), "given up");
    const took = Date.now() - start;
    assert.ok(took >= windowMs - 5 && took < windowMs + RESTORE_DELAYS_MS[1]! + 300, `gave up ${took} ms after the start: the window (${windowMs} ms) and at most one more pause, not the 429's ${RATE_LIMIT_WAIT_MS} ms`);
    assert.equal(seen.at.length, 1, "no try after the window");
  });

  it("a seat the server says has expired (524) once the window is over: given up at that answer, not after one more pause", async () => {
    const start = Date.now();
    const giveUpAt = start + RESTORE_DELAYS_MS[0]! + 100;
    // The first try goes out within the window; its answer comes back after it.
    const client = {
      reconnect: async () => {
        await new Promise((r) => setTimeout(r, 300));
        throw refused(SdkErrorCode.MATCHMAKE_EXPIRED);
      },
    };
    assert.equal(await leaveWhenBack(client, "room:t", giveUpAt), "given up");
    const took = Date.now() - start;
    assert.ok(took < RESTORE_DELAYS_MS[0]! + 300 + 200, `gave up ${took} ms after the start: at the answer (${RESTORE_DELAYS_MS[0]! + 300} ms), not a pause of ${RESTORE_DELAYS_MS[1]} ms later`);
  });

  it("past the last of the fallback's pauses, it keeps the last one between tries", async function () {
    this.timeout(30_000);
    const tries = RESTORE_DELAYS_MS.length + 1;
    const { client, seen } = standIn([...Array.from({ length: tries }, () => new TypeError("Failed to fetch") as Error), "room"]);
    assert.equal(await leaveWhenBack(client, "room:t", Date.now() + 60_000), "left");
    const last = RESTORE_DELAYS_MS.at(-1)!;
    const gaps = seen.at.slice(1).map((at, i) => at - seen.at[i]!);
    assert.equal(gaps.length, tries);
    for (const gap of gaps.slice(RESTORE_DELAYS_MS.length - 1)) assert.ok(gap >= last - 5 && gap < last + 900, `a try ${gap} ms after the one before, past the list's end (each ${last} ms)`);
  });

  it("offline, it waits for the network (the 'online' event) before its first try", async () => {
    const offline = goOffline();
    try {
      const { client, seen } = standIn(["room"]);
      const start = Date.now();
      const done = leaveWhenBack(client, "room:t", Date.now() + 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(seen.tokens, [], "nothing tried while offline");
      offline.backOnline();
      assert.equal(await done, "left");
      assert.ok(seen.at[0]! - start >= 1500 + RESTORE_DELAYS_MS[0]! - 5, `tried ${seen.at[0]! - start} ms after the start, once online`);
    } finally {
      offline.restore();
    }
  });
});
