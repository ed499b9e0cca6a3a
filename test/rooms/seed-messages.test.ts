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
    const cases: [Parameters<typeof setUp>[0], unknown, string | undefined][] = [
      [{}, { seed: "a:b" }, ErrorCode.INVALID_PAYLOAD],
      [{}, { seed: "x", more: 1 }, ErrorCode.INVALID_PAYLOAD],
      [{ seated: false }, { seed: "x" }, ErrorCode.NOT_A_PLAYER],
      [{ taken: false }, { seed: "x" }, ErrorCode.NOT_ALLOWED],
      [{ admit: false }, { seed: "x" }, undefined],
    ];
    for (const [options, payload, code] of cases) {
      const { seeds, client, seen, flush } = setUp(options);
      seeds.clientSeed(client, payload);
      flush();
      const replies = seen.filter(([kind]) => kind === "reject" || kind === "send");
      assert.deepEqual(replies.map(([, c]) => c), code ? [code] : [], JSON.stringify({ options, payload }));
      assert.ok(!seen.some(([kind]) => kind === "commit"), `nothing committed: ${JSON.stringify({ options, payload })}`);
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
