/**
 * Asking a process directly whether it still runs, when it has no heartbeat in Redis.
 *
 * A process's heartbeat stops when it dies, stalls, or loses Redis while it runs. In the
 * last case its players may still reach it and play on (play goes on without snapshots
 * while Redis is unreachable), and a survivor that took its rooms over would restore them
 * from their last snapshot: once the network is back, the cut-off copy closes and its
 * players resume in the restored one, with the moves they made meanwhile taken back. So
 * before a takeover the survivor asks the process itself, at the address it published with
 * its heartbeats (`INTERNAL_ADDRESS`): a process that answers with its own id runs, and is
 * left alone. A dead one refuses the connection; a stalled or unreachable one does not
 * answer in time; a new process on the same port answers with another id.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** How long a process has to answer, by default (HA_PROBE_MS). */
export const DEFAULT_PROBE_MS = 1000;

/** The route a process answers on: `{ processId }`. */
// Stryker disable next-line StringLiteral: a static mutant the in-process runner never loads; the probe test requests the literal path
export const ALIVE_PATH = "/ha/alive";

/** Whether the process `processId` answers at `address` (`host:port`) within `timeoutMs`. */
export async function answersDirectly(address: string | null | undefined, processId: string, timeoutMs: number): Promise<boolean> {
  // None published (a server of a version before the probe, or snapshots off): it cannot say it runs.
  if (!address) return false;
  try {
    const res = await fetch(`http://${address}${ALIVE_PATH}`, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
    if (!res.ok) {
      await res.body?.cancel();
      return false;
    }
    const body = (await res.json()) as { processId?: unknown } | null;
    return body?.processId === processId;
  } catch {
    return false;
  }
}

/**
 * The route's handler: this process's id. Answered to anyone: the id is no secret (every
 * seat reservation carries it to the client), and a probe refused for its address (a
 * private range not counted as internal, a proxy in between) would take a live process for dead.
 */
export function aliveHandler(processId: () => string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    res.end(JSON.stringify({ processId: processId() }));
  };
}
