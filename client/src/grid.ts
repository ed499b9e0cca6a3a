/**
 * A board's cells as one Tab stop, with the arrow keys moving between them (the "roving
 * tabindex" of WAI-ARIA's grid and toolbar patterns). A board marks itself with
 * `data-grid-cols` (its cells to a row); its cells are its children with a `data-action`.
 *
 * Until 2026-12-07 every cell was a Tab stop: a keyboard player crossed all nine TicTacToe
 * cells, taken ones too, or all seven Connect Four columns, to get from the board to
 * the buttons below it. Now Tab enters the board once, on the cell last used, and leaves it
 * with the next Tab; the arrow keys, Home and End move inside it.
 *
 * The page is the memory: the Tab stop is the cell with `tabindex="0"` (or the focused
 * one), read from the page before each render and written into the new screen before it
 * is patched in (client/src/morph.ts), so nothing else keeps it.
 */

/** The attribute that makes an element a grid: its cells to a row. */
const GRID_COLS = "data-grid-cols";

/** A board's `data` (see `h` in client/src/dom.ts): a grid of `cols` cells to a row (at least 1). */
export function gridData(cols: number): Record<string, number> {
  return { [GRID_COLS.slice("data-".length)]: Math.max(1, cols) };
}

/**
 * The cell a key moves to from cell `at`, in a grid of `usable.length` cells laid out
 * `cols` to a row; only usable cells are landed on (a full Connect Four column is skipped).
 * Left and Right stay in the row, Up and Down in the column (in a grid of one row, they go
 * as Left and Right), Home and End go to the row's
 * first or last usable cell, or with Ctrl the grid's. `at` when there is nowhere to go that
 * way; undefined for a key that does not move in a grid.
 */
export function moveInGrid(at: number, key: string, cols: number, usable: readonly boolean[], ctrl = false): number | undefined {
  const count = usable.length;
  // One row (Connect Four's columns, the dice, the players to choose from, which the page may
  // wrap onto two lines on a phone): Up and Down go back and on along it, as in a radio group.
  if (count <= cols && key === "ArrowUp") key = "ArrowLeft";
  if (count <= cols && key === "ArrowDown") key = "ArrowRight";
  const rowStart = at - (at % cols);
  const rowEnd = Math.min(rowStart + cols, count) - 1;
  /** The first usable cell from `from` on, `step` by `step`, up to and with `last`. */
  const scan = (from: number, step: number, last: number): number => {
    for (let i = from; step > 0 ? i <= last : i >= last; i += step) if (usable[i]) return i;
    return at;
  };
  switch (key) {
    case "ArrowRight":
      return scan(at + 1, 1, rowEnd);
    case "ArrowLeft":
      return scan(at - 1, -1, rowStart);
    case "ArrowDown":
      return scan(at + cols, cols, count - 1);
    case "ArrowUp":
      return scan(at - cols, -cols, 0);
    case "Home":
      return ctrl ? scan(0, 1, count - 1) : scan(rowStart, 1, rowEnd);
    case "End":
      return ctrl ? scan(count - 1, -1, 0) : scan(rowEnd, -1, rowStart);
    default:
      return undefined;
  }
}

/**
 * The grid's Tab stop: cell `wanted` if it can be used, else the usable cell nearest it
 * (the later one of two as near: a full Connect Four column hands it to the one on its
 * right, as the focus goes, see client/src/game.ts), else `wanted` all the same (no cell
 * can be used: the board is inert, and the stop stays for when it is not). -1 for no cells.
 */
export function stopCell(wanted: number, usable: readonly boolean[]): number {
  // With no cells, -1.
  const at = Math.min(Math.max(wanted, 0), usable.length - 1);
  for (let d = 0; d < usable.length; d++) {
    if (usable[at + d]) return at + d;
    if (usable[at - d]) return at - d;
  }
  return at;
}

/** What a grid's Tab stop is kept by from one render to the next: its test id (one no other grid on the screen has). */
const gridKey = (grid: Element) => grid.getAttribute("data-testid") ?? "";

/** The grids under `root`, each with its cells. */
function grids(root: ParentNode): { key: string; cells: HTMLElement[] }[] {
  return Array.from(root.querySelectorAll<HTMLElement>(`[${GRID_COLS}]`)).map((grid) => ({ key: gridKey(grid), cells: cellsOf(grid) }));
}

