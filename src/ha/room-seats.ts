/**
 * What a restored or superseded room needs from Colyseus beyond its public API, in one
 * place (high availability): a seat held for a player whose connection was on a dead
 * process, the client counts a stand-in's reconnection does not make, and a listing row
 * that belongs to another copy of the room, or to no live copy at all.
 */
import { ClientState, matchMaker, Protocol, type Client, type Room } from "@colyseus/core";
import { interceptFrames } from "../rooms/frame-clock.js";

/**
 * Holds a seat for `seconds` for whoever presents `token` (the seat's saved reconnection
 * token): Colyseus's own reconnection window, on a stand-in for the client that was
 * connected to the dead process. `onEnded` runs if nobody came back (Colyseus calls no
 * onLeave for a stand-in): `expired` is true when the window passed, false when the room
 * closed first.
 */
export function holdSeat(room: Room, sessionId: string, token: string, also: readonly string[], seconds: number, onEnded: (standIn: Client, expired: boolean) => void): void {
  const standIn = seatStandIn({ sessionId, reconnectionToken: token });
  room.allowReconnection(standIn, Math.max(0.1, seconds)).catch((reason: unknown) => onEnded(standIn, reason === false));
  for (const alias of also) holdAlsoUnder(room, token, alias);
}

/**
 * Adds `alias` to the room's pending reconnection held under `token`: whoever presents
 * either takes the seat back, and the alias goes when the hold ends. Colyseus keeps these
 * in a private field (`_reconnections`, checked in @colyseus/core 0.18: the matchmaker's
 * `checkReconnectionToken`, `hasReservedSeat` and the join itself look the token up there).
 */
export function holdAlsoUnder(room: Room, token: string, alias: string): void {
  const pending = (room as unknown as { _reconnections: Record<string, [string, { promise: Promise<unknown> }]> })._reconnections;
  const entry = pending[token];
  if (!entry || pending[alias]) return;
  pending[alias] = entry;
  entry[1].promise
    .finally(() => {
      if (pending[alias] === entry) delete pending[alias];
    })
    .catch(() => undefined);
}

/**
 * What Colyseus's `allowReconnection` holds a seat with when the client itself cannot be:
 * the session, the token whoever comes back must present, and the player's identity.
 */
export function seatStandIn(from: Pick<Client, "sessionId" | "reconnectionToken"> & Partial<Pick<Client, "auth" | "userData" | "view">>): Client {
  return { sessionId: from.sessionId, reconnectionToken: from.reconnectionToken, auth: from.auth, userData: from.userData, view: from.view } as Client;
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

/**
 * After {@link detachListing}: removes the room's listing row if it names this process. A
 * stalled copy writes its row again when it wakes up and plays on before it learns it was
 * taken over; if the live copy has ended meanwhile, nothing else would ever remove that row
 * (the lobby would list a room that is gone). A row naming another process is the live
 * copy's, left alone. Not atomic: should the live copy list the room again between the read
 * and the removal, its next check lists it once more (relist, src/ha/service.ts). The read
 * and the removal go through the listing's own connection, after this copy's last write.
 */
export async function unlistIfMine(roomId: string): Promise<boolean> {
  const row = (await matchMaker.driver.findByIds([roomId])).get(roomId);
  if (row?.processId !== matchMaker.processId) return false;
  await matchMaker.driver.remove(roomId);
  return true;
}

/** Clients whose join acknowledgement arrived and waits for the room's pending write ({@link deferJoinAcks}). */
const waitingAcks = new WeakSet<Client>();

/** Whether `client` has acknowledged its join, its acknowledgement waiting behind a snapshot write (not a silent client). */
export function joinAckWaiting(client: Client): boolean {
  return waitingAcks.has(client);
}

/**
 * Hands a joining client's acknowledgement (the frame after which Colyseus sends it the
 * whole state, `sendFullState`) to `defer`, which runs it once the room's state is saved and
 * its patch is out: the whole state it then gets holds nothing a crash could take back, and
 * no patch it gets later repeats part of it. Every other frame goes on at once. Call in
 * `onCreate`, before anyone joins (Colyseus binds the frame handler at each join).
 */
export function deferJoinAcks(room: Room, defer: (ack: () => void, client: Client) => void): void {
  interceptFrames(room, (next, self, client, buffer) => {
    if (buffer?.[0] !== Protocol.JOIN_ROOM || client.state !== ClientState.JOINING) return next.call(self, client, buffer);
    waitingAcks.add(client);
    defer(() => {
      waitingAcks.delete(client);
      // Still joining (not gone meanwhile): what Colyseus would have done at once.
      if (client.state === ClientState.JOINING) next.call(self, client, buffer);
    }, client);
  });
}
