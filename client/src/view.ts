/**
 * What a game screen needs from one game: its title, the summary lines (status, turn), the
 * game area, and its actions. The shell (GameScreen) does the rest.
 */
import type { Room } from "@colyseus/sdk";
import type { z } from "zod";
import { ErrorCode } from "../../src/protocol/errors.js";
import { asName, type Text } from "./dom.js";
import { describeErrorCode } from "./errors.js";
import { showError } from "./ui.js";

export interface ViewContext {
  readonly room: Room;
  /** Adds a line to the screen's event log (names as {@link asName}, so they render isolated). */
  log(text: Text): void;
  /** Asks for a re-render (after a local change). */
  rerender(): void;
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
  /** The viewer's role, e.g. "playing as X" or "watching". */
  role: string;
}

export interface GameView<S> {
  readonly title: string;
  /** The state holds what this view reads (false before the first patch). */
  ready(state: S | undefined): state is S;
  summary(state: S): Summary;
  render(state: S): Node;
  action(name: string, el: HTMLElement, state: S): void;
}

/**
 * A `send` that only takes the room's own message names with their payload types, and
 * checks the payload with the same zod validator the server uses before sending.
 */
export function checkedSender<M extends Record<string, z.ZodType>>(room: Room, messages: M) {
  return <K extends keyof M & string>(type: K, payload: z.input<M[K]>): void => {
    const parsed = messages[type]!.safeParse(payload);
    if (!parsed.success) {
      showError(describeErrorCode(ErrorCode.INVALID_PAYLOAD), parsed.error.issues[0]?.message ?? "", ErrorCode.INVALID_PAYLOAD);
      return;
    }
    room.send(type, payload);
  };
}

/** Seconds left until `deadline` (epoch ms), never negative. */
export function secondsLeft(deadline: number, now = Date.now()): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** "Ann's" — for a name that ends in s, "Jonas'" — with the name isolated (see {@link asName}). */
export function possessive(name: string): Text {
  return [asName(name), /s$/i.test(name) ? "'" : "'s"];
}
