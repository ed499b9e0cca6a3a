/**
 * High availability (issue 10), game by game: real server processes on a private
 * redis-server. The process that owns a game is SIGKILLed at a moment a player would care
 * about (Dice mid-turn with dice selected and set aside; Owe Drahn while a player must name
 * who plays next; a TicTacToe turn timer running; an Owe Drahn choice with its own time
 * running); every player comes back through a survivor with `client.reconnect(token)`, sees
 * exactly the state they had, and the game goes on to its end (or, for a timer, times out
 * when the original deadline passes). With
 * the production dice (no RNG_SEED), the rolls after the takeover go on from the committed
 * seed where they were, and the seed revealed at the end accounts for every roll.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { ErrorCode } from "../../src/protocol/errors.js";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import type { DiceState as Dc } from "../../src/schema/DiceState.js";
import type { OweDrahnState as Od } from "../../src/schema/OweDrahnState.js";
import type { ServerProcess } from "../helpers/cluster.js";
import { FAILOVER_ENV, failoverSuite, snapshotOf, type Seated } from "../helpers/failover.js";
import { tttMove } from "../helpers/rooms.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import { fewKeepers, keepers } from "../helpers/dice-picks.js";

const ENV = {
  ...FAILOVER_ENV,
  // A Dice bust pause short enough to play many turns; it still runs through the room's scheduler.
  BUST_DELAY_MS: "300",
};

/**
 * The dice are predictable up to the crash (the survivor's generator starts again from the
 * same seed); FAILOVER_SEED replays the scenarios with other dice (the tests adapt to them).
 */
const SEED = process.env.FAILOVER_SEED ?? "20240610";


/** Waits until every player in `ps` sees `predicate` hold. */
const allSee = <S>(ps: Seated<S>[], predicate: (p: Seated<S>) => boolean, what: string, timeoutMs = 5000) =>
  Promise.all(ps.map((p) => p.until(() => predicate(p), what, timeoutMs)));

