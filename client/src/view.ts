/**
 * What the client knows of one game: its view entry (title, blurb, create options, screen;
 * listed in games/index.ts), and what a game screen needs from the shell (GameScreen) and
 * gives it: the summary lines (status, turn), the game area, and its actions. The shell
 * and the lobby do the rest.
 */
import type { Room } from "@colyseus/sdk";
import type { z } from "zod";
import type { GameProtocol, PayloadsOf } from "../../src/protocol/game.js";
import type { CommonJoinOptions, HistoryEntry } from "../../src/protocol/messages.js";
import type { ReplayRules } from "../../src/replay/replay.js";
import { asName, h, rich, type Text } from "./dom.js";
import { wentLine } from "./ending.js";

/** Sends one of the game's messages, its payload checked with the server's validator first. */
export type Sender<P extends GameProtocol> = <K extends keyof P["messages"] & string>(type: K, payload: PayloadsOf<P>[K]) => void;

export interface ViewContext<P extends GameProtocol = GameProtocol> {
  readonly room: Room;
  /** Sends a message of this game (see `checkedSender` in sender.ts). */
  readonly send: Sender<P>;
  /** Adds a line to the screen's event log (names as {@link asName}, so they render isolated). */
  log(text: Text): void;
  /** Asks for a re-render (after a local change). */
  rerender(): void;
  /** The screen shows a recorded game (replay.ts): nothing is live, so nobody is waited for. */
  readonly replay?: boolean;
  /** The room's newest history entries, oldest first, as the screen's log shows them (none in a replay). */
  recentHistory?(): readonly HistoryEntry[];
}

export interface Summary {
  /** The game's state in a sentence (phase, winner, waiting for…); names as {@link asName}. */
  status: Text;
  /** Whose turn, "" when no turn runs; names as {@link asName}. */
  turn: Text;
  /** It is the viewer's turn (the turn line is highlighted). */
  myTurn: boolean;
  /** Epoch ms the turn runs out, 0 when the timer is off. */
  deadline: number;
  /** A game is running: leaving now forfeits it. */
  running: boolean;
  /** Waiting for players: show the invite link. */
  waiting: boolean;
  /**
   * No opponent yet: a quick match's room says it is searching for one. Absent: as
   * `waiting` (a two-seat game waits only for its opponent; Owe Drahn's ready stage waits
   * with two players or more too).
   */
  seeking?: boolean;
  /** The game is over (the invite link stays at hand for the next one). */
  over?: boolean;
  /**
   * The status only says again what the game's area shows in large (Owe Drahn's running
   * total): on a phone it is left to screen readers, which hear it change, and takes no line.
   */
  statusShownBelow?: boolean;
  /** The viewer's role, e.g. "playing as X" or "watching". */
  role: string;
}

/** One room's screen of a game, inside the shell (which shows it under `.game-<name>`). */
export interface GameView<S> {
  /** The state holds what this view reads (false before the first patch). */
  ready(state: S | undefined): state is S;
  summary(state: S): Summary;
  render(state: S): Node;
  action(name: string, el: HTMLElement, state: S): void;
  /** One line of the room's history (sent by the server) in words, or undefined to leave it out. */
  historyLine(entry: HistoryEntry, state: S | undefined): Text | undefined;
  /**
   * The server refused this player's last message (an error reply): what the view showed
   * ahead of the state (a request marked as sent) goes back to what the state says.
   */
  refused?(): void;
}

/** A create option of a game: a key of its protocol's `options` beyond the common ones. */
export type OptionKey<P extends GameProtocol> = Exclude<keyof z.input<P["options"]>, keyof CommonJoinOptions> & string;

interface OptionFieldBase<K extends string> {
  /** The option's key in `protocol.options`. */
  readonly key: K;
  /** The form label. */
  readonly label: string;
  readonly default: number;
  /** The allowed range, as the protocol's validator has it (the form's bounds). */
  readonly min: number;
  readonly max: number;
}

/** A number typed in (`<input type=number>`). */
export interface NumberOptionField<K extends string = string> extends OptionFieldBase<K> {
  readonly kind: "number";
  readonly step?: number;
}

/** A number picked from min…max (`<select>`), each shown by `choice(n)`. */
export interface SelectOptionField<K extends string = string> extends OptionFieldBase<K> {
  readonly kind: "select";
  readonly choice: (value: number) => string;
}

export type OptionField<K extends string = string> = NumberOptionField<K> | SelectOptionField<K>;

/**
 * A game as the client shows it: the lobby builds its game picker, create form, room
 * lists and quick-match buttons from these, the shell its title and screen.
 */
