/**
 * What the web client's screen patcher (client/src/morph.ts) costs in Chromium per render: the
 * game screen is built anew every 250 ms and at every state patch, and `morph` patches the
 * page to it. The screen here is shaped like a game's: a board of 42 cells, a scoreboard of 8
 * rows and a few lines (none keyed), and an event log of 30 keyed lines that gains a line on
 * top at every render. 2,000 renders, built beforehand, patched one after the other; 5 rounds.
 *
 *   npx tsx bench/screen-patch.ts
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { launchBrowser } from "../test/browser/helpers.js";

const RENDERS = 2000;
const ROUNDS = 5;

// morph.ts has no imports: its functions, transpiled, are defined in the page as they are.
const source = fs.readFileSync(path.join(__dirname, "..", "client", "src", "morph.ts"), "utf8");
const script = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText.replace(/^export /gm, "");

async function main() {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><body></body></html>");
    await page.addScriptTag({ content: script });
    // Plain JavaScript, run in the page as written (a function passed from here would carry the
    // TypeScript loader's helpers, which the page does not have).
    const rounds = (await page.evaluate(`(() => {
      const el = (tag, attrs, kids) => {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
        for (const k of kids) e.append(typeof k === "string" ? document.createTextNode(k) : k);
        return e;
      };
      const screen = (i) =>
        el("div", { class: "game" }, [
          el("h2", {}, ["Connect Four"]),
          el("p", { role: "status" }, ["Turn " + i]),
          el("div", { class: "board" }, Array.from({ length: 42 }, (_, c) => el("button", { class: "cell", "data-testid": "cell-" + c }, [(c + i) % 3 === 0 ? "X" : ""]))),
          el("table", {}, [el("tbody", {}, Array.from({ length: 8 }, (_, r) => el("tr", {}, [el("td", {}, ["Player " + r]), el("td", {}, [String((r * i) % 50)])])))]),
          el("ol", {}, Array.from({ length: 30 }, (_, l) => el("li", { "data-key": "e" + (i + 30 - l) }, ["event " + (i + 30 - l)]))),
          el("div", { class: "actions" }, [el("button", {}, ["Roll"]), el("button", {}, ["Leave"])]),
        ]);
      const out = [];
      for (let round = 0; round < ${ROUNDS}; round++) {
        const target = screen(0);
        document.body.replaceChildren(target);
        const next = Array.from({ length: ${RENDERS} }, (_, i) => screen(i + 1));
        const start = performance.now();
        for (const s of next) morph(target, s);
        out.push(((performance.now() - start) / ${RENDERS}) * 1000);
      }
      return out;
    })()`)) as number[];
    const sorted = [...rounds].sort((a, b) => a - b);
    console.log(`screen patch, per render (${RENDERS} renders, ${ROUNDS} rounds): ${rounds.map((r) => r.toFixed(0)).join(", ")} µs; median ${sorted[Math.floor(ROUNDS / 2)]!.toFixed(0)} µs`);
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
