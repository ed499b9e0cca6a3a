/**
 * Dice rules (games.md, "Dice": two-player Farkle with bots): pure functions, no framework,
 * no clock. Randomness only comes through the injected {@link Rng}.
 *
 * Check order for the client actions `roll`, `select` and `set_aside`: seated
 * (NOT_A_PLAYER), phase (NOT_STARTED while waiting, GAME_OVER once over, NOT_ALLOWED during
 * the bust pause), sender's turn (NOT_YOUR_TURN), argument range, rule legality (both
 * INVALID_MOVE, a selection changed {@link MAX_SELECTION_CHANGES} times since the roll
 * included). `add_bot` and `rematch` belong to a stage rather than a turn: after the
 * seat check, the wrong stage is NOT_ALLOWED, as TicTacToe's `rematch`.
 * The payload's shape is checked before, by the room against src/protocol; the checks here
 * still reject any malformed field rather than throw.
 *
 * The bust pause is an event: a bust returns a `schedule` event for `end_bust`, the room
 * waits its configured delay and dispatches that action back.
 */
import { pick, pickFirst, d6, type Rng } from "./rng.js";
import { holdsScoringDie, scoreDice } from "./dice-scoring.js";
import type { MovesOf } from "../protocol/game.js";
import type { diceProtocol } from "../protocol/games/dice.js";
import { accept, defineRules, reject, seated, type ActionOf, type Ending, type LeaveAction, type LeaveHow, type Rejection, type RulesResult, type ScheduleEvent, type SeatCheck } from "./types.js";

export { scoreDice, holdsScoringDie, ofAKind, RUNS, type DiceScore } from "./dice-scoring.js";

/** The default score that wins a game (room option `targetScore`, 1000–10000). */
export const DEFAULT_TARGET_SCORE = 3000;

/** Dice on the table at the start of every turn. */
export const DICE_COUNT = 6;

/**
 * How many times a player may change their selection freely between two rolls (any selection
 * of six dice is at most six changes away). Beyond it, a change is accepted only if it
 * brings the selection one step nearer to one that can be set aside (every die scoring):
 * at most six more, and never a dead end (a player whose selection cannot be set aside
 * can always reach one that can). Each change is a step of the game's log, and without a
 * bound a player could toggle a die for hours and grow it without end (its match record,
 * its snapshot, the replay everyone may load).
 */
export const MAX_SELECTION_CHANGES = 30;

/**
 * Turns in one game, at most (both players' together). When the last of them ends without a
 * winner, the game ends: the higher banked score wins, equal scores draw. An honest game to
 * 10,000 takes about 30 turns each; without a bound, two seats that never bank (one person
 * may hold both) would play one game for ever, and its log would grow without end.
 */
export const MAX_TURNS = 400;

/** The names bots get, drawn at random (never the name of the player already seated). */
export const BOT_NAMES: readonly string[] = [
  "Hans", "Henry", "Katherine", "Janek", "Bartholomew", "Konrad", "Esther", "Ignatius",
  "Margarethe", "Leopold", "Agnes", "Ottokar", "Wilhelmina", "Friedrich",
];

/** Every bot id starts with this; session ids are 9-character nanoids, so none can collide. */
export const BOT_ID_PREFIX = "bot-";

/**
 * `waiting`: seats are being filled. `playing`: a turn is running. `busted`: the pause after a
 * bust, during which every client action is rejected. `over`: someone won.
 */
export type DicePhase = "waiting" | "playing" | "busted" | "over";

/** A seated player or bot. Only the player whose turn it is has non-zero round and turn scores. */
export interface DicePlayer {
  readonly id: string;
  readonly name: string;
  readonly isBot: boolean;
  /** Banked points. */
  readonly score: number;
  /** Points set aside this turn, not yet banked; lost on a bust. */
  readonly roundScore: number;
  /** The score of the current selection. */
  readonly turnScore: number;
  /** Games won against the current opponent (the tally across rematches; a new opponent starts it again). */
  readonly wins: number;
}

