/**
 * How the last game ended, in words, from the state's `endReason` and `endName` (every game
 * keeps them, so a reload shows the reason too): a forfeit by leaving, a turn that ran out,
 * or a win by the rules. Players and spectators see the same facts, each from their side.
 */
import { asName, type Text } from "./dom.js";

export interface EndingFields {
  readonly endReason: string;
  readonly endName: string;
  /** The winner's session id ("" for none). */
  readonly winner: string;
}

/**
 * The result line for a forfeit (`left`, `timeout`), or undefined for a win by the rules or
 * a draw (each game words those itself). `me`: the viewer's session id; `winnerName`: the
 * winner's name as the game shows it; `seated`: the viewer plays.
 */
export function forfeitText(state: EndingFields, me: string, winnerName: Text, seated: boolean): Text | undefined {
  const name = asName(state.endName);
  const iWon = state.winner !== "" && state.winner === me;
  switch (state.endReason) {
    case "left":
      if (!state.winner) return [name, " left."];
      return iWon ? [name, " left — you win by forfeit."] : [name, " left — ", winnerName, " wins by forfeit."];
    case "timeout":
      if (iWon) return ["Time ran out for ", name, " — you win."];
      if (seated && state.winner) return ["Your time ran out — ", winnerName, " wins."];
      return ["Time ran out for ", name, state.winner ? [" — ", winnerName, " wins."] : "."];
    default:
      return undefined;
  }
}

/** Logs each game's ending once (also the one a reloaded page finds in the state). */
export class EndingLog {
  private last = "";

  constructor(private readonly log: (text: Text) => void) {}

  /** `over`: the game has ended (the state still shows it); `text`: its words. */
  note(state: EndingFields, over: boolean, text: () => Text | undefined): void {
    const key = over || state.endReason === "left" ? `${state.endReason}|${state.endName}|${state.winner}` : "";
    if (key === this.last) return;
    this.last = key;
    if (key === "" || state.endReason === "") return;
    const words = text();
    if (words !== undefined) this.log(words);
  }
}
