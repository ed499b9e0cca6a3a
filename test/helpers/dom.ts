/**
 * A DOM in Node for the web client's render functions (linkedom): `document` and `Node` as
 * globals for the describe block that calls this, removed after it, so a render function's
 * output can be read without starting Chromium (and so under the mutation runner).
 */
import { parseHTML } from "linkedom";

export function withDom(): void {
  const globals = globalThis as { document?: unknown; Node?: unknown };
  let saved: { document?: unknown; Node?: unknown } = {};
  before(() => {
    saved = { document: globals.document, Node: globals.Node };
    const { document, Node } = parseHTML("<!doctype html><html><body></body></html>");
    Object.assign(globals, { document, Node });
  });
  after(() => {
    for (const key of ["document", "Node"] as const) {
      if (saved[key] === undefined) delete globals[key];
      else globals[key] = saved[key];
    }
  });
}
