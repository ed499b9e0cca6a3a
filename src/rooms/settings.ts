/** What a game room gets from the server (never from a client), and what it reports. */
import type { MatchRecord } from "../players/store.js";
import type { Logger } from "../logger.js";
import type { ErrorCode } from "../protocol/errors.js";
import type { ReservationRelease } from "../matchmaking/reservations.js";
import type { Rng } from "../rules/rng.js";
import type { RoomSnapshots, SnapshotRoom } from "../ha/service.js";

/** Server-side settings every game room gets from its registration. */
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
  /** Frames per second per client before Colyseus drops it: a backstop behind the transport's frame budget. @default 180 */
  maxFramesPerSecond: number;
  /** A client must acknowledge its join within this time. @default 5 */
  joinAckSeconds: number;
  /** How long the connection holding a presented reconnection token has to answer a ping (src/rooms/reconnection-probe.ts), at most half of `seatReservationSeconds`. @default 1000 */
  silentProbeMs?: number;
  /** Where seat reservations made by the matchmaking route are released once used or expired. */
  reservations?: ReservationRelease;
  /** How long a matchmaker seat reservation waits for its client. @default 10 */
  seatReservationSeconds: number;
  /** On shutdown, how long running games may go on before the room is closed. @default 600 */
  drainSeconds: number;
  /** When the process's drain ends (epoch ms), set by the first room told of the shutdown: a room created during it (a restore) drains until then too. */
  drainEndsAt?: number;
  /** High availability (Redis only): each room's snapshot, written before its state goes out. */
  ha?: { attach(room: SnapshotRoom, epoch?: number): RoomSnapshots };
  /** Dice games roll from committed seeds (provably fair, src/fairness/); off when tests or RNG_SEED inject their own dice. */
  fairDice?: boolean;
  /** Players' accounts: where finished matches go (src/players/recorder.ts); without it nothing is recorded. */
  results?: { record(match: MatchRecord): void };
  /** Players' accounts: which rooms seat each signed-in player (src/players/running-games.ts), for GET /api/me/games. */
  running?: { seated(userId: string, roomId: string, game: string): void; left(userId: string, roomId: string): void };
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
  /** Nobody waiting in the room is connected (the game has not started, every seat's player is away): not listed, not matched. */
  absent: boolean;
  /** Names of the seated players, in seat order (the lobby shows who is waiting). */
  names: string[];
  /** The room's settings, as created (turnSeconds and the game's own numeric options). */
  settings: Record<string, number>;
  /** Key of the address that created the room (src/matchmaking/waiting-rooms.ts); "" when unknown. Never shown to clients. */
  host: string;
  /** Rooms with fair dice: the commitment of the running or next game's seed. */
  commitment?: string;
}
