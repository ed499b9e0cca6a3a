/**
 * Prometheus metrics (prom-client), served at GET /metrics. Each process reports its own
 * rooms and counters; a Prometheus server scrapes every process.
 *
 * A scrape costs the same however many rooms there are: rooms and clients are counted as
 * rooms open, close, join and leave (not by reading the listing), and the rendered text is
 * reused for a second.
 *
 * Every labelled series whose labels are known in advance (each game, each error code, each
 * reason a connection is refused or cut) is there from the start, at 0: an alert on
 * `rate(…)` or `increase(…)` sees the first event, and a dashboard shows 0, not "no data"
 * (until 2026-12-05 a series appeared only with its first event).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RoomMetrics } from "./rooms/GameRoom.js";
import type { HaMetrics } from "./ha/service.js";
import type { RecorderMetrics } from "./players/recorder.js";
import { ErrorCode } from "./protocol/errors.js";
import { CUT_REASONS, REFUSED_REASONS, type CutReason, type RefusedReason } from "./transport.js";

/** What the transport and the HTTP routes report. */
export interface EdgeMetrics {
  /** A connection refused at the upgrade (origin, per-address cap, connection rate) or when opened (sockets-per-ip). */
  refused(reason: RefusedReason): void;
  /** A connection cut for flooding, for not reading (slow), for not acknowledging its join, or for a frame the WebSocket library refused (too-big, bad-frame). */
  cut(reason: CutReason): void;
  /** A library's log line not written because it logged more than its lines a second. */
  logSuppressed(source: LogSource): void;
}

export interface Metrics {
  registry: Registry;
  room: RoomMetrics;
  edge: EdgeMetrics;
  ha: HaMetrics;
  results: RecorderMetrics;
  /** The exposition text, rendered at most once per `maxAgeMs`. */
  render(maxAgeMs?: number): Promise<string>;
}

/** The libraries whose log lines are limited (src/logger.ts `libraryLogger`). */
const LOG_SOURCES = ["colyseus"] as const;
export type LogSource = (typeof LOG_SOURCES)[number];
/** Who joined a room: `game_joins_total{role}`. */
const ROLES = ["player", "spectator"] as const;

