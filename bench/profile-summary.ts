/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, top
 * project functions (src/) by inclusive time, and self time by package. Optionally only
 * the samples between two CLOCK_MONOTONIC timestamps in µs (the profile's own clock:
 * `process.hrtime.bigint() / 1000n` in any process on the same Linux host).
 *
 *   npx tsx bench/profile-summary.ts <dir>/CPU.....cpuprofile [top]
 */
import fs from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package name, "ours (src/…)", node internals or V8 pseudo-frames. */
function origin(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native/V8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith("node:")) return "node:internal";
  const src = url.indexOf("/src/");
  if (src >= 0 && !url.includes("node_modules")) return "ours (src/)";
  if (url.includes("/bench/")) return "bench";
  return url;
}

function label(cf: CallFrame): string {
  const file = cf.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "").replace(/.*\/work\/main\//, "");
  // Transpiled and bundled files put most code on one line: anonymous functions are told apart by column.
  const where = !file ? "" : cf.functionName ? file : `${file}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`;
  return `${cf.functionName || "(anonymous)"}  ${where}`.trim();
}

export interface Summary {
  totalMs: number;
  busyMs: number;
  lines: string[];
}

export function summarize(file: string, top = 25, fromUs?: number, toUs?: number): Summary {
  const p: CpuProfile = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let t = p.startTime;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i]!;
    if (fromUs !== undefined && t < fromUs) continue;
    if (toUs !== undefined && t > toUs) break;
    // A sample's weight: the time until the next sample (V8's convention), else the last delta.
    const w = (p.timeDeltas[i + 1] ?? p.timeDeltas[i]!) / 1000;
    const node = byId.get(p.samples[i]!)!;
    total += w;
    const fn = node.callFrame.functionName;
    if (fn === "(idle)" || fn === "(program)" || fn === "(garbage collector)") {
      if (fn === "(idle)") idle += w;
    }
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + w);
    const o = origin(node.callFrame.url, fn);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + w);
    // Inclusive: each distinct frame on the stack, once per sample.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const cf = byId.get(id)!.callFrame;
      const k = label(cf);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + w);
    }
  }
  const busy = total - idle;
  const pct = (ms: number) => `${((100 * ms) / busy).toFixed(1).padStart(5)}%`;
  const lines: string[] = [];
  lines.push(`profile: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms busy (percentages below are of busy time)`);
  lines.push("self time by origin:");
  for (const [o, ms] of [...byOrigin].filter(([o]) => o !== "(idle)").sort((x, y) => y[1] - x[1]).slice(0, 14)) {
    lines.push(`  ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${o}`);
  }
  lines.push(`top ${top} functions by self time:`);
  for (const [k, ms] of [...self].filter(([k]) => !k.startsWith("(idle)")).sort((x, y) => y[1] - x[1]).slice(0, top)) {
    lines.push(`  ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  }
  lines.push("project functions (src/) by inclusive time:");
  const ours = (k: string) => /(^|\s)src\//.test(k);
  for (const [k, ms] of [...inclusive].filter(([k]) => ours(k)).sort((x, y) => y[1] - x[1]).slice(0, 20)) {
    lines.push(`  ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  }
  // The receive path (socket → ws → Room._onMessage → handler) wraps nearly everything; show what hangs below it.
  lines.push(`top ${top} functions by inclusive time below the receive path (< 60% of busy time, all code):`);
  for (const [k, ms] of [...inclusive]
    .filter(([k, ms]) => !/^\((root|idle|program|garbage collector)\)/.test(k) && ms < 0.6 * busy)
    .sort((x, y) => y[1] - x[1])
    .slice(0, top)) {
    lines.push(`  ${pct(ms)}  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
  }
  return { totalMs: total, busyMs: busy, lines };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]");
    process.exit(2);
  }
  console.log(summarize(file, Number(process.argv[3] ?? 25)).lines.join("\n"));
}
