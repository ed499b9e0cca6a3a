/**
 * What a game screen's buttons send: the room's own message names with their payload types,
 * each payload checked with the server's validator before it goes, and a second tap that could
 * only be refused, or undo the first, left out ({@link RepeatGuard}).
 */
import type { Room } from "@colyseus/sdk";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { GameProtocol } from "../../src/protocol/game.js";
import type { Text } from "./dom.js";
import { describeErrorCode } from "./errors.js";
import { showError } from "./ui.js";
import type { Sender } from "./view.js";

/** How soon the same message again counts as a double click, for {@link RepeatGuard}. */
const REPEAT_MS = 500;
/** How long a message counts as unanswered at most (a state change or a refusal answers it; a message nothing visibly answers must not block the next for long). */
const IN_FLIGHT_MS = 4000;

/**
 * A second tap that could only be refused, or undo the first, is not sent:
 * - **A message the server has not answered yet** (no state change, no refusal since: on a
 *   slow mobile network a round trip takes a second). Nothing else goes until a move is
 *   answered: a second cell, the same Roll again, could only be refused ("It is not your
 *   turn"). A toggle (Dice's `select`) lets other messages go, other dice and Bank, but not
 *   itself again: the second tap on the same die would unselect it before the player saw it
 *   selected. Play-tested on a 300–800 ms link (2026-12-05).
 * - **A double click**: the same message again within `REPEAT_MS` of the first, answered or
 *   not (a toggle excepted: select, then unselect, is two choices).
 * A refusal, or a new turn of the player's, lets everything go again at once (the player
 * tries again; in Owe Drahn the turn may come back within the window).
 */
export class RepeatGuard {
  private last?: { key: string; at: number };
  private waiting?: { key: string; toggle: boolean; at: number };

  constructor(private readonly windowMs = REPEAT_MS) {}

  /** Whether to send this message (false: it could only be refused, or undo the one just sent); `toggle`: a message that switches something on and off. */
  first(type: string, payload: unknown, now = Date.now(), toggle = false): boolean {
    const key = `${type} ${JSON.stringify(payload)}`;
    if (this.waiting && now - this.waiting.at < IN_FLIGHT_MS && (!this.waiting.toggle || this.waiting.key === key)) return false;
    if (!toggle && this.last && this.last.key === key && now - this.last.at < this.windowMs) return false;
    this.last = { key, at: now };
    this.waiting = { key, toggle, at: now };
    return true;
  }

  /** Whether a message waits for the server's answer (the page shows the game area busy). */
  sending(now = Date.now()): boolean {
    return this.waiting !== undefined && now - this.waiting.at < IN_FLIGHT_MS;
  }

  /** The state changed: the message sent was answered (or overtaken by another change). */
  answered(): void {
    this.waiting = undefined;
  }

  /** The server refused a message, or the player's turn began: the same message may go again at once. */
  reset(): void {
    this.last = undefined;
    this.waiting = undefined;
  }
}

/**
 * A `send` that only takes the room's own message names with their payload types, checks
 * the payload with the same zod validator the server uses before sending, and leaves out a
 * second tap that could only be refused or undo the first ({@link RepeatGuard}); `sent` is
 * told of each message that went.
 */
export function checkedSender<P extends GameProtocol>(
  room: Room,
  protocol: P,
  refused: (title: Text, detail: Text, code: string) => void = showError,
  repeats = new RepeatGuard(),
  toggles: readonly string[] = [],
  sent: () => void = () => undefined,
): Sender<P> {
  return (type, payload) => {
    const parsed = protocol.messages[type]!.safeParse(payload);
    if (!parsed.success) {
      refused(describeErrorCode(ErrorCode.INVALID_PAYLOAD), parsed.error.issues[0]?.message ?? "", ErrorCode.INVALID_PAYLOAD);
      return;
    }
    if (!repeats.first(type as string, payload, Date.now(), toggles.includes(type as string))) return;
    room.send(type, payload);
    sent();
  };
}