/** The key of the grid `el` is a cell of, or undefined for an element in no grid. */
export function gridOf(el: Element): string | undefined {
  const found = cellAt(el);
  return found && gridKey(found.grid);
}

/** The usable Tab stop of grid `key` under `root`: where a focus lost in it goes (its cell gone or disabled). */
export function usableStop(root: ParentNode, key: string | undefined): HTMLElement | undefined {
  return grids(root)
    .find((grid) => grid.key === key)
    ?.cells.find((cell) => cell.getAttribute("tabindex") === "0" && isUsable(cell));
}

function cellsOf(grid: Element): HTMLElement[] {
  return Array.from(grid.children).filter((el): el is HTMLElement => el.hasAttribute("data-action"));
}

const isUsable = (cell: Element) => !cell.hasAttribute("disabled");
const usable = (cells: readonly HTMLElement[]) => cells.map(isUsable);

/** A grid's Tab stop: the cell's place, and its key where its cells have keys (`data-key`: a player's button). */
export interface Stop {
  readonly at: number;
  readonly key?: string;
}

/** Each grid's Tab stop on the page under `root` (the focused cell, else the one with tabindex 0), by the grid's test id. */
export function readStops(root: ParentNode): Map<string, Stop> {
  const stops = new Map<string, Stop>();
  const focused = document.activeElement;
  for (const { key, cells } of grids(root)) {
    const focusedAt = cells.findIndex((cell) => cell === focused);
    const at = focusedAt >= 0 ? focusedAt : cells.findIndex((cell) => cell.getAttribute("tabindex") === "0");
    if (at >= 0) stops.set(key, { at, key: cells[at]!.getAttribute("data-key") ?? undefined });
  }
  return stops;
}

/**
 * Writes the Tab stops into `screen` (a render not yet on the page): in each grid, the
 * stop read from the page gets tabindex 0, every other cell -1. A keyed stop is found by
 * its key (a player before it in the list went out: it is one place earlier now), else by
 * its place; a grid new to the page starts on its first usable cell.
 */
export function writeStops(screen: ParentNode, stops: ReadonlyMap<string, Stop>): void {
  for (const { key, cells } of grids(screen)) {
    const was = stops.get(key);
    const keyed = was?.key === undefined ? -1 : cells.findIndex((cell) => cell.getAttribute("data-key") === was.key);
    setStop(cells, stopCell(keyed >= 0 ? keyed : (was?.at ?? 0), usable(cells)));
  }
}

/** The grid `target` is a cell of, with its cells and the cell's place; undefined for anything else. */
function cellAt(target: EventTarget | null): { grid: Element; cells: HTMLElement[]; at: number } | undefined {
  const cell = target instanceof Element ? target : null;
  const grid = cell?.parentElement;
  if (!cell || !grid?.hasAttribute(GRID_COLS) || !cell.hasAttribute("data-action")) return undefined;
  const cells = cellsOf(grid);
  return { grid, cells, at: cells.indexOf(cell as HTMLElement) };
}

const setStop = (cells: readonly HTMLElement[], stop: number) => cells.forEach((c, i) => c.setAttribute("tabindex", i === stop ? "0" : "-1"));

/**
 * The arrow keys, Home and End move the focus between the cells of the grids under `root`;
 * a cell that takes the focus otherwise (a click, a script) becomes its grid's Tab stop at
 * once, so Tab and Shift+Tab come back to it before the next render.
 */
export function gridKeys(root: HTMLElement): void {
  root.addEventListener("focusin", (event) => {
    const found = cellAt(event.target);
    if (found) setStop(found.cells, found.at);
  });
  root.addEventListener("keydown", (event) => {
    if (event.altKey || event.metaKey || event.shiftKey) return;
    const found = cellAt(event.target);
    if (!found) return;
    const { grid, cells, at } = found;
    const to = moveInGrid(at, event.key, Number(grid.getAttribute(GRID_COLS)) || 1, usable(cells), event.ctrlKey);
    if (to === undefined) return;
    // Handled even where it goes nowhere: an arrow key on the board never scrolls the page.
    event.preventDefault();
    if (to === at) return;
    setStop(cells, to);
    cells[to]!.focus();
  });
}
