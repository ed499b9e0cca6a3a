/**
 * Message fuzz: FUZZ_MESSAGES (100,000) random, malformed and legal messages across every game
 * of src/games/index.ts, against one real server process (the start script, src/index.ts), in
 * every phase: before the start, playing, Dice's bust pause, Owe Drahn's game-over pause, after
 * game over, rematches and new ready rounds. Several rooms per game run side by side, each
 * driven by one sequential loop over its seated players and its spectator. Checked on every
 * message:
 *
 * - the process stays up and no client is disconnected;
 * - a refused message gets exactly one `error` reply, and changed nothing: the sender's view
 *   of the state when the error arrives equals its view when the previous reply (or the send)
 *   arrived, unless a timer's patch came in between (messages are handled in order per
 *   connection, an accepted change is sent as a patch at once, a refusal sends no patch); in a
 *   room where no timer runs, no patch arrives at all;
 * - the code is the right one: UNKNOWN_ACTION for an unknown type, INVALID_PAYLOAD for a
 *   payload the validator refuses, NOT_A_PLAYER for a spectator, and, where no timer runs,
 *   exactly the code (or the acceptance) the rules give for the sender's state;
 * - the game's invariants hold in the sender's view after every check, and a pause or a bot's
 *   turn ends.
 *
 * The games come from the games list. The fuzz knows the rules, invariants and legal moves of
 * TicTacToe, Dice, Owe Drahn and Connect Four; a game it does not know (one added to the list
 * later) still gets rooms, random and malformed messages and well-formed moves from whoever
 * is on turn, with the generic checks only: the right code for unknown types and malformed
 * payloads, NOT_A_PLAYER for the spectator, one reply per refusal, refusals change nothing,
 * no client is disconnected, the process stays up.
 *
 * A step sends one message and pings (the pong proves every reply to it has arrived), or a
 * batch of up to 16 messages that must all be refused whatever the state, then one ping.
 *
 * FUZZ_SEED picks the messages: the content of message #i of a room depends only on the seed,
 * the room and i. (The server rolls its dice with crypto randomness, so the games themselves,
 * and which phase a message meets, differ between runs; a failure prints the message and the
 * state it met.) A wrong error code is collected and reported at the end of the run; a changed
 * state, a broken invariant, a lost client or a dead process fails at once.
 * FUZZ_SERVER_LOG=<file> writes the server's log there after the run.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Client, type Room as SdkRoom } from "@colyseus/sdk";
import { ERROR_CODES, ErrorCode } from "../../src/protocol/errors.js";
import { scoreDice } from "../../src/rules/dice-scoring.js";
import { pick, seededRng, type Rng } from "../../src/rules/rng.js";
import { lineWinner, type Cell } from "../../src/rules/tictactoe.js";
import { COLUMNS, ROWS } from "../../src/rules/connect-four.js";
import type { AnyGame } from "../../src/games/definition.js";
import { GAME_NAMES, GAMES } from "../../src/games/index.js";
import { Player } from "../helpers/clients.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import {
  anyMessage,
  chance,
  classify,
  MAX_FRAME_BYTES,
  mixSeed,
  rejectedMessage,
  show,
  showMessage,
  wellFormedMessage,
  type Expectation,
  type FuzzMessage,
  type Game,
} from "./generators.js";

const SEED = parseIntEnv("FUZZ_SEED", 20260518);
const TOTAL = parseIntEnv("FUZZ_MESSAGES", 100_000);

/**
 * Limits generous enough that the fuzz is never throttled. (settings.ts caps
 * MESSAGES_PER_SECOND and MESSAGE_BURST at 10000 and FLOOD_DISCONNECT_AFTER at 100000; no
 * client here comes near 10000 messages a second. LOG_LEVEL stays at info: the cluster helper
 * waits for the info line "game server listening on"; the rooms log nothing per message.)
 */
const SERVER_ENV = {
  MESSAGES_PER_SECOND: "10000",
  MESSAGE_BURST: "10000",
  FLOOD_DISCONNECT_AFTER: "100000",
  MAX_CONNECTIONS_PER_IP: "0",
  MAX_SOCKETS_PER_IP: "0",
  BUST_DELAY_MS: "5",
  BOT_DELAY_MS: "1",
  GAME_OVER_DELAY_MS: "5",
  RECONNECT_SECONDS: "5",
  LOG_LEVEL: "info",
};

function parseIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** The rooms: several per game, with seated players (and a bot) and one spectator each. */
interface SlotSpec {
  game: Game;
  label: string;
  /** Human players seated. */
  humans: number;
  /** Dice: the first player fills the other seat with `add_bot`. */
  bot: boolean;
  options: Record<string, unknown>;
}

/** The rooms of the games the fuzz knows how to set up. */
const KNOWN_SLOTS: { readonly [G in Game]?: readonly Omit<SlotSpec, "game">[] } = {
  tictactoe: [
    { label: "tictactoe#1", humans: 2, bot: false, options: {} },
    { label: "tictactoe#2", humans: 2, bot: false, options: {} },
    { label: "tictactoe#3", humans: 2, bot: false, options: {} },
  ],
  dice: [
    { label: "dice#1(bot)", humans: 1, bot: true, options: { targetScore: 1000 } },
    { label: "dice#2(bot)", humans: 1, bot: true, options: { targetScore: 1000 } },
    { label: "dice#3(2 humans)", humans: 2, bot: false, options: { targetScore: 1000 } },
    { label: "dice#4(2 humans)", humans: 2, bot: false, options: { targetScore: 1000 } },
  ],
  owedrahn: [
    { label: "owedrahn#1", humans: 3, bot: false, options: {} },
    { label: "owedrahn#2", humans: 3, bot: false, options: { maxPlayers: 3 } },
    { label: "owedrahn#3", humans: 3, bot: false, options: { maxPlayers: 5 } },
  ],
  connectfour: [
    { label: "connectfour#1", humans: 2, bot: false, options: {} },
    { label: "connectfour#2", humans: 2, bot: false, options: {} },
    { label: "connectfour#3", humans: 2, bot: false, options: {} },
  ],
};