/** The whole state of a Dice room, as the rules see it. */
export interface DiceState {
  /** Seated players in seat order (at most two). */
  readonly players: readonly DicePlayer[];
  /** The dice on the table, 0 = unrolled; 6 minus the dice set aside this turn. After a game won by a bank, the table as that bank left it (with `selected` and `setAside`); else cleared between games. */
  readonly dice: readonly number[];
  /** Indexes into `dice` of the selected dice, ascending. */
  readonly selected: readonly number[];
  /** Times the selection changed since the last roll (absent in states saved before 2026-12-03: 0). */
  readonly selectionChanges?: number;
  /** Values of the dice set aside this turn. */
  readonly setAside: readonly number[];
  readonly currentTurn: string | null;
  readonly winner: string | null;
  /** The banked score that wins. */
  readonly targetScore: number;
  readonly phase: DicePhase;
  /** Human players who asked for a rematch since the game ended (a bot always agrees). */
  readonly rematch: readonly string[];
  /** Increments whenever a turn starts. */
  readonly turn: number;
  /** The `turn` the running (or last) game started on (absent in states saved before 2026-12-04: no turn limit for that game). */
  readonly firstTurn?: number;
  /** Bots added so far in this room: numbers bot ids, so an id is never reused. */
  readonly botsAdded: number;
  /** How the last game ended (null while one runs or none has ended). */
  readonly ending: Ending | null;
}

/** The moves clients send: `roll`, `select`, `set_aside`, `add_bot` and `rematch`. */
export type DiceMoves = MovesOf<typeof diceProtocol>;

/** The actions the rules schedule: `end_bust` ends the bust pause. `turn` ties it to the bust it ends, so a stale one is rejected. */
export type DiceScheduled = { end_bust: { turn?: number } };

/**
 * What can happen to a Dice game: the clients' moves, the room's `join`, `leave` and
 * `timeout`, and the scheduled `end_bust`.
 */
export type DiceAction = ActionOf<DiceMoves> | ActionOf<DiceScheduled> | { type: "join"; name: string } | LeaveAction | { type: "timeout" };

/** Broadcast when a roll holds no scoring die (`no-score`), or a turn timer runs out (`timeout`). */
export interface DiceBustedEvent {
  type: "busted";
  playerId: string;
  reason: "no-score" | "timeout";
}

/** Broadcast when all six dice scored: the same player rolls six fresh dice. */
export interface DiceHotDiceEvent {
  type: "hotDice";
  playerId: string;
}

/** The events of Dice, besides the generic `schedule`. */
export type DiceEvent = DiceBustedEvent | DiceHotDiceEvent;

/** Room options the rules need. */
export interface DiceConfig {
  /**
   * Banked score that wins, validated by the room (1000–10000).
   * @default 3000
   */
  targetScore: number;
}

type DiceResult = RulesResult<DiceState, DiceEvent | ScheduleEvent<DiceScheduled>>;

const UNROLLED: readonly number[] = Object.freeze(Array<number>(DICE_COUNT).fill(0));
const NONE: readonly number[] = Object.freeze([]);


function otherPlayer(state: DiceState, id: string | null): DicePlayer | undefined {
  return state.players.find((p) => p.id !== id);
}

/** The players with the given one's scores changed. */
function updatePlayer(state: DiceState, id: string | null, change: Partial<DicePlayer>): readonly DicePlayer[] {
  return state.players.map((p) => (p.id === id ? { ...p, ...change } : p));
}

/** Six unrolled dice, nothing selected or set aside, no round or turn points for anyone. */
function clearTable(state: DiceState): DiceState {
  return {
    ...state,
    dice: UNROLLED,
    selected: NONE,
    setAside: NONE,
    players: state.players.map((p) => (p.roundScore === 0 && p.turnScore === 0 ? p : { ...p, roundScore: 0, turnScore: 0 })),
  };
}

/** A fresh game between the two seated players: scores 0, random first player. */
function start(state: DiceState, rng: Rng): DiceState {
  const cleared = clearTable(state);
  return {
    ...cleared,
    players: cleared.players.map((p) => ({ ...p, score: 0 })),
    winner: null,
    rematch: [],
    phase: "playing",
    ending: null,
    currentTurn: pickFirst(rng, state.players).id,
    turn: state.turn + 1,
    firstTurn: state.turn + 1,
  };
}

