/**
 * Seated players whose connection dropped: their seat is held until their reconnection
 * window ends (epoch ms). The room shows who is away, keeps it in its snapshot, and lets
 * nobody new sit down while everyone waiting in a room that has not started is away.
 */
export class AwaySeats {
  private readonly until = new Map<string, number>();
  /** Changed since the state was last written (see {@link takeChanged}). */
  // Stryker disable next-line BooleanLiteral: equivalent: the first commit writes every player whatever this says
  private changed = false;

  /** @param windowMs - a reconnection window, for a drop marked without its own end. */
  constructor(private readonly windowMs: () => number) {}

  /** Each away player → the epoch ms their window ends (what the state projection reads). */
  get all(): ReadonlyMap<string, number> {
    return this.until;
  }

  /** When `playerId`'s window ends, if they are away. */
  endOf(playerId: string): number | undefined {
    return this.until.get(playerId);
  }

  /** The player dropped (window ending at `until`, by default a full window from now); true if that changed anything. */
  drop(playerId: string, until?: number): boolean {
    if (until === undefined && this.until.has(playerId)) return false;
    this.until.set(playerId, until ?? Date.now() + this.windowMs());
    this.changed = true;
    return true;
  }

  /** The player is back (or gone for good); true if they were away. */
  back(playerId: string): boolean {
    const was = this.until.delete(playerId);
    this.changed ||= was;
    return was;
  }

  /** Every one of `players` (at least one) is away. */
  everyone(players: readonly string[]): boolean {
    return players.length > 0 && players.every((id) => this.until.has(id));
  }

  /** Whether anything changed since the last call (the state writes the away marks only then). */
  takeChanged(): boolean {
    const changed = this.changed;
    this.changed = false;
    return changed;
  }
}
