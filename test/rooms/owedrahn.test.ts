import assert from "node:assert/strict";
import { ErrorCode, JoinErrorCode } from "../../src/protocol/errors.js";
import type { OweDrahnState } from "../../src/schema/OweDrahnState.js";
import { dropConnection, Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { TEST_ENV } from "../helpers/server.js";

type Od = OweDrahnState;

describe("Owe Drahn room", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Od>(roomId, options);

  async function readyGame(names: string[], options: Record<string, unknown> = {}) {
    const room = await suite.colyseus.createRoom("owedrahn", options);
    const players: Player<Od>[] = [];
    for (const name of names) players.push(await join(room.roomId, { name }));
    for (const p of players) p.send("ready", { ready: true });
    await Promise.all(players.map((p) => p.until(() => p.state.phase === "playing", "game start")));
    return { room, players };
  }

  const seat = (p: Player<Od>, id: string) => p.state.players.find((s) => s?.id === id)!;

  it("plays a whole game of three players to a winner, with zero-sum scores kept into the next round", async () => {
    const { players } = await readyGame(["Anna", "Bert", "Cleo"]);
    const [a] = players;
    assert.deepEqual(a!.state.players.map((p) => p.life), [6, 6, 6]);
    let rolls = 0;
    while (a!.state.phase === "playing") {
      const current = players.find((p) => p.id === a!.state.currentTurn)!;
      const before = current.all("rolled").length;
      current.send("roll");
      const rolled = await current.nth("rolled", before + 1);
      assert.equal(rolled.playerId, current.id);
      assert.ok(rolled.die >= 1 && rolled.die <= 6);
      // The patch precedes the event on each connection, so the roller's own view is current.
      if (rolled.total > 15) assert.equal(seat(current, current.id).life, 0, "a total above 15 eliminates the roller");
      else assert.equal(current.state.currentValue, rolled.total);
      await a!.until(() => a!.state.currentTurn !== current.id || a!.state.phase !== "playing" || players.length === 1);
      assert.ok(++rolls < 500, "the game ends");
    }
    const over = await a!.nth("gameOver", 1);
    const winnerId = over.winnerId;
    for (const p of players) {
      await p.until(() => p.all("gameOver").length === 1);
      assert.equal(p.all("gameOver")[0].winnerId, winnerId, "everyone hears the same winner");
    }
    assert.equal(a!.state.phase, "over");
    const alive = a!.state.players.filter((p) => p.life > 0);
    assert.deepEqual(alive.map((p) => p.id), [winnerId], "exactly one player is left alive");
    const scores = Object.fromEntries(a!.state.players.map((p) => [p.id, p.score]));
    assert.equal(scores[winnerId], 2);
    assert.equal(Object.values(scores).reduce((x, y) => x + y, 0), 0);

    // The game-over pause accepts nothing.
    const loser = players.find((p) => p.id !== winnerId)!;
    loser.send("ready", { ready: true });
    assert.equal((await loser.next("error")).code, ErrorCode.GAME_OVER);
    loser.send("roll");
    assert.equal((await loser.next("error")).code, ErrorCode.GAME_OVER);

    // After the pause: back to the ready stage, lives reset, scores kept.
    await a!.until(() => a!.state.phase === "lobby", "return to lobby", Number(TEST_ENV.GAME_OVER_DELAY_MS) + 2000);
    assert.deepEqual(a!.state.players.map((p) => p.life), [6, 6, 6]);
    assert.deepEqual(a!.state.players.map((p) => p.ready), [false, false, false]);
    assert.equal(a!.state.currentValue, 0);
    assert.deepEqual(Object.fromEntries(a!.state.players.map((p) => [p.id, p.score])), scores);
  });

  it("does not start with one ready player, and starts once two are ready", async () => {
    const room = await suite.colyseus.createRoom("owedrahn");
    const a = await join(room.roomId);
    a.send("ready", { ready: true });
    await a.until(() => a.state.players[0]?.ready === true);
    assert.equal(a.state.phase, "lobby");
    a.send("roll");
    assert.equal((await a.next("error")).code, ErrorCode.NOT_STARTED);
    const b = await join(room.roomId);
    b.send("ready", { ready: true });
    await a.until(() => a.state.phase === "playing");
    assert.ok([a.id, b.id].includes(a.state.currentTurn));
  });

  it("lets nobody but spectators into a started game", async () => {
    const { room, players } = await readyGame(["A", "B"]);
    await assert.rejects(suite.colyseus.sdk.joinById(room.roomId, { name: "Late" }), (err: any) => err.code === JoinErrorCode.GAME_STARTED);
    const watcher = await join(room.roomId, { spectate: true });
    assert.equal(watcher.state.players.length, 2);
    watcher.send("roll");
    assert.equal((await watcher.next("error")).code, ErrorCode.NOT_A_PLAYER);
    assert.equal(players[0]!.left, undefined);
  });

  it("answers bad messages with errors and keeps the client", async () => {
    const { players } = await readyGame(["A", "B"]);
    const [a, b] = players as [Player<Od>, Player<Od>];
    const current = a.state.currentTurn === a.id ? a : b;
    const other = current === a ? b : a;
    other.send("roll");
    assert.equal((await other.next("error")).code, ErrorCode.NOT_YOUR_TURN);
    current.send("choose_next", { playerId: 42 });
    assert.equal((await current.next("error")).code, ErrorCode.INVALID_PAYLOAD);
    current.send("lose_life");
    assert.equal((await current.next("error")).code, ErrorCode.NOT_ALLOWED, "below 10 owe drahn is refused");
    current.send("choose_next", { playerId: other.id });
    assert.equal((await current.next("error")).code, ErrorCode.NOT_ALLOWED, "not choosing");
    current.send("shout");
    assert.equal((await current.next("error")).code, ErrorCode.UNKNOWN_ACTION);
    assert.equal(a.state.currentValue, 0);
    assert.equal(current.left, undefined);
  });

  it("rolls for a player whose turn runs out", async () => {
    const { players } = await readyGame(["A", "B"], { turnSeconds: 1 });
    const [a] = players;
    const sleeper = a!.state.currentTurn;
    assert.ok(a!.state.turnDeadline > Date.now(), "the deadline is in the future");
    assert.ok(a!.state.turnDeadline <= Date.now() + 1000);
    const rolled = await a!.next("rolled", 3000);
    assert.equal(rolled.playerId, sleeper, "the server rolled for the player on turn");
    await a!.until(() => a!.state.currentTurn !== sleeper || a!.state.phase !== "playing");
  });

  it("a player who leaves the running game is out, and the history says so (and whether the total went back to 0): the others see why", async () => {
    const { players } = await readyGame(["Anna", "Bert", "Cleo"]);
    const [a] = players as [Player<Od>, Player<Od>, Player<Od>];
    const history = (p: Player<Od>) =>
      [...p.state.history.entries()].sort(([x], [y]) => Number(x) - Number(y)).map(([, v]) => JSON.parse(v) as [number, string, string, Record<string, unknown>?]);
    // One roll, so the next player is on turn with a total (0 if the die was a 3).
    const first = players.find((p) => p.id === a.state.currentTurn)!;
    first.send("roll");
    await a.until(() => a.state.currentTurn !== first.id, "the turn passes after the roll");
    const total = a.state.currentValue;
    const onTurn = players.find((p) => p.id === a.state.currentTurn)!;
    const watcher = players.find((p) => p !== onTurn && p !== first)!;
    await onTurn.room.leave(true);
    await watcher.until(() => history(watcher).some(([, kind]) => kind === "left"), "a 'left' entry");
    const entry = history(watcher).find(([, kind]) => kind === "left")!;
    assert.equal(entry[2], onTurn === players[0] ? "Anna" : onTurn === players[1] ? "Bert" : "Cleo", "names who left");
    assert.deepEqual(entry[3], { reset: total > 0 }, `the total was ${total}`);
    assert.equal(watcher.state.currentValue, 0, "a leave on one's own turn sends the total back to 0");
    assert.equal(seat(watcher, onTurn.id).life, 0, "the leaver is out");
    assert.equal(history(watcher).filter(([, kind]) => kind === "left").length, 1, "one line for one leave");
  });

  it("a player whose connection dropped and whose window ran out is out, and the history says they did not come back (not that they left)", async () => {
    const { players } = await readyGame(["Anna", "Bert", "Cleo"]);
    const [a] = players as [Player<Od>, Player<Od>, Player<Od>];
    const gone = players.find((p) => p.id !== a.state.currentTurn)!;
    const watcher = players.find((p) => p !== gone)!;
    const name = seat(watcher, gone.id).name;
    gone.room.reconnection.enabled = false;
    dropConnection(gone.room);
    await watcher.until(() => seat(watcher, gone.id).connected === false, "the drop");
    const windowMs = Number(TEST_ENV.RECONNECT_SECONDS) * 1000;
    const history = () => [...watcher.state.history.values()].map((v) => JSON.parse(v) as [number, string, string, Record<string, unknown>?]);
    await watcher.until(() => history().some(([, kind]) => kind === "left"), "a 'left' entry once the window ends", windowMs + 3000);
    const entry = history().find(([, kind]) => kind === "left")!;
    assert.equal(entry[2], name);
    assert.deepEqual(entry[3], { reset: false, dropped: true }, "not on turn: the total stays; the entry says the connection dropped");
    assert.equal(seat(watcher, gone.id).life, 0, "out");
    assert.equal(watcher.state.phase, "playing", "the game goes on with the two others");
  });

  it("eliminates a player who leaves during the game and declares the other the winner", async () => {
    const { players } = await readyGame(["A", "B"]);
    const [a, b] = players as [Player<Od>, Player<Od>];
    await a.room.leave(true);
    const over = await b.nth("gameOver", 1);
    assert.equal(over.winnerId, b.id);
    assert.equal(seat(b, a.id).life, 0);
    assert.equal(seat(b, a.id).connected, false);
  });
});
