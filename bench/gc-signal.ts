/**
 * Preloaded by bench/run.ts into the servers of the idle test only
 * (`node --import tsx --expose-gc --import ./bench/gc-signal.ts …`): on SIGWINCH (ignored by
 * default, and not one of the signals Colyseus handles) the process runs two full garbage
 * collections and writes `bench-gc-done {heapUsed, external}` to stderr — the live memory,
 * which RSS (V8 keeps freed pages) does not show. Changes nothing else in the server.
 */
const gc = (globalThis as { gc?: () => void }).gc;
process.on("SIGWINCH", () => {
  if (!gc) return void process.stderr.write("bench-gc-unavailable\n");
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  process.stderr.write(`bench-gc-done ${JSON.stringify({ heapUsed, external })}\n`);
});
