/**
 * Replays of recorded matches, as a property: for TicTacToe, Connect Four, Dice (two humans,
 * or a human against a bot) and Owe Drahn (2–8 seats), many rooms play many complete games at random,
 * driven through the room's own path to its rules (src/rooms/rules-path.ts): joins, random client messages validated by the
 * game's protocol (most refused, the accepted ones kept), turn timeouts for the active
 * player, leaves, the actions the rules schedule (dispatched later by the system actor ""),
 * and bot moves from `rules.botMove`. Every step goes through the rules with the
 * RNG of the room's own GameRecords (src/rooms/game-records.ts: a `recordingRng` around a
 * seeded RNG; some rooms also put the provably fair dice of src/fairness under it, as a
 * production room does), and those records follow the games as they do in GameRoom.
 *
 * Every finished match's log, after a JSON round trip (as the database stores it), must
 * replay (`replay(rules, log)`, with the rules of the game's definition in `GAMES`) through every recorded state to its `final` state;
 * its fairness record (when the dice were fair) must verify. A log with one die changed,
 * removed, added or out of range must not replay to the same states. Some rooms write a
 * high-availability snapshot after every step and are taken over at random steps (rebuilt
 * from that snapshot alone, as a surviving process does): their matches must replay and
 * verify just the same.
 */
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { GAMES } from "../../src/games/index.js";
import type { AnyGame } from "../../src/games/definition.js";
import { GameRecords } from "../../src/rooms/game-records.js";
import type { MatchRecord } from "../../src/players/store.js";
import { replay, type ReplayLog } from "../../src/replay/replay.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import { seededRng, type Rng } from "../../src/rules/rng.js";
import { FieldDiff, parseSnapshot, SNAPSHOT_VERSION, type StoredSnapshot } from "../../src/ha/snapshot.js";
import type { DiceState } from "../../src/rules/dice.js";
import type { OweDrahnState } from "../../src/rules/owe-drahn.js";
import type { TicTacToeState } from "../../src/rules/tictactoe.js";
import { COLUMNS, type ConnectFourState } from "../../src/rules/connect-four.js";
import { keepers } from "../helpers/dice-picks.js";
import { RulesPath, SYSTEM_ACTOR, type Action } from "../../src/rooms/rules-path.js";
import type { Client } from "@colyseus/core";
import pino from "pino";
import { z } from "zod";
import type { HistoryStep } from "../../src/games/definition.js";
import type { Drawn } from "../../src/players/match-tracker.js";
import type { FairnessReveal } from "../../src/fairness/room-fairness.js";

/** The games this file knows how to play sensibly (STRATEGIES); any other listed game is driven without that knowledge (GENERIC). */
type GameName = "tictactoe" | "dice" | "owedrahn" | "connectfour";

const gameOf = (name: string): AnyGame => {
  const game = GAMES.find((g) => g.protocol.name === name);
  if (!game) throw new Error(`no game ${name}`);
  return game as AnyGame;
};

/** A finished match, and the states the room held after each of its logged steps. */
interface Finished {
  record: MatchRecord;
  states: unknown[];
  fair: boolean;
  /** Takeovers while it ran (its room rebuilt from its snapshot). */
  takeovers: number;
}

/** `value` and everything reachable from it, frozen (in strict mode a write then throws). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * One room, its rules driven through the room's own path (src/rooms/rules-path.ts) with the
 * room's own GameRecords (src/rooms/game-records.ts: the recording RNG, the fair dice, the
 * match tracker): `apply` and `message` go through RulesPath, which applies an action with
 * `records.rng`, tells the records what it drew and whether it counted, and hands them each
 * accepted step; a finished match reaches `finished` once the step that ended it is out (a
 * microtask later, as in the room). The parts a simulation has no use for (the gate's rate
 * limit, the patch, the events sent) let everything through.
 */
