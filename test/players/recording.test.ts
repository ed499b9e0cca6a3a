/**
 * Match results, end to end over real server processes (src/players, src/rooms/game-records.ts):
 * guests sign in (`POST /auth/anonymous`), join with their token through the SDK, play
 * TicTacToe, Dice and Owe Drahn to the end; the result is read back over HTTP
 * (`/api/players/:id`, `/api/matches/:id`): recorded exactly once, seats, placements, stats,
 * ratings, and the action log with the dice drawn. Games with a program without a token or a
 * bot count for the signed-in player but are not rated; a game of programs only records
 * nothing. With Redis, snapshots and one shared PostgreSQL, a game whose process is
 * SIGKILLed mid-game and resumed on a survivor is recorded once, with every move.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import type { BoardGameState as Ttt } from "../../src/schema/BoardGameState.js";
import type { DiceState as Dc } from "../../src/schema/DiceState.js";
import type { OweDrahnState as Od } from "../../src/schema/OweDrahnState.js";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { FAILOVER_ENV, failoverSuite, resume, snapshotOf, type Seated } from "../helpers/failover.js";
import { eventually } from "../helpers/clients.js";
import {
  getJson,
  guest,
  INITIAL_RATING,
  joinAs,
  matchRecord,
  metric,
  metricIs,
  newMatchOf,
  profile,
  recordedOnceFor,
  statsOf,
  type Guest,
  type LoggedStep,
  type Profile,
} from "../helpers/match-records.js";
import { startPostgres, type TestPostgres } from "../helpers/postgres.js";
import { topRowMoves, tttMove } from "../helpers/rooms.js";
import { keepers } from "../helpers/dice-picks.js";

/** Short pauses (bust, bot, game over) and a lifted message rate: a Dice player selects several dice at once. */
const GAME_ENV = {
  BUST_DELAY_MS: "100",
  BOT_DELAY_MS: "20",
  GAME_OVER_DELAY_MS: "1000",
  MESSAGES_PER_SECOND: "200",
  MESSAGE_BURST: "200",
  RECONNECT_SECONDS: "10",
  LOG_LEVEL: "info",
  JWT_SECRET: "recording-test-secret-0123456789-abcdefghijklmnop",
};
const SEED = process.env.RECORDING_SEED ?? "424242";
const RECORDED = "match_results_recorded_total";

/** Waits until every player in `ps` sees `predicate` hold. */
const allSee = <S>(ps: Seated<S>[], predicate: (p: Seated<S>) => boolean, what: string, timeoutMs = 5000) =>
  Promise.all(ps.map((p) => p.until(() => predicate(p), what, timeoutMs)));

/** What a test sent, as the log keeps it: the sender's seat and the action (the message's payload plus its type). */
interface Sent {
  seat: number;
  action: { type: string; [field: string]: unknown };
}

/** The steps players took (seat ≥ 0), as `Sent`. */
const playerSteps = (steps: LoggedStep[]) => steps.filter((s) => s.seat >= 0).map(({ seat, action }) => ({ seat, action }));

/** The log's times are milliseconds since the start, never going back. */
function assertTimes(steps: LoggedStep[], startedAt: number, endedAt: number) {
  let last = 0;
  for (const s of steps) {
    assert.ok(s.t >= last, `step times never go back (${s.t} after ${last})`);
    last = s.t;
  }
  assert.ok(last <= endedAt - startedAt, "every step is within the match");
}

// ---------------------------------------------------------------- TicTacToe

/**
 * Plays {@link topRowMoves} from move `from` up to `to` (default: the last, and then waits
 * for the game over); `winnerOpens` defaults to who is on turn now. Resolves with what was sent.
 */
async function topRowWin(winner: Seated<Ttt>, loser: Seated<Ttt>, seats: Map<string, number>, options: { winnerOpens?: boolean; from?: number; to?: number } = {}): Promise<Sent[]> {
  const moves = topRowMoves(winner, loser, options.winnerOpens ?? winner.state.currentTurn === winner.id);
  const sent: Sent[] = [];
  for (const [p, row, col] of moves.slice(options.from ?? 0, options.to)) {
    await tttMove(p, [winner, loser], row, col);
    sent.push({ seat: seats.get(p.id)!, action: { type: "make_move", row, col } });
  }
  if (options.to === undefined) await allSee([winner, loser], (p) => p.state.phase === "over", "the game over");
  return sent;
}

/** A TicTacToe room through `server`: `a` creates it (X, seat 0), `b` joins; each signed in when given a guest. Either may open. */
async function ticTacToe(server: ServerProcess, a: { name: string; as?: Guest }, b: { name: string; as?: Guest }) {
  const pa = await joinAs<Ttt>(server, "create", "tictactoe", { name: a.name }, a.as);
  const pb = await joinAs<Ttt>(server, "joinById", pa.room.roomId, { name: b.name }, b.as);
  await allSee([pa, pb], (p) => p.state.phase === "playing", "the game start");
  return { pa, pb, seats: new Map([[pa.id, 0], [pb.id, 1]]) };
}

