/**
 * The games this client shows: one view entry each, one list. The lobby (game picker,
 * create form, room lists, quick match) and the game shell derive from it; a room of a
 * game not listed here (a server newer than this page) is simply not shown.
 * Adding a game: see the README, "Adding a game".
 */
import type { ViewEntry } from "../view.js";
import { connectFourView } from "./connectfour.js";
import { diceView } from "./dice.js";
import { oweDrahnView } from "./owedrahn.js";
import { ticTacToeView } from "./tictactoe.js";

export const VIEWS = [ticTacToeView, diceView, oweDrahnView, connectFourView] as const;

/** A view entry, as the lobby and the shell take any of them. */
export type AnyView = ViewEntry<any, any>;

/** The room name of a game this client shows. */
export type ViewName = (typeof VIEWS)[number]["protocol"]["name"];

/** The view of a room name, undefined for a game this client does not show. */
export function viewOf(name: unknown): AnyView | undefined {
  return VIEWS.find((v) => v.protocol.name === name);
}
