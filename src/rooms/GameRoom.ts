/**
 * The one game room: it runs any game definition (src/games) and owns what all games
 * share and nothing else: admission to seats, the `{ code, message }` error reply, rate
 * limiting, reconnection windows, turn timers, scheduled rule actions, bots and the listing.
 * Each of those is a part of its own that the room calls: the path from a message to the
 * rules (src/rooms/rules-path.ts), the listing (room-listing.ts), the fair-dice messages
 * (seed-messages.ts), the records (game-records.ts), high availability (src/ha), and the
 * rest beside them. The room wires them to Colyseus's hooks and projects the rules' state
 * into the schema. A game brings its protocol, rules, schema and projection; its messages
 * reach the rules' moves by name.
 */
import { ClientState, CloseCode, matchMaker, Room, ServerError, type Client, type RoomException, type RoomMethodName } from "@colyseus/core";
import type WebSocket from "ws";
import type { z } from "zod";
import type { Logger } from "../logger.js";
import type { AnyGame } from "../games/definition.js";
import { ErrorCode, JoinErrorCode } from "../protocol/errors.js";
import type { commonJoinOptions } from "../protocol/messages.js";
import { Projection } from "../schema/sync.js";
import { projectCommon, type GameState } from "../schema/GameState.js";
import type { CommonState } from "../rules/types.js";
import { describeZodError } from "../protocol/describe.js";
import { cutReason } from "../transport.js";
import { Admission, seatRefusal } from "./admission.js";
import { joinedOnceSaved, ReturnTokens } from "./join-ack.js";
import { ReconnectionProbe } from "./reconnection-probe.js";
import { MessageLimit } from "./message-limit.js";
import { MessageGate } from "./message-gate.js";
import type { ListingMetadata, RoomSettings } from "./settings.js";
import { NO_PATCH_TICK_MS, RoomTimers } from "./timers.js";
import { ADDRESS_OPTION } from "../matchmaking/reservations.js";
import { RoomHistory } from "./history.js";
import { hostKey } from "../matchmaking/waiting-rooms.js";
import { directOutput, RoomFailover, type RoomOutput } from "../ha/room-failover.js";
import { RESTORE_OPTION, type RestoreOption } from "../ha/takeover.js";
import { TurnClock } from "./turn-clock.js";
import { guardFrames } from "./frame-clock.js";
import { AwaySeats } from "./away-seats.js";
import { BotTurn } from "./bot-turn.js";
import { RoomListing } from "./room-listing.js";
import { SeatNames } from "./seat-names.js";
import { ScheduledActions } from "./scheduled.js";
import { tokenPayload } from "../players/accounts.js";
import type { AwaySeat } from "../players/running-games.js";
import { SeatIndex } from "./seat-index.js";
import { GameRecords } from "./game-records.js";
import { GameSteps } from "./game-steps.js";
import { Drain } from "./drain.js";
import { RoomSnapshot, type RestoredSeat } from "./room-snapshot.js";
import { FairnessState } from "../schema/FairnessState.js";
import { CLIENT_SEED } from "../protocol/messages.js";
import { SeedMessages } from "./seed-messages.js";
import { RulesPath, type Action } from "./rules-path.js";

export type { ListingMetadata, RoomMetrics, RoomSettings } from "./settings.js";

/** The options a game room is registered with (server-side only: a client's copies are dropped). */
export interface GameRoomOptions {
  server: RoomSettings;
  game: AnyGame;
}

/** Option keys only the server sets. */
const SERVER_KEYS = ["server", "game", RESTORE_OPTION] as const;

type Options = z.output<typeof commonJoinOptions>;
/** What onAuth hands to onJoin: the validated options, and the user id of a valid sign-in token. */
type Admitted = Options & { userId?: string };

export class GameRoom extends Room<{ state: GameState & { fairness?: FairnessState }; metadata: ListingMetadata }> {
  /** Every timer of the room; all cleared on dispose. */
  protected readonly timers = new RoomTimers((err) => this.log.error({ err }, "uncaught exception in a room timer"));

