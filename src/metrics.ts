/**
 * Prometheus metrics (prom-client), served at GET /metrics. Each process reports its own
 * rooms and counters; a Prometheus server scrapes every process.
 *
 * A scrape costs the same however many rooms there are: rooms and clients are counted as
 * rooms open, close, join and leave (not by reading the listing), and the rendered text is
 * reused for a second.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { RoomMetrics } from "./rooms/GameRoom.js";

/** What the transport and the HTTP routes report. */
export interface EdgeMetrics {
  /** A connection refused at the upgrade (origin, per-address cap, connection rate). */
  refused(reason: string): void;
  /** A connection cut for flooding, for not reading (slow) or for not acknowledging its join. */
  cut(reason: string): void;
}

export interface Metrics {
  registry: Registry;
  room: RoomMetrics;
  edge: EdgeMetrics;
  /** The exposition text, rendered at most once per `maxAgeMs`. */
  render(maxAgeMs?: number): Promise<string>;
}

export function createMetrics(): Metrics {
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
  const refused = new Counter({ name: "connections_refused_total", help: "WebSocket upgrades refused, by reason (origin, per-ip, rate)", labelNames: ["reason"], registers: [registry] });
  const cut = new Counter({ name: "connections_cut_total", help: "Connections cut, by reason (flood, slow, no-ack)", labelNames: ["reason"], registers: [registry] });

  let rendered: { at: number; text: Promise<string> } | undefined;

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
    },
    render(maxAgeMs = 1000) {
      if (!rendered || Date.now() - rendered.at > maxAgeMs) rendered = { at: Date.now(), text: registry.metrics() };
      return rendered.text;
    },
  };
}
