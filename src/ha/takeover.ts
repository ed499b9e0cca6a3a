/**
 * The takeover of a dead process's rooms (src/ha/service.ts decides which process is dead).
 * Each room is claimed with a compare-and-set (src/ha/store.ts), so exactly one survivor
 * restores it, even with several; the winner re-creates it here with the same id from its
 * snapshot (the room re-arms its timers and holds its seats: src/rooms/room-snapshot.ts). A
 * claim that fails (Redis busy, a connection reset) leaves the dead process known as dead, and
 * the next check tries its rooms again, up to {@link MAX_CLAIM_TRIES} times; one whose answer
 * was lost may have landed, and is claimed again. A process that died while no other ran has
 * its snapshots dropped instead ({@link Takeover.dropOrphans}).
 */
import { matchMaker } from "@colyseus/core";
import type { Logger } from "../logger.js";
import type { HaMetrics } from "./service.js";
import { parseSnapshot, type Snapshot } from "./snapshot.js";
import type { SnapshotStore } from "./store.js";

/** Takeovers of one dead process while some of its rooms cannot be claimed (a Redis error), at most. */
const MAX_CLAIM_TRIES = 10;

/** The create option (server-only) that carries a snapshot into a restored room. */
export const RESTORE_OPTION = "restore";

/** What a restored room is created with. */
export interface RestoreOption {
  snapshot: Snapshot;
  /** The epoch this process claimed the room at. */
  epoch: number;
  /** The process the room came from. */
  from: string;
}

/** What a takeover needs of the service. */
export interface TakeoverDeps {
  store: SnapshotStore;
  /** This process's id. */
  me: () => string;
  log: Logger;
  metrics?: HaMetrics;
  /** This process drains for a shutdown: it leaves the rest of a takeover to the processes that stay. */
  draining: () => boolean;
  /** Re-creates a room here with its id (tests replace it). @default matchMaker.handleCreateRoom */
  create?: (roomName: string, options: Record<string, unknown>, roomId: string) => Promise<unknown>;
}

export class Takeover {
  /** Dead processes some of whose rooms could not be claimed: the takeovers tried so far. */
  private readonly claimTries = new Map<string, number>();
  /**
   * Rooms of dead processes whose claim got no answer (a connection reset): it may have
   * landed, taking the room from the dead process's set. They are claimed again with the
   * dead process's other rooms, and one that is this process's already is restored.
   */
  private readonly unanswered = new Map<string, Set<string>>();

  private readonly create: NonNullable<TakeoverDeps["create"]>;

  constructor(private readonly deps: TakeoverDeps) {
    this.create = deps.create ?? ((roomName, options, roomId) => matchMaker.handleCreateRoom(roomName, options, undefined, roomId));
  }

  /** Claims and restores every room of a dead process (those another survivor did not win first). */
  async takeOver(dead: string, lastBeat: number): Promise<void> {
    const roomIds = await this.roomsOf(dead);
    const detectedAt = Date.now();
    const BATCH = 16;
    let restored = 0;
    let unclaimed = 0;
    for (let i = 0; i < roomIds.length; i += BATCH) {
      // Told to stop meanwhile: the rest is left to the processes that stay (the dead one stays dead for them).
      if (this.deps.draining()) return void this.deps.log.info({ processId: dead, rooms: roomIds.length - i }, "draining: the rest of a dead process's rooms are left to the other processes");
      const results = await Promise.all(roomIds.slice(i, i + BATCH).map((roomId) => this.restore(roomId, dead)));
      restored += results.filter((r) => r === "restored").length;
      unclaimed += results.filter((r) => r === "unclaimed").length;
    }
    const tries = (this.claimTries.get(dead) ?? 0) + 1;
    if (unclaimed > 0 && tries < MAX_CLAIM_TRIES) {
      // A claim that failed (Redis busy, a connection reset) leaves its room with the dead
      // process: it stays known as dead, and the next check tries its rooms again.
      this.claimTries.set(dead, tries);
      this.deps.log.warn({ processId: dead, rooms: roomIds.length, restored, unclaimed }, "process dead: some of its rooms could not be claimed; trying again at the next check");
      return;
    }
    this.claimTries.delete(dead);
    this.unanswered.delete(dead);
    if (unclaimed > 0) this.deps.log.error({ processId: dead, unclaimed, tries }, "process dead: some of its rooms could not be claimed, and are given up");
    await this.deps.store.forget(dead);
    if (roomIds.length > 0) {
      this.deps.log.warn({ processId: dead, rooms: roomIds.length, restored, silentMs: detectedAt - lastBeat, ms: Date.now() - detectedAt }, "process dead: its rooms were taken over");
    }
  }

