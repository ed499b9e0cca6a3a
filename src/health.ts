/**
 * Event-loop health for GET /health. A process whose event loop stalls (a pathological
 * request, a runaway loop) answers late or not at all; the lag figure tells a probe, and
 * an operator, before the process is wedged for good. The p99 and max of the event-loop
 * delay are taken over the last complete window of `windowMs` and the current one (Node's `monitorEventLoopDelay`, sampled every 20 ms).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface LoopLag {
  /** Worst delay (ms) over the last complete window. */
  maxMs: number;
  /** 99th percentile (ms) over the last complete window. */
  p99Ms: number;
}

/** Starts sampling; `read()` gives the last window's figures, `stop()` ends it. */
export function watchEventLoop(windowMs = 2000): { read(): LoopLag; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: 20 });
  histogram.enable();
  let last: LoopLag = { maxMs: 0, p99Ms: 0 };
  const roll = () => {
    // The sampler's own resolution is counted in each sample: take it off.
    last = { maxMs: Math.max(0, histogram.max / 1e6 - 20), p99Ms: Math.max(0, histogram.percentile(99) / 1e6 - 20) };
    histogram.reset();
  };
  const timer = setInterval(roll, windowMs);
  timer.unref();
  return {
    read() {
      // The current window counts too, once it has samples: a stall now shows at once.
      const now = histogram.count > 0 ? Math.max(0, histogram.max / 1e6 - 20) : 0;
      return { maxMs: Math.max(last.maxMs, now), p99Ms: Math.max(last.p99Ms, histogram.count > 0 ? Math.max(0, histogram.percentile(99) / 1e6 - 20) : 0) };
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}
