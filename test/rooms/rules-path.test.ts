/**
 * The path from a message to the rules (src/rooms/rules-path.ts) on its own, with a tiny
 * counting game for rules and the room's other parts recorded: what a sender gets back,
 * what the state becomes, and in what order the commit, the scheduled actions, the events
 * and the revealed seeds go out.
 */
import assert from "node:assert/strict";
import type { Client } from "@colyseus/core";
import { z } from "zod";
import { RulesPath, SYSTEM_ACTOR, type RulesPathParts } from "../../src/rooms/rules-path.js";
import { ErrorCode } from "../../src/protocol/errors.js";
import { NOTHING_DRAWN } from "../../src/players/match-tracker.js";

/** A counter: "add { n }" by the active player adds n; "timeout" passes the turn; "pause" schedules a "resume". */
interface Count {
  total: number;
  active: string;
}
const rules = {
  apply(game: Count, playerId: string, action: { type: string; n?: number }, rng: { int(min: number, max: number): number }) {
    if (action.type === "timeout") return { ok: true, state: { ...game, active: game.active === "a" ? "b" : "a" }, events: [] };
    if (action.type === "pause") return { ok: true, state: game, events: [{ type: "schedule", timer: "pause", action: { type: "resume" } }, { type: "paused", by: playerId }] };
    if (action.type === "nap") return { ok: true, state: game, events: [{ type: "schedule", timer: "unlisted", action: { type: "resume" } }] };
    if (action.type === "lucky") return { ok: true, state: { ...game, total: game.total + rng.int(1, 6) }, events: [] };
    if (action.type === "resume") return playerId === SYSTEM_ACTOR ? { ok: true, state: { ...game }, events: [] } : { ok: false, code: ErrorCode.NOT_ALLOWED, message: "Only the server resumes." };
    if (playerId !== game.active) return { ok: false, code: ErrorCode.NOT_YOUR_TURN, message: "Wait for your turn." };
    if ((action.n ?? 0) > 5) return { ok: false, code: ErrorCode.INVALID_MOVE, message: "At most 5." };
    return { ok: true, state: { ...game, total: game.total + (action.n ?? 0) }, events: [{ type: "added", n: action.n }] };
  },
  activePlayer: (game: Count) => game.active,
};

function setUp(options: { admit?: boolean; revealed?: unknown; deferred?: boolean } = {}) {
  const seen: unknown[][] = [];
  const pending: (() => void)[] = [];
  const client = { sessionId: "a", send: () => assert.fail("the path replies through the gate") } as unknown as Client;
  const parts: RulesPathParts = {
    rules: rules as never,
    records: { rng: { int: () => 4 }, applied: (ok: boolean) => (seen.push(["applied", ok]), ok ? DRAWN : NOTHING_DRAWN) },
    steps: {
      record: (step, drawn) => {
        seen.push(["record", step.playerId, step.action.type, (step.before as Count).total, (step.after as Count).total]);
        assert.equal(drawn, DRAWN, "what the step drew goes with it to the records");
        return options.revealed as never;
      },
    },
    scheduled: { at: (due, action) => seen.push(["at", due - Date.now(), action]) },
    delays: { pause: 3000 },
    gate: { admit: () => (seen.push(["admit"]), options.admit ?? true), reject: (_client, code, message) => seen.push(["reject", code, message]) },
    out: { then: (fn) => (seen.push(["then"]), options.deferred ? pending.push(fn) : fn()) },
    seeds: { announce: (revealed) => seen.push(["announce", revealed]) },
    log: { debug: (fields: unknown, msg: string) => seen.push(["debug", msg, fields]), error: (fields: unknown, msg: string) => seen.push(["error", msg, fields]), isLevelEnabled: () => false } as never,
    commit: () => seen.push(["commit", (path.game as Count).total]),
    broadcast: (type, payload) => seen.push(["broadcast", type, payload]),
  };
  const path = new RulesPath(parts, { total: 0, active: "a" } satisfies Count);
  return { path, client, seen, pending };
}
const add = z.object({ n: z.number().int() }).strict();
/** What a step drew, as the records hand it over (compared by identity). */
const DRAWN = { values: [4] } as never;
/** `seen` without the out.then markers. */
const calls = (seen: unknown[][]) => seen.filter(([kind]) => kind !== "then");

/**
 * Runs `fn` with the clock stopped: the path reads Date.now() to set a timer's deadline and
 * the stand-in reads it again, so a millisecond ticking between the two would read 2999 for 3000.
 */
function atOneInstant<T>(fn: () => T): T {
  const realNow = Date.now;
  const now = realNow();
  Date.now = () => now;
  try {
    return fn();
  } finally {
    Date.now = realNow;
  }
}

