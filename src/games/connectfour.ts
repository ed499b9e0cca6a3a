import { connectFourProtocol } from "../protocol/games/connectfour.js";
import { connectFour as rules } from "../rules/connect-four.js";
import { defineGame } from "./definition.js";
import { boardGameHistory, boardGameStanding, boardGameState, projectBoardGame } from "./two-player.js";

/** Connect Four: room `connectfour`. */
export const connectFour = defineGame({ protocol: connectFourProtocol, rules, config: () => ({}), state: boardGameState, project: projectBoardGame, history: boardGameHistory, standing: boardGameStanding });
