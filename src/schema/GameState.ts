import { MapSchema, Schema, type } from "@colyseus/schema";
import type { CommonState } from "../rules/types.js";
import type { Projection } from "./sync.js";

/**
 * A new base class for one game's schema state, with what every game shows, whatever the
 * game: `class MyGameState extends GameStateBase() { … }` adds the game's own fields (its
 * players, board or dice). The base room writes all of these ({@link projectCommon} after the
 * game's own projection; the clock, the window and the history as they change), so a game's
 * projection writes only what is its own.
 *
 * A class per game, not one they share: @colyseus/schema sends with a state's handshake every
 * class that extends one of its ancestors, so a shared base would carry every game's schema
 * into every join (measured 2026-12-06, an Owe Drahn join's type reflection: 565 bytes and 3
 * types with no base class; 1,227 bytes and 8 types with one shared base; 578 bytes and 4
 * types with this one).
 */
export function GameStateBase() {
  class GameState extends Schema {
    /** Whose turn it is (a player id); "" while no turn runs (waiting, paused, over). */
    @type("string") currentTurn = "";
    /** The game's phase, in its own words (e.g. "waiting", "playing", "over"; Owe Drahn's "lobby"). */
    @type("string") phase = "";
    /** How the last game ended: "" (none yet, or a game runs), "won", "draw", "left", "dropped" or "timeout" (src/rules/types.ts `Ending`). */
    @type("string") endReason = "";
    /** Who it is about: the winner (won), the player who left or ran out of time; "" for a draw. */
    @type("string") endName = "";
    /** When the current turn times out, epoch ms; 0 when no turn timer runs. */
    @type("number") turnDeadline = 0;
    /** How long a dropped player's seat is held, in seconds (the server's RECONNECT_SECONDS): a client retrying after a drop knows when to stop. */
    @type("uint16") reconnectSeconds = 0;
    /**
     * The room's history: the newest entries, keyed by their `seq`, each a JSON array
     * `[game, kind, who, data?]` (src/rooms/history.ts). Plain strings: cheaper to send than a
     * schema object per entry.
     */
    @type({ map: "string" }) history = new MapSchema<string>();
  }
  return GameState;
}

/** What every game's schema state has (its class extends {@link GameStateBase}()). */
export type GameState = InstanceType<ReturnType<typeof GameStateBase>>;

/** Writes what every game's rules state has ({@link CommonState}) into its {@link GameState}, assigning only what changed. */
export function projectCommon(target: GameState, game: CommonState, projection: Projection): void {
  projection.assign(target, {
    currentTurn: game.currentTurn ?? "",
    phase: game.phase,
    endReason: game.ending?.reason ?? "",
    endName: game.ending?.name ?? "",
  });
}