describe("RulesPath: the one path from a message to the rules", () => {
  it("a valid message becomes the sender's action: recorded, committed, then its events broadcast", () => {
    const { path, client, seen } = setUp();
    path.message(client, "add", add, { n: 2 });
    assert.equal((path.game as Count).total, 2);
    assert.deepEqual(seen, [["admit"], ["applied", true], ["record", "a", "add", 0, 2], ["commit", 2], ["then"], ["broadcast", "added", { n: 2 }]]);
  });

  it("the action is the validated payload (a validator's defaults and transforms), never the raw one", () => {
    const { path, client } = setUp();
    const lenient = z.object({ n: z.coerce.number().int().default(1) });
    path.message(client, "add", lenient, { n: "3" });
    assert.equal((path.game as Count).total, 3);
    path.message(client, "add", lenient, {});
    assert.equal((path.game as Count).total, 4);
  });

  it("the rules draw from the records' RNG (the fair dice, every draw kept)", () => {
    const { path } = setUp();
    path.apply("a", { type: "lucky" });
    assert.equal((path.game as Count).total, 4);
  });

  it("a message the gate refuses reaches neither the validator nor the rules", () => {
    const { path, client, seen } = setUp({ admit: false });
    path.message(client, "add", add, { n: 2 });
    assert.deepEqual(seen, [["admit"]]);
    assert.equal((path.game as Count).total, 0);
  });

  it("a payload of the wrong shape gets INVALID_PAYLOAD naming the move, and changes nothing", () => {
    const { path, client, seen } = setUp();
    path.message(client, "add", add, { n: "2" });
    assert.equal(seen.length, 2);
    const [kind, code, message] = seen[1]!;
    assert.deepEqual([kind, code], ["reject", ErrorCode.INVALID_PAYLOAD]);
    assert.match(String(message), /^Invalid "add" payload: /);
    assert.equal((path.game as Count).total, 0);
  });

  it("a move the rules refuse goes back to its sender with the rules' code, is counted as refused, and commits nothing", () => {
    const { path, client, seen } = setUp();
    assert.equal(path.apply("b", { type: "add", n: 1 }, client), false);
    path.message(client, "add", add, { n: 9 });
    assert.deepEqual(seen, [["applied", false], ["reject", ErrorCode.NOT_YOUR_TURN, "Wait for your turn."], ["admit"], ["applied", false], ["reject", ErrorCode.INVALID_MOVE, "At most 5."]]);
    assert.equal((path.game as Count).total, 0);
  });

  it("a refused action with no client behind it is only logged (at debug)", () => {
    const { path, seen } = setUp();
    assert.equal(path.apply("b", { type: "add", n: 1 }), false);
    assert.deepEqual(seen, [["applied", false], ["debug", "system action refused", { playerId: "b", action: "add", code: ErrorCode.NOT_YOUR_TURN }]]);
  });

  it("a scheduled event is armed before the commit (its snapshot holds it) and never broadcast; a scheduled action runs as the system", () => {
    const { path, seen } = setUp();
    assert.equal(atOneInstant(() => path.apply("a", { type: "pause" })), true);
    assert.deepEqual(seen.slice(2), [["at", 3000, { type: "resume" }], ["commit", 0], ["then"], ["broadcast", "paused", { by: "a" }]]);
    seen.length = 0;
    assert.equal(path.apply("a", { type: "resume" }), false, "a player cannot send the system's action");
    path.scheduledAction({ type: "resume" });
    assert.deepEqual(seen.slice(2), [["applied", true], ["record", SYSTEM_ACTOR, "resume", 0, 0], ["commit", 0]]);
    seen.length = 0;
    atOneInstant(() => path.apply("a", { type: "nap" }));
    assert.deepEqual(seen[2], ["at", 0, { type: "resume" }], "a timer with no delay set runs at once");
  });

  it("the events and the revealed seeds wait for the patch (out.then), in order", () => {
    const revealed = { commitment: "c", seed: "s", clientSeeds: "", rolls: [] };
    const { path, seen, pending } = setUp({ revealed, deferred: true });
    path.apply("a", { type: "add", n: 1 });
    assert.deepEqual(seen, [["applied", true], ["record", "a", "add", 0, 1], ["commit", 1], ["then"], ["announce", revealed]], "the step's events queued before the seeds are announced (the announcer waits for the patch itself)");
    assert.ok(!seen.some(([kind]) => kind === "broadcast"), "nothing broadcast before the patch is out");
    for (const fn of pending) fn();
    assert.deepEqual(seen.at(-1), ["broadcast", "added", { n: 1 }]);
  });

  it("a bot's accepted move is played once, with no error", () => {
    const { path, seen } = setUp();
    path.bot({ playerId: "a", action: { type: "add", n: 1 } });
    assert.equal((path.game as Count).total, 1);
    assert.deepEqual(calls(seen).map(([kind]) => kind), ["applied", "record", "commit", "broadcast"]);
  });

  it("a bot's refused move is logged as an error and its turn ends as a timeout; not so if the turn is no longer the bot's", () => {
    const { path, seen } = setUp();
    path.bot({ playerId: "a", action: { type: "add", n: 9 } });
    assert.equal((path.game as Count).active, "b", "the turn passed");
    assert.deepEqual(seen.find(([kind]) => kind === "error"), ["error", "bot move refused; its turn ends as a timeout", { playerId: "a", action: "add" }]);
    seen.length = 0;
    path.bot({ playerId: "a", action: { type: "add", n: 1 } });
    assert.equal((path.game as Count).active, "b", "not the bot's turn: no timeout for it");
    assert.ok(!seen.some(([kind]) => kind === "commit"));
  });
});
