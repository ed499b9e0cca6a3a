/**
 * What a restored or superseded room needs from Colyseus beyond its public API, in one
 * place (high availability): a seat held for a player whose connection was on a dead
 * process, the client counts a stand-in's reconnection does not make, and a listing row
 * that belongs to another copy of the room.
 */
import { matchMaker, type Client, type Room } from "@colyseus/core";

/**
 * Holds a seat for `seconds` for whoever presents `token` (the seat's saved reconnection
 * token): Colyseus's own reconnection window, on a stand-in for the client that was
 * connected to the dead process. `onEnded` runs if nobody came back (Colyseus calls no
 * onLeave for a stand-in): `expired` is true when the window passed, false when the room
 * closed first.
 */
export function holdSeat(room: Room, sessionId: string, token: string, seconds: number, onEnded: (standIn: Client, expired: boolean) => void): void {
  const standIn = { sessionId, reconnectionToken: token } as Client;
  room.allowReconnection(standIn, Math.max(0.1, seconds)).catch((reason: unknown) => onEnded(standIn, reason === false));
}

/** Adjusts the room's listing and this process's client counts by `delta` (a stand-in's reconnection counts no join). */
export function countClients(room: Room, delta: number): void {
  (room as unknown as { _listing: { clients: number } })._listing.clients += delta;
  matchMaker.stats.local.ccu += delta;
}

/** The room's listing row is another copy's now: this copy's disposal must not remove or rewrite it. */
export function detachListing(room: Room): void {
  const self = room as unknown as { _listing: { roomId?: string } };
  // Stryker disable next-line StringLiteral: equivalent: any id but the room's own keeps the live copy's row
  self._listing = { ...self._listing, roomId: `${room.roomId}~superseded` };
}
