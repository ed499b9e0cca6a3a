/**
 * A game screen's part for provably fair dice (README "Provably fair dice and replays"):
 * what the page must remember to check a game's dice once its seed is revealed, and the
 * "Fair dice" section that shows the commitment and opens "Verify fairness".
 *
 * - It sends a fresh client seed (a seated player's) after each connection and after each
 *   game ends, so every game's dice depend on a seed of this page's; the server's
 *   acknowledgement says which one counted.
 * - It notes the commitment shown while a game's seed is secret, the game's seats as the page
 *   first saw it running, and the seed sent with the join (for the game the join started).
 * - It reads the rolls from the room's history as they happen (src/roll-watch.ts).
 * - At the reveal, it keeps all of that for the check (src/verify.ts).
 *
 * The game screen (game.ts) owns the connection and tells it what happened: a connection,
 * each state, a drop, a reconnection, the server's `fairnessRevealed`, `clientSeedAccepted`
 * and a refused client seed. Games without fair dice (no commitment in the state) leave it idle.
 */
import type { Room } from "@colyseus/sdk";
import { CLIENT_SEED, type ServerEvents } from "../../src/protocol/messages.js";
import { h } from "./dom.js";
import { newClientSeed, type JoinSeed, type Opening } from "./fairness.js";
import { RollWatcher } from "./roll-watch.js";
import { fairnessReport, FairnessVerification, type FairnessSubject } from "./verify.js";
import type { RollWatch } from "./view.js";

/** A running game's seats, as the page first saw it running (see {@link runningSeats}). */
type RunningSeats = { seats: number; seat?: number; ids: string[]; ordered: boolean; bots: string[] };

/**
 * A dice game's seats while it runs (its phase "playing", or Dice's "busted"): their number,
 * their ids (in seat order when the state keeps them so: a list; Dice keeps a map), the bots
 * among them, and this page's place in the order.
 */
function runningSeats(state: unknown, sessionId: string): RunningSeats | undefined {
  const { phase, players } = (state ?? {}) as { phase?: unknown; players?: unknown };
  if (phase !== "playing" && phase !== "busted") return undefined;
  type Seat = { id?: unknown; isBot?: unknown } | undefined;
  const bots = (seats: Iterable<[string, Seat]>) => Array.from(seats).flatMap(([id, p]) => (p?.isBot === true ? [id] : []));
  if (Array.isArray(players) || (players as { toArray?: unknown } | undefined)?.toArray instanceof Function && typeof (players as { length?: unknown }).length === "number") {
    const list = Array.from(players as Iterable<Seat>);
    const ids = list.map((p) => String(p?.id ?? ""));
    const seat = ids.indexOf(sessionId);
    return { seats: list.length, seat: seat >= 0 ? seat : undefined, ids, ordered: true, bots: bots(list.map((p, i) => [ids[i]!, p])) };
  }
  const map = players as { size?: unknown; forEach?: (cb: (value: Seat, key: string) => void) => void } | undefined;
  if (typeof map?.size !== "number" || !(map.forEach instanceof Function)) return undefined;
  const entries: [string, Seat][] = [];
  map.forEach((value, key) => entries.push([key, value]));
  return { seats: map.size, ids: entries.map(([id]) => id), ordered: false, bots: bots(entries) };
}

export class FairDice {
  /**
   * The revealed seed (`fairness.seed`, "" before the first game ends) this connection last
   * sent a client seed for; undefined: none sent yet.
   */
  private seedSentFor?: string;
  /** The client seeds this page sent (the verify view points out the one among a game's). */
  private readonly ownSeeds = new Set<string>();
  /** The commitment shown while the next (or running) game's seed was still secret. */
  private commitmentBefore = "";
  /** The last game's reveal (`fairnessRevealed`), with the commitment this page saw before it. */
  /** `counted`: the page's own seed in it (see FairnessSubject); undefined for a spectator. */
  private reveal?: Omit<FairnessSubject, "ownSeeds"> & { record: ServerEvents["fairnessRevealed"] };
  /** The last client seed the server took from this page (`clientSeedAccepted`): the one the next game to start uses; null when not known. */
  private countedSeed: string | null = null;
  /** A client seed sent and not answered yet: if the connection is lost meanwhile, whether it counted is not known. */
  private awaitingAck?: string;
  /** The running game's seats as this page first saw it running (their number, and the page's place when they are in order). */
  private seatsAtStart?: RunningSeats & { commitment: string };
  /** The game the page's join started, with the seed sent with the join and the commitment listed then (`game`: the game's commitment as the page first saw it running). */
  private joinGame?: { seed: string; listed: string; game: string };
  /** The "Verify fairness" view is open: its check (of the last reveal). */
  private verification?: FairnessVerification;
  /** The dice this page saw rolled, read from the room's history (the check compares them with the revealed rolls). */
  private readonly rollsSeen?: RollWatcher;

