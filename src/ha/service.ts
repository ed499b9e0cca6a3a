/**
 * High availability (Redis only): every game room's snapshot is kept in Redis, and when a
 * process dies a survivor re-creates its rooms with the same ids, state and timers.
 *
 * One per process. It gives each room a handle to write its snapshot (src/ha/gate.ts sends
 * the state only after that), and every `checkMs` it
 *   - beats: records that this process is alive (`ha:procs`);
 *   - fences: a room of ours whose owner key names another process or epoch was taken over
 *     while we were stalled; that copy closes (its players resume in the live copy);
 *   - takes over: a process with no heartbeat for `deadAfterMs` that does not answer
 *     directly either (src/ha/probe.ts: one cut off from Redis still runs its games) and
 *     whose presence channel is gone (or that fails Colyseus's health check: stalled) is
 *     dead; each of its rooms is claimed with a compare-and-set, so exactly one survivor
 *     restores it (src/ha/takeover.ts);
 *   - keeps the listing right for the rooms it restored (a process that was only stalled
 *     re-lists its rooms when it wakes up, colyseus#968).
 * A process that died before this one started (every process was down) is not taken over:
 * its snapshots are dropped, since no player is still waiting for those games.
 */
import { matchMaker } from "@colyseus/core";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { SaveResult } from "./gate.js";
import { answersDirectly, DEFAULT_PROBE_MS } from "./probe.js";
import { FieldDiff, SNAPSHOT_VERSION, type Snapshot, type StoredSnapshot } from "./snapshot.js";
import { Takeover } from "./takeover.js";
import { ownerValue, SnapshotStore, type SnapshotWrite, type WriteResult } from "./store.js";

/** Rooms written in one call at most. */
const MAX_BATCH = 128;
/** How often the event loop is looked at for stalls (see HighAvailability.suspect). */
const STALL_TICK_MS = 250;

/** How long (in `deadAfterMs`) a process started while another runs leaves a process that died before it to that one's takeover. */
const ORPHAN_GRACE = 3;
/**
 * How long after its drain began a process first asks who could take its games over: processes
 * told to stop at about the same moment (`pm2 stop`, every instance at once) have recorded their
 * own drains by then, so none hands its games to another that is about to go too.
 */
export const DRAIN_SETTLE_MS = 1000;
/** One answer to "who could take a game over?" serves the rooms asking within this (a drain ends for every room at once). */
const TAKER_ANSWER_MS = 250;
/** Ended rooms whose snapshots wait for Redis to be deleted, at most (each a few dozen bytes). */
const MAX_UNREMOVED = 10_000;

/** What a room writes: its snapshot minus what the service fills in. */
export type SnapshotBody = Omit<Snapshot, "v" | "epoch" | "owner" | "savedAt" | "match" | "fairness"> & { match?: Snapshot["match"]; fairness?: Snapshot["fairness"] };

/** What the service needs of a room. */
export interface SnapshotRoom {
  readonly roomId: string;
  /** Another process owns the room now: close this copy. */
  supersede(): void;
  /** Write the snapshot again (Redis is back after an outage). */
  resave(): void;
}

/** A room's handle on its snapshot. */
export interface RoomSnapshots {
  /**
   * Writes the snapshot with the next call to Redis; `read` is called then, and returns it:
   * the rooms of one call are read in one pass, and a room that changed twice meanwhile is
   * written once. `done` is called with the result (at once with "skipped" while Redis is
   * unreachable).
   */
  write(read: () => SnapshotBody, done: (result: SaveResult) => void): void;
  /** The room ended normally: its snapshot is deleted. */
  end(): void;
  /** The room was superseded: forget it here, leave the live copy's snapshot alone. */
  detach(): void;
  /** Whether snapshots can be handed over at all now: Redis answers, and every write has landed so far. */
  canHandOff(): boolean;
  /**
   * Whether another process runs now that could take a game over: it beat within
   * `deadAfterMs` and is neither draining nor released (read from Redis, once the drain has
   * run {@link DRAIN_SETTLE_MS}, so that processes told to stop at the same moment have said
   * so). False when Redis cannot tell.
   */
  findTaker(): Promise<boolean>;
  /**
   * The room's game is handed over: forgotten here, its snapshot left in Redis (and in this
   * process's set), for a survivor to take over once this process is gone ({@link HighAvailability.leave}).
   */
  handOff(): void;
}

