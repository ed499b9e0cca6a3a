import { ticTacToeProtocol } from "../protocol/games/tictactoe.js";
import { ticTacToe as rules } from "../rules/tictactoe.js";
import { defineGame } from "./definition.js";
import { boardGameHistory, boardGameStanding, boardGameState, projectBoardGame } from "./two-player.js";

/** TicTacToe: room `tictactoe`. */
export const ticTacToe = defineGame({ protocol: ticTacToeProtocol, rules, config: () => ({}), state: boardGameState, project: projectBoardGame, history: boardGameHistory, standing: boardGameStanding });