export interface ViewEntry<P extends GameProtocol = GameProtocol, S = any> {
  /** The game's browser-safe protocol part (src/protocol/games): room name, messages, options. */
  readonly protocol: P;
  readonly title: string;
  /** One sentence for the lobby. */
  readonly blurb: string;
  /** The game's own create options (the lobby adds the common ones: private, turn timer). */
  readonly createOptions: readonly OptionField<OptionKey<P>>[];
  /** The rule card players can open in the game ("How to play"): a few short lines, and any table the game needs. */
  readonly rules: () => Node;
  /** Renders a room of this game inside the shell. */
  readonly screen: (ctx: ViewContext<P>) => GameView<S>;
  /** Replays of recorded matches (replay.ts): the screen shows each state the rules replay. */
  readonly replay?: ReplayView<S>;
  /**
   * Messages that switch something on and off (Dice's `select`): sent again at once, they are
   * meant (select, then unselect), so a double click's guard ({@link RepeatGuard}) lets them go.
   */
  readonly toggles?: readonly (keyof P["messages"] & string)[];
  /** Games with fair dice: how the page sees each roll as it happens ("Verify fairness" checks them against the revealed rolls). */
  readonly rolls?: RollWatch;
}

/** How a game screen reads the dice rolled from the room's history (client/src/roll-watch.ts). */
export interface RollWatch {
  /** The faces of a history entry that records a roll (by its kind and data, as the game's definition writes it), else undefined. */
  readonly fromHistory: (kind: string, data: any) => readonly number[] | undefined;
}

/** One logged step of a recorded match, for its line in words. */
export interface ReplayStepInfo {
  /** The rules' states (src/rules) before and after the step. */
  readonly before: any;
  readonly after: any;
  readonly action: { readonly type: string; readonly [field: string]: unknown };
  /** The actor's in-room id (the log's seat), and name; both "" for the rules' own scheduled actions (a bust pause ending). */
  readonly actor: string;
  readonly who: string;
  /** The dice the step rolled, if any. */
  readonly dice?: readonly number[];
}

/** How a game's screen shows a replay: its state from the rules', and its steps in words. */
export interface ReplayView<S, R = any> {
  /** The game's pure rules (src/rules), run again over the recorded log; their states are `R`. */
  readonly rules: ReplayRules<R>;
  /**
   * The state the screen reads (the room state's shape, read-only), from a rules state of
   * this game; `before` is the state one step earlier (none at step 0), for a step whose own
   * state does not show how it ended (Dice: the table emptied by the last human's leave).
   */
  state(rules: R, before?: R): S;
  /** A step in words ("Ada rolled 4: total 9"); names as {@link asName}. */
  step(info: ReplayStepInfo): Text;
  /**
   * The final state an earlier version of the rules recorded for a game that today's rules
   * end in `final` (Dice before 2026-12-06: the table cleared after the winning bank), so a
   * match recorded then still replays as recorded. Absent: the rules never changed so.
   */
  earlierFinal?(final: R): R;
}

/** Plain data equal, whatever the order of object keys. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The replayed game ends in the recorded final state: exactly, or as an earlier version of its rules recorded it ({@link ReplayView.earlierFinal}). */
export function endsAsRecorded<R>(view: ReplayView<unknown, R>, final: R, recorded: unknown): boolean {
  return sameData(final, recorded) || (view.earlierFinal !== undefined && sameData(view.earlierFinal(final), recorded));
}

/**
 * The fields every game's room state has (src/schema/GameState.ts, as the room's projectCommon
 * writes them), in a replay: no turn timer, no room history; whose turn, the phase and how the
 * game ended, from the rules' state (`reconnectSeconds` is the live shell's only).
 */
export function replayCommon(rules: { currentTurn: string | null; phase: string; ending: { reason: string; name: string } | null }) {
  return { turnDeadline: 0, history: new Map<string, string>(), currentTurn: rules.currentTurn ?? "", phase: rules.phase, endReason: rules.ending?.reason ?? "", endName: rules.ending?.name ?? "" };
}

/** A step every game has: the actor left (or did not come back), or their time ran out; undefined for others. */
export function commonStepLine(info: ReplayStepInfo): Text | undefined {
  if (info.action.type === "leave") return [asName(info.who), info.action.dropped === true ? " did not come back." : " left the game."];
  if (info.action.type === "timeout") return ["Time ran out for ", asName(info.who), "."];
  return undefined;
}

/**
 * How a replay step that ended the game ends its line: " Ada wins!" or " A draw." when the
 * phase turned "over" at this step, "" otherwise (a step after the game, a leave from a
 * finished table, says no winner again). `winner` is the winner's name, if any.
 */