/** The current turn ends without a win (bank, bust or timeout alike pass it on this way); after the game's last turn ({@link MAX_TURNS}), the game ends. */
function passTurn(state: DiceState): DiceState {
  if (state.firstTurn !== undefined && state.turn - state.firstTurn + 1 >= MAX_TURNS) return endAtTurnLimit(state);
  return { ...clearTable(state), phase: "playing", currentTurn: otherPlayer(state, state.currentTurn)?.id ?? null, turn: state.turn + 1 };
}

/** The game's turns are used up: the higher banked score wins, equal scores draw. */
function endAtTurnLimit(state: DiceState): DiceState {
  const [a, b] = state.players;
  const leader = a && b && a.score !== b.score ? (a.score > b.score ? a : b) : undefined;
  const players = state.players.map((p) => (p.id === leader?.id ? { ...p, wins: p.wins + 1 } : p));
  const ending: Ending = leader ? { reason: "won", name: leader.name } : { reason: "draw", name: "" };
  return { ...clearTable({ ...state, players }), phase: "over", currentTurn: null, winner: leader?.id ?? null, rematch: [], ending };
}

function forfeit(state: DiceState, loserId: string, how: LeaveHow): DiceState {
  const ending: Ending = { reason: how, name: state.players.find((p) => p.id === loserId)?.name ?? "" };
  const winner = otherPlayer(state, loserId)?.id ?? null;
  const players = state.players.map((p) => (p.id === winner ? { ...p, wins: p.wins + 1 } : p));
  return { ...clearTable({ ...state, players }), phase: "over", currentTurn: null, winner, rematch: [], ending };
}

/** The phase and turn checks shared by `roll`, `select` and `set_aside`. */
function turnCheck(state: DiceState, playerId: string): Rejection | null {
  switch (state.phase) {
    case "waiting":
      return reject("NOT_STARTED", "The game starts when both seats are taken.");
    case "over":
      return reject("GAME_OVER", "The game is over.");
    case "busted":
      return reject("NOT_ALLOWED", "Wait: the turn is passing after a bust.");
    case "playing":
      return state.currentTurn === playerId ? null : reject("NOT_YOUR_TURN", "It is not your turn.");
    default: {
      const unreachable: never = state.phase;
      return unreachable;
    }
  }
}

function roll(state: DiceState, playerId: string, rng: Rng): DiceResult {
  const refused = turnCheck(state, playerId);
  if (refused) return refused;
  // A die already on the table has to be set aside or kept first: re-rolling breaks a rule of
  // the game, it is not a wrong stage, hence INVALID_MOVE (README: "Dice: rolling too early").
  if (state.dice.some((d) => d !== 0)) return reject("INVALID_MOVE", "Set aside scoring dice before rolling again.");

  const rolled = state.dice.map(() => d6(rng));
  const next: DiceState = { ...state, dice: rolled, selected: NONE, selectionChanges: 0, players: updatePlayer(state, playerId, { turnScore: 0 }) };
  if (holdsScoringDie(rolled)) return accept(next);
  // The roll stays on show during the pause; the round's points are lost when it ends.
  return accept({ ...next, phase: "busted" }, [
    { type: "busted", playerId, reason: "no-score" },
    { type: "schedule", timer: "bust", action: { type: "end_bust", turn: state.turn } },
  ]);
}

function select(state: DiceState, playerId: string, index: unknown): DiceResult {
  const refused = turnCheck(state, playerId);
  if (refused) return refused;
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= state.dice.length) {
    return reject("INVALID_MOVE", `The die index must be a whole number from 0 to ${state.dice.length - 1}.`);
  }
  if (state.dice[index] === 0) return reject("INVALID_MOVE", "That die has not been rolled.");
  const changes = (state.selectionChanges ?? 0) + 1;
  const selected = state.selected.includes(index)
    ? state.selected.filter((i) => i !== index)
    : [...state.selected, index].sort((a, b) => a - b);
  if (changes > MAX_SELECTION_CHANGES && changesToScoring(state.dice, selected) >= changesToScoring(state.dice, state.selected)) {
    return reject(
      "INVALID_MOVE",
      `You have changed your selection ${MAX_SELECTION_CHANGES} times since this roll: set dice aside or bank (you may still change it toward dice that all score).`,
    );
  }
  const turnScore = scoreDice(selected.map((i) => state.dice[i]!)).score;
  return accept({ ...state, selected, selectionChanges: changes, players: updatePlayer(state, playerId, { turnScore }) });
}