class SimRoom {
  readonly finished: Finished[] = [];
  /** Scheduled actions waiting for their timer, in the order they fire (one delay per timer). */
  readonly scheduled: Action[] = [];
  /** Seated players who joined signed in (kept across takeovers, as the snapshot's seats keep them). */
  private readonly userIds = new Map<string, string>();
  private records: GameRecords;
  private path: RulesPath;
  /** The states the room held after each logged step of the running match. */
  private states: unknown[] = [];
  /** The match clock (ms): the driver moves it on. */
  now = 1_000_000;
  /** With snapshots: every accepted step is written as a high-availability snapshot (src/ha/snapshot.ts) into `hash`, as Redis holds it. */
  private snapshots?: { diff: FieldDiff; hash: Record<string, string>; current: boolean; lose: Rng };
  private takeovers = 0;
  private readonly base: Rng;

  constructor(
    readonly definition: AnyGame,
    options: Record<string, unknown>,
    seed: number,
    readonly fair: boolean,
    snapshots = false,
  ) {
    this.base = seededRng(seed);
    this.records = this.newRecords();
    this.path = this.newPath(deepFreeze(definition.rules.setup(definition.config(options), this.base)));
    if (snapshots) this.snapshots = { diff: new FieldDiff(), hash: {}, current: false, lose: seededRng(seed + 1) };
  }

  private newRecords(): GameRecords {
    return new GameRecords({
      game: this.definition,
      rng: this.base,
      fairDice: this.fair,
      results: { record: (record) => this.finished.push({ record, states: this.states, fair: this.fair, takeovers: this.takeovers }) },
      afterSaved: (fn) => fn(),
      nameOf: () => undefined,
    });
  }

  /** The room's path to the rules over `game`, with the room's current records. */
  private newPath(game: unknown): RulesPath {
    return new RulesPath(
      {
        rules: this.definition.rules,
        records: this.records,
        steps: { record: (step, drawn) => this.recordStep(step, drawn) },
        scheduled: { at: (_due, action) => void this.scheduled.push(action) },
        delays: {},
        gate: { admit: () => true, reject: () => undefined },
        out: { then: (fn) => fn() },
        seeds: { announce: () => undefined },
        log: pino({ level: "silent" }),
        commit: () => this.committed(),
        broadcast: () => undefined,
      },
      game,
    );
  }

  /** The game state now. */
  get state(): unknown {
    return this.path.game;
  }

  /** An action through the room's path: true when the rules accepted it. */
  apply(playerId: string, action: Action): boolean {
    return this.path.apply(playerId, action);
  }

  /** A client message of move `type` through the room's path (its payload validated there first). */
  message(playerId: string, type: string, validator: z.ZodType, payload: unknown): void {
    this.path.message({ sessionId: playerId } as Client, type, validator, payload);
  }

  /** A player about to join is signed in as `userId`. */
  signIn(playerId: string, userId: string) {
    this.userIds.set(playerId, userId);
    this.records.seated(playerId, userId);
  }

  /** Whether the room can be taken over now: its last snapshot write landed (a room whose writes fail plays on unprotected). */
  get canTakeOver(): boolean {
    return this.snapshots?.current === true;
  }

  /** The room's process died: another rebuilds it from its snapshot alone (the rules' state, the running match, the dice), as src/ha/takeover.ts restores a room. */
  takeOver() {
    const read = parseSnapshot(this.snapshots!.hash);
    assert.ok(read.ok, read.ok ? "" : read.reason);
    this.records = this.newRecords();
    this.records.restore({ match: read.snapshot.match, fairness: read.snapshot.fairness, seats: [...this.userIds].map(([sessionId, userId]) => ({ sessionId, userId })) });
    this.path = this.newPath(deepFreeze(read.snapshot.game));
    // A new process: its first write is whole.
    this.snapshots!.diff = new FieldDiff();
    if (this.matchRunning) this.takeovers++;
  }

  /** After an accepted step: its snapshot written (one write in ten lost: the next is whole). */
  private save() {
    const snap = this.snapshots;
    if (!snap) return;
    const stored: StoredSnapshot = {
      v: SNAPSHOT_VERSION,
      roomId: "room",
      roomName: this.definition.protocol.name,
      epoch: 0,
      owner: "process",
      savedAt: this.now,
      options: {},
      host: "",
      game: this.state as object,
      seats: [],
      turn: null,
      scheduled: [],
      history: { seq: 0, game: 0 },
      ...this.records.snapshot(),
    };
    const write = snap.diff.next(stored);
    snap.current = snap.lose.int(0, 9) > 0;
    if (!snap.current) return snap.diff.lost();
    if (write.whole) snap.hash = {};
    for (let i = 0; i < write.fields.length; i += 2) snap.hash[write.fields[i]!] = write.fields[i + 1]!;
    snap.diff.landed();
  }

