/**
 * The configuration read from the environment (src/settings.ts `readEnv`): addresses that
 * would start a server that cannot work are refused at start-up, with the variable named.
 */
import assert from "node:assert/strict";
import { readEnv } from "../../src/settings.js";

describe("Configuration (readEnv)", () => {
  it("REDIS_URL must be a redis:// or rediss:// address: one without a scheme (localhost:6379) is refused, naming the variable; an empty one is unset", () => {
    for (const bad of ["localhost:6379", "127.0.0.1:6379", "http://127.0.0.1:6379", "postgres://db:5432/x"]) {
      assert.throws(() => readEnv({ REDIS_URL: bad }), /REDIS_URL: a redis:\/\/ or rediss:\/\/ address/, bad);
    }
    assert.equal(readEnv({ REDIS_URL: "redis://127.0.0.1:6379" }).REDIS_URL, "redis://127.0.0.1:6379");
    assert.equal(readEnv({ REDIS_URL: "rediss://user:secret@cache.example:6380/2" }).REDIS_URL, "rediss://user:secret@cache.example:6380/2");
    assert.equal(readEnv({ REDIS_URL: "" }).REDIS_URL, undefined);
  });

  it("SILENT_PROBE_MS: 1000 by default, any whole number of ms from 100 to 10000, refused outside it naming the variable", () => {
    assert.equal(readEnv({}).SILENT_PROBE_MS, 1000);
    assert.equal(readEnv({ SILENT_PROBE_MS: "2500" }).SILENT_PROBE_MS, 2500);
    for (const bad of ["50", "20000", "1.5", "soon"]) assert.throws(() => readEnv({ SILENT_PROBE_MS: bad }), /SILENT_PROBE_MS/, bad);
  });

  it("DATABASE_URL must be a postgres:// or postgresql:// address", () => {
    assert.throws(() => readEnv({ DATABASE_URL: "mysql://db/x" }), /DATABASE_URL: a postgres:\/\/ or postgresql:\/\/ address/);
    assert.equal(readEnv({ DATABASE_URL: "postgresql://u@db:5432/x" }).DATABASE_URL, "postgresql://u@db:5432/x");
  });
});
