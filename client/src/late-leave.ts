/**
 * A Leave pressed while the connection was down (the SDK retrying, or the page bringing the
 * game back) reached nobody: the server still holds the seat, and the other players watch
 * "away — N s to come back" run down the whole window for a player who has gone. Once the
 * network is back, this takes the seat back and leaves it for good, so they read "Ada left —
 * you win by forfeit" at once. Until 2026-12-05 the seat was only given up when the window
 * ended ("Ada did not come back"), found by a play-test on a bad mobile network.
 */
import type { Client } from "@colyseus/sdk";
import { describeJoinError, isRoomGone, isSeatExpired } from "./errors.js";
import { online, sleep } from "./dom.js";
import { RESTORE_DELAYS_MS as DELAYS_MS } from "./seat-restore.js";

/**
 * Leaves the seat `token` holds once the server can be reached, trying until `giveUpAt`
 * (epoch ms: the seat's window and a takeover's margin, after which the server has given the
 * seat up anyway). Stops at once when the room is gone (522). Never throws.
 */
export async function leaveWhenBack(client: Pick<Client, "reconnect">, token: string, giveUpAt: number): Promise<"left" | "gone" | "given up"> {
  for (let tries = 0; ; tries++) {
    await online(giveUpAt - Date.now());
    // The fallback's pacing: its tries and these share the address's joins per 10 s.
    await sleep(DELAYS_MS[Math.min(tries, DELAYS_MS.length - 1)]!);
    if (Date.now() >= giveUpAt) return "given up";
    try {
      const room = await client.reconnect(token);
      // Nothing of this connection is shown; if it drops before the leave goes out, the server ends the seat with its window.
      room.reconnection.enabled = false;
      await room.leave(true);
      return "left";
    } catch (err) {
      if (isRoomGone(err)) return "gone";
      // 524 within the window: the server has not noticed the old connection's end yet (or a
      // restored room does not hold the seat yet); after it, the seat is given up.
      if (isSeatExpired(err) && Date.now() >= giveUpAt) return "given up";
      const { waitMs } = describeJoinError(err);
      if (waitMs > 0) await sleep(Math.min(waitMs, Math.max(0, giveUpAt - Date.now())));
    }
  }
}
