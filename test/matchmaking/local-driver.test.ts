/**
 * The indexed room listing of one process (src/matchmaking/local-driver.ts) against
 * Colyseus's stock LocalDriver: the same random sequence of listings, changes and removals
 * is applied to both, and every lookup the server makes must find the same rooms. The one
 * intended difference, which room a quick match picks first among several open ones, has
 * its own test.
 */
import assert from "node:assert/strict";
import { LocalDriver, type IRoomCache } from "@colyseus/core";
import { FastLocalDriver } from "../../src/matchmaking/local-driver.js";
import { seededRng } from "../../src/rules/rng.js";

type Meta = { open: boolean; host: string; started: boolean; players: number };

function room(roomId: string, name: string, meta: Meta, extra: Partial<IRoomCache> = {}): IRoomCache<Meta> {
  return { roomId, name, processId: "p1", clients: 0, maxClients: 10, locked: false, private: false, publicAddress: "", metadata: meta, ...extra } as IRoomCache<Meta>;
}

const ids = (rooms: IRoomCache[]) => rooms.map((r) => r.roomId).sort();

describe("Matchmaking: the indexed room listing", () => {
  it("finds the same rooms as Colyseus's LocalDriver through a random history of 3,000 changes", async () => {
    const seeded = seededRng(20261130);
    const rng = { next: () => seeded.int(0, 999_999) / 1_000_000 };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.next() * xs.length)]!;
    const stock = new LocalDriver();
    const fast = new FastLocalDriver();
    // Each driver owns its copies (update() writes into the object it is given).
    const copies = new Map<string, [IRoomCache<Meta>, IRoomCache<Meta>]>();
    const names = ["tictactoe", "dice", "owedrahn"] as const;
    const hosts = ["h1", "h2", "h3", ""] as const;
    const randomMeta = (): Meta => ({ open: rng.next() < 0.5, host: pick(hosts), started: rng.next() < 0.5, players: Math.floor(rng.next() * 3) });
    let next = 0;
    let lookups = 0;
    /** The two copies of a room, each with the driver that owns it. */
    const both = (id: string) => [[copies.get(id)![0], stock], [copies.get(id)![1], fast]] as const;

    for (let step = 0; step < 3000; step++) {
      const live = [...copies.keys()];
      const op = live.length < 5 ? 0 : Math.floor(rng.next() * 6);
      if (op === 0 || op === 1) {
        const r = room(`r${next++}`, pick(names), randomMeta(), { processId: pick(["p1", "p2"]), private: rng.next() < 0.2 });
        const pair: [IRoomCache<Meta>, IRoomCache<Meta>] = [structuredClone(r), structuredClone(r)];
        copies.set(r.roomId, pair);
        assert.equal(await stock.insert(pair[0]), await fast.insert(pair[1]));
      } else if (op === 2) {
        // setMetadata: the listing's metadata replaced in place, then persisted.
        const meta = randomMeta();
        for (const [copy, driver] of both(pick(live))) {
          copy.metadata = { ...meta };
          driver.persist(copy);
        }
      } else if (op === 3) {
        // A join or leave: clients counted, the room locked when full.
        const delta = rng.next() < 0.5 ? 1 : -1;
        const locked = rng.next() < 0.3;
        for (const [copy, driver] of both(pick(live))) driver.update(copy, { $inc: { clients: delta }, $set: { locked } });
      } else if (op === 4) {
        const id = pick(live);
        assert.equal(stock.remove(id), fast.remove(id));
        copies.delete(id);
      } else if (rng.next() < 0.05) {
        // A dead process's rooms swept.
        const processId = pick(["p1", "p2"]);
        await Promise.all([stock.cleanup(processId), fast.cleanup(processId)]);
        for (const [id, [copy]] of copies) if (copy.processId === processId) copies.delete(id);
      }

      const queries: Record<string, unknown>[] = [
        {},
        { name: pick(names) },
        { name: pick(names), locked: false, private: false, open: true },
        { name: pick(names), locked: false, private: false, open: true, started: false },
        { host: pick(hosts), started: false },
        { host: pick(hosts) },
        { roomId: live.length ? pick(live) : "none" },
        { roomId: "missing" },
        { processId: "p2" },
        { name: pick(names), nosuchfield: true },
      ];
      for (const conditions of queries) {
        lookups++;
        const want = stock.query(conditions as Partial<IRoomCache>) as IRoomCache[];
        const got = fast.query(conditions as Partial<IRoomCache>) as IRoomCache[];
        assert.deepEqual(ids(got), ids(want), `query ${JSON.stringify(conditions)} at step ${step}`);
        const one = await fast.findOne(conditions as Partial<IRoomCache>);
        if (want.length === 0) assert.equal(one, undefined, `findOne ${JSON.stringify(conditions)} at step ${step} finds nothing`);
        else assert.ok(want.some((r) => r.roomId === one?.roomId), `findOne ${JSON.stringify(conditions)} at step ${step} finds a matching room`);
      }
      // Sorted: the same order of the sort key (ties in any order).
      const sorted = fast.query({ name: "dice" }, { clients: -1, players: 1 }) as IRoomCache<Meta>[];
      const wantSorted = (await stock.query({ name: "dice" }, { clients: -1, players: 1 })) as IRoomCache<Meta>[];
      assert.deepEqual(sorted.map((r) => [r.clients, r.metadata!.players]), wantSorted.map((r) => [r.clients, r.metadata!.players]));
      const best = await fast.findOne({ name: "dice" }, { clients: -1 });
      assert.equal(best?.clients, wantSorted[0]?.clients, "findOne with a sort finds the first of the order");
      const byIds = await fast.findByIds(live.slice(0, 5));
      assert.deepEqual([...byIds.keys()].sort(), [...(await stock.findByIds(live.slice(0, 5))).keys()].sort());
      for (const id of live.slice(0, 3)) assert.equal(fast.has(id), stock.has(id));
    }
    assert.ok(lookups >= 30000, "every step looked up");
    assert.ok(copies.size > 0, "rooms remained listed at the end");
  });

  it("a quick match finds the room that has waited longest for a player", async () => {
    const driver = new FastLocalDriver();
    const open = (host: string): Meta => ({ open: true, host, started: false, players: 1 });
    const a = room("a", "tictactoe", open("h1"));
    const b = room("b", "tictactoe", open("h2"));
    await driver.insert(a);
    await driver.insert(b);
    const quick = { name: "tictactoe", locked: false, private: false, open: true };
    assert.equal((await driver.findOne(quick))?.roomId, "a");
    // a fills up, then a seat frees again: it now opened after b.
    a.metadata = { ...open("h1"), open: false };
    driver.persist(a);
    assert.equal((await driver.findOne(quick))?.roomId, "b");
    a.metadata = open("h1");
    driver.persist(a);
    assert.equal((await driver.findOne(quick))?.roomId, "b", "b has waited longer");
    driver.remove("b");
    assert.equal((await driver.findOne(quick))?.roomId, "a");
    driver.remove("a");
    assert.equal(await driver.findOne(quick), undefined);
    assert.deepEqual(driver.query({ host: "h1" }), [], "a removed room is gone from the host index too");
  });

  it("a room whose creator changes host key is counted under the new one only", async () => {
    const driver = new FastLocalDriver();
    const r = room("r", "dice", { open: true, host: "h1", started: false, players: 0 });
    await driver.insert(r);
    assert.deepEqual(ids(driver.query({ host: "h1", started: false })), ["r"]);
    r.metadata = { ...r.metadata!, host: "h2" };
    driver.update(r, { $set: { locked: false } });
    assert.deepEqual(ids(driver.query({ host: "h1" })), []);
    assert.deepEqual(ids(driver.query({ host: "h2" })), ["r"]);
    driver.clear();
    assert.deepEqual(driver.query({}), []);
    assert.deepEqual(driver.query({ host: "h2" }), []);
  });
});
