import { Room, ServerError, type AuthContext, type Client } from "@colyseus/core";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { addressKey } from "../net/address.js";
import { CLOSE_FLOODING } from "../protocol/errors.js";
import { ADDRESS_OPTION, type ReservationRelease } from "../matchmaking/reservations.js";
import { requireJoinAck } from "./join-ack.js";
import { NO_PATCH_TICK_MS, RoomTimers } from "./timers.js";
import type { Listing, ListingFilter } from "./listing.js";
import { guardFrames } from "./frame-clock.js";

/** The lobby's join options: a filter of the listing. */
export function lobbyOptions(games: readonly string[]) {
  return z.object({
    game: z.enum(games as [string, ...string[]]).optional(),
    include: z.enum(["joinable", "all"]).optional(),
  });
}

export interface LobbySettings {
  logger: Logger;
  listing: Listing;
  /** Names of the listed games (a filter names one of them). */
  games: readonly string[];
  /** How often the list is re-read even without a change notice (catches rooms of dead processes). @default 1000 */
  refreshMs: number;
  /** After a change, the next update waits at most this long, and coalesces every change meanwhile. @default 250 */
  throttleMs: number;
  /** Connections to this lobby. @default 500 */
  maxClients: number;
  /** Connections to this lobby from one address. @default 4 */
  maxPerIp: number;
  /** Frames per second per connection before Colyseus drops it (a backstop). */
  maxMessagesPerSecond: number;
  joinAckSeconds: number;
  /** Where the reservation that brought a client here is released once it arrives. */
  reservations?: ReservationRelease;
}

/** `refresh` requests a client may make: one every two seconds, after a burst of two. */
const REFRESH_EVERY_MS = 2000;
/** Ignored messages in a row (refresh too soon, unknown types) before the client is cut. */
const IGNORED_LIMIT = 20;

interface LobbyClient {
  filter: ListingFilter;
  address: string;
  /** JSON of the list this client has now. */
  sent?: string;
  refreshAllowedAt: number;
  ignored: number;
}

/**
 * Room `lobby`: pushes the live room listing. The server opens one per process at
 * start-up; clients only join it. A client joins with an optional filter (`game`,
 * `include: "joinable" | "all"`) and gets a `rooms` message with the list at once, then
 * again whenever it changes. `refresh` asks for it again (rate limited).
 *
 * Costs are bounded by design: a change anywhere only marks the listing stale; one
 * update pass runs at most every `throttleMs` and reads the listing once; each filter's
 * list is encoded once and the same bytes go to every client with that filter. A pass
 * never loops: changes that arrive during it schedule the next one on a timer.
 */
export class LobbyRoom extends Room {
  private readonly members = new Map<string, LobbyClient>();
  private settings!: LobbySettings;
  private log!: Logger;
  private filterSchema!: ReturnType<typeof lobbyOptions>;
  private unsubscribe?: () => unknown;
  private passScheduled = false;
  private passRunning = false;
  private changedDuringPass = false;
  /** A change was announced while a pass waited to run: that pass may read the list from before it. */
  private changedBeforePass = false;

  private readonly timers = new RoomTimers((err) => this.log.error({ err }, "lobby timer failed"));

  override async onCreate(options: { server: LobbySettings }) {
    this.settings = options.server;
    this.log = this.settings.logger.child({ roomId: this.roomId, roomName: this.roomName });
    this.filterSchema = lobbyOptions(this.settings.games);
    this.autoDispose = false;
    this.patchRate = NO_PATCH_TICK_MS; // no state to patch, and no clock to tick (timers are RoomTimers)
    this.maxClients = this.settings.maxClients;
    this.maxMessagesPerSecond = this.settings.maxMessagesPerSecond;
    guardFrames(this);
    this.unsubscribe = this.settings.listing.onChange(() => this.changed());
    // Rooms of a dead process leave the driver without a notice: re-read now and then.
    this.timers.every(this.settings.refreshMs, () => this.settings.listing.invalidate());
    this.onMessage("refresh", (client: Client) => {
      const member = this.members.get(client.sessionId);
      if (!member) return;
      const now = performance.now();
      if (now < member.refreshAllowedAt - REFRESH_EVERY_MS) return this.ignore(client, member);
      member.refreshAllowedAt = Math.max(now, member.refreshAllowedAt) + REFRESH_EVERY_MS;
      member.ignored = 0;
      member.sent = undefined; // send the current list even if it did not change
      this.schedulePass(0);
    });
    this.onMessage("*", (client: Client) => {
      const member = this.members.get(client.sessionId);
      if (member) this.ignore(client, member);
    });
  }