/** Rooms of a game the fuzz does not know. */
const GENERIC_ROOMS = 2;

/** Seats of a room of `game` created without options (from its definition). */
function defaultSeats(game: Game): number {
  const definition = GAMES.find((g) => g.protocol.name === game) as AnyGame;
  return definition.rules.seats(definition.config(definition.protocol.options.parse({})));
}

/**
 * The rooms, game by game in the order of the games list (slot indexes seed the messages):
 * the known set-up, or for a game the fuzz does not know, {@link GENERIC_ROOMS} rooms with up
 * to three of its seats taken.
 */
const SLOT_SPECS: readonly SlotSpec[] = GAME_NAMES.flatMap((game) =>
  (
    KNOWN_SLOTS[game] ??
    Array.from({ length: GENERIC_ROOMS }, (_, i) => ({ label: `${game}#${i + 1}(generic)`, humans: Math.max(1, Math.min(3, defaultSeats(game))), bot: false, options: {} }))
  ).map((spec) => ({ game, ...spec })),
);

/** A pause or a bot's turn that shows no change for this long is stuck (the delays are 1-5 ms). */
const STUCK_MS = 2000;

/** Share of a room's messages sent before its game can start (one player and the spectator). */
const PRE_START_SHARE = 0.03;

interface ErrorRecord {
  payload: any;
  /** State patches received before this error. */
  patches: number;
  /** The receiver's view of the state when the error arrived. */
  json: string;
}

/** One SDK connection, recording every patch and message in arrival order. */
class Conn {
  patches = 0;
  readonly errors: ErrorRecord[] = [];
  readonly events = new Map<string, number>();
  left?: number;
  dropped?: number;
  /** The SDK's onError (a close before it counted the room as joined). */
  failed?: string;
  /** Size of the last WebSocket frame the SDK sent. */
  lastFrameBytes = 0;
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    readonly room: SdkRoom<any, any>,
    readonly label: string,
    readonly seated: boolean,
  ) {
    room.reconnection.enabled = false; // a drop must show, not be repaired
    room.onStateChange(() => {
      this.patches++;
    });
    room.onMessage("*", (type: string | number, payload: any) => {
      if (type === "error") this.errors.push({ payload, patches: this.patches, json: this.json() });
      else this.events.set(String(type), (this.events.get(String(type)) ?? 0) + 1);
    });
    room.onLeave((code: number) => {
      this.left = code;
      this.abort();
    });
    room.onDrop((code: number) => {
      this.dropped = code;
      this.abort();
    });
    room.onError((code: number, message?: string) => {
      this.failed = `${code} ${message ?? ""}`;
      this.abort();
    });
    const connection = room.connection as unknown as { send(data: Uint8Array): void };
    const send = connection.send.bind(connection);
    connection.send = (data: Uint8Array) => {
      this.lastFrameBytes = data.byteLength;
      send(data);
    };
  }

  get id(): string {
    return this.room.sessionId;
  }

  get gone(): boolean {
    return this.left !== undefined || this.dropped !== undefined || this.failed !== undefined;
  }

  describeGone(): string {
    return `${this.label} (${this.id}) was disconnected (leave code ${this.left}, drop code ${this.dropped}, error ${this.failed})`;
  }

  view(): any {
    return this.room.state.toJSON();
  }

  json(): string {
    return JSON.stringify(this.view());
  }

  private abort() {
    for (const reject of this.pending) reject(new Error(this.describeGone()));
    this.pending.clear();
  }

  /** Resolves when the server answered a ping sent after everything sent so far. */
  ping(timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.gone || !this.room.connection?.isOpen) return reject(new Error(this.describeGone()));
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.pending.delete(done);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`${this.label} (${this.id}): no pong within ${timeoutMs} ms`)), timeoutMs);
      this.pending.add(done);
      this.room.ping(() => done());
    });
  }

  /** Sends a fuzz message; returns the size of the frame the SDK sent. */
  transmit(msg: FuzzMessage): number {
    const room = this.room as any;
    this.lastFrameBytes = 0;
    if (msg.bytes) room.sendBytes(msg.type, msg.bytes);
    else if (msg.payload === undefined) room.send(msg.type);
    else room.send(msg.type, msg.payload);
    return this.lastFrameBytes;
  }
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// ---- the games, from a client's view -----------------------------------------------------

type Outcome = ErrorCode | "accept";

/** The games whose rules, invariants and legal moves the fuzz knows. */
const KNOWN_GAMES: ReadonlySet<string> = new Set(["tictactoe", "dice", "owedrahn", "connectfour"]);

/** The two-player board games (src/rules/two-player.ts): the same seats, turns, rematch and check order. */
const isBoardGame = (game: Game) => game === "tictactoe" || game === "connectfour";

/**
 * No timer can change the room's state (no bust or game-over pause, no bot on turn). False
 * for a game the fuzz does not know: no exact prediction, no "no patch at all" check there.
 */
function isQuiet(game: Game, v: any): boolean {
  if (game === "dice") return v.phase !== "busted" && !(v.phase === "playing" && v.players[v.currentTurn]?.isBot);
  if (game === "owedrahn") return v.phase !== "over";
  if (isBoardGame(game)) return true;
  return false;
}

/** The room waits for a timer of its own (a pause, a bot's turn) that must end; never assumed for a game the fuzz does not know. */
function isPaused(game: Game, v: any): boolean {
  return KNOWN_GAMES.has(game) && !isQuiet(game, v);
}

/** Whether `id` has a seat, from the view's `players`: a list of `{ id }` or a map keyed by id. */
function isSeated(v: any, id: string): boolean {
  const players = v?.players;
  if (Array.isArray(players)) return players.some((p: any) => p?.id === id);
  return players !== null && typeof players === "object" && Object.hasOwn(players, id);
}

/**
 * What the rules answer to a well-formed message `type`/`payload` from `me`, read off the
 * sender's view (README check orders), or null when the view does not tell (a Dice rematch
 * asked twice, or any move of a game the fuzz does not know). Only used when no timer runs
 * and the view is up to date.
 */
