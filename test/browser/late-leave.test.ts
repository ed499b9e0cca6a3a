/**
 * A Leave pressed while the connection was down is sent once the network is back
 * (client/src/late-leave.ts): the seat is taken back and left for good, so the others read
 * "left" at once instead of waiting out the window. Stand-in client and rooms; the browser's
 * own test is test/browser/leave-resume.test.ts.
 */
import assert from "node:assert/strict";
import { ErrorCode as SdkErrorCode, type Room } from "@colyseus/sdk";
import { leaveWhenBack } from "../../client/src/late-leave.js";
import { onlineNavigator } from "../helpers/online.js";

const refused = (code: number) => Object.assign(new Error(`refused ${code}`), { code });

/** A client answering each reconnect with the next of `answers` ("room": a room whose leave is recorded). */
function standIn(answers: (Error | "room")[]) {
  const seen = { tokens: [] as string[], left: [] as boolean[], reconnecting: [] as boolean[] };
  const client = {
    reconnect: async (token: string) => {
      seen.tokens.push(token);
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
});