  /** Plain copies of the values written to the schema, for the projection. */
  private readonly projection = new Projection();

  /** The game this room runs. */
  private definition!: AnyGame;
  /** The game state's one path of change: messages, timers, bots and leaves to the rules (src/rooms/rules-path.ts). */
  private path!: RulesPath;
  private settings!: RoomSettings;
  private log!: Logger;
  private seats = 0;

  /** Seated players whose connection dropped, until their reconnection window ends. */
  private readonly away = new AwaySeats(() => this.settings.reconnectSeconds * 1000);
  private written?: unknown;
  private limit!: MessageLimit;
  private gate!: MessageGate;
  /** The bots' moves (games whose rules have bots). */
  private bots?: BotTurn<{ playerId: string; action: Action }>;
  private history!: RoomHistory;
  /** Listing key of the creator's address: the matchmaker caps the rooms an address holds waiting. */
  private host = "";
  /** The room's row in the listing. */
  private listing!: RoomListing;
  private admission!: Admission;
  /** Names given at join, by session id (duplicates are numbered: "Ada (2)"). */
  private readonly names = new SeatNames();
  /** The tokens that take back each away player's seat (src/rooms/join-ack.ts). */
  private readonly returns = new ReturnTokens();
  /** Asks the connection holding a token a reconnection presents whether it is still there (src/rooms/reconnection-probe.ts). */
  private probe!: ReconnectionProbe;
  /** Graceful shutdown: whether the room drains, and the notice (src/rooms/drain.ts). */
  private drain!: Drain;
  /** For the room's log lines: joins (players and spectators), games ended, creation time. */
  private joins = 0;
  private readonly createdAtMs = Date.now();
  /** onCreate completed (the room counts in the metrics). */
  private opened = false;
  /** The room's create options, as validated. */
  private createOptions!: Options;
  /** What the room's snapshot holds, and its restore (src/rooms/room-snapshot.ts). */
  private snapshot!: RoomSnapshot;
  /** How state changes reach the clients: at once, or (high availability) after the room's snapshot is written. */
  private out!: RoomOutput;
  /** High availability (Redis): the room's snapshot, its seats' tokens, a takeover's fencing. */
  private failover?: RoomFailover;
  /** Rule actions scheduled for later (kept in the snapshot). */
  private scheduled!: ScheduledActions;
  /** The turn time limit (none when the room has no `turnSeconds`). */
  private turnClock?: TurnClock;
  /** Who sits as whom, the running match's record, the dice from committed seeds (src/rooms/game-records.ts). */
  private records!: GameRecords;
  /** Which signed-in player sits here, for GET /api/me/games (src/rooms/seat-index.ts). */
  private seatIndex!: SeatIndex;
  /** Each accepted step's history lines, records and game-over log (src/rooms/game-steps.ts). */
  private steps!: GameSteps;
  /** `client_seed` and the revealed seeds' announcement (src/rooms/seed-messages.ts). */
  private seeds!: SeedMessages;

  /** The authoritative game state; the schema is only its projection. */
  private get game(): unknown {
    return this.path.game;
  }

  private get rules() {
    return this.definition.rules;
  }

