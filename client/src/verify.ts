/**
 * The "Verify fairness" view: a finished dice game's commitment, seed, client seeds and every
 * roll, checked in the browser (fairness.ts) — "verified ✓" or the first mismatch. Shown in a
 * game after it ends (the `fairnessRevealed` event) and on a recorded match's replay page (its
 * `log.fairness` and the dice of its steps). A pure render of what it is given: the screens keep
 * the check's result and render again when it comes.
 */
import { dieFace } from "./die.js";
import { h } from "./dom.js";
import { verifyFairness, type FairnessCheck, type FairnessRecord, type Opening, type OwnSeed } from "./fairness.js";
import type { SeenRolls } from "./roll-watch.js";

/** What the view shows: the record, and what the page knows besides. */
export interface FairnessSubject {
  record: FairnessRecord;
  /** The commitment this page saw before the game started (checked against the revealed one). */
  shownBefore?: string;
  /** Client seeds this page sent: the one found among the game's is pointed out. */
  ownSeeds?: ReadonlySet<string>;
  /**
   * A player's page: the client seed the server took from it for this game, with its seat (the
   * game's client seeds must hold it there), or null when none of its seeds is known to have
   * counted (each reached the server after the game had started, as for the second Dice
   * player's first game, or the page reloaded or lost an acknowledgement in a reconnection).
   */
  counted?: OwnSeed | null;
  /** The dice this page saw rolled during the game, in order, and whether that is every roll of it (a game screen; not a replay). */
  seen?: SeenRolls;
  /** What the page knows of how the game began (who was on turn, the seats, the bots). */
  opening?: Opening;
}

/** A check, run once per subject; `done` is called when its result is in. */
export class FairnessVerification {
  result?: FairnessCheck;
  constructor(
    readonly subject: FairnessSubject,
    done: () => void,
  ) {
    verifyFairness(subject.record, subject.shownBefore, subject.counted ?? undefined, subject.seen, subject.opening)
      .catch((err: unknown): FairnessCheck => ({ ok: false, reason: `The check could not run: ${err instanceof Error ? err.message : String(err)}`, rolls: [] }))
      .then((result) => {
        this.result = result;
        done();
      });
  }
}

/**
 * The view of a check (running or done). `closable`: a "Close" button (`data-action="verify-close"`);
 * `heading`: its title (which game it checks, where that is not plain).
 */
export function fairnessReport(check: FairnessVerification, closable: boolean, heading = "Verify fairness"): HTMLElement {
  const { record, shownBefore, ownSeeds, counted } = check.subject;
  const result = check.result;
  const seeds = record.clientSeeds === "" ? [] : record.clientSeeds.split(":");
  const mine = ownSeeds ? seeds.find((s) => ownSeeds.has(s)) : undefined;
  const byRoll = new Map(result?.rolls.map((r) => [r.n, r]) ?? []);
  const value = (label: string, testid: string, text: string, note?: string) =>
    h("div", { class: "fair-row" }, h("dt", {}, label), h("dd", {}, h("code", { class: "fair-value", testid }, text || "(none)"), note ? h("span", { class: "muted small" }, ` ${note}`) : null));
  return h(
    "section",
    { class: "fairness-report card", testid: "fairness-view", attrs: { "aria-label": heading, "aria-busy": result ? undefined : "true" } },
    h("h3", {}, heading),
    h(
      "p",
      { class: `fair-result ${result ? (result.ok ? "ok" : result.unavailable ? "pending" : "bad") : "pending"}`, testid: "fairness-result", attrs: { role: "status" } },
      !result
        ? "Checking…"
        : result.ok
          ? `verified ✓ — the seed matches its commitment, and ${result.rolls.length === 1 ? "its one roll" : `all ${result.rolls.length} rolls`} (${result.dice} ${result.dice === 1 ? "die" : "dice"}) ${result.rolls.length === 1 ? "comes" : "come"} from the seeds${firstText(result.first, record)}${seenText(result.seen, check.subject.seen?.complete === true)}.`
          : result.unavailable
            ? `Not checked here: ${result.reason}`
            : `✗ Not verified: ${result.reason}`,
    ),
    h(
      "dl",
      { class: "fair-values" },
      value("Commitment (SHA-256 of the seed)", "verify-commitment", record.commitment, shownBefore ? (shownBefore === record.commitment ? "(the one shown before the game)" : "(NOT the one shown before the game)") : undefined),
      value("Server seed (revealed)", "verify-seed", record.seed),
      value(
        "Client seeds (in seat order, joined with “:”)",
        "verify-client-seeds",
        record.clientSeeds,
        counted ? `(yours: ${counted.seed}, checked)` : mine ? `(yours: ${mine})` : counted === null ? "(none known to be this page's: its seed reached the server after this game had started, or its acknowledgement was lost in a reconnection)" : undefined,
      ),
    ),
    h(
      "details",
      { class: "fair-rolls-box", attrs: { open: record.rolls.length <= 40 } },
      h("summary", {}, `${record.rolls.length} ${record.rolls.length === 1 ? "roll" : "rolls"}`),
      h(
        "ol",
        { class: "fair-rolls", testid: "verify-rolls", attrs: { start: 0 } },
        record.rolls.map((faces, n) => {
          const roll = byRoll.get(n);
          return h(
            "li",
            { class: roll ? (roll.ok ? "ok" : "bad") : undefined, testid: `verify-roll-${n}`, data: { faces: faces.join(",") } },
            h("span", { class: "fair-n" }, `#${n}`),
            h("span", { class: "fair-dice" }, faces.map((f) => dieFace(f, {}, "small"))),
            h("span", { class: "fair-mark" }, roll ? (roll.ok ? "✓" : `✗ the seeds give ${roll.expected.join(", ")}`) : ""),
          );
        }),
      ),
    ),
    h(
      "p",
      { class: "muted small" },
      "How: SHA-256(seed) must equal the commitment; the dice of roll n are the bytes of HMAC-SHA256(key = the seed, message = client seeds + “:” + n), bytes of 252 and above skipped, face = byte mod 6 + 1; who moves first is the seat of the first byte of HMAC-SHA256(key = the seed, message = client seeds + “:first”, then + “:first:1”, … if all 32 are too high) below the largest multiple of the number of seats up to 256, modulo that number. ",
      "Checked here in your browser (Web Crypto); ",
      h("code", {}, "npm run verify"),
      " does the same for a recorded match.",
    ),
    closable ? h("button", { action: "verify-close", testid: "btn-verify-close", attrs: { type: "button" } }, "Close") : null,
  );
}

/** What the check says of who moved first (undefined: the record does not say, a server from before 2026-12-04). */
function firstText(first: number | undefined, record: FairnessRecord): string {
  if (first === undefined) return " (who moved first is not covered: the reveal does not say, as from a server before 2026-12-04)";
  return `, and so does who moved first (seat ${first + 1} of ${record.seats?.length ?? 0})`;
}

/** What the check says of the rolls the page saw during the game (`complete`: every roll of it, checked one for one). */
function seenText(seen: number | undefined, complete: boolean): string {
  if (seen === undefined) return "";
  if (complete) return seen === 0 ? "; this page saw the whole game, with no roll" : `; this page saw the whole game roll the same ${seen === 1 ? "roll" : `${seen} rolls`}`;
  if (seen === 0) return "; this page saw none of them rolled";
  return `; the ${seen === 1 ? "roll" : `${seen} rolls`} this page saw ${seen === 1 ? "is" : "are"} among them (it did not see the whole game)`;
}
