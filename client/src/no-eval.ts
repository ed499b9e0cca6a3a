/**
 * Imported first by the page (main.ts), before any zod schema is built: zod then never tests
 * whether it may compile its checks with `new Function`. Under a Content-Security-Policy
 * without 'unsafe-eval' (the front door's, deploy/nginx.ts) that test logged a violation on
 * every page load (until 2026-12-05). The checks are the same, run without compiling.
 */
import { z } from "zod";

z.config({ jitless: true });