  get rules() {
    return this.definition.rules;
  }

  /** The running match's id, if one runs. */
  private get runningMatch(): string | undefined {
    return this.records.snapshot().match?.id;
  }

  get matchRunning(): boolean {
    return this.runningMatch !== undefined;
  }

  /** An accepted step, as the room's GameSteps hands it to the records; the states of the running match are kept. */
  private recordStep(step: HistoryStep<unknown>, drawn: Drawn): FairnessReveal | undefined {
    const running = this.runningMatch;
    const revealed = this.records.step(step, drawn);
    if (running) this.states.push(step.after);
    else if (this.runningMatch) {
      // A match started with this step (its first state is the match's own).
      this.states = [];
      this.takeovers = 0;
    }
    return revealed;
  }

  /**
   * The step is committed: its state frozen (a rule that changed a state it was given, in
   * place, would throw at the next step, and the snapshot's diff, which compares the state's
   * parts by identity, would miss such a change), and its snapshot written.
   */
  private committed() {
    deepFreeze(this.path.game);
    this.save();
  }
}

// ------------------------------------------------------------------ random play

/** What the driver of one game knows how to do: the moves a sensible player makes now (or none). */
interface Strategy {
  /** A move that makes progress for one of `humans`, or null. */
  smart(room: SimRoom, humans: readonly string[], g: Rng): { playerId: string; type: string; payload?: unknown } | null;
  /** A random payload for client message `type` (valid or not). */
  payload(type: string, room: SimRoom, g: Rng): unknown;
}

const chance = (g: Rng, p: number) => g.int(0, 9999) < p * 10000;
const pickOf = <T>(g: Rng, items: readonly T[]): T => items[g.int(0, items.length - 1)]!;

