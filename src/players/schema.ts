/**
 * The players' database: one schema for the embedded SQLite database and for PostgreSQL,
 * created and changed by the migrations below (run at start-up, in order, each once).
 *
 *   users          every identity: guests (anonymous) and registered players
 *   stats          per player and game: played, won, lost, drawn, rated, and the rating (μ, σ)
 *   matches        every recorded match: game, start, end, result and its action log
 *   match_players  who sat where in a match, and their placement (1 = won)
 *
 * Portable types only: text, integer, bigint (epoch ms), double precision; booleans are
 * integers 0/1 and JSON is text, so the same queries run on both databases.
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from "kysely";

export interface UsersTable {
  id: string;
  name: string;
  /** Normalised (trimmed, lower case); null for a guest. */
  email: string | null;
  /** The password hash (never the password); null for a guest. */
  password: string | null;
  /** 1: an anonymous guest; 0: registered. */
  guest: number;
  created_at: number;
}

export interface StatsTable {
  user_id: string;
  game: string;
  played: number;
  won: number;
  lost: number;
  drawn: number;
  /** The games of `played` that moved the rating (every seat a different signed-in player): the leaderboard counts these. */
  rated: number;
  mu: number;
  sigma: number;
}

export interface MatchesTable {
  id: string;
  game: string;
  started_at: number;
  ended_at: number;
  /** 1: the ratings were changed by this match (every seat a known player, no bot). */
  rated: number;
  /** JSON: how it ended (see MatchRecord.result). */
  result: string;
  /** JSON: the complete action log, with seeds. */
  log: string;
}

export interface MatchPlayersTable {
  match_id: string;
  seat: number;
  /** Null for a bot or a program without an identity. */
  user_id: string | null;
  name: string;
  /** 1 = first; tied players share a placement. */
  placement: number;
  /** The match's end (as in `matches`): a player's last matches are read from an index, not sorted from all of them. */
  ended_at: number;
}

export interface Database {
  users: UsersTable;
  stats: StatsTable;
  matches: MatchesTable;
  match_players: MatchPlayersTable;
}

const migrations: Record<string, Migration> = {
  "0001-players": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("users")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("email", "text", (c) => c.unique())
        .addColumn("password", "text")
        .addColumn("guest", "integer", (c) => c.notNull())
        .addColumn("created_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("stats")
        .addColumn("user_id", "text", (c) => c.notNull().references("users.id"))
        .addColumn("game", "text", (c) => c.notNull())
        .addColumn("played", "integer", (c) => c.notNull())
        .addColumn("won", "integer", (c) => c.notNull())
        .addColumn("lost", "integer", (c) => c.notNull())
        .addColumn("drawn", "integer", (c) => c.notNull())
        .addColumn("mu", "double precision", (c) => c.notNull())
        .addColumn("sigma", "double precision", (c) => c.notNull())
        .addPrimaryKeyConstraint("stats_pk", ["user_id", "game"])
        .execute();
      await db.schema.createIndex("stats_leaderboard").on("stats").columns(["game", "played"]).execute();
      await db.schema
        .createTable("matches")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("game", "text", (c) => c.notNull())
        .addColumn("started_at", "bigint", (c) => c.notNull())
        .addColumn("ended_at", "bigint", (c) => c.notNull())
        .addColumn("rated", "integer", (c) => c.notNull())
        .addColumn("result", "text", (c) => c.notNull())
        .addColumn("log", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("match_players")
        .addColumn("match_id", "text", (c) => c.notNull().references("matches.id"))
        .addColumn("seat", "integer", (c) => c.notNull())
        .addColumn("user_id", "text", (c) => c.references("users.id"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("placement", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("match_players_pk", ["match_id", "seat"])
        .execute();
      await db.schema.createIndex("match_players_user").on("match_players").columns(["user_id", "match_id"]).execute();
    },
  },
  // The hourly removal of unused guests (PlayerStore.pruneGuests) finds them without reading every user.
  "0002-guests-by-age": {
    async up(db: Kysely<any>) {
      await db.schema.createIndex("users_guest_created").on("users").columns(["guest", "created_at"]).execute();
    },
  },
  // A player's last matches, newest first, from an index on (player, end): before it, a
  // profile read every match the player ever sat in (50 ms on the event loop for 50,000).
  "0003-player-matches-by-end": {
    async up(db: Kysely<any>) {
      await db.schema.alterTable("match_players").addColumn("ended_at", "bigint", (c) => c.notNull().defaultTo(0)).execute();
      await db
        .updateTable("match_players")
        .set((eb) => ({ ended_at: eb.selectFrom("matches").select("matches.ended_at").whereRef("matches.id", "=", "match_players.match_id") }))
        .execute();
      await db.schema.dropIndex("match_players_user").execute();
      await db.schema.createIndex("match_players_user").on("match_players").columns(["user_id", "ended_at", "match_id"]).execute();
    },
  },
  // A leaderboard read from an index in its order (rating, games, id) instead of a sort of
  // every player of the game: 145 ms with 100,000 players on the embedded database before.
  "0004-stats-by-rank": {
    async up(db: Kysely<any>) {
      await sql`create index stats_rank on stats (game, (mu - 3 * sigma) desc, played desc, user_id)`.execute(db);
      // Its forerunner (game, played): the planner preferred it, and sorted.
      await db.schema.dropIndex("stats_leaderboard").execute();
    },
  },
  // The leaderboard lists players by their rated games: before, 5 games against the Dice bot
  // (which move no rating) listed a player at a new player's 0.0, above every rated player
  // whose rating had gone below it. Counted from the matches recorded so far. The
  // leaderboard's index holds only players with a rated game (`rated > 0`, a term its query
  // repeats word for word): the many who only played the bot all sit at 0.0, and a read
  // would otherwise walk past every one of them.
  "0005-stats-rated": {
    async up(db: Kysely<any>) {
      // One transaction on both databases (Kysely's migrator opens none on SQLite): a start
      // cut short in the backfill leaves no column behind to fail the next start.
      const steps = async (trx: Kysely<any>) => {
        await trx.schema.alterTable("stats").addColumn("rated", "integer", (c) => c.notNull().defaultTo(0)).execute();
        await sql`update stats set rated = (select count(*) from match_players join matches on matches.id = match_players.match_id where match_players.user_id = stats.user_id and matches.game = stats.game and matches.rated = 1)`.execute(trx);
        await sql`create index stats_rated_rank on stats (game, (mu - 3 * sigma) desc, played desc, user_id) where rated > 0`.execute(trx);
        await trx.schema.dropIndex("stats_rank").execute();
      };
      if (db.isTransaction) await steps(db);
      else await db.transaction().execute(steps);
    },
  },
};

/** The migrations, for Kysely's Migrator. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