function predict(game: Game, v: any, me: string, type: string, payload: any): Outcome | null {
  if (!isSeated(v, me)) return ErrorCode.NOT_A_PLAYER;
  if (isBoardGame(game)) {
    // The two-player helper's checks: seated (above), started, not over, the sender's turn…
    if (type === "rematch") return v.phase !== "over" || v.players[me].rematch ? ErrorCode.NOT_ALLOWED : "accept";
    if (v.phase === "waiting") return ErrorCode.NOT_STARTED;
    if (v.phase === "over") return ErrorCode.GAME_OVER;
    if (v.currentTurn !== me) return ErrorCode.NOT_YOUR_TURN;
    // …then the board's own: the argument's range, then the rule.
    if (game === "tictactoe") {
      const { row, col } = payload as { row: number; col: number };
      if (row < 0 || row > 2 || col < 0 || col > 2) return ErrorCode.INVALID_MOVE;
      return v.board[row * 3 + col] === "" ? "accept" : ErrorCode.INVALID_MOVE;
    }
    const { column } = payload as { column: number };
    if (column < 0 || column >= COLUMNS) return ErrorCode.INVALID_MOVE;
    return v.board[column] === "" ? "accept" : ErrorCode.INVALID_MOVE; // room in the column: its top cell is empty
  }
  if (game === "dice") {
    if (type === "rematch") return v.phase === "over" ? null : ErrorCode.NOT_ALLOWED;
    if (type === "add_bot") {
      if (v.phase === "playing" || v.phase === "busted") return ErrorCode.NOT_ALLOWED;
      return Object.keys(v.players).length >= 2 ? ErrorCode.NOT_ALLOWED : "accept";
    }
    if (v.phase === "waiting") return ErrorCode.NOT_STARTED;
    if (v.phase === "over") return ErrorCode.GAME_OVER;
    if (v.phase === "busted") return ErrorCode.NOT_ALLOWED;
    if (v.currentTurn !== me) return ErrorCode.NOT_YOUR_TURN;
    const dice: number[] = v.dice;
    if (type === "roll") return dice.some((d) => d !== 0) ? ErrorCode.INVALID_MOVE : "accept";
    if (type === "select") {
      const index = payload.index as number;
      if (index < 0 || index >= dice.length || dice[index] === 0) return ErrorCode.INVALID_MOVE;
      return "accept";
    }
    // set_aside
    const selected: number[] = v.selected;
    if (selected.length === 0) return ErrorCode.INVALID_MOVE;
    return scoreDice(selected.map((i) => dice[i]!)).valid ? "accept" : ErrorCode.INVALID_MOVE;
  }
  if (game !== "owedrahn") return null; // a game the fuzz does not know
  const player = v.players.find((p: any) => p.id === me);
  if (v.phase === "over") return ErrorCode.GAME_OVER;
  if (type === "ready") return v.phase === "lobby" ? "accept" : ErrorCode.NOT_ALLOWED;
  if (v.phase === "lobby") return ErrorCode.NOT_STARTED;
  const alive = (p: any) => p.life > 0 && p.connected;
  if (!alive(player)) return ErrorCode.NOT_ALLOWED;
  if (v.currentTurn !== me) return ErrorCode.NOT_YOUR_TURN;
  if (type === "roll") return player.choosing ? ErrorCode.NOT_ALLOWED : "accept";
  if (type === "lose_life") {
    if (player.choosing || v.currentValue < 10 || player.life <= 1) return ErrorCode.NOT_ALLOWED;
    return "accept";
  }
  // choose_next
  if (!player.choosing) return ErrorCode.NOT_ALLOWED;
  const target = v.players.find((p: any) => p.id === payload.playerId);
  return target && alive(target) ? "accept" : ErrorCode.INVALID_MOVE;
}

const isInt = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);

/** The marks that own a four-in-a-row on a Connect Four board (by row and column: no line runs across an edge). */
function fourOwners(board: readonly string[]): string[] {
  const owners = new Set<string>();
  const at = (r: number, c: number) => (r >= 0 && r < ROWS && c >= 0 && c < COLUMNS ? board[r * COLUMNS + c] : undefined);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLUMNS; c++) {
      const mark = at(r, c);
      if (!mark) continue;
      for (const [dr, dc] of [[0, 1], [1, 0], [1, 1], [1, -1]] as const) {
        if ([1, 2, 3].every((k) => at(r + k * dr, c + k * dc) === mark)) owners.add(mark);
      }
    }
  }
  return [...owners];
}

