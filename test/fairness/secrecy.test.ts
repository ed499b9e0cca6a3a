/**
 * Provably fair dice over the wire (src/fairness, GameRoom): a real server process with no
 * RNG_SEED (so its rooms roll from committed seeds) and real `@colyseus/sdk` clients, every
 * raw frame each client receives captured before the SDK decodes it.
 *
 * Owe Drahn (two players and a spectator, two games) and Dice (a player against a bot) are
 * played to the end, and:
 * - no frame a client receives before the game's end holds its server seed: not as hex (either
 *   case), not as base64, not as its 32 raw bytes; the first frame that does is the patch
 *   that ends the game;
 * - the commitment is in the state (64 hex) from the first state on, never changes during the
 *   game, and is the SHA-256 of the seed revealed;
 * - the reveal (`state.fairness.seed` and the `fairnessRevealed` event) gives the seed and the
 *   client seeds, and re-deriving every roll from them (src/fairness/dice.ts `rollFaces`)
 *   gives exactly the dice the clients saw in the state (and in the `rolled` events);
 * - `client_seed` before the start counts (in seat order, the last one sent), after the start
 *   is refused with NOT_ALLOWED and changes nothing, with a bad payload INVALID_PAYLOAD, and
 *   from a spectator NOT_A_PLAYER.
 */
import "../../src/polyfills.js";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Client, Protocol, Room as SdkRoom } from "@colyseus/sdk";
import { startServer, stopAllServers, type ServerProcess } from "../helpers/cluster.js";
import { seated, type Seated } from "../helpers/failover.js";
import { firstSeat, rollFaces } from "../../src/fairness/dice.js";
import { verifyMatch } from "../../src/fairness/verify.js";
import type { DiceState as Dc } from "../../src/schema/DiceState.js";
import type { OweDrahnState as Od } from "../../src/schema/OweDrahnState.js";
import type { FairnessState } from "../../src/schema/FairnessState.js";
import { fewKeepers, keepers } from "../helpers/dice-picks.js";

const ENV = {
  BUST_DELAY_MS: "40",
  BOT_DELAY_MS: "5",
  GAME_OVER_DELAY_MS: "150",
  MESSAGES_PER_SECOND: "500",
  MESSAGE_BURST: "500",
  LOG_LEVEL: "info",
};

const HEX64 = /^[0-9a-f]{64}$/;
/** How long a client waits for what the server must send (generous: other suites share the machine). */
const WAIT = 10_000;
/** The protocol code of a frame is its first byte's low bits (the rest are modifiers). */
const CODE_MASK = 0x1f;

/** What a client's state showed of a game at one moment. */
interface View {
  phase: string;
  /** Who is on turn. */
  currentTurn: string;
  commitment: string;
  seed: string;
  clientSeeds: string;
  next: string;
}

/** One raw frame a client received, and what its state showed before and after decoding it. */
interface Frame {
  bytes: Buffer;
  before?: View;
  after?: View;
}

/** A room's decoded state; undefined until the join frame brought its serializer. */
function stateOf(room: SdkRoom): unknown {
  try {
    return room.state;
  } catch {
    return undefined;
  }
}

/** Everything one client received and saw, frame by frame. */
class Watch {
  readonly frames: Frame[] = [];
  /** Every history entry the state ever held, by seq (the state keeps only the newest). */
  readonly history = new Map<number, [number, string, string, Record<string, unknown>?]>();
  /** Dice games: the faces on the table each time a roll put them there, in order. */
  readonly tableRolls: number[][] = [];
  private rolledShown = false;

  view(room: SdkRoom): View | undefined {
    const state = stateOf(room) as { phase?: string; currentTurn?: string; fairness?: FairnessState } | undefined;
    if (!state?.fairness) return undefined;
    const { commitment, seed, clientSeeds, next } = state.fairness;
    return { phase: String(state.phase), currentTurn: String(state.currentTurn ?? ""), commitment, seed, clientSeeds, next };
  }

