/**
 * A room's side of high availability, behind one narrow interface, {@link RoomOutput}: how
 * the room's state changes reach its clients. Without Redis ({@link directOutput}) a patch
 * goes out at once. With it ({@link RoomFailover}) the room's snapshot is written first
 * (src/ha/gate.ts), the seats' current reconnection tokens are kept for it, a restored
 * room's seats are held for their players, and a copy that another process took over
 * while this one was stalled closes (its players resume in the live copy).
 */
import type { Client, Room } from "@colyseus/core";
import type { Logger } from "../logger.js";
import { CLOSE_ROOM_MOVED } from "../protocol/errors.js";
import { SnapshotGate, type SaveResult } from "./gate.js";
import { countClients, deferJoinAcks, detachListing, holdSeat, unlistIfMine } from "./room-seats.js";
import type { RoomSnapshots, SnapshotBody, SnapshotRoom } from "./service.js";
import type { SnapshotSeat } from "./snapshot.js";

/** How a room's state changes reach its clients. */
export interface RoomOutput {
  /** The state changed: send its patch (with high availability, once its snapshot is written). */
  changed(): void;
  /** Runs `fn` after the pending patch went out, in order (the room's events, a close). */
  then(fn: () => void): void;
  /**
   * Runs `fn` once the state as it is now is saved (with high availability: once a snapshot
   * holding it has landed in Redis, even before the patch; never if another process takes the
   * room over first, whose copy does not have this state). Without Redis, at once.
   */
  afterSaved(fn: () => void): void;
  /**
   * Resolves once the state as it is now is saved ({@link afterSaved}); rejects if another
   * process takes the room over first, or the room closes. A join or reconnection waits for
   * it before its client gets its reconnection token: a token a crash could lose opens nothing.
   */
  saved(): Promise<void>;
  /** A player took a seat with this reconnection token (the snapshot holds it). */
  seated(sessionId: string, token: string): void;
  /**
   * A seated player reconnected: their token is a new one (not yet sent: see {@link tokenSent}).
   * Until they acknowledge the join, they may hold only one of `cameWith`, the tokens their
   * seat was held under (src/rooms/join-ack.ts, ReturnTokens): the snapshot holds those too.
   */
  reconnected(sessionId: string, token: string, cameWith?: readonly string[]): void;
  /** A reconnection completed: Colyseus sends its client the new token now. */
  tokenSent(sessionId: string): void;
  /**
   * The token a seated player who dropped holds: `current` (their connection's), unless that
   * connection was a reconnection that dropped before it was sent its new token (with high
   * availability it waits for its snapshot first). Then the player still holds the previous
   * token, which the snapshot holds again; their seat must be held under it.
   */
  heldToken(sessionId: string, current: string): string;
  /** A dropped player's seat is held under these tokens too (src/rooms/join-ack.ts, ReturnTokens): the snapshot holds them. */
  heldAlso(sessionId: string, tokens: readonly string[]): void;
  /** The player has no seat any more. */
  unseated(sessionId: string): void;
  /** Another process owns this room now, or will (its game handed over at the drain's end): this copy sends nothing more and is closing. */
  readonly superseded: boolean;
  /** The room is disposed: a room that ended deletes its snapshot. */
  dispose(): void;
}

/** A single process: every patch goes out at once, nothing is kept. */
export function directOutput(room: Pick<Room, "broadcastPatch">): RoomOutput {
  return {
    changed: () => void room.broadcastPatch(),
    then: (fn) => fn(),
    afterSaved: (fn) => fn(),
    saved: () => Promise.resolve(),
    seated: () => undefined,
    reconnected: () => undefined,
    tokenSent: () => undefined,
    heldToken: (_sessionId, current) => current,
    heldAlso: () => undefined,
    unseated: () => undefined,
    superseded: false,
    dispose: () => undefined,
  };
}

/** What a room's snapshot holds, as the room knows it: its seats without their tokens (kept here). */
export type RoomSnapshotBody = Omit<SnapshotBody, "seats"> & { seats: Omit<SnapshotSeat, "token">[] };

/** What {@link RoomFailover} needs of the service (src/ha/service.ts). */
export interface Snapshots {
  attach(room: SnapshotRoom, epoch: number): RoomSnapshots;
}