const STRATEGIES: Record<GameName, Strategy> = {
  tictactoe: {
    smart(room, humans, g) {
      const s = room.state as TicTacToeState;
      if (s.phase === "playing" && s.currentTurn && humans.includes(s.currentTurn)) {
        const empty = s.board.flatMap((c, i) => (c === "" ? [i] : []));
        const cell = pickOf(g, empty);
        return { playerId: s.currentTurn, type: "make_move", payload: { row: Math.floor(cell / 3), col: cell % 3 } };
      }
      if (s.phase === "over") {
        const asking = s.players.filter((p) => humans.includes(p.id) && !s.rematch.includes(p.id));
        if (asking.length > 0) return { playerId: pickOf(g, asking).id, type: "rematch" };
      }
      return null;
    },
    payload(type, _room, g) {
      if (type === "make_move") return chance(g, 0.1) ? { row: "1", col: 1 } : { row: g.int(-1, 3), col: g.int(-1, 3) };
      return chance(g, 0.1) ? { extra: 1 } : undefined;
    },
  },
  connectfour: {
    smart(room, humans, g) {
      const s = room.state as ConnectFourState;
      if (s.phase === "playing" && s.currentTurn && humans.includes(s.currentTurn)) {
        const open = Array.from({ length: COLUMNS }, (_, c) => c).filter((c) => s.board[c] === "");
        return { playerId: s.currentTurn, type: "drop", payload: { column: pickOf(g, open) } };
      }
      if (s.phase === "over") {
        const asking = s.players.filter((p) => humans.includes(p.id) && !s.rematch.includes(p.id));
        if (asking.length > 0) return { playerId: pickOf(g, asking).id, type: "rematch" };
      }
      return null;
    },
    payload(type, _room, g) {
      if (type === "drop") return chance(g, 0.1) ? { column: "3" } : { column: g.int(-1, COLUMNS) };
      return chance(g, 0.1) ? { extra: 1 } : undefined;
    },
  },
  dice: {
    smart(room, humans, g) {
      const s = room.state as DiceState;
      const human = (id: string | null) => id !== null && humans.includes(id);
      if (s.phase === "waiting" && s.players.length === 1 && human(s.players[0]!.id) && (room as DiceRoom).withBot) {
        return { playerId: s.players[0]!.id, type: "add_bot" };
      }
      if (s.phase === "playing" && human(s.currentTurn)) {
        const id = s.currentTurn!;
        if (s.dice.every((d) => d === 0)) return { playerId: id, type: "roll" };
        const keep = keepers(s.dice);
        const toggle = [...keep.filter((i) => !s.selected.includes(i)), ...s.selected.filter((i) => !keep.includes(i))];
        if (toggle.length > 0) return { playerId: id, type: "select", payload: { index: toggle[0] } };
        return { playerId: id, type: "set_aside", payload: { endTurn: chance(g, 0.55) } };
      }
      if (s.phase === "over") {
        const asking = s.players.filter((p) => !p.isBot && human(p.id) && !s.rematch.includes(p.id));
        if (asking.length > 0) return { playerId: pickOf(g, asking).id, type: "rematch" };
      }
      return null;
    },
    payload(type, _room, g) {
      if (type === "select") return chance(g, 0.05) ? { index: 1.5 } : { index: g.int(-1, 6) };
      if (type === "set_aside") return chance(g, 0.05) ? { endTurn: "yes" } : { endTurn: chance(g, 0.5) };
      return undefined;
    },
  },
  owedrahn: {
    smart(room, humans, g) {
      const s = room.state as OweDrahnState;
      if (s.phase === "lobby") {
        const unready = s.players.filter((p) => !p.ready && humans.includes(p.id));
        // Everyone ready once the room has the players it waits for (or some time has passed).
        if (unready.length > 0 && (s.players.length >= (room as OweDrahnRoom).wanted || chance(g, 0.05))) return { playerId: pickOf(g, unready).id, type: "ready", payload: { ready: true } };
        return null;
      }
      if (s.phase === "playing" && s.currentTurn && humans.includes(s.currentTurn)) {
        const me = s.players.find((p) => p.id === s.currentTurn)!;
        if (me.choosing) {
          const alive = s.players.filter((p) => p.life > 0 && !p.left);
          return { playerId: me.id, type: "choose_next", payload: { playerId: pickOf(g, alive).id } };
        }
        if (s.currentValue >= 10 && me.life > 1 && chance(g, 0.4)) return { playerId: me.id, type: "lose_life" };
        return { playerId: me.id, type: "roll" };
      }
      return null;
    },
    payload(type, room, g) {
      const s = room.state as OweDrahnState;
      if (type === "ready") return { ready: chance(g, 0.7) };
      if (type === "choose_next") return { playerId: s.players.length > 0 && chance(g, 0.8) ? pickOf(g, s.players).id : "nobody" };
      return undefined;
    },
  },
};

/** A random value `schema` (JSON Schema, from the protocol's zod validator) accepts, for small games: integers from −1 to 9 within its range, ids of `ids`. */
function fitting(schema: Record<string, unknown>, ids: readonly string[], g: Rng): unknown {
  if (Array.isArray(schema.anyOf)) return fitting(pickOf(g, schema.anyOf as Record<string, unknown>[]), ids, g);
  if (Array.isArray(schema.enum)) return pickOf(g, schema.enum as unknown[]);
  switch (schema.type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return Object.fromEntries(Object.entries(properties).map(([key, field]) => [key, fitting(field, ids, g)]));
    }
    case "integer":
    case "number": {
      const low = Math.max(typeof schema.minimum === "number" ? schema.minimum : -1, -1);
      const high = Math.min(typeof schema.maximum === "number" ? schema.maximum : 9, 9);
      return g.int(Math.min(low, high), Math.max(low, high));
    }
    case "boolean":
      return chance(g, 0.5);
    case "string":
      return ids.length > 0 ? pickOf(g, ids) : "x";
    case "null":
      return null;
    default:
      return undefined;
  }
}

/**
 * A game this file knows nothing of: its protocol's messages with payloads their validators
 * accept, sent mostly by the player whose turn it is. Rough play, but with timeouts and leaves
 * its games end, and their replays are checked as any other's.
 */
