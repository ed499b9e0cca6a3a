/**
 * A room's side of the running-games index (src/players/running-games.ts, GET /api/me/games):
 * which signed-in player sits here, written when they sit down, drop or are restored here,
 * removed when their last seat here goes or the room ends; and the answer to "which seat
 * does this player hold here while away, under which token".
 */
import type { AwaySeat } from "../players/running-games.js";
import type { RoomSettings } from "./settings.js";

/** What the index reads of its room. */
export interface SeatIndexRoom {
  readonly roomId: string;
  readonly roomName: string;
  /** The seated players, in seat order. */
  seated(): readonly string[];
  userIdOf(playerId: string): string | undefined;
  /** When `playerId`'s reconnection window ends, if they are away. */
  awayUntil(playerId: string): number | undefined;
  /** A game is running (a finished game's seat, or one waiting for players, is not worth coming back for). */
  started(): boolean;
  readonly private: boolean;
}

export class SeatIndex {
  constructor(
    private readonly room: SeatIndexRoom,
    private readonly index: RoomSettings["running"],
  ) {}

  /** `playerId` sits here: sat down, dropped (the entry's expiry starts over) or restored here (whatever became of the dead process's entry). */
  sits(playerId: string): void {
    const userId = this.room.userIdOf(playerId);
    if (userId) this.index?.seated(userId, this.room.roomId, this.room.roomName);
  }

  /** `playerId` has no seat any more (call before their identity goes); a player in two seats (two tabs) still sits in the other. */
  unseated(playerId: string): void {
    const userId = this.room.userIdOf(playerId);
    if (userId && !this.room.seated().some((id) => id !== playerId && this.room.userIdOf(id) === userId)) this.index?.left(userId, this.room.roomId);
  }

  /** The room ended: every seated player's entry goes (not a superseded copy's: its players sit on in the live copy). */
  disposed(superseded: boolean): void {
    if (superseded) return;
    for (const userId of new Set(this.room.seated().map((id) => this.room.userIdOf(id)))) if (userId) this.index?.left(userId, this.room.roomId);
  }

  /** The seat `userId` holds here while away, with the token that takes it back (`holder`: the Colyseus room); null when none. */
  awaySeat(userId: string, holder: object): AwaySeat | null {
    if (!this.room.started()) return null;
    for (const id of this.room.seated()) {
      const until = this.room.awayUntil(id);
      if (until === undefined || this.room.userIdOf(id) !== userId) continue;
      const token = heldReconnectionToken(holder, id);
      if (token) return { roomId: this.room.roomId, game: this.room.roomName, reconnectionToken: `${this.room.roomId}:${token}`, private: this.room.private, until };
    }
    return null;
  }
}

/**
 * The token a seat is held under while its player is away: the key of Colyseus's pending
 * reconnection for `sessionId` (what `client.reconnect()` must name), or undefined.
 * Colyseus keeps these in a private field (`_reconnections`, checked in @colyseus/core 0.18).
 */
export function heldReconnectionToken(room: object, sessionId: string): string | undefined {
  const pending = (room as { _reconnections?: Record<string, [string, unknown]> })._reconnections ?? {};
  for (const [token, held] of Object.entries(pending)) if (held[0] === sessionId) return token;
  return undefined;
}
