/**
 * Mocha reporter: the usual spec output, plus one JSON line per run appended to the file
 * named by TEST_SUMMARY_FILE ({ passes, failures, pending }), so `.ci/run` can print one
 * "N passed, N failed" line for the several mocha runs of `npm test`.
 */
"use strict";
const fs = require("node:fs");
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.TEST_SUMMARY_FILE;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      fs.appendFileSync(file, JSON.stringify({ passes, failures, pending }) + "\n");
    });
  }
}

module.exports = SummaryReporter;
