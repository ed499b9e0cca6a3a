/**
 * The one base room every game extends. It owns what all games share and nothing else:
 * admission to seats, the single dispatch path from a message to the rules and from the
 * rules' result into the schema, the `{ code, message }` error reply, rate limiting,
 * reconnection windows, turn timers, scheduled rule actions, bots, and the listing.
 *
 * A concrete room declares its rules module, its message validators (mapped to actions),
 * its options schema and one `writeState` function.
 */
import { CloseCode, Room, ServerError, type Client, type RoomException, type RoomMethodName } from "@colyseus/core";
import type WebSocket from "ws";
import type { Schema } from "@colyseus/schema";
import type { z } from "zod";
import type { Logger } from "../logger.js";
import { CLOSE_FLOODING, ErrorCode, JoinErrorCode, type ErrorPayload } from "../protocol/errors.js";
import type { commonJoinOptions, ServerEvents } from "../protocol/messages.js";
import type { Rng } from "../rules/rng.js";
import type { GameRules, ScheduleEvent } from "../rules/types.js";
import { Projection, type WriteContext } from "../schema/sync.js";
import { describeZodError } from "../protocol/describe.js";
import { nameKey } from "../protocol/names.js";
import type { ReservationRelease } from "../matchmaking/reservations.js";
import { cutReason } from "../transport.js";
import { Admission } from "./admission.js";
import { requireJoinAck } from "./join-ack.js";
import { NO_PATCH_TICK_MS, RoomTimers, type Timer } from "./timers.js";

/** Server-side settings a room gets from its definition (never from a client). */
export interface RoomSettings {
  /** Randomness for the rules. */
  rng: Rng;
  logger: Logger;
  /** How long a dropped player keeps the seat. @default 60 */
  reconnectSeconds: number;
  /** Delays in ms for the rules' scheduled actions, by timer name (`bust`, `gameOver`, `bot`). */
  delays: Readonly<Record<string, number>>;
  /** Token bucket per client: sustained messages per second. @default 10 */
  messagesPerSecond: number;
  /** Token bucket size (a burst a client may send at once). @default 20 */
  messageBurst: number;
  /** Messages refused for rate in a row before the client is disconnected. @default 40 */
  floodDisconnectAfter: number;
  /** Spectators allowed besides the seats. @default 16 */
  maxSpectators: number;
  /** Spectators one address may have in one room. @default 4 */
  maxSpectatorsPerIp: number;
  /** Frames per second per client before Colyseus drops it: a backstop behind the transport's frame budget. @default 60 */
  maxFramesPerSecond: number;
  /** A client must acknowledge its join within this time. @default 5 */
  joinAckSeconds: number;
  /** Where seat reservations made by the matchmaking route are released once used or expired. */
  reservations?: ReservationRelease;
  /** How long a matchmaker seat reservation waits for its client. @default 15 */
  seatReservationSeconds: number;
  /** On shutdown, how long running games may go on before the room is closed. @default 600 */
  drainSeconds: number;
  /** Counters for /metrics; optional so a room runs without them. */
  metrics?: RoomMetrics;
}

/** What a room reports to the metrics registry. */
export interface RoomMetrics {
  message(roomName: string): void;
  rejected(roomName: string, code: ErrorCode): void;
  joined(roomName: string, spectator: boolean): void;
  reconnected(roomName: string): void;
  roomOpened(roomName: string): void;
  roomClosed(roomName: string): void;
  /** A client joined / left for good (a dropped player counts until their window ends). */
  clientIn(roomName: string): void;
  clientOut(roomName: string): void;
}

/** What the listing shows of a room (its matchmaking metadata). */
export interface ListingMetadata {
  game: string;
  players: number;
  seats: number;
  started: boolean;
  /** A player (not a spectator) may join now. Join and joinOrCreate only consider open rooms. */
  open: boolean;
}


/** A client message the room accepts: its validator and how a valid payload becomes an action. */
export interface MessageSpec<A> {
  schema: z.ZodType;
  toAction(payload: any): A;
}

/** Actions the base room itself dispatches on a player's behalf. */
export type SystemAction = { type: "join"; name: string } | { type: "leave" } | { type: "timeout" };


/** The player id used for actions the rules schedule for themselves (no player behind them). */
const SYSTEM_ACTOR = "";

interface ClientData {
  tokens: number;
  refilledAt: number;
  floodStrikes: number;
  kicked: boolean;
}

type BaseOptions = z.output<typeof commonJoinOptions>;

/**
 * @typeParam S - the rules' state; A - the rules' actions; E - the rules' events;
 * C - the rules' config; T - the schema state.
 */