  override onCreate(rawOptions: Record<string, unknown> & Partial<GameRoomOptions>) {
    const { server: settings, game: definition } = rawOptions;
    if (!settings || !definition) throw new Error(`room ${this.roomName} registered without its settings and game`);
    this.settings = settings;
    this.definition = definition;
    this.log = settings.logger.child({ roomId: this.roomId, roomName: this.roomName });
    this.probe = new ReconnectionProbe(this.returns, this.log, settings.seatReservationSeconds, settings.silentProbeMs);
    this.drain = new Drain({
      started: () => this.rules.isStarted(this.game),
      broadcast: (notice) => this.broadcast("draining", notice),
      afterPatch: (fn) => this.out.then(fn),
      after: (ms, fn) => this.timers.after(ms, fn),
      close: () => this.close(),
      handOff: (cutOff) => this.failover?.handOff(cutOff) ?? false,
      log: this.log,
    });
    this.limit = new MessageLimit(settings);
    this.gate = new MessageGate(this.limit, settings, this.roomName, this.log);
    guardFrames(this);

    const restore = rawOptions[RESTORE_OPTION] as RestoreOption | undefined;
    const parsed = definition.protocol.options.safeParse(restore ? restore.snapshot.options : clientOptions(rawOptions));
    if (!parsed.success) throw new ServerError(JoinErrorCode.INVALID_OPTIONS, describeZodError(parsed.error));
    const options = parsed.data as Options;
    this.createOptions = options;
    const creator = rawOptions[ADDRESS_OPTION];
    if (typeof creator === "string") this.host = hostKey(creator);
    if (restore) this.host = restore.snapshot.host;

    // State goes out from commit(), never on a patch tick; and the room's timers are its own
    // (RoomTimers), not on the Colyseus clock, so no interval has to tick it. With no patch
    // rate, Colyseus would tick the clock at 60 Hz to keep clock timers working: an interval
    // that never fires keeps it from doing so, at no cost.
    this.patchRate = NO_PATCH_TICK_MS;
    this.seatReservationTimeout = settings.seatReservationSeconds;
    this.maxMessagesPerSecond = settings.maxFramesPerSecond;
    const turnSeconds = options.turnSeconds ?? 0;
    if (turnSeconds > 0) {
      this.turnClock = new TurnClock(
        this.timers,
        turnSeconds,
        (deadline) => (this.state.turnDeadline = deadline),
        (playerId) => {
          this.log.info({ playerId }, "turn timed out");
          this.path.apply(playerId, { type: "timeout" });
        },
      );
    }
    const botMove = this.rules.botMove;
    if (botMove) this.bots = new BotTurn(this.timers, settings.delays.bot ?? 0, () => botMove(this.game) ?? undefined, (move) => this.path.bot(move));
    const config = definition.config(options);
    this.seats = this.rules.seats(config);
    // Spectators have their own slots (Admission): seats + spectators never exceed this.
    this.maxClients = this.seats + settings.maxSpectators;
    // The listed settings: turnSeconds and the game's own numeric options.
    const settingsListed = Object.fromEntries(Object.entries(options).filter(([key, value]) => key !== "name" && typeof value === "number")) as Record<string, number>;
    this.listing = new RoomListing(
      { game: this.roomName, seats: this.seats, settings: settingsListed, host: this.host },
      {
        rules: this.rules,
        game: () => this.game,
        away: this.away,
        drain: this.drain,
        names: this.names,
        pendingPlayers: () => this.admission.pendingPlayers(),
        commitment: () => this.records.commitment,
        superseded: () => this.out.superseded,
      },
      (metadata) => this.setMetadata(metadata),
      this.log,
    );
    this.admission = new Admission(
      this,
      this.timers,
      { seats: () => this.seats, players: () => this.rules.playerIds(this.game).length, canSeat: () => this.rules.canSeat(this.game).ok && !this.listing.everyoneAway() },
      settings,
      this.log,
      () => this.listing.update(),
    );
    const game = restore ? restore.snapshot.game : this.rules.setup(config, settings.rng);
    this.state = definition.state();
    this.state.reconnectSeconds = settings.reconnectSeconds;
    this.history = new RoomHistory(this.state.history);
    this.scheduled = new ScheduledActions(this.timers, (action) => this.path.scheduledAction(action));
    this.records = new GameRecords({
      game: definition,
      rng: settings.rng,
      fairDice: settings.fairDice === true && this.state.fairness instanceof FairnessState,
      results: settings.results,
      afterSaved: (fn) => this.out.afterSaved(fn),
      nameOf: (id) => this.names.get(id),
    });
    this.steps = new GameSteps(definition, this.history, this.records, this.log);
    this.seatIndex = new SeatIndex(
      {
        roomId: this.roomId,
        roomName: this.roomName,
        seated: () => this.rules.playerIds(this.game),
        userIdOf: (id) => this.records.userIdOf(id),
        awayUntil: (id) => this.away.endOf(id),
        started: () => this.rules.isStarted(this.game),
        private: this.createOptions.private === true,
      },
      settings.running,
    );
    this.snapshot = new RoomSnapshot(
      { roomId: this.roomId, roomName: this.roomName, options: this.createOptions, host: this.host, game: () => this.game as object, seated: () => this.rules.playerIds(this.game) },
      { history: this.history, turnClock: this.turnClock, scheduled: this.scheduled, records: this.records, names: this.names, away: this.away },
    );
    if (settings.ha) this.failover = new RoomFailover(this, settings.ha, restore?.epoch ?? 0, () => this.snapshot.body(), this.log);
    this.out = this.failover ?? directOutput(this);
    const commit = () => this.commit();
    const broadcast = (type: string, payload: unknown) => this.broadcast(type, payload);
    this.seeds = new SeedMessages(this.gate, this.records, this.out, { isSeated: (id) => this.isSeated(id), commit, broadcast });
    this.path = new RulesPath({ rules: this.rules, records: this.records, steps: this.steps, scheduled: this.scheduled, delays: settings.delays, gate: this.gate, out: this.out, seeds: this.seeds, log: this.log, commit, broadcast }, game);
    if (restore) this.snapshot.restore(restore, settings.reconnectSeconds * 1000, this.log, (seat, seconds) => this.holdRestored(seat, seconds));
    if (options.private) void this.setPrivate(true).catch((err) => this.log.error({ err }, "setPrivate failed"));

    // A message reaches the rules' move of the same name.
    for (const [type, validator] of Object.entries(definition.protocol.messages as Record<string, z.ZodType>)) {
      this.onMessage(type, (client: Client, payload: unknown) => this.path.message(client, type, validator, payload));
    }
    if (this.records.fairDice) this.onMessage(CLIENT_SEED, (client: Client, payload: unknown) => this.seeds.clientSeed(client, payload));
    // Colyseus would disconnect a client sending an unknown type; we answer instead.
    this.onMessage("*", (client: Client, type: unknown) => {
      // A message whose type is literally "*" reaches here with its payload as `type`.
      const name = typeof type === "string" || typeof type === "number" ? String(type).slice(0, 40) : "*";
      if (this.gate.admit(client)) this.gate.reject(client, ErrorCode.UNKNOWN_ACTION, `Unknown message type "${name}".`);
    });

    this.commit();
    settings.metrics?.roomOpened(this.roomName);
    this.opened = true;
    // Created while the process shuts down (a takeover that was under way): Colyseus told the
    // rooms of the drain before this one existed. It drains with them, so the process's exit
    // does not wait for it beyond the drain (pm2 would SIGKILL it).
    if (matchMaker.state === matchMaker.MatchMakerState.SHUTTING_DOWN) this.timers.after(0, () => this.onBeforeShutdown());
    if (!restore) this.log.info({ options: { ...options, name: undefined }, seats: this.seats }, "room created");
  }

