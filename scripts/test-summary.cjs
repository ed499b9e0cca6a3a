/**
 * Prints the one line CI reads, "N passed, N failed, N skipped", summed over every mocha
 * run recorded in the file given as the first argument (see test/helpers/summary-reporter.cjs).
 * The second argument is the exit status of `npm test`: a failure outside mocha (the type
 * check, a crashed run) counts as one failed.
 */
"use strict";
const fs = require("node:fs");

const [file, statusArg] = process.argv.slice(2);
const status = Number(statusArg ?? 0);
let passed = 0, failed = 0, skipped = 0;
const text = file && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
for (const line of text.split("\n")) {
  if (!line.trim()) continue;
  const run = JSON.parse(line);
  passed += run.passes;
  failed += run.failures;
  skipped += run.pending;
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