// ---------------------------------------------------------------- Dice

const diceOf = (p: Seated<Dc>) => Array.from(p.state.dice);
const onTable = (p: Seated<Dc>) => diceOf(p).some((d) => d !== 0);

/**
 * `cur` (on turn) plays one Dice turn the simple way: roll; unless that busts, keep every
 * scoring die and bank. Records what it sent in `sent` and the dice every watcher saw
 * after the roll in `rolls`; resolves true when the roll busted.
 */
async function diceTurn(cur: Seated<Dc>, watchers: Seated<Dc>[], seats: Map<string, number>, sent: Sent[], rolls: number[][]): Promise<boolean> {
  const seat = seats.get(cur.id)!;
  assert.ok(!onTable(cur) && cur.state.phase === "playing" && cur.state.currentTurn === cur.id, "a turn starts from an empty table");
  cur.send("roll");
  sent.push({ seat, action: { type: "roll" } });
  await allSee(watchers, (p) => p.state.phase !== "playing" || onTable(p), "the roll");
  const seen = watchers.map(diceOf);
  for (const d of seen) assert.deepEqual(d, seen[0], "every player sees the same dice");
  rolls.push(seen[0]!);
  if ((cur.state.phase as string) === "busted") {
    await allSee(watchers, (p) => p.state.phase === "playing" && p.state.currentTurn !== cur.id, "the turn passing after the bust");
    return true;
  }
  const keep = keepers(diceOf(cur));
  for (const index of keep) {
    cur.send("select", { index });
    sent.push({ seat, action: { type: "select", index } });
  }
  await allSee(watchers, (p) => Array.from(p.state.selected).join(",") === keep.join(","), "the selection");
  cur.send("set_aside", { endTurn: true });
  sent.push({ seat, action: { type: "set_aside", endTurn: true } });
  await allSee(watchers, (p) => p.state.currentTurn !== cur.id || p.state.phase === "over", "the turn banked");
  return false;
}

// ---------------------------------------------------------------- Owe Drahn

const odSeat = (p: Seated<Od>, id: string) => p.state.players.find((s) => s.id === id)!;