describe("High availability, per game: the crash of a game's process at the moments that matter (issue 10)", function () {
  this.timeout(60000);
  const suite = failoverSuite(ENV);
  const { start, join, killAndResume, sameStateOnceAllBack } = suite;

  /** The survivor logged the restore of `roomId`. */
  function assertRestoredBy(survivor: ServerProcess, roomId: string) {
    const restores = suite.processes.flatMap((p) => p.logs().filter((l) => l.msg === "room restored" && l.roomId === roomId).map(() => p));
    assert.deepEqual(restores, [survivor], "the survivor, and only it, restored the room once");
  }

  describe("Dice", () => {
    const diceOf = (p: Seated<Dc>) => Array.from(p.state.dice);
    const onTable = (p: Seated<Dc>) => diceOf(p).some((d) => d !== 0);
    const me = (p: Seated<Dc>) => p.state.players.get(p.id)!;
    const onTurn = (ps: Seated<Dc>[]) => {
      const p = ps.find((x) => x.id === ps[0]!.state.currentTurn);
      assert.ok(p, `someone is on turn (currentTurn "${ps[0]!.state.currentTurn}", phase ${ps[0]!.state.phase})`);
      return p;
    };

    /** `cur` rolls; resolves true when the roll busted (the pause ran and the turn passed), false when dice are on the table. */
    async function roll(cur: Seated<Dc>, ps: Seated<Dc>[]): Promise<boolean> {
      assert.ok(!onTable(cur) && cur.state.phase === "playing" && cur.state.currentTurn === cur.id, "a roll starts from an empty table on my turn");
      cur.send("roll");
      await allSee(ps, (p) => p.state.phase !== "playing" || onTable(p), "the roll");
      if ((cur.state.phase as string) !== "busted") return false;
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== cur.id, "the turn passing after the bust");
      return true;
    }

    /** `cur` selects `indexes` (from an empty selection); resolves once everyone sees the selection. */
    async function select(cur: Seated<Dc>, ps: Seated<Dc>[], indexes: number[]) {
      assert.equal(cur.state.selected.length, 0, "selecting starts from an empty selection");
      for (const index of indexes) cur.send("select", { index });
      const want = [...indexes].sort((x, y) => x - y).join(",");
      await allSee(ps, (p) => Array.from(p.state.selected).join(",") === want, `the selection ${want}`);
    }

    /** `cur` sets the selection aside; resolves once everyone sees the table cleared (endTurn false) or the turn over (true). */
    async function setAside(cur: Seated<Dc>, ps: Seated<Dc>[], endTurn: boolean) {
      cur.send("set_aside", { endTurn });
      if (endTurn) await allSee(ps, (p) => p.state.currentTurn !== cur.id || p.state.phase === "over", "the turn banked");
      else await allSee(ps, (p) => p.state.selected.length === 0 && !onTable(p), "the selection set aside");
    }

    it("SIGKILL mid-turn with dice on the table, some selected and some set aside: both players resume with the same dice, selection and scores, then play the game to its end", async () => {
      await start(2, { RNG_SEED: SEED });
      const a = await join<Dc>(suite.processes[0]!, "create", "dice", { name: "Ada", targetScore: 1000 });
      const b = await join<Dc>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Bob" });
      const ps = [a, b];
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== "", "game start");
      assert.equal(a.state.targetScore, 1000);

      // Someone banks a little first (one 5, one 1 or a triple: at most 600, never a win), so the scores are not all 0.
      for (let step = 0; [...a.state.players.values()].every((x) => x.score === 0); step++) {
        assert.ok(step < 40, "somebody banks within 40 turns");
        const cur = onTurn(ps);
        if (await roll(cur, ps)) continue;
        await select(cur, ps, fewKeepers(diceOf(cur)));
        await setAside(cur, ps, true);
      }
      assert.equal(a.state.phase, "playing");

      // Mid-turn: the player on turn sets scoring dice aside, rolls the rest, and selects some of the new roll.
      let cur = onTurn(ps);
      for (let step = 0; ; step++) {
        assert.ok(step < 100, "a turn with dice set aside and a selection on the table within 100 steps");
        cur = onTurn(ps);
        if (!onTable(cur)) {
          if (await roll(cur, ps)) continue;
        }
        if (cur.state.setAside.length === 0) {
          await select(cur, ps, keepers(diceOf(cur)));
          await setAside(cur, ps, false); // hot dice leave setAside empty: the loop rolls again
          continue;
        }
        await select(cur, ps, fewKeepers(diceOf(cur)));
        break;
      }
      const other = cur === a ? b : a;
      const mid = {
        dice: diceOf(cur),
        selected: Array.from(cur.state.selected),
        setAside: Array.from(cur.state.setAside),
        roundScore: me(cur).roundScore,
        turnScore: me(cur).turnScore,
        scores: Object.fromEntries([...cur.state.players.entries()].map(([id, x]) => [id, x.score])),
      };
      assert.equal(cur.state.phase, "playing");
      assert.ok(mid.dice.every((d) => d !== 0) && mid.dice.length > 0, `dice on the table: ${mid.dice.join(",")}`);
      assert.ok(mid.selected.length > 0, "some dice selected");
      assert.ok(mid.setAside.length > 0, "some dice set aside this turn");
      assert.ok(mid.roundScore > 0 && mid.turnScore > 0, `points at stake this turn: round ${mid.roundScore}, selection ${mid.turnScore}`);
      assert.ok(Object.values(mid.scores).some((s) => s > 0), "a banked score");

      const { survivor, before, resumed } = await killAndResume([cur, other]);
      await sameStateOnceAllBack(resumed, before);
      const [c, o] = resumed as [Seated<Dc>, Seated<Dc>];
      const rs = [c, o];
      assert.equal(c.room.roomId, a.room.roomId, "same room id");
      assertRestoredBy(survivor, a.room.roomId);
      for (const p of rs) {
        assert.deepEqual(diceOf(p), mid.dice, "the same dice on the table");
        assert.deepEqual(Array.from(p.state.selected), mid.selected, "the same selection");
        assert.deepEqual(Array.from(p.state.setAside), mid.setAside, "the same dice set aside");
        assert.equal(p.state.currentTurn, c.id, "still the same player's turn");
        assert.equal(p.state.players.get(c.id)!.turnScore, mid.turnScore);
        assert.equal(p.state.players.get(c.id)!.roundScore, mid.roundScore);
        assert.deepEqual(Object.fromEntries([...p.state.players.entries()].map(([id, x]) => [id, x.score])), mid.scores, "the same banked scores");
      }

      // The restored selection is live: banking it adds exactly the points that were at stake.
      await setAside(c, rs, true);
      const banked = mid.scores[c.id]! + mid.roundScore + mid.turnScore;
      for (const p of rs) assert.equal(p.state.players.get(c.id)!.score, banked, "the turn's points are banked on the survivor");

      // Then the game is played to its end (that bank may already have won it): each player
      // keeps every scoring die and banks at once.
      for (let step = 0; c.state.phase !== "over"; step++) {
        assert.ok(step < 400, "the game ends within 400 steps");
        const p = onTurn(rs);
        if (await roll(p, rs)) continue;
        await select(p, rs, keepers(diceOf(p)));
        await setAside(p, rs, true);
      }
      await allSee(rs, (p) => p.state.phase === "over", "the game over");
      const winner = c.state.winner;
      assert.ok([c.id, o.id].includes(winner), "a seated player won");
      for (const p of rs) {
        assert.equal(p.state.winner, winner);
        assert.equal(p.state.endReason, "won");
        assert.ok(p.state.players.get(winner)!.score >= 1000, "the winner reached the target score");
        assert.equal(p.state.players.get(winner)!.wins, 1);
      }
    });

    it("provably fair dice across a SIGKILL: the rolls go on from where they were, and every roll the players saw, before and after, is what the revealed seed gives", async () => {
      await start(2); // no RNG_SEED: the production dice, from the committed seed
      const a = await join<Dc>(suite.processes[0]!, "create", "dice", { name: "Ada", targetScore: 2000 });
      const b = await join<Dc>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Bob" });
      let ps = [a, b];
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== "" && p.state.fairness.commitment !== "", "game start, with a commitment");
      const commitment = a.state.fairness.commitment;
      const seen: number[][] = [];
      /** A turn: one roll (what it showed kept), then a little banked unless it busted. */
      const turn = async (players: Seated<Dc>[]) => {
        const cur = onTurn(players);
        cur.send("roll");
        await allSee(players, (p) => p.state.phase !== "playing" || onTable(p), "the roll");
        seen.push(diceOf(cur).filter((d) => d !== 0));
        if ((cur.state.phase as string) === "busted") {
          await allSee(players, (p) => p.state.phase === "playing" && p.state.currentTurn !== cur.id, "the turn passing after the bust");
          return;
        }
        await select(cur, players, fewKeepers(diceOf(cur)));
        await setAside(cur, players, true);
      };
      for (let i = 0; i < 4; i++) await turn(ps);

      const { resumed } = await killAndResume(ps);
      ps = resumed;
      await allSee(ps, (p) => p.state.fairness.commitment === commitment, "the same commitment after the restore");
      for (let i = 0; i < 4; i++) await turn(ps);
      assert.equal(ps[0]!.state.phase, "playing", "nobody reached 2000 yet");

      // Bob leaves for good: the game ends, and its seed is revealed to Ada.
      const [ada, bob] = ps[0]!.state.players.get(ps[0]!.id)!.name === "Ada" ? [ps[0]!, ps[1]!] : [ps[1]!, ps[0]!];
      await bob.room.leave(true);
      await ada.until(() => ada.all("fairnessRevealed").length > 0, "the seed revealed");
      const revealed = ada.all("fairnessRevealed")[0] as { commitment: string; seed: string; clientSeeds: string; rolls: number[][]; seats?: string[]; first?: number };
      assert.equal(revealed.seats?.length, 2, "the reveal names the game's seats, kept across the takeover");
      assert.equal(typeof revealed.first, "number", "and the seat that moved first");
      assert.equal(revealed.commitment, commitment, "the seed revealed is the one committed to before the first roll");
      assert.equal(revealed.rolls.length, seen.length, "every roll of the game, from both processes, is in the reveal");
      revealed.rolls.forEach((faces, n) => assert.deepEqual([...faces].sort(), [...seen[n]!].sort(), `roll ${n}: the dice the players saw`));
      assert.deepEqual(verifyMatch({ log: { steps: revealed.rolls.map((dice) => ({ dice })), fairness: revealed } }), { ok: true, rolls: seen.length, dice: seen.flat().length, first: revealed.first });
    });
  });

  describe("Owe Drahn", () => {
    const seat = (p: Seated<Od>, id: string) => p.state.players.find((s) => s.id === id)!;
    const onTurn = (ps: Seated<Od>[]) => {
      const p = ps.find((x) => x.id === ps[0]!.state.currentTurn);
      assert.ok(p, `someone is on turn (currentTurn "${ps[0]!.state.currentTurn}", phase ${ps[0]!.state.phase})`);
      return p;
    };
    /** `cur` rolls; resolves once everyone sees the turn pass (or the game end). */
    async function roll(cur: Seated<Od>, ps: Seated<Od>[]) {
      cur.send("roll");
      await allSee(ps, (p) => p.state.currentTurn !== cur.id || p.state.phase !== "playing", "the roll passing the turn");
    }

    it("three players, SIGKILL while one must choose who plays next: all three resume with the same state, the chooser chooses, and the game ends with a winner", async () => {
      await start(2, { RNG_SEED: SEED });
      const a = await join<Od>(suite.processes[0]!, "create", "owedrahn", { name: "Anna" });
      const b = await join<Od>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Bert" });
      const c = await join<Od>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Cleo" });
      const ps = [a, b, c];
      await allSee(ps, (p) => p.state.players.length === 3, "three seats");
      for (const p of ps) p.send("ready", { ready: true });
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== "", "game start");

      // Roll while the total is at most 9 (no roll can bust then); at 10 or more, the player on turn says "owe drahn".
      let chooser: Seated<Od> | undefined;
      for (let step = 0; !chooser; step++) {
        assert.ok(step < 100, "a total of 10 within 100 rolls");
        const cur = onTurn(ps);
        if (cur.state.currentValue >= 10) {
          cur.send("lose_life");
          await allSee(ps, (p) => seat(p, cur.id).choosing && p.state.currentValue === 0, "the player choosing who plays next");
          chooser = cur;
        } else {
          await roll(cur, ps);
        }
      }
      for (const p of ps) {
        assert.deepEqual(p.state.players.map((s) => s.life).sort(), [5, 6, 6], "the chooser lost one life; nobody is out");
        assert.equal(p.state.currentTurn, chooser.id);
        assert.equal(p.state.phase, "playing");
      }

      const { survivor, before, resumed } = await killAndResume(ps);
      await sameStateOnceAllBack(resumed, before);
      assert.equal(resumed[0]!.room.roomId, a.room.roomId, "same room id");
      assertRestoredBy(survivor, a.room.roomId);
      const rs = resumed;
      const ch = rs[ps.indexOf(chooser)]!;
      assert.equal(ch.id, chooser.id);
      for (const p of rs) {
        assert.equal(seat(p, ch.id).choosing, true, "the chooser is still choosing");
        assert.equal(seat(p, ch.id).life, 5);
        assert.equal(p.state.currentTurn, ch.id);
        assert.equal(p.state.currentValue, 0);
      }

      // Still choosing: a roll is refused; the choice is taken.
      const target = rs.find((p) => p !== ch)!;
      ch.send("roll");
      assert.equal((await ch.next("error")).code, ErrorCode.NOT_ALLOWED, "a chooser cannot roll");
      ch.send("choose_next", { playerId: target.id });
      await allSee(rs, (p) => p.state.currentTurn === target.id && !seat(p, ch.id).choosing, "the chosen player's turn");
      for (const p of rs) {
        const handed = await p.nth("handedOver", 1);
        assert.deepEqual(handed, { playerId: ch.id, nextId: target.id, timeout: false });
      }

      // Then everyone just rolls until two have busted.
      for (let step = 0; rs[0]!.state.phase === "playing"; step++) {
        assert.ok(step < 300, "the game ends within 300 rolls");
        await roll(onTurn(rs), rs);
      }
      await allSee(rs, (p) => p.state.phase === "over" && p.all("gameOver").length === 1, "the game over");
      const winnerId = rs[0]!.all("gameOver")[0].winnerId as string;
      for (const p of rs) {
        assert.equal(p.all("gameOver")[0].winnerId, winnerId, "everyone hears the same winner");
        assert.equal(p.state.endReason, "won");
        assert.deepEqual(p.state.players.filter((s) => s.life > 0).map((s) => s.id), [winnerId], "exactly the winner is left alive");
        assert.deepEqual(
          p.state.players.map((s) => s.score),
          p.state.players.map((s) => (s.id === winnerId ? 2 : -1)),
          "the winner scores 2, the others -1",
        );
      }
    });
  });

  describe("Turn timer", () => {
    /** How far from the original deadline the timeout may be seen. */
    const SLACK_MS = 1500;

    it("TicTacToe (turnSeconds 8): SIGKILL right after a move; the restored turn keeps its deadline, and the idle player loses by timeout when it passes", async () => {
      await start(2);
      const a = await join<Ttt>(suite.processes[0]!, "create", "tictactoe", { name: "Ada", turnSeconds: 8 });
      const b = await join<Ttt>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Bob" });
      await allSee([a, b], (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "game start");
      const first = a.state.currentTurn === a.id ? a : b;
      const second = first === a ? b : a;
      const opening = a.state.turnDeadline;

      await tttMove(first, [a, b], 1, 1);
      await allSee([a, b], (p) => p.state.currentTurn === second.id && p.state.turnDeadline !== opening, "the second player's turn");
      const deadline = a.state.turnDeadline;
      assert.equal(b.state.turnDeadline, deadline, "both players see the same deadline");
      const left = deadline - Date.now();
      assert.ok(left > 6000 && left <= 8000, `the new turn has about 8 s: ${left} ms left`);

      const { survivor, before, resumed } = await killAndResume([first, second]);
      await sameStateOnceAllBack(resumed, before);
      const [f, s] = resumed as [Seated<Ttt>, Seated<Ttt>];
      assertRestoredBy(survivor, a.room.roomId);
      for (const p of [f, s]) {
        assert.equal(p.state.turnDeadline, deadline, "the restored turn has the deadline it had before the crash");
        assert.equal(p.state.currentTurn, s.id);
      }
      assert.ok(Date.now() < deadline - 500, `the players are back before the deadline (${deadline - Date.now()} ms left), so the timeout is the restored timer's`);

      // `second` does not move.
      const seen = await Promise.all(
        [f, s].map(async (p) => {
          await p.until(() => p.state.phase === "over", "the timeout", deadline - Date.now() + 5000);
          return Date.now();
        }),
      );
      for (const t of seen) {
        assert.ok(t >= deadline - 50, `the timeout was seen ${deadline - t} ms before the deadline`);
        assert.ok(Math.abs(t - deadline) <= SLACK_MS, `the timeout was seen ${t - deadline} ms after the original deadline (allowed ±${SLACK_MS})`);
      }
      const loserName = f.state.players.get(s.id)!.name;
      for (const p of [f, s]) {
        assert.equal(p.state.winner, f.id, "the player who waited wins");
        assert.equal(p.state.endReason, "timeout");
        assert.equal(p.state.endName, loserName, "the ending names the player whose time ran out");
        assert.equal(p.state.turnDeadline, 0, "no deadline once the game is over");
        assert.equal(p.state.players.get(f.id)!.wins, 1);
        assert.equal(Array.from(p.state.board).filter((x) => x !== "").length, 1, "the board of the forfeited game stays");
      }
      await survivor.logged((l) => l.msg === "turn timed out" && l.roomId === a.room.roomId, "the survivor's timer fired");
    });

    it("Owe Drahn (turnSeconds 10): SIGKILL while a player chooses who plays next; the choice keeps the whole turn it was given, and its timeout hands the turn on in seat order", async () => {
      await start(2, { RNG_SEED: SEED });
      const a = await join<Od>(suite.processes[0]!, "create", "owedrahn", { name: "Anna", turnSeconds: 10 });
      const b = await join<Od>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Bert" });
      const c = await join<Od>(suite.processes[0]!, "joinById", a.room.roomId, { name: "Cleo" });
      const ps = [a, b, c];
      await allSee(ps, (p) => p.state.players.length === 3, "three seats");
      for (const p of ps) p.send("ready", { ready: true });
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.turnDeadline > 0, "game start");
      const seat = (p: Seated<Od>, id: string) => p.state.players.find((s) => s.id === id)!;

      // Roll to a total of 10 or more (no roll busts below 10), then say "owe drahn".
      let chooser: Seated<Od> | undefined;
      for (let step = 0; !chooser; step++) {
        assert.ok(step < 100, "a total of 10 within 100 rolls");
        const cur = ps.find((x) => x.id === a.state.currentTurn)!;
        if (cur.state.currentValue >= 10) {
          const rolled = cur.state.turnDeadline;
          cur.send("lose_life");
          await allSee(ps, (p) => seat(p, cur.id).choosing && p.state.turnDeadline !== rolled, "the chooser's own deadline");
          chooser = cur;
        } else {
          cur.send("roll");
          await allSee(ps, (p) => p.state.currentTurn !== cur.id, "the roll passing the turn");
        }
      }
      const deadline = a.state.turnDeadline;
      const left = deadline - Date.now();
      assert.ok(left > 8000 && left <= 10000, `choosing gets a whole turn: ${left} ms left`);
      const order = a.state.players.map((s) => s.id);
      const expectedNext = order[(order.indexOf(chooser.id) + 1) % order.length]!;

      // A restore that armed the choice as a new turn would give it a later deadline (the takeover comes 1.5 s or more after the kill).
      const { survivor, before, resumed } = await killAndResume(ps);
      await sameStateOnceAllBack(resumed, before);
      assertRestoredBy(survivor, a.room.roomId);
      const ch = resumed[ps.indexOf(chooser)]!;
      for (const p of resumed) {
        assert.equal(seat(p, ch.id).choosing, true, "still choosing after the restore");
        assert.equal(p.state.turnDeadline, deadline, "the choice keeps the deadline it had before the crash");
      }
      assert.ok(Date.now() < deadline - 500, `the players are back before the deadline (${deadline - Date.now()} ms left), so the timeout is the restored timer's`);

      // The chooser does not choose: when the deadline passes, the turn goes to the next player in seat order.
      const seen = await Promise.all(
        resumed.map(async (p) => {
          await p.until(() => p.state.currentTurn === expectedNext && !seat(p, ch.id).choosing, "the choice timing out", deadline - Date.now() + 5000);
          return Date.now();
        }),
      );
      for (const t of seen) {
        assert.ok(t >= deadline - 50, `the choice timed out ${deadline - t} ms before its deadline`);
        assert.ok(t - deadline <= SLACK_MS, `the choice timed out ${t - deadline} ms after its deadline (allowed ${SLACK_MS})`);
      }
      for (const p of resumed) {
        assert.deepEqual(await p.nth("handedOver", 1), { playerId: ch.id, nextId: expectedNext, timeout: true });
        assert.equal(seat(p, ch.id).life, 5, "the chooser lost one life, no more");
        assert.equal(p.state.phase, "playing");
        assert.ok(p.state.turnDeadline >= deadline + 8000, "the next player gets a whole turn");
      }
      await survivor.logged((l) => l.msg === "turn timed out" && l.roomId === a.room.roomId, "the survivor's timer fired");
    });
  });
});