/** The game's invariants in one client's view; returns what is broken. */
function invariantProblems(game: Game, v: any): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (isBoardGame(game)) {
    // The two-player helper's part.
    const board: string[] = v.board;
    const ids = Object.keys(v.players);
    const cells = game === "tictactoe" ? 9 : COLUMNS * ROWS;
    check(board.length === cells, `board has ${cells} cells`);
    check(board.every((c) => c === "" || c === "X" || c === "O"), 'every cell is "", X or O');
    const xs = board.filter((c) => c === "X").length;
    const os = board.filter((c) => c === "O").length;
    check(Math.abs(xs - os) <= 1, "|#X - #O| <= 1");
    check(["waiting", "playing", "over"].includes(v.phase), "phase is waiting, playing or over");
    check(v.winner === "" || v.phase === "over", "a winner only when the phase is over");
    check(ids.length <= 2, "at most 2 players");
    check(new Set(ids.map((id) => v.players[id].symbol)).size === ids.length, "two players never share a mark");
    if (v.winner !== "") check(ids.includes(v.winner), "the winner is seated");
    if (v.phase === "playing") check(ids.includes(v.currentTurn), "the player on turn is seated");
    else check(v.currentTurn === "", "no turn outside play");
    if (v.phase === "waiting") check(xs + os === 0, "an empty board while waiting");
    // The board's own (nobody leaves and no turn timer runs in the fuzz: no game ends by forfeit).
    if (game === "tictactoe") {
      if (v.winner !== "") check(lineWinner(board as Cell[]) === v.players[v.winner]?.symbol, "the winner owns a full line");
      if (v.draw) check(v.phase === "over" && board.every((c) => c !== "") && lineWinner(board as Cell[]) === null, "a draw is a full board without a line");
    } else {
      check(board.every((c, i) => c === "" || i >= (ROWS - 1) * COLUMNS || board[i + COLUMNS] !== ""), "no floating disc: every disc above the bottom row rests on one");
      const owners = fourOwners(board);
      const full = board.every((c) => c !== "");
      check(owners.length <= 1, "fours of one mark at most");
      check((v.winner !== "") === (owners.length > 0), "a winner iff a four is on the board");
      if (v.winner !== "") check(owners[0] === v.players[v.winner]?.symbol, "the winner owns the four");
      check(v.draw === (full && owners.length === 0), "a draw iff the board is full without a four");
      if (v.phase === "playing") {
        check(!full, "a full board is not playing");
        if (xs !== os) check(v.players[v.currentTurn]?.symbol === (xs < os ? "X" : "O"), "the mark with fewer discs is on turn");
      }
    }
  } else if (game === "dice") {
    const players = Object.entries(v.players) as [string, any][];
    const dice: number[] = v.dice;
    const setAside: number[] = v.setAside;
    const selected: number[] = v.selected;
    check(players.length <= 2, "at most 2 players");
    check(["waiting", "playing", "busted", "over"].includes(v.phase), "phase is waiting, playing, busted or over");
    for (const [id, p] of players) {
      for (const f of ["score", "roundScore", "turnScore"]) check(isInt(p[f]) && p[f] >= 0, `${id}.${f} is a whole number >= 0`);
    }
    check(dice.every((d) => isInt(d) && d >= 0 && d <= 6), "every die is 0-6");
    check(setAside.every((d) => isInt(d) && d >= 1 && d <= 6), "every die set aside is 1-6");
    check(dice.length + setAside.length === 6, "dice + setAside = 6");
    check(new Set(selected).size === selected.length, "selected indexes are unique");
    check(selected.every((i) => isInt(i) && i >= 0 && i < dice.length && dice[i] !== 0), "selected indexes point at rolled dice");
    check(v.winner === "" || v.phase === "over", "a winner only when the phase is over");
    if (v.winner !== "") check((v.players[v.winner]?.score ?? -1) >= v.targetScore, "the winner reached the target score");
    if (v.phase === "playing" || v.phase === "busted") check(Object.hasOwn(v.players, v.currentTurn), "the player on turn is seated");
  } else if (game === "owedrahn") {
    const players: any[] = v.players;
    check(["lobby", "playing", "over"].includes(v.phase), "phase is lobby, playing or over");
    check(players.every((p) => isInt(p.life) && p.life >= 0 && p.life <= 6), "lives 0-6");
    check(isInt(v.currentValue) && v.currentValue >= 0 && v.currentValue <= 15, "currentValue 0-15");
    check(isInt(v.lastRoll) && v.lastRoll >= 0 && v.lastRoll <= 6, "lastRoll 0-6");
    check(players.every((p) => isInt(p.score)), "scores are whole numbers");
    check(players.reduce((s, p) => s + p.score, 0) === 0, "scores sum to zero (nobody left)");
    check(players.filter((p) => p.choosing).every((p) => p.id === v.currentTurn), "only the player on turn chooses");
    if (v.phase === "over") check(players.filter((p) => p.life > 0).length === 1, "exactly one player alive when the phase is over");
    if (v.phase === "playing") check(players.some((p) => p.id === v.currentTurn && p.life > 0), "the player on turn is alive");
    else check(v.currentTurn === "", "no turn outside play");
  }
  return problems;
}

// ---- bookkeeping --------------------------------------------------------------------------

interface GameStats {
  messages: number;
  accepted: number;
  rejected: number;
  codes: Map<string, number>;
  phases: Map<string, number>;
  /** Refusals whose state was compared exactly (no patch of a timer in between). */
  exact: number;
  /** Refusals with a timer's patch in between: checked for invariants only. */
  concurrent: number;
  /** Outcomes predicted from the rules and compared. */
  predicted: number;
  legal: number;
  gamesEnded: number;
}

const newStats = (): GameStats => ({
  messages: 0,
  accepted: 0,
  rejected: 0,
  codes: new Map(),
  phases: new Map(),
  exact: 0,
  concurrent: 0,
  predicted: 0,
  legal: 0,
  gamesEnded: 0,
});

const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** Wrong error codes (or refused legal moves): collected, reported at the end of the run. */
class Deviations {
  readonly byKind = new Map<string, { count: number; examples: string[] }>();
  add(kind: string, detail: string) {
    const entry = this.byKind.get(kind) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < 3) entry.examples.push(detail);
    this.byKind.set(kind, entry);
  }
  get size() {
    return this.byKind.size;
  }
  report(): string {
    return [...this.byKind]
      .map(([kind, { count, examples }]) => `- ${kind}: ${count}x, e.g.\n${examples.map((e) => `    ${e.replaceAll("\n", "\n    ")}`).join("\n")}`)
      .join("\n");
  }
}

interface Planned {
  msg: FuzzMessage;
  expect: Expectation;
  /** Slot-local message index. */
  index: number;
}

// ---- one room, driven by one sequential loop ------------------------------------------------

class Slot {
  readonly players: Conn[] = [];
  spectator!: Conn;
  roomId = "";
  sent = 0;
  steps = 0;
  private lastConn?: Conn;
  private pauseBurst = 0;
  private lastPhase = "";
  /** Since when (ms) the room's view has been waiting for a timer (pause, bot) without a change. */
  private waitingSince = 0;
  private waitingJson = "";
  private readonly playRng: Rng;

  constructor(
    readonly index: number,
    readonly spec: SlotSpec,
    readonly quota: number,
    private readonly ctx: Fuzz,
  ) {
    this.playRng = seededRng(mixSeed(SEED, index, 0x9e37));
  }

  get game(): Game {
    return this.spec.game;
  }

  get conns(): Conn[] {
    return [...this.players, this.spectator];
  }

  get stats(): GameStats {
    return this.ctx.stats[this.game];
  }

