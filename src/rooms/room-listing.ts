/**
 * A room's row in the matchmaker's listing (its metadata): written when one of its fields
 * changed. Every commit asks, and most moves change none, so most asks cost a comparison.
 */
import type { Logger } from "../logger.js";
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

export class RoomListing {
  private last?: ListingMetadata;
  private listedNames?: number;

  /**
   * @param fixed - the game, its seats, its listed settings and the creator's address key.
   * @param write - writes the row (the room's `setMetadata`).
   */
  constructor(
    private readonly fixed: Pick<ListingMetadata, "game" | "seats" | "settings" | "host">,
    private readonly write: (metadata: ListingMetadata) => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  /** Writes the row if a field of it changed since the last write. */
  update(now: ListingNow): void {
    const last = this.last;
    if (last && last.players === now.players && last.started === now.started && last.open === now.open && last.absent === now.absent && (last.commitment ?? "") === now.commitment && this.listedNames === now.namesVersion) return;
    this.listedNames = now.namesVersion;
    const { game, seats, settings, host } = this.fixed;
    const metadata: ListingMetadata = { game, players: now.players, seats, started: now.started, open: now.open, absent: now.absent, names: now.names(), settings, host };
    if (now.commitment) metadata.commitment = now.commitment;
    this.last = metadata;
    this.write(metadata).catch((err) => this.log.error({ err }, "listing update failed"));
  }
}
