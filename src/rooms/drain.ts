/**
 * A room's drain for a graceful shutdown (SIGTERM; the matchmaker already sends no new
 * players here). A room with no game running closes at once; a running game may finish, up
 * to `seconds`, and the room closes after the patch that ends it, or at the cutoff: there,
 * with high availability, its game is handed over to another process if one can take it
 * (its players resume there), and cut off otherwise.
 * Colyseus's default would cut the game off. Everyone is told `draining { seconds }` when
 * it begins, and whoever arrives during it (a player back from a dropped connection, a
 * spectator) how long is left.
 */
import type { Client } from "@colyseus/core";
import type { Logger } from "pino";
import type { ServerEvents } from "../protocol/messages.js";

/** What the drain needs from its room. */
export interface DrainingRoom {
  /** Whether a game is running. */
  started(): boolean;
  /** Sends the notice to everyone in the room. */
  broadcast(notice: ServerEvents["draining"]): void;
  /** Runs `fn` once the last state patch has gone out (with high availability, after its snapshot). */
  afterPatch(fn: () => void): void;
  /** Runs `fn` in `ms` on the room's own timers (cleared when the room is disposed). */
  after(ms: number, fn: () => void): void;
  /** Closes the room for the shutdown. */
  close(): void;
  /**
   * At the cutoff: hands the running game over to another process (high availability). False
   * when it cannot; true when it may, and `cutOff` runs later if no process can take it.
   */
  handOff(cutOff: () => void): boolean;
  log: Logger;
}

export class Drain {
  /** When the drain closes the room (ms since 1970); 0 while not draining. */
  private endsAt = 0;
  /** The game ended during the drain: the room closes once its last patch is out (asked once). */
  private asked = false;
  /** The drain has closed the room. */
  private closed = false;
  /** At the cutoff the game is being handed over (or cut off, if no process can take it): the room closes that way. */
  private handingOff = false;

  constructor(private readonly room: DrainingRoom) {}

  get draining(): boolean {
    return this.endsAt > 0;
  }

  /** The drain has closed the room (a game cut off, or none running): its clients' leaves change nothing. */
  get closedRoom(): boolean {
    return this.closed;
  }

  /** Starts the drain: tells everyone, and closes the room now or when its game may run no longer. */
  begin(seconds: number): void {
    if (this.draining) return;
    this.endsAt = Date.now() + seconds * 1000;
    this.room.broadcast(this.notice());
    this.room.log.info({ drainSeconds: seconds }, "draining for shutdown");
    if (!this.room.started()) return this.close();
    this.room.after(seconds * 1000, () => {
      // A game that ended asked its close already (which may still wait for its patch): the cutoff holds, without the warning.
      if (this.asked) return this.close();
      const cutOff = () => {
        this.room.log.warn("drain time is over; closing a game still running");
        this.close();
      };
      if (this.room.handOff(cutOff)) this.handingOff = true;
      else cutOff();
    });
  }

  /** After each commit: a game that ended during the drain closes its room once its players have seen how it ended. */
  committed(): void {
    if (!this.draining || this.asked || this.closed || this.handingOff || this.room.started()) return;
    this.asked = true;
    this.room.log.info("game over while draining; closing the room");
    this.room.afterPatch(() => this.room.after(0, () => this.close()));
  }

  /** Tells a client that arrived during the drain how long is left (nothing otherwise). */
  tell(client: Client): void {
    if (this.draining) client.send("draining", this.notice());
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.room.close();
  }

  private notice(): ServerEvents["draining"] {
    return { seconds: Math.max(0, Math.round((this.endsAt - Date.now()) / 1000)) };
  }
}