  override onAuth(client: Client, options: unknown, context: AuthContext) {
    const reservedBy = (options as Record<string, unknown> | undefined)?.[ADDRESS_OPTION];
    if (typeof reservedBy === "string") this.settings.reservations?.release(reservedBy, client.sessionId);
    const parsed = this.filterSchema.safeParse(options ?? {});
    const address = context.ip ?? "unknown";
    const key = addressKey(address);
    let fromAddress = 0;
    for (const member of this.members.values()) if (addressKey(member.address) === key) fromAddress++;
    if (fromAddress >= this.settings.maxPerIp) {
      throw new ServerError(429, `At most ${this.settings.maxPerIp} lobby connections per address.`);
    }
    return { filter: parsed.success ? parsed.data : {}, address };
  }

  override onJoin(client: Client, _options: unknown, auth: { filter: ListingFilter; address: string }) {
    this.members.set(client.sessionId, { filter: auth.filter, address: auth.address, refreshAllowedAt: 0, ignored: 0 });
    requireJoinAck(this.timers, client, this.settings.joinAckSeconds);
    this.schedulePass(0);
  }

  override onLeave(client: Client) {
    this.members.delete(client.sessionId);
  }

  override onDispose() {
    this.timers.clearAll();
    this.unsubscribe?.();
  }

  override onUncaughtException(error: Error, method: string) {
    this.log.error({ err: error, method }, "lobby error");
  }

  private ignore(client: Client, member: LobbyClient) {
    member.ignored += 1;
    if (member.ignored >= IGNORED_LIMIT) {
      this.log.warn({ sessionId: client.sessionId }, "disconnecting a lobby client that keeps flooding");
      this.members.delete(client.sessionId);
      client.leave(CLOSE_FLOODING, "too many messages");
    }
  }

  /**
   * A room changed: a pass after the throttle. A pass already waiting to run (for a join or
   * a refresh) may read the list from before the change (the listing is read at most every
   * throttle, by any reader): one more pass follows it.
   */
  private changed() {
    if (this.passScheduled) this.changedBeforePass = true;
    this.schedulePass(this.settings.throttleMs);
  }

  /** Runs one update pass after `delayMs`, unless one is already waiting. */
  private schedulePass(delayMs: number) {
    if (this.passRunning) {
      this.changedDuringPass = true;
      return;
    }
    if (this.passScheduled) return;
    this.passScheduled = true;
    this.timers.after(delayMs, () => {
      this.passScheduled = false;
      void this.pass();
    });
  }

  private async pass() {
    this.passRunning = true;
    this.changedDuringPass = this.changedBeforePass;
    this.changedBeforePass = false;
    try {
      for (const client of this.clients) {
        const member = this.members.get(client.sessionId);
        if (!member || (client.ref as { readyState?: number }).readyState !== 1 /* OPEN */) continue;
        const view = await this.settings.listing.view(member.filter);
        if (member.sent === view.json) continue;
        member.sent = view.json;
        client.enqueueRaw(view.message);
      }
    } catch (err) {
      this.log.warn({ err }, "listing update failed; the next pass retries");
    } finally {
      this.passRunning = false;
      if (this.changedDuringPass) this.schedulePass(this.settings.throttleMs);
    }
  }
}
