/** A die face drawn with CSS pips (no font needed). Value 0 is an unrolled, blank die. */
import { h, type Props } from "./dom.js";

const PIPS: Record<number, number[]> = {
  0: [],
  1: [4],
  2: [0, 8],
  3: [0, 4, 8],
  4: [0, 2, 6, 8],
  5: [0, 2, 4, 6, 8],
  6: [0, 2, 3, 5, 6, 8],
};

const WORDS = ["not rolled", "one", "two", "three", "four", "five", "six"];

export function dieWord(value: number): string {
  return WORDS[value] ?? String(value);
}

function pips(value: number): HTMLElement {
  const on = new Set(PIPS[value] ?? []);
  return h(
    "span",
    { class: "pips", attrs: { "aria-hidden": "true" } },
    Array.from({ length: 9 }, (_, i) => h("span", { class: on.has(i) ? "pip on" : "pip" })),
  );
}

/** A die that only shows a value. */
export function dieFace(value: number, props: Props = {}, size: "small" | "normal" | "large" = "normal"): HTMLElement {
  return h(
    "span",
    {
      ...props,
      class: `die die-${size}${value === 0 ? " blank" : ""} ${props.class ?? ""}`.trim(),
      data: { ...props.data, value },
      attrs: { role: "img", "aria-label": `Die showing ${dieWord(value)}`, ...props.attrs },
    },
    pips(value),
  );
}

/** A die as a toggle button (selection). */
export function dieButton(value: number, selected: boolean, label: string, props: Props): HTMLElement {
  return h(
    "button",
    {
      ...props,
      class: `die die-normal${value === 0 ? " blank" : ""}${selected ? " selected" : ""}`,
      data: { ...props.data, value },
      attrs: { type: "button", "aria-pressed": selected ? "true" : "false", "aria-label": label, ...props.attrs },
    },
    pips(value),
  );
}