  /** After each decoded frame: new history entries, and (Dice) a roll newly on the table. */
  observe(room: SdkRoom) {
    const state = stateOf(room) as { history?: Map<string, string>; dice?: Iterable<number>; phase?: string } | undefined;
    state?.history?.forEach((value: string, key: string) => {
      if (!this.history.has(Number(key))) this.history.set(Number(key), JSON.parse(value));
    });
    if (state?.dice) {
      // A roll fills every die on the table; setting aside, banking, a bust's end and a new turn all leave unrolled dice (0).
      const dice = Array.from(state.dice);
      const shown = dice.length > 0 && dice.every((d) => d !== 0) && (state.phase === "playing" || state.phase === "busted");
      if (shown && !this.rolledShown) this.tableRolls.push(dice);
      this.rolledShown = shown;
    }
  }

  /** The history's entries of `kind`, in order. */
  entries(kind: string) {
    return [...this.history.entries()].sort(([a], [b]) => a - b).filter(([, e]) => e[1] === kind).map(([, e]) => e);
  }
}

const watches = new WeakMap<SdkRoom, Watch>();
const watchOf = (room: SdkRoom) => {
  let w = watches.get(room);
  if (!w) watches.set(room, (w = new Watch()));
  return w;
};

/**
 * Hooks the SDK's frame handler: every binary frame any room receives is copied, with what
 * the state showed before and after the SDK decoded it. Installed before any client connects
 * (the connection binds the handler when it opens), removed at the end.
 */
const proto = SdkRoom.prototype as unknown as { onMessageCallback(event: { data: ArrayBuffer | Uint8Array | string }): void };
const originalOnMessage = proto.onMessageCallback;
function captureFrames() {
  proto.onMessageCallback = function (this: SdkRoom, event) {
    const watch = watchOf(this);
    const bytes = typeof event.data === "string" ? Buffer.from(event.data, "utf8") : Buffer.from(new Uint8Array(event.data as ArrayBuffer));
    const frame: Frame = { bytes, before: watch.view(this) };
    watch.frames.push(frame);
    originalOnMessage.call(this, event);
    frame.after = watch.view(this);
    watch.observe(this);
  };
}

/** Every form in which a 32-byte seed could travel. */
function seedForms(seedHex: string): { name: string; bytes: Buffer }[] {
  const raw = Buffer.from(seedHex, "hex");
  return [
    { name: "hex", bytes: Buffer.from(seedHex, "latin1") },
    { name: "HEX", bytes: Buffer.from(seedHex.toUpperCase(), "latin1") },
    { name: "raw bytes", bytes: raw },
    { name: "base64", bytes: Buffer.from(raw.toString("base64").replace(/=+$/, ""), "latin1") },
    { name: "base64url", bytes: Buffer.from(raw.toString("base64url"), "latin1") },
  ];
}

/**
 * The seed is in no frame `watch` received before the patch that ended its game (the
 * state patch that sets `fairness.seed`: the `fairnessRevealed` event comes after it). Returns the index of that patch.
 */
function assertSecretUntilTheEnd(who: string, watch: Watch, seedHex: string, endPhases: readonly string[]): number {
  const forms = seedForms(seedHex);
  const end = watch.frames.findIndex((f) => f.after?.seed === seedHex);
  assert.ok(end >= 0, `${who}: the state shows the seed at last`);
  const patch = watch.frames[end]!;
  assert.equal(patch.bytes[0]! & CODE_MASK, Protocol.ROOM_STATE_PATCH, `${who}: the seed comes with a state patch`);
  assert.ok(patch.bytes.includes(forms[0]!.bytes), `${who}: as hex`);
  assert.equal(patch.before?.phase, "playing", `${who}: the game was running until that patch`);
  assert.ok(endPhases.includes(patch.after!.phase), `${who}: the patch that reveals the seed ends the game (phase ${patch.after!.phase})`);
  assert.ok(end >= 5, `${who}: many frames came before the end (${end})`);

  for (const [i, f] of watch.frames.slice(0, end).entries()) {
    for (const form of forms) assert.ok(!f.bytes.includes(form.bytes), `${who}: frame ${i} of ${end} (before the end) holds the seed as ${form.name}`);
  }
  return end;
}

