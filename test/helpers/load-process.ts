/**
 * Load from a separate process, so that a test timing an honest game measures the server
 * and not its own event loop busy with hundreds of attacking clients.
 *
 * `startLoad(serverUrl)` forks this file; the child then takes commands over IPC:
 *   holdRooms(n, addressBase)    n TicTacToe rooms, each held by a waiting player (5 per address)
 *   lobbySockets(n, base)        n lobby connections, 4 per address, filter include: "all"
 *   churn(perTick, ms)           every 400 ms, `perTick` held rooms leave and new ones open, for `ms`
 *   closeLobbies(n)              drops n lobby sockets without a goodbye (socket terminated)
 *   frameFlood(sockets, ms)      sockets with no room send ping frames as fast as they can,
 *                                opening a new socket each time one is cut, for `ms`
 *   holdReservations(from, ms, perSecond)  from each loopback address in `from` (127.0.0.x,
 *                                a real source address), reserve the open rooms over plain
 *                                HTTP and never connect, again and again for `ms`, at about
 *                                `perSecond` requests per second per address
 *   stats()                      counts: rooms held, lobby sockets, `rooms` messages per socket,
 *                                frames sent and cuts, reservations made and refused
 * Addresses are claimed through X-Forwarded-For (the server must trust one proxy hop).
 */
import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import os from "node:os";
import WebSocket from "ws";
import { Client, type Room } from "@colyseus/sdk";
import { killOnExit } from "./cluster.js";

export interface LoadStats {
  rooms: number;
  framesSent: number;
  floodCuts: number;
  reservationsMade: number;
  reservationsRefused: number;
  lobbies: number;
  /** `rooms` messages received by each lobby socket so far. */
  lobbyMessages: number[];
  /** Entries in the last list each lobby socket received. */
  lastListSizes: number[];
  errors: string[];
}

type Command =
  | { op: "holdRooms"; n: number; base: number }
  | { op: "lobbySockets"; n: number; base: number; perAddress?: number }
  | { op: "churn"; perTick: number; ms: number; base: number }
  | { op: "closeLobbies"; n: number }
  | { op: "frameFlood"; sockets: number; ms: number }
  | { op: "holdReservations"; from: string[]; ms: number; perSecond: number }
  | { op: "stats" }
  | { op: "leaveAll" };

export interface LoadProcess {
  /** Runs `command`; rejects if it has not finished after `timeoutMs`. */
  run(command: Command, timeoutMs?: number): Promise<LoadStats>;
  stop(): Promise<void>;
}

