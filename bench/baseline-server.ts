/**
 * The benchmark's baseline: a minimal, plain Colyseus 0.18 server with one TicTacToe room
 * and nothing else — no option or payload validation, no turn or rule checks, no logging,
 * no metrics, no listing, no reconnection windows. Same state fields as the project's
 * `tictactoe` room (so clients decode the same shape), same rematch behaviour (both
 * players ask → fresh board, random first mover), and the state is sent at once after
 * every change with `broadcastPatch()` (patchRate null: no patch tick, like ours). A quick
 * match (`joinOrCreate`) finds a room waiting for its second player, as in ours.
 *
 *   PORT=2600 HOST=127.0.0.1 node --import tsx bench/baseline-server.ts
 *
 * Run by bench/run.ts as its own child process; CPU and RSS are read from /proc/<pid>.
 */
import "../src/polyfills.js";
import { defineRoom, defineServer, Room, type Client } from "@colyseus/core";
import { ArraySchema, MapSchema, Schema, type } from "@colyseus/schema";

class BaselinePlayer extends Schema {
  @type("string") name = "";
  @type("string") symbol = "";
  @type("boolean") connected = true;
}

class BaselineState extends Schema {
  @type(["string"]) board = new ArraySchema<string>("", "", "", "", "", "", "", "", "");
  @type({ map: BaselinePlayer }) players = new MapSchema<BaselinePlayer>();
  @type("string") currentTurn = "";
  @type("string") winner = "";
  @type("boolean") draw = false;
  @type("string") phase = "waiting";
  @type("number") turnDeadline = 0;
}

const LINES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 6, 1, 4, 7, 2, 5, 8, 0, 4, 8, 2, 4, 6];

/** Whether `symbol` holds a full line (a plain array: no schema reads on the hot path). */
function wins(cells: string[], symbol: string): boolean {
  for (let i = 0; i < LINES.length; i += 3) {
    if (cells[LINES[i]!] === symbol && cells[LINES[i + 1]!] === symbol && cells[LINES[i + 2]!] === symbol) return true;
  }
  return false;
}

class BaselineTicTacToe extends Room<{ state: BaselineState }> {
  override maxClients = 2;
  override patchRate: number | null = null;
  override state = new BaselineState();
  private order: string[] = [];
  /** Plain copy of the board for the win check; `filled` counts marks (a full board is a draw). */
  private cells: string[] = ["", "", "", "", "", "", "", "", ""];
  private filled = 0;
  private rematch = new Set<string>();

  override onCreate() {
    this.onMessage("make_move", (client: Client, m: { row: number; col: number }) => {
      const s = this.state;
      const cell = m.row * 3 + m.col;
      const symbol = client.sessionId === this.order[0] ? "X" : "O";
      this.cells[cell] = symbol;
      s.board[cell] = symbol;
      if (wins(this.cells, symbol)) {
        s.phase = "over";
        s.winner = client.sessionId;
        s.currentTurn = "";
      } else if (++this.filled === 9) {
        s.phase = "over";
        s.draw = true;
        s.currentTurn = "";
      } else {
        s.currentTurn = client.sessionId === this.order[0] ? this.order[1]! : this.order[0]!;
      }
      this.broadcastPatch();
    });
    this.onMessage("rematch", (client: Client) => {
      this.rematch.add(client.sessionId);
      if (this.rematch.size === 2) this.start();
    });
  }

  override onJoin(client: Client, options: { name?: string }) {
    const symbol = this.order.length === 0 ? "X" : "O";
    this.order.push(client.sessionId);
    this.state.players.set(client.sessionId, new BaselinePlayer().assign({ name: options?.name ?? `Player ${this.order.length}`, symbol, connected: true }));
    if (this.order.length === 2) this.start();
    else this.broadcastPatch();
  }

  override onLeave(client: Client) {
    this.order = this.order.filter((id) => id !== client.sessionId);
    this.state.players.delete(client.sessionId);
    this.broadcastPatch();
  }

  private start() {
    const s = this.state;
    // A started game takes no newcomer, as ours (a quick match never lands in a game that is
    // ending while its players leave); Colyseus's own lock at maxClients lifts on a leave.
    void this.lock();
    this.rematch.clear();
    for (let i = 0; i < 9; i++) {
      if (this.cells[i] !== "") {
        this.cells[i] = "";
        s.board[i] = "";
      }
    }
    this.filled = 0;
    s.winner = "";
    s.draw = false;
    s.phase = "playing";
    s.currentTurn = this.order[Math.floor(Math.random() * 2)]!;
    this.broadcastPatch();
  }
}

const server = defineServer({
  rooms: { tictactoe: defineRoom(BaselineTicTacToe) },
  greet: false,
});

const port = Number(process.env.PORT ?? 2600);
server.listen(port, process.env.HOST ?? "127.0.0.1").catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