export class RoomFailover implements RoomOutput, SnapshotRoom {
  private readonly snapshots: RoomSnapshots;
  private readonly gate: SnapshotGate;
  /** Each seated player's current reconnection token, by session id. */
  private readonly tokens = new Map<string, string>();
  /** Reconnections whose new token is not sent yet: the token their player still holds, by session id. */
  private readonly unsent = new Map<string, string>();
  /** The other tokens a dropped player's seat is held under ({@link heldAlso}), by session id. */
  private readonly also = new Map<string, string[]>();
  private closing = false;
  /** The room ended: a write still in flight that is answered "superseded" (the snapshot was already deleted) closes nothing. */
  private disposed = false;
  /** Joins and reconnections waiting for {@link saved}: each is told true once saved, false if the room is taken over or closes first. */
  private readonly waiting = new Set<(saved: boolean) => void>();

  /**
   * @param epoch - 0 for a new room; the claimed epoch for a restored one.
   * @param body - the room's snapshot as of now.
   */
  constructor(
    private readonly room: Room,
    service: Snapshots,
    epoch: number,
    private readonly body: () => RoomSnapshotBody,
    private readonly log: Logger,
  ) {
    this.snapshots = service.attach(this, epoch);
    this.gate = new SnapshotGate(
      (done) => this.save(done),
      () => void room.broadcastPatch(),
      () => this.supersede(),
    );
    // A joining client's whole state goes out once nothing in it is unsaved.
    deferJoinAcks(room, (ack, client) => {
      // The player has the token this join gave them: the ones before it take the seat no more.
      this.acknowledged(client.sessionId);
      this.gate.send(ack);
    });
  }

  get roomId(): string {
    return this.room.roomId;
  }

  get superseded(): boolean {
    return this.closing;
  }

  changed(): void {
    // A copy closing (superseded, or its game handed over) writes nothing more.
    if (!this.closing) this.gate.changed();
  }

  then(fn: () => void): void {
    this.gate.send(fn);
  }

  afterSaved(fn: () => void): void {
    this.gate.afterSaved(fn);
  }

  saved(): Promise<void> {
    if (this.closing || this.disposed) return Promise.reject(new Error("this copy of the room is closing"));
    return new Promise((resolve, reject) => {
      const settle = (saved: boolean) => {
        if (!this.waiting.delete(settle)) return;
        if (saved) resolve();
        else reject(new Error("this copy of the room is closing"));
      };
      this.waiting.add(settle);
      this.gate.afterSaved(() => settle(true));
    });
  }

  seated(sessionId: string, token: string): void {
    this.tokens.set(sessionId, token);
  }

  reconnected(sessionId: string, token: string, cameWith: readonly string[] = []): void {
    const previous = this.tokens.get(sessionId);
    if (previous === undefined) return;
    if (!this.unsent.has(sessionId)) this.unsent.set(sessionId, previous);
    // A copy restored before the acknowledgement takes those too.
    if (cameWith.length > 0) this.also.set(sessionId, [...cameWith]);
    this.tokens.set(sessionId, token);
    this.gate.changed();
  }

  /** The player acknowledged their join: they hold its token, and the others go. */
  private acknowledged(sessionId: string): void {
    if (this.also.delete(sessionId)) this.gate.changed();
  }

  tokenSent(sessionId: string): void {
    this.unsent.delete(sessionId);
  }

  heldToken(sessionId: string, current: string): string {
    const previous = this.unsent.get(sessionId);
    if (previous === undefined) return current;
    this.unsent.delete(sessionId);
    this.tokens.set(sessionId, previous);
    this.gate.changed();
    return previous;
  }

  heldAlso(sessionId: string, tokens: readonly string[]): void {
    if (tokens.length === 0 && !this.also.has(sessionId)) return;
    if (tokens.length === 0) this.also.delete(sessionId);
    else this.also.set(sessionId, [...tokens]);
    this.gate.changed();
  }

  unseated(sessionId: string): void {
    this.tokens.delete(sessionId);
    this.unsent.delete(sessionId);
    this.also.delete(sessionId);
  }

