/**
 * Colyseus 0.18 targets Node 22, whose global `WebSocket` its reconnection path reads
 * (`WebSocket.OPEN`). Node 20 has no such global, so without this line every reconnection
 * fails with "WebSocket is not defined". The `ws` class has the same constants.
 */
import WebSocket from "ws";

const g = globalThis as { WebSocket?: unknown };
g.WebSocket ??= WebSocket;
