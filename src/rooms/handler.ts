import { RegisteredHandler } from "@colyseus/core";
import type { AnyGame } from "../games/definition.js";
import { GameRoom } from "./GameRoom.js";
import type { RoomSettings } from "./settings.js";

/**
 * A game's room registration: the one game room running `game`, realtime listing on, and
 * `join` / `joinOrCreate` only consider rooms with a free seat (`metadata.open`), so a full
 * or started room is never picked for a player. Spectators (`spectate: true`) join any room by id.
 */
export class GameHandler extends RegisteredHandler<GameRoom> {
  constructor(settings: RoomSettings, game: AnyGame) {
    super(GameRoom, { server: settings, game });
    this.enableRealtimeListing();
  }

  override getFilterOptions(options: any) {
    const filter: Record<string, unknown> = super.getFilterOptions(options ?? {});
    if (options?.spectate !== true) filter.open = true;
    return filter;
  }
}
