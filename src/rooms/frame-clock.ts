/**
 * Keeps Colyseus's per-client frame count per second (`Room.maxMessagesPerSecond`) counting
 * per second.
 *
 * Colyseus starts a client's new second when the room clock (`clock.currentTime`) has passed
 * the last one, and that clock moves only when something ticks it: a patch interval, clock
 * timers, or a room that ticks it itself. Our rooms have none of them (state goes out from
 * their commits, timers are their own), so a frame that reached no handler of ours (a ping,
 * a request) never moved it. In a quiet room the count then never started a new second:
 * a client that sent 181 pings over any span (`room.ping()` once a second, for three minutes
 * of waiting for an opponent) was closed with 4002, which gives no reconnection window, so a
 * seated player forfeited. Here the clock ticks for every frame, before Colyseus counts it.
 */
import type { Room } from "@colyseus/core";

type FrameHandler = (this: Room, client: unknown, buffer: unknown) => unknown;

/** Call in `onCreate`, before any client joins (Colyseus binds the handler at each join). */
export function tickClockOnEveryFrame(room: Room): void {
  const internal = room as unknown as { _onMessage?: FrameHandler };
  const handle = internal._onMessage;
  // Colyseus's frame handler (Room.ts `_onMessage`); a version without it must not start silently unprotected.
  if (typeof handle !== "function") throw new Error("Colyseus's Room has no _onMessage: the room clock cannot be ticked for each frame (check the @colyseus/core version)");
  internal._onMessage = function (this: Room, client: unknown, buffer: unknown) {
    this.clock.tick();
    return handle.call(this, client, buffer);
  };
}