  /**
   * @param spectator - a spectator's page sends no client seed, and has no seed of its own to check.
   * @param joinSeed - a client seed sent with the join (a join by id into a room with fair dice), until the game it was for starts, or another seed takes its place.
   * @param rolls - the game's way to read rolls from its history (games with fair dice).
   * @param rerender - asks the screen to draw again (the verify view finished a check).
   */
  constructor(
    private readonly spectator: boolean,
    private joinSeed: JoinSeed | undefined,
    rolls: RollWatch | undefined,
    private readonly rerender: () => void,
  ) {
    if (joinSeed) this.ownSeeds.add(joinSeed.seed);
    if (rolls) this.rollsSeen = new RollWatcher(rolls.fromHistory);
  }

  /** A new connection (a reconnection, a spectator's join again): it sends its client seed again. */
  connected(): void {
    this.seedSentFor = undefined;
    this.rollsSeen?.interrupted();
    this.ackLost();
  }

  /** The connection dropped: entries may leave the history's window before the page reads them again. */
  dropped(): void {
    this.rollsSeen?.interrupted();
  }

  /** The SDK's own reconnection came back: a client seed sent before is not known to have counted. */
  reconnected(): void {
    this.ackLost();
  }

  /**
   * At each state: notes the commitment while the seed is secret, and sends a fresh client
   * seed (a seated player's) after joining and after each game ends (its seed revealed);
   * reads the rolls from the history.
   */
  stateChanged(room: Room): void {
    this.sync(room);
    this.watchRolls(room);
  }

  /** The server's reveal of the game that ended (`fairnessRevealed`): kept for "Verify fairness" (an open view shows it). */
  revealed(room: Room, payload: ServerEvents["fairnessRevealed"]): void {
    // The commitment seen while the game's seed was secret must be the one revealed.
    // The seed this page's player contributed to it: the last one the server took (the page's
    // next seed, sent as this game's end showed, is not answered yet).
    // (Only the game this reveal ends: a page that missed a reveal, in a drop, saw another game start since.)
    const start = this.seatsAtStart?.commitment === payload.commitment ? this.seatsAtStart : undefined;
    // Or the seed sent with the join, for the game the join started: the commitment the room
    // listed before the join is the one shown before that game (the room must have taken the
    // seed with it; a listing that showed another one fails the check).
    const joined = this.joinGame?.game === payload.commitment ? this.joinGame : undefined;
    this.joinGame = undefined;
    const own = this.countedSeed ?? joined?.seed ?? null;
    const counted = this.spectator ? undefined : own !== null && start ? { seed: own, seats: start.seats, seat: start.seat, id: room.sessionId } : null;
    // The rolls this page saw in this game (none: it read no entry of it).
    const seen = this.rollsSeen ? (this.rollsSeen.rollsOf(payload.commitment) ?? { rolls: [], complete: false }) : undefined;
    // How the game began, as this page saw it: who was on turn (its history's start entry), the seats and bots.
    const opening: Opening = { ...(seen?.startedBy !== undefined ? { startedBy: seen.startedBy } : {}), ...(start ? { seats: start.ids, ordered: start.ordered, bots: start.bots } : {}) };
    this.reveal = { record: payload, shownBefore: joined?.listed ?? (this.commitmentBefore || undefined), counted, seen, opening };
    this.seatsAtStart = undefined;
    // An open view shows the new game's check.
    if (this.verification) this.openVerification();
  }

  /** The server took one of this page's client seeds (`clientSeedAccepted`): the next game to start uses it. */
  seedAccepted(seed: string): void {
    if (!this.ownSeeds.has(seed)) return;
    this.countedSeed = seed;
    if (seed === this.awaitingAck) this.awaitingAck = undefined;
  }

  /** A client seed sent once the game had started counts for nothing: the next one is sent after the game. */
  seedRefused(): void {
    this.awaitingAck = undefined;
  }

  /** What "Verify fairness" checks: the last reveal, with what this page saw of that game; undefined before the first reveal. */
  get subject(): FairnessSubject | undefined {
    return this.reveal && { ...this.reveal, ownSeeds: this.ownSeeds };
  }

  /** Opens (or refreshes) the "Verify fairness" view of the last reveal. */
  openVerification(): void {
    const subject = this.subject;
    if (subject) this.verification = new FairnessVerification(subject, this.rerender);
  }

