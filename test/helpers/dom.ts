/**
 * A DOM in Node for the web client's render functions (linkedom): `document`, `Node` and `Element` as
 * globals for the describe block that calls this, removed after it, so a render function's
 * output can be read without starting Chromium (and so under the mutation runner).
 */
import { parseHTML } from "linkedom";

export function withDom(): void {
  const globals = globalThis as { document?: unknown; Node?: unknown; Element?: unknown };
  let saved: { document?: unknown; Node?: unknown; Element?: unknown } = {};
  before(() => {
    saved = { document: globals.document, Node: globals.Node, Element: globals.Element };
    const { document, Node, Element } = parseHTML("<!doctype html><html><body></body></html>");
    Object.assign(globals, { document, Node, Element });
  });
  after(() => {
    for (const key of ["document", "Node", "Element"] as const) {
      if (saved[key] === undefined) delete globals[key];
      else globals[key] = saved[key];
    }
  });
}
