/**
 * High-availability tests' tools: which process owns a room, and a player coming back by
 * itself after its process died, the way the web client does it: `client.reconnect(token)`
 * through a live server address, retried until the room is back (or the time is up).
 */
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import type { ServerProcess } from "./cluster.js";
import { Player } from "./clients.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process whose port the room's WebSocket went to. */
export function ownerOf(room: SdkRoom, processes: readonly ServerProcess[]): ServerProcess {
  const port = Number(new URL(room.connection.url!).port);
  const owner = processes.find((p) => p.port === port);
  if (!owner) throw new Error(`no process listens on ${port}`);
  return owner;
}

/** A joined player whose SDK will not reconnect by itself (the tests drive the fallback). */
export function seated<S>(room: SdkRoom<any, S>): Player<S> & { token: () => string; synced: () => Promise<void> } {
  room.reconnection.enabled = false;
  const player = new Player<S>(room) as Player<S> & { token: () => string; synced: () => Promise<void> };
  player.token = () => room.reconnectionToken;
  // Every game's state has a players map; it is there once the first state is decoded.
  player.synced = () => player.until(() => (room.state as { players?: unknown } | undefined)?.players !== undefined, "the room's state");
  return player;
}

/**
 * Reconnects with `token` through `via` (any live process) until it works: the room is
 * restored a few seconds after its process died. Resolves with the new player and how long
 * it took.
 */
export async function resume<S>(token: string, via: ServerProcess, timeoutMs = 20000): Promise<{ player: ReturnType<typeof seated<S>>; ms: number; tries: number }> {
  const started = Date.now();
  let tries = 0;
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    tries++;
    try {
      const room = await new Client(via.url).reconnect<S>(token);
      const player = seated(room);
      await player.synced();
      return { player, ms: Date.now() - started, tries };
    } catch (err) {
      last = err;
      await sleep(250);
    }
  }
  throw new Error(`could not resume within ${timeoutMs} ms (${tries} tries); last error: ${(last as Error)?.message}`);
}

/** The room's whole state as plain JSON (what a client sees). */
export function snapshotOf(player: Player<any>): unknown {
  return JSON.parse(JSON.stringify((player.state as { toJSON(): unknown }).toJSON()));
}
