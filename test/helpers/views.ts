/**
 * The web client's game views, loaded in Node for tests that need no page: the views import
 * their stylesheets (Vite bundles them), so `.css` files are ignored while they load.
 */
type Views = typeof import("../../client/src/games/index.js")["VIEWS"];

export function clientViews(): Views {
  const hooks = require.extensions as Record<string, unknown>;
  const hadCss = ".css" in hooks;
  if (!hadCss) hooks[".css"] = () => undefined;
  try {
    // A require, after the hook above (an import would be hoisted before it).
    return (require("../../client/src/games/index.js") as typeof import("../../client/src/games/index.js")).VIEWS;
  } finally {
    if (!hadCss) delete hooks[".css"];
  }
}
