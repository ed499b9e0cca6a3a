// Preloaded into server processes only under `npm run coverage` (test/helpers/cluster.ts). The
// tests end their servers with SIGKILL, which loses the process's V8 coverage; under coverage
// they send SIGUSR2 instead, and this writes the coverage, then ends the process the same way.
const v8 = require("node:v8");
process.on("SIGUSR2", () => {
  v8.takeCoverage();
  process.kill(process.pid, "SIGKILL");
});