  async join(seated: boolean): Promise<Conn> {
    const client = new Client(this.ctx.server.url);
    const n = seated ? this.players.length + 1 : 0;
    const label = seated ? `${this.spec.label}/p${n}` : `${this.spec.label}/spectator`;
    const options = seated ? { name: `fuzz ${n}` } : { spectate: true };
    let room: SdkRoom<any, any>;
    try {
      room = this.roomId ? await client.joinById(this.roomId, options) : await client.create(this.game, { ...this.spec.options, ...options });
    } catch (err) {
      assert.fail(`fuzz seed ${SEED}, ${label}: joining room ${this.roomId || "(new)"} failed after message #${this.sent - 1}: ${(err as Error).message}${serverTrouble(this.ctx.server)}`);
    }
    const conn = new Conn(room, label, seated);
    this.ctx.allConns.push(conn);
    this.roomId = room.roomId;
    await waitFor(() => conn.patches > 0, `${label}: initial state`);
    if (seated) this.players.push(conn);
    else this.spectator = conn;
    return conn;
  }

  async run() {
    await this.join(true);
    await this.join(false);
    const preStart = Math.floor(this.quota * PRE_START_SHARE);
    while (this.sent < preStart && !this.ctx.aborted) await this.step(false);
    for (let i = 1; i < this.spec.humans; i++) await this.join(true);
    this.lastConn = undefined;
    while (this.sent < this.quota && !this.ctx.aborted) await this.step(true);
  }

  private ids(): string[] {
    return this.conns.map((c) => c.id);
  }

  private connById(id: string): Conn | undefined {
    return this.players.find((c) => c.id === id);
  }

  /** A legal move for the current state (from the view of the last synchronised connection). */
  private planLegal(): { conn: Conn; make: (v: any) => FuzzMessage } | null {
    const v = (this.lastConn ?? this.players[0]!).view();
    const rng = this.playRng;
    const legal = (type: string, payload?: unknown): FuzzMessage => ({ type, payload, label: "legal move" });
    if (this.game === "tictactoe") {
      if (v.phase === "playing") {
        const conn = this.connById(v.currentTurn);
        if (!conn) return null;
        return {
          conn,
          make: (w) => {
            const empty = (w.board as string[]).map((c, i) => (c === "" ? i : -1)).filter((i) => i >= 0);
            const cell = empty.length ? pick(rng, empty) : 0;
            return legal("make_move", { row: Math.floor(cell / 3), col: cell % 3 });
          },
        };
      }
      if (v.phase === "over") return { conn: pick(rng, this.players), make: () => legal("rematch") };
      return null;
    }
    if (this.game === "connectfour") {
      if (v.phase === "playing") {
        const conn = this.connById(v.currentTurn);
        if (!conn) return null;
        return {
          conn,
          make: (w) => {
            // A column with room: its top cell is empty.
            const open = Array.from({ length: COLUMNS }, (_, c) => c).filter((c) => (w.board as string[])[c] === "");
            return legal("drop", { column: open.length ? pick(rng, open) : 0 });
          },
        };
      }
      if (v.phase === "over") return { conn: pick(rng, this.players), make: () => legal("rematch") };
      return null;
    }
    if (this.game === "dice") {
      if (v.phase === "waiting" && this.spec.bot && Object.keys(v.players).length === 1) {
        return { conn: this.players[0]!, make: () => legal("add_bot") };
      }
      if (v.phase === "over") return { conn: pick(rng, this.players), make: () => legal("rematch") };
      const conn = v.phase === "playing" ? this.connById(v.currentTurn) : undefined;
      if (!conn) return null;
      return { conn, make: (w) => diceMove(rng, w, legal) };
    }
    if (this.game !== "owedrahn") {
      // A game the fuzz does not know: a well-formed message of one of its types from the
      // player on turn (if the view names one) or any seated player.
      const onTurn = typeof v.currentTurn === "string" ? this.connById(v.currentTurn) : undefined;
      const conn = onTurn ?? pick(rng, this.players);
      return { conn, make: () => ({ ...wellFormedMessage(rng, this.game, this.ids()).msg, label: "well-formed move (generic)" }) };
    }
    if (v.phase === "lobby") {
      const notReady = this.players.filter((c) => v.players.some((p: any) => p.id === c.id && !p.ready));
      const ready = this.players.filter((c) => !notReady.includes(c));
      if (ready.length > 0 && chance(rng, 10)) return { conn: pick(rng, ready), make: () => legal("ready", { ready: false }) };
      if (notReady.length === 0) return null;
      return { conn: pick(rng, notReady), make: () => legal("ready", { ready: true }) };
    }
    const conn = v.phase === "playing" ? this.connById(v.currentTurn) : undefined;
    if (!conn) return null;
    return {
      conn,
      make: (w) => {
        const me = (w.players as any[]).find((p) => p.id === conn.id);
        if (me?.choosing) {
          const alive = (w.players as any[]).filter((p) => p.life > 0).map((p) => p.id as string);
          return legal("choose_next", { playerId: alive.length ? pick(rng, alive) : conn.id });
        }
        if (me && w.currentValue >= 10 && me.life > 1 && chance(rng, 50)) return legal("lose_life");
        return legal("roll");
      },
    };
  }

