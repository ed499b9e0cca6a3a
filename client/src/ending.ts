/**
 * How the last game ended, in words, from the state's `endReason` and `endName` (every game
 * keeps them, so a reload shows the reason too): a forfeit by leaving (or by not coming back
 * after a dropped connection), a turn that ran out, or a win by the rules. Players and spectators see the same facts, each from their side.
 */
import { asName, type Text } from "./dom.js";

/**
 * The words of a history `end` entry (`data`: `reason`, `name`, `winner` — names, not ids),
 * from the viewer's side: `myName` is the viewer's name in the room ("" for a spectator).
 */
export function endLine(data: Record<string, unknown> | undefined, myName: string): Text {
  const reason = String(data?.reason ?? "");
  const name = String(data?.name ?? "");
  const winner = String(data?.winner ?? "");
  const iWon = myName !== "" && winner === myName;
  switch (reason) {
    case "won":
      return iWon ? "You win!" : [asName(winner || name), " wins!"];
    case "draw":
      return "It's a draw.";
    case "left":
    case "dropped": {
      const went = wentWords(reason);
      if (!winner) return [asName(name), `${went}.`];
      return iWon ? [asName(name), `${went} — you win by forfeit.`] : [asName(name), `${went} — `, asName(winner), " wins by forfeit."];
    }
    case "timeout":
      if (iWon) return ["Time ran out for ", asName(name), " — you win."];
      if (myName !== "" && name === myName) return ["Your time ran out — ", asName(winner), " wins."];
      return ["Time ran out for ", asName(name), winner ? [" — ", asName(winner), " wins."] : "."];
    default:
      return "The game ended.";
  }
}

/** Whether an ending (`endReason`) says a player went for good: they left, or did not come back. */
export function wentAway(endReason: string): boolean {
  return endReason === "left" || endReason === "dropped";
}

/** The words after the name of a player gone for good (see {@link wentAway}): " left", or " did not come back" (their connection dropped and their window ran out). */
export function wentWords(endReason: string): string {
  return endReason === "dropped" ? " did not come back" : " left";
}

/**
 * A status naming who went and what comes next: "Bob left. Waiting…", or "Bob did not come
 * back. Waiting…" (the state's `endReason` / `endName`); undefined when the ending is not a
 * player gone (see {@link wentAway}).
 */
export function wentLine(state: { endReason: string; endName: string }, next: string): Text | undefined {
  return wentAway(state.endReason) ? [asName(state.endName), `${wentWords(state.endReason)}. ${next}`] : undefined;
}

/**
 * The result line of a forfeit (`left`, `dropped`, `timeout`) from the state's `endReason` / `endName`,
 * in the same words as the history's `end` line; undefined for a win by the rules or a draw
 * (each game words those itself).
 */
export function forfeitLine(endReason: string, endName: string, winnerName: string, myName: string): Text | undefined {
  return wentAway(endReason) || endReason === "timeout" ? endLine({ reason: endReason, name: endName, winner: winnerName }, myName) : undefined;
}

