/**
 * Checks a finished match's dice against its revealed seeds: the commitment is the SHA-256
 * of the seed, who moved first is the seat the seeds give, and every roll in the action log
 * (each step that rolled dice, in order, is roll 0, 1, 2, …) is what the seeds give. Used by `npm run verify`; the web client does
 * the same with Web Crypto.
 */
import { commitmentOf, firstSeat, rollFaces } from "./dice.js";

export interface MatchForVerification {
  id?: string;
  game?: string;
  log: { seats?: string[]; initial?: unknown; steps?: { dice?: number[] }[]; fairness?: { commitment: string; seed: string; clientSeeds: string; seats?: string[]; first?: number } } | null;
}

/** Why the game's client seeds do not show the player's own seed, one per seat; undefined when they do. */
function ownSeedProblem(clientSeeds: string, seed: string, seats: number | undefined): string | undefined {
  const entries = clientSeeds.split(":");
  if (seats !== undefined && entries.length !== seats) return `the game's client seeds (${JSON.stringify(clientSeeds)}) hold ${entries.length} entries for ${seats} seats: one is not a player's`;
  if (!entries.includes(seed)) return `your client seed ${JSON.stringify(seed)} is not among the game's client seeds (${JSON.stringify(clientSeeds)}): the server did not use it`;
  return undefined;
}

export type Verification =
  /** `first`: the seat that moved first, checked against the seeds (undefined: a match from before 2026-12-04, whose first mover the server drew). */
  | { ok: true; rolls: number; dice: number; first?: number }
  | { ok: false; roll?: number; reason: string };

/**
 * `clientSeed`: the player's own client seed for that game (the last one the server took
 * before it started, `clientSeedAccepted`): the game's client seeds must be one per seat
 * (client seeds hold no ":"), and hold it, or the server could have chosen them itself (an
 * entry of its own added, or put in place of the player's), and with them the dice.
 */
export function verifyMatch(match: MatchForVerification, clientSeed?: string): Verification {
  const fairness = match.log?.fairness;
  if (!fairness) return { ok: false, reason: "this match has no fairness record (not a dice game, or played with test dice)" };
  if (clientSeed !== undefined) {
    const own = ownSeedProblem(fairness.clientSeeds, clientSeed, match.log?.seats?.length);
    if (own) return { ok: false, reason: own };
  }
  if (!/^[0-9a-f]{64}$/.test(fairness.seed)) return { ok: false, reason: "the revealed seed is not 32 bytes of hex" };
  const seed = Buffer.from(fairness.seed, "hex");
  const commitment = commitmentOf(seed);
  if (commitment !== fairness.commitment) return { ok: false, reason: `the seed does not match the commitment: SHA-256(seed) = ${commitment}, committed ${fairness.commitment}` };
  const first = firstMoverProblem(match, seed);
  if (typeof first === "string") return { ok: false, reason: first };
  let n = 0;
  let dice = 0;
  for (const step of match.log?.steps ?? []) {
    if (!step.dice || step.dice.length === 0) continue;
    const expected = rollFaces(seed, fairness.clientSeeds, n, step.dice.length);
    if (expected.some((face, i) => face !== step.dice![i])) return { ok: false, roll: n, reason: `roll ${n}: the log has ${step.dice.join(",")}, the seeds give ${expected.join(",")}` };
    dice += step.dice.length;
    n++;
  }
  return { ok: true, rolls: n, dice, ...(first !== undefined ? { first } : {}) };
}

/**
 * Who moved first must be the seat the seeds give ({@link firstSeat}), and that seat's player
 * the one on turn in the game's initial state. A string says why not; a number is that seat.
 */
function firstMoverProblem(match: MatchForVerification, seed: Buffer): string | number | undefined {
  const fairness = match.log!.fairness!;
  if (fairness.first === undefined) return undefined;
  const seats = fairness.seats ?? match.log?.seats ?? [];
  const count = fairness.clientSeeds.split(":").length;
  if (fairness.seats === undefined) return "the reveal says which seat moved first, but not the seats";
  if (seats.length !== count) return `the game's seats (${seats.length}) and client seeds (${count}) differ in number`;
  if (match.log?.seats && match.log.seats.join("\u0000") !== seats.join("\u0000")) return "the revealed seat order is not the match log's";
  if (new Set(seats).size !== seats.length) return "the revealed seats name one player twice";
  // A bot sends no client seed: a non-empty entry at its seat was the server's choice.
  const entries = fairness.clientSeeds.split(":");
  const players = (match.log?.initial as { players?: unknown } | undefined)?.players;
  for (const p of Array.isArray(players) ? (players as { id?: unknown; isBot?: unknown }[]) : []) {
    const at = typeof p?.id === "string" && p.isBot === true ? seats.indexOf(p.id) : -1;
    if (at >= 0 && entries[at] !== "") return `the bot's client seed (${JSON.stringify(entries[at])}) is not empty: a bot sends none, so the server chose it`;
  }
  const expected = firstSeat(seed, fairness.clientSeeds, count);
  if (fairness.first !== expected) return `who moved first: seat ${fairness.first + 1} is revealed, the seeds give seat ${expected + 1}`;
  const onTurn = (match.log?.initial as { currentTurn?: unknown } | undefined)?.currentTurn;
  if (onTurn !== undefined && onTurn !== seats[expected]) return `who moved first: the game began with ${String(onTurn)} on turn, the seeds give seat ${expected + 1} (${seats[expected]})`;
  return expected;
}
