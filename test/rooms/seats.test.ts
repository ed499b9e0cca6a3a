/**
 * Seats and spectator slots as players meet them (README, "Reconnection, seats and the
 * lobby" and "Limits and defences"), on the in-process test server: the race for a room's
 * last seat, a player refused by a full room whose game is over (a started one: see
 * tictactoe.test.ts), the spectator cap (MAX_SPECTATORS, not lifted by TEST_ENV), and a
 * seated flooder who is cut for good (no reconnection window).
 */
import assert from "node:assert/strict";
import { ErrorCode as ColyseusErrorCode } from "@colyseus/core";
import { Client } from "@colyseus/sdk";
import { CLOSE_FLOODING, JoinErrorCode, MatchmakingStatus } from "../../src/protocol/errors.js";
import type { BoardGameState as TicTacToeState } from "../../src/schema/BoardGameState.js";
import type { DiceState } from "../../src/schema/DiceState.js";
import { quickMatch } from "../../client/src/quick-match.js";
import { Player, quiet } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV, testServer } from "../helpers/server.js";

type Ttt = TicTacToeState;

/** A matchmaking refusal as the server answered it: the SDK's error keeps only the HTTP status. */
interface Refusal {
  status: number;
  body: { code?: number; error?: string } | undefined;
}

describe("Seats and spectator slots", () => {
  const suite = roomSuite();
  const url = () => `http://127.0.0.1:${suite.port}`;
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Ttt>(roomId, options);
  const board = (p: Player<Ttt>) => Array.from(p.state.board).join(",");

  /** An SDK client that also records the JSON body of each refused matchmaking request. */
  function recordingClient() {
    const refusals: Refusal[] = [];
    const client = new Client(url(), {
      fetchFn: async (input, init) => {
        const res = await fetch(input, init);
        if (!res.ok) refusals.push({ status: res.status, body: await res.clone().json().catch(() => undefined) });
        return res;
      },
    });
    return { client, refusals };
  }

  async function move(p: Player<Ttt>, watchers: Player<Ttt>[], row: number, col: number) {
    const before = watchers.map(board);
    p.send("make_move", { row, col });
    await Promise.all(watchers.map((w, i) => w.until(() => board(w) !== before[i], "board change")));
  }

  it("six players racing for the last seat: one sits down, the other five are refused as the room is full", async () => {
    const room = await suite.colyseus.createRoom("tictactoe");
    const host = await join(room.roomId, { name: "Ada" });
    // Each seat reservation the room grants or refuses, and whether its game had started then.
    const reservations: Array<{ started: boolean; granted: boolean }> = [];
    const internal = room as unknown as { _reserveSeat: (...args: unknown[]) => Promise<boolean> };
    const reserve = internal._reserveSeat.bind(room);
    internal._reserveSeat = async (...args) => {
      const started = (room.state as unknown as Ttt).phase !== "waiting";
      const granted = await reserve(...args);
      reservations.push({ started, granted });
      return granted;
    };

    const racers = Array.from({ length: 6 }, () => recordingClient());
    const results = await Promise.allSettled(racers.map(({ client }, i) => client.joinById<Ttt>(room.roomId, { name: `Racer ${i}` }).then((r) => new Player<Ttt>(r))));

    const winners = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    assert.equal(winners.length, 1, `exactly one racer gets the seat: ${results.map((r) => r.status).join(",")}`);
    const seen: string[] = [];
    results.forEach((r, i) => {
      if (r.status === "fulfilled") return;
      const err = r.reason as { code?: number; message?: string };
      if (err.code === MatchmakingStatus.CONFLICT) {
        // Refused at the seat reservation: the winner's reservation held the last seat.
        const [refusal] = racers[i]!.refusals;
        assert.equal(refusal?.status, MatchmakingStatus.CONFLICT);
        assert.equal(refusal?.body?.code, JoinErrorCode.ROOM_FULL, `racer ${i}: ${JSON.stringify(refusal)}`);
        assert.match(err.message ?? "", /No place is free/);
        seen.push("ROOM_FULL");
      } else {
        // Reserved only after the winner had sat down and the game had started: refused at join.
        assert.equal(err.code, JoinErrorCode.GAME_STARTED, `racer ${i}: ${err.code} ${err.message}`);
        assert.match(err.message ?? "", /spectate: true/);
        seen.push("GAME_STARTED");
      }
    });
    assert.equal(seen.length, 5);
    // While the seat was open, the room granted one reservation and refused every other.
    assert.equal(reservations.length, 6);
    assert.equal(reservations.filter((r) => !r.started && r.granted).length, 1, JSON.stringify(reservations));
    assert.equal(seen.filter((code) => code === "GAME_STARTED").length, reservations.filter((r) => r.started).length);

    const winner = winners[0]!;
    await host.until(() => host.state.phase === "playing", "the game starts with the winner");
    await winner.until(() => winner.state.players?.has(winner.id) === true, "the winner's state");
    await quiet(100); // nobody else arrives late
    assert.deepEqual([...host.state.players.keys()].sort(), [host.id, winner.id].sort(), "the host and the winner, nobody else");
    assert.match(host.state.players.get(winner.id)?.name ?? "", /^Racer \d$/);
    assert.equal(room.clients.length, 2, "two clients in the room");
  });

  it("quick play (the web client's quickMatch): a player whose matched room starts before their connection arrives (its host added a bot) is matched again, into another room, instead of being refused", async () => {
    /** A Dice room with a host, whose first granted reservation is answered only once the host's bot is seated and the game has started. */
    async function racedRoom() {
      const room = await suite.colyseus.createRoom("dice");
      const host = await suite.join<DiceState>(room.roomId, { name: "Ada" });
      const internal = room as unknown as { _reserveSeat: (...args: unknown[]) => Promise<boolean> };
      const reserve = internal._reserveSeat.bind(room);
      let granted = 0;
      internal._reserveSeat = async (...args) => {
        const ok = await reserve(...args);
        if (ok && granted++ === 0) {
          host.send("add_bot");
          await host.until(() => host.state.players.size === 2 && host.state.phase !== "waiting", "the bot seated and the game started");
        }
        return ok;
      };
      return room;
    }
    const sdk = new Client(url());
    // The race is real: a plain joinOrCreate matched into such a room is refused.
    await racedRoom();
    await assert.rejects(sdk.joinOrCreate("dice", { name: "Bo" }), (err: { code?: number }) => err.code === JoinErrorCode.GAME_STARTED);
    // Quick play matches again: the raced room has started, so it lands in a new room.
    const raced = await racedRoom();
    const bo = new Player<DiceState>(await quickMatch(() => sdk.joinOrCreate<DiceState>("dice", { name: "Bo" })));
    assert.notEqual(bo.room.roomId, raced.roomId, "matched into another room");
    await bo.until(() => bo.state.players?.get(bo.id)?.name === "Bo", "seated in the room it was matched into");
    assert.equal((raced.state as unknown as DiceState).players.has(bo.id), false);
    await bo.room.leave();
  });

  it("a full room whose game is over refuses a player with ROOM_FULL and says to join as a spectator; spectating works", async () => {
    const { room, first, second, a, b } = await suite.startedTicTacToe();
    await move(first, [a, b], 0, 0);
    await move(second, [a, b], 1, 0);
    await move(first, [a, b], 0, 1);
    await move(second, [a, b], 1, 1);
    await move(first, [a, b], 0, 2);
    await a.until(() => a.state.phase === "over", "the game over");
    assert.equal(a.state.players.size, 2, "both players still seated");

    await assert.rejects(suite.colyseus.sdk.joinById(room.roomId, { name: "Cy" }), (err: any) => {
      assert.equal(err.code, JoinErrorCode.ROOM_FULL);
      assert.match(err.message, /Every seat is taken/);
      assert.match(err.message, /spectate: true/);
      return true;
    });
    const watcher = await join(room.roomId, { spectate: true });
    assert.equal(watcher.state.phase, "over");
    assert.equal(watcher.state.winner, first.id);
    assert.deepEqual([...watcher.state.players.keys()].sort(), [a.id, b.id].sort(), "the spectator sees the two players and has no seat");
    assert.equal(a.state.players.size, 2);
  });

  /** Fills the spectator slots of `roomId` (the test server's MAX_SPECTATORS), then asks for one more as a spectator. */
  async function overTheSpectatorCap(roomId: string, cap: number) {
    const spectators: Player<Ttt>[] = [];
    for (let i = 0; i < cap; i++) spectators.push(await join(roomId, { spectate: true }));
    const { client, refusals } = recordingClient();
    let refused: { code?: number; message?: string } | undefined;
    await assert.rejects(client.joinById(roomId, { spectate: true }), (err: { code?: number; message?: string }) => ((refused = err), true));
    return { spectators, refused: refused!, refusals };
  }

  /** The test server's spectator cap (its connection cap per address must not refuse first). */
  async function spectatorCap(): Promise<number> {
    const cap = (await testServer()).env.MAX_SPECTATORS;
    // Two players, `cap` spectators and the one refused, all from 127.0.0.1.
    assert.ok(cap + 3 <= Number(TEST_ENV.MAX_CONNECTIONS_PER_IP), `MAX_CONNECTIONS_PER_IP ${TEST_ENV.MAX_CONNECTIONS_PER_IP} would refuse before MAX_SPECTATORS ${cap}`);
    return cap;
  }

  it("refuses the spectator over MAX_SPECTATORS with ROOM_FULL; the second player still sits down and both play", async function () {
    const cap = await spectatorCap();
    const room = await suite.colyseus.createRoom("tictactoe");
    const host = await join(room.roomId, { name: "Ada" });
    const { spectators, refused, refusals } = await overTheSpectatorCap(room.roomId, cap);
    assert.equal(refused.code, MatchmakingStatus.CONFLICT, `${refused.code} ${refused.message}`);
    assert.deepEqual(refusals.map((r) => [r.status, r.body?.code]), [[MatchmakingStatus.CONFLICT, JoinErrorCode.ROOM_FULL]]);

    // Spectators never take a player's seat: the friend sits down and the game runs.
    const friend = await join(room.roomId, { name: "Bob" });
    await host.until(() => host.state.phase === "playing", "the game starts with the friend");
    const first = host.state.currentTurn === host.id ? host : friend;
    const second = first === host ? friend : host;
    await move(first, [host, friend, ...spectators], 1, 1);
    await move(second, [host, friend, ...spectators], 0, 0);
    assert.equal(host.state.phase, "playing");
    assert.equal(room.clients.length, 2 + cap);
  });

  // With both seats taken every place of the room (2 + MAX_SPECTATORS) is in use, Colyseus
  // locks it, and its joinById refuses a locked room with 522 "room … is locked" before the
  // room is asked: the matchmaking route answers that as ROOM_FULL too (found by this test).
  it("refuses the spectator over MAX_SPECTATORS with ROOM_FULL while the two players play", async function () {
    const cap = await spectatorCap();
    const { room, first, second, a } = await suite.startedTicTacToe();
    const { spectators, refused, refusals } = await overTheSpectatorCap(room.roomId, cap);
    assert.equal(refused.code, MatchmakingStatus.CONFLICT, `${refused.code} ${refused.message}`);
    assert.deepEqual(refusals.map((r) => [r.status, r.body?.code]), [[MatchmakingStatus.CONFLICT, JoinErrorCode.ROOM_FULL]]);
    await move(first, [a, ...spectators], 1, 1);
    await move(second, [a, ...spectators], 0, 0);
    assert.equal(a.state.phase, "playing");
    assert.equal(room.clients.length, 2 + cap);
  });

  it("a seated player cut for flooding gets no reconnection window: the token is refused and the opponent wins at once", async () => {
    const { first: flooder, second: opponent } = await suite.startedTicTacToe();
    const windowMs = Number(TEST_ENV.RECONNECT_SECONDS) * 1000;
    const name = opponent.state.players.get(flooder.id)!.name;
    const token = flooder.room.reconnectionToken;
    flooder.room.reconnection.enabled = false; // only the server's answer counts here
    let shownAway = false;
    let overAt = 0;
    opponent.room.onStateChange(() => {
      if (opponent.state.players.get(flooder.id)?.connected === false) shownAway = true;
      if (!overAt && opponent.state.phase === "over") overAt = Date.now();
    });

    const floodAt = Date.now();
    const messages = Number(TEST_ENV.MESSAGE_BURST) + 2 * Number(TEST_ENV.FLOOD_DISCONNECT_AFTER);
    for (let i = 0; i < messages; i++) flooder.send("fly_away");
    await flooder.until(() => flooder.left !== undefined, "the flooder's disconnect");
    assert.equal(flooder.left, CLOSE_FLOODING);

    await assert.rejects(new Client(url()).reconnect(token), (err: any) => {
      assert.equal(err.code, ColyseusErrorCode.MATCHMAKE_EXPIRED, `${err.code} ${err.message}`);
      return true;
    });
    await opponent.until(() => opponent.state.phase === "over", "the forfeit", windowMs + 2000);
    assert.ok(overAt - floodAt < windowMs / 2, `at once, not after the reconnection window (${windowMs} ms): the game ended ${overAt - floodAt} ms after the flood`);
    assert.equal(shownAway, false, "never shown as away (a seat held for reconnection)");
    assert.equal(opponent.state.winner, opponent.id);
    assert.equal(opponent.state.endReason, "left");
    assert.equal(opponent.state.endName, name);
    assert.equal(opponent.state.players.has(flooder.id), false, "the flooder's seat is gone");
  });
});
