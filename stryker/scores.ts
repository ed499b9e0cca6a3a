/**
 * Prints the mutation score of each target directory from Stryker's JSON report
 * (reports/mutation/mutation.json, or the one named: reports/mutation-client/mutation.json)
 * and fails when one is under its target.
 * Score = (killed + timed out) / (killed + timed out + survived + no coverage), as Stryker
 * counts it; mutants that do not compile (the TypeScript checker) are not counted.
 */
import { readFileSync } from "node:fs";

const SERVER_TARGETS: Record<string, number> = { "src/rules/": 90, "src/rooms/": 85, "src/ha/": 85, "src/players/": 85, "src/fairness/": 85, "src/replay/": 85 };
/** `npm run mutate:client` (stryker.client.json): the web client's logic that runs without a page. */
const CLIENT_TARGETS: Record<string, number> = { "client/src/": 80 };

interface Report {
  files: Record<string, { source: string; mutants: { status: string; location: { start: { line: number; column: number }; end: { line: number; column: number } }; mutatorName: string; replacement?: string }[] }>;
}

const file = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "reports/mutation/mutation.json";
const report = JSON.parse(readFileSync(file, "utf8")) as Report;
const TARGETS = Object.keys(report.files).every((f) => f.startsWith("client/")) ? CLIENT_TARGETS : SERVER_TARGETS;
let failed = false;
for (const [dir, target] of Object.entries(TARGETS)) {
  const counts: Record<string, number> = {};
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!file.startsWith(dir)) continue;
    for (const m of mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  }
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const undetected = (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
  const ok = score >= target;
  failed ||= !ok;
  console.log(
    `${dir.padEnd(12)} ${score.toFixed(2).padStart(6)}%  (target ${target}%: ${ok ? "met" : "NOT met"})  killed ${counts.Killed ?? 0}, timed out ${counts.Timeout ?? 0}, survived ${counts.Survived ?? 0}, no coverage ${counts.NoCoverage ?? 0}, not compiling ${counts.CompileError ?? 0}`,
  );
}

// `tsx stryker/scores.ts --survivors`: every mutant no test caught, as file:line, mutator and replacement.
if (process.argv.includes("--survivors")) {
  const flat = (text: string) => text.replace(/\s+/g, " ").slice(0, 90);
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const lines = source.split("\n");
    for (const m of mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const { start, end } = m.location;
      const original = start.line === end.line ? lines[start.line - 1]!.slice(start.column - 1, end.column - 1) : `${lines[start.line - 1]!.slice(start.column - 1)} …`;
      console.log(`${file}:${start.line} ${m.status} ${m.mutatorName}: ${flat(original)} → ${flat(m.replacement ?? "")}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