describe("Match results recorded end to end: signed-in players, real server processes (src/players, src/rooms/game-records.ts)", function () {
  this.timeout(60000);

  describe("one server process on its embedded database", () => {
    let server: ServerProcess;
    const open: Seated<unknown>[] = [];
    const track = <S>(...ps: Seated<S>[]) => (open.push(...(ps as Seated<unknown>[])), ps);

    before(async function () {
      // Leaderboards from one game up (the default is five).
      server = await startServer({ redisUrl: "", env: { ...GAME_ENV, RNG_SEED: SEED, LEADERBOARD_MIN_GAMES: "1" } });
    });
    afterEach(async function () {
      if (this.currentTest?.state === "failed") console.log(`--- server log:\n${server.lines.slice(-40).join("\n")}\n${server.stderr().slice(-2000)}`);
      await Promise.all(open.splice(0).map((p) => Promise.race([p.room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
    });
    after(async () => {
      await stopAllServers();
    });

    it("TicTacToe: recorded once; seats, names, placements, won/lost, ratings (winner up, loser down) and every move in order", async () => {
      const ada = await guest(server, "Ada");
      const bob = await guest(server, "Bob");
      const before = [await profile(server, ada.id), await profile(server, bob.id)];
      assert.deepEqual(before[0]!.stats, {}, "a new guest has no stats");
      const recordedBefore = await metric(server, RECORDED);

      const { pa, pb, seats } = await ticTacToe(server, { name: "Ada", as: ada }, { name: "Bob", as: bob });
      track(pa, pb);
      const sent = await topRowWin(pa, pb, seats);
      assert.equal(pa.state.winner, pa.id);

      const id = await newMatchOf(server, ada, before[0]!);
      const [pAda, pBob] = await recordedOnceFor(server, "tictactoe", id, [ada, bob], before);
      const m = await matchRecord(server, id);
      assert.equal(m.id, id);
      assert.equal(m.game, "tictactoe");
      assert.equal(m.rated, true, "both seats signed in: rated");
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: 1 },
        { seat: 1, userId: bob.id, name: "Bob", placement: 2 },
      ]);
      assert.deepEqual(m.result, { reason: "won", name: "Ada" });
      assert.ok(m.startedAt <= m.endedAt);
      // The log: the five moves in order, no dice; it starts from the empty board.
      assert.deepEqual(
        m.log.steps.map(({ seat, action }) => ({ seat, action })),
        sent,
      );
      assert.ok(m.log.steps.every((s) => s.rng === undefined && s.dice === undefined), "TicTacToe draws nothing");
      assert.deepEqual((m.log.initial as { board: string[] }).board, Array(9).fill(""), "the log starts from the empty board");
      assertTimes(m.log.steps, m.startedAt, m.endedAt);
      // The profiles list it with each player's placement.
      assert.equal(pAda!.matches[0]!.id, id);
      assert.equal(pAda!.matches[0]!.placement, 1);
      assert.equal(pBob!.matches[0]!.placement, 2);
      assert.deepEqual(pAda!.matches[0]!.players, m.players);

      const a = statsOf(pAda!, "tictactoe");
      const b = statsOf(pBob!, "tictactoe");
      assert.deepEqual({ ...a, rating: 0 }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 1, rating: 0 });
      assert.deepEqual({ ...b, rating: 0 }, { played: 1, won: 0, lost: 1, drawn: 0, rated: 1, rating: 0 });
      assert.ok(a.rating > INITIAL_RATING, `the winner's rating rose: ${a.rating}`);
      assert.ok(b.rating < INITIAL_RATING, `the loser's rating fell: ${b.rating}`);
      await metricIs(server, RECORDED, recordedBefore + 1);
    });

    it("Dice (two signed-in players): recorded once, winner 1st, ratings move; the log holds every move in order, and each roll the dice the players saw", async () => {
      const ada = await guest(server, "Ada");
      const bob = await guest(server, "Bob");
      const guests = [ada, bob];
      const before = [await profile(server, ada.id), await profile(server, bob.id)];
      const pa = await joinAs<Dc>(server, "create", "dice", { name: "Ada", targetScore: 1000 }, ada);
      const pb = await joinAs<Dc>(server, "joinById", pa.room.roomId, { name: "Bob" }, bob);
      const ps = track(pa, pb);
      const seats = new Map([[pa.id, 0], [pb.id, 1]]);
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== "", "the game start");

      const sent: Sent[] = [];
      const rolls: number[][] = [];
      let busts = 0;
      for (let turn = 0; pa.state.phase !== "over"; turn++) {
        assert.ok(turn < 300, "the game ends within 300 turns");
        const cur = ps.find((p) => p.id === pa.state.currentTurn)!;
        if (await diceTurn(cur, ps, seats, sent, rolls)) busts++;
      }
      await allSee(ps, (p) => p.state.phase === "over", "the game over");
      const winnerAt = seats.get(pa.state.winner)!;
      assert.ok(winnerAt === 0 || winnerAt === 1, "a seated player won");

      const id = await newMatchOf(server, ada, before[0]!);
      const after = await recordedOnceFor(server, "dice", id, guests, before);
      const m = await matchRecord(server, id);
      assert.equal(m.rated, true);
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: winnerAt === 0 ? 1 : 2 },
        { seat: 1, userId: bob.id, name: "Bob", placement: winnerAt === 1 ? 1 : 2 },
      ]);
      assert.deepEqual(m.result, { reason: "won", name: guests[winnerAt]!.name });

      // Every move the players sent, in order; between them only the end of each bust pause, the rules' own step.
      assert.deepEqual(playerSteps(m.log.steps), sent);
      const system = m.log.steps.filter((s) => s.seat < 0);
      assert.equal(system.length, busts, `one system step per bust (${busts})`);
      for (const s of system) assert.equal(s.action.type, "end_bust");
      // Each roll carries the dice drawn, which are the dice the players saw; no other step draws anything.
      assert.deepEqual(
        m.log.steps.filter((s) => s.action.type === "roll").map((s) => s.dice),
        rolls,
      );
      assert.ok(m.log.steps.every((s) => s.rng === undefined), "no draw other than dice during the game");
      assert.ok(m.log.steps.filter((s) => s.action.type !== "roll").every((s) => s.dice === undefined), "only rolls draw dice");
      assertTimes(m.log.steps, m.startedAt, m.endedAt);

      const [w, l] = winnerAt === 0 ? [after[0]!, after[1]!] : [after[1]!, after[0]!];
      assert.deepEqual({ ...statsOf(w, "dice"), rating: 0 }, { played: 1, won: 1, lost: 0, drawn: 0, rated: 1, rating: 0 });
      assert.deepEqual({ ...statsOf(l, "dice"), rating: 0 }, { played: 1, won: 0, lost: 1, drawn: 0, rated: 1, rating: 0 });
      assert.ok(statsOf(w, "dice").rating > INITIAL_RATING, "the winner's rating rose");
      assert.ok(statsOf(l, "dice").rating < INITIAL_RATING, "the loser's rating fell");
    });

    it("Owe Drahn with three signed-in players: placed by elimination order (first out 3rd, second out 2nd, the last standing 1st), rated in that order; rolls carry their die", async () => {
      const names = ["Anna", "Bert", "Cleo"];
      const guests: Guest[] = [];
      for (const n of names) guests.push(await guest(server, n));
      const before: Profile[] = [];
      for (const g of guests) before.push(await profile(server, g.id));
      const a = await joinAs<Od>(server, "create", "owedrahn", { name: "Anna" }, guests[0]);
      const b = await joinAs<Od>(server, "joinById", a.room.roomId, { name: "Bert" }, guests[1]);
      const c = await joinAs<Od>(server, "joinById", a.room.roomId, { name: "Cleo" }, guests[2]);
      const ps = track(a, b, c);
      const seats = new Map(ps.map((p, i) => [p.id, i]));
      await allSee(ps, (p) => p.state.players.length === 3, "three seats");
      for (const p of ps) p.send("ready", { ready: true });
      await allSee(ps, (p) => p.state.phase === "playing" && p.state.currentTurn !== "", "the game start");

      const sent: Sent[] = [];
      const out: string[] = [];
      let gaveLife = false;
      for (let step = 0; a.all("gameOver").length === 0; step++) {
        assert.ok(step < 300, "the game ends within 300 steps");
        const cur = ps.find((p) => p.id === a.state.currentTurn && p.state.phase === "playing");
        if (!cur) {
          // The game just ended: its gameOver message may be a moment behind the last roll's.
          await allSee(ps, (p) => p.all("gameOver").length === 1, "the game over");
          break;
        }
        const seat = seats.get(cur.id)!;
        if (!gaveLife && a.state.currentValue >= 10 && odSeat(a, cur.id).life > 1) {
          // Once: "owe drahn" (a life for a fresh total), then the chooser names who plays next.
          cur.send("lose_life");
          sent.push({ seat, action: { type: "lose_life" } });
          await allSee(ps, (p) => odSeat(p, cur.id).choosing, "the chooser choosing");
          const next = ps.find((p) => p !== cur && odSeat(a, p.id).life > 0)!;
          cur.send("choose_next", { playerId: next.id });
          sent.push({ seat, action: { type: "choose_next", playerId: next.id } });
          await allSee(ps, (p) => p.state.currentTurn === next.id && !odSeat(p, cur.id).choosing, "the chosen player's turn");
          gaveLife = true;
          continue;
        }
        const rolled = a.all("rolled").length;
        cur.send("roll");
        sent.push({ seat, action: { type: "roll" } });
        await allSee(ps, (p) => p.all("rolled").length === rolled + 1, "the roll");
        const roll = a.all("rolled")[rolled] as { playerId: string; die: number; total: number };
        if (roll.total > 15) out.push(roll.playerId);
      }
      await allSee(ps, (p) => p.all("gameOver").length === 1, "the game over");
      assert.ok(gaveLife, "a total of 10 always comes before the first bust: someone said owe drahn");
      const winner = a.all("gameOver")[0].winnerId as string;
      assert.equal(out.length, 2, "two players busted");
      assert.ok(!out.includes(winner));
      const placeOf = (id: string) => (id === winner ? 1 : id === out[1] ? 2 : 3);

      const id = await newMatchOf(server, guests[0]!, before[0]!);
      const after = await recordedOnceFor(server, "owedrahn", id, guests, before);
      const m = await matchRecord(server, id);
      assert.equal(m.rated, true);
      assert.deepEqual(
        m.players,
        ps.map((p, i) => ({ seat: i, userId: guests[i]!.id, name: names[i], placement: placeOf(p.id) })),
      );
      assert.deepEqual(m.result, { reason: "won", name: names[seats.get(winner)!] });
      assert.deepEqual(playerSteps(m.log.steps), sent, "every move after the start, in order");
      assert.equal(m.log.steps.length, sent.length, "no system step");
      assert.deepEqual(
        m.log.steps.filter((s) => s.action.type === "roll").map((s) => s.dice),
        a.all("rolled").map((r: { die: number }) => [r.die]),
        "each roll carries the die the players were told",
      );
      assert.ok(m.log.steps.every((s) => s.rng === undefined), "no draw other than dice during the game");
      assert.ok(m.log.steps.filter((s) => s.action.type !== "roll").every((s) => s.dice === undefined), "only rolls draw dice");
      assertTimes(m.log.steps, m.startedAt, m.endedAt);

      const rating = (i: number) => statsOf(after[i]!, "owedrahn");
      const byPlace = [winner, out[1]!, out[0]!].map((pid) => rating(seats.get(pid)!));
      assert.deepEqual(
        byPlace.map((s) => [s.played, s.won, s.lost, s.drawn]),
        [
          [1, 1, 0, 0],
          [1, 0, 1, 0],
          [1, 0, 1, 0],
        ],
      );
      assert.ok(byPlace[0]!.rating > INITIAL_RATING, `the winner's rating rose: ${byPlace[0]!.rating}`);
      assert.ok(byPlace[2]!.rating < INITIAL_RATING, `the first out's rating fell: ${byPlace[2]!.rating}`);
      assert.ok(byPlace[0]!.rating > byPlace[1]!.rating && byPlace[1]!.rating > byPlace[2]!.rating, `ratings in placement order: ${byPlace.map((s) => s.rating).join(", ")}`);
    });

    it("the leaderboard, read just before a game, shows its result about a second after it is recorded, however many read it meanwhile (the server keeps each game's leaderboard, src/players/leaderboards.ts)", async () => {
      const board = async () => (await getJson<{ entries: { userId: string; won: number }[] }>(server, "/api/leaderboard/tictactoe")).entries;
      const ada = await guest(server, "Ada");
      const bob = await guest(server, "Bob");
      const before = await profile(server, ada.id);
      const wonBefore = (await board()).find((e) => e.userId === ada.id)?.won ?? 0;
      const { pa, pb, seats } = await ticTacToe(server, { name: "Ada", as: ada }, { name: "Bob", as: bob });
      track(pa, pb);
      await board(); // read (and kept) while the game runs
      await topRowWin(pa, pb, seats);
      await newMatchOf(server, ada, before); // recorded
      const recordedAt = Date.now();
      let requests = 0;
      await eventually(
        async () => {
          const entries = await Promise.all(Array.from({ length: 10 }, () => (requests++, board())));
          return entries.every((e) => e.find((x) => x.userId === ada.id)?.won === wonBefore + 1);
        },
        "Ada's win on the leaderboard",
        3000,
      );
      const ms = Date.now() - recordedAt;
      assert.ok(ms < 2500, `shown ${ms} ms after it was recorded (kept leaderboards are read again a second after a result, not ten)`);
      assert.ok(requests >= 10);
    });

    it("TicTacToe against a program without a token: the signed-in player's game counts, no rating changes (rated: false)", async () => {
      const ada = await guest(server, "Ada");
      const before = await profile(server, ada.id);
      const { pa, pb, seats } = await ticTacToe(server, { name: "Ada", as: ada }, { name: "Bot program" });
      track(pa, pb);
      const sent = await topRowWin(pa, pb, seats);

      const id = await newMatchOf(server, ada, before);
      const [after] = await recordedOnceFor(server, "tictactoe", id, [ada], [before]);
      const m = await matchRecord(server, id);
      assert.equal(m.rated, false, "a seat without an identity: not rated");
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: 1 },
        { seat: 1, userId: null, name: "Bot program", placement: 2 },
      ]);
      assert.deepEqual(playerSteps(m.log.steps), sent);
      assert.deepEqual(statsOf(after!, "tictactoe"), { played: 1, won: 1, lost: 0, drawn: 0, rated: 0, rating: INITIAL_RATING }, "won, rating untouched");
    });

    it("Dice against the server's bot: the signed-in player's game counts, no rating changes; the bot's seat has no identity", async () => {
      const ada = await guest(server, "Ada");
      const before = await profile(server, ada.id);
      // No name option: a signed-in player plays under their profile's name.
      const pa = await joinAs<Dc>(server, "create", "dice", { targetScore: 1000 }, ada);
      track(pa);
      pa.send("add_bot");
      await pa.until(() => pa.state.phase === "playing" && pa.state.players.size === 2, "the game against the bot");
      const botId = [...pa.state.players.keys()].find((k) => k !== pa.id)!;
      const botName = pa.state.players.get(botId)!.name;
      assert.equal(pa.state.players.get(botId)!.isBot, true);
      assert.equal(pa.state.players.get(pa.id)!.name, "Ada", "the profile's name");
      const seats = new Map([[pa.id, 0], [botId, 1]]);

      const sent: Sent[] = [];
      for (let step = 0; pa.state.phase !== "over"; step++) {
        assert.ok(step < 400, "the game ends within 400 steps");
        if (pa.state.currentTurn === pa.id && pa.state.phase === "playing") {
          await diceTurn(pa, [pa], seats, sent, []);
        } else {
          const turn = pa.state.currentTurn;
          await pa.until(() => (pa.state.currentTurn === pa.id && pa.state.phase === "playing") || pa.state.phase === "over", `the bot's turn (${turn}) ending`, 10000);
        }
      }
      const adaWon = pa.state.winner === pa.id;

      const id = await newMatchOf(server, ada, before);
      const [after] = await recordedOnceFor(server, "dice", id, [ada], [before]);
      const m = await matchRecord(server, id);
      assert.equal(m.rated, false, "a bot's seat: not rated");
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: adaWon ? 1 : 2 },
        { seat: 1, userId: null, name: botName, placement: adaWon ? 2 : 1 },
      ]);
      assert.deepEqual(
        playerSteps(m.log.steps).filter((s) => s.seat === 0),
        sent,
        "Ada's moves in order",
      );
      assert.ok(m.log.steps.some((s) => s.seat === 1 && s.action.type === "roll"), "the bot's moves are logged under its seat");
      assert.deepEqual(statsOf(after!, "dice"), { played: 1, won: adaWon ? 1 : 0, lost: adaWon ? 0 : 1, drawn: 0, rated: 0, rating: INITIAL_RATING }, "counted, rating untouched");
      // Nor is it a rated game for the leaderboard (1 game lists a player here): past the
      // second a kept leaderboard takes to be read again, she is not on it. Until 2026-12-05
      // she was, at a new player's 0.0 (above anyone rated below that).
      await new Promise((r) => setTimeout(r, 2500));
      const board = await getJson<{ minGames: number; entries: { userId: string }[] }>(server, "/api/leaderboard/dice");
      assert.equal(board.minGames, 1);
      assert.ok(!board.entries.some((e) => e.userId === ada.id), `not listed: ${JSON.stringify(board.entries)}`);
    });

    it("a game where nobody has a token records nothing", async () => {
      const recordedBefore = await metric(server, RECORDED);
      const { pa, pb, seats } = await ticTacToe(server, { name: "Prog A" }, { name: "Prog B" });
      track(pa, pb);
      await topRowWin(pa, pb, seats);
      // Then a signed-in game on the same server: once it is recorded, anything queued before it would have been too (one queue, in order).
      const ada = await guest(server, "Ada");
      const before = await profile(server, ada.id);
      const next = await ticTacToe(server, { name: "Ada", as: ada }, { name: "Prog C" });
      track(next.pa, next.pb);
      await topRowWin(next.pa, next.pb, next.seats);
      await newMatchOf(server, ada, before);
      await metricIs(server, RECORDED, recordedBefore + 1);
      assert.equal(await metric(server, "match_results_backlog"), 0);
      assert.deepEqual(
        server.logs().filter((l) => l.level >= 50).map((l) => l.msg),
        [],
        "no error logged",
      );
    });
  });

  describe("high availability: two processes, Redis snapshots, one shared PostgreSQL", () => {
    let pg: TestPostgres;
    before(async function () {
      pg = await startPostgres();
    });
    after(async () => {
      await pg?.stop();
    });
    const suite = failoverSuite({ ...FAILOVER_ENV, ...GAME_ENV });

    it("TicTacToe signed in, 2 moves, SIGKILL of the owner, resumed on the survivor and finished: recorded exactly once with every move before and after the crash", async () => {
      const [p0, p1] = await suite.start(2, { DATABASE_URL: pg.url, SNAPSHOTS: "on" });
      const ada = await guest(p0!, "Ada");
      const bob = await guest(p1!, "Bob");
      const before = [await profile(p0!, ada.id), await profile(p0!, bob.id)];
      const pa = await joinAs<Ttt>(p0!, "create", "tictactoe", { name: "Ada" }, ada);
      const pb = await joinAs<Ttt>(p0!, "joinById", pa.room.roomId, { name: "Bob" }, bob);
      suite.track(pa, pb);
      await allSee([pa, pb], (p) => p.state.phase === "playing", "the game start");
      const seats = new Map([[pa.id, 0], [pb.id, 1]]);
      const adaOpens = pa.state.currentTurn === pa.id;
      const sent = await topRowWin(pa, pb, seats, { winnerOpens: adaOpens, to: 2 });

      const killedAt = Date.now();
      const { owner, survivor, before: states, resumed } = await suite.killAndResume([pa, pb]);
      await suite.sameStateOnceAllBack(resumed, states);
      const [ra, rb] = resumed as [Seated<Ttt>, Seated<Ttt>];
      assert.equal(ra.id, pa.id, "the same seats");
      sent.push(...(await topRowWin(ra, rb, seats, { winnerOpens: adaOpens, from: 2 })));
      assert.equal(ra.state.winner, ra.id);

      const id = await newMatchOf(survivor, ada, before[0]!);
      await recordedOnceFor(survivor, "tictactoe", id, [ada, bob], before);
      const m = await matchRecord(survivor, id);
      assert.equal(m.rated, true);
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: 1 },
        { seat: 1, userId: bob.id, name: "Bob", placement: 2 },
      ]);
      assert.ok(m.startedAt < killedAt, "the match started on the process that died");
      assert.deepEqual(
        m.log.steps.map(({ seat, action }) => ({ seat, action })),
        sent,
        "all five moves, before and after the crash, in order",
      );
      assertTimes(m.log.steps, m.startedAt, m.endedAt);
      await metricIs(survivor, RECORDED, 1);
      assert.ok(owner.exited, "the owner is gone");
      // Still exactly once a moment later (nothing else is queued anywhere to record it again).
      await new Promise((r) => setTimeout(r, 500));
      await recordedOnceFor(survivor, "tictactoe", id, [ada, bob], before);
      assert.equal(await metric(survivor, "match_results_backlog"), 0);
    });

    it("after a takeover the room still knows who is signed in: a rematch played on the survivor is recorded for the same two players", async () => {
      const [p0] = await suite.start(2, { DATABASE_URL: pg.url, SNAPSHOTS: "on" });
      const ada = await guest(p0!, "Ada");
      const bob = await guest(p0!, "Bob");
      const before = [await profile(p0!, ada.id), await profile(p0!, bob.id)];
      const pa = await joinAs<Ttt>(p0!, "create", "tictactoe", { name: "Ada" }, ada);
      const pb = await joinAs<Ttt>(p0!, "joinById", pa.room.roomId, { name: "Bob" }, bob);
      suite.track(pa, pb);
      await allSee([pa, pb], (p) => p.state.phase === "playing", "the game start");
      const adaOpens = pa.state.currentTurn === pa.id;
      await topRowWin(pa, pb, new Map([[pa.id, 0], [pb.id, 1]]), { winnerOpens: adaOpens, to: 1 });
      const { survivor, before: states, resumed } = await suite.killAndResume([pa, pb]);
      await suite.sameStateOnceAllBack(resumed, states);
      const [ra, rb] = resumed as [Seated<Ttt>, Seated<Ttt>];
      const seats = new Map([[ra.id, 0], [rb.id, 1]]);
      await topRowWin(ra, rb, seats, { winnerOpens: adaOpens, from: 1 });
      const first = await newMatchOf(survivor, ada, before[0]!);
      const middle = await recordedOnceFor(survivor, "tictactoe", first, [ada, bob], before);

      // A rematch in the restored room (its opener drawn there); Bob takes the top row.
      for (const p of [ra, rb]) p.send("rematch");
      await allSee([ra, rb], (p) => p.state.phase === "playing" && p.state.board.every((c) => c === ""), "the rematch");
      const sent = await topRowWin(rb, ra, seats);
      assert.equal(ra.state.winner, rb.id);
      const second = await newMatchOf(survivor, ada, middle[0]!);
      assert.notEqual(second, first);
      await recordedOnceFor(survivor, "tictactoe", second, [ada, bob], middle);
      const m = await matchRecord(survivor, second);
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: 2 },
        { seat: 1, userId: bob.id, name: "Bob", placement: 1 },
      ], "the rematch's seats carry the players' identities");
      assert.equal(m.rated, true);
      assert.deepEqual(playerSteps(m.log.steps), sent);
    });

    it("Dice against the bot, the signed-in player quits mid-game: the room closes at once, and the match is recorded all the same (a loss, unrated)", async () => {
      const [p0] = await suite.start(1, { DATABASE_URL: pg.url, SNAPSHOTS: "on" });
      const ada = await guest(p0!, "Ada");
      const before = await profile(p0!, ada.id);
      const pa = await joinAs<Dc>(p0!, "create", "dice", { name: "Ada" }, ada);
      suite.track(pa);
      pa.send("add_bot");
      await pa.until(() => pa.state.phase === "playing" && pa.state.players.size === 2, "the game against the bot");
      const botName = [...pa.state.players.values()].find((x) => x.isBot)!.name;
      await pa.room.leave(true);
      await p0!.logged((l) => l.msg === "room disposed" && l.roomId === pa.room.roomId, "the room disposed", 5000);
      const id = await newMatchOf(p0!, ada, before);
      const [after] = await recordedOnceFor(p0!, "dice", id, [ada], [before]);
      const m = await matchRecord(p0!, id);
      assert.deepEqual(m.players, [
        { seat: 0, userId: ada.id, name: "Ada", placement: 2 },
        { seat: 1, userId: null, name: botName, placement: 1 },
      ], "the one who quit is placed last");
      assert.equal(m.rated, false);
      assert.deepEqual(playerSteps(m.log.steps).at(-1), { seat: 0, action: { type: "leave" } }, "the log ends with the leave");
      assert.deepEqual(statsOf(after!, "dice"), { played: 1, won: 0, lost: 1, drawn: 0, rated: 0, rating: INITIAL_RATING });
    });

    it("a stalled owner (SIGSTOP) that wakes up after the takeover and applies a move still in its socket records nothing: the result is the one the players played on the survivor", async () => {
      const [p0] = await suite.start(2, { DATABASE_URL: pg.url, SNAPSHOTS: "on" });
      const ada = await guest(p0!, "Ada");
      const bob = await guest(p0!, "Bob");
      const before = [await profile(p0!, ada.id), await profile(p0!, bob.id)];
      const pa = await joinAs<Ttt>(p0!, "create", "tictactoe", { name: "Ada" }, ada);
      const pb = await joinAs<Ttt>(p0!, "joinById", pa.room.roomId, { name: "Bob" }, bob);
      suite.track(pa, pb);
      await allSee([pa, pb], (p) => p.state.phase === "playing", "the game start");
      const seats = new Map([[pa.id, 0], [pb.id, 1]]);
      const sent: Sent[] = [];
      // Whoever opened (drawn) is "f" and about to win on the top row; "s" holds the middle row.
      const adaOpens = pa.state.currentTurn === pa.id;
      const [f, s] = adaOpens ? [pa, pb] : [pb, pa];
      const sName = adaOpens ? "Bob" : "Ada";
      for (const [p, row, col] of [[f, 0, 0], [s, 1, 0], [f, 0, 1], [s, 1, 1]] as const) {
        await tttMove(p, [pa, pb], row, col);
        sent.push({ seat: seats.get(p.id)!, action: { type: "make_move", row, col } });
      }
      const owner = suite.processes.find((p) => p.port === Number(new URL(pa.room.connection.url!).port))!;
      const survivor = suite.processes.find((p) => p !== owner)!;
      const states = [pa, pb].map(snapshotOf);
      const tokens = [pa.token(), pb.token()];

      owner.kill("SIGSTOP");
      // f's winning move reaches the stalled process's socket; nobody will ever see it applied.
      f.send("make_move", { row: 0, col: 2 });
      await survivor.logged((l) => l.msg === "room restored" && l.roomId === pa.room.roomId, "the survivor restoring the room", 15000);
      // Woken up, the stalled process may hear first from Redis (its check's fence, due at
      // once) or from Ada's socket: either order happens. Redis holds every answer for 500 ms,
      // so the stalled copy reads the move, and ends its game, before it can learn it was taken over.
      await suite.redis.call("CLIENT", "PAUSE", "500", "ALL");
      owner.kill("SIGCONT");
      await Promise.all([pa, pb].map((p) => p.until(() => p.left !== undefined, "the stalled copy closing", 10000)));
      // Its log lines come through another pipe than the players' sockets: they may arrive just after the close.
      await owner.logged((l) => l.roomId === pa.room.roomId && /taken over by another process/.test(l.msg), "the stalled copy knowing it was taken over", 5000);
      assert.ok(owner.logs().some((l) => l.roomId === pa.room.roomId && l.msg === "game over"), "the stalled copy applied f's winning move (and ended its game) before it knew");
      // Time for anything the stalled process queued to reach the database.
      await new Promise((r) => setTimeout(r, 1000));

      const back = await Promise.all(tokens.map((t) => resume<Ttt>(t, survivor)));
      const [ra, rb] = back.map((b) => b.player) as [Seated<Ttt>, Seated<Ttt>];
      suite.track(ra, rb);
      await suite.sameStateOnceAllBack([ra, rb], states);
      // On the survivor f plays elsewhere, and s completes the middle row.
      const [rf, rs] = adaOpens ? [ra, rb] : [rb, ra];
      await tttMove(rf, [ra, rb], 2, 2);
      sent.push({ seat: seats.get(f.id)!, action: { type: "make_move", row: 2, col: 2 } });
      await tttMove(rs, [ra, rb], 1, 2);
      sent.push({ seat: seats.get(s.id)!, action: { type: "make_move", row: 1, col: 2 } });
      await allSee([ra, rb], (p) => p.state.phase === "over" && p.state.winner === rs.id, `${sName} winning`);

      const id = await newMatchOf(survivor, ada, before[0]!);
      await recordedOnceFor(survivor, "tictactoe", id, [ada, bob], before);
      const m = await matchRecord(survivor, id);
      assert.deepEqual(m.result, { reason: "won", name: sName }, "the result the players saw");
      assert.deepEqual(
        m.players.map((p) => [p.name, p.placement]),
        [
          ["Ada", adaOpens ? 2 : 1],
          ["Bob", adaOpens ? 1 : 2],
        ],
      );
      assert.deepEqual(playerSteps(m.log.steps), sent, "the moves the players saw, not the stalled copy's");
      assert.equal(statsOf((await profile(survivor, (adaOpens ? bob : ada).id)), "tictactoe").won, 1, `${sName} won`);
    });
  });
});