  private async step(filled: boolean) {
    const stepRng = seededRng(mixSeed(SEED, this.index, this.steps++, 1));
    const roll = stepRng.int(0, 99);
    let kind: "legal" | "single" | "batch" = roll < 22 ? "legal" : roll < 45 ? "single" : "batch";
    if (this.pauseBurst > 0) kind = this.pauseBurst-- === 2 ? "batch" : "single";
    const pickConn = () => (filled ? pick(stepRng, this.conns) : pick(stepRng, [this.players[0]!, this.spectator]));

    let conn: Conn;
    let make: ((v: any) => FuzzMessage) | undefined;
    if (kind === "legal" && filled) {
      const plan = this.planLegal();
      if (plan) ({ conn, make } = plan);
      else {
        kind = "single";
        conn = pickConn();
      }
    } else {
      if (kind === "legal") kind = "single";
      conn = pickConn();
    }

    // Bring the sender's view up to date (other connections' messages were answered first).
    if (conn !== this.lastConn) {
      try {
        await conn.ping();
      } catch (err) {
        assert.fail(
          `fuzz seed ${SEED}, ${this.spec.label} (room ${this.roomId}), before message #${this.sent}: ${(err as Error).message}\n` +
            `  replay: FUZZ_SEED=${SEED} FUZZ_MESSAGES=${TOTAL} npx mocha test/fuzz/messages.test.ts${serverTrouble(this.ctx.server)}`,
        );
      }
    }
    this.lastConn = conn;

    const ids = this.ids();
    const planned: Planned[] = [];
    if (make) {
      const msg = make(conn.view());
      planned.push({ msg, expect: classify(this.game, msg), index: this.sent++ });
    } else {
      const count = kind === "batch" ? Math.min(stepRng.int(1, 16), this.quota - this.sent) : 1;
      for (let k = 0; k < Math.max(1, count); k++) {
        const index = this.sent++;
        const msgRng = seededRng(mixSeed(SEED, this.index, index, 2));
        // Before the start, a well-formed add_bot would start a two-human Dice room with a bot.
        const avoid = !filled && this.game === "dice" && !this.spec.bot ? ["add_bot"] : [];
        planned.push({ ...(kind === "batch" ? rejectedMessage(msgRng, this.game, ids) : anyMessage(msgRng, this.game, ids, avoid)), index });
      }
    }
    if (make) this.stats.legal++;
    await this.check(conn, planned, kind === "batch");

    const after = conn.view();
    if ((this.game === "dice" && after.phase === "busted") || (this.game === "owedrahn" && after.phase === "over")) {
      if (this.pauseBurst === 0) this.pauseBurst = 2;
    }
    if (this.game !== "owedrahn" && after.phase === "over" && this.lastPhase !== "over") this.stats.gamesEnded++; // Owe Drahn: counted from gameOver events
    this.lastPhase = after.phase;
    this.watchTimers(conn, after);
  }

  /** A pause or a bot's turn must end: BUST_DELAY_MS, GAME_OVER_DELAY_MS and BOT_DELAY_MS are a few ms. */
  private watchTimers(conn: Conn, view: any) {
    if (!isPaused(this.game, view)) {
      this.waitingSince = 0;
      return;
    }
    const json = JSON.stringify(view);
    const now = Date.now();
    if (this.waitingSince === 0 || json !== this.waitingJson) {
      this.waitingSince = now;
      this.waitingJson = json;
    } else if (now - this.waitingSince > STUCK_MS) {
      assert.fail(
        `fuzz seed ${SEED}, ${this.spec.label} (room ${this.roomId}), after message #${this.sent - 1} (${conn.label}): the room has waited ` +
          `${now - this.waitingSince} ms in phase ${view.phase}${view.phase === "playing" ? " with a bot on turn" : ""} without any change: ` +
          `a timer never fired, or its change was never sent\n  state: ${json}${serverTrouble(this.ctx.server)}`,
      );
    }
  }

  /**
   * Sends `planned` from `conn` back to back, then a ping; checks the replies, the state and
   * the invariants. In a batch every message must be refused whatever the state.
   */
  private async check(conn: Conn, planned: Planned[], batch: boolean) {
    const before = { json: conn.json(), view: conn.view(), patches: conn.patches, errors: conn.errors.length };
    const quiet = isQuiet(this.game, before.view);
    const phase = String(before.view.phase);
    const stats = this.stats;
    const predictions = planned.map((p) => {
      if (p.expect.kind !== "rules") return p.expect.kind;
      if (!conn.seated) return ErrorCode.NOT_A_PLAYER; // the seat check does not depend on timers
      return quiet ? predict(this.game, before.view, conn.id, String(p.msg.type), p.expect.payload) : null;
    });

    for (const p of planned) {
      const bytes = conn.transmit(p.msg);
      // The server closes a socket over MAX_MESSAGE_BYTES (2048): the fuzz must stay under it.
      if (bytes >= MAX_FRAME_BYTES) this.fail(conn, p, phase, before.json, `test bug: the generator made a ${bytes}-byte frame (budget ${MAX_FRAME_BYTES})`);
    }
    stats.messages += planned.length;
    bump(stats.phases, phase, planned.length);
    try {
      await conn.ping();
    } catch (err) {
      this.fail(conn, planned[planned.length - 1]!, phase, before.json, `${(err as Error).message}; server exited: ${this.ctx.server.exited}`);
    }

    const errs = conn.errors.slice(before.errors);
    if (batch && errs.length !== planned.length) {
      this.fail(conn, planned[0]!, phase, before.json, `${planned.length} messages that must all be refused got ${errs.length} error replies (batch of messages #${planned[0]!.index}-#${planned.at(-1)!.index}: ${planned.map((p) => showMessage(p.msg)).join(" | ")})`);
    }
    if (!batch && errs.length > 1) this.fail(conn, planned[0]!, phase, before.json, `one message got ${errs.length} error replies: ${show(errs.map((e) => e.payload))}`);

    let prev = { json: before.json, patches: before.patches };
    planned.forEach((p, j) => {
      const err = errs[j];
      const predicted = predictions[j];
      if (!err) {
        stats.accepted++;
        if (p.expect.kind !== "rules") this.fail(conn, p, phase, before.json, `accepted (no error reply) although it must be refused with ${p.expect.kind}`);
        if (predicted && predicted !== "accept") this.fail(conn, p, phase, before.json, `accepted although the rules refuse it with ${predicted} in this state`);
        if (predicted === "accept") stats.predicted++;
        return;
      }
      const { code, message } = (err.payload ?? {}) as { code?: unknown; message?: unknown };
      if (typeof code !== "string" || !(ERROR_CODES as readonly string[]).includes(code) || typeof message !== "string") {
        this.fail(conn, p, phase, before.json, `malformed error reply ${show(err.payload)}`);
      }
      stats.rejected++;
      bump(stats.codes, code as string);
      const detail = () => `${this.where(conn, p, phase).slice(0, 600)}\n  reply: ${show(err.payload)}\n  state: ${before.json}`;
      if (predicted === "accept") this.ctx.deviations.add(`${this.game}: a move legal in the sender's state was refused`, detail());
      else if (predicted) {
        if (p.expect.kind === "rules") stats.predicted++;
        if (code !== predicted) this.ctx.deviations.add(`${this.game}: expected ${predicted}, got ${code}`, detail());
      } else if (code === ErrorCode.INVALID_PAYLOAD || code === ErrorCode.UNKNOWN_ACTION) {
        this.ctx.deviations.add(`${this.game}: a well-formed message refused with ${code}`, detail());
      } else if (code === ErrorCode.INTERNAL_ERROR || code === ErrorCode.RATE_LIMITED) {
        this.ctx.deviations.add(`${this.game}: ${code}`, detail());
      }
      // Nothing changed: with no patch between the previous reply and this one, the view is the same.
      if (err.patches === prev.patches) {
        stats.exact++;
        if (err.json !== prev.json) this.fail(conn, p, phase, prev.json, `refused with ${code} but the state changed without a patch?!\n  state at the error: ${err.json}`);
      } else {
        stats.concurrent++;
      }
      prev = { json: err.json, patches: err.patches };
    });

    if (quiet && errs.length === planned.length && conn.patches !== before.patches) {
      this.fail(
        conn,
        planned[0]!,
        phase,
        before.json,
        `every message was refused (${errs.map((e) => show(e.payload)).join(", ")}) and no timer runs, yet ${conn.patches - before.patches} patch(es) arrived; state now: ${conn.json()}`,
      );
    }

    const problems = invariantProblems(this.game, conn.view());
    if (problems.length) this.fail(conn, planned.at(-1)!, phase, before.json, `invariants broken: ${problems.join("; ")}\n  state after: ${conn.json()}`);
    for (const c of this.conns) if (c.gone) this.fail(conn, planned.at(-1)!, phase, before.json, c.describeGone());
    if (this.ctx.server.exited) this.fail(conn, planned.at(-1)!, phase, before.json, `the server process exited; stderr:\n${this.ctx.server.stderr()}`);
  }