/** What the service reports to /metrics. */
export interface HaMetrics {
  restored(): void;
  restoreFailed(): void;
  superseded(): void;
  writeSeconds(seconds: number): void;
  writeFailed(): void;
  paused(paused: boolean): void;
}

export interface HaOptions {
  /** A connection of its own, with `enableOfflineQueue: false`: a write while Redis is down fails at once. */
  redis: Redis;
  logger: Logger;
  metrics?: HaMetrics;
  /** How often to beat, fence and look for dead processes. @default 1000 */
  checkMs?: number;
  /** A process whose heartbeat is this old is checked for death. @default 3000 */
  deadAfterMs?: number;
  /**
   * The least time between two snapshot calls to Redis (a group commit): writes made sooner
   * after the last call wait, and go out together (see {@link schedule}); a write waits at
   * most 1.5 × this. The cost of a call (a system call each way, a wake-up) is shared by
   * every room that moved meanwhile. @default 10
   */
  batchMs?: number;
  /** Where other processes reach this one directly (`host:port`): published with its heartbeats (src/ha/probe.ts). */
  address?: string;
  /** How long a process with no heartbeat has to answer directly. @default 1000 */
  probeMs?: number;
  /** Asks a process directly whether it runs (tests replace it). @default answersDirectly */
  probe?: typeof answersDirectly;
}

interface Attached {
  room: SnapshotRoom;
  epoch: number;
  /** A write succeeded (the owner key exists). */
  written: boolean;
  /** The history `seq` Redis's list holds up to; undefined when the next write must replace the list. */
  historySeq?: number;
  /** What the next write must send of the snapshot: what changed since the last one that landed. */
  diff: FieldDiff;
}

/** A room's write, asked for: its snapshot is read when the call goes out. */
interface Asked {
  entry: Attached;
  read: () => SnapshotBody;
  done: (result: SaveResult) => void;
}

/** A room's write as it goes out: `losses` is {@link HighAvailability.losses} when it was read. */
interface Prepared {
  /** What the room asked for (asked again, with its state read anew, if the write must wait: see {@link HighAvailability.suspect}). */
  asked: Asked;
  write: SnapshotWrite;
  /** The history seq it holds up to. */
  seq: number;
  losses: number;
}

