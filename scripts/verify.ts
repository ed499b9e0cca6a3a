/**
 * npm run verify -- <matchId | file.json> [--server http://localhost:2567] [--client-seed <your seed>]
 *
 * Checks a finished dice game: the revealed seed against its commitment, and every roll of
 * the action log against the seeds (src/fairness/verify.ts). A match id is fetched from
 * the server's `GET /api/matches/:id`; a file holds that JSON. Prints ✓ or the first
 * mismatch; the exit status is 0 only for ✓. With `--client-seed`, the seed you sent for
 * that game must be among its client seeds.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { verifyMatch, type MatchForVerification } from "../src/fairness/verify.js";

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { server: { type: "string", default: process.env.SERVER_URL ?? "http://localhost:2567" }, "client-seed": { type: "string" } } });
  const target = positionals[0];
  if (!target) {
    console.error("usage: npm run verify -- <matchId | file.json> [--server http://localhost:2567] [--client-seed <your seed>]");
    process.exit(2);
  }
  let match: MatchForVerification;
  if (fs.existsSync(target)) {
    match = JSON.parse(fs.readFileSync(target, "utf8")) as MatchForVerification;
  } else {
    const res = await fetch(`${values.server}/api/matches/${encodeURIComponent(target)}`);
    if (!res.ok) {
      console.error(`✗ ${target}: the server answered ${res.status}: ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText}`);
      process.exit(1);
    }
    match = (await res.json()) as MatchForVerification;
  }
  const result = verifyMatch(match, values["client-seed"]);
  const name = `${match.game ?? "match"} ${match.id ?? target}`;
  if (result.ok) {
    const first = result.first === undefined ? "; who moved first is not covered (the record does not say: a match from before 2026-12-04)" : `; seat ${result.first + 1} moved first, as the seeds give`;
    console.log(`✓ ${name}: the seed matches its commitment, and all ${result.rolls} rolls (${result.dice} dice) follow from the seeds${first}`);
    return;
  }
  console.log(`✗ ${name}: ${result.reason}`);
  process.exit(1);
}

main().catch((err: Error) => {
  console.error(`✗ ${err.message}`);
  process.exit(1);
});
