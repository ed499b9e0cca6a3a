/**
 * A seated player's way back when the SDK's own reconnection cannot work (README "High
 * availability"): the room's process died and another one restored the room (the SDK
 * retries only the dead process's address), or this copy of the room moved (4412). It
 * reconnects with the seat's current token through the page's own address (the matchmaker
 * finds the room wherever it lives), with a backoff, until the server's reconnection window
 * would be over. It starts {@link RESTORE_AFTER_MS} after a drop, beside the SDK's own
 * retries, or at once when the room says it moved or the SDK gives up: the first one back
 * wins (the screen stops this one when the SDK's comes back).
 */
import { CloseCode, ErrorCode as SdkErrorCode, type Room } from "@colyseus/sdk";
import { describeJoinError, isRoomGone, isSeatExpired, refusedWith } from "./errors.js";
import { CLOSE_ROOM_MOVED } from "../../src/protocol/errors.js";
import { online, sleep } from "./dom.js";

/**
 * The fallback gives up after this many answers in a row saying the room is not listed (522):
 * its server restarted without it (one process, no high availability) or it ended. While
 * another process takes a room over, the server answers 523 instead (src/ha/unanswered.ts), so
 * a 522 then is at most a moment's gap, which the tries between absorb.
 */
const GONE_ANSWERS = 3;
/** The fallback starts this long after a drop, beside the SDK's own retries. */
const RESTORE_AFTER_MS = 1500;
/**
 * Waits before each try of the fallback; the last one repeats. One a second while a
 * takeover is likely (a survivor detects a dead process 3–4 s after it died, and answers a
 * reconnect at once, 523, until the room is back), then slower: six tries in the first
 * 10 s, so three players behind one address stay under the server's 20 joins and
 * reconnects per 10 s (JOINS_PER_10S).
 */
export const RESTORE_DELAYS_MS: readonly number[] = [500, 1000, 1000, 1000, 2000, 2000, 3000];
/**
 * How long the server holds a dropped seat when its state does not say (`reconnectSeconds`,
 * the server's RECONNECT_SECONDS; a server before 2026-12-03 sent none): its default.
 */
const DEFAULT_RECONNECT_MS = 60_000;
/**
 * Beyond the window, counted from the drop here: a room restored on another process holds
 * the seat from its restore (up to about 8 s after its process died), not from the drop.
 */
const RESTORE_MARGIN_MS = 10_000;

/** How long the server holds a dropped seat, from the room's last state. */
export function reconnectWindowMs(state: unknown): number {
  const seconds = (state as { reconnectSeconds?: unknown } | undefined)?.reconnectSeconds;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_RECONNECT_MS;
}

/** When the fallback gives up for a drop at `droppedAt`: the seat's window (from the room's last state) and the margin. */
export function restoreGiveUpAt(droppedAt: number, state: unknown): number {
  return droppedAt + reconnectWindowMs(state) + RESTORE_MARGIN_MS;
}

/**
 * What the lost panel says when the player came back after the server gave their seat up;
 * `running`: a game was running when the connection dropped (it went on without them, a
 * forfeit), not between games.
 */
export function seatGoneText(windowMs: number, running: boolean): string {
  const gone = `You were away longer than the game keeps a seat (${Math.round(windowMs / 1000)} s), so your seat was given up`;
  return running ? `${gone}: the game went on without you, and counts as a forfeit.` : `${gone}. No game was running when your connection dropped.`;
}
/** What the lost panel says when the server answers that the room is not there (522). */
export const GAME_GONE_TEXT = "This game is no longer on the server (it restarted without it, or the game ended while you were away). Start a new one from the lobby.";
/** What the status line and the banner say while the fallback runs, once the server said the game's process is gone (523). */
export const RESTORING_TEXT = "The server restarted; bringing your game back…";
/** What they say while the fallback runs before that (offline, or no answer: a network cut looks the same as a dead server). */
export const RECONNECTING_TEXT = "Connection dropped — reconnecting…";

/** What the fallback needs of the game screen. */
export interface RestoreHost {
  /** The room the screen shows now: its state says the seat's window, and it holds the seat's current token (the SDK replaces it with each of its own reconnections). */
  readonly room: Room;
  reconnect(token: string): Promise<Room>;
  /** The screen is done with the game (left, gone, or shown as lost): the fallback stops, and a room it gets back is left. */
  done(): boolean;
  /** The fallback began: what the screen shows changes (its Leave confirmation closes). */
  began(): void;
  /** The seat is back in `room` (the old room is the screen's to retire). */
  restored(old: Room, room: Room): void;
  /** Whether a game was running in the last state the screen saw (a seat given up then is a forfeit). */
  gameRunning(): boolean;
  /** Bringing the game back did not work: `detail` says why ("" when nothing answered). */
  lost(code: number, detail: string): void;
  render(): void;
}

export class SeatRestore {
  private droppedAt?: number;
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  /** The server said the game's process is gone (523), or the room moved (4412). */
  private restartHeard = false;
  /** Each run has its number: a stop ends the one under way. */
  private run = 0;