export class HighAvailability {
  readonly store: SnapshotStore;
  private readonly rooms = new Map<string, Attached>();
  /** Redis's clock at this process's first heartbeat. */
  private startedAt?: number;
  private readonly checkMs: number;
  private readonly deadAfterMs: number;
  private readonly batchMs: number;
  private paused = false;
  /** Claims and restores the rooms of dead processes (src/ha/takeover.ts). */
  private readonly takeovers: Takeover;
  /** Rooms that ended while Redis could not be reached, with their epoch: their snapshots are deleted once it answers. */
  private readonly unremoved = new Map<string, number>();
  /** Every room was asked to write its snapshot again since the last failed write (see {@link resume}). */
  private resavedSinceFailure = true;
  /** Times Redis was found to have lost its data. */
  private losses = 0;
  private checking = false;
  /** The heartbeat under way, if any. */
  private beating?: Promise<void>;
  /** Rooms this process restored: their listing rows are checked (a stalled twin may overwrite them). */
  private readonly restored = new Set<string>();
  /** Processes with no heartbeat that answered directly (logged once each, until they beat again or stop answering). */
  private readonly cutOff = new Set<string>();
  private readonly probeMs: number;
  private readonly probe: NonNullable<HaOptions["probe"]>;
  /** Writes asked for, for the next call (`batchMs`). */
  private batch: Asked[] = [];
  /** The gathered writes go out at the end of this turn of the event loop. */
  private sendQueued = false;
  /** The latest the gathered writes go out, when no wake-up the process has anyway comes first. */
  private fallback?: NodeJS.Timeout;
  /** When the last call was sent (performance.now()). */
  private lastSent = -Infinity;
  /** The room that asked for the latest write, when, and when another room last did before it (performance.now()). */
  private latestRoom = "";
  private latestAt = -Infinity;
  private otherAt = -Infinity;
  /** The last time (performance.now()) the event loop was seen running: by {@link STALL_TICK_MS}'s ticks and by each write. */
  private loopSeenAt = performance.now();
  /**
   * Set when the event loop stood still for {@link stallMs} or more (a GC pause, SIGSTOP, a
   * frozen VM): long enough for the other processes to have taken this one's rooms over.
   * Until a fence pass has confirmed which rooms are still ours, a write is never answered
   * "skipped" (which lets its patch out unsaved): one Redis cannot take waits in
   * {@link held}, to be written (and so checked against the room's owner) once Redis
   * answers. Otherwise a stalled copy whose Redis connection timed out as it woke played on.
   */
  private suspect = false;
  private readonly stallMs: number;
  /** Writes waiting for Redis while {@link suspect}. */
  private held: Asked[] = [];
  /** This process drains for a shutdown: it takes no rooms over (see {@link drainBegan}). */
  private draining = false;
  /** When the drain began (performance.now()). */
  private drainBeganAt = -Infinity;
  /** The last answer of {@link findTaker}, and when it was asked. */
  private takerAnswer?: { at: number; found: Promise<boolean> };
  /** Rooms whose game this process handed over at the end of its drain. */
  private handedOff = 0;

  constructor(private readonly options: HaOptions) {
    this.store = new SnapshotStore(options.redis);
    this.checkMs = options.checkMs ?? 1000;
    this.deadAfterMs = options.deadAfterMs ?? 3000;
    this.batchMs = options.batchMs ?? 10;
    this.probeMs = options.probeMs ?? DEFAULT_PROBE_MS;
    this.probe = options.probe ?? answersDirectly;
    // The others take this process over after `deadAfterMs` without a heartbeat, and it beats every
    // `checkMs`: a shorter stall cannot have let them (the gap measured is never shorter than the stall).
    this.stallMs = Math.max(STALL_TICK_MS * 2, this.deadAfterMs - this.checkMs);
    this.store.onDataLost(() => this.dataLost());
    this.takeovers = new Takeover({ store: this.store, me: () => this.me, log: options.logger, metrics: options.metrics, draining: () => this.draining });
  }

  private get me(): string {
    return matchMaker.processId;
  }

  private get log(): Logger {
    return this.options.logger;
  }

  /** Starts the heartbeat and the checks; returns the stop function. */
  start(): () => void {
    const onReady = () => {
      // Redis is back: every room writes its snapshot again at once, and the writes held since a stall go out.
      if (this.paused) this.resaveAll();
      this.releaseHeld();
    };
    this.options.redis.on("ready", onReady);
    void this.check();
    const timer = setInterval(() => void this.check(), this.checkMs);
    timer.unref();
    const loop = setInterval(() => this.sawLoop(performance.now()), STALL_TICK_MS);
    loop.unref();
    return () => {
      clearInterval(timer);
      clearInterval(loop);
      this.options.redis.off("ready", onReady);
    };
  }

