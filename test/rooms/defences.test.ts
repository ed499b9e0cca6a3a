import assert from "node:assert/strict";
import WebSocket from "ws";
import { ErrorCode, JoinErrorCode, MatchmakingStatus } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import { Player, quiet, refusedWith } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV } from "../helpers/server.js";

type Ttt = TicTacToeState;

/** Opens a raw WebSocket to the server; resolves with the socket, or the HTTP status that refused it. */
function rawConnect(port: number, headers: Record<string, string> = {}): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode }));
    ws.once("error", () => resolve({ status: -1 }));
  });
}

describe("Limits and defences", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Ttt>(roomId, options);
  const startedGame = () => suite.startedTicTacToe();

  it("closes the connection of a client sending a message over the size cap, and only that one", async () => {
    const { first, second } = await startedGame();
    first.send("make_move", { row: 0, col: 0, pad: "x".repeat(Number(process.env.MAX_MESSAGE_BYTES ?? 2048) + 100) });
    await first.until(() => first.left !== undefined, "disconnect");
    assert.equal(first.left, 1009, "message too big");
    assert.equal(second.left, undefined);
    second.send("fly");
    assert.equal((await second.next("error")).code, ErrorCode.UNKNOWN_ACTION, "the other player is still served");
  });

  it("accepts a message just under the cap and answers it", async () => {
    const { first } = await startedGame();
    first.send("make_move", { row: 0, col: 0, pad: "x".repeat(1800) });
    assert.equal((await first.next("error")).code, ErrorCode.INVALID_PAYLOAD, "unknown field: refused, not disconnected");
    assert.equal(first.left, undefined);
  });

  it("caps simultaneous connections per address", async () => {
    const cap = Number(TEST_ENV.MAX_CONNECTIONS_PER_IP);
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < cap; i++) {
        const { ws, status } = await rawConnect(suite.port);
        assert.ok(ws, `connection ${i + 1} of ${cap} refused with ${status}`);
        open.push(ws);
      }
      const over = await rawConnect(suite.port);
      assert.equal(over.status, 429, "one more is refused");
      open.pop()!.close();
      await quiet(100);
      const again = await rawConnect(suite.port);
      assert.ok(again.ws, "a freed place can be used again");
      open.push(again.ws);
    } finally {
      for (const ws of open) ws.close();
      await quiet(100);
    }
  });

  it("lets browsers connect only from the allowed origins", async () => {
    const bad = await rawConnect(suite.port, { Origin: "http://evil.test" });
    assert.equal(bad.status, 403);
    const suffix = await rawConnect(suite.port, { Origin: "http://games.test.evil.test" });
    assert.equal(suffix.status, 403, "an exact match, not a suffix match");
    const good = await rawConnect(suite.port, { Origin: TEST_ENV.ALLOWED_ORIGINS });
    assert.ok(good.ws, "the allowed origin connects");
    good.ws.close();
  });

  it("answers matchmaking CORS only for allowed origins", async () => {
    const ask = (origin: string) =>
      fetch(`http://127.0.0.1:${suite.port}/matchmake/joinOrCreate/tictactoe`, { method: "OPTIONS", headers: { Origin: origin } });
    assert.equal((await ask(TEST_ENV.ALLOWED_ORIGINS)).headers.get("access-control-allow-origin"), TEST_ENV.ALLOWED_ORIGINS);
    assert.notEqual((await ask("http://evil.test")).headers.get("access-control-allow-origin"), "http://evil.test");
  });

  it("rejects over-long and non-printable names and unknown option types at join", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const host = await join(room.roomId);
    for (const options of [{ name: "n".repeat(1000) }, { name: "\u202e\u0000" }, { spectate: "yes" }, { turnSeconds: 1e9 }]) {
      await assert.rejects(suite.colyseus.sdk.joinById(room.roomId, options), (err: any) => err.code === MatchmakingStatus.INVALID_OPTIONS, JSON.stringify(options).slice(0, 60));
    }
    assert.equal(host.state.players.size, 1);
  });

  it("prototype keys in options and payloads touch no prototype", async () => {
    const { room, first } = await startedGame();
    // Raw, as a hostile program would send it (the SDK would not serialize an object with an own `constructor`).
    const poisoned = '{"__proto__": {"polluted": true, "spectate": true}, "constructor": {"prototype": {"polluted": true}}}';
    const res = await fetch(`http://127.0.0.1:${suite.port}/matchmake/joinById/${room.roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: poisoned });
    assert.equal(res.status, 200, "a reservation (seats are checked when it is used)");
    const reservation = await res.json();
    await assert.rejects(
      suite.colyseus.sdk.consumeSeatReservation(reservation as never),
      refusedWith(JoinErrorCode.GAME_STARTED, /The game has started/),
      "a third player is refused as usual: no `spectate` came in through a prototype",
    );
    const spectator = await join(room.roomId, JSON.parse('{"spectate": true, "__proto__": {"name": "x"}}'));
    assert.equal(spectator.state.players.has(spectator.id), false);
    first.send("make_move", JSON.parse('{"__proto__": {"row": 0, "col": 0}}'));
    const error = await first.next("error");
    assert.equal(error.code, ErrorCode.INVALID_PAYLOAD);
    first.send("constructor", { prototype: { polluted: true } });
    assert.equal((await first.next("error")).code, ErrorCode.UNKNOWN_ACTION);
    first.send("__proto__", { polluted: true });
    assert.equal((await first.next("error")).code, ErrorCode.UNKNOWN_ACTION);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, "Object.prototype is clean");
    assert.equal(Array.from(first.state.board).join(""), "", "nothing was played");
  });
});