  /** `marginMs`: the time beyond the window it keeps trying (a test's is short). */
  constructor(
    private readonly host: RestoreHost,
    private readonly marginMs = RESTORE_MARGIN_MS,
  ) {}

  /** Whether it runs (the screen keeps its last picture, its controls off). */
  get active(): boolean {
    return this.running;
  }

  /** What the status line says while it runs; undefined when it does not. */
  status(): string | undefined {
    if (!this.running) return undefined;
    return navigator.onLine && this.restartHeard ? RESTORING_TEXT : RECONNECTING_TEXT;
  }

  /**
   * While it runs after a plain drop (no restart heard): the seconds the seat is still kept,
   * counted from the drop this page saw (the server noticed it then or later, so the seat is
   * kept at least that long); undefined otherwise (a restored room keeps the seat from its
   * restore, which the page cannot know).
   */
  seatKeptFor(now = Date.now()): number | undefined {
    if (!this.running || this.restartHeard || this.droppedAt === undefined) return undefined;
    return Math.max(0, Math.ceil((this.droppedAt + reconnectWindowMs(this.host.room.state) - now) / 1000));
  }

  /** The connection of `room` dropped (the SDK retries): the fallback starts soon, unless it is already on its way. */
  dropped(room: Room): void {
    this.droppedAt ??= Date.now();
    if (this.timer !== undefined || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.start(room, CloseCode.ABNORMAL_CLOSURE);
    }, RESTORE_AFTER_MS);
  }

  /** Stops it (scheduled or running): the connection is fine again, or the screen goes. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.run++;
    this.running = false;
    this.restartHeard = false;
    this.droppedAt = undefined;
  }

  /**
   * Runs it for the seat `old` held (closed with `code`). "Not there yet" answers (523, 524)
   * and network errors are retried; {@link GONE_ANSWERS} "no such room" (522) in a row end it
   * at once: the game is gone.
   */
  async start(old: Room, code: number): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const host = this.host;
    if (this.running || host.done() || old !== host.room) return;
    this.running = true;
    host.began();
    // The server said the game is moving (another process takes it over): say so at once.
    if (code === CLOSE_ROOM_MOVED) this.restartHeard = true;
    const run = ++this.run;
    const stopped = () => run !== this.run || host.done();
    const droppedAt = (this.droppedAt ??= Date.now());
    const windowMs = reconnectWindowMs(host.room.state);
    const giveUpAt = droppedAt + windowMs + this.marginMs;
    // Read now, from the last state before the drop (a seat given up then was a forfeit).
    const running = host.gameRunning();
    host.render();
    let gone = 0;
    let lastError: unknown;
    // The page was offline at some point: its player was away, whatever the server did.
    let offline = !navigator.onLine;
    for (let tries = 0; ; tries++) {
      await online(giveUpAt - Date.now());
      offline ||= !navigator.onLine;
      await sleep(RESTORE_DELAYS_MS[Math.min(tries, RESTORE_DELAYS_MS.length - 1)]!);
      if (stopped()) return;
      if (Date.now() >= giveUpAt) break;
      const attempt = host.reconnect(host.room.reconnectionToken);
      const result = await Promise.race([
        attempt.then(
          (room) => ({ room }),
          (error: unknown) => ({ error }),
        ),
        sleep(Math.max(0, giveUpAt - Date.now())).then(() => ({ timedOut: true })),
      ]);
      if ("room" in result) return host.restored(old, result.room);
      if ("timedOut" in result) {
        // Still pending when the window ends: kept if it ever comes back (or left, once lost).
        void attempt.then((room) => host.restored(old, room), () => undefined);
        break;
      }
      if (stopped()) return;
      lastError = result.error;
      gone = isRoomGone(result.error) ? gone + 1 : 0;
      if (gone >= GONE_ANSWERS) return host.lost(code, GAME_GONE_TEXT);
      // "Expired" once the window is over: the seat was given up (within it, the server may not
      // have noticed the old connection's end yet, or a restored room may not hold it yet).
      if (isSeatExpired(result.error) && Date.now() >= droppedAt + windowMs) return host.lost(code, seatGoneText(windowMs, running));
      // 523: the room's process is gone and no survivor has it back yet (src/ha/unanswered.ts).
      // (Not 522: a game that ended while the network was down is answered so too.)
      if (!this.restartHeard && refusedWith(result.error, SdkErrorCode.MATCHMAKE_UNHANDLED)) {
        this.restartHeard = true;
        host.render();
      }
      const failure = describeJoinError(result.error);
      if (failure.waitMs > 0) await sleep(Math.min(failure.waitMs, Math.max(0, giveUpAt - Date.now())));
    }
    if (stopped()) return;
    // The window and a takeover's margin are over. Offline, the player was away: their seat is
    // gone. Online, the server could not be reached or did not give the seat back (it may be
    // down, or restarted without high availability): not the player's doing.
    offline ||= !navigator.onLine;
    if (offline || isSeatExpired(lastError)) return host.lost(code, seatGoneText(windowMs, running));
    host.lost(code, lastError === undefined ? "" : `Bringing your game back did not work: ${describeJoinError(lastError).title}`);
  }
}