  where(conn: Conn, p: Planned, phase: string): string {
    return `fuzz seed ${SEED}, ${this.spec.label} (room ${this.roomId}) message #${p.index} from ${conn.label} (${conn.id}) in phase ${phase}: ${showMessage(p.msg)}`;
  }

  fail(conn: Conn, p: Planned, phase: string, stateBefore: string, what: string): never {
    this.ctx.aborted = true;
    assert.fail(
      `${this.where(conn, p, phase)}\n  ${what}\n  state before: ${stateBefore}\n` +
        `  replay: FUZZ_SEED=${SEED} FUZZ_MESSAGES=${TOTAL} npx mocha test/fuzz/messages.test.ts${serverTrouble(this.ctx.server)}`,
    );
  }

  /** After the run: every connection sees the same state, and it keeps the invariants. */
  async settle() {
    const deadline = Date.now() + 5000;
    for (;;) {
      await Promise.all(this.conns.map((c) => c.ping()));
      const views = this.conns.map((c) => c.json());
      if (views.every((j) => j === views[0]) && !isPaused(this.game, this.spectator.view())) break;
      if (Date.now() > deadline) {
        assert.fail(`fuzz seed ${SEED}, ${this.spec.label}: after the run the connections' views differ, or a pause never ends:\n${views.join("\n")}${serverTrouble(this.ctx.server)}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const c of this.conns) {
      const problems = invariantProblems(this.game, c.view());
      assert.deepEqual(problems, [], `fuzz seed ${SEED}, ${c.label}: invariants after the run; state ${c.json()}`);
    }
  }
}

/** A Dice move for the player on turn: roll, toggle a die towards 1s, 5s and triples, or set aside. */
function diceMove(rng: Rng, v: any, legal: (type: string, payload?: unknown) => FuzzMessage): FuzzMessage {
  const dice: number[] = v.dice;
  const selected: number[] = v.selected;
  if (dice.every((d) => d === 0)) return legal("roll");
  const count = (face: number) => dice.filter((d) => d === face).length;
  const wanted = dice.map((d, i) => (d !== 0 && (d === 1 || d === 5 || count(d) >= 3) ? i : -1)).filter((i) => i >= 0);
  const unwanted = selected.find((i) => !wanted.includes(i));
  if (unwanted !== undefined) return legal("select", { index: unwanted });
  const missing = wanted.filter((i) => !selected.includes(i));
  // Sometimes set aside early: a partial triple is refused (INVALID_MOVE), then completed.
  if (missing.length > 0 && !(selected.length > 0 && chance(rng, 20))) return legal("select", { index: pick(rng, missing) });
  if (selected.length === 0) return legal("roll");
  return legal("set_aside", { endTurn: v.setAside.length + selected.length >= 3 || chance(rng, 25) });
}

/**
 * The server's error-level log lines (grouped, the ones outside any room first: those are what
 * stops a process) and whether it began shutting down, for failure messages.
 */
function serverTrouble(server: ServerProcess): string {
  const errors = server.logs().filter((l) => Number(l.level) >= 50);
  const shutdown = server.logs().some((l) => l.msg === "draining for shutdown");
  if (!errors.length && !shutdown && !server.exited) return "";
  const groups = new Map<string, { count: number; text: string; inRoom: boolean }>();
  for (const l of errors) {
    const text = String(l.err?.stack ?? l.msg).split("\n").slice(0, 6).join(" | ").slice(0, 600);
    const key = `${l.roomId ? "room" : "process"}:${text.split(" | ")[0]}`;
    const g = groups.get(key) ?? { count: 0, text, inRoom: Boolean(l.roomId) };
    g.count++;
    groups.set(key, g);
  }
  const lines = [...groups.values()]
    .sort((a, b) => Number(a.inRoom) - Number(b.inRoom))
    .slice(0, 5)
    .map((g) => `    ${g.count}x ${g.inRoom ? "in a room" : "outside any room"}: ${g.text}`);
  return `\n  server: ${server.exited ? "exited" : "running"}${shutdown ? ", shutting down on its own" : ""}, ${errors.length} error log line(s):\n${lines.join("\n")}`;
}

/** Shared state of one fuzz run. */
interface Fuzz {
  server: ServerProcess;
  stats: Record<Game, GameStats>;
  deviations: Deviations;
  allConns: Conn[];
  aborted: boolean;
}

describe("Message fuzz: random and malformed messages in every phase of every game", function () {
  let server: ServerProcess;
  let fuzz: Fuzz;

  before(async function () {
    this.timeout(30_000);
    console.log(`    fuzz seed ${SEED} (FUZZ_SEED=${SEED} to replay), ${TOTAL} messages (FUZZ_MESSAGES)`);
    server = await startServer({ redisUrl: "", env: SERVER_ENV }); // an empty REDIS_URL counts as unset: one process, in memory
  });

  after(async function () {
    this.timeout(20_000);
    if (fuzz) {
      await Promise.all(
        fuzz.allConns.map(async (c) => {
          if (c.room.connection?.isOpen) await Promise.race([c.room.leave(true), new Promise((r) => setTimeout(r, 1000))]);
        }),
      );
    }
    const logFile = process.env.FUZZ_SERVER_LOG;
    if (logFile && server) writeFileSync(logFile, `${server.lines.join("\n")}\n--- stderr\n${server.stderr()}`);
    await stopAllServers();
  });

  it(`sends ${TOTAL} messages: the process stays up, every refusal changes nothing, the invariants hold`, async function () {
    this.timeout(300_000);
    const started = performance.now();
    fuzz = {
      server,
      stats: Object.fromEntries(GAME_NAMES.map((g) => [g, newStats()])) as Record<Game, GameStats>,
      deviations: new Deviations(),
      allConns: [],
      aborted: false,
    };
    const per = Math.floor(TOTAL / SLOT_SPECS.length);
    const slots = SLOT_SPECS.map((spec, i) => new Slot(i, spec, per + (i < TOTAL % SLOT_SPECS.length ? 1 : 0), fuzz));

    const failures: unknown[] = []; // in the order they happened: the first is the cause, the rest often follow from it
    await Promise.allSettled(
      slots.map((s) =>
        s.run().catch((err) => {
          fuzz.aborted = true;
          failures.push(err);
        }),
      ),
    );
    const sent = slots.reduce((n, s) => n + s.sent, 0);
    const seconds = (performance.now() - started) / 1000;
    console.log(`    ${sent} messages in ${seconds.toFixed(1)} s (${Math.round(sent / seconds)}/s)`);
    fuzz.stats.owedrahn.gamesEnded = slots.filter((s) => s.game === "owedrahn").reduce((n, s) => n + (s.spectator?.events.get("gameOver") ?? 0), 0);
    for (const game of GAME_NAMES) {
      const s = fuzz.stats[game];
      const codes = [...s.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ");
      const phases = [...s.phases].map(([p, n]) => `${p} ${n}`).join(" / ");
      console.log(
        `    ${game}: ${s.messages} messages, ${s.accepted} accepted, ${s.rejected} rejected (${codes}); phases ${phases}; ` +
          `${s.legal} legal moves, ${s.gamesEnded} games ended; refusals unchanged (exact) ${s.exact}, beside a timer's patch ${s.concurrent}; ` +
          `${s.predicted} rule outcomes predicted exactly`,
      );
    }
    const errorLogs = server.logs().filter((l) => Number(l.level) >= 50);
    if (errorLogs.length) console.log(`    server logged ${errorLogs.length} error line(s), first: ${JSON.stringify(errorLogs[0]).slice(0, 300)}`);
    if (failures.length) throw failures[0];
    for (const s of slots) await s.settle();

    assert.equal(sent, TOTAL, "every message was sent");
    for (const c of fuzz.allConns) assert.ok(!c.gone, c.describeGone());
    assert.equal(fuzz.deviations.size, 0, `fuzz seed ${SEED}: replies that break the protocol (nothing changed, but the code is wrong):\n${fuzz.deviations.report()}`);
  });

