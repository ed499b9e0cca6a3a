import { Room, subscribeLobby, type Client } from "@colyseus/core";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { RoomName } from "../protocol/messages.js";
import { listRooms, type RoomEntry } from "./listing.js";

const lobbyOptions = z.object({
  game: z.enum(Object.values(RoomName) as [string, ...string[]]).optional(),
  include: z.enum(["joinable", "all"]).optional(),
});
type LobbyFilter = z.output<typeof lobbyOptions>;

export interface LobbySettings {
  logger: Logger;
  /** How often the list is re-read even without a change notice (catches rooms of dead processes). @default 1000 */
  refreshMs: number;
}

/**
 * Room `lobby`: pushes the live room listing. A client joins with an optional filter
 * (`game`, `include: "joinable" | "all"`) and gets a `rooms` message with the whole list
 * at once, then again whenever it changes (send `refresh` to get it again). Changes arrive through the matchmaker's lobby
 * channel at once; a periodic re-read also removes rooms whose process died (their
 * listings are swept from the driver without a notice).
 */
export class LobbyRoom extends Room {
  private filters = new Map<string, LobbyFilter>();
  private lastSent = new Map<string, string>();
  private unsubscribe?: () => unknown;
  private refreshing?: Promise<void>;
  private again = false;
  private log!: Logger;

  override maxClients = 1000;
  override patchRate: number | null = null;

  override async onCreate(options: { server: LobbySettings }) {
    this.log = options.server.logger.child({ roomId: this.roomId, roomName: this.roomName });
    this.autoDispose = true;
    this.unsubscribe = await subscribeLobby(() => this.refresh());
    this.clock.setInterval(() => this.refresh(), options.server.refreshMs);
    // `refresh` resends the list (a client that registered its handler after joining
    // may have missed the first one); anything else is ignored, never a kick.
    this.onMessage("refresh", async (client: Client) => {
      this.lastSent.delete(client.sessionId);
      await this.sendTo(client, await listRooms({ include: "all" }));
    });
    this.onMessage("*", () => undefined);
  }

  override onAuth(_client: Client, options: unknown) {
    const parsed = lobbyOptions.safeParse(options ?? {});
    return parsed.success ? parsed.data : {};
  }

  override async onJoin(client: Client, _options: unknown, filter: LobbyFilter) {
    this.filters.set(client.sessionId, filter);
    await this.sendTo(client, await listRooms({ include: "all" }));
  }

  override onLeave(client: Client) {
    this.filters.delete(client.sessionId);
    this.lastSent.delete(client.sessionId);
  }

  override onDispose() {
    void this.unsubscribe?.();
  }

  override onUncaughtException(error: Error, method: string) {
    this.log.error({ err: error, method }, "lobby error");
  }

  /** Re-reads the listing and sends each client its list if it changed; coalesces bursts. */
  private refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          const all = await listRooms({ include: "all" });
          for (const client of this.clients) await this.sendTo(client, all);
        } catch (err) {
          this.log.warn({ err }, "listing refresh failed; will retry");
        }
      } while (this.again);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async sendTo(client: Client, all: RoomEntry[]) {
    const filter = this.filters.get(client.sessionId) ?? {};
    const rooms = all.filter((r) => (!filter.game || r.game === filter.game) && ((filter.include ?? "joinable") === "all" || r.open));
    const key = JSON.stringify(rooms);
    if (this.lastSent.get(client.sessionId) === key) return;
    this.lastSent.set(client.sessionId, key);
    client.send("rooms", rooms);
  }
}
