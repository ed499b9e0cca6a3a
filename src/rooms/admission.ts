/**
 * Admission to a room's places: game seats and spectator slots, from the matchmaker's seat
 * reservation to the WebSocket's arrival.
 *
 * Colyseus reserves a place at matchmaking (HTTP) time, before the WebSocket arrives, and
 * counts it only against `maxClients`, which covers seats and spectators alike. So, left
 * alone, two players could both reserve the last seat, and spectators could fill the room
 * until a player's friend finds it locked. Here:
 *
 * - a player's reservation holds a game seat until it is used or expires; a reservation
 *   beyond the free seats fails (so `joinOrCreate` tries elsewhere);
 * - spectators have their own slots (`maxSpectators`, and `maxSpectatorsPerIp` per
 *   address), counted with their unused reservations, and can never take a seat's place;
 * - a player's reservation that can hold no seat (the game started, or it is full) counts
 *   as a spectator's until onJoin refuses it, since Colyseus counts it in `maxClients`;
 * - each reservation made through the matchmaking route is released in the ledger when its
 *   client arrives or it expires.
 *
 * It wraps Colyseus's internal `_reserveSeat` (core 0.18.17, pinned; test/rooms covers it).
 */
import { ServerError, type Client, type Room } from "@colyseus/core";
import { JoinErrorCode } from "../protocol/errors.js";
import type { SeatCheck } from "../rules/types.js";
import type { RoomTimers, Timer } from "./timers.js";
import { addressKey } from "../net/address.js";
import { ADDRESS_OPTION, type ReservationRelease } from "../matchmaking/reservations.js";
import type { Logger } from "../logger.js";

export interface AdmissionSettings {
  /** Spectators allowed besides the seats. */
  maxSpectators: number;
  /** Spectators one address may have in this room. */
  maxSpectatorsPerIp: number;
  /** Where reservations made by the matchmaking route are released. */
  reservations?: ReservationRelease;
}

/** What admission needs to know of the game. */
export interface SeatsView {
  /** Seats of the room. */
  seats(): number;
  /** Seated players now. */
  players(): number;
  /** Whether a player may sit down now (not started, a seat free). */
  canSeat(): boolean;
}

interface Pending {
  spectator: boolean;
  /** A player's reservation made while a seat was open: it holds that seat. */
  holdsSeat: boolean;
  address?: string;
  expiry: Timer;
}

type Reserve = (sessionId: string, joinOptions?: any, authData?: any, seconds?: number, allowReconnection?: boolean, ...rest: unknown[]) => Promise<boolean>;

export class Admission {
  private readonly pending = new Map<string, Pending>();
  /** Connected spectators: session id → address. */
  private readonly spectators = new Map<string, string>();

  constructor(
    room: Room,
    private readonly timers: RoomTimers,
    private readonly game: SeatsView,
    private readonly settings: AdmissionSettings,
    private readonly log: Logger,
    /** Called when the pending player seats change (the listing shows the room closed meanwhile). */
    private readonly onSeatsChanged: () => void,
  ) {
    const internal = room as unknown as { _reserveSeat: Reserve; seatReservationTimeout: number };
    const reserve = internal._reserveSeat.bind(room);
    internal._reserveSeat = async (sessionId, joinOptions, authData, seconds, allowReconnection, ...rest) => {
      if (allowReconnection) return reserve(sessionId, joinOptions, authData, seconds, allowReconnection, ...rest);
      const spectator = joinOptions?.spectate === true;
      const address = typeof joinOptions?.[ADDRESS_OPTION] === "string" ? (joinOptions[ADDRESS_OPTION] as string) : undefined;
      if (!this.admit(spectator, address)) return false;
      // A player's reservation holds a seat only while one is open; otherwise it goes on and
      // onJoin refuses it with ROOM_FULL / GAME_STARTED, which tells a joinById caller why.
      const holdsSeat = !spectator && this.game.canSeat();
      const expiry = this.timers.after((seconds ?? internal.seatReservationTimeout) * 1000, () => {
        this.log.info({ sessionId, spectator }, "unused seat reservation expired");
        this.release(sessionId);
      });
      this.pending.set(sessionId, { spectator, holdsSeat, address, expiry });
      if (holdsSeat) this.onSeatsChanged();
      const ok = await reserve(sessionId, joinOptions, authData, seconds, allowReconnection, ...rest);
      if (!ok) this.release(sessionId);
      return ok;
    };
  }

  /** Player seats reserved and not used yet. */
  pendingPlayers(): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.holdsSeat) n++;
    return n;
  }

  /** A reserved client arrived (joined as a spectator or not). */
  joined(client: Client, spectator: boolean) {
    const pending = this.pending.get(client.sessionId);
    if (spectator) this.spectators.set(client.sessionId, pending?.address ?? "");
    this.release(client.sessionId);
  }

  /** A client left for good. */
  left(client: Client) {
    this.spectators.delete(client.sessionId);
  }

  /** A reservation was used, refused or expired: its place and its ledger entry are free. */
  release(sessionId: string) {
    const pending = this.pending.get(sessionId);
    if (!pending) return;
    pending.expiry.clear();
    this.pending.delete(sessionId);
    if (pending.address) this.settings.reservations?.release(pending.address, sessionId);
    if (pending.holdsSeat) this.onSeatsChanged();
  }

  private admit(spectator: boolean, address: string | undefined): boolean {
    if (!spectator && this.game.canSeat()) return this.game.players() + this.pendingPlayers() < this.game.seats();
    // A spectator, or a player's reservation that can hold no seat (the game started, or no
    // seat is free): onJoin refuses the latter and says why, but until then Colyseus counts
    // it against maxClients (seats + spectators), so it takes a spectator's place and budget.
    // Left uncounted, 16 of them (three addresses) locked a started two-seat room to spectators.
    const key = address === undefined ? undefined : addressKey(address);
    let total = this.spectators.size;
    let fromAddress = 0;
    for (const a of this.spectators.values()) if (key !== undefined && a && addressKey(a) === key) fromAddress++;
    for (const p of this.pending.values()) {
      if (p.holdsSeat) continue;
      total++;
      if (key !== undefined && p.address && addressKey(p.address) === key) fromAddress++;
    }
    if (total >= this.settings.maxSpectators) return false;
    return key === undefined || fromAddress < this.settings.maxSpectatorsPerIp;
  }
}

/**
 * Why a player may not sit down now, as the join error; undefined when they may: not while
 * the server drains, nor in a game that has started or is full, nor while everyone waiting
 * in the room is away (their seats held for the reconnection window: a game never starts
 * against someone who is not there).
 */
export function seatRefusal(draining: boolean, seat: SeatCheck, everyoneAway: boolean): ServerError | undefined {
  if (draining) return new ServerError(JoinErrorCode.SHUTTING_DOWN, "This server is restarting; join another game.");
  if (!seat.ok) {
    return seat.reason === "full"
      ? new ServerError(JoinErrorCode.ROOM_FULL, "Every seat is taken. Join with spectate: true to watch.")
      : new ServerError(JoinErrorCode.GAME_STARTED, "The game has started. Join with spectate: true to watch.");
  }
  if (everyoneAway) return new ServerError(JoinErrorCode.ROOM_FULL, "The player waiting in this room is away for a moment. Try again shortly, or join another game.");
  return undefined;
}
