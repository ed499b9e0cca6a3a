import { OweDrahnPlayer, OweDrahnState } from "../schema/OweDrahnState.js";
import { syncSchemaArray, type WriteContext } from "../schema/sync.js";
import { OweDrahnMessages, oweDrahnOptions } from "../protocol/messages.js";
import {
  DEFAULT_MAX_PLAYERS,
  oweDrahn,
  type OweDrahnAction,
  type OweDrahnConfig,
  type OweDrahnEvent,
  type OweDrahnState as Game,
} from "../rules/owe-drahn.js";
import { GameRoom, type MessageSpec } from "./GameRoom.js";
import type { z } from "zod";

type Options = z.output<typeof oweDrahnOptions>;

/** Room `owedrahn`: the Owe Drahn rules on the shared base room. */
export class OweDrahnRoom extends GameRoom<Game, OweDrahnAction, OweDrahnEvent, OweDrahnConfig, OweDrahnState, Options> {
  protected readonly rules = oweDrahn;
  protected readonly optionsSchema = oweDrahnOptions;
  protected readonly messageSpecs: Record<string, MessageSpec<OweDrahnAction>> = {
    ready: { schema: OweDrahnMessages.ready, toAction: (p) => ({ type: "ready", ready: p.ready }) },
    roll: { schema: OweDrahnMessages.roll, toAction: () => ({ type: "roll" }) },
    lose_life: { schema: OweDrahnMessages.lose_life, toAction: () => ({ type: "lose_life" }) },
    choose_next: { schema: OweDrahnMessages.choose_next, toAction: (p) => ({ type: "choose_next", playerId: p.playerId }) },
  };

  protected configFrom(options: Options) {
    return { maxPlayers: options.maxPlayers ?? DEFAULT_MAX_PLAYERS };
  }

  protected seatCount(options: Options) {
    return options.maxPlayers ?? DEFAULT_MAX_PLAYERS;
  }

  protected createState() {
    return new OweDrahnState();
  }

  protected writeState(target: OweDrahnState, game: Game, { prev, away, awayChanged }: WriteContext<Game>) {
    syncSchemaArray(target.players, game.players, prev?.players, awayChanged, (entry, p) => entry.id === p.id, () => new OweDrahnPlayer(), (entry, p) =>
      this.projection.assign(entry, {
        id: p.id,
        name: p.name,
        life: p.life,
        ready: p.ready,
        choosing: p.choosing,
        connected: !p.left && !away.has(p.id),
        score: p.score,
      }),
    );
    this.projection.assign(target, {
      currentValue: game.currentValue,
      currentTurn: game.currentTurn ?? "",
      phase: game.phase,
      lastRoll: game.lastRoll,
    });
  }
}
