/**
 * Which reconnects the matchmaking route answers at once while a room is taken over
 * (src/ha/unanswered.ts): a listed room with no process listening for it. The lookup is
 * the matchmaker's (local rooms, listing, presence channels); here each answer is set by
 * the test, and the real one is exercised through SIGKILL in test/scaling/failover.test.ts.
 */
import assert from "node:assert/strict";
import { unanswered, type RoomLookup } from "../../src/ha/unanswered.js";

function lookup(room: { local?: boolean; listed?: boolean | Error; listening?: boolean | Error }): RoomLookup & { asked: string[] } {
  const asked: string[] = [];
  const answer = async (what: string, value: boolean | Error | undefined) => {
    asked.push(what);
    if (value instanceof Error) throw value;
    return value ?? false;
  };
  return {
    asked,
    local: () => room.local ?? false,
    listed: () => answer("listed", room.listed),
    listening: () => answer("listening", room.listening),
  };
}

describe("A reconnect to a room being taken over (unanswered)", () => {
  it("a listed room nobody listens for is unanswered: its process died and it is not restored yet", async () => {
    assert.equal(await unanswered("r1", lookup({ listed: true, listening: false })), true);
  });

  it("a listed room some process listens for (alive, restored, or only stalled) is answered the usual way", async () => {
    assert.equal(await unanswered("r1", lookup({ listed: true, listening: true })), false);
  });

  it("a room that is not listed goes the usual way (Colyseus says it is gone), without asking who listens", async () => {
    const l = lookup({ listed: false, listening: false });
    assert.equal(await unanswered("r1", l), false);
    assert.deepEqual(l.asked, ["listed"]);
  });

  it("a room on this process is answered without asking Redis", async () => {
    const l = lookup({ local: true, listed: true, listening: false });
    assert.equal(await unanswered("r1", l), false);
    assert.deepEqual(l.asked, []);
  });

  it("when Redis cannot be asked, the reconnect goes the usual way", async () => {
    assert.equal(await unanswered("r1", lookup({ listed: new Error("Connection is closed.") })), false);
    assert.equal(await unanswered("r1", lookup({ listed: true, listening: new Error("Connection is closed.") })), false);
  });
});