const address = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** Forks a load process against `serverUrl`. */
export function startLoad(serverUrl: string): LoadProcess {
  const child: ChildProcess = fork(__filename, [], { execArgv: ["--import", "tsx"], env: { ...process.env, LOAD_SERVER_URL: serverUrl }, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  killOnExit(() => child.exitCode === null && child.kill("SIGKILL"));
  // Attackers are other machines in real life: here they share the server's cores, so they
  // run at the lowest priority, to measure the server rather than a starved CPU.
  try {
    os.setPriority(child.pid!, 19);
  } catch {
    // not permitted: measured as is
  }
  let pending: ((stats: LoadStats) => void) | undefined;
  let failed: ((err: Error) => void) | undefined;
  child.on("message", (stats: LoadStats) => pending?.(stats));
  child.once("exit", (code) => failed?.(new Error(`load process exited (${code})`)));
  return {
    run(command, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`load process: ${command.op} did not finish within ${timeoutMs} ms`)), timeoutMs);
        pending = (stats) => {
          clearTimeout(timer);
          resolve(stats);
        };
        failed = (err) => {
          clearTimeout(timer);
          reject(err);
        };
        child.send(command);
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

// ---- the child ---------------------------------------------------------------------

async function child() {
  const url = process.env.LOAD_SERVER_URL!;
  const held: Room[] = [];
  const lobbies: { room: Room; messages: number; last: number }[] = [];
  const errors: string[] = [];
  const clientFrom = (n: number) => new Client(url, { headers: { "X-Forwarded-For": address(n) } });
  /** `room.leave()` never settles for a connection that is already gone: bounded. */
  const leave = (room: Room) => Promise.race([room.leave(true).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
  const quiet = (room: Room) => {
    room.reconnection.enabled = false;
    room.onMessage("*", () => undefined);
  };
  const create = async (n: number) => {
    try {
      const room = await clientFrom(n).create("tictactoe", { name: "Holder" });
      quiet(room);
      held.push(room);
    } catch (err) {
      if (errors.length < 20) errors.push((err as Error).message);
    }
  };
  const counts = { framesSent: 0, floodCuts: 0, reservationsMade: 0, reservationsRefused: 0 };
  const stats = (): LoadStats => ({ ...counts, rooms: held.length, lobbies: lobbies.length, lobbyMessages: lobbies.map((l) => l.messages), lastListSizes: lobbies.map((l) => l.last), errors });

  process.on("message", async (command: Command) => {
    switch (command.op) {
      case "holdRooms": {
        // One create per address at a time; 5 per address (the rooms an address may hold waiting).
        const addresses = Math.ceil(command.n / 5);
        for (let done = 0; done < command.n; done += addresses) {
          await Promise.all(Array.from({ length: Math.min(addresses, command.n - done) }, (_, i) => create(command.base + i)));
        }
        break;
      }
      case "lobbySockets":
        await Promise.all(
          Array.from({ length: command.n }, async (_, i) => {
            try {
              const room = await clientFrom(command.base + Math.floor(i / (command.perAddress ?? 4))).join("lobby", { include: "all" });
              room.reconnection.enabled = false;
              const entry = { room, messages: 0, last: 0 };
              room.onMessage("rooms", (list: unknown[]) => {
                entry.messages++;
                entry.last = list.length;
              });
              lobbies.push(entry);
            } catch (err) {
              if (errors.length < 20) errors.push((err as Error).message);
            }
          }),
        );
        break;
      case "churn": {
        const until = Date.now() + command.ms;
        let n = command.base;
        while (Date.now() < until) {
          const leaving = held.splice(0, command.perTick);
          await Promise.all(leaving.map(leave));
          await Promise.all(leaving.map(() => create(n++)));
          await new Promise((r) => setTimeout(r, 400));
        }
        break;
      }
      case "closeLobbies":
        for (const l of lobbies.splice(0, command.n)) (l.room as any).connection.transport.ws.terminate();
        break;
      case "leaveAll":
        await Promise.all([...held.splice(0), ...lobbies.splice(0).map((l) => l.room)].map(leave));
        break;
      case "frameFlood": {
        const until = Date.now() + command.ms;
        const ping = Uint8Array.of(18); // Protocol.PING
        const flooder = async () => {
          while (Date.now() < until) {
            const ws = new WebSocket(url.replace(/^http/, "ws") + "/");
            const opened = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(false), 5000);
              ws.once("open", () => resolve(true));
              ws.once("error", () => resolve(false));
              ws.once("unexpected-response", () => resolve(false));
              ws.once("close", () => clearTimeout(timer));
            });
            if (!opened) {
              ws.terminate();
              await new Promise((r) => setTimeout(r, 200)); // refused (connection rate): try again later
              continue;
            }
            ws.on("close", (code) => code === 4429 && counts.floodCuts++);
            while (ws.readyState === WebSocket.OPEN && Date.now() < until) {
              for (let i = 0; i < 100; i++, counts.framesSent++) ws.send(ping);
              await new Promise((r) => setImmediate(r));
            }
            ws.terminate();
          }
        };
        await Promise.all(Array.from({ length: command.sockets }, flooder));
        break;
      }
      case "holdReservations": {
        const until = Date.now() + command.ms;
        const request = (localAddress: string, method: string, path: string) =>
          new Promise<{ status: number; body: string }>((resolve) => {
            const req = http.request(`${url}${path}`, { method, localAddress, headers: { "Content-Type": "application/json" } }, (res) => {
              let body = "";
              res.setEncoding("utf8");
              res.on("data", (d: string) => (body += d));
              res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
            });
            req.on("error", () => resolve({ status: 0, body: "" }));
            req.setTimeout(5000, () => req.destroy());
            req.end(method === "POST" ? "{}" : undefined);
          });
        const post = async (localAddress: string, path: string) => (await request(localAddress, "POST", path)).status;
        // Each address sends about `perSecond` requests per second (a listing, then reservations).
        const gap = 1000 / command.perSecond;
        const holder = async (localAddress: string) => {
          await new Promise((r) => setTimeout(r, Math.random() * gap));
          while (Date.now() < until) {
            const listed = await request(localAddress, "GET", "/api/rooms");
            const rooms = listed.status === 200 ? (JSON.parse(listed.body) as { roomId: string }[]) : [];
            await new Promise((r) => setTimeout(r, gap));
            for (const room of rooms.slice(0, 10)) {
              if (Date.now() >= until) break;
              const status = await post(localAddress, `/matchmake/joinById/${room.roomId}`);
              if (status === 200) counts.reservationsMade++;
              else counts.reservationsRefused++;
              await new Promise((r) => setTimeout(r, gap));
            }
          }
        };
        await Promise.all(command.from.map(holder));
        break;
      }
      case "stats":
        break;
    }
    process.send!(stats());
  });
}

if (require.main === module) void child();