/**
 * The commitment `commitment` was in every state `watch` decoded from `from` until its
 * game's end (frame `end`): set from the first state on, never changed during the game.
 */
function assertCommittedThroughout(who: string, watch: Watch, commitment: string, from: number, end: number) {
  const views = watch.frames.slice(from, end).flatMap((f) => (f.after ? [f.after] : []));
  assert.ok(views.length > 0, `${who}: states before the end`);
  for (const v of views) assert.equal(v.commitment, commitment, `${who}: the commitment stays the same until the end`);
  assert.equal(watch.frames[end]!.after!.commitment, commitment, `${who}: the ending patch keeps the commitment it reveals`);
}

const sha256 = (hex: string) => createHash("sha256").update(Buffer.from(hex, "hex")).digest("hex");

/** The dice of each revealed roll, as the seeds give them (the check any player can make). */
function assertRollsDerive(reveal: Reveal, watch: Watch, from = 0) {
  const seed = Buffer.from(reveal.seed, "hex");
  for (const [n, faces] of reveal.rolls.entries()) assert.deepEqual(rollFaces(seed, reveal.clientSeeds, n, faces.length), faces, `roll ${n} is what the seeds give`);
  // Who moved first: the seat the seeds give, and the player the state showed on turn as the game began (and its history's start entry named).
  const seats = reveal.seats ?? [];
  assert.equal(seats.length, reveal.clientSeeds.split(":").length, "the reveal lists the game's seats, one per client seed");
  assert.equal(reveal.first, firstSeat(seed, reveal.clientSeeds, seats.length), "who moved first is the seat the seeds give");
  const began = watch.frames.slice(from).find((f) => f.after?.phase === "playing")!.after!;
  assert.equal(seats[reveal.first!], began.currentTurn, "and the player on turn as the game began");
  const starts = watch.entries("start");
  const start = (from === 0 ? starts[0] : starts.at(-1))!;
  assert.equal(start[3]?.first, began.currentTurn, "the history's start entry names who moves first");
  const verified = verifyMatch({ log: { steps: reveal.rolls.map((dice) => ({ dice })), fairness: reveal } });
  assert.deepEqual(verified, { ok: true, rolls: reveal.rolls.length, dice: reveal.rolls.flat().length, first: reveal.first });
}

interface Reveal {
  commitment: string;
  seed: string;
  clientSeeds: string;
  rolls: number[][];
  seats?: string[];
  first?: number;
}

interface ErrorReply {
  code: string;
  message: string;
}

/**
 * Sends what `send` sends, then an unknown message as a marker; messages are handled in
 * order, so once the marker's UNKNOWN_ACTION is back, every answer to what came before it
 * is too. Resolves with those answers (errors; an accepted client seed gets none), and the
 * frames that arrived meanwhile.
 */
async function answersTo<S>(p: Seated<S>, send: () => void): Promise<{ errors: ErrorReply[]; frames: Frame[] }> {
  const marker = `marker_${Math.random().toString(36).slice(2, 10)}`;
  const from = p.all("error").length;
  const framesFrom = watchOf(p.room).frames.length;
  send();
  p.send(marker);
  const isMarker = (e: ErrorReply) => e.code === "UNKNOWN_ACTION" && e.message.includes(marker);
  await p.until(() => (p.all("error").slice(from) as ErrorReply[]).some(isMarker), "the marker's answer", WAIT);
  const errors = p.all("error").slice(from) as ErrorReply[];
  const frames = watchOf(p.room).frames.slice(framesFrom);
  return { errors: errors.slice(0, errors.findIndex(isMarker)), frames: frames.slice(0, -1) };
}

