/**
 * The room listing clients see: public rooms of the three games, from the matchmaker's
 * driver (Redis with several processes, so every process lists every room).
 */
import { matchMaker } from "@colyseus/core";
import { RoomName, type RoomEntry } from "../protocol/messages.js";

export type { RoomEntry };
import type { ListingMetadata } from "./GameRoom.js";


const GAMES = new Set<string>(Object.values(RoomName));

/**
 * Public rooms of the games, oldest first. `joinable` (the default) keeps only rooms a
 * player can take a seat in: a started or full room leaves the list at once.
 */
export async function listRooms(filter: { game?: string; include?: "joinable" | "all" } = {}): Promise<RoomEntry[]> {
  const cached = await matchMaker.query({ private: false });
  const entries: RoomEntry[] = [];
  for (const room of cached) {
    const meta = room.metadata as Partial<ListingMetadata> | undefined;
    if (!GAMES.has(room.name) || room.unlisted || !meta || typeof meta.seats !== "number") continue;
    if (filter.game && room.name !== filter.game) continue;
    const entry: RoomEntry = {
      roomId: room.roomId,
      game: room.name,
      players: meta.players ?? 0,
      seats: meta.seats,
      started: meta.started === true,
      open: meta.open === true && !room.locked,
    };
    if ((filter.include ?? "joinable") === "joinable" && !entry.open) continue;
    entries.push(entry);
  }
  return entries.sort((a, b) => a.roomId.localeCompare(b.roomId));
}
