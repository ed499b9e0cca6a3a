/**
 * Provably fair dice, checked in the browser with Web Crypto (README, "Provably fair dice
 * and replays"): the commitment is the SHA-256 of the revealed server seed, and the faces of
 * roll `n` come from HMAC-SHA256(key = the seed's 32 raw bytes, message = UTF-8 of
 * `clientSeeds:n`); each die takes the next byte, a byte ≥ 252 is skipped, the face is
 * `byte % 6 + 1`; when the 32 bytes run out, the message `clientSeeds:n:k` (k = 1, 2, …)
 * gives 32 more. The same derivation as the server's (src/fairness/dice.ts, Node's crypto),
 * written again here on purpose: a check must not trust the code it checks.
 */
import { ordinal } from "./outcome.js";

/** What a game's end reveals (the `fairnessRevealed` event; a match record's `log.fairness` with its steps' dice). */
export interface FairnessRecord {
  /** SHA-256 of the server seed, lowercase hex, as shown before the game. */
  commitment: string;
  /** The server seed, 32 bytes as hex. */
  seed: string;
  /** The players' client seeds in seat order, joined with ":". */
  clientSeeds: string;
  /** The faces of each roll, roll 0 first. */
  rolls: readonly (readonly number[])[];
  /** The players' in-room ids in seat order (the order of the client seeds). */
  seats?: readonly string[];
  /** The seat (index into `seats`) that moved first, from the seeds (absent from servers before 2026-12-04). */
  first?: number;
}

/** The page's own part in a game: the client seed the server took from it, the game's number of seats at its start, and the page's seat when the state shows the seat order. */
export interface OwnSeed {
  seed: string;
  seats: number;
  seat?: number;
  /** The page's player's in-room id: the client seed at its place in the revealed seats must be `seed`. */
  id?: string;
}

/**
 * What a page knows of how a game began: who was on turn (the history's `start` entry; a
 * record's initial state), the players' ids at the start (in seat order when `ordered`: a
 * list in the state, a record's log; else as a set: Dice keeps a map), and which of them are
 * bots (a bot sends no client seed: its entry must be empty, or the server chose it).
 */
export interface Opening {
  startedBy?: string;
  seats?: readonly string[];
  ordered?: boolean;
  bots?: readonly string[];
}

/** A client seed sent with a join by id, and the commitment the room listed just before (they count in the game the join starts if that is still its commitment). */
export interface JoinSeed {
  seed: string;
  commitment: string;
}

/** One roll: what the game says, what the seeds give. */
export interface RollCheck {
  n: number;
  faces: readonly number[];
  expected: readonly number[];
  ok: boolean;
}

/** `seen`: how many rolls the page saw during the game (undefined: it did not watch, a replay). */
/** `first`: the seat that moved first, checked against the seeds (undefined: the record does not say). */
export type FairnessCheck =
  | { ok: true; rolls: RollCheck[]; dice: number; seen?: number; first?: number }
  | { ok: false; reason: string; roll?: number; rolls: RollCheck[]; /** Nothing was checked (this browser cannot): no verdict on the dice. */ unavailable?: true };

/** Bytes at or above this are skipped: 252 = 42 × 6, so every face is equally likely. */
const SKIP_FROM = 252;
const HEX64 = /^[0-9a-f]{64}$/;

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Web Crypto's digests and HMACs (only on secure pages: https, or localhost). */
function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

