/**
 * Prometheus metrics (prom-client), served at GET /metrics. Each process reports its own
 * rooms and counters; a Prometheus server scrapes every process.
 */
import { matchMaker } from "@colyseus/core";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { RoomMetrics } from "./rooms/GameRoom.js";

export interface Metrics {
  registry: Registry;
  room: RoomMetrics;
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

  // Both gauges come from one listing query per scrape.
  let snapshot: { at: number; rooms: Promise<Awaited<ReturnType<typeof matchMaker.query>>> } | undefined;
  const listed = () => {
    if (!snapshot || Date.now() - snapshot.at > 1000) snapshot = { at: Date.now(), rooms: matchMaker.query({ processId: matchMaker.processId }) };
    return snapshot.rooms;
  };
  new Gauge({
    name: "game_rooms",
    help: "Rooms on this process",
    labelNames: ["game"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const room of await listed()) this.inc({ game: room.name });
    },
  });
  new Gauge({
    name: "game_clients",
    help: "Clients (and pending seats) in this process's rooms",
    labelNames: ["game"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const room of await listed()) this.inc({ game: room.name }, room.clients);
    },
  });

  return {
    registry,
    room: {
      message: (game) => received.set(game, (received.get(game) ?? 0) + 1),
      rejected: (game, code) => rejections.inc({ game, code }),
      joined: (game, spectator) => joins.inc({ game, role: spectator ? "spectator" : "player" }),
      reconnected: (game) => reconnections.inc({ game }),
    },
  };
}
