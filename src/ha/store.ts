/**
 * Where snapshots live in Redis, and the only code that reads or writes them.
 *
 *   ha:snap:<roomId>    the room's snapshot (a hash of JSON fields, src/ha/snapshot.ts)
 *   ha:hist:<roomId>    its history's newest entries (a list; each write appends the new ones)
 *   ha:owner:<roomId>   "<epoch>|<processId>": who may write it (the fence)
 *   ha:rooms:<pid>      the rooms a process owns (a set): what a survivor takes over
 *   ha:procs            process id → last heartbeat (epoch ms), for every process with snapshots on
 *   ha:addr             process id → the address other processes reach it at directly (host:port),
 *                       to ask a process with no heartbeat whether it still runs (src/ha/probe.ts)
 *   ha:draining         process id → when its drain for a shutdown began (epoch ms): it takes no
 *                       rooms over, and no draining process hands its games to it
 *   ha:released         process id → when it stopped after handing its running games over (epoch
 *                       ms, Redis's clock): the others take its rooms over at once
 *   ha:gen              a random marker of this Redis's data: a new one means Redis lost its data
 *                       (restarted without persistence, flushed); see {@link SnapshotStore.onDataLost}
 *
 * Every write is a compare-and-set on the owner key (a Lua script, atomic in Redis): a
 * copy of a room that was taken over meanwhile (its process stalled) learns it from its
 * next write, and changes nothing. A takeover is the same compare-and-set from the dead
 * owner to the survivor, so exactly one survivor wins each room.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

const SNAP = (roomId: string) => `ha:snap:${roomId}`;
/** A room's owner key: there from its first snapshot until it ends (a takeover keeps it, with a new epoch). */
export const OWNER = (roomId: string) => `ha:owner:${roomId}`;
const HIST = (roomId: string) => `ha:hist:${roomId}`;
const ROOMS = (processId: string) => `ha:rooms:${processId}`;
const PROCS = "ha:procs";
const ADDR = "ha:addr";
const GEN = "ha:gen";
const DRAINING = "ha:draining";
const RELEASED = "ha:released";

/**
 * Writes the snapshots of several rooms in one call, each fenced on its own. ARGV[1]: the
 * writer's process id; ARGV[2]: the batch, one record per room separated by \\1, each
 * record's fields separated by \\0: expected owner value, roomId, create ("1": the first
 * write of a new room), full ("1": replace the history list), history limit, whole ("1":
 * replace the snapshot's hash), the number n of snapshot fields, then n field/value pairs,
 * then the history values to append. (JSON never holds a raw \\0 or \\1: it escapes
 * control characters.) One string for the whole batch: the client encodes one argument,
 * not a dozen per room. The keys are derived from the room ids, so this script is for a
 * single Redis, not Redis Cluster.
 *
 * ARGV[3]: the data marker (ha:gen) the writer knows; ARGV[4]: a new one, set if there is
 * none. A room with no owner key was taken over and has ended since, unless the marker
 * changed: then Redis lost its data, and the room is written again as new.
 * Returns 1 (written) or 0 (superseded) per room, then the marker.
 */
const WRITE = `
local function split(s, sep)
  local out, i = {}, 1
  while true do
    local j = string.find(s, sep, i, true)
    if not j then
      out[#out + 1] = string.sub(s, i)
      return out
    end
    out[#out + 1] = string.sub(s, i, j - 1)
    i = j + 1
  end
end
local rooms = 'ha:rooms:' .. ARGV[1]
local gen = redis.call('GET', 'ha:gen')
local lost = gen ~= ARGV[3]
if gen == false then
  gen = ARGV[4]
  redis.call('SET', 'ha:gen', gen)
end
local out = {}
for n, record in ipairs(split(ARGV[2], '\\1')) do
  local f = split(record, '\\0')
  local expected, roomId, create, full, limit, whole, nfields = f[1], f[2], f[3], f[4], f[5], f[6], tonumber(f[7])
  local owner, hist, snap = 'ha:owner:' .. roomId, 'ha:hist:' .. roomId, 'ha:snap:' .. roomId
  local cur = redis.call('GET', owner)
  local ok = 1
  if cur == false then
    if create == '1' or lost then redis.call('SET', owner, expected) else ok = 0 end
  elseif cur ~= expected then
    ok = 0
  end
  if ok == 1 then
    if whole == '1' then redis.call('DEL', snap) end
    if nfields > 0 then redis.call('HSET', snap, unpack(f, 8, 7 + 2 * nfields)) end
    if full == '1' then redis.call('DEL', hist) end
    if #f > 7 + 2 * nfields then
      redis.call('RPUSH', hist, unpack(f, 8 + 2 * nfields))
      redis.call('LTRIM', hist, -tonumber(limit), -1)
    end
    if create == '1' or full == '1' or lost then redis.call('SADD', rooms, roomId) end
  end
  out[n] = ok
end
out[#out + 1] = gen
return out`;