  /** Claims and restores one room of a dead process: "unclaimed" when the claim failed (it may be tried again), "lost" when another survivor has it, it ended, or its restore failed. */
  private async restore(roomId: string, dead: string): Promise<"restored" | "lost" | "unclaimed"> {
    const started = Date.now();
    let claim: Awaited<ReturnType<SnapshotStore["claim"]>>;
    try {
      claim = await this.claim(roomId, dead);
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message, roomId }, "claim failed");
      return "unclaimed";
    }
    if (!claim) return "lost"; // another survivor has it, or it ended
    const parsed = parseSnapshot(claim.fields, claim.history);
    if (!parsed.ok) return this.failed(roomId, claim.epoch, { from: dead, reason: parsed.reason }, "snapshot unreadable: room not restored, snapshot dropped");
    const { snapshot } = parsed;
    try {
      const restore: RestoreOption = { snapshot, epoch: claim.epoch, from: dead };
      await this.create(snapshot.roomName, { [RESTORE_OPTION]: restore }, roomId);
      this.deps.metrics?.restored();
      this.deps.log.info({ roomId, roomName: snapshot.roomName, from: dead, epoch: claim.epoch, seats: snapshot.seats.length, ms: Date.now() - started }, "room restored");
      return "restored";
    } catch (err) {
      return this.failed(roomId, claim.epoch, { from: dead, err: (err as Error).message }, "room restore failed: snapshot dropped");
    }
  }

  /** A claimed room that cannot be restored: counted, logged, and its snapshot dropped (nobody else will have it). */
  private async failed(roomId: string, epoch: number, why: Record<string, unknown>, msg: string): Promise<"lost"> {
    this.deps.metrics?.restoreFailed();
    this.deps.log.error({ roomId, ...why }, msg);
    await this.deps.store.drop(roomId, epoch, this.deps.me()).catch(() => undefined);
    return "lost";
  }

  /** The rooms of a dead process still to claim: those Redis lists for it, and those whose claim got no answer. */
  private async roomsOf(dead: string): Promise<string[]> {
    const listed = await this.deps.store.roomsOf(dead);
    const unanswered = this.unanswered.get(dead);
    return unanswered ? [...new Set([...listed, ...unanswered])] : listed;
  }

  /** Claims a dead process's room; a claim that fails is remembered as unanswered (it may have landed), and claimed again next time. */
  private async claim(roomId: string, dead: string) {
    const unanswered = this.unanswered.get(dead);
    try {
      const claim = await this.deps.store.claim(roomId, dead, this.deps.me(), unanswered?.has(roomId));
      unanswered?.delete(roomId);
      return claim;
    } catch (err) {
      if (unanswered) unanswered.add(roomId);
      else this.unanswered.set(dead, new Set([roomId]));
      throw err;
    }
  }

  /** A process that died while no other ran: its snapshots are dropped, not restored. */
  async dropOrphans(dead: string) {
    const roomIds = await this.roomsOf(dead);
    for (const roomId of roomIds) {
      const claim = await this.claim(roomId, dead);
      if (claim) await this.deps.store.drop(roomId, claim.epoch, this.deps.me());
    }
    this.unanswered.delete(dead);
    await this.deps.store.forget(dead);
    if (roomIds.length > 0) this.deps.log.warn({ processId: dead, rooms: roomIds.length }, "snapshots of a process that died before this one started were dropped (no survivor took them over)");
  }
}