  override onAuth(client: Client, rawOptions: Record<string, unknown>) {
    const parsed = this.definition.protocol.options.safeParse(clientOptions(rawOptions ?? {}));
    if (!parsed.success) {
      this.admission.release(client.sessionId);
      throw new ServerError(JoinErrorCode.INVALID_OPTIONS, describeZodError(parsed.error));
    }
    // A valid sign-in token was decoded into client.auth before this runs (@colyseus/auth); a bad one refused the join already.
    const user = tokenPayload(client.auth);
    // A signed-in player without a name option plays under their profile's name.
    const admitted: Admitted = { ...parsed.data, name: parsed.data.name ?? user?.name, userId: user?.id };
    return admitted;
  }

  override async onJoin(client: Client, _options: unknown, auth: Admitted) {
    const spectator = auth.spectate === true;
    this.admission.joined(client, spectator);
    if (!spectator) {
      const refusal = seatRefusal(this.drain.draining, this.rules.canSeat(this.game), this.listing.everyoneAway());
      if (refusal) throw refusal;
      const seated = this.rules.playerIds(this.game);
      const name = this.names.unique(auth.name ?? `Player ${seated.length + 1}`, seated);
      // Known before the join is committed, so the listing shows the name at once (and the snapshot the token).
      this.names.set(client.sessionId, name);
      this.records.seated(client.sessionId, auth.userId);
      this.seatIndex.sits(client.sessionId);
      // A seed given with the join counts in the game this join may start (Dice starts as the
      // second player sits down), if the commitment the player read is still that game's.
      if (auth.clientSeed !== undefined && auth.commitment !== undefined) this.records.clientSeed(client.sessionId, auth.clientSeed, auth.commitment);
      this.out.seated(client.sessionId, client.reconnectionToken);
      if (!this.path.apply(client.sessionId, { type: "join", name })) {
        this.unseated(client.sessionId);
        throw new ServerError(JoinErrorCode.ROOM_FULL, "No seat could be taken.");
      }
    }
    this.limit.add(client.sessionId);
    this.settings.metrics?.joined(this.roomName, spectator);
    this.settings.metrics?.clientIn(this.roomName);
    this.joins++;
    // A spectator let in during a drain (players are refused above).
    this.drain.tell(client);
    // Per-player lines are debug: at info a room logs its creation, each game's end and its disposal.
    if (this.log.isLevelEnabled("debug")) this.log.debug({ sessionId: client.sessionId, spectator }, "joined");
    await joinedOnceSaved(() => this.out.saved(), this.timers, client, this.settings.joinAckSeconds, () => {
      this.log.warn({ sessionId: client.sessionId }, "join not acknowledged in time; disconnecting");
    });
  }

