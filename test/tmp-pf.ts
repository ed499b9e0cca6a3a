import fs from "node:fs"; import os from "node:os"; import path from "node:path";
import { openDatabase } from "../src/players/database.js";
import { PlayerStore } from "../src/players/store.js";
(async () => {
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pf-"));
const db = await openDatabase({ dataDir: dir });
const store = new PlayerStore(db);
const sq = db.sqlite!;
const N = Number(process.argv[2] ?? 50000);
sq.prepare("insert into users (id, name, email, password, guest, created_at) values ('u1', 'bot', null, null, 0, 0)").run();
const im = sq.prepare("insert into matches (id, game, started_at, ended_at, rated, result, log) values (?, 'tictactoe', ?, ?, 0, '{}', '[]')");
const ip = sq.prepare("insert into match_players (match_id, seat, user_id, name, placement) values (?, ?, ?, 'x', ?)");
sq.transaction(() => { for (let i = 0; i < N; i++) { const id = "m" + String(i).padStart(8, "0"); im.run(id, i, i + 1); ip.run(id, 0, "u1", 1); ip.run(id, 1, null, 2); } })();
for (let k = 0; k < 4; k++) { const t = performance.now(); const p = await store.profile("u1"); console.log("profile ms", (performance.now() - t).toFixed(1), p!.matches.length, p!.matches[0]!.id); }
await db.close();
})();