/**
 * How many single changes `selected` is from the nearest selection of the rolled dice that
 * can be set aside (not empty, every die scoring); 0 when it can be set aside now. A roll
 * that is not a bust holds at least one such selection.
 */
export function changesToScoring(dice: readonly number[], selected: readonly number[]): number {
  let current = 0;
  for (const i of selected) current |= 1 << i;
  let nearest = Infinity;
  for (let mask = 1; mask < 1 << dice.length; mask++) {
    const values: number[] = [];
    let rolled = true;
    for (let i = 0; i < dice.length && rolled; i++) {
      if (!(mask & (1 << i))) continue;
      if (dice[i] === 0) rolled = false;
      else values.push(dice[i]!);
    }
    if (!rolled || !scoreDice(values).valid) continue;
    let differ = 0;
    for (let bits = mask ^ current; bits !== 0; bits &= bits - 1) differ++;
    nearest = Math.min(nearest, differ);
  }
  return nearest;
}

function setAside(state: DiceState, playerId: string, endTurn: unknown): DiceResult {
  const refused = turnCheck(state, playerId);
  if (refused) return refused;
  if (typeof endTurn !== "boolean") return reject("INVALID_MOVE", "endTurn must be true or false.");
  if (state.selected.length === 0) return reject("INVALID_MOVE", "Select the dice to set aside first.");
  const values = state.selected.map((i) => state.dice[i]!);
  const { score, valid } = scoreDice(values);
  if (!valid) return reject("INVALID_MOVE", "Every die set aside must score.");

  const player = state.players.find((p) => p.id === playerId)!;
  const roundScore = player.roundScore + score;

  if (endTurn) {
    const banked = player.score + roundScore;
    const players = updatePlayer(state, playerId, banked >= state.targetScore ? { score: banked, wins: player.wins + 1 } : { score: banked });
    if (banked >= state.targetScore) {
      // The table stays as the winning bank left it (the roll, the dice banked from it, the
      // dice set aside before) until the next game clears it: every page shows how the game
      // was won (until 2026-12-06 it showed six blank dice).
      const { dice, selected, setAside } = state;
      return accept({ ...clearTable({ ...state, players }), dice, selected, setAside, phase: "over", currentTurn: null, winner: playerId, rematch: [], ending: { reason: "won", name: player.name } });
    }
    return accept(passTurn({ ...state, players }));
  }

  const remaining = state.dice.length - state.selected.length;
  const players = updatePlayer(state, playerId, { roundScore, turnScore: 0 });
  if (remaining === 0) {
    // Hot dice: all six scored, six fresh dice come back and the turn goes on.
    return accept({ ...state, players, dice: UNROLLED, selected: NONE, setAside: NONE }, [{ type: "hotDice", playerId }]);
  }
  return accept({
    ...state,
    players,
    dice: Array<number>(remaining).fill(0),
    selected: NONE,
    setAside: [...state.setAside, ...values],
  });
}

function addBot(state: DiceState, rng: Rng): DiceResult {
  if (state.phase === "playing" || state.phase === "busted") return reject("NOT_ALLOWED", "Bots can only be added before the game starts.");
  if (state.players.length >= 2) return reject("NOT_ALLOWED", "Both seats are taken.");

  const botsAdded = state.botsAdded + 1;
  let n = botsAdded;
  while (state.players.some((p) => p.id === `${BOT_ID_PREFIX}${n}`)) n++;
  const taken = new Set(state.players.map((p) => p.name.toLowerCase()));
  const free = BOT_NAMES.filter((name) => !taken.has(name.toLowerCase()));
  const name = pick(rng, free.length > 0 ? free : BOT_NAMES);
  const bot: DicePlayer = { id: `${BOT_ID_PREFIX}${n}`, name, isBot: true, score: 0, roundScore: 0, turnScore: 0, wins: 0 };
  // A new opponent: the tally starts again.
  return accept(start({ ...state, players: [...state.players.map((p) => ({ ...p, wins: 0 })), bot], botsAdded: n }, rng));
}

