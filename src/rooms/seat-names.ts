/**
 * The names of a room's seated players, by session id: given at join, numbered when a
 * seated player already has the name ("Ada (2)"), kept for the listing and the snapshot.
 */
import { nameKey } from "../protocol/names.js";

export class SeatNames {
  private readonly names = new Map<string, string>();
  private changes = 0;

  /** Bumped whenever a name is set or removed: the listing rebuilds its list of names only then. */
  get version(): number {
    return this.changes;
  }

  get(sessionId: string): string | undefined {
    return this.names.get(sessionId);
  }

  set(sessionId: string, name: string): void {
    this.names.set(sessionId, name);
    this.changes++;
  }

  /** Removes a name; false if there was none. */
  delete(sessionId: string): boolean {
    if (!this.names.delete(sessionId)) return false;
    this.changes++;
    return true;
  }

  /** The names of these players, in their order (players without one, such as bots, are skipped). */
  of(sessionIds: readonly string[]): string[] {
    return sessionIds.flatMap((id) => this.names.get(id) ?? []);
  }

  /** `name`, or `name (2)`, `name (3)`… if one of `seated` already has it (compared by {@link nameKey}). */
  unique(name: string, seated: readonly string[]): string {
    const taken = new Set(this.of(seated).map(nameKey));
    if (!taken.has(nameKey(name))) return name;
    for (let n = 2; ; n++) {
      const candidate = `${name} (${n})`;
      if (!taken.has(nameKey(candidate))) return candidate;
    }
  }
}
