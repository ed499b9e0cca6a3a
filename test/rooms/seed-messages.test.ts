/**
 * A room's fair-dice messages (src/rooms/seed-messages.ts) on their own: what a player
 * sending `client_seed` gets back in each case, and that the confirmation and the revealed
 * seeds wait for the patch.
 */
import assert from "node:assert/strict";
import type { Client } from "@colyseus/core";
import { SeedMessages } from "../../src/rooms/seed-messages.js";
import { ErrorCode } from "../../src/protocol/errors.js";

function setUp(options: { admit?: boolean; seated?: boolean; taken?: boolean } = {}) {
  const seen: unknown[][] = [];
  const pending: (() => void)[] = [];
  const client = { sessionId: "a", send: (type: string, payload: unknown) => seen.push(["send", type, payload]) } as unknown as Client;
  const seeds = new SeedMessages(
    { admit: () => options.admit ?? true, reject: (_client, code, message) => seen.push(["reject", code, message]) },
    { clientSeed: (id, seed) => (seen.push(["clientSeed", id, seed]), options.taken ?? true) },
    { then: (fn) => pending.push(fn) },
    { isSeated: () => options.seated ?? true, commit: () => seen.push(["commit"]), broadcast: (type, payload) => seen.push(["broadcast", type, payload]) },
  );
  const flush = () => pending.splice(0).forEach((fn) => fn());
  return { seeds, client, seen, flush };
}

describe("SeedMessages: client_seed and the revealed seeds", () => {
  it("a seated player's seed before a game is taken, committed, and confirmed once the patch is out", () => {
    const { seeds, client, seen, flush } = setUp();
    seeds.clientSeed(client, { seed: "lucky-7" });
    assert.deepEqual(seen, [["clientSeed", "a", "lucky-7"], ["commit"]], "not confirmed before the patch holding it");
    flush();
    assert.deepEqual(seen.at(-1), ["send", "clientSeedAccepted", { seed: "lucky-7" }]);
  });

  it("refuses, changing nothing: a bad payload, a spectator, a seed while a game runs; the gate's refusal gets nothing", () => {
    const cases: [Parameters<typeof setUp>[0], unknown, [string, RegExp] | undefined][] = [
      [{}, { seed: "a:b" }, [ErrorCode.INVALID_PAYLOAD, /^Invalid "client_seed" payload: .*no ":"/]],
      [{}, { seed: "x", more: 1 }, [ErrorCode.INVALID_PAYLOAD, /^Invalid "client_seed" payload: /]],
      [{ seated: false }, { seed: "x" }, [ErrorCode.NOT_A_PLAYER, /^Only seated players contribute a client seed\.$/]],
      [{ taken: false }, { seed: "x" }, [ErrorCode.NOT_ALLOWED, /^The game has started: a client seed counts for the next game; send it after this one ends\.$/]],
      [{ admit: false }, { seed: "x" }, undefined],
    ];
    for (const [options, payload, reply] of cases) {
      const { seeds, client, seen, flush } = setUp(options);
      seeds.clientSeed(client, payload);
      flush();
      const what = JSON.stringify({ options, payload });
      const replies = seen.filter(([kind]) => kind === "reject" || kind === "send");
      assert.equal(replies.length, reply ? 1 : 0, what);
      if (reply) {
        assert.equal(replies[0]![1], reply[0], what);
        assert.match(String(replies[0]![2]), reply[1], what);
      }
      assert.ok(!seen.some(([kind]) => kind === "commit"), `nothing committed: ${what}`);
      // Only a well-formed seed from a seated player reaches the records (which refuse it while a game runs).
      assert.equal(seen.some(([kind]) => kind === "clientSeed"), options?.taken === false, `the records asked: ${what}`);
    }
  });

  it("announces a game's revealed seeds to everyone after the patch that ended it", () => {
    const { seeds, seen, flush } = setUp();
    const revealed = { commitment: "c", seed: "s", clientSeeds: "x:y", rolls: [[1, 2]] };
    seeds.announce(revealed);
    assert.equal(seen.length, 0);
    flush();
    assert.deepEqual(seen, [["broadcast", "fairnessRevealed", revealed]]);
  });
});
