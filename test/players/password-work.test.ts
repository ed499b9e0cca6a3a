/** The process's bound on password hashing (src/players/password-work.ts). */
import assert from "node:assert/strict";
import { PasswordWork } from "../../src/players/password-work.js";

/** A job that ends when `finish()` is called, with what it was given. */
function job<T>(value: T) {
  let finish!: () => void;
  let started = false;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      started = true;
      await done;
      return value;
    },
    finish: () => finish(),
    get started() {
      return started;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("PasswordWork", () => {
  it("runs atOnce jobs at a time, queues maxWaiting in order, refuses the rest at once; an ending job hands its place to the oldest waiting", async () => {
    const work = new PasswordWork(2, 2);
    const jobs = [1, 2, 3, 4].map((n) => job(n));
    const results = jobs.map((j) => work.run(j.run));
    await tick();
    assert.deepEqual(jobs.map((j) => j.started), [true, true, false, false]);
    assert.deepEqual(await work.run(job(5).run), { ok: false }, "a fifth is refused at once");
    assert.deepEqual(work.load, { running: 2, waiting: 2 });
    jobs[1]!.finish();
    assert.deepEqual(await results[1], { ok: true, value: 2 });
    await tick();
    assert.deepEqual(jobs.map((j) => j.started), [true, true, true, false], "the oldest waiting took the place");
    assert.deepEqual(work.load, { running: 2, waiting: 1 });
    for (const j of jobs) j.finish();
    assert.deepEqual(await Promise.all(results), [1, 2, 3, 4].map((value) => ({ ok: true, value })));
    assert.deepEqual(work.load, { running: 0, waiting: 0 }, "every place is free again");
  });

  it("a job that throws gives its place back, and its caller gets the error", async () => {
    const work = new PasswordWork(1, 0);
    await assert.rejects(work.run(() => Promise.reject(new Error("scrypt failed"))), /scrypt failed/);
    assert.deepEqual(work.load, { running: 0, waiting: 0 });
    assert.deepEqual(await work.run(async () => "next"), { ok: true, value: "next" });
  });
});