const codes = (errors: ErrorReply[]) => errors.map((e) => e.code);
const isPatch = (f: Frame) => (f.bytes[0]! & CODE_MASK) === Protocol.ROOM_STATE_PATCH;

/** Bad `client_seed` payloads: too long, not a string, empty, not printable ASCII, holding ":", extra keys, none. */
const BAD_SEEDS: unknown[] = [{ seed: "x".repeat(65) }, { seed: 42 }, { seed: ["a"] }, { seed: "" }, { seed: "naïve" }, { seed: "line\nbreak" }, { seed: "one:two" }, { seed: "ok", extra: 1 }, undefined, "just-a-string"];

async function join<S>(server: ServerProcess, method: "create" | "joinById", target: string, options: Record<string, unknown>): Promise<Seated<S>> {
  const sdk = new Client(server.url);
  const room = method === "create" ? await sdk.create<S>(target, options) : await sdk.joinById<S>(target, options);
  const player = seated(room);
  await player.synced();
  return player;
}

const allSee = <S>(ps: Seated<S>[], predicate: (p: Seated<S>) => boolean, what: string, timeoutMs = WAIT) => Promise.all(ps.map((p) => p.until(() => predicate(p), what, timeoutMs)));

describe("Provably fair dice on the wire: the seed stays secret until the end, then checks out (real server, raw frames)", function () {
  this.timeout(60_000);
  let server: ServerProcess;
  const open: Seated<unknown>[] = [];
  const track = <S>(...ps: Seated<S>[]) => (open.push(...(ps as Seated<unknown>[])), ps);

  before(async () => {
    // Fairness is on only when the server rolls with its production RNG: no RNG_SEED.
    delete process.env.RNG_SEED;
    captureFrames();
    server = await startServer({ redisUrl: "", env: ENV });
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(`--- server log:\n${server.lines.slice(-40).join("\n")}\n${server.stderr().slice(-2000)}`);
    await Promise.all(open.splice(0).map((p) => Promise.race([p.room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
  });
  after(async () => {
    proto.onMessageCallback = originalOnMessage;
    await stopAllServers();
  });

  it("Owe Drahn, two players and a spectator, two games: seeds secret until each end, commitments kept, reveals re-derive every roll seen; client seeds in seat order, late or bad ones refused", async () => {
    const a = await join<Od>(server, "create", "owedrahn", { name: "Anna", maxPlayers: 2 });
    const b = await join<Od>(server, "joinById", a.room.roomId, { name: "Bert" });
    const spectator = await join<Od>(server, "joinById", a.room.roomId, { spectate: true });
    const everyone = track(a, b, spectator);
    const players = [a, b];
    await allSee(everyone, (p) => p.state.players.length === 2 && HEX64.test(p.state.fairness.commitment), "two seats and a commitment");
    const commitment1 = a.state.fairness.commitment;
    for (const p of everyone) {
      assert.equal(p.state.fairness.commitment, commitment1, "everyone sees the same commitment");
      assert.deepEqual([p.state.fairness.seed, p.state.fairness.clientSeeds, p.state.fairness.next], ["", "", ""], "nothing revealed before the first game");
      const firstState = watchOf(p.room).frames.find((f) => f.after)!;
      assert.equal(firstState.after!.commitment, commitment1, "the commitment is in the very first state a client gets");
    }

    // (d) Bad payloads: INVALID_PAYLOAD, one each. A spectator's seed: refused.
    for (const bad of BAD_SEEDS) {
      const { errors } = await answersTo(a, () => a.send("client_seed", bad));
      assert.deepEqual(codes(errors), ["INVALID_PAYLOAD"], `client_seed ${JSON.stringify(bad)}`);
      assert.match(errors[0]!.message, /client_seed/);
    }
    const fromSpectator = await answersTo(spectator, () => spectator.send("client_seed", { seed: "spectator seed" }));
    assert.deepEqual(codes(fromSpectator.errors), ["NOT_A_PLAYER"], "a spectator has no seed to give");

    // Valid seeds before the start: no answer. Bert (seat 1) sends first; Anna's second seed replaces her first. 64 printable characters is the longest.
    const annaSeed = "Anna's seed; ~!@#$%^&*() 0123456789 abcdefghijklmnopqrstuvwxyz.."; // 64
    assert.equal(annaSeed.length, 64);
    const bertSeed = "b";
    assert.deepEqual(codes((await answersTo(b, () => b.send("client_seed", { seed: bertSeed }))).errors), []);
    assert.deepEqual(codes((await answersTo(a, () => a.send("client_seed", { seed: "anna, first try" }))).errors), []);
    assert.deepEqual(codes((await answersTo(a, () => a.send("client_seed", { seed: annaSeed }))).errors), []);
    // A bad one after a good one changes nothing.
    assert.deepEqual(codes((await answersTo(a, () => a.send("client_seed", { seed: "y".repeat(65) }))).errors), ["INVALID_PAYLOAD"]);
    // Each seed taken is acknowledged to its sender only (what a page checks the reveal against).
    await a.until(() => a.all("clientSeedAccepted").length === 2, "Anna's seeds acknowledged", WAIT);
    await b.until(() => b.all("clientSeedAccepted").length === 1, "Bert's seed acknowledged", WAIT);
    assert.deepEqual(a.all("clientSeedAccepted"), [{ seed: "anna, first try" }, { seed: annaSeed }]);
    assert.deepEqual(b.all("clientSeedAccepted"), [{ seed: bertSeed }]);
    assert.deepEqual(spectator.all("clientSeedAccepted"), [], "the spectator's was refused");

    for (const p of players) p.send("ready", { ready: true });
    await allSee(everyone, (p) => p.state.phase === "playing" && p.state.currentTurn !== "", "the game start");
    assert.equal(a.state.fairness.commitment, commitment1, "the game starts under the commitment shown before it");

    // (d) After the start: NOT_ALLOWED, and nothing changes (no state patch, the same view).
    const late = await answersTo(a, () => a.send("client_seed", { seed: "too late" }));
    assert.deepEqual(codes(late.errors), ["NOT_ALLOWED"]);
    assert.equal(a.all("clientSeedAccepted").length, 2, "a refused seed is not acknowledged");
    assert.equal(late.frames.filter(isPatch).length, 0, "a refused client seed sends no state patch");
    assert.deepEqual([a.state.fairness.commitment, a.state.fairness.seed], [commitment1, ""]);

    const game1 = await playOweDrahn(players, everyone);
    const reveal1 = game1.reveal;
    assert.equal(reveal1.commitment, commitment1);
    assert.equal(reveal1.clientSeeds, `${annaSeed}:${bertSeed}`, "the client seeds in seat order, each player's last one, never the late one");
    assert.equal(sha256(reveal1.seed), commitment1, "the commitment is the SHA-256 of the seed");

    // (a)–(c) for every client, spectator included.
    const ends1 = new Map<Seated<Od>, number>();
    for (const [i, p] of everyone.entries()) {
      const who = ["Anna", "Bert", "the spectator"][i]!;
      const w = watchOf(p.room);
      const end = assertSecretUntilTheEnd(who, w, reveal1.seed, ["over"]);
      ends1.set(p, end);
      assertCommittedThroughout(who, w, commitment1, 0, end);
      assert.deepEqual(p.state.fairness.seed, reveal1.seed, `${who}: the state shows the seed`);
      assert.equal(p.state.fairness.clientSeeds, reveal1.clientSeeds);
      assert.match(p.state.fairness.next, HEX64, "and the next game's commitment");
      assert.notEqual(p.state.fairness.next, commitment1);
      assert.deepEqual(p.all("fairnessRevealed"), [reveal1], `${who}: one fairnessRevealed event, the same for everyone`);
      const seen = w.entries("roll").filter((e) => e[0] === 1).map((e) => [Number(e[3]!.die)]);
      assert.deepEqual(reveal1.rolls, seen, `${who}: the revealed rolls are the dice the state showed, in order`);
      assert.deepEqual(p.all("rolled").map((r: { die: number }) => [r.die]), seen, `${who}: and those of the rolled events`);
    }
    assert.deepEqual(reveal1.seats, [a.room.sessionId, b.room.sessionId], "the seats in seat order");
    assertRollsDerive(reveal1, watchOf(a.room));
    const commitment2 = a.state.fairness.next;

    // The next game: Anna changes her seed after the end (allowed: it counts for the next game); Bert's stays.
    await allSee(everyone, (p) => p.state.phase === "lobby", "the lobby again");
    const annaSeed2 = "anna #2";
    assert.deepEqual(codes((await answersTo(a, () => a.send("client_seed", { seed: annaSeed2 }))).errors), []);
    for (const p of players) p.send("ready", { ready: true });
    await allSee(everyone, (p) => p.state.phase === "playing", "the second game's start");
    for (const p of everyone) assert.deepEqual([p.state.fairness.commitment, p.state.fairness.seed, p.state.fairness.clientSeeds, p.state.fairness.next], [commitment2, "", "", ""], "a running game shows its commitment and nothing else");
    const game2 = await playOweDrahn(players, everyone);
    const reveal2 = game2.reveal;
    assert.equal(reveal2.commitment, commitment2, "the second game rolls under the commitment announced at the end of the first");
    assert.equal(sha256(reveal2.seed), commitment2);
    assert.notEqual(reveal2.seed, reveal1.seed);
    assert.equal(reveal2.clientSeeds, `${annaSeed2}:${bertSeed}`);
    for (const [i, p] of everyone.entries()) {
      const who = ["Anna", "Bert", "the spectator"][i]!;
      const w = watchOf(p.room);
      // From the first connection on (the first game's reveal included), the second seed appears only with the second game's end.
      const end2 = assertSecretUntilTheEnd(`${who}, game 2`, w, reveal2.seed, ["over"]);
      assert.ok(end2 > ends1.get(p)!);
      const start2 = w.frames.findIndex((f, j) => j > ends1.get(p)! && f.after?.phase === "playing");
      assertCommittedThroughout(`${who}, game 2`, w, commitment2, start2, end2);
      assert.deepEqual(p.all("fairnessRevealed"), [reveal1, reveal2]);
      const seen = w.entries("roll").filter((e) => e[0] === 2).map((e) => [Number(e[3]!.die)]);
      assert.deepEqual(reveal2.rolls, seen, `${who}: game 2's rolls are the dice the state showed`);
    }
    assertRollsDerive(reveal2, watchOf(a.room), ends1.get(a)!);
  });

  it("Dice between two people: the joiner's seed given with the join (and the commitment the listing showed) counts in the game the join starts; with a commitment that is no longer the game's it does not", async () => {
    for (const stale of [false, true]) {
      const a = await join<Dc>(server, "create", "dice", { name: "Ada" });
      track(a);
      await a.until(() => HEX64.test(a.state.fairness.commitment), "a commitment", WAIT);
      assert.deepEqual(codes((await answersTo(a, () => a.send("client_seed", { seed: "ada-seed" }))).errors), []);
      // The listing shows the commitment of the game the next join starts.
      const listed = (await (await fetch(`${server.url}/api/rooms/${a.room.roomId}`)).json()) as { commitment?: string };
      assert.equal(listed.commitment, a.state.fairness.commitment, "the room's entry has its commitment");
      let inList: { roomId: string; commitment?: string } | undefined;
      for (let i = 0; i < 40 && !inList; i++) {
        const list = (await (await fetch(`${server.url}/api/rooms`)).json()) as { roomId: string; commitment?: string }[];
        inList = list.find((r) => r.roomId === a.room.roomId);
        if (!inList) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(inList, "the room is listed");
      assert.equal(inList.commitment, undefined, "the lists do not carry it");
      const commitment = stale ? "0".repeat(64) : listed.commitment!;
      const b = await join<Dc>(server, "joinById", a.room.roomId, { name: "Bea", clientSeed: "bea-seed", commitment });
      track(b);
      await b.until(() => b.state.phase === "playing", "the game starts as Bea sits down", WAIT);
      // Ada leaves: Bea wins by forfeit, and the seeds are revealed.
      await a.room.leave(true);
      await b.until(() => b.all("fairnessRevealed").length === 1, "the reveal", WAIT);
      const reveal = b.all("fairnessRevealed")[0] as Reveal;
      assert.equal(reveal.commitment, listed.commitment);
      assert.equal(reveal.clientSeeds, stale ? "ada-seed:" : "ada-seed:bea-seed", stale ? "a stale commitment: Bea's seed counts from the next game" : "both players' seeds, in seat order");
      await b.room.leave(true);
    }
    // A bad seed or commitment in the options refuses the join, as any bad option.
    const c = await join<Dc>(server, "create", "dice", { name: "Cyd" });
    track(c);
    for (const options of [{ clientSeed: "one:two", commitment: "0".repeat(64) }, { clientSeed: "ok", commitment: "XYZ" }]) {
      await assert.rejects(new Client(server.url).joinById(c.room.roomId, { name: "Dee", ...options }), /clientSeed|commitment/);
    }
  });

  it("Dice against a bot: the seed stays secret until the end; the revealed rolls, re-derived from the seeds, are every die the table showed (the bot's too)", async () => {
    const h = await join<Dc>(server, "create", "dice", { name: "Hugo", targetScore: 2000 });
    track(h);
    await h.until(() => HEX64.test(h.state.fairness.commitment), "a commitment", WAIT);
    const commitment = h.state.fairness.commitment;
    const { errors: bad } = await answersTo(h, () => {
      h.send("client_seed", { seed: "z".repeat(65) });
      h.send("client_seed", { seed: 7 });
    });
    assert.deepEqual(codes(bad), ["INVALID_PAYLOAD", "INVALID_PAYLOAD"]);
    const seed = "Hugo's lucky seed";
    assert.deepEqual(codes((await answersTo(h, () => h.send("client_seed", { seed }))).errors), []);
    h.send("add_bot");
    await h.until(() => h.state.phase === "playing" && h.state.players.size === 2, "the game against the bot", WAIT);
    // A seed sent during the game is refused. Sent on Hugo's turn, when nothing but Hugo can end
    // the game (a bot that starts may win its first turn within milliseconds, and a seed after
    // the end counts for the next game); if the bot did win its first turn, the Owe Drahn test covers it.
    await h.until(() => h.state.phase === "over" || (h.state.phase === "playing" && h.state.currentTurn === h.id), "Hugo's turn or the end", WAIT);
    if (h.state.phase === "playing") {
      const late = await answersTo(h, () => h.send("client_seed", { seed: "late" }));
      assert.deepEqual(codes(late.errors), ["NOT_ALLOWED"]);
    }

    // Hugo's first turn banks at most 600 (one 5 or 1, else three of a kind), short of the target:
    // the bot always gets a turn, so its rolls are always among those revealed.
    let firstTurn = true;
    for (let guard = 0; ; guard++) {
      assert.ok(guard < 400, "the game ends within 400 of Hugo's steps");
      await h.until(() => h.state.phase === "over" || (h.state.phase === "playing" && h.state.currentTurn === h.id), "Hugo's turn or the end", WAIT);
      if (h.state.phase === "over") break;
      const dice = Array.from(h.state.dice);
      if (dice.every((d) => d === 0)) {
        h.send("roll");
        await h.until(() => h.state.phase !== "playing" || Array.from(h.state.dice).some((d) => d !== 0), "the roll", WAIT);
        continue;
      }
      const keep = firstTurn ? fewKeepers(dice) : keepers(dice);
      for (const index of keep) if (!Array.from(h.state.selected).includes(index)) h.send("select", { index });
      await h.until(() => Array.from(h.state.selected).join(",") === keep.join(","), "the selection", WAIT);
      // The first roll of a turn leaving three dice or more: set aside and roll those (a roll of fewer dice); then bank.
      const endTurn = firstTurn || h.state.setAside.length > 0 || dice.length - keep.length < 3;
      if (endTurn) firstTurn = false;
      h.send("set_aside", { endTurn });
      if (endTurn) await h.until(() => h.state.currentTurn !== h.id || h.state.phase !== "playing", "the turn banked", WAIT);
      else await h.until(() => Array.from(h.state.dice).every((d) => d === 0), "the dice set aside", WAIT);
    }
    await h.until(() => h.all("fairnessRevealed").length === 1, "the reveal", WAIT);
    const reveal = h.all("fairnessRevealed")[0] as Reveal;
    assert.equal(reveal.commitment, commitment);
    assert.equal(sha256(reveal.seed), commitment);
    assert.equal(reveal.clientSeeds, `${seed}:`, "the player's seed, then the bot's seat (none)");
    assert.equal(h.state.fairness.seed, reveal.seed);
    assert.equal(h.state.fairness.clientSeeds, reveal.clientSeeds);

    const w = watchOf(h.room);
    const end = assertSecretUntilTheEnd("Hugo", w, reveal.seed, ["over"]);
    assertCommittedThroughout("Hugo", w, commitment, 0, end);
    assert.deepEqual(reveal.rolls, w.tableRolls, "every roll revealed is a roll the table showed, in order");
    assert.deepEqual(w.entries("roll").map((e) => e[3]!.dice), w.tableRolls, "and the history's rolls");
    const botName = [...h.state.players.values()].find((p) => p.isBot)!.name;
    assert.ok(w.entries("roll").some((e) => e[2] === botName), "the bot rolled too");
    // Hugo rolled in every turn of his (a bot may win in its very first turn, before Hugo had one).
    const turnEnds = [...w.entries("bank"), ...w.entries("bust")].length;
    if (turnEnds > 1) assert.ok(w.entries("roll").some((e) => e[2] === "Hugo"), "and Hugo");
    assertRollsDerive(reveal, w);

  });
});

/** Plays an Owe Drahn game to its end (whoever is on turn rolls) and waits for its reveal everywhere. */
async function playOweDrahn(players: Seated<Od>[], everyone: Seated<Od>[]): Promise<{ reveal: Reveal }> {
  const revealed = everyone[0]!.all("fairnessRevealed").length;
  for (let step = 0; ; step++) {
    assert.ok(step < 100, "the game ends within 100 rolls");
    const a = players[0]!;
    await a.until(() => a.state.phase !== "playing" || players.some((p) => p.id === a.state.currentTurn), "a turn or the end", WAIT);
    if (a.state.phase !== "playing") break;
    const cur = players.find((p) => p.id === a.state.currentTurn)!;
    const rolls = cur.all("rolled").length;
    cur.send("roll");
    await cur.until(() => cur.all("rolled").length > rolls, "the roll", WAIT);
    await allSee(everyone, (p) => p.all("rolled").length === cur.all("rolled").length, "everyone sees the roll");
  }
  await allSee(everyone, (p) => p.all("fairnessRevealed").length === revealed + 1 && p.state.fairness.seed !== "", "the reveal");
  return { reveal: everyone[0]!.all("fairnessRevealed")[revealed] as Reveal };
}
