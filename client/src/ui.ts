/**
 * Page-wide pieces: the connection status banner, error toasts and notices.
 */
import { h, plainText, rich, type Text } from "./dom.js";

export type ConnState = "connecting" | "connected" | "reconnecting" | "lost" | "offline";

const STATE_WORDS: Record<ConnState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Connection dropped — reconnecting…",
  lost: "Connection lost",
  offline: "Not connected",
};

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from index.html`);
  return el;
}

/** How long "Connected · back in the game" and the like stay before the banner says just "Connected". */
const BRIEF_DETAIL_MS = 5000;
let briefTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Sets the always-visible connection banner: the state's words (and `detail` after them),
 * or `words` instead of both. Setting what is already shown changes nothing (no mutation).
 */
export function setConnection(state: ConnState, detail = "", words?: string): void {
  clearTimeout(briefTimer);
  briefTimer = undefined;
  const el = byId("conn-status");
  if (el.getAttribute("data-state") !== state) el.setAttribute("data-state", state);
  const text = words ?? (detail ? `${STATE_WORDS[state]} · ${detail}` : STATE_WORDS[state]);
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Says "Connected · `detail`" (back in the game, watching again) for {@link BRIEF_DETAIL_MS},
 * then just "Connected": news of a reconnection is old once the game has gone on. Any
 * other banner set meanwhile stays.
 */
export function setConnectedAgain(detail: string): void {
  setConnection("connected", detail);
  briefTimer = setTimeout(() => setConnection("connected"), BRIEF_DETAIL_MS);
}

const TOAST_MS = 6000;

/** Whether a toast's detail says more than its title ("It is not your turn." under "It is not your turn yet." does not). */
export function addsTo(title: string, detail: string): boolean {
  const bare = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  return bare(detail) !== "" && !bare(title).includes(bare(detail));
}

/**
 * Shows an error toast (role="alert": screen readers announce it) that hides by itself.
 * Player names in `title` or `detail` are {@link Text} names: isolated in `<bdi>`.
 */
export function showError(title: Text, detail: Text = "", code = ""): void {
  const region = byId("toasts");
  const close = h("button", { class: "toast-close", attrs: { type: "button", "aria-label": "Dismiss" } }, "×");
  const toast = h(
    "div",
    { class: "toast toast-error", testid: "error-toast", attrs: { role: "alert", "data-code": code || undefined } },
    h(
      "div",
      { class: "toast-body" },
      h("strong", { class: "toast-title" }, rich(title)),
      addsTo(plainText(title), plainText(detail)) ? h("span", { class: "toast-detail" }, rich(detail)) : null,
    ),
    close,
  );
  const remove = () => toast.remove();
  close.addEventListener("click", remove);
  setTimeout(remove, TOAST_MS);
  // At most three at once: the oldest goes.
  while (region.children.length >= 3) region.firstElementChild?.remove();
  region.appendChild(toast);
}

/** Shows (or, with an empty text, hides) the page-wide notice under the banner. */
export function setNotice(text: string): void {
  const el = byId("notice");
  el.textContent = text;
  el.hidden = text === "";
}

/** Removes every toast (a new screen starts clean). */
export function clearToasts(): void {
  byId("toasts").replaceChildren();
}