/** @param games - the hosted games' room names: their series start at 0. */
export function createMetrics(games: readonly string[] = []): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // Counted in a plain object on the hot path (one per message) and read at scrape time.
  const received = new Map<string, number>();
  new Counter({
    name: "game_messages_total",
    help: "Client messages received",
    labelNames: ["game"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [game, n] of received) this.inc({ game }, n);
    },
  });
  const rejections = new Counter({ name: "game_rejections_total", help: "Client messages refused, by error code", labelNames: ["game", "code"], registers: [registry] });
  const joins = new Counter({ name: "game_joins_total", help: "Clients that joined a room", labelNames: ["game", "role"], registers: [registry] });
  const reconnections = new Counter({ name: "game_reconnections_total", help: "Dropped clients that came back", labelNames: ["game"], registers: [registry] });
  const rooms = new Gauge({ name: "game_rooms", help: "Rooms on this process", labelNames: ["game"], registers: [registry] });
  const clients = new Gauge({ name: "game_clients", help: "Connected clients in this process's rooms", labelNames: ["game"], registers: [registry] });
  const refused = new Counter({ name: "connections_refused_total", help: "Connections refused, by reason: WebSocket upgrades (origin, per-ip, rate), connections of any kind over the per-address cap (sockets-per-ip)", labelNames: ["reason"], registers: [registry] });
  const cut = new Counter({ name: "connections_cut_total", help: "Connections cut, by reason: by this server (flood, slow, no-ack), or by the WebSocket library for a frame it refused (too-big: over MAX_MESSAGE_BYTES; bad-frame: not valid WebSocket)", labelNames: ["reason"], registers: [registry] });
  const logSuppressed = new Counter({ name: "log_lines_suppressed_total", help: "Log lines of a library (Colyseus) not written because it logged more than its lines a second", labelNames: ["source"], registers: [registry] });

  const restored = new Counter({ name: "ha_rooms_restored_total", help: "Rooms of a dead process this process restored from their snapshots", registers: [registry] });
  const restoreFailed = new Counter({ name: "ha_restore_failures_total", help: "Snapshots this process claimed but could not restore (unreadable, or the room failed to start)", registers: [registry] });
  const superseded = new Counter({ name: "ha_rooms_superseded_total", help: "Rooms of this process closed because another process restored them while this one was stalled", registers: [registry] });
  const writeSeconds = new Histogram({ name: "ha_snapshot_write_seconds", help: "Time of one snapshot write call to Redis (the rooms that changed since the last call are written together; calls are at least HA_BATCH_MS apart)", buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] });
  const writeFailed = new Counter({ name: "ha_snapshot_failures_total", help: "Snapshot writes sent to Redis that failed (no answer in time, an error): those games would not survive a crash. Moves made while ha_snapshots_paused is 1 are not written, and not counted here", registers: [registry] });
  const paused = new Gauge({ name: "ha_snapshots_paused", help: "1 while snapshots are paused because Redis is unreachable", registers: [registry] });
  const backlog = new Gauge({ name: "match_results_backlog", help: "Finished matches waiting to be written to the players' database (it is down, or slow)", registers: [registry] });
  const recorded = new Counter({ name: "match_results_recorded_total", help: "Finished matches written to the players' database", registers: [registry] });
  const writeResults = new Histogram({
    name: "match_results_write_seconds",
    help: "Time of one transaction writing finished matches to the players' database (the embedded database's writes are synchronous: the event loop waits this long)",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const dropped = new Counter({ name: "match_results_dropped_total", help: "Finished matches dropped because the backlog was full (their results are lost)", registers: [registry] });
  const resultsRefused = new Counter({ name: "match_results_refused_total", help: "Finished matches the players' database refused for what they hold, set aside (logged whole) so the results after them go on", registers: [registry] });
  let rendered: { at: number; text: Promise<string> } | undefined;

  // Every series known in advance, at 0 (see the top of this file).
  for (const game of games) {
    received.set(game, 0);
    for (const code of Object.values(ErrorCode)) rejections.inc({ game, code }, 0);
    for (const role of ROLES) joins.inc({ game, role }, 0);
    reconnections.inc({ game }, 0);
    rooms.set({ game }, 0);
    clients.set({ game }, 0);
  }
  for (const reason of REFUSED_REASONS) refused.inc({ reason }, 0);
  for (const reason of CUT_REASONS) cut.inc({ reason }, 0);
  for (const source of LOG_SOURCES) logSuppressed.inc({ source }, 0);

  return {
    registry,
    room: {
      message: (game) => received.set(game, (received.get(game) ?? 0) + 1),
      rejected: (game, code) => rejections.inc({ game, code }),
      joined: (game, spectator) => joins.inc({ game, role: spectator ? "spectator" : "player" }),
      reconnected: (game) => reconnections.inc({ game }),
      roomOpened: (game) => rooms.inc({ game }),
      roomClosed: (game) => rooms.dec({ game }),
      clientIn: (game) => clients.inc({ game }),
      clientOut: (game) => clients.dec({ game }),
    },
    edge: {
      refused: (reason) => refused.inc({ reason }),
      cut: (reason) => cut.inc({ reason }),
      logSuppressed: (source) => logSuppressed.inc({ source }),
    },
    ha: {
      restored: () => restored.inc(),
      restoreFailed: () => restoreFailed.inc(),
      superseded: () => superseded.inc(),
      writeSeconds: (seconds) => writeSeconds.observe(seconds),
      writeFailed: () => writeFailed.inc(),
      paused: (on) => paused.set(on ? 1 : 0),
    },
    results: {
      backlog: (n) => backlog.set(n),
      recorded: (n) => recorded.inc(n),
      dropped: () => dropped.inc(),
      refused: () => resultsRefused.inc(),
      written: (seconds) => writeResults.observe(seconds),
    },
    render(maxAgeMs = 1000) {
      if (!rendered || Date.now() - rendered.at > maxAgeMs) rendered = { at: Date.now(), text: registry.metrics() };
      return rendered.text;
    },
  };
}
