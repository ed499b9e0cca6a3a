/**
 * Vite build of the browser client: `npm run build:client` (= `vite build --config
 * client/vite.config.ts`) writes client/dist, which the game server serves at `/`.
 * The client imports the wire contract from ../src/protocol (and state types from
 * ../src/schema, type-only), so the bundle follows the server's protocol file.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: "/",
  publicDir: false,
  build: {
    outDir: path.join(root, "dist"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    // The client reaches ../src/protocol and ../src/schema, outside the Vite root.
    fs: { allow: [path.resolve(root, "..")] },
  },
});