  /**
   * This process begins its drain for a shutdown (SIGTERM). It takes no rooms over from now
   * on (it is about to go), and says so in Redis: the other processes hand it none of their
   * games when their own drains end.
   */
  async drainBegan(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.drainBeganAt = performance.now();
    // Written again with each heartbeat: a first write lost to a Redis blip is made up for.
    await this.store.draining(this.me).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "could not record this process's drain in Redis"));
  }

  /**
   * At shutdown, once every room is closed: a process that handed games over is released
   * (`ha:released`, its address gone), so the first check of another process takes them over;
   * any other process is forgotten. Call after stopping the checks.
   */
  async leave(): Promise<void> {
    await this.beating;
    if (this.handedOff > 0) {
      // Ended rooms whose deletion waited for Redis go first: released, they would be taken over with the rest.
      for (const [roomId, epoch] of this.unremoved) await this.store.remove(roomId, epoch, this.me);
      await this.store.release(this.me);
      this.log.info({ rooms: this.handedOff }, "handed this process's running games over; another process takes them over now");
    } else await this.store.forget(this.me);
  }

  /** See {@link RoomSnapshots.canHandOff}. */
  private canHandOff(): boolean {
    return this.options.redis.status === "ready" && !this.paused && !this.suspect;
  }

  /** See {@link RoomSnapshots.findTaker}. */
  private findTaker(): Promise<boolean> {
    const asked = performance.now();
    if (this.takerAnswer && asked - this.takerAnswer.at < TAKER_ANSWER_MS) return this.takerAnswer.found;
    const found = (async () => {
      const settle = this.drainBeganAt + DRAIN_SETTLE_MS - performance.now();
      if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
      const { now, beats, draining, released } = await this.store.processes();
      for (const [processId, beat] of beats) {
        if (processId !== this.me && now - beat < this.deadAfterMs && !draining.has(processId) && !released.has(processId)) return true;
      }
      return false;
    })().catch(() => false);
    this.takerAnswer = { at: asked, found };
    return found;
  }

  /** Registers a room (epoch 0: a new room; above: restored at that epoch). */
  attach(room: SnapshotRoom, epoch = 0): RoomSnapshots {
    const entry: Attached = { room, epoch, written: epoch > 0, diff: new FieldDiff() };
    this.rooms.set(room.roomId, entry);
    if (epoch > 0) this.restored.add(room.roomId);
    return {
      write: (read, done) => this.write(entry, read, done),
      end: () => {
        if (this.rooms.get(room.roomId) !== entry) return;
        this.forget(room.roomId);
        this.remove(room.roomId, entry.epoch);
      },
      detach: () => {
        if (this.rooms.get(room.roomId) === entry) this.forget(room.roomId);
      },
      canHandOff: () => this.canHandOff(),
      findTaker: () => this.findTaker(),
      handOff: () => {
        if (this.rooms.get(room.roomId) !== entry) return;
        this.forget(room.roomId);
        this.handedOff++;
      },
    };
  }

  /**
   * Deletes an ended room's snapshot. While Redis cannot be reached it stays in
   * {@link unremoved}, and is deleted once a heartbeat lands: left there, it would be taken
   * over with this process's other rooms if the process died, and the ended game restored.
   */
  private remove(roomId: string, epoch: number) {
    this.store.remove(roomId, epoch, this.me).then(
      () => {
        if (this.unremoved.get(roomId) === epoch) this.unremoved.delete(roomId);
      },
      (err: unknown) => {
        if (this.unremoved.has(roomId)) return;
        if (this.unremoved.size >= MAX_UNREMOVED) {
          this.log.error({ err: (err as Error).message, roomId }, "snapshot of an ended room not deleted (redis unavailable), and too many wait to be: it stays in Redis");
          return;
        }
        this.unremoved.set(roomId, epoch);
        this.log.warn({ err: (err as Error).message, roomId }, "snapshot of an ended room not deleted (redis unavailable); deleted once Redis answers");
      },
    );
  }

  private forget(roomId: string) {
    this.rooms.delete(roomId);
    this.restored.delete(roomId);
  }

  /** The event loop runs at `now`: a gap since it was last seen running of {@link stallMs} or more was a stall. */
  private sawLoop(now: number) {
    const gap = now - this.loopSeenAt;
    this.loopSeenAt = now;
    if (gap < this.stallMs || this.suspect) return;
    this.suspect = true;
    this.log.warn({ stalledMs: Math.round(gap) }, "the event loop stood still long enough for another process to take this one's rooms over: their snapshots (and patches) wait for Redis until they are checked");
  }

  private write(entry: Attached, read: () => SnapshotBody, done: (result: SaveResult) => void): void {
    this.sawLoop(performance.now());
    if (this.options.redis.status !== "ready") {
      if (this.suspect) {
        this.held.push({ entry, read, done });
        return;
      }
      this.pause("redis not connected");
      return done("skipped");
    }
    this.batch.push({ read, entry, done });
    // Whether another room wrote within the window: if none did, there is nobody to share a call with.
    const now = performance.now();
    const roomId = entry.room.roomId;
    const others = this.latestRoom === roomId ? this.otherAt : this.latestAt;
    if (this.latestRoom !== roomId) {
      this.otherAt = this.latestAt;
      this.latestRoom = roomId;
    }
    this.latestAt = now;
    this.schedule(now, now - others >= this.batchMs);
  }

  /** Gives a room its write's result; what the room does then (its patch, its events) cannot stop the other rooms' answers. */
  private answer(entry: Attached, done: (result: SaveResult) => void, result: SaveResult): void {
    try {
      done(result);
    } catch (err) {
      this.log.error({ err, roomId: entry.room.roomId }, "a room failed to send what its snapshot write held back");
    }
  }

  /** A room's write as it goes out: its snapshot read now, only the fields that changed since its last write that landed. */
  private prepare(asked: Asked): Prepared {
    const { entry, read } = asked;
    const body = read();
    const { history } = body;
    // The stored form: the history's counters only (its entries go to the list beside it).
    const stored: StoredSnapshot = {
      v: SNAPSHOT_VERSION,
      roomId: body.roomId,
      roomName: body.roomName,
      epoch: entry.epoch,
      owner: this.me,
      savedAt: Date.now(),
      options: body.options,
      host: body.host,
      game: body.game,
      seats: body.seats,
      turn: body.turn,
      scheduled: body.scheduled,
      history: { seq: history.seq, game: history.game },
      match: body.match ?? null,
      fairness: body.fairness ?? null,
    };
    // Only the fields that changed since the last write that landed (the whole snapshot
    // after a failed write), and only the history entries Redis does not hold yet.
    const snapshot = entry.diff.next(stored);
    const added = entry.historySeq === undefined ? -1 : history.seq - entry.historySeq;
    const full = added < 0 || added > history.entries.length;
    const values: string[] = [];
    for (let i = full ? 0 : history.entries.length - added; i < history.entries.length; i++) values.push(history.entries[i]![1]);
    entry.historySeq = undefined; // until this write is known to have landed
    // Read now: what Redis lost before this (see dataLost) the write already makes up for.
    return { asked, write: { roomId: body.roomId, epoch: entry.epoch, processId: this.me, snapshot, create: !entry.written, history: { full, values, limit: Math.max(1, history.entries.length) } }, seq: history.seq, losses: this.losses };
  }

  /**
   * When the gathered writes go out. Each call costs this process a system call that wakes
   * Redis and a wake-up for the answer (on these machines 120–500 µs of CPU in all, more
   * than the writes themselves), and a timer of its own would cost another wake-up. So on
   * a busy server calls are at least `batchMs` apart, and writes go out from a wake-up the
   * process has anyway (a player's message, the answer to the last call), at the end of
   * it, once `batchMs` have passed since the last call; a timer sends them only when no
   * such wake-up comes within 1.5 × `batchMs`. A write goes out at once (with whatever
   * else that turn of the event loop wrote) after a quiet spell, or when no other room
   * wrote within `batchMs` (`alone`: one game moving fast has nobody to share a call with,
   * and would only wait): a quiet server's moves wait for nothing but Redis, a busy one
   * makes at most one call per `batchMs` (0: each turn's writes are sent right after it).
   */
  private schedule(now: number, alone = false) {
    if (this.sendQueued || this.batch.length === 0) return;
    const waited = now - this.lastSent;
    if (waited >= this.batchMs || alone) {
      this.sendQueued = true;
      if (this.fallback) clearTimeout(this.fallback);
      this.fallback = undefined;
      setImmediate(() => void this.flush());
    } else {
      this.fallback ??= setTimeout(() => void this.flush(), 1.5 * this.batchMs - waited);
    }
  }

  /** Sends the gathered writes, in one call per {@link MAX_BATCH}, each part's rooms read as it goes out. */
  private async flush() {
    this.sendQueued = false;
    if (this.fallback) clearTimeout(this.fallback);
    this.fallback = undefined;
    this.lastSent = performance.now();
    const batch = this.batch;
    this.batch = [];
    for (let i = 0; i < batch.length; i += MAX_BATCH) {
      const part: Prepared[] = [];
      for (const p of batch.slice(i, i + MAX_BATCH)) {
        // Ended or taken over since it asked, even while an earlier part of this call waited
        // for Redis: nothing to write (an ended room's snapshot is already deleted, and a new
        // room's first write would create it again).
        if (this.rooms.get(p.entry.room.roomId) !== p.entry) {
          this.answer(p.entry, p.done, "superseded");
          continue;
        }
        try {
          part.push(this.prepare(p));
        } catch (err) {
          // A room that cannot say its state: its patch goes out unsaved, as while Redis is away.
          this.log.error({ err, roomId: p.entry.room.roomId }, "snapshot not written: the room's state could not be read");
          p.entry.diff.lost();
          this.answer(p.entry, p.done, "skipped");
        }
      }
      if (part.length === 0) continue;
      const started = performance.now();
      let results: WriteResult[];
      try {
        // A write made before Redis was found to have lost its data, sent after: its room's
        // owner key is gone, and the call names the new data marker, so only `create` lets it land.
        results = await this.store.writeMany(part.map((p) => (p.losses === this.losses ? p.write : { ...p.write, create: true })));
      } catch (err) {
        this.options.metrics?.writeFailed();
        this.pause((err as Error).message);
        for (const { asked } of part) {
          asked.entry.diff.lost();
          // After a stall this copy may have been taken over: its write waits for Redis instead.
          if (this.suspect) this.held.push(asked);
          else this.answer(asked.entry, asked.done, "skipped");
        }
        continue;
      }
      // One observation per call: what each room's write waited for Redis.
      this.options.metrics?.writeSeconds((performance.now() - started) / 1000);
      part.forEach((p, k) => {
        const { entry, done } = p.asked;
        const result = results[k] ?? "superseded";
        if (result === "saved") {
          entry.written = true;
          // Written into a Redis that had lost its data: only the newest history entries
          // and changed fields are there; the next write (the resave) sends them all.
          if (this.losses === p.losses) {
            entry.historySeq = p.seq;
            entry.diff.landed();
          } else entry.diff.lost();
        } else if (this.rooms.get(entry.room.roomId) === entry) {
          this.options.metrics?.superseded();
        }
        this.answer(entry, done, result);
      });
      if (results.includes("saved")) this.resume();
    }
    // Awake for the answer: what was written meanwhile may go now.
    this.schedule(performance.now());
  }

  /** Redis lost its data (restarted without persistence, flushed): every room writes its whole snapshot again, as new. */
  private dataLost() {
    this.losses++;
    this.log.warn({ rooms: this.rooms.size }, "Redis lost its data (restarted without persistence?); every room writes its snapshot again");
    for (const entry of this.rooms.values()) {
      entry.written = false;
      entry.historySeq = undefined;
      entry.diff.lost();
      entry.room.resave();
    }
  }

  private pause(reason: string) {
    // A write failed: the rooms skipped since are written again once Redis answers.
    this.resavedSinceFailure = false;
    if (this.paused) return;
    this.paused = true;
    this.options.metrics?.paused(true);
    this.log.error({ reason }, "snapshots paused: Redis is unreachable; games go on, but a crash of this process now would lose them");
  }

  private resume() {
    if (!this.paused) return;
    this.paused = false;
    this.options.metrics?.paused(false);
    this.log.info("snapshots resumed");
    // Redis refused writes without the connection dropping (out of memory, a busy script):
    // no reconnection wrote the rooms again, so the rooms that were skipped (and sit still
    // now) write theirs here.
    if (!this.resavedSinceFailure) this.resaveAll();
  }

  private resaveAll() {
    this.resavedSinceFailure = true;
    for (const { room } of this.rooms.values()) room.resave();
  }

  /** One pass: beat, fence, take over dead processes, fix restored rooms' listing rows. */
  async check(): Promise<void> {
    if (this.options.redis.status !== "ready") return;
    // The heartbeat runs on its own: a slow pass (a takeover, a health check, a listing read
    // waiting for its connection) must not leave this process looking dead to the others.
    const beat = this.beat();
    // The first pass needs this process's first beat (a process silent since before it is an orphan).
    if (this.startedAt === undefined) await beat;
    await Promise.all([beat, this.maintain()]);
  }

  /** Records this process's heartbeat (one at a time). */
  private beat(): Promise<void> {
    this.beating ??= this.store
      .beat(this.me, this.options.address)
      .then((at) => {
        this.startedAt ??= at;
        // Redis takes writes again: snapshots resume even if no room moves (see resume), and
        // the snapshots of rooms that ended meanwhile are deleted.
        this.resume();
        for (const [roomId, epoch] of this.unremoved) this.remove(roomId, epoch);
        if (this.draining) this.store.draining(this.me).catch(() => undefined);
      })
      .catch((err: unknown) => this.log.debug({ err: (err as Error).message }, "heartbeat failed"))
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** Fence, take over dead processes, fix listing rows (one pass at a time). */
  private async maintain(): Promise<void> {
    if (this.checking || this.startedAt === undefined) return;
    this.checking = true;
    try {
      const wasSuspect = this.suspect;
      await this.fence();
      // Every room still ours is known to be: writes may be skipped again while Redis is away.
      if (wasSuspect) this.cleared();
      await this.findDead();
      await this.relist();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "high-availability check failed");
    } finally {
      this.checking = false;
    }
  }

  /** Writes held since a stall go out (Redis answers again). */
  private releaseHeld() {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    for (const asked of held) {
      // Ended or taken over meanwhile: flush answers it "superseded".
      this.batch.push(asked);
    }
    this.schedule(performance.now(), true);
  }

  /** A fence pass after a stall is done: the rooms still attached are ours. */
  private cleared() {
    this.suspect = false;
    this.log.info("after the stall, every room this process still holds is confirmed its own");
    if (this.options.redis.status === "ready") this.releaseHeld();
    else {
      const held = this.held;
      this.held = [];
      // As any write Redis cannot take: paused, so that every room writes again when it is back.
      if (held.length > 0) this.pause("redis not connected");
      for (const { entry, done } of held) this.answer(entry, done, "skipped");
    }
  }

  /** Closes every copy of ours that another process (or a later epoch) owns now. */
  private async fence() {
    const entries = [...this.rooms.values()];
    const owners = await this.store.owners(entries.map((e) => e.room.roomId));
    entries.forEach((entry, i) => {
      const owner = owners[i];
      if (owner === ownerValue(entry.epoch, this.me) || (owner === null && !entry.written)) return;
      if (this.rooms.get(entry.room.roomId) !== entry) return;
      this.supersede(entry);
    });
  }

  private supersede(entry: Attached) {
    this.forget(entry.room.roomId);
    this.options.metrics?.superseded();
    entry.room.supersede();
  }

  private async findDead() {
    const { now, beats, addresses, released } = await this.store.processes();
    const silent: [string, number][] = [];
    let othersRun = false;
    for (const [processId, heard] of beats) {
      // A process released after handing its games over: silent since `deadAfterMs` (this
      // process's own) before its release, so it is taken over now, or, by a process started
      // after it, treated as any process left from before that one started.
      const gone = released.get(processId);
      const beat = gone === undefined ? heard : Math.min(heard, gone - this.deadAfterMs);
      if (processId === this.me || now - beat < this.deadAfterMs) {
        this.cutOff.delete(processId);
        if (processId !== this.me) othersRun = true;
      } else silent.push([processId, beat]);
    }
    for (const id of this.cutOff) if (!beats.has(id)) this.cutOff.delete(id);
    // A draining process leaves the dead to the others: it is about to go itself.
    if (silent.length === 0 || this.draining) return;
    // Each silent process is first asked directly, all at once (src/ha/probe.ts). One that
    // answers runs, only cut off from Redis: its players may still be playing there, and a
    // restore from its last snapshot, or dropping its snapshots, would take their moves or
    // their games away. Asked before anything else: Colyseus's health check removes the
    // listing rows of a process that does not answer it.
    const answers = await Promise.all(silent.map(([processId]) => this.answers(processId, addresses.get(processId))));
    let channels: Set<string> | undefined;
    for (const [i, [processId, beat]] of silent.entries()) {
      if (answers[i]) {
        if (!this.cutOff.has(processId)) {
          this.cutOff.add(processId);
          this.log.warn({ processId, address: addresses.get(processId), silentMs: now - beat }, "process has no heartbeat but answers directly (cut off from Redis?): its rooms are not taken over");
        }
        continue;
      }
      this.cutOff.delete(processId);
      channels ??= new Set((await matchMaker.presence.channels("p:*")).map((c) => c.slice(2)));
      if (this.startedAt !== undefined && beat < this.startedAt - this.deadAfterMs) {
        // It was already silent when this process started: every process was down, and no
        // player is still waiting for those games. (One that died just after this process
        // started is taken over: it beat less than `deadAfterMs` before our first beat.)
        // Unless another process runs: it may have run when that one died and be taking its
        // rooms over now (a crashed process restarted at once), and a claim here would drop
        // the games it restores. It has ORPHAN_GRACE × `deadAfterMs` from this process's
        // start, and forgets the dead process when done; what is left then is dropped.
        if (othersRun && now - this.startedAt < ORPHAN_GRACE * this.deadAfterMs) continue;
        if (!channels.has(processId)) await this.takeovers.dropOrphans(processId);
        continue;
      }
      // Its channel still subscribed: stalled, not gone. Colyseus's health check (2 s)
      // decides, and removes its listing rows when it does not answer.
      if (channels.has(processId) && (await matchMaker.healthCheckProcessId(processId))) continue;
      await this.takeovers.takeOver(processId, beat);
    }
  }

  /** Whether a process that published `address` answers there (none published: no). */
  private async answers(processId: string, address: string | undefined): Promise<boolean> {
    const answered = await this.probe(address, processId, this.probeMs);
    if (!answered) this.log.debug({ processId, address }, "a process with no heartbeat does not answer directly");
    return answered;
  }

  /** Re-lists restored rooms whose listing row is missing or names another process. */
  private async relist() {
    if (this.restored.size === 0) return;
    const ids = [...this.restored];
    const rows = await matchMaker.driver.findByIds(ids);
    for (const roomId of ids) {
      const room = matchMaker.getLocalRoomById(roomId) as unknown as { _listing?: { processId?: string } } | undefined;
      const listing = room?._listing;
      if (!listing) continue;
      const row = rows.get(roomId);
      if (row && row.processId === this.me) continue;
      await matchMaker.driver.persist(listing as never, true);
      this.log.warn({ roomId, listedOn: row?.processId ?? null }, "restored room re-listed");
    }
  }
}