function genericStrategy(definition: AnyGame): Strategy {
  const shapes = new Map(Object.entries(definition.protocol.messages as Record<string, z.ZodType>).map(([type, validator]) => [type, z.toJSONSchema(validator, { unrepresentable: "any" }) as Record<string, unknown>]));
  const payload = (type: string, room: SimRoom, g: Rng) => fitting(shapes.get(type) ?? {}, room.rules.playerIds(room.state) as readonly string[], g);
  return {
    smart(room, humans, g) {
      const active = room.rules.activePlayer(room.state);
      const player = active !== null && humans.includes(active) ? active : humans.length > 0 ? pickOf(g, humans) : null;
      if (player === null) return null;
      const type = pickOf(g, [...shapes.keys()]);
      return { playerId: player, type, payload: payload(type, room, g) };
    },
    payload,
  };
}

class DiceRoom extends SimRoom {
  withBot = false;
}
class OweDrahnRoom extends SimRoom {
  wanted = 2;
}

/**
 * Plays one room at random until it finished `matches` games (or ran `maxEvents` events):
 * humans join while a seat is free, send sensible moves and random ones (each validated by
 * the protocol first, as the room does), sometimes run out of time or leave; scheduled
 * actions and bot moves come in between.
 */
async function playRoom(name: string, seed: number, matches: number, fair: boolean, maxEvents = 6000, takeovers = false, generic = false): Promise<SimRoom> {
  const definition = gameOf(name);
  const g = seededRng(seed * 7919 + 17);
  const known = generic ? undefined : STRATEGIES[name as GameName];
  const options: Record<string, unknown> = !known ? {} : name === "dice" ? { targetScore: pickOf(g, [1000, 1500, 2000]) } : name === "owedrahn" ? { maxPlayers: g.int(2, 8) } : {};
  const room = !known ? new SimRoom(definition, options, seed, fair, takeovers) : name === "dice" ? new DiceRoom(definition, options, seed, fair, takeovers) : name === "owedrahn" ? new OweDrahnRoom(definition, options, seed, fair, takeovers) : new SimRoom(definition, options, seed, fair, takeovers);
  const seats = definition.rules.seats(definition.config(options as never));
  if (room instanceof DiceRoom) room.withBot = chance(g, 0.5);
  if (room instanceof OweDrahnRoom) room.wanted = g.int(2, seats);
  const strategy = known ?? genericStrategy(definition);
  // Players a game this file does not know waits for: a few (every seat is enough to start any game).
  const wantedByUnknown = known ? 0 : g.int(Math.min(2, seats), seats);
  const messages = Object.entries(definition.protocol.messages as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>);
  /** Humans in the room (joined, not gone). */
  let humans: string[] = [];
  let joined = 0;

  for (let i = 0; i < maxEvents; i++) {
    // A match the last step ended reaches `finished` a microtask after it, as in the room.
    await Promise.resolve();
    if (room.finished.length >= matches) break;
    room.now += g.int(0, 2500);
    if (takeovers && room.canTakeOver && chance(g, 0.05)) {
      room.takeOver();
      continue;
    }
    const rules = room.rules;
    const seated = rules.playerIds(room.state) as readonly string[];
    const wanted = !known ? wantedByUnknown : room instanceof OweDrahnRoom ? room.wanted : room instanceof DiceRoom && room.withBot ? 1 : 2;
    const humansSeated = humans.filter((h) => seated.includes(h));

    if (rules.canSeat(room.state).ok && humansSeated.length < wanted && chance(g, 0.4)) {
      const id = `s${seed}-${++joined}`;
      // Most players are signed in; some are programs without an identity.
      if (chance(g, 0.85)) room.signIn(id, `user-${id}`);
      if (room.apply(id, { type: "join", name: `P${joined}` })) humans.push(id);
      continue;
    }
    if (room.scheduled.length > 0 && chance(g, 0.3)) {
      room.apply(SYSTEM_ACTOR, room.scheduled.shift()!);
      continue;
    }
    const bot = rules.botMove?.(room.state);
    if (bot && chance(g, 0.5)) {
      room.apply(bot.playerId, bot.action);
      continue;
    }
    const active = rules.activePlayer(room.state);
    if (active && chance(g, 0.015)) {
      room.apply(active, { type: "timeout" });
      continue;
    }
    if (humansSeated.length > 0 && chance(g, room.matchRunning ? 0.006 : 0.01)) {
      const leaver = pickOf(g, humansSeated);
      // A leave is final: the client is gone, whatever the rules made of it. Half are a
      // window that ran out (a dropped connection): the log keeps the difference.
      room.apply(leaver, chance(g, 0.5) ? { type: "leave", dropped: true } : { type: "leave" });
      humans = humans.filter((h) => h !== leaver);
      if (room instanceof OweDrahnRoom && chance(g, 0.3)) room.wanted = g.int(2, seats);
      continue;
    }
    const sensible = chance(g, 0.7) ? strategy.smart(room, humans, g) : null;
    const move = sensible ?? { playerId: humans.length > 0 && chance(g, 0.95) ? pickOf(g, humans) : "spectator", ...randomMessage(messages, strategy, room, g) };
    const validator = messages.find(([type]) => type === move.type)?.[1];
    if (!validator) continue;
    // As the room does: a payload its validator refuses never reaches the rules.
    room.message(move.playerId, move.type, validator as never, move.payload);
  }
  await Promise.resolve();
  return room;
}