  override onDrop(client: Client, code?: number) {
    // No reconnection window (Colyseus calls onLeave next) for a spectator (nothing to keep),
    // a client removed for flooding or for never acknowledging its join, or one Colyseus
    // dropped with 4002 (its own frame limit, an undecodable frame), nor in a room the drain
    // closed for a shutdown (4001: its game was cut off, there is nothing to come back to).
    // A slow client that was cut keeps its window: it comes back with the whole state.
    // A reconnection cut for never acknowledging its join is a drop like any other (a phone
    // whose network went quiet as it came back): the seat is held.
    const cut = cutReason(client.ref as WebSocket);
    const silentJoin = cut === "no-ack" && !this.returns.returning(client);
    if (this.limit.wasCut(client.sessionId) || cut === "flood" || silentJoin || code === CloseCode.WITH_ERROR || this.drain.closedRoom || !this.isSeated(client.sessionId)) return;
    this.log.info({ sessionId: client.sessionId, code, cut }, "connection dropped; seat held");
    if (this.away.drop(client.sessionId)) this.commit();
    this.seatIndex.sits(client.sessionId);
    // Rejects with false when the window passes (onLeave then runs) or "disposing" on shutdown.
    // Under the token the player holds: a reconnection cut while it waited for its snapshot
    // never got its new one (Colyseus looks the hold up by the dropped client's token).
    client.reconnectionToken = this.out.heldToken(client.sessionId, client.reconnectionToken);
    this.out.heldAlso(client.sessionId, this.returns.hold(this, client, this.settings.reconnectSeconds));
  }

  override async onReconnect(client: Client) {
    this.settings.metrics?.reconnected(this.roomName);
    this.log.info({ sessionId: client.sessionId }, "reconnected");
    // A new token with every reconnection: the snapshot must hold it (and the ones the player
    // came back with, until they acknowledge the join).
    this.out.reconnected(client.sessionId, client.reconnectionToken, this.returns.back(client));
    if (this.away.back(client.sessionId)) this.commit();
    // Away when the drain began (a dropped phone, a reload): the notice was not theirs.
    this.drain.tell(client);
    // The drop that follows holds the seat (onDrop logs "connection dropped; seat held").
    const silent = () => this.log.info({ sessionId: client.sessionId }, "reconnection not acknowledged in time; disconnecting");
    await joinedOnceSaved(() => this.out.saved(), this.timers, client, this.settings.joinAckSeconds, silent, true);
    // Colyseus sends the new token next, to a connection still open (WebSocket OPEN); one that
    // closed meanwhile is refused ("reconnection denied") and its seat held (onDrop). One whose
    // close has begun but not ended (CLOSING: a page reload) would still count as reconnecting,
    // for which Colyseus calls onLeave (a forfeit), not onDrop: it is leaving now.
    if ((client.ref as WebSocket).readyState === 1) this.out.tokenSent(client.sessionId);
    else client.state = ClientState.LEAVING;
  }

