/**
 * Test-side wrapper around an SDK room: records every message the server sends, so a test
 * can await "the next `error`" and also assert that nothing else arrived.
 */
import type { Room as SdkRoom } from "@colyseus/sdk";
import WebSocket from "ws";

export interface Received {
  type: string;
  payload: any;
}

export class Player<S = any> {
  readonly messages: Received[] = [];
  private waiters: Array<() => void> = [];
  left?: number;

  constructor(readonly room: SdkRoom<any, S>) {
    room.onMessage("*", (type: string | number, payload: any) => {
      this.messages.push({ type: String(type), payload });
      this.wake();
    });
    room.onStateChange(() => this.wake());
    room.onLeave((code: number) => {
      this.left = code;
      this.wake();
    });
  }

  get id() {
    return this.room.sessionId;
  }

  get state(): S {
    return this.room.state as S;
  }

  send(type: string, payload?: unknown) {
    this.room.send(type, payload as any);
  }

  /** Messages of `type` received so far. */
  all(type: string): any[] {
    return this.messages.filter((m) => m.type === type).map((m) => m.payload);
  }

  /** Waits for the `n`-th (1-based) message of `type`, counting from the start of the connection. */
  async nth(type: string, n: number, timeoutMs = 3000): Promise<any> {
    await this.until(() => this.all(type).length >= n, `message "${type}" #${n}`, timeoutMs);
    return this.all(type)[n - 1];
  }

  /** Waits for the next message of `type` after those already received. */
  next(type: string, timeoutMs = 3000): Promise<any> {
    return this.nth(type, this.all(type).length + 1, timeoutMs);
  }

  /** Waits until `predicate` holds (checked on every message and state change). */
  until(predicate: () => boolean, what = "condition", timeoutMs = 3000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private wake() {
    for (const w of this.waiters.slice()) w();
  }
}

/** Resolves after `ms` of wall time; only for asserting that something did NOT happen. */
export const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` (every 25 ms) until it holds; fails after `timeoutMs`. For conditions no event announces. */
export async function eventually(predicate: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A validator for `assert.rejects`: the SDK's refusal (a `MatchMakeError` or `ServerError`) carries
 * `code` (the HTTP status, a join error code or a Colyseus code) and, if given, a message matching `message`.
 */
export function refusedWith(code: number, message?: RegExp) {
  return (err: unknown) => {
    const { code: got, message: text } = err as { code?: unknown; message?: string };
    if (got !== code) throw new Error(`expected a refusal with code ${code}, got ${String(got)}: ${text}`);
    if (message && !message.test(text ?? "")) throw new Error(`refusal ${code}: "${text}" does not match ${message}`);
    return true;
  };
}

/** Cuts a client's socket without a goodbye, as a dropped phone does (close code 1006). */
export function dropConnection(room: SdkRoom): void {
  (room.connection.transport as unknown as { ws: { terminate(): void } }).ws.terminate();
}

/**
 * A reconnection that goes quiet as it comes back (a phone whose network died again): the
 * SDK's reconnection by hand with `token` ("roomId:token") through the server at `url`, the
 * matchmaker's step, then a WebSocket that gets the join (and its new token) and never
 * acknowledges it (`answersPings` false: it answers no ping either, as a dead network does).
 * `given` resolves with the token the join gave it ("roomId:token"), `closed` with the close
 * code once the server has cut it.
 */
export async function quietReconnection(url: string, token: string, answersPings = true): Promise<{ given: Promise<string>; closed: Promise<number>; socket: WebSocket }> {
  const [roomId, secret] = token.split(":");
  const res = await fetch(`${url}/matchmake/reconnect/${roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ reconnectionToken: secret }) });
  if (res.status !== 200) throw new Error(`reconnect refused: ${res.status} ${await res.text()}`);
  const r = (await res.json()) as { processId: string; roomId: string; sessionId: string };
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/${r.processId}/${r.roomId}?sessionId=${r.sessionId}&reconnectionToken=${secret}`, { autoPong: answersPings });
  const closed = new Promise<number>((resolve) => ws.on("close", (c) => resolve(c)));
  const given = new Promise<string>((resolve, reject) => {
    ws.on("message", (data: Buffer) => {
      if (data[0] === 10 /* JOIN_ROOM: [code, length, token…] */) resolve(`${roomId}:${data.subarray(2, 2 + data[1]!).toString()}`);
    });
    ws.on("error", reject);
    void closed.then((code) => reject(new Error(`closed (${code}) before the join came`)));
  });
  given.catch(() => undefined);
  return { given, closed, socket: ws };
}