  it("the process stayed up: /health answers and a fresh TicTacToe game is played to a win", async function () {
    this.timeout(20_000);
    assert.equal(server.exited, false, `the server process exited; stderr:\n${server.stderr()}${serverTrouble(server)}`);
    assert.ok(!server.logs().some((l) => l.msg === "draining for shutdown"), `the server began shutting down on its own${serverTrouble(server)}`);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);

    const a = new Player(await new Client(server.url).create("tictactoe", { name: "after fuzz A" }));
    const b = new Player(await new Client(server.url).joinById(a.room.roomId, { name: "after fuzz B" }));
    try {
      await a.until(() => a.state.phase === "playing");
      await b.until(() => b.state.phase === "playing" && b.state.currentTurn !== "");
      const first = b.state.currentTurn === a.id ? a : b;
      const second = first === a ? b : a;
      const moves: [Player, number, number][] = [
        [first, 0, 0],
        [second, 1, 0],
        [first, 0, 1],
        [second, 1, 1],
        [first, 0, 2],
      ];
      const marks = (p: Player) => (p.state.board as string[]).filter((c) => c !== "").length;
      for (const [i, [p, row, col]] of moves.entries()) {
        p.send("make_move", { row, col });
        // Both players must see the move before the other one moves: waiting for the
        // mover's board alone let the next move race it and get NOT_YOUR_TURN (issue 16).
        for (const viewer of [a, b]) await viewer.until(() => marks(viewer) === i + 1, `move ${row},${col} seen by ${viewer === a ? "A" : "B"}`);
      }
      await a.until(() => a.state.phase === "over", "game over");
      assert.equal(a.state.winner, first.id);
      assert.equal(first.all("error").length + second.all("error").length, 0, "no move was refused");
    } finally {
      await Promise.all([a.room.leave(true), b.room.leave(true)]);
    }
    assert.doesNotMatch(server.stderr(), /error|exception|fatal|panic/i, "no crash in the server's stderr");
  });
});
