import assert from "node:assert/strict";
import { matchMaker } from "@colyseus/core";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { DiceState } from "../../src/schema/DiceState.js";
import { eventually, Player } from "../helpers/clients.js";
import { roomSuite } from "../helpers/rooms.js";
import { keepers } from "../helpers/dice-picks.js";

type Dc = DiceState;

describe("Dice room", () => {
  const suite = roomSuite();
  const join = (roomId: string, options: Record<string, unknown> = {}) => suite.join<Dc>(roomId, options);

  async function againstBot(options: Record<string, unknown> = {}) {
    const room = await suite.colyseus.createRoom("dice", options);
    const human = await join(room.roomId, { name: "Hilde" });
    human.send("add_bot");
    await human.until(() => human.state.players.size === 2 && human.state.phase !== "waiting", "bot seated and game started");
    const botId = Array.from(human.state.players.keys()).find((id) => id !== human.id)!;
    return { room, human, botId };
  }

  const dice = (p: Player<Dc>) => Array.from(p.state.dice);

  it("plays a whole game of a player against a bot to its end", async () => {
    const { human, botId } = await againstBot({ targetScore: 2000 });
    const bot = human.state.players.get(botId)!;
    assert.equal(bot.isBot, true);
    assert.ok(bot.name.length > 0);
    let bankedByHuman = 0;
    for (let step = 0; human.state.phase !== "over"; step++) {
      assert.ok(step < 2000, "the game ends");
      const s = human.state;
      if (s.phase === "busted" || s.currentTurn !== human.id) {
        await human.until(() => human.state.phase === "over" || (human.state.phase === "playing" && human.state.currentTurn === human.id), "my turn", 5000);
        continue;
      }
      if (dice(human).every((d) => d === 0)) {
        human.send("roll");
        await human.until(() => human.state.phase !== "playing" || dice(human).some((d) => d !== 0), "roll result");
        continue;
      }
      for (const i of keepers(dice(human))) human.send("select", { index: i });
      const before = human.state.players.get(human.id)!.score;
      human.send("set_aside", { endTurn: true });
      await human.until(() => human.state.currentTurn !== human.id || human.state.phase === "over", "turn banked");
      if (human.state.players.get(human.id)!.score > before) bankedByHuman++;
    }
    const winner = human.state.winner;
    assert.ok([human.id, botId].includes(winner));
    assert.ok(human.state.players.get(winner)!.score >= 2000, "the winner reached the target");
    const busts = human.all("busted");
    // Nothing banked or busted on the way: only a bot that started and won its very first turn (to 2000, about 1 game in 200).
    if (busts.length + bankedByHuman === 0) assert.equal(winner, botId, "turns were banked or busted along the way");
    for (const b of busts) assert.ok([human.id, botId].includes(b.playerId));
    for (const p of human.state.players.values()) assert.ok(p.score >= 0);
  });

  it("accepts nothing during the bust pause, then passes the turn", async () => {
    const { room, human, botId } = await againstBot();
    // This room's bust pause is 1.5 s (the suite's is 150 ms), so the refused messages below
    // cannot race the end of the pause.
    const live = suite.colyseus.getRoomById(room.roomId) as unknown as { settings: { delays: Record<string, number> } };
    live.settings = { ...live.settings, delays: { ...live.settings.delays, bust: 1500 } };
    // Play until somebody busts: the human only ever rolls and banks single scoring dice.
    for (let step = 0; human.all("busted").length === 0; step++) {
      assert.ok(step < 3000, "a bust happens");
      if (human.state.phase === "playing" && human.state.currentTurn === human.id) {
        if (dice(human).every((d) => d === 0)) {
          human.send("roll");
          await human.until(() => human.state.phase !== "playing" || dice(human).some((d) => d !== 0));
        } else {
          const keep = keepers(dice(human));
          for (const i of keep) human.send("select", { index: i });
          human.send("set_aside", { endTurn: false });
          await human.until(() => human.state.phase !== "playing" || dice(human).every((d) => d === 0));
        }
      } else {
        await human.until(() => human.all("busted").length > 0 || (human.state.phase === "playing" && human.state.currentTurn === human.id), "a bust or my turn", 5000);
      }
    }
    const { playerId } = human.all("busted")[0];
    assert.equal(human.state.phase, "busted", "the roll stays visible during the pause");
    assert.ok(dice(human).some((d) => d !== 0));
    const scoresBefore = JSON.stringify(human.state.players.toJSON());
    human.send("roll");
    assert.equal((await human.next("error")).code, ErrorCode.NOT_ALLOWED);
    human.send("set_aside", { endTurn: true });
    assert.equal((await human.next("error")).code, ErrorCode.NOT_ALLOWED);
    assert.equal(JSON.stringify(human.state.players.toJSON()), scoresBefore);
    await human.until(() => human.state.phase !== "busted", "end of the pause");
    const other = playerId === human.id ? botId : human.id;
    assert.equal(human.state.phase, "playing");
    assert.equal(human.state.currentTurn, other, "the turn passed");
    assert.equal(human.state.players.get(playerId)!.roundScore, 0, "the turn's points are lost");
  });

  it("ends a turn that runs out as a bust", async () => {
    // To 10000, the bot cannot win its first turn (it banks once three dice are set aside): the human's turn comes.
    const { human } = await againstBot({ turnSeconds: 1, targetScore: 10000 });
    await human.until(() => human.state.phase === "playing" && human.state.currentTurn === human.id, "my turn", 10000);
    assert.ok(human.state.turnDeadline > Date.now());
    const busted = await human.nth("busted", human.all("busted").filter((b) => b.playerId !== human.id).length + 1, 4000);
    assert.equal(busted.playerId, human.id);
    await human.until(() => human.state.currentTurn !== human.id);
    assert.equal(human.state.players.get(human.id)!.roundScore, 0);
  });

  it("a bot's turn has no time limit (no deadline shown, never timed out), while the human's turns keep theirs", async () => {
    // To 10000, the bot cannot win a turn: the turns alternate. The human never moves: each of their turns runs out.
    const { human, botId } = await againstBot({ turnSeconds: 1, targetScore: 10000 });
    for (let turn = 0; turn < 3; turn++) {
      await human.until(() => human.state.phase === "playing" && human.state.currentTurn === botId, "the bot's turn", 8000);
      assert.equal(human.state.turnDeadline, 0, "no deadline while the bot is on turn");
      await human.until(() => human.state.phase === "playing" && human.state.currentTurn === human.id, "my turn", 8000);
      assert.ok(human.state.turnDeadline > Date.now(), "the human's turn has its deadline");
    }
    for (const b of human.all("busted")) {
      if (b.playerId === botId) assert.notEqual(b.reason, "timeout", "the bot is never timed out");
      else assert.equal(b.reason, "timeout", "the human's turns ran out");
    }
  });

  it("validates dice messages and refuses add_bot once the game runs", async () => {
    const { room, human, botId } = await againstBot();
    const spectator = await join(room.roomId, { spectate: true });
    human.send("add_bot");
    assert.equal((await human.next("error")).code, ErrorCode.NOT_ALLOWED);
    spectator.send("roll");
    assert.equal((await spectator.next("error")).code, ErrorCode.NOT_A_PLAYER);
    human.send("select", { index: "two" });
    assert.equal((await human.next("error")).code, ErrorCode.INVALID_PAYLOAD);
    human.send("set_aside", {});
    assert.equal((await human.next("error")).code, ErrorCode.INVALID_PAYLOAD);
    assert.equal(human.state.players.size, 2);
    assert.ok(human.state.players.has(botId));
  });

  it("a spectator of a game against a bot sees why the table emptied when the human leaves: the history's end line and the state name them", async () => {
    const { room, human } = await againstBot();
    const watcher = await join(room.roomId, { spectate: true, name: "Wanda" });
    await watcher.until(() => watcher.state.players.size === 2, "the spectator sees the game");
    await human.room.leave(true);
    await watcher.until(() => watcher.state.players.size === 0, "the table empties: the bot leaves with the human");
    const entries = [...watcher.state.history.entries()].sort(([x], [y]) => Number(x) - Number(y)).map(([, v]) => JSON.parse(v) as [number, string, string, Record<string, unknown>?]);
    assert.deepEqual(entries.at(-1)?.slice(1), ["end", "", { reason: "left", name: "Hilde", winner: "" }], "the last history line: Hilde left");
    assert.deepEqual([watcher.state.phase, watcher.state.endReason, watcher.state.endName], ["waiting", "left", "Hilde"]);
  });

  it("disposes a room whose last human leaves: bots do not keep it alive", async () => {
    const { room, human } = await againstBot();
    await human.room.leave(true);
    await eventually(() => matchMaker.getLocalRoomById(room.roomId) === undefined, "the room to be disposed", 1000);
    const listed = await matchMaker.query({ roomId: room.roomId });
    assert.equal(listed.length, 0, "and it is gone from the listing");
  });
});