/** SHA-256 of `bytes`, lowercase hex. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToHex(new Uint8Array(await subtle()!.digest("SHA-256", bytes)));
}

/** The seed as an HMAC-SHA256 key. */
export function hmacKey(seed: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return subtle()!.importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 of `message` (UTF-8) with the seed's key. */
async function hmac(key: CryptoKey, message: string): Promise<Uint8Array> {
  return new Uint8Array(await subtle()!.sign("HMAC", key, new TextEncoder().encode(message)));
}

/** The 32 bytes of block `k` of roll `n` (k = 0: message `clientSeeds:n`; k ≥ 1: `clientSeeds:n:k`). */
function rollBlock(key: CryptoKey, clientSeeds: string, n: number, k: number): Promise<Uint8Array> {
  return hmac(key, k === 0 ? `${clientSeeds}:${n}` : `${clientSeeds}:${n}:${k}`);
}

/**
 * The seat that moves first among `seats`: the first byte of HMAC(seed, `clientSeeds:first`)
 * (then `clientSeeds:first:k`, k = 1, 2, …) below the largest multiple of `seats` up to 256,
 * modulo `seats`.
 */
export async function firstSeat(key: CryptoKey, clientSeeds: string, seats: number): Promise<number> {
  // (A reveal with more seats than bytes can tell apart would never end the loop below.)
  if (!Number.isInteger(seats) || seats < 1 || seats > 256) throw new RangeError(`${seats} seats`);
  const below = 256 - (256 % seats);
  for (let k = 0; ; k++) {
    for (const byte of await hmac(key, k === 0 ? `${clientSeeds}:first` : `${clientSeeds}:first:${k}`)) if (byte < below) return byte % seats;
  }
}

/** The faces of `count` dice of roll `n`. */
export async function rollFaces(key: CryptoKey, clientSeeds: string, n: number, count: number): Promise<number[]> {
  const faces: number[] = [];
  for (let k = 0; faces.length < count; k++) {
    for (const byte of await rollBlock(key, clientSeeds, n, k)) {
      if (faces.length === count) break;
      if (byte < SKIP_FROM) faces.push((byte % 6) + 1);
    }
  }
  return faces;
}

/**
 * The first roll of `seen` that is not among `rolls` in the same order (each seen roll must
 * equal a revealed roll after the one the previous seen roll matched): its index, or -1 when
 * all are. A page may miss rolls (it joined late, its connection dropped), never see one the
 * game did not roll.
 */
export function unrevealedRoll(seen: readonly (readonly number[])[], rolls: readonly (readonly number[])[]): number {
  let next = 0;
  for (const [i, faces] of seen.entries()) {
    while (next < rolls.length && !sameFaces(rolls[next]!, faces)) next++;
    if (next === rolls.length) return i;
    next++;
  }
  return -1;
}

function sameFaces(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((face, i) => face === b[i]);
}

/**
 * Checks a revealed game: the seed against its commitment (and against `shownBefore`, the
 * commitment this page saw before the game, when it saw one), who moved first (the seat the
 * seeds give, and the one the page saw begin, when it read the game's start), the page's own client seed
 * for that game (`own`, when the server took one: the client seeds must be one per seat, the
 * page's at its seat, or the server could have chosen them, and with them the dice), then
 * every roll. Every roll is re-derived (each shows its own ✓ or ✗); the result names the
 * first mismatch. `seen`: the dice this page saw rolled during the game, in order: each must
 * be among the revealed rolls, in that order, or the server showed other dice than it revealed.
 * `opening`: what the page saw of the game's start (who began, the seats, the bots), which the
 * revealed seats must agree with.
 */
export async function verifyFairness(
  record: FairnessRecord,
  shownBefore?: string,
  own?: OwnSeed,
  seen?: { readonly rolls: readonly (readonly number[])[]; readonly complete: boolean; readonly skipped?: { readonly from: number; readonly to: number } },
  opening?: Opening,
): Promise<FairnessCheck> {
  const fail = (reason: string, rolls: RollCheck[] = [], roll?: number): FairnessCheck => ({ ok: false, reason, roll, rolls });
  if (!subtle()) return { ok: false, unavailable: true, rolls: [], reason: "this browser offers Web Crypto only on a secure page (https, or localhost). The values below can be checked on another device, or with npm run verify." };
  const entries = record.clientSeeds.split(":");
  const seatsProblem = revealedSeatsProblem(record, entries, opening, own);
  if (seatsProblem) return fail(seatsProblem);
  if (own) {
    if (entries.length !== own.seats) return fail(`The game's client seeds hold ${entries.length} entries for ${own.seats} seats: one is not a player's.`);
    // The page's place: as the state listed the seats (Owe Drahn), else as the reveal lists them.
    const seat = own.seat ?? (own.id !== undefined && record.seats ? record.seats.indexOf(own.id) : undefined);
    if (seat === undefined ? !entries.includes(own.seed) : entries[seat] !== own.seed) {
      return fail(`Your client seed (${own.seed}) is not ${seat === undefined ? "among the game's client seeds" : "the game's client seed of your seat"}: the server did not use it.`);
    }
  }
  if (!HEX64.test(record.seed)) return fail("The revealed seed is not 32 bytes of hex.");
  if (!HEX64.test(record.commitment)) return fail("The commitment is not a SHA-256 in hex.");
  if (shownBefore && shownBefore !== record.commitment) return fail(`The revealed commitment ${record.commitment} is not the one shown before the game (${shownBefore}).`);
  const seed = hexToBytes(record.seed);
  const digest = await sha256Hex(seed);
  if (digest !== record.commitment) return fail(`The seed does not match the commitment: SHA-256(seed) = ${digest}, committed ${record.commitment}.`);
  const key = await hmacKey(seed);
  // Who moved first: the seat the seeds give, and the player this page saw begin (the game's start entry).
  let first: number | undefined;
  if (record.first !== undefined) {
    first = await firstSeat(key, record.clientSeeds, entries.length);
    if (record.first !== first) return fail(`Who moved first: the game says seat ${record.first + 1}, the seeds give seat ${first + 1}.`);
    if (opening?.startedBy !== undefined && record.seats![first] !== opening.startedBy) {
      return fail(`Who moved first: this page saw the game begin with another player on turn than the seeds give (seat ${first + 1}): the server chose who started.`);
    }
  }
  const rolls: RollCheck[] = [];
  let dice = 0;
  for (const [n, faces] of record.rolls.entries()) {
    const expected = await rollFaces(key, record.clientSeeds, n, faces.length);
    rolls.push({ n, faces, expected, ok: expected.every((face, i) => face === faces[i]) });
    dice += faces.length;
  }
  const bad = rolls.find((r) => !r.ok);
  if (bad) return fail(`Roll #${bad.n}: the game has ${bad.faces.join(", ")}, the seeds give ${bad.expected.join(", ")}.`, rolls, bad.n);
  if (seen) {
    if (seen.skipped) {
      const { from, to } = seen.skipped;
      return fail(`The game's history skipped ${from === to ? `entry #${from}` : `entries #${from}–#${to}`} while this page was connected: what it held (a roll?) was never shown.`, rolls);
    }
    if (seen.complete) {
      // The page saw the whole game: the same rolls, one for one.
      const differs = seen.rolls.findIndex((faces, n) => !record.rolls[n] || !sameFaces(record.rolls[n]!, faces));
      if (differs >= 0) return fail(`Roll #${differs}: this page saw ${seen.rolls[differs]!.join(", ")}, the revealed roll is ${record.rolls[differs]?.join(", ") ?? "missing"}: the game showed other dice than the seeds gave.`, rolls, differs);
      if (seen.rolls.length !== record.rolls.length) {
        return fail(`This page saw the whole game: ${seen.rolls.length} rolls, but ${record.rolls.length} were revealed: the game drew dice it did not show.`, rolls);
      }
    } else {
      const missing = unrevealedRoll(seen.rolls, record.rolls);
      if (missing >= 0) {
        return fail(`The dice this page saw rolled (${seen.rolls[missing]!.join(", ")}, the ${ordinal(missing + 1)} roll it saw) are not among the revealed rolls in that order: the game showed other dice than the seeds gave.`, rolls);
      }
    }
  }
  return { ok: true, rolls, dice, seen: seen?.rolls.length, ...(first !== undefined ? { first } : {}) };
}

/**
 * What is wrong with the revealed seats (`seats`, `first`) given what the page saw; undefined
 * when nothing is. A reveal that leaves them out is taken as a server's from before
 * 2026-12-04, unless the page read the game's start naming who moves first (a server that
 * says who starts and then hides which seat that was).
 */
function revealedSeatsProblem(record: FairnessRecord, entries: readonly string[], opening: Opening | undefined, own: OwnSeed | undefined): string | undefined {
  const seats = record.seats;
  if (!seats) {
    if (record.first !== undefined) return "The reveal says which seat moved first, but not the seats.";
    if (opening?.startedBy !== undefined) return "The game's start named who moves first, but the reveal does not say the seats: who moved first cannot be checked.";
    return undefined;
  }
  if (seats.length !== entries.length) return `The game's client seeds hold ${entries.length} entries for its ${seats.length} seats.`;
  if (new Set(seats).size !== seats.length) return "The revealed seats name one player twice.";
  if (record.first === undefined && opening?.startedBy !== undefined) return "The game's start named who moves first, but the reveal does not say which seat that was.";
  if (opening?.seats) {
    const same = opening.ordered ? opening.seats.length === seats.length && opening.seats.every((id, i) => seats[i] === id) : opening.seats.length === seats.length && opening.seats.every((id) => seats.includes(id));
    if (!same) return opening.ordered ? "The revealed seat order is not the one this page saw when the game began." : "The revealed seats are not the players this page saw when the game began.";
  }
  if (own?.id !== undefined && !seats.includes(own.id)) return "Your seat is not among the revealed seats.";
  for (const bot of opening?.bots ?? []) {
    const at = seats.indexOf(bot);
    if (at >= 0 && entries[at] !== "") return `The bot's client seed (${entries[at]}) is not empty: a bot sends none, so the server chose it.`;
  }
  return undefined;
}

/** The rolls of a recorded match: the dice of each logged step that rolled any, in order (roll 0 first). */
export function rollsOfSteps(steps: readonly { dice?: readonly number[] }[]): number[][] {
  return steps.flatMap((s) => (s.dice && s.dice.length > 0 ? [[...s.dice]] : []));
}

/** A fresh client seed: 16 random hex characters. */
export function newClientSeed(): string {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(8)));
}
