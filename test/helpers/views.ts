/**
 * The web client's game views, loaded in Node for tests that need no page: the views import
 * their stylesheets (Vite bundles them), so `.css` files are ignored while they load.
 */
type Views = typeof import("../../client/src/games/index.js")["VIEWS"];

export function clientViews(): Views {
  // A require, after the hook (an import would be hoisted before it).
  return ignoringCss(() => (require("../../client/src/games/index.js") as typeof import("../../client/src/games/index.js")).VIEWS);
}

/** Runs `load` (a `require` of a client module that imports its stylesheet) with `.css` files ignored. */
export function ignoringCss<T>(load: () => T): T {
  const hooks = require.extensions as Record<string, unknown>;
  const hadCss = ".css" in hooks;
  if (!hadCss) hooks[".css"] = () => undefined;
  try {
    return load();
  } finally {
    if (!hadCss) delete hooks[".css"];
  }
}
