/**
 * The Dice bot's pace on a real server process whose bot is slower than a turn's clock
 * (BOT_DELAY_MS=300, turnSeconds 1): a bot's turn of several steps outlasts the clock and is
 * never cut short, and a human whose connection flaps during the bot's turn does not hold
 * the bot up (each drop and each reconnection used to restart the bot's delay).
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";
import type { DiceState } from "../../src/schema/DiceState.js";
import { dropConnection, Player, quiet } from "../helpers/clients.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";

type Dc = DiceState;

/** History entries (`[game, kind, who, data?]`) by `who`, in order. */
function entriesBy(p: Player<Dc>, who: string): string[] {
  return [...p.state.history.entries()]
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => JSON.parse(v) as [number, string, string])
    .filter(([, , name]) => name === who)
    .map(([, kind]) => kind);
}

describe("The Dice bot's pace (a real server process, BOT_DELAY_MS=300)", function () {
  this.timeout(40000);
  let server: ServerProcess;

  before(async () => {
    server = await startServer({ redisUrl: "", env: { BOT_DELAY_MS: "300", RECONNECT_SECONDS: "10" } });
  });
  after(() => stopAllServers());

  async function againstBot() {
    const human = new Player<Dc>(await new Client(server.url).create("dice", { name: "Hilde", turnSeconds: 1, targetScore: 10000 }));
    human.send("add_bot");
    await human.until(() => human.state?.players?.size === 2 && human.state.phase === "playing", "the bot seated and the game started");
    const botId = [...human.state.players.keys()].find((id) => id !== human.id)!;
    return { human, botId, botName: human.state.players.get(botId)!.name };
  }

  it("the bot's turns take several steps of 300 ms, longer than the 1 s clock, and none is cut short; the human's turns run out", async () => {
    // To 10000 the bot cannot win a turn: the turns alternate. The human never moves.
    const { human, botId, botName } = await againstBot();
    let longest = 0;
    for (let turn = 0; turn < 3; turn++) {
      await human.until(() => human.state.currentTurn === botId, "the bot's turn", 10000);
      const started = Date.now();
      await human.until(() => human.state.currentTurn === human.id, "the human's turn", 15000);
      longest = Math.max(longest, Date.now() - started);
    }
    assert.ok(longest > 1200, `a bot's turn lasted ${longest} ms at most: longer than the turn's 1 s (and its grace) in at least one of three`);
    for (const b of human.all("busted")) {
      if (b.playerId === botId) assert.notEqual(b.reason, "timeout", `the bot's turn was cut short by the clock: ${JSON.stringify(entriesBy(human, botName))}`);
      else assert.equal(b.reason, "timeout", "the human's turns ran out");
    }
    await human.room.leave(true);
  });

  it("while the human's connection drops and comes back every ~150 ms during the bot's turn, the bot keeps playing at its pace", async () => {
    const { human, botId, botName } = await againstBot();
    // Reconnect at once after each drop (the SDK's own reconnection, without its waits).
    Object.assign(human.room.reconnection, { minUptime: 0, delay: 10, minDelay: 20, maxDelay: 50 });
    let reconnections = 0;
    human.room.onReconnect(() => reconnections++);
    await human.until(() => human.state.currentTurn === botId, "the bot's turn", 10000);
    const before = entriesBy(human, botName).length;
    const until = Date.now() + 3000;
    let drops = 0;
    while (Date.now() < until && human.state.currentTurn === botId) {
      const back = reconnections + 1;
      dropConnection(human.room);
      drops++;
      await human.until(() => reconnections >= back, "back after a drop", 5000);
      await quiet(100);
    }
    const made = entriesBy(human, botName).slice(before);
    assert.ok(drops >= 5, `the connection dropped ${drops} times`);
    // At 300 ms a step, 3 s is about ten steps (roll, select, set aside…): some of them history lines.
    assert.ok(made.length >= 2 || human.state.currentTurn !== botId, `the bot went on during ${drops} drops: its history lines meanwhile: ${JSON.stringify(made)}`);
    await human.room.leave(true);
  });
});
