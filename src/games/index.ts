/**
 * The games this server hosts: one definition each, one list. The room registration,
 * matchmaking's option validators, the listing and the lobby's filter, GET /api/rooms and
 * the start-up log all derive from it. Adding a game: see the README, "Adding a game".
 */
import { connectFour } from "./connectfour.js";
import { dice } from "./dice.js";
import { oweDrahn } from "./owedrahn.js";
import { ticTacToe } from "./tictactoe.js";

export const GAMES = [ticTacToe, dice, oweDrahn, connectFour] as const;

/** The room name of a hosted game. */
export type GameName = (typeof GAMES)[number]["protocol"]["name"];

/** The names, in list order. */
export const GAME_NAMES = GAMES.map((g) => g.protocol.name) as readonly GameName[];
