/**
 * Which connection a presented reconnection token would take a seat from, and asking it
 * whether it is still there (src/rooms/silent-connection.ts). The base room calls it from
 * Colyseus's two ways back: the matchmaker's reconnect (`checkReconnectionToken`) and the
 * WebSocket's (`hasReservedSeat`). A connection holds a token if it is its own, or, for a
 * reconnection not yet acknowledged, if its player may have come back with it
 * (src/rooms/join-ack.ts, {@link ReturnTokens}). A silent holder is dropped (its seat held as
 * after any drop); a silent reconnection still joining is cut as its deadline would cut it.
 * A holder already cut (too slow, its join never acknowledged, or a flood or a broken frame,
 * which keep no seat) is dropped at once: it would
 * be a second later (src/transport.ts, `cutConnection`: it reads nothing more, so it cannot
 * answer its close).
 */
import { ClientState, type Client } from "@colyseus/core";
import type WebSocket from "ws";
import type { Logger } from "../logger.js";
import { cutReason } from "../transport.js";
import { cutReconnection, type ReturnTokens } from "./join-ack.js";
import { cutIfSilent, dropIfSilent, SILENT_PROBE_MS } from "./silent-connection.js";

export class ReconnectionProbe {
  /** How long a holder has to answer (`SILENT_PROBE_MS`): at most half the reservation a WebSocket reconnection waits in (SEAT_RESERVATION_SECONDS, 1 s or more). */
  private readonly ms: number;

  constructor(
    private readonly returns: ReturnTokens,
    private readonly log: Logger,
    seatReservationSeconds: number,
    probeMs = SILENT_PROBE_MS,
  ) {
    this.ms = Math.min(probeMs, seatReservationSeconds * 500);
  }

  /** The first of `clients` holding `token`, asked whether it is still there; undefined if none holds it. */
  ask(clients: Iterable<Client>, token: string): Client | undefined {
    for (const client of clients) {
      if (!this.holds(client, token)) continue;
      this.probe(client);
      return client;
    }
    return undefined;
  }

  /** Whether `client`'s connection holds the seat `token` would take. */
  private holds(client: Client, token: string): boolean {
    return client.reconnectionToken === token || (client.state === ClientState.JOINING && this.returns.cameBackWith(client, token));
  }

  private probe(holder: Client): void {
    const log = this.log;
    const socket = holder.ref as WebSocket;
    const cut = cutReason(socket);
    if (cut !== undefined) {
      // Its close is under way, but a cut connection reads nothing more, so it cannot answer
      // the close: it is dropped a second after the cut anyway. Its player is back: now.
      log.info({ sessionId: holder.sessionId, cut }, "a reconnection came with the token of a connection already cut: that connection is dropped at once");
      socket.terminate();
      return;
    }
    const failed = (err: unknown) => log.error({ err, sessionId: holder.sessionId }, "asking a connection whether it is still there failed");
    if (holder.state === ClientState.JOINING) {
      // A first join that never acknowledged has no seat to hold: the join-ack deadline frees it.
      if (!this.returns.returning(holder)) return;
      const silent = () => {
        log.info({ sessionId: holder.sessionId }, "a reconnection came with a token of a reconnection that answered no ping and never acknowledged its join: that one is cut");
        cutReconnection(holder, true);
      };
      cutIfSilent(holder, silent, failed, this.ms);
      return;
    }
    const dropped = () => log.info({ sessionId: holder.sessionId }, "a reconnection came with the token of a connection that answered no ping: that connection is dropped");
    dropIfSilent(holder, dropped, failed, this.ms);
  }
}