/** KEYS: owner, snap, rooms(me), hist. ARGV: expected owner value, roomId. */
const REMOVE = `
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
return 1`;

/**
 * KEYS: owner, snap, rooms(dead), rooms(me), hist. ARGV: dead process id, my process id, roomId,
 * "1" when this is this caller's claim again (the first one's answer was lost: it may have landed).
 * Returns { new epoch, the snapshot's fields (flat; none if it is not a hash), history values }
 * when this caller won the room, else nil. Claimed again, a room this caller already owns is
 * answered as it was won, at the same epoch.
 */
const CLAIM = `
redis.call('SREM', KEYS[3], ARGV[3])
local cur = redis.call('GET', KEYS[1])
if cur == false then return nil end
local sep = string.find(cur, '|', 1, true)
if not sep then return nil end
local who = string.sub(cur, sep + 1)
local again = who == ARGV[2] and ARGV[4] == '1'
if who ~= ARGV[1] and not again then return nil end
local kind = redis.call('TYPE', KEYS[2]).ok
if kind == 'none' then
  redis.call('DEL', KEYS[1], KEYS[5])
  return nil
end
local snap = {}
if kind == 'hash' then snap = redis.call('HGETALL', KEYS[2]) end
local epoch = tonumber(string.sub(cur, 1, sep - 1))
if not again then
  epoch = epoch + 1
  redis.call('SET', KEYS[1], epoch .. '|' .. ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[3])
end
return { epoch, snap, redis.call('LRANGE', KEYS[5], 0, -1) }`;

/**
 * KEYS: owner, snap, hist, rooms(dropper). ARGV: expected owner value, roomId, the dropper's
 * process id. Drops a room's snapshot if it still belongs to that owner, and the room leaves
 * the dropper's set unless the dropper still owns it at another epoch (until 2026-12-03 it
 * stayed in the set, which then outlived the process).
 */
const DROP = `
local cur = redis.call('GET', KEYS[1])
if cur ~= ARGV[1] then
  local mine = '|' .. ARGV[3]
  if cur == false or string.sub(cur, -#mine) ~= mine then redis.call('SREM', KEYS[4], ARGV[2]) end
  return 0
end
redis.call('SREM', KEYS[4], ARGV[2])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1`;