function randomMessage(messages: [string, unknown][], strategy: Strategy, room: SimRoom, g: Rng): { type: string; payload?: unknown } {
  const type = pickOf(g, messages)[0];
  return { type, payload: strategy.payload(type, room, g) };
}

// ------------------------------------------------------------------ checks

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const logOf = (record: MatchRecord) => roundTrip(record.log) as ReplayLog & { final: unknown; fairness?: { commitment: string; seed: string; clientSeeds: string } };

/** Replays `f`'s stored log: every state the room went through, and the final one. */
function assertReplays(name: string, f: Finished) {
  const log = logOf(f.record);
  const rules = gameOf(name).rules;
  const result = replay(rules, log);
  const where = `${name} match ${f.record.id} (${log.steps.length} steps)`;
  assert.ok(result.ok, `${where} replays: ${result.ok ? "" : `step ${result.step}: ${result.reason}`}`);
  assert.equal(result.states.length, log.steps.length + 1, `${where}: one state per step`);
  assert.deepEqual(result.states[0], log.initial);
  for (const [i, state] of f.states.entries()) assert.deepEqual(result.states[i + 1], state, `${where}: the state after step ${i} is the room's`);
  assert.deepEqual(result.states.at(-1), log.final, `${where}: the replay ends in the recorded final state`);
  // The log names its actors by seat: a seated player, or -1 for the rules' own actions.
  for (const step of log.steps) {
    assert.ok(step.seat >= -1 && step.seat < log.seats.length, `${where}: seat ${step.seat}`);
    if (step.seat === -1) assert.ok(Object.keys(gameOf(name).rules.scheduled).includes(step.action.type), `${where}: only scheduled actions have no seat (${step.action.type})`);
  }
  if (f.fair) {
    const verified = verifyMatch({ log });
    assert.ok(verified.ok, `${where}: fair dice verify: ${verified.ok ? "" : verified.reason}`);
  } else {
    assert.equal(log.fairness, undefined, "seeded dice have no fairness record");
  }
}

interface Played {
  rooms: number;
  finished: Finished[];
}

/** Plays `rooms` rooms of `name` (seeds from `firstSeed`), `matches` games each; some with fair dice; `takeovers`: rooms taken over at random steps. */
async function playMany(name: string, firstSeed: number, rooms: number, matches: number, fairEvery = 0, takeovers = false, generic = false): Promise<Played> {
  const finished: Finished[] = [];
  for (let r = 0; r < rooms; r++) {
    const fair = fairEvery > 0 && r % fairEvery === 0;
    finished.push(...(await playRoom(name, firstSeed + r, matches, fair, 6000, takeovers, generic)).finished);
  }
  return { rooms, finished };
}

const reasonOf = (f: Finished) => (f.record.result as { reason?: string } | null)?.reason ?? "none";
const count = <T>(items: readonly T[], key: (t: T) => string) => items.reduce<Record<string, number>>((acc, t) => ((acc[key(t)] = (acc[key(t)] ?? 0) + 1), acc), {});

