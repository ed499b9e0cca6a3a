/**
 * A spectator's look-out for a free seat: while the room waits for players, its listing
 * (GET /api/rooms/:id) is read every {@link SEAT_LOOK_MS} while the page is on screen, so a
 * seat that frees up (a player left) is offered ("Take the seat"), and one taken is not.
 * Until 2026-12-05 a spectator could only watch the empty seat ("Waiting for a new
 * opponent…"), or go back to the lobby to join.
 */
import { lookUpRoom } from "./api.js";

/** While a spectator's room waits for players, how often it asks whether a seat is free. */
const SEAT_LOOK_MS = 3000;

export class SeatWatch {
  private timer?: ReturnType<typeof setTimeout>;
  /** Each spell of waiting has its own lookups: one still under way from an earlier spell is dropped. */
  private spell = 0;
  private open = false;

  /** `changed`: the answer changed (the screen shows or hides its offer); `gone`: the screen went. */
  constructor(
    private readonly roomId: string,
    private readonly changed: () => void,
    private readonly gone: () => boolean,
  ) {}

  /** Whether the last lookup found a seat free. */
  get free(): boolean {
    return this.open;
  }

  /** Looks out while `waiting` (a spectator's room waits for players); stops, and offers nothing, otherwise. */
  watch(waiting: boolean): void {
    if (waiting === (this.timer !== undefined)) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const spell = ++this.spell;
    if (!waiting) {
      this.open = false;
      return;
    }
    const look = async () => {
      // A page in the background asks nothing (players behind one address share its request budget).
      if (document.visibilityState !== "hidden") {
        const { entry } = await lookUpRoom(this.roomId);
        if (this.gone() || spell !== this.spell) return;
        const free = entry?.open === true;
        if (free !== this.open) {
          this.open = free;
          this.changed();
        }
      }
      if (!this.gone() && spell === this.spell) this.timer = setTimeout(() => void look(), SEAT_LOOK_MS);
    };
    this.timer = setTimeout(() => void look(), 0);
  }

  /** Taking the seat failed (someone was quicker): not offered until a lookup finds one free again. */
  taken(): void {
    this.open = false;
  }
}
