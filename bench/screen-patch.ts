/**
 * What the web client's screen patcher (client/src/morph.ts) costs in Chromium per render: the
 * game screen is built anew every 250 ms and at every state patch, and `morph` patches the
 * page to it. The screen here is shaped like a game's: a board of 42 cells, a scoreboard of 8
 * rows and a few lines (none keyed), and an event log of 30 keyed lines that gains a line on
 * top and loses one at the bottom at every render. 2,000 renders, built beforehand (with the
 * client's own `h`), patched one after the other; 5 rounds. The time is the patch's alone.
 *
 *   npx tsx bench/screen-patch.ts
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { launchBrowser } from "../test/browser/helpers.js";

const RENDERS = 2000;
const ROUNDS = 5;

/**
 * A client module without imports (morph.ts, and dom.ts for the screen's builder `h`),
 * transpiled, as a page script: its functions become the page's globals.
 */
function clientScript(file: string): string {
  const source = fs.readFileSync(path.join(__dirname, "..", "client", "src", file), "utf8");
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText.replace(/^export /gm, "");
}

async function main() {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><body></body></html>");
    for (const file of ["dom.ts", "morph.ts"]) await page.addScriptTag({ content: clientScript(file) });
    // Plain JavaScript, run in the page as written (a function passed from here would carry the
    // TypeScript loader's helpers, which the page does not have).
    const rounds = (await page.evaluate(`(() => {
      // Built as the client builds a screen (h, client/src/dom.ts).
      const screen = (i) =>
        h("div", { class: "game" },
          h("h2", {}, "Connect Four"),
          h("p", { attrs: { role: "status" } }, "Turn " + i),
          h("div", { class: "board" }, Array.from({ length: 42 }, (_, c) => h("button", { class: "cell", testid: "cell-" + c }, (c + i) % 3 === 0 ? "X" : ""))),
          h("table", {}, h("tbody", {}, Array.from({ length: 8 }, (_, r) => h("tr", {}, h("td", {}, "Player " + r), h("td", {}, String((r * i) % 50)))))),
          h("ol", {}, Array.from({ length: 30 }, (_, l) => h("li", { data: { key: "e" + (i + 30 - l) } }, "event " + (i + 30 - l)))),
          h("div", { class: "actions" }, h("button", {}, "Roll"), h("button", {}, "Leave")),
        );
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
