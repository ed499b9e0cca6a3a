/**
 * The ledger of unused seat reservations per address (src/matchmaking/reservations.ts), in
 * its one-process store: the limit, what frees a place (a release, a cancelled claim, the
 * reservation's expiry), and the store's count, which sweeps expired entries as it goes.
 */
import assert from "node:assert/strict";
import { memoryLedgerStore, ReservationLedger } from "../../src/matchmaking/reservations.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Matchmaking: the reservation ledger (one process)", () => {
  it("admits `limit` unused reservations per address, and one more after a release or a cancelled claim", async () => {
    const ledger = new ReservationLedger(memoryLedgerStore(), 2, 60);
    const first = await ledger.claim("203.0.113.7");
    await first!.confirm("s1");
    const second = await ledger.claim("203.0.113.7");
    await second!.confirm("s2");
    assert.equal(await ledger.claim("203.0.113.7"), null, "a third unused reservation is refused");
    assert.ok(await ledger.claim("203.0.113.8"), "another address has its own places");

    ledger.release("203.0.113.7", "s1");
    const third = await ledger.claim("203.0.113.7");
    assert.ok(third, "a used reservation frees its place");
    third.cancel();
    // cancel() releases in the background; the store's removal is synchronous in memory.
    await sleep(0);
    const fourth = await ledger.claim("203.0.113.7");
    assert.ok(fourth, "a cancelled claim frees its place");
    assert.equal(await ledger.claim("203.0.113.7"), null, "the fourth claim holds the place meanwhile");
  });

  it("frees the places of reservations that expired unused", async () => {
    const ledger = new ReservationLedger(memoryLedgerStore(), 1, 0.05);
    await (await ledger.claim("198.51.100.1"))!.confirm("s1");
    assert.equal(await ledger.claim("198.51.100.1"), null);
    await sleep(80);
    assert.ok(await ledger.claim("198.51.100.1"), "the expired reservation no longer counts");
  });

  it("the store counts the live entries and removes only the expired ones", async () => {
    const store = memoryLedgerStore();
    await store.add("k", "a", 1000, 1);
    await store.add("k", "b", 2000, 1);
    await store.add("k", "c", 3000, 1);
    assert.equal(await store.live("k", 500), 3);
    assert.equal(await store.live("k", 1500), 2, "a expired");
    // Confirming b again moves it to the back with its new expiry.
    await store.add("k", "b", 4000, 1);
    assert.equal(await store.live("k", 3500), 1, "c expired, b renewed");
    await store.remove("k", ["b"]);
    assert.equal(await store.live("k", 3500), 0);
    assert.equal(await store.live("unknown", 0), 0);
  });

  it("addresses whose reservations expired unused, and that never come back, are forgotten by the next sweep", async () => {
    const store = memoryLedgerStore(50);
    for (let i = 0; i < 1000; i++) await store.add(`198.51.${i >> 8}.${i & 255}`, `s${i}`, Date.now() + 20, 1);
    assert.equal(store.addresses(), 1000);
    await sleep(60);
    await store.add("203.0.113.9", "fresh", Date.now() + 60_000, 60);
    assert.equal(store.addresses(), 1, "only the address with a live reservation is left");
    assert.equal(await store.live("203.0.113.9", Date.now()), 1);
  });
});
