/**
 * The door every client message of a room passes: counted, held to the per-client rate
 * limit (src/rooms/message-limit.ts: a warning reply, then a cut connection for a flood),
 * and the one structured error reply `{ code, message }` of any refusal.
 */
import type { Client } from "@colyseus/core";
import type { Logger } from "../logger.js";
import { CLOSE_FLOODING, ErrorCode, type ErrorPayload } from "../protocol/errors.js";
import type { MessageLimit } from "./message-limit.js";
import type { RoomSettings } from "./settings.js";

export class MessageGate {
  constructor(
    private readonly limit: MessageLimit,
    private readonly settings: Pick<RoomSettings, "metrics" | "messagesPerSecond">,
    private readonly roomName: string,
    private readonly log: Logger,
  ) {}

  /** Whether the client's message may be handled (the limit's warning or cut is done here). */
  admit(client: Client): boolean {
    this.settings.metrics?.message(this.roomName);
    switch (this.limit.take(client.sessionId)) {
      case "accept":
        return true;
      case "warn":
        this.reject(client, ErrorCode.RATE_LIMITED, `Slow down: at most ${this.settings.messagesPerSecond} messages per second.`);
        return false;
      case "cut":
        this.log.warn({ sessionId: client.sessionId }, "disconnecting a client that keeps flooding");
        client.leave(CLOSE_FLOODING, "too many messages");
        return false;
      case "refuse":
        return false;
    }
  }

  /** Sends the one error reply of a refusal to its sender. */
  reject(client: Client, code: ErrorCode, message: string): void {
    this.settings.metrics?.rejected(this.roomName, code);
    const payload: ErrorPayload = { code, message };
    client.send("error", payload);
  }
}
