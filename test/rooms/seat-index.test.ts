/**
 * A room's side of the running-games index (src/rooms/seat-index.ts), without a server: what
 * it writes and removes for each seat event, and which away seat it offers with which token.
 */
import assert from "node:assert/strict";
import { SeatIndex, type SeatIndexRoom } from "../../src/rooms/seat-index.js";

function setup(seats: Record<string, string | undefined>, opts: { started?: boolean; away?: Record<string, number> } = {}) {
  const calls: string[] = [];
  const room: SeatIndexRoom = {
    roomId: "r1",
    roomName: "tictactoe",
    seated: () => Object.keys(seats),
    userIdOf: (id) => seats[id],
    awayUntil: (id) => opts.away?.[id],
    started: () => opts.started ?? true,
    private: false,
  };
  const index = new SeatIndex(room, { seated: (u, r, g) => void calls.push(`seated ${u} ${r} ${g}`), left: (u, r) => void calls.push(`left ${u} ${r}`) });
  return { index, calls };
}

describe("SeatIndex (src/rooms/seat-index.ts)", () => {
  it("writes a signed-in player's seat, not a program's", () => {
    const { index, calls } = setup({ a: "ada", p: undefined });
    index.sits("a");
    index.sits("p");
    assert.deepEqual(calls, ["seated ada r1 tictactoe"]);
  });

  it("removes the entry with the player's last seat here (two tabs: not while the other seat stays), and every entry at the end, but not a superseded copy's", () => {
    const { index, calls } = setup({ a1: "ada", a2: "ada", b: "bob" });
    index.unseated("a1");
    assert.deepEqual(calls, [], "Ada still sits in a2");
    index.unseated("b");
    assert.deepEqual(calls, ["left bob r1"]);
    calls.length = 0;
    index.disposed(true);
    assert.deepEqual(calls, [], "a superseded copy's players sit on in the live copy");
    index.disposed(false);
    assert.deepEqual(calls, ["left ada r1", "left bob r1"], "each player once");
  });

  it("offers only an away seat of a running game, under the token Colyseus holds it with", () => {
    const holder = { _reconnections: { tokB: ["b", {}], tokA: ["a", {}] } };
    const running = setup({ a: "ada", b: "bob" }, { away: { a: 5000 } });
    assert.deepEqual(running.index.awaySeat("ada", holder), { roomId: "r1", game: "tictactoe", reconnectionToken: "r1:tokA", private: false, until: 5000 });
    assert.equal(running.index.awaySeat("bob", holder), null, "Bob is connected");
    assert.equal(running.index.awaySeat("carol", holder), null, "Carol sits nowhere here");
    assert.equal(running.index.awaySeat("ada", { _reconnections: {} }), null, "no pending reconnection: nothing to offer");
    assert.equal(setup({ a: "ada" }, { away: { a: 5000 }, started: false }).index.awaySeat("ada", holder), null, "no game running");
  });
});
