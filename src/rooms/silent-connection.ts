/**
 * A player back on a new connection while the server still counts the old one. A phone that
 * moves from Wi-Fi to mobile data, or whose network dies and comes back, reconnects with the
 * token its old connection holds before the server has noticed that connection is dead: the
 * server finds a silent peer by its unanswered pings, after 2–3 × `PING_INTERVAL_MS` (6–9 s
 * at the defaults). Until 2026-12-07 the player waited that long: the SDK's own reconnection
 * waited on the WebSocket, and `client.reconnect(token)` was answered "expired" (524) until then.
 *
 * Now the old connection is asked: a ping. A connection that sends anything (a pong, or any
 * other data) within the probe's time (the setting `SILENT_PROBE_MS`, {@link SILENT_PROBE_MS}
 * by default) is live, and its token is still refused, so a
 * token learned by someone else, or a tab duplicated with its stored token, never takes the
 * seat of the player at it. So is one with data still queued for it (a slow link: its pong
 * waits behind that data), which the server's own pings judge as before, and one that
 * answered a probe within the last {@link PROBE_AGAIN_MS} (someone repeating the token does
 * not spend the player's frame budget on pongs). One that stays silent is dropped: its seat is
 * held as after any drop, and the reconnection takes it back `SILENT_PROBE_MS` after it came
 * (a setting, 1 s by default).
 * Likewise a reconnection that never acknowledged its join, whose player comes back again
 * (its network died just as it came back): silent, it is cut at once ({@link cutIfSilent}),
 * not at the join-ack deadline.
 */
import { ClientState, type Client } from "@colyseus/core";
import { joinAckWaiting } from "../ha/room-seats.js";
import type net from "node:net";
import type WebSocket from "ws";

/** How long the old connection has to answer the ping by default (`SILENT_PROBE_MS`): a phone on a slow network answers within a round trip, well under it. */
export const SILENT_PROBE_MS = 1000;

/** After an answer, the connection counts as live this long without another ping. */
export const PROBE_AGAIN_MS = 5000;

/** The probe's ping payload (the pong echoes it; any answer counts): tells it from the server's keep-alive pings, which are empty, in a capture or a test. */
export const PROBE_PING = Buffer.from("still there?");

/** The probe running for a socket: several tries of one token share it. */
const probes = new WeakMap<WebSocket, Promise<boolean>>();
/** When a socket last answered a probe. */
const answered = new WeakMap<WebSocket, number>();

/** The TCP socket under a `ws` WebSocket (its reads are the peer's sign of life, whole frames or not); undefined once it is gone, or for a WebSocket not of `ws`. */
export const tcpOf = (socket: WebSocket | globalThis.WebSocket): net.Socket | undefined => (socket as unknown as { _socket?: net.Socket })._socket;

/**
 * Resolves whether `socket` sends anything within `ms` of a ping sent now: true at once if it
 * answered one within {@link PROBE_AGAIN_MS}; false if it closes, or is not open. The verdict
 * waits for one turn of the event loop after the time is up, so an answer already received
 * while the server was busy is read first.
 */
export function answers(socket: WebSocket, ms: number): Promise<boolean> {
  if (socket.readyState !== 1 /* OPEN */) return Promise.resolve(false);
  if (Date.now() - (answered.get(socket) ?? -Infinity) < PROBE_AGAIN_MS) return Promise.resolve(true);
  const running = probes.get(socket);
  if (running) return running;
  const tcp = tcpOf(socket);
  const probe = new Promise<boolean>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let verdict: NodeJS.Immediate | undefined;
    const done = (alive: boolean) => {
      clearTimeout(timer);
      clearImmediate(verdict);
      socket.off("pong", live);
      socket.off("close", gone);
      tcp?.off("data", live);
      probes.delete(socket);
      if (alive) answered.set(socket, Date.now());
      resolve(alive);
    };
    const live = () => done(true);
    const gone = () => done(false);
    timer = setTimeout(() => (verdict = setImmediate(() => done(false))), ms);
    timer.unref();
    socket.on("pong", live);
    socket.on("close", gone);
    tcp?.on("data", live);
    socket.ping(PROBE_PING, undefined, (err) => err && gone());
  });
  probes.set(socket, probe);
  return probe;
}

/**
 * A reconnection presents the token of `client`, which the room still counts as connected:
 * if that connection was acknowledged, has nothing queued for it, and answers nothing within
 * `ms` of a ping, it is dropped (a drop like any other, 1006: the room's onDrop holds the
 * seat, and the token takes it back). Runs on its own: Colyseus lets a reconnection over the
 * WebSocket wait for the old connection to go (up to `SEAT_RESERVATION_SECONDS`), and the
 * matchmaker's reconnect answers "expired" (524) meanwhile, which clients try again on. A
 * connection still joining is {@link cutIfSilent}'s.
 */
export function dropIfSilent(client: Client, dropped: () => void, failed: (err: unknown) => void, ms = SILENT_PROBE_MS): void {
  if (client.state !== ClientState.JOINED) return;
  whenSilent(client, () => client.state === ClientState.JOINED, () => {
    dropped();
    (client.ref as WebSocket).terminate();
  }, failed, ms);
}

/**
 * A reconnection presents a token of `client`, a reconnection of the same player that has not
 * acknowledged its join (a phone whose network died again just as it came back, and now comes
 * back with the token it had, or with the one that connection was given): if that connection
 * answers nothing within `ms` of a ping, `cut` runs at once, what the join-ack deadline
 * (src/rooms/join-ack.ts) would do seconds later. One whose acknowledgement came (and waits
 * for the room's snapshot) is not silent.
 */
export function cutIfSilent(client: Client, cut: () => void, failed: (err: unknown) => void, ms = SILENT_PROBE_MS): void {
  const joining = () => client.state === ClientState.JOINING && !joinAckWaiting(client);
  if (joining()) whenSilent(client, joining, cut, failed, ms);
}

/** Runs `act` if `client`'s connection, with nothing queued for it, answers nothing within `ms` and is still in the state `still` checks. */
function whenSilent(client: Client, still: () => boolean, act: () => void, failed: (err: unknown) => void, ms: number): void {
  const socket = client.ref as WebSocket;
  if (socket.bufferedAmount > 0) return;
  answers(socket, ms)
    .then((alive) => {
      // Several tries share the verdict: the first acts on it.
      if (alive || !still() || client.ref !== socket || socket.readyState !== 1 /* OPEN */) return;
      act();
    })
    .catch(failed);
}