/**
 * KEYS: procs, gen, addr. ARGV: processId, a new data marker, its direct address ("": none).
 * Records a heartbeat at Redis's own clock; returns { it (epoch ms), the data marker }.
 */
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], now)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[3]) end
redis.call('SET', KEYS[2], ARGV[2], 'NX')
return { now, redis.call('GET', KEYS[2]) }`;

/**
 * KEYS: procs, addr, draining, released. Returns { Redis's clock (epoch ms), the heartbeats as
 * a flat list, the addresses as a flat list, the draining processes, the released processes
 * and when (flat) }. An address, a drain or a release whose process has no heartbeat any more
 * (forgotten, or by a server of an older version, which knew none of them) is deleted.
 */
const PROCS_NOW = `
local t = redis.call('TIME')
local function kept(key)
  local all = redis.call('HGETALL', key)
  local out = {}
  for i = 1, #all, 2 do
    if redis.call('HEXISTS', KEYS[1], all[i]) == 1 then
      out[#out + 1] = all[i]
      out[#out + 1] = all[i + 1]
    else
      redis.call('HDEL', key, all[i])
    end
  end
  return out
end
local addr = kept(KEYS[2])
local draining = kept(KEYS[3])
local released = kept(KEYS[4])
local ids = {}
for i = 1, #draining, 2 do ids[#ids + 1] = draining[i] end
return { tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), redis.call('HGETALL', KEYS[1]), addr, ids, released }`;

/**
 * KEYS: procs, addr, draining, released. ARGV: processId. A process that shut down after
 * handing its running games over: released now (Redis's clock), its direct address and its
 * drain forgotten (nothing answers there any more). Each other process reads it as silent
 * since its own `deadAfterMs` before that moment, so its first check takes the rooms over, and
 * a process started after the release treats them as any process's left from before it started.
 */
const RELEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], now)
redis.call('HSET', KEYS[4], ARGV[1], now)
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return now`;

export type WriteResult = "saved" | "superseded";

/** One room's write (see {@link SnapshotStore.writeMany}). */
export interface SnapshotWrite {
  roomId: string;
  epoch: number;
  processId: string;
  /** The snapshot's fields to set, flat (`field, JSON, …`); `whole`: they replace the hash. */
  snapshot: { whole: boolean; fields: readonly string[] };
  /** The first write of a new room (creates its owner key). */
  create: boolean;
  /** History values to append (`full`: replace the list with them), keeping the newest `limit`. */
  history: { full: boolean; values: readonly string[]; limit: number };
}

/** The address a process with snapshots on published with its heartbeat (src/ha/probe.ts), or null. */
export function publishedAddress(redis: Pick<Redis, "hget">, processId: string): Promise<string | null> {
  return redis.hget(ADDR, processId);
}

/** The owner key's value for `epoch` and `processId`. */
export function ownerValue(epoch: number, processId: string): string {
  return `${epoch}|${processId}`;
}

/** The scripts, sent once and then called by their SHA (ioredis `defineCommand`: EVALSHA, EVAL on NOSCRIPT). */
interface Scripts {
  haWrite(processId: string, batch: string, gen: string, fresh: string): Promise<[...number[], string]>;
  haRemove(owner: string, snap: string, rooms: string, hist: string, expected: string, roomId: string): Promise<number>;
  haClaim(owner: string, snap: string, deadRooms: string, myRooms: string, hist: string, dead: string, me: string, roomId: string, again: "1" | "0"): Promise<[number, string[], string[]] | null>;
  haDrop(owner: string, snap: string, hist: string, rooms: string, expected: string, roomId: string, processId: string): Promise<number>;
  haBeat(procs: string, gen: string, addr: string, processId: string, fresh: string, address: string): Promise<[number, string]>;
  haProcs(procs: string, addr: string, draining: string, released: string): Promise<[number, string[], string[], string[], string[]]>;
  haRelease(procs: string, addr: string, draining: string, released: string, processId: string): Promise<number>;
}

export class SnapshotStore {
  private readonly scripts: Scripts;
  /** The data marker (ha:gen) last seen; "" before the first call. */
  private gen = "";
  /** Called when Redis lost its data since the last call (see {@link onDataLost}). */
  private lostHandler?: () => void;

  constructor(private readonly redis: Redis) {
    const define = (name: keyof Scripts, numberOfKeys: number, lua: string) => {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
    };
    define("haWrite", 0, WRITE);
    define("haRemove", 4, REMOVE);
    define("haClaim", 5, CLAIM);
    define("haDrop", 4, DROP);
    define("haBeat", 3, BEAT);
    define("haProcs", 4, PROCS_NOW);
    define("haRelease", 4, RELEASE);
    this.scripts = redis as unknown as Scripts;
  }

  /**
   * Writes a room's whole snapshot (its fields; `whole` false: sets only these) if
   * `epoch`/`processId` still own it ("superseded" if not), and appends `history` to its
   * history list (`full`: replaces the list), keeping the newest `limit`. Rejects when Redis fails.
   */
  async write(roomId: string, epoch: number, processId: string, fields: Readonly<Record<string, string>>, create: boolean, history: SnapshotWrite["history"] = { full: true, values: [], limit: 1 }, whole = true): Promise<WriteResult> {
    const [result] = await this.writeMany([{ roomId, epoch, processId, snapshot: { whole, fields: Object.entries(fields).flat() }, create, history }]);
    return result!;
  }

  /** Writes several rooms' snapshots (all of one process) in one call, each fenced on its own, as {@link write}. */
  async writeMany(writes: readonly SnapshotWrite[]): Promise<WriteResult[]> {
    if (writes.length === 0) return [];
    const processId = writes[0]!.processId;
    let batch = "";
    for (const [i, w] of writes.entries()) {
      if (w.processId !== processId) throw new Error("writeMany: one process per batch");
      const { fields } = w.snapshot;
      batch += `${i > 0 ? "\x01" : ""}${ownerValue(w.epoch, processId)}\x00${w.roomId}\x00${w.create ? 1 : 0}\x00${w.history.full ? 1 : 0}\x00${w.history.limit}\x00${w.snapshot.whole ? 1 : 0}\x00${fields.length / 2}`;
      for (const value of fields) batch += `\x00${value}`;
      for (const value of w.history.values) batch += `\x00${value}`;
    }
    const done = await this.scripts.haWrite(processId, batch, this.gen, randomUUID());
    this.seen(String(done.pop()));
    return (done as number[]).map((d) => (d === 1 ? "saved" : "superseded"));
  }

  /**
   * Calls `handler` whenever a call finds that Redis lost its data since the last one (the
   * data marker changed: a restart without persistence, a flush). Every snapshot, owner key
   * and heartbeat is gone then, and each room must be written again as new; the writes of
   * the call that found it already were.
   */
  onDataLost(handler: () => void): void {
    this.lostHandler = handler;
  }

  private seen(gen: string) {
    const lost = this.gen !== "" && gen !== this.gen;
    this.gen = gen;
    if (lost) this.lostHandler?.();
  }

  /** Deletes a room's snapshot (the room ended) if this owner still holds it. */
  async remove(roomId: string, epoch: number, processId: string): Promise<boolean> {
    return (await this.scripts.haRemove(OWNER(roomId), SNAP(roomId), ROOMS(processId), HIST(roomId), ownerValue(epoch, processId), roomId)) === 1;
  }

  /** The rooms a process owns. */
  roomsOf(processId: string): Promise<string[]> {
    return this.redis.smembers(ROOMS(processId));
  }

  /**
   * Takes a dead process's room for `me`: its new epoch and snapshot fields, or undefined when
   * another survivor has it. `again`: `me` claimed it before and got no answer (the claim may
   * have landed); a room `me` owns is then answered as won.
   */
  async claim(roomId: string, dead: string, me: string, again = false): Promise<{ epoch: number; fields: Record<string, string>; history: string[] } | undefined> {
    const won = await this.scripts.haClaim(OWNER(roomId), SNAP(roomId), ROOMS(dead), ROOMS(me), HIST(roomId), dead, me, roomId, again ? "1" : "0");
    if (!won) return undefined;
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < won[1].length; i += 2) fields[won[1][i]!] = won[1][i + 1]!;
    return { epoch: Number(won[0]), fields, history: won[2] };
  }

  /** Drops a room's snapshot while `epoch`/`processId` own it (a restore that failed, a corrupt snapshot). */
  async drop(roomId: string, epoch: number, processId: string): Promise<void> {
    await this.scripts.haDrop(OWNER(roomId), SNAP(roomId), HIST(roomId), ROOMS(processId), ownerValue(epoch, processId), roomId, processId);
  }

  /** Drops a room's snapshot whoever owns it (it cannot be read). */
  async dropUnreadable(roomId: string): Promise<void> {
    await this.redis.del(OWNER(roomId), SNAP(roomId), HIST(roomId));
  }

  /** Current owner values of rooms (null where none). */
  async owners(roomIds: readonly string[]): Promise<(string | null)[]> {
    if (roomIds.length === 0) return [];
    return this.redis.mget(roomIds.map(OWNER));
  }

  /**
   * This process is alive now: records the beat at Redis's clock (one clock for every
   * host, so a skewed host clock cannot make a live process look dead), and returns it.
   */
  async beat(processId: string, address = ""): Promise<number> {
    const [now, gen] = await this.scripts.haBeat(PROCS, GEN, ADDR, processId, randomUUID(), address);
    this.seen(gen);
    return Number(now);
  }

  /**
   * Every process with snapshots on and its last heartbeat, the direct addresses of those that
   * gave one, those draining for a shutdown, those released after handing their games over
   * (and when), and Redis's clock now (epoch ms).
   */
  async processes(): Promise<{ now: number; beats: Map<string, number>; addresses: Map<string, string>; draining: Set<string>; released: Map<string, number> }> {
    const [now, flat, addr, draining, rel] = await this.scripts.haProcs(PROCS, ADDR, DRAINING, RELEASED);
    const beats = new Map<string, number>();
    for (let i = 0; i + 1 < flat.length; i += 2) beats.set(flat[i]!, Number(flat[i + 1]));
    const addresses = new Map<string, string>();
    for (let i = 0; i + 1 < addr.length; i += 2) addresses.set(addr[i]!, addr[i + 1]!);
    const released = new Map<string, number>();
    for (let i = 0; i + 1 < rel.length; i += 2) released.set(rel[i]!, Number(rel[i + 1]));
    return { now: Number(now), beats, addresses, draining: new Set(draining), released };
  }

  /** A process began its drain for a shutdown (again with each heartbeat): it takes no rooms over, and is handed none. */
  async draining(processId: string): Promise<void> {
    await this.redis.hset(DRAINING, processId, Date.now());
  }

  /** A process that handed its games over is gone: the others take its rooms over at their next check (see RELEASE). */
  async release(processId: string): Promise<void> {
    await this.scripts.haRelease(PROCS, ADDR, DRAINING, RELEASED, processId);
  }

  /** Forgets a process: after its rooms were taken over or dropped. */
  async forget(processId: string): Promise<void> {
    await this.redis.multi().hdel(PROCS, processId).hdel(ADDR, processId).hdel(DRAINING, processId).hdel(RELEASED, processId).exec();
  }
}