  closeVerification(): void {
    this.verification = undefined;
  }

  /** The fair-dice line: the commitment while the seed is secret, "Verify fairness" once a game is over (of "an earlier game" when the state's commitment is another game's). */
  section(state: unknown): Node | null {
    const fairness = (state as { fairness?: { commitment?: string; seed?: string; next?: string } } | undefined)?.fairness;
    if (!fairness || !fairness.commitment) return null;
    const secret = !fairness.seed;
    const shown = secret ? fairness.commitment : (fairness.next ?? "");
    // The reveal kept is the game's whose commitment the state holds (the one just ended), or an
    // earlier game's: once the next has begun, or after a reveal this page missed in a drop. The
    // button and the view say which (a player read the check under a running game's commitment
    // as that game's), and so does the game just ended's: the line beside it is the next
    // game's commitment (until 2026-12-06 a plain "Verify fairness" there read as the next's).
    const earlier = this.reveal !== undefined && this.reveal.record.commitment !== fairness.commitment;
    return h(
      "section",
      { class: "fairness card", testid: "fairness", attrs: { "aria-label": "Fair dice" } },
      h(
        "p",
        { class: "fair-line" },
        h("strong", {}, "Fair dice. "),
        secret ? "This game's dice come from a secret seed, committed to before the game as SHA-256 " : "The next game's seed is committed to as SHA-256 ",
        h("code", { class: "fair-value", testid: secret ? "fairness-commitment" : "fairness-next" }, shown),
        secret ? "; it is revealed when the game ends." : ".",
      ),
      this.reveal && !this.verification
        ? h("button", { action: "verify-fairness", testid: "btn-verify-fairness", attrs: { type: "button" } }, earlier ? "Verify an earlier game's fairness" : "Verify this game's fairness")
        : null,
      this.verification ? fairnessReport(this.verification, true, earlier ? "Verify fairness: an earlier game" : "Verify fairness: this game") : null,
    );
  }

  /**
   * Dice games: notes the commitment while the seed is secret, and sends a fresh client seed
   * (a seated player's) after joining and after each game ends (its seed revealed), so every
   * game's dice depend on a seed of this page's.
   */
  private sync(room: Room) {
    const fairness = (room.state as { fairness?: { commitment?: string; seed?: string } } | undefined)?.fairness;
    const commitment = typeof fairness?.commitment === "string" ? fairness.commitment : "";
    // No commitment: the server rolls test dice (RNG_SEED), and takes no client seeds.
    if (!fairness || commitment === "") return;
    const revealed = typeof fairness.seed === "string" ? fairness.seed : "";
    if (revealed === "") {
      this.commitmentBefore = commitment;
      if (this.seatsAtStart?.commitment !== commitment) {
        const seats = runningSeats(room.state, room.sessionId);
        this.seatsAtStart = seats && { commitment, ...seats };
      }
      // The game running as the page first sees it is the one its join started (a join into a
      // running game is refused): the join's seed was for it.
      if (this.joinSeed && this.seatsAtStart) {
        this.joinGame = { seed: this.joinSeed.seed, listed: this.joinSeed.commitment, game: commitment };
        this.joinSeed = undefined;
      }
    }
    // Once per connection, then once per game that ended (not again when the next one starts).
    if (this.spectator || (this.seedSentFor !== undefined && (revealed === "" || revealed === this.seedSentFor))) return;
    this.seedSentFor = revealed;
    // Sent before any game started since the join, this seed takes the place of the join's
    // (whether it counted, its acknowledgement says).
    this.joinSeed = undefined;
    const seed = newClientSeed();
    this.ownSeeds.add(seed);
    this.awaitingAck = seed;
    room.send(CLIENT_SEED, { seed });
  }

  /** Games with fair dice: the rolls in the room's history, read at each state. */
  private watchRolls(room: Room) {
    const state = room.state as { fairness?: { commitment?: string }; history?: { forEach(cb: (value: string, key: string) => void): void } } | undefined;
    const commitment = state?.fairness?.commitment;
    if (!this.rollsSeen || !state?.history || typeof commitment !== "string" || commitment === "") return;
    const entries: [number, string][] = [];
    state.history.forEach((value, key) => entries.push([Number(key), value]));
    this.rollsSeen.update(entries, commitment);
  }

  /** A connection ended with a client seed unanswered: whether the server took it is not known (its answer may have been lost). */
  private ackLost() {
    if (this.awaitingAck === undefined) return;
    this.awaitingAck = undefined;
    this.countedSeed = null;
  }
}