export function endedHere(before: { readonly phase: string }, after: { readonly phase: string }, winner: string | undefined): Text {
  if (before.phase === "over" || after.phase !== "over") return "";
  return winner ? [" ", asName(winner), " wins!"] : " A draw.";
}

/** Declares a game's view entry (keeps its protocol's types for `screen` and `createOptions`). */
export function defineView<P extends GameProtocol, S>(entry: ViewEntry<P, S>): ViewEntry<P, S> {
  return entry;
}

/** Seconds left until `deadline` (epoch ms), never negative. */
export function secondsLeft(deadline: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** "Ann's" — for a name that ends in s, "Jonas'" — with the name isolated (see {@link asName}). */
export function possessive(name: string): Text {
  return [asName(name), /s$/i.test(name) ? "'" : "'s"];
}

/**
 * The tally of two players across rematches ("Ada 2 – 1 Bob"), or null before either has won
 * a game against the other.
 */
export function tally(players: ReadonlyArray<{ name: string; wins: number }>): Node | null {
  const [a, b] = players;
  if (!a || !b || players.length !== 2 || a.wins + b.wins === 0) return null;
  return h("p", { class: "tally", testid: "tally", attrs: { "aria-label": `Games won: ${a.name} ${a.wins}, ${b.name} ${b.wins}` } }, rich([asName(a.name), ` ${a.wins} – ${b.wins} `, asName(b.name)]));
}

/**
 * The badge of a player whose connection dropped: how long the seat is held for them (the
 * others see whether waiting is worth it), or "away" when the server gave no deadline.
 */
export function awayBadge(player: { connected: boolean; awayUntil: number }): Node | null {
  if (player.connected) return null;
  const left = player.awayUntil > 0 ? secondsLeft(player.awayUntil) : 0;
  return h("span", { class: "badge away", testid: "away" }, left > 0 ? `away — ${left} s to come back` : "away");
}

/** The badge on the row of the game's winner (every game's player list). */
export function winnerBadge(won: boolean): Node | null {
  return won ? h("span", { class: "badge win" }, "winner") : null;
}

/**
 * The class of a game's result line for this viewer: green for their win, plain for their
 * loss, a draw or a spectator (a loser's "Ada wins!" is not shown as a success).
 */
export function resultClass(winnerId: string, me: string, seated: boolean): string {
  return winnerId !== "" && winnerId === me ? "winner won" : seated && winnerId !== "" ? "winner lost" : "winner";
}

/**
 * A two-player game over with one player left, so no rematch can come: who left or did not
 * come back (the state's `endReason` / `endName` when it was a leave) and what comes next, `seatedNext` for the
 * player still seated, `watchingNext` for a spectator.
 */
export function aloneStatus(state: { endReason: string; endName: string }, seated: boolean, seatedNext: string, watchingNext: string): Text {
  const next = seated ? seatedNext : watchingNext;
  return wentLine(state, next) ?? [seated ? "Your opponent" : "A player", ` left. ${next}`];
}

/** "Back to the lobby" for a seated player left alone after a game (primary where it is the one action left). */
export function backToLobbyButton(primary: boolean): HTMLElement {
  return h("button", { class: primary ? "primary" : undefined, testid: "btn-back-lobby", action: "leave", attrs: { type: "button" } }, "Back to the lobby");
}

/** A two-player game's status once it is over and the opponent has not asked for a rematch: whether this player has. */
export function overStatus(iAsked: boolean | undefined): string {
  return iAsked ? "Game over. You asked for a rematch: waiting for your opponent." : "Game over. Both players may ask for a rematch.";
}

/** A rule card's lines, as a list. */
export function ruleList(lines: readonly string[], ...extra: Node[]): Node {
  return h("div", {}, h("ul", {}, lines.map((line) => h("li", {}, line))), extra);
}

/**
 * This player's rematch request as the screen shows it: asked at once on the click, before
 * the state confirms it; forgotten when the server refuses a message (the state then says
 * whether it was asked) and whenever the game is not over.
 */
export class RematchRequest {
  private clicked = false;

  /** The Rematch button was clicked. */
  ask(): void {
    this.clicked = true;
  }

  /** The server refused a message: the request is asked only if the state says so. */
  refused(): void {
    this.clicked = false;
  }

  /** Each summary's phase: outside "over" nothing is asked. */
  phase(phase: string): void {
    if (phase !== "over") this.clicked = false;
  }

  /** Asked: the state says so (`inState`, also after a reload), or the click just did. */
  asked(inState: boolean): boolean {
    return this.clicked || inState;
  }
}
