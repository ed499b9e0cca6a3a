import { DicePlayer, DiceState } from "../schema/DiceState.js";
import { syncArray, syncMap, type WriteContext } from "../schema/sync.js";
import { DiceMessages, diceOptions } from "../protocol/messages.js";
import { DEFAULT_TARGET_SCORE, dice, type DiceAction, type DiceConfig, type DiceEvent, type DiceState as Game } from "../rules/dice.js";
import { GameRoom, type MessageSpec } from "./GameRoom.js";
import type { z } from "zod";

type Options = z.output<typeof diceOptions>;

/** Room `dice`: two-player Farkle (with bots) on the shared base room. */
export class DiceRoom extends GameRoom<Game, DiceAction, DiceEvent, DiceConfig, DiceState, Options> {
  protected readonly rules = dice;
  protected readonly optionsSchema = diceOptions;
  protected readonly messageSpecs: Record<string, MessageSpec<DiceAction>> = {
    roll: { schema: DiceMessages.roll, toAction: () => ({ type: "roll" }) },
    select: { schema: DiceMessages.select, toAction: (p) => ({ type: "select", index: p.index }) },
    set_aside: { schema: DiceMessages.set_aside, toAction: (p) => ({ type: "set_aside", endTurn: p.endTurn }) },
    add_bot: { schema: DiceMessages.add_bot, toAction: () => ({ type: "add_bot" }) },
    rematch: { schema: DiceMessages.rematch, toAction: () => ({ type: "rematch" }) },
  };

  protected configFrom(options: Options) {
    return { targetScore: options.targetScore ?? DEFAULT_TARGET_SCORE };
  }

  protected seatCount() {
    return 2;
  }

  protected createState() {
    return new DiceState();
  }

  protected writeState(target: DiceState, game: Game, { prev, away, awayChanged }: WriteContext<Game>) {
    syncMap(target.players, game.players, prev?.players, awayChanged || prev?.rematch !== game.rematch, (p) => p.id, () => new DicePlayer(), (entry, p) =>
      this.projection.assign(entry, {
        name: p.name,
        isBot: p.isBot,
        score: p.score,
        roundScore: p.roundScore,
        turnScore: p.turnScore,
        connected: !away.has(p.id),
        rematch: game.rematch.includes(p.id),
      }),
    );
    syncArray(target.dice, game.dice, prev?.dice);
    syncArray(target.selected, game.selected, prev?.selected);
    syncArray(target.setAside, game.setAside, prev?.setAside);
    this.projection.assign(target, {
      currentTurn: game.currentTurn ?? "",
      winner: game.winner ?? "",
      targetScore: game.targetScore,
      phase: game.phase,
    });
  }
}
