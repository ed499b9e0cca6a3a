/**
 * Loaded before every test file (.mocharc.json): `assert.ok(value)` without a message gets
 * one of its own, naming the value.
 *
 * Without it, Node builds the message by reading the test's source at the failing call's
 * line and column. Under tsx those are the transpiled code's, not the TypeScript file's: the
 * message quoted the wrong code, and in a long file Node's search for the expression ran on
 * and on. A failing `assert.ok(read.ok)` in test/ha/snapshot.test.ts (a mutant that refused
 * every snapshot) had not failed after ten minutes. A message given as `undefined` is
 * treated as none. The error's stack starts at the test's own line, as Node's does.
 */
import assert from "node:assert";
import { inspect } from "node:util";

type Ok = (value: unknown, message?: string | Error) => asserts value;

for (const target of [assert, assert.strict]) {
  const ok: Ok = target.ok;
  const withMessage: Ok = (value, message) => {
    if (value) return;
    try {
      ok(value, message ?? `expected a truthy value, got ${inspect(value, { depth: 2 })}`);
    } catch (err) {
      if (err instanceof Error) Error.captureStackTrace(err, withMessage);
      throw err;
    }
  };
  Object.defineProperty(target, "ok", { value: withMessage, writable: true, configurable: true, enumerable: true });
}
