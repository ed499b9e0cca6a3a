/**
 * A room's messages about fair dice (src/fairness): a seated player's `client_seed`, taken
 * for the next game and confirmed once the snapshot holding it is out, and the
 * `fairnessRevealed` announcement of a game's seed after the patch that ended the game.
 * The base room takes `client_seed` only when its game has fair dice.
 */
import type { Client } from "@colyseus/core";
import { describeZodError } from "../protocol/describe.js";
import { ErrorCode } from "../protocol/errors.js";
import { CLIENT_SEED, clientSeedPayload, type ServerEvents } from "../protocol/messages.js";
import type { FairnessReveal } from "../fairness/room-fairness.js";
import type { RoomOutput } from "../ha/room-failover.js";
import type { GameRecords } from "./game-records.js";
import type { MessageGate } from "./message-gate.js";

/** What the seed messages need of their room. */
export interface SeedRoom {
  isSeated(sessionId: string): boolean;
  /** Projects the state (the seed shows in `state.fairness`) and sends its patch. */
  commit(): void;
  broadcast(type: string, payload: unknown): void;
}

export class SeedMessages {
  constructor(
    private readonly gate: Pick<MessageGate, "admit" | "reject">,
    private readonly records: Pick<GameRecords, "clientSeed">,
    private readonly out: Pick<RoomOutput, "then">,
    private readonly room: SeedRoom,
  ) {}

  /** `client_seed { seed }`: a seated player's contribution to the next game's dice. */
  clientSeed(client: Client, payload: unknown): void {
    if (!this.gate.admit(client)) return;
    const parsed = clientSeedPayload.safeParse(payload);
    if (!parsed.success) return this.gate.reject(client, ErrorCode.INVALID_PAYLOAD, `Invalid "${CLIENT_SEED}" payload: ${describeZodError(parsed.error)}`);
    if (!this.room.isSeated(client.sessionId)) return this.gate.reject(client, ErrorCode.NOT_A_PLAYER, "Only seated players contribute a client seed.");
    if (!this.records.clientSeed(client.sessionId, parsed.data.seed)) return this.gate.reject(client, ErrorCode.NOT_ALLOWED, "The game has started: a client seed counts for the next game; send it after this one ends.");
    this.room.commit();
    // After the patch, which waits for the snapshot holding the seed: a takeover keeps it.
    this.out.then(() => client.send("clientSeedAccepted", { seed: parsed.data.seed } satisfies ServerEvents["clientSeedAccepted"]));
  }

  /** The game's revealed dice seed goes to every client once the patch that ended the game is out (with high availability: once its snapshot is written). */
  announce(revealed: FairnessReveal): void {
    this.out.then(() => this.room.broadcast("fairnessRevealed", revealed satisfies ServerEvents["fairnessRevealed"]));
  }
}
