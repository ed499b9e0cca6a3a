/**
 * A program's seat kept through whatever closes its connection: a network cut, a message the
 * server refused as too large, a server restart that hands the game over, a process that died
 * (high availability). Copy it into a program that plays with `@colyseus/sdk` 0.18; it is what
 * the README's "A program using the SDK" describes, and `test/rooms/keep-seat.test.ts` runs it
 * against the server.
 *
 * It turns the SDK's own reconnection off and always comes back through the matchmaker with the
 * seat's current token (`client.reconnect`): the SDK's own retries go only to the address of the
 * process the room was on, and not at all within 5 s of joining (`reconnection.minUptime`), while
 * `client.reconnect` finds the room wherever it lives now. Each time it is back it hands you a
 * new `Room` (`onBack`) at once, before its state arrives: attach your listeners to it again;
 * the whole state comes with its first `onStateChange` (act on it: it may be your turn).
 */
import { CloseCode, type Client, type Room } from "@colyseus/sdk";

/** Close codes after which the server still holds the seat for its window: come back. */
export const COME_BACK = new Set<number>([
  CloseCode.ABNORMAL_CLOSURE, // 1006: the network, or a process that died
  CloseCode.GOING_AWAY, // 1001
  CloseCode.NO_STATUS_RECEIVED, // 1005
  CloseCode.MAY_TRY_RECONNECT, // 4010
  1009, // a message over the size limit (2 KB): the server closed the socket, the seat is held
  4412, // the room moved (CLOSE_ROOM_MOVED): handed over at a planned restart, or a stalled copy superseded
  4430, // cut for not reading its updates (CLOSE_SLOW_CLIENT)
]);

/**
 * How the seat ended: left (by `leave()`; one asked for while the connection was down and not
 * delivered before the window ended is a drop for the others), its window over (`expired`),
 * the room gone, or closed by the server with `code` (a flood's 4429, the room's end).
 */
export type SeatEnd = { reason: "left" } | { reason: "expired" } | { reason: "gone" } | { reason: "closed"; code: number };

export interface KeepSeatOptions {
  /** Back in the seat: `room` is a new Room; attach your listeners (its state comes with its first `onStateChange`). */
  onBack?(room: Room): void;
  /** Time given beyond the seat's window for a dead process's game to be restored elsewhere (ms; default 10 s). */
  restoreMarginMs?: number;
}

export interface KeptSeat {
  /** The room the seat is in now. */
  readonly room: Room;
  /** Resolves once the seat is gone for good. */
  readonly ended: Promise<SeatEnd>;
  /** Leaves the game (a forfeit during one). While the connection is down it is sent once back: it never waits for an answer. */
  leave(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** `promise`'s value, or undefined if it has not settled by `deadline` (epoch ms); no timer outlives it. */
function byDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (err: unknown) => (clearTimeout(timer), reject(err)),
    );
  });
}
/** The matchmaker's HTTP status on a refused reconnect (the SDK's `MatchMakeError.code`). */
const statusOf = (err: unknown) => (err as { code?: unknown }).code;

export function keepSeat(client: Pick<Client, "reconnect">, first: Room, options: KeepSeatOptions = {}): KeptSeat {
  const margin = options.restoreMarginMs ?? 10_000;
  let room = first;
  let token = first.reconnectionToken;
  let leaving = false;
  /** The seat's window: the server's, from the last state seen (a room back but closed before its state has none). */
  let windowMs = 60_000;
  let finish!: (end: SeatEnd) => void;
  const ended = new Promise<SeatEnd>((resolve) => (finish = resolve));
  let over = false;
  const end = (how: SeatEnd) => {
    if (over) return;
    over = true;
    finish(how);
  };

  const follow = (r: Room) => {
    r.reconnection.enabled = false; // every close comes to onLeave, and this file decides
    r.onLeave((code) => {
      if (r !== room || over) return;
      if (leaving && code === CloseCode.CONSENTED) return end({ reason: "left" });
      // (Left while the connection was going down: comeBack takes the seat back to send it.)
      if (!COME_BACK.has(code)) return end({ reason: "closed", code });
      void comeBack(r, Date.now());
    });
  };

  const comeBack = async (old: Room, droppedAt: number) => {
    const seconds = (old.state as { reconnectSeconds?: unknown } | undefined)?.reconnectSeconds;
    if (typeof seconds === "number") windowMs = seconds * 1000;
    const giveUpAt = droppedAt + windowMs + margin;
    const expired = () => end({ reason: leaving ? "left" : "expired" });
    let gone = 0;
    for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
      await sleep(delay);
      if (Date.now() >= giveUpAt) return expired();
      const attempt = client.reconnect(token).then((back) => {
        // The seat moved to this connection's token: every later try needs it, even if this
        // connection closes before its state arrives. Its own SDK retries stay off.
        token = back.reconnectionToken;
        back.reconnection.enabled = false;
        return back;
      });
      try {
        // A try the server never answers (a stalled process) ends with the window.
        const back = await byDeadline(attempt, giveUpAt);
        if (!back) {
          void attempt.then((late) => late.leave(true), () => undefined); // too late: its seat was reported ended
          return expired();
        }
        room = back;
        follow(back);
        if (leaving) void back.leave(true); // left while the connection was down: say so now
        else options.onBack?.(back);
        return;
      } catch (err) {
        const status = statusOf(err);
        // 522 three times in a row: the room is gone (it ended, or its process restarted without high availability).
        gone = status === 522 ? gone + 1 : 0;
        if (gone >= 3) return end({ reason: "gone" });
        // 524 once the window is over: the seat was given up. Within it, the server may not have
        // seen the old connection close yet. 523: the room is being restored elsewhere. A network
        // error: the server cannot be reached yet. All three: try again.
        if (status === 524 && Date.now() >= droppedAt + windowMs) return expired();
        // 429: too many tries from this address; the server's limit refills within seconds.
        if (status === 429) await sleep(Math.min(5000, Math.max(0, giveUpAt - Date.now())));
      }
    }
  };

  follow(first);
  return {
    get room() {
      return room;
    },
    ended,
    leave() {
      leaving = true;
      // Connected: the leave goes now, and onLeave ends the seat. Down: comeBack sends it.
      if (room.connection.isOpen) void room.leave(true);
    },
  };
}