function canSeat(state: DiceState): SeatCheck {
  if (state.phase === "playing" || state.phase === "busted") return { ok: false, reason: "started" };
  if (state.players.length >= 2) return { ok: false, reason: "full" };
  return { ok: true };
}

function join(state: DiceState, playerId: string, name: unknown, rng: Rng): DiceResult {
  if (state.players.some((p) => p.id === playerId)) return reject("NOT_ALLOWED", "Already seated.");
  if (typeof name !== "string" || name.length === 0) return reject("NOT_ALLOWED", "A player needs a name.");
  const seat = canSeat(state);
  if (!seat.ok) return reject("NOT_ALLOWED", seat.reason === "full" ? "Both seats are taken." : "The game has started.");
  const player: DicePlayer = { id: playerId, name, isBot: false, score: 0, roundScore: 0, turnScore: 0, wins: 0 };
  // A new opponent: the tally starts again.
  // A newcomer at an emptied table is not told who left it before they came (a new game clears it anyway).
  const next: DiceState = { ...state, players: [...state.players.map((p) => ({ ...p, wins: 0 })), player], ending: state.players.length === 0 ? null : state.ending };
  return accept(next.players.length === 2 ? start(next, rng) : next);
}

function leave(state: DiceState, playerId: string, how: LeaveHow): DiceResult {
  const leaver = state.players.find((p) => p.id === playerId)!;
  if (state.phase === "playing" || state.phase === "busted") {
    // A leave is final (dispatched once the reconnection window is over): the other player
    // wins and the seat is freed, so a newcomer (or a new bot) can sit down for a fresh game.
    const rest = state.players.filter((p) => p.id !== playerId);
    if (!rest.some((p) => !p.isBot)) {
      // The last human is gone: the bot leaves with them and the table is empty again. The
      // game still ended by their leave (recorded as a forfeit), and spectators are told so.
      return accept({ ...clearTable(state), players: [], phase: "waiting", currentTurn: null, winner: null, rematch: [], ending: { reason: how, name: leaver.name } });
    }
    const over = forfeit(state, playerId, how);
    return accept({ ...over, players: over.players.filter((p) => p.id !== playerId) });
  }
  // Before the start or after the end, leaving frees the seat and the room waits for a new
  // opponent, as in TicTacToe. A bot only sits on behalf of a human: with no human left, the
  // bot goes too (README: "Dice: leaving").
  const rest = state.players.filter((p) => p.id !== playerId);
  const players = rest.some((p) => !p.isBot) ? rest.map((p) => ({ ...p, score: 0 })) : [];
  // The one who stays learns that the other left (a new game clears it).
  const ending: Ending | null = players.length > 0 ? { reason: how, name: leaver.name } : null;
  return accept({ ...clearTable({ ...state, players }), phase: "waiting", currentTurn: null, winner: null, rematch: [], ending });
}

function endBust(state: DiceState, turn: unknown): DiceResult {
  if (state.phase !== "busted") return reject("NOT_ALLOWED", "No bust pause is running.");
  if (turn !== undefined && turn !== state.turn) return reject("NOT_ALLOWED", "That bust pause is over.");
  return accept(passTurn(state));
}

/**
 * The move the bot whose turn it is makes next: roll, or toggle one die, or set aside.
 * It wants its 1s, then its 5s, then every die of a face rolled three or more times. Such a
 * selection is always valid: it cannot hold a run (a run would need three faces other than
 * 1 and 5 rolled three times each, nine dice), so each die scores as a 1, a 5 or in its
 * three-or-more of a kind.
 */