describe("Replays of recorded matches (random complete games, driven as the room drives them)", function () {
  this.timeout(60_000);
  const played: Partial<Record<GameName, Played>> = {};

  it("TicTacToe: 200+ matches replay to their final state, step by step", async () => {
    const p = (played.tictactoe = await playMany("tictactoe", 1000, 10, 22));
    assert.ok(p.finished.length >= 200, `${p.finished.length} matches`);
    for (const f of p.finished) assertReplays("tictactoe", f);
    const reasons = count(p.finished, reasonOf);
    for (const reason of ["won", "draw", "left", "timeout"]) assert.ok((reasons[reason] ?? 0) > 0, `some matches end ${reason}: ${JSON.stringify(reasons)}`);
  });

  it("Connect Four: 200+ matches replay to their final state, step by step", async () => {
    const p = await playMany("connectfour", 7000, 10, 22);
    assert.ok(p.finished.length >= 200, `${p.finished.length} matches`);
    for (const f of p.finished) assertReplays("connectfour", f);
    const reasons = count(p.finished, reasonOf);
    for (const reason of ["won", "left", "timeout"]) assert.ok((reasons[reason] ?? 0) > 0, `some matches end ${reason}: ${JSON.stringify(reasons)}`);
  });

  it("Dice (two humans, and a human against a bot; some rooms with fair dice): 200+ matches replay to their final state", async () => {
    const p = (played.dice = await playMany("dice", 2000, 16, 14, 3));
    assert.ok(p.finished.length >= 200, `${p.finished.length} matches`);
    for (const f of p.finished) assertReplays("dice", f);
    const withBot = p.finished.filter((f) => (logOf(f.record).initial as DiceState).players.some((pl) => pl.isBot));
    assert.ok(withBot.length >= 30, `${withBot.length} matches against a bot`);
    assert.ok(p.finished.filter((f) => f.fair).length >= 30, "matches with fair dice");
    const steps = p.finished.flatMap((f) => (f.record.log as ReplayLog).steps);
    assert.ok(steps.some((s) => s.seat === -1 && s.action.type === "end_bust"), "scheduled bust ends are logged");
    assert.ok(steps.some((s) => s.action.type === "timeout"), "timeouts are logged");
    const reasons = count(p.finished, reasonOf);
    for (const reason of ["won", "left"]) assert.ok((reasons[reason] ?? 0) > 0, `some matches end ${reason}: ${JSON.stringify(reasons)}`);
  });

  it("Owe Drahn (2–8 seats, random player counts; some rooms with fair dice): 200+ matches replay to their final state", async () => {
    const p = (played.owedrahn = await playMany("owedrahn", 3000, 16, 14, 3));
    assert.ok(p.finished.length >= 200, `${p.finished.length} matches`);
    for (const f of p.finished) assertReplays("owedrahn", f);
    const sizes = new Set(p.finished.map((f) => f.record.players.length));
    assert.ok(sizes.size >= 4 && [...sizes].some((n) => n >= 5), `matches of many sizes: ${[...sizes].sort().join(", ")}`);
    assert.ok(p.finished.filter((f) => f.fair).length >= 30, "matches with fair dice");
    const steps = p.finished.flatMap((f) => (f.record.log as ReplayLog).steps);
    for (const type of ["roll", "lose_life", "choose_next", "timeout", "leave"]) assert.ok(steps.some((s) => s.action.type === type), `${type} steps are logged`);
    const reasons = count(p.finished, reasonOf);
    for (const reason of ["won", "left"]) assert.ok((reasons[reason] ?? 0) > 0, `some matches end ${reason}: ${JSON.stringify(reasons)}`);
  });

  it("every listed game, driven with no knowledge of it (its protocol's messages, well-formed, mostly from the player on turn), finishes matches that replay: a new game in GAMES is checked too", async () => {
    for (const [i, definition] of GAMES.entries()) {
      const name = definition.protocol.name;
      // Fair dice where the room has them (its state has `fairness`), as the room decides.
      const dice = (definition.state() as { fairness?: unknown }).fairness !== undefined;
      const p = await playMany(name, 9000 + 100 * i, 6, 6, dice ? 2 : 0, false, true);
      assert.ok(p.finished.length >= 12, `${name}: ${p.finished.length} matches`);
      for (const f of p.finished) assertReplays(name, f);
      // The players' own moves reach the rules and end up in the logs (not only joins, leaves and timeouts): at least one per match.
      const messages = Object.keys(definition.protocol.messages);
      const own = p.finished.flatMap((f) => (f.record.log as ReplayLog).steps).filter((step) => messages.includes(step.action.type)).length;
      assert.ok(own >= p.finished.length, `${name}: ${own} moves of the players' own in ${p.finished.length} matches`);
    }
  });

  it("rooms taken over at random steps (rebuilt from the snapshot Redis holds, some writes lost before) finish matches that replay, and whose fair dice verify, in all four games", async () => {
    for (const [name, seed] of [["tictactoe", 4000], ["dice", 5000], ["owedrahn", 6000], ["connectfour", 8000]] as const) {
      const dice = name === "dice" || name === "owedrahn";
      const p = await playMany(name, seed, 10, 12, dice ? 1 : 0, true);
      const spanned = p.finished.filter((f) => f.takeovers > 0);
      assert.ok(spanned.length >= 20, `${name}: ${spanned.length} of ${p.finished.length} matches were taken over while they ran`);
      if (dice) assert.ok(spanned.filter((f) => f.fair && (f.record.log as ReplayLog).steps.some((s) => (s.dice?.length ?? 0) > 0)).length >= 20, `${name}: matches with fair dice rolled across a takeover`);
      for (const f of p.finished) assertReplays(name, f);
    }
  });

  it("a log with one die changed, removed, added or out of range does not replay to the recorded states (and fair dice no longer verify)", async () => {
    const g = seededRng(99);
    let tampered = 0;
    let refused = 0;
    let finalDiffers = 0;
    for (const name of ["dice", "owedrahn"] as const) {
      const p = played[name] ?? (await playMany(name, name === "dice" ? 2000 : 3000, 4, 10, 2));
      for (const f of p.finished) {
        const log = logOf(f.record);
        const rolled = log.steps.flatMap((s, i) => (s.dice && s.dice.length > 0 ? [i] : []));
        if (rolled.length === 0) continue;
        const i = pickOf(g, rolled);
        const original = replay(gameOf(name).rules, log);
        assert.ok(original.ok);

        // One die changed to another face.
        const changed = roundTrip(log);
        const dice = changed.steps[i]!.dice!;
        const d = g.int(0, dice.length - 1);
        dice[d] = ((dice[d]! - 1 + g.int(1, 5)) % 6) + 1;
        const result = replay(gameOf(name).rules, changed);
        tampered++;
        if (!result.ok) {
          refused++;
          assert.ok(result.step >= i, "the replay goes wrong at the changed step or later");
        } else {
          assert.ok(!isDeepStrictEqual(result.states[i + 1], original.states[i + 1]), `${name}: a changed die shows in the state after its step`);
          if (!isDeepStrictEqual(result.states.at(-1), log.final)) finalDiffers++;
        }
        if (f.fair) {
          const verified = verifyMatch({ log: changed });
          assert.ok(!verified.ok, "a changed die fails the fairness check");
          assert.equal(verified.roll, rolled.indexOf(i), "at its roll");
        }

        // A die out of range or not a whole number (the stored log is JSON), a die missing, a die too many: the replay fails at that step.
        for (const edit of [(ds: number[]) => (ds[0] = pickOf<unknown>(g, [0, 7, -1, 2.5, "3", null]) as number), (ds: number[]) => ds.pop(), (ds: number[]) => ds.push(g.int(1, 6))]) {
          const broken = roundTrip(log);
          edit(broken.steps[i]!.dice!);
          const r = replay(gameOf(name).rules, broken);
          assert.ok(!r.ok, `${name}: a broken die list does not replay`);
          assert.equal(r.step, i, "it fails at the broken step");
        }
      }
    }
    assert.ok(tampered >= 100, `${tampered} logs tampered with`);
    // Most changed dice are caught outright or change how the match ends (the rest still show in the state after their step).
    assert.ok(refused + finalDiffers > 0, `${refused} refused, ${finalDiffers} with another final state, of ${tampered}`);
  });
});