  override onLeave(client: Client, code?: number) {
    if (this.limit.remove(client.sessionId)) this.settings.metrics?.clientOut(this.roomName);
    // A superseded copy closing (or one whose game was handed over): its players go on in the
    // live copy, nothing happens here. Nor in a room closed for a shutdown: its game was cut
    // off, not left (its seeds are revealed, its match not recorded).
    if (this.out.superseded || this.drain.closedRoom) return;
    this.admission.left(client);
    // Away until now: their connection dropped and their reconnection window ran out (a dead
    // phone, a restored seat nobody took back), so the others read "did not come back". Any
    // other leave (the Leave button, a cut with no window: see onDrop) reads "left".
    const dropped = this.away.back(client.sessionId);
    if (this.log.isLevelEnabled("debug")) this.log.debug({ sessionId: client.sessionId, code, consented: code === CloseCode.CONSENTED, dropped }, "left");
    if (this.isSeated(client.sessionId)) this.path.apply(client.sessionId, dropped ? { type: "leave", dropped } : { type: "leave" });
    if (!this.isSeated(client.sessionId)) this.unseated(client.sessionId);
  }

  /** A player no longer seated: their name, identity, client seed and snapshot seat go. */
  private unseated(sessionId: string) {
    this.seatIndex.unseated(sessionId);
    this.out.unseated(sessionId);
    this.names.delete(sessionId);
    this.records.unseated(sessionId);
    this.returns.forget(sessionId);
  }

  override onDispose() {
    // Every timer of the room (turns, pauses, bots, reservations, deadlines): nothing fires
    // into a disposed room.
    this.timers.clearAll();
    // Colyseus disposes a room whose onCreate failed (its options refused, a restore that
    // could not start) at once: what onCreate made before it failed is closed, what it never
    // made is skipped (until 2026-12-06 this failed on the parts never made, and logged an
    // error, "uncaught exception in room", for every refused create).
    // Clients still counted never left: the stand-ins of a restored room's held seats, whose
    // hold ends without onLeave when the room closes (superseded, drained, a restore that failed).
    for (let left = this.limit?.clear() ?? 0; left > 0; left--) this.settings.metrics?.clientOut(this.roomName);
    const superseded = this.out?.superseded ?? false;
    this.seatIndex?.disposed(superseded);
    this.records?.disposed(superseded);
    this.out?.dispose();
    // Never opened: never counted as a room, nor logged as created (its refusal is logged).
    if (!this.opened) return;
    this.settings.metrics?.roomClosed(this.roomName);
    this.log.info({ joins: this.joins, games: this.steps.gamesEnded, seconds: Math.round((Date.now() - this.createdAtMs) / 1000) }, "room disposed");
  }