function botStep(state: DiceState): ActionOf<DiceMoves> | null {
  if (state.dice.every((d) => d === 0)) return { type: "roll" };
  const rolled = state.dice.map((value, index) => ({ value, index })).filter((d) => d.value !== 0);
  const count = (face: number) => rolled.filter((d) => d.value === face).length;
  const wanted = [
    ...rolled.filter((d) => d.value === 1),
    ...rolled.filter((d) => d.value === 5),
    ...rolled.filter((d) => d.value !== 1 && d.value !== 5 && count(d.value) >= 3),
  ].map((d) => d.index);

  const unwanted = state.selected.find((i) => !wanted.includes(i));
  if (unwanted !== undefined) return { type: "select", index: unwanted };
  const missing = wanted.find((i) => !state.selected.includes(i));
  if (missing !== undefined) return { type: "select", index: missing };
  if (state.selected.length === 0) return null; // a roll with nothing wanted is a bust, never reached here
  return { type: "set_aside", endTurn: state.setAside.length + state.selected.length >= 3 };
}


/**
 * Dice as a {@link GameRules} module. `apply` never throws and never mutates its input; a bust
 * returns `busted` plus a `schedule` event whose `end_bust` action the room dispatches after
 * its bust delay. `botMove` is a pure function of the state: the room asks it after every
 * accepted action and dispatches the answer after its bot delay.
 * @example
 * let s = dice.setup({ targetScore: DEFAULT_TARGET_SCORE }, rng);
 * const r = dice.apply(s, sessionId, { type: "join", name: "Ada" }, rng);
 * if (r.ok) s = r.state;
 */
export const dice = defineRules<DiceState, DiceConfig, DiceMoves, DiceEvent, DiceScheduled>({
  seats: () => 2,
  setup(config) {
    return {
      players: [],
      dice: UNROLLED,
      selected: NONE,
      setAside: NONE,
      currentTurn: null,
      winner: null,
      targetScore: config.targetScore,
      phase: "waiting",
      rematch: [],
      turn: 0,
      botsAdded: 0,
      ending: null,
    };
  },

  canSeat,

  join: (state, playerId, name, rng) => join(state, playerId, name, rng),
  leave: seated((state, { id }, _rng, how) => leave(state, id, how)),
  timeout: seated((state, { id: playerId }) => {
    if (state.phase !== "playing" || state.currentTurn !== playerId) return reject("NOT_ALLOWED", "No turn is running out.");
    // Games.md: a timeout ends the turn as a bust, at once (no pause: the time is already up).
    return accept(passTurn(state), [{ type: "busted", playerId, reason: "timeout" }]);
  }),

  moves: {
    roll: seated((state, { id }, _payload, rng) => roll(state, id, rng)),
    select: seated((state, { id }, payload) => select(state, id, payload.index)),
    set_aside: seated((state, { id }, payload) => setAside(state, id, payload.endTurn)),
    add_bot: seated((state, _player, _payload, rng) => addBot(state, rng)),
    rematch: seated((state, { id: playerId }, _payload, rng) => {
      if (state.phase !== "over") return reject("NOT_ALLOWED", "A rematch can be asked for once the game is over.");
      if (state.rematch.includes(playerId)) return reject("NOT_ALLOWED", "You already asked for a rematch.");
      const rematch = [...state.rematch, playerId];
      const next = { ...state, rematch };
      // A bot always agrees, so the rematch starts once every seated human has asked.
      const agreed = state.players.every((p) => p.isBot || rematch.includes(p.id));
      return accept(state.players.length === 2 && agreed ? start(next, rng) : next);
    }),
  },

  // The room dispatches end_bust under no player's id: the pause belongs to the game, and
  // the busted player may even have left meanwhile.
  scheduled: {
    end_bust: (state, { turn }) => endBust(state, turn),
  },

  activePlayer: (state) => (state.phase === "playing" ? state.currentTurn : null),
  turnNumber: (state) => state.turn,
  playerIds: (state) => state.players.map((p) => p.id),
  isStarted: (state) => state.phase === "playing" || state.phase === "busted",

  botMove(state) {
    if (state.phase !== "playing") return null;
    const bot = state.players.find((p) => p.id === state.currentTurn);
    if (!bot?.isBot) return null;
    const action = botStep(state);
    return action ? { playerId: bot.id, action } : null;
  },
});
