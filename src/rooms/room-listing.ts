/**
 * A room's row in the matchmaker's listing (its metadata), read from the room's parts and
 * written when one of its fields changed. Every commit asks, and most moves change none, so
 * most asks cost a comparison. It also answers whether the room is "absent": a game not
 * started whose every seated player is away, which nobody new may join meanwhile.
 */
import type { Logger } from "../logger.js";
import type { AnyGame } from "../games/definition.js";
import type { ListingMetadata } from "./settings.js";

/** What changes during a room's life; the rest of the row is fixed at creation. */
export interface ListingNow {
  players: number;
  started: boolean;
  open: boolean;
  absent: boolean;
  /** Bumped whenever a seated player's name changes: `names()` is read only then. */
  namesVersion: number;
  /** The commitment of the running or next game's dice seed ("" without fair dice). */
  commitment: string;
  names: () => string[];
}

/** Where the row's changing fields come from: the room's game and parts. */
export interface ListedRoom {
  rules: Pick<AnyGame["rules"], "playerIds" | "isStarted" | "canSeat">;
  /** The game state now. */
  game(): unknown;
  away: { everyone(players: readonly string[]): boolean };
  drain: { readonly draining: boolean };
  names: { readonly version: number; of(ids: readonly string[]): string[] };
  /** Players admitted to a seat who have not joined yet (their reservation holds it). */
  pendingPlayers(): number;
  /** The running or next game's dice commitment ("" without fair dice). */
  commitment(): string;
  /** Another process owns the room now (high availability): this copy lists nothing more. */
  superseded(): boolean;
}

export class RoomListing {
  private last?: ListingMetadata;
  private listedNames?: number;

  /**
   * @param fixed - the game, its seats, its listed settings and the creator's address key.
   * @param room - where the row's changing fields are read.
   * @param save - writes the row (the room's `setMetadata`).
   */
  constructor(
    private readonly fixed: Pick<ListingMetadata, "game" | "seats" | "settings" | "host">,
    private readonly room: ListedRoom,
    private readonly save: (metadata: ListingMetadata) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** The game has not started and every seated player is away (dropped, seat held). */
  everyoneAway(): boolean {
    const { rules } = this.room;
    const game = this.room.game();
    return this.absent(rules.isStarted(game), rules.playerIds(game));
  }

  private absent(started: boolean, ids: readonly string[]): boolean {
    return !started && this.room.away.everyone(ids);
  }

  /** Reads the row's fields from the room and writes it if one changed since the last write (every commit asks). */
  update(): void {
    const room = this.room;
    if (room.superseded()) return;
    const game = room.game();
    const ids = room.rules.playerIds(game);
    const started = room.rules.isStarted(game);
    const players = ids.length;
    const absent = this.absent(started, ids);
    const open = !room.drain.draining && !absent && room.rules.canSeat(game).ok && players + room.pendingPlayers() < this.fixed.seats;
    // Names given at join (bots have none here).
    this.put({ players, started, open, absent, namesVersion: room.names.version, names: () => room.names.of(ids), commitment: room.commitment() });
  }

  /** Writes the row if a field of it changed since the last write. */
  put(now: ListingNow): void {
    const last = this.last;
    if (last && last.players === now.players && last.started === now.started && last.open === now.open && last.absent === now.absent && (last.commitment ?? "") === now.commitment && this.listedNames === now.namesVersion) return;
    this.listedNames = now.namesVersion;
    const { game, seats, settings, host } = this.fixed;
    const metadata: ListingMetadata = { game, players: now.players, seats, started: now.started, open: now.open, absent: now.absent, names: now.names(), settings, host };
    if (now.commitment) metadata.commitment = now.commitment;
    this.last = metadata;
    this.save(metadata).catch((err) => this.log.error({ err }, "listing update failed"));
  }
}