export abstract class GameRoom<
  S,
  A extends { type: string },
  E extends { type: string },
  C,
  T extends Schema & { turnDeadline: number },
  O extends BaseOptions = BaseOptions,
> extends Room<{ state: T; metadata: ListingMetadata }> {
  /** The game's pure rules. */
  protected abstract readonly rules: GameRules<S, A | SystemAction, E, C>;
  /** Message type → validator and action mapping. */
  protected abstract readonly messageSpecs: Readonly<Record<string, MessageSpec<A>>>;
  /** Validator for create/join options (extends `commonJoinOptions`). */
  protected abstract readonly optionsSchema: z.ZodType<O>;
  /** The rules' config from the validated create options. */
  protected abstract configFrom(options: O): C;
  /** Number of seats, from the validated create options. */
  protected abstract seatCount(options: O): number;
  /** A fresh schema state. */
  protected abstract createState(): T;
  /** Copies the rules' state into the schema; see {@link WriteContext} for what `ctx` offers. */
  protected abstract writeState(target: T, state: S, ctx: WriteContext<S>): void;

  /** Every timer of the room; all cleared on dispose. */
  protected readonly timers = new RoomTimers((err) => this.log.error({ err }, "uncaught exception in a room timer"));

  /** Plain copies of the values written to the schema, for `writeState`. */
  protected readonly projection = new Projection();

  /** The authoritative game state; the schema is only its projection. */
  protected game!: S;
  protected settings!: RoomSettings;
  protected log!: Logger;
  protected turnSeconds = 0;
  protected seats = 0;

  private readonly away = new Set<string>();
  private awayVersion = 0;
  private written?: S;
  private writtenAwayVersion = -1;
  private readonly clientData = new Map<string, ClientData>();
  private turnTimer?: Timer;
  private armedTurn: string | null = null;
  private botTimer?: Timer;
  private lastListing?: ListingMetadata;
  private admission!: Admission;
  /** Names given at join, by session id (duplicates are numbered: "Ada (2)"). */
  private readonly names = new Map<string, string>();
  private draining = false;
  /** onCreate completed (the room counts in the metrics). */
  private opened = false;
  private closing = false;

  // State changes are broadcast by commit() right after each accepted action; no patch tick needed.
  override patchRate: number | null = null;

  override onCreate(rawOptions: Record<string, unknown> & { server?: RoomSettings }) {
    const settings = rawOptions.server;
    if (!settings) throw new Error(`room ${this.roomName} defined without server settings`);
    this.settings = settings;
    this.log = settings.logger.child({ roomId: this.roomId, roomName: this.roomName });

    const parsed = this.optionsSchema.safeParse(withoutServer(rawOptions));
    if (!parsed.success) throw new ServerError(JoinErrorCode.INVALID_OPTIONS, describeZodError(parsed.error));
    const options = parsed.data;

    // State goes out from commit(), never on a patch tick; and the room's timers are its own
    // (RoomTimers), not on the Colyseus clock, so no interval has to tick it. With no patch
    // rate, Colyseus would tick the clock at 60 Hz to keep clock timers working: an interval
    // that never fires keeps it from doing so, at no cost.
    this.patchRate = NO_PATCH_TICK_MS;
    this.seatReservationTimeout = settings.seatReservationSeconds;
    this.maxMessagesPerSecond = settings.maxFramesPerSecond;
    this.turnSeconds = options.turnSeconds ?? 0;
    this.seats = this.seatCount(options);
    // Spectators have their own slots (Admission): seats + spectators never exceed this.
    this.maxClients = this.seats + settings.maxSpectators;
    this.admission = new Admission(
      this,
      this.timers,
      { seats: () => this.seats, players: () => this.rules.playerIds(this.game).length, canSeat: () => this.rules.canSeat(this.game).ok },
      settings,
      this.log,
      () => this.updateListing(),
    );
    this.game = this.rules.setup(this.configFrom(options), settings.rng);
    this.state = this.createState();
    if (options.private) void this.setPrivate(true).catch((err) => this.log.error({ err }, "setPrivate failed"));

    for (const [type, spec] of Object.entries(this.messageSpecs)) {
      this.onMessage(type, (client: Client, payload: unknown) => this.handleMessage(client, type, spec, payload));
    }
    // Colyseus would disconnect a client sending an unknown type; we answer instead.
    this.onMessage("*", (client: Client, type: unknown) => {
      // A message whose type is literally "*" reaches here with its payload as `type`.
      const name = typeof type === "string" || typeof type === "number" ? String(type).slice(0, 40) : "*";
      if (this.admit(client)) this.reject(client, ErrorCode.UNKNOWN_ACTION, `Unknown message type "${name}".`);
    });

    this.commit();
    settings.metrics?.roomOpened(this.roomName);
    this.opened = true;
    this.log.info({ options: { ...options, name: undefined }, seats: this.seats }, "room created");
  }

  override onAuth(client: Client, rawOptions: Record<string, unknown>) {
    const parsed = this.optionsSchema.safeParse(withoutServer(rawOptions ?? {}));
    if (!parsed.success) {
      this.admission.release(client.sessionId);
      throw new ServerError(JoinErrorCode.INVALID_OPTIONS, describeZodError(parsed.error));
    }
    return parsed.data;
  }

  override onJoin(client: Client, _options: unknown, auth: O) {
    const spectator = auth.spectate === true;
    this.admission.joined(client, spectator);
    if (!spectator) {
      if (this.draining) throw new ServerError(JoinErrorCode.SHUTTING_DOWN, "This server is restarting; join another game.");
      const seat = this.rules.canSeat(this.game);
      if (!seat.ok) {
        throw seat.reason === "full"
          ? new ServerError(JoinErrorCode.ROOM_FULL, "Every seat is taken. Join with spectate: true to watch.")
          : new ServerError(JoinErrorCode.GAME_STARTED, "The game has started. Join with spectate: true to watch.");
      }
      const name = this.uniqueName(auth.name ?? `Player ${this.rules.playerIds(this.game).length + 1}`);
      if (!this.dispatch(client.sessionId, { type: "join", name })) {
        throw new ServerError(JoinErrorCode.ROOM_FULL, "No seat could be taken.");
      }
      this.names.set(client.sessionId, name);
    }
    this.clientData.set(client.sessionId, {
      tokens: this.settings.messageBurst,
      refilledAt: performance.now(),
      floodStrikes: 0,
      kicked: false,
    });
    requireJoinAck(this.timers, client, this.settings.joinAckSeconds, () => {
      this.log.warn({ sessionId: client.sessionId }, "join not acknowledged in time; disconnecting");
    });
    this.settings.metrics?.joined(this.roomName, spectator);
    this.settings.metrics?.clientIn(this.roomName);
    this.log.info({ sessionId: client.sessionId, spectator }, "joined");
  }

  override onDrop(client: Client, code?: number) {
    const data = this.clientData.get(client.sessionId);
    // No reconnection window (Colyseus calls onLeave next) for a spectator (nothing to keep),
    // a client removed for flooding or for never acknowledging its join, or one Colyseus
    // dropped with 4002 (its own frame limit, an undecodable frame). A slow client that was
    // cut keeps its window: it comes back with the whole state.
    const cut = cutReason(client.ref as WebSocket);
    if (data?.kicked || cut === "flood" || cut === "no-ack" || code === CloseCode.WITH_ERROR || !this.isSeated(client.sessionId)) return;
    this.log.info({ sessionId: client.sessionId, code, cut }, "connection dropped; seat held");
    if (this.setAway(client.sessionId, true)) this.commit();
    // Rejects with false when the window passes (onLeave then runs) or "disposing" on shutdown.
    this.allowReconnection(client, this.settings.reconnectSeconds).catch(() => undefined);
  }

  override onReconnect(client: Client) {
    this.settings.metrics?.reconnected(this.roomName);
    this.log.info({ sessionId: client.sessionId }, "reconnected");
    requireJoinAck(this.timers, client, this.settings.joinAckSeconds);
    if (this.setAway(client.sessionId, false)) this.commit();
  }

  override onLeave(client: Client, code?: number) {
    if (this.clientData.delete(client.sessionId)) this.settings.metrics?.clientOut(this.roomName);
    this.admission.left(client);
    this.setAway(client.sessionId, false);
    const consented = code === CloseCode.CONSENTED;
    this.log.info({ sessionId: client.sessionId, code, consented }, "left");
    if (this.isSeated(client.sessionId)) this.dispatch(client.sessionId, { type: "leave" });
    if (!this.isSeated(client.sessionId)) this.names.delete(client.sessionId);
  }

  override onDispose() {
    // Every timer of the room (turns, pauses, bots, reservations, deadlines): nothing fires
    // into a disposed room.
    this.timers.clearAll();
    if (this.opened) this.settings.metrics?.roomClosed(this.roomName);
    this.log.info("room disposed");
  }

  /**
   * Graceful shutdown (SIGTERM): the matchmaker already sends no new players here. A room
   * with no game running closes now; a running game may finish, up to `drainSeconds`,
   * and the room closes when it ends (see commit()). Colyseus's default would cut it off.
   */
  override onBeforeShutdown() {
    this.draining = true;
    const notice: ServerEvents["draining"] = { seconds: this.settings.drainSeconds };
    this.broadcast("draining", notice);
    this.log.info({ drainSeconds: this.settings.drainSeconds }, "draining for shutdown");
    if (!this.rules.isStarted(this.game)) return void this.close();
    this.timers.after(this.settings.drainSeconds * 1000, () => {
      this.log.warn("drain time is over; closing a game still running");
      this.close();
    });
  }

  override onUncaughtException(error: RoomException, methodName: RoomMethodName) {
    const cause = error.cause ?? error;
    if (cause instanceof ServerError && (methodName === "onJoin" || methodName === "onAuth" || methodName === "onCreate")) {
      // A refused join or create (full, started, bad options): Colyseus rethrows it to the client.
      this.log.info({ methodName, code: cause.code, reason: cause.message }, "join refused");
      return;
    }
    this.log.error({ err: cause, methodName }, "uncaught exception in room");
    const client = (error as { client?: Client }).client;
    if (methodName === "onMessage" && client) {
      this.reject(client, ErrorCode.INTERNAL_ERROR, "The server failed to handle that message; nothing changed.");
    }
  }

  /**
   * The single path by which the game state changes: client messages, timers, bots and
   * leaves all come through here. The rules either return a complete new state, which is
   * committed and sent at once, or a rejection, which changes nothing and is returned.
   */
  protected dispatch(playerId: string, action: A | SystemAction, client?: Client): boolean {
    const result = this.rules.apply(this.game, playerId, action, this.settings.rng);
    if (!result.ok) {
      if (client) this.reject(client, result.code, result.message);
      else this.log.debug({ playerId, action: action.type, code: result.code }, "system action refused");
      return false;
    }
    this.game = result.state;
    this.commit();
    for (const event of result.events) {
      if (isSchedule<A | SystemAction>(event)) this.schedule(event);
      else {
        const { type, ...payload } = event as E;
        this.broadcast(type, payload);
      }
    }
    if (this.log.isLevelEnabled("debug")) this.log.debug({ playerId, action: action.type }, "action applied");
    return true;
  }

  /** Sends the one error reply of a rejection to its sender. */
  protected reject(client: Client, code: ErrorCode, message: string) {
    this.settings.metrics?.rejected(this.roomName, code);
    const payload: ErrorPayload = { code, message };
    client.send("error", payload);
  }

  protected isSeated(playerId: string): boolean {
    return this.rules.playerIds(this.game).includes(playerId);
  }

  private handleMessage(client: Client, type: string, spec: MessageSpec<A>, payload: unknown) {
    if (!this.admit(client)) return;
    const parsed = spec.schema.safeParse(payload);
    if (!parsed.success) {
      this.reject(client, ErrorCode.INVALID_PAYLOAD, `Invalid "${type}" payload: ${describeZodError(parsed.error)}`);
      return;
    }
    this.dispatch(client.sessionId, spec.toAction(parsed.data), client);
  }

  /** Token bucket: true when the message may be handled; a flooding client is disconnected. */
  private admit(client: Client): boolean {
    this.settings.metrics?.message(this.roomName);
    const data = this.clientData.get(client.sessionId);
    if (!data || data.kicked) return false;
    // Colyseus's own per-second message count reads the room clock, which nothing else ticks.
    this.clock.tick();
    const now = performance.now();
    const { messagesPerSecond, messageBurst, floodDisconnectAfter } = this.settings;
    data.tokens = Math.min(messageBurst, data.tokens + ((now - data.refilledAt) / 1000) * messagesPerSecond);
    data.refilledAt = now;
    if (data.tokens >= 1) {
      data.tokens -= 1;
      data.floodStrikes = 0;
      return true;
    }
    data.floodStrikes += 1;
    if (data.floodStrikes >= floodDisconnectAfter) {
      data.kicked = true;
      this.log.warn({ sessionId: client.sessionId }, "disconnecting a client that keeps flooding");
      client.leave(CLOSE_FLOODING, "too many messages");
    } else if (data.floodStrikes === 1) {
      // One RATE_LIMITED per burst, not one per dropped message: a flood must not amplify.
      this.reject(client, ErrorCode.RATE_LIMITED, `Slow down: at most ${messagesPerSecond} messages per second.`);
    }
    return false;
  }

  /** Projects the game into the schema, sends it at once, and re-arms timers and the listing. */
  private commit() {
    this.writeState(this.state, this.game, { prev: this.written, away: this.away, awayChanged: this.awayVersion !== this.writtenAwayVersion });
    this.written = this.game;
    this.writtenAwayVersion = this.awayVersion;
    this.armTurnTimer();
    this.armBot();
    this.broadcastPatch();
    this.updateListing();
    if (this.draining && !this.closing && !this.rules.isStarted(this.game)) {
      this.log.info("game over while draining; closing the room");
      this.timers.after(0, () => this.close());
    }
  }

  /** Closes the room for a shutdown: clients get code 4001 (server shutdown). */
  private close() {
    if (this.closing) return;
    this.closing = true;
    this.disconnect(CloseCode.SERVER_SHUTDOWN).catch((err) => this.log.error({ err }, "disconnect failed"));
  }

  /**
   * Refuses a reconnection token whose session is still connected. Colyseus would close the
   * live connection and hand its seat to whoever presented the token; a player whose old
   * connection is really gone is let back in once the server notices the drop (ping
   * timeout), which the SDK's retries cover.
   */
  override checkReconnectionToken(reconnectionToken: string) {
    if (this.clients.some((c) => c.reconnectionToken === reconnectionToken)) return ""; // the matchmaker answers "expired"
    return super.checkReconnectionToken(reconnectionToken);
  }

  /** `name`, or `name (2)`, `name (3)`… if a seated player already has it (compared by {@link nameKey}). */
  private uniqueName(name: string): string {
    const taken = new Set<string>();
    for (const id of this.rules.playerIds(this.game)) {
      const other = this.names.get(id);
      if (other !== undefined) taken.add(nameKey(other));
    }
    if (!taken.has(nameKey(name))) return name;
    for (let n = 2; ; n++) {
      const candidate = `${name} (${n})`;
      if (!taken.has(nameKey(candidate))) return candidate;
    }
  }

  /** Marks a seated player's connection as dropped or back; true if that changed anything. */
  private setAway(playerId: string, away: boolean): boolean {
    const changed = away ? !this.away.has(playerId) && !!this.away.add(playerId) : this.away.delete(playerId);
    if (changed) this.awayVersion++;
    return changed;
  }

  private schedule(event: ScheduleEvent<A | SystemAction>) {
    const delay = this.settings.delays[event.timer] ?? 0;
    this.timers.after(delay, () => this.dispatch(SYSTEM_ACTOR, event.action));
  }

  private armTurnTimer() {
    const active = this.turnSeconds > 0 ? this.rules.activePlayer(this.game) : null;
    const key = active === null ? null : `${active}:${this.rules.turnNumber(this.game)}`;
    if (key === this.armedTurn) return;
    this.armedTurn = key;
    this.turnTimer?.clear();
    this.turnTimer = undefined;
    if (active === null) {
      this.state.turnDeadline = 0;
      return;
    }
    const ms = this.turnSeconds * 1000;
    this.state.turnDeadline = Date.now() + ms;
    this.turnTimer = this.timers.after(ms, () => {
      this.turnTimer = undefined;
      this.log.info({ playerId: active }, "turn timed out");
      this.dispatch(active, { type: "timeout" });
    });
  }

  private armBot() {
    if (!this.rules.botMove) return;
    this.botTimer?.clear();
    this.botTimer = undefined;
    if (!this.rules.botMove(this.game)) return;
    this.botTimer = this.timers.after(this.settings.delays.bot ?? 0, () => {
      this.botTimer = undefined;
      const move = this.rules.botMove?.(this.game);
      if (move) this.dispatch(move.playerId, move.action);
    });
  }

  private updateListing() {
    const players = this.rules.playerIds(this.game).length;
    const started = this.rules.isStarted(this.game);
    const open = !this.draining && this.rules.canSeat(this.game).ok && players + this.admission.pendingPlayers() < this.seats;
    const last = this.lastListing;
    if (last && last.players === players && last.started === started && last.open === open) return;
    const metadata: ListingMetadata = { game: this.roomName, players, seats: this.seats, started, open };
    this.lastListing = metadata;
    this.setMetadata(metadata).catch((err) => this.log.error({ err }, "listing update failed"));
  }
}

function isSchedule<A>(event: { type: string }): event is ScheduleEvent<A> {
  return event.type === "schedule";
}

/** Client options minus the server-only key (which only the room definition may set). */
function withoutServer(options: Record<string, unknown>): Record<string, unknown> {
  const { server: _server, ...rest } = options;
  return rest;
}