  /** Graceful shutdown (SIGTERM): see src/rooms/drain.ts. Every room's drain ends when the first one's does. */
  override onBeforeShutdown() {
    // One clock reading: two could differ by a millisecond ("draining for shutdown" logged 29.999 s of 30).
    const now = Date.now();
    this.settings.drainEndsAt ??= now + this.settings.drainSeconds * 1000;
    this.drain.begin(Math.max(0, this.settings.drainEndsAt - now) / 1000);
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
      this.gate.reject(client, ErrorCode.INTERNAL_ERROR, "The server failed to handle that message; nothing changed.");
    }
  }

  private isSeated(playerId: string): boolean {
    return this.rules.playerIds(this.game).includes(playerId);
  }

  /** Projects the game into the schema, sends it at once, and re-arms timers and the listing. */
  private commit() {
    this.definition.project(this.state, this.game, { prev: this.written, away: this.away.all, awayChanged: this.away.takeChanged(), projection: this.projection });
    projectCommon(this.state, this.game as CommonState, this.projection);
    this.written = this.game;
    const fairness = this.records.fairnessChange();
    if (fairness) Object.assign(this.state.fairness!, fairness);
    const botMove = this.bots?.arm();
    const active = this.rules.activePlayer(this.game);
    // A bot's turn has no time limit: it plays each step BOT_DELAY_MS after the last, however
    // many steps its turn takes (a Dice turn takes up to a dozen), and never times out.
    this.turnClock?.arm(botMove?.playerId === active ? null : active, this.rules.turnNumber(this.game), this.rules.timedStage?.(this.game));
    this.out.changed();
    this.listing.update();
    this.drain.committed();
  }

  /**
   * A seat of a room restored from the snapshot of a process that died: held for `seconds`
   * for whoever presents the token its player held there. Not back in time, they leave, as
   * after any drop.
   */
  private holdRestored(seat: RestoredSeat, seconds: number) {
    this.limit.add(seat.sessionId);
    this.settings.metrics?.clientIn(this.roomName);
    const also = seat.also ?? [];
    this.failover!.hold(seat.sessionId, seat.token, also, seconds, (standIn) => this.onLeave(standIn, CloseCode.MAY_TRY_RECONNECT));
    this.returns.restored(seat.sessionId, [seat.token, ...also]);
    this.seatIndex.sits(seat.sessionId);
  }

  /** Closes the room for a shutdown (the drain calls it once): clients get code 4001 (server shutdown). */
  private close() {
    // A game cut off by the shutdown is no result, but its seed is revealed all the same.
    const revealed = this.records.cutOff();
    if (revealed) {
      this.commit();
      this.seeds.announce(revealed);
    }
    this.disconnect(CloseCode.SERVER_SHUTDOWN).catch((err) => this.log.error({ err }, "disconnect failed"));
  }

  /** Asked by GET /api/me/games (src/players/running-games.ts), over presence when another process asks: see {@link SeatIndex.awaySeat}. */
  awaySeat(userId: string): AwaySeat | null {
    return this.seatIndex.awaySeat(userId, this);
  }

  /**
   * A reconnection token whose session is still connected: refused ("expired", 524), where
   * Colyseus would close that connection and hand its seat to whoever presented the token.
   * If the connection is silent (a phone whose network changed) it is dropped meanwhile, and
   * the player's next try takes the seat back (src/rooms/reconnection-probe.ts). Likewise a
   * token a reconnection still joining was given, or one its player came back with: that
   * reconnection, silent, is cut, and its seat held under both.
   */
  override checkReconnectionToken(reconnectionToken: string) {
    if (this.probe.ask(this.clients, reconnectionToken)) return ""; // the matchmaker answers "expired"
    return super.checkReconnectionToken(reconnectionToken);
  }

  /**
   * A WebSocket reconnection (the SDK's own, after a drop) whose session is still connected
   * waits in Colyseus for that connection to go: a silent one is dropped after the probe's time
   * (`SILENT_PROBE_MS`) instead of when its pings go unanswered (src/rooms/reconnection-probe.ts). One with the older token
   * of a reconnection still joining is refused at once (Colyseus lets only a connection's own
   * token wait; the SDK gives up, 4003), but that reconnection, silent, is cut all the same,
   * and the player's `client.reconnect` takes the seat.
   */
  override hasReservedSeat(sessionId: string, reconnectionToken?: string): boolean {
    const holder = this.clients.get(sessionId);
    if (holder && reconnectionToken !== undefined) this.probe.ask([holder], reconnectionToken);
    return super.hasReservedSeat(sessionId, reconnectionToken);
  }
}

/** A client's options: minus the keys only the server sets. */
function clientOptions(options: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...options };
  for (const key of SERVER_KEYS) delete rest[key];
  return rest;
}