  /**
   * A seat of a restored room: held for `seconds` for whoever presents `token` (the token the
   * player held on the dead process). A stand-in's reconnection counts no join, so the seat
   * counts as a client now, until the player is back or the hold ends; `onExpired` runs if nobody comes back in time.
   */
  hold(sessionId: string, token: string, also: readonly string[], seconds: number, onExpired: (standIn: Client) => void): void {
    this.tokens.set(sessionId, token);
    if (also.length > 0) this.also.set(sessionId, [...also]);
    countClients(this.room, 1);
    holdSeat(this.room, sessionId, token, also, seconds, (standIn, expired) => {
      // Counted out however the hold ended (a closing room's stand-in never leaves).
      countClients(this.room, -1);
      // A room already gone (its restore failed, it ended) has nobody to tell.
      if (!expired || this.closing || this.disposed) return;
      try {
        onExpired(standIn);
      } catch (err) {
        // Thrown in a promise's callback, it would reach no handler: the process would stop.
        this.log.error({ err, sessionId }, "a held seat's expiry failed");
      }
    });
  }

  /** Another process restored this room while this one was stalled: close this copy. */
  supersede(): void {
    if (this.closing || this.disposed) return;
    this.closing = true;
    this.abandonWaiting();
    this.log.warn({ clients: this.room.clients.length }, "room taken over by another process while this one was stalled; closing this copy");
    this.snapshots.detach();
    detachListing(this.room);
    unlistIfMine(this.room.roomId).then(
      (removed) => removed && this.log.info("removed the listing row this copy wrote while it was stalled"),
      (err: unknown) => this.log.warn({ err: (err as Error).message }, "could not check this copy's listing row"),
    );
    this.sendClientsOn();
  }

  /** Closes every connection with 4412: the players resume wherever the room lives next. */
  private sendClientsOn(): void {
    this.room.disconnect(CLOSE_ROOM_MOVED).catch((err) => this.log.error({ err }, "disconnect failed"));
  }

  /**
   * The end of this process's drain with the room's game still running: hands the game over
   * instead of cutting it off, when another process can take it (asked of Redis: one that
   * runs, not draining itself). Once what its players were shown is saved and sent, this copy
   * closes their connections (4412: they resume where the room lives next, as after a
   * takeover) and leaves its snapshot in Redis for the process that takes it over once this
   * one is gone (src/ha/service.ts, `leave`). False, with nothing done, when Redis is away or a
   * write did not land: the room cuts the game off then. Otherwise true, and `cutOff` runs
   * later if no process can take the game, or Redis fails before the last write (the snapshot
   * may then lack what the players saw).
   */
  handOff(cutOff: () => void): boolean {
    if (this.closing || this.disposed || !this.snapshots.canHandOff()) return false;
    const cut = () => {
      if (!this.closing && !this.disposed) cutOff();
    };
    this.snapshots.findTaker().then((found) => {
      if (!found) return cut();
      this.gate.send(() => {
        if (this.closing || this.disposed) return;
        if (!this.snapshots.canHandOff()) return cut();
        this.closing = true;
        this.abandonWaiting();
        this.snapshots.handOff();
        this.log.info({ clients: this.room.clients.length }, "drain time is over; the game still running is handed over to another process");
        this.sendClientsOn();
      });
    }, cut);
    return true;
  }

  /** Writes the snapshot again (Redis came back after an outage). */
  resave(): void {
    if (!this.closing) this.gate.changed();
  }

  dispose(): void {
    this.disposed = true;
    this.abandonWaiting();
    // A superseded copy leaves the live one's snapshot alone.
    if (this.closing) this.snapshots.detach();
    else this.snapshots.end();
  }

  private abandonWaiting(): void {
    for (const settle of [...this.waiting]) settle(false);
  }

  /** Writes the snapshot: the room's state is read when the write goes out (with others, src/ha/service.ts). */
  private save(done: (result: SaveResult) => void): void {
    this.snapshots.write(() => {
      this.gate.reading();
      return this.snapshot();
    }, done);
  }

  private snapshot(): SnapshotBody {
    const body = this.body();
    const seats: SnapshotSeat[] = [];
    for (const seat of body.seats) {
      const token = this.tokens.get(seat.sessionId);
      // (A reconnection cut before its token was sent holds the seat under the previous one again: not twice.)
      const also = this.also.get(seat.sessionId)?.filter((t) => t !== token);
      if (token !== undefined) seats.push({ sessionId: seat.sessionId, token, ...(also?.length ? { also } : {}), name: seat.name, awayUntil: seat.awayUntil, userId: seat.userId });
    }
    body.seats = seats;
    return body as SnapshotBody;
  }
}
