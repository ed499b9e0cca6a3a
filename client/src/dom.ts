/**
 * A tiny DOM toolkit. Every text goes in through `textContent` / text nodes, never
 * through `innerHTML`: player names and server messages can never become markup.
 * Player names inside a line of text are {@link Name}s: rendered each in its own `<bdi>`,
 * so a right-to-left name cannot reorder the words, numbers and punctuation around it.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Props {
  class?: string;
  /** Written as `data-testid`. */
  testid?: string;
  /** Written as `data-action`: the delegated click handler of a screen dispatches on it. */
  action?: string;
  /** Written as `data-*` attributes. */
  data?: Record<string, string | number>;
  /** Other attributes; `true` writes an empty attribute, `false` / null / undefined none. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
}

/** Creates an element with its props and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.testid) el.setAttribute("data-testid", props.testid);
  if (props.action) el.setAttribute("data-action", props.action);
  if (props.data) for (const [k, v] of Object.entries(props.data)) el.setAttribute(`data-${k}`, String(v));
  if (props.attrs) {
    for (const [k, v] of Object.entries(props.attrs)) {
      if (v === true) el.setAttribute(k, "");
      else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

/** Appends children (strings and numbers as text nodes). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Calls `handler(action, element)` for clicks on (or inside) `[data-action]` elements under `root`. */
export function delegate(root: HTMLElement, handler: (action: string, el: HTMLElement) => void): void {
  root.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-action]") : null;
    if (!target || !root.contains(target)) return;
    if (target.hasAttribute("disabled") || target.getAttribute("aria-disabled") === "true") return;
    handler(target.getAttribute("data-action")!, target);
  });
}

/** A player's name inside a line of text (see {@link Text}); make one with {@link asName}. */
export interface Name {
  readonly name: string;
}

/**
 * A line of text that may hold player names: plain strings, {@link Name}s and nested lines.
 * Plain data (no DOM nodes), so it can be kept (the event log) and rendered again and again.
 */
export type Text = string | number | Name | readonly Text[];

/** Marks `name` as a player's name: {@link rich} renders it isolated in a `<bdi>`. */
export function asName(name: string): Name {
  return { name };
}

/** The nodes of a line: strings as text, every {@link Name} as `<bdi class="name">`. */
export function rich(text: Text): Child {
  if (typeof text === "string" || typeof text === "number") return text;
  if (Array.isArray(text)) return (text as readonly Text[]).map(rich);
  return h("bdi", { class: "name" }, (text as Name).name);
}

/** The line as one string, as its rendered `textContent` reads (for labels, comparisons). */
export function plainText(text: Text): string {
  if (typeof text === "string" || typeof text === "number") return String(text);
  if (Array.isArray(text)) return (text as readonly Text[]).map(plainText).join("");
  return (text as Name).name;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves when the browser is online, or after `timeoutMs` (at once when it is online or
 * the timeout is not positive).
 */
export function online(timeoutMs: number): Promise<void> {
  if (navigator.onLine || timeoutMs <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    addEventListener("online", done);
  });
}

/** Waits `ms`, or less when the browser, offline now, comes back online meanwhile. */
export function napUntilOnline(ms: number): Promise<void> {
  return navigator.onLine ? sleep(ms) : online(ms);
}
