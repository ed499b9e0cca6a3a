// Loaded into every process of `npm run mutate` (NODE_OPTIONS=--require), and nowhere else.
//
// 1. Mocha 12 renamed its CLI helpers to .cjs; @stryker-mutator/mocha-runner 9.x (built for
//    mocha < 12) requires them without the extension. Resolve those paths to the .cjs files.
const Module = require("node:module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (/[\\/]mocha[\\/]lib[\\/]cli[\\/](run-helpers|options|collect-files)$/.test(request)) request += ".cjs";
  return resolve.call(this, request, ...rest);
};

// 2. Colyseus loads @pm2/io, which reports metrics (and exceptions) over the IPC channel
//    whenever a process has one (it is made for pm2). Stryker's test-runner workers are forked
//    with an IPC channel that carries only Stryker's own JSON strings, and its parent crashes on
//    anything else. Drop every message that is not a string.
if (typeof process.send === "function") {
  const send = process.send.bind(process);
  process.send = (message, ...rest) => {
    if (typeof message !== "string") return true;
    return send(message, ...rest);
  };
}
