import { RegisteredHandler, type Room } from "@colyseus/core";
import type { RoomSettings } from "./GameRoom.js";

/**
 * A room definition for a game: realtime listing on, and `join` / `joinOrCreate` only
 * consider rooms with a free seat (`metadata.open`), so a full or started room is never
 * picked for a player. Spectators (`spectate: true`) join any room by id.
 */
export class GameHandler<R extends Room> extends RegisteredHandler<R> {
  constructor(klass: new (...args: any[]) => R, settings: RoomSettings) {
    super(klass, { server: settings });
    this.enableRealtimeListing();
  }

  override getFilterOptions(options: any) {
    const filter: Record<string, unknown> = super.getFilterOptions(options ?? {});
    if (options?.spectate !== true) filter.open = true;
    return filter;
  }
}
