/**
 * A player back on a new connection while the server still counts the old one. A phone that
 * moves from Wi-Fi to mobile data, or whose network dies and comes back, reconnects with the
 * token its old connection holds before the server has noticed that connection is dead: the
 * server finds a silent peer by its unanswered pings, after 2–3 × `PING_INTERVAL_MS` (6–9 s
 * at the defaults). Until 2026-12-07 such a reconnection was refused as expired (524) until
 * then, and the player waited, or, with a program that does not try again on 524, lost the
 * seat.
 *
 * Now the old connection is asked: a ping. A connection that answers (a pong, or any frame)
 * within {@link SILENT_PROBE_MS} is live, and its token is still refused, so a token learned
 * by someone else, or a tab duplicated with its stored token, never takes a seat from the
 * player at it. One that stays silent is dropped: its seat is held as after any drop, and the
 * reconnection takes it back about a second after it came.
 */
import { ClientState, type Client } from "@colyseus/core";
import type WebSocket from "ws";

/** How long the old connection has to answer the ping: a phone on a slow network answers within a round trip, well under it. */
export const SILENT_PROBE_MS = 1000;

/** The probe running for a socket: several tries of one token share it. */
const probes = new WeakMap<WebSocket, Promise<boolean>>();

/** Resolves whether `socket` sends anything within `ms` of a ping sent now (false if it closes, or is not open). */
export function answers(socket: WebSocket, ms: number): Promise<boolean> {
  if (socket.readyState !== 1 /* OPEN */) return Promise.resolve(false);
  const running = probes.get(socket);
  if (running) return running;
  const probe = new Promise<boolean>((resolve) => {
    const done = (alive: boolean) => {
      clearTimeout(timer);
      socket.off("pong", live);
      socket.off("message", live);
      socket.off("close", gone);
      probes.delete(socket);
      resolve(alive);
    };
    const live = () => done(true);
    const gone = () => done(false);
    const timer = setTimeout(gone, ms);
    socket.on("pong", live);
    socket.on("message", live);
    socket.on("close", gone);
    socket.ping(undefined, undefined, (err) => err && gone());
  });
  probes.set(socket, probe);
  return probe;
}

/**
 * A reconnection presents the token of `client`, which the room still counts as connected:
 * if that connection was acknowledged and answers nothing within `ms` of a ping, it is
 * dropped (a drop like any other, 1006: the room's onDrop holds the seat, and the token
 * takes it back). Runs on its own: Colyseus lets a reconnection over the WebSocket wait for
 * the old connection to go (up to `SEAT_RESERVATION_SECONDS`), and the matchmaker's
 * reconnect answers "expired" (524) meanwhile, which clients try again on. A connection still
 * joining is the join-ack deadline's to cut (src/rooms/join-ack.ts).
 */
export function dropIfSilent(client: Client, dropped: () => void, ms = SILENT_PROBE_MS): void {
  if (client.state !== ClientState.JOINED) return;
  const socket = client.ref as WebSocket;
  void answers(socket, ms).then((alive) => {
    if (alive || client.state !== ClientState.JOINED || client.ref !== socket) return;
    dropped();
    socket.terminate();
  });
}
