/**
 * A room's drain for a graceful shutdown: whether it is draining, and the `draining`
 * notice (the seconds left until the room closes), for everyone when it begins and for
 * whoever arrives during it (a player back from a dropped connection, a spectator).
 */
import type { Client } from "@colyseus/core";
import type { ServerEvents } from "../protocol/messages.js";

export class Drain {
  /** When the drain closes the room (ms since 1970); 0 while not draining. */
  private endsAt = 0;

  get draining(): boolean {
    return this.endsAt > 0;
  }

  /** Starts the drain; the notice to send everyone. */
  begin(seconds: number): ServerEvents["draining"] {
    this.endsAt = Date.now() + seconds * 1000;
    return this.notice();
  }

  /** Tells a client that arrived during the drain how long is left (nothing otherwise). */
  tell(client: Client): void {
    if (this.draining) client.send("draining", this.notice());
  }

  private notice(): ServerEvents["draining"] {
    return { seconds: Math.max(0, Math.round((this.endsAt - Date.now()) / 1000)) };
  }
}
