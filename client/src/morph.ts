/**
 * The screen's patcher: every render builds a screen anew (with `h`, client/src/dom.ts) and
 * `morph` makes the page equal to it, keeping the nodes it can. Which nodes it keeps is what a
 * player notices: a focused button replaced loses the keyboard's focus, a row rebuilt flickers.
 */

/**
 * Makes the children and attributes of `target` equal to those of `source`, reusing the
 * existing nodes where the tag matches. Re-rendering a whole screen on every state patch
 * this way keeps keyboard focus and does not detach a button under the pointer.
 * Event listeners are not copied: screens use one delegated listener (`data-action`).
 */
export function morph(target: Element, source: Element): void {
  syncAttributes(target, source);
  morphChildren(target, source);
}

/** Like {@link morph}, but leaves the attributes of `target` itself alone. */
export function morphContent(target: Element, source: Element): void {
  morphChildren(target, source);
}

/** A child's `data-key`, or null for a node without one (text, or an element not keyed). */
function keyOf(node: Node): string | null {
  return node.nodeType === Node.ELEMENT_NODE ? (node as Element).getAttribute("data-key") : null;
}

/**
 * Children are matched in order, except keyed ones (`data-key`): a keyed child is found
 * wherever it stands and patched there. New children go in before a keyed child still to
 * come rather than being patched over it, and children gone from before it are removed, so
 * it stays where it is: a line added on top of a keyed list (the event log, the lobby's
 * rooms) is one insertion, not a rebuild of every row below it, and a part that something
 * appearing or going above it shifted (the game's area under the invite) keeps its element
 * and the keyboard's focus inside it (until 2026-12-07 children were matched by position
 * only: a keyed child that moved was rebuilt). A keyed child is moved only when the keyed
 * children's order changed.
 */
function morphChildren(target: Node, source: Node): void {
  const next = Array.from(source.childNodes);
  if (!next.some(isKeyed) && !Array.prototype.some.call(target.childNodes, isKeyed)) {
    morphByPosition(target, next);
    return;
  }
  const keyed = new Map<string, Node>();
  for (const node of Array.from(target.childNodes)) {
    const key = keyOf(node);
    if (key !== null && !keyed.has(key)) keyed.set(key, node);
  }
  // How many new children with each key are still to place.
  const ahead = new Map<string, number>();
  for (const node of next) {
    const key = keyOf(node);
    if (key !== null) ahead.set(key, (ahead.get(key) ?? 0) + 1);
  }
  /** A current child that a new child still to come takes (by its key). */
  const awaited = (node: Node): boolean => {
    const key = keyOf(node);
    return key !== null && keyed.get(key) === node && (ahead.get(key) ?? 0) > 0;
  };
  let cursor: ChildNode | null = target.firstChild;
  /** Removes the current children from the cursor up to `end` (excluded). */
  const removeUpTo = (end: Node | null, only: (node: ChildNode) => boolean) => {
    while (cursor && cursor !== end && only(cursor)) {
      const gone: ChildNode = cursor;
      cursor = cursor.nextSibling;
      gone.remove();
    }
  };
  for (const node of next) {
    const key = keyOf(node);
    if (key !== null) ahead.set(key, ahead.get(key)! - 1);
    const found = key === null ? undefined : keyed.get(key);
    const match = found?.nodeName === node.nodeName ? found : undefined;
    // Keyed children nothing takes any more, where the cursor stands: gone.
    removeUpTo(match ?? null, (child) => keyOf(child) !== null && !awaited(child));
    if (match) {
      keyed.delete(key!);
      // The children before it that no new child took are gone, unless one of them is
      // awaited later: then the keyed order changed, and this one moves up to the cursor.
      let between: Node | null = cursor;
      while (between && between !== match && !awaited(between)) between = between.nextSibling;
      if (between === match) removeUpTo(match, () => true);
      if (match === cursor) cursor = cursor.nextSibling;
      else target.insertBefore(match, cursor);
      morphNode(match, node);
      continue;
    }
    // A new keyed child that nothing matched is new (an unkeyed child here is left for a new
    // unkeyed child: the summary under an invite that appears above it stays the same element).
    if (key !== null || cursor === null || awaited(cursor)) {
      target.insertBefore(node, cursor);
      continue;
    }
    // Unkeyed, old and new (the keyed ones nothing takes were removed above): patched by position.
    const old: ChildNode = cursor;
    cursor = cursor.nextSibling;
    morphNode(old, node);
  }
  removeUpTo(null, () => true);
}

/** Whether `node` is a keyed child (`data-key`). */
function isKeyed(node: Node): boolean {
  return keyOf(node) !== null;
}

/**
 * Where neither the page's children nor the new ones are keyed (most of a screen: a board's
 * cells, a line's words), the children are patched by position: what morphChildren does
 * then too, without building its maps of keys for every list on every render.
 */
function morphByPosition(target: Node, next: Node[]): void {
  let cursor: ChildNode | null = target.firstChild;
  for (const node of next) {
    if (cursor === null) {
      target.appendChild(node);
      continue;
    }
    const old: ChildNode = cursor;
    cursor = cursor.nextSibling;
    morphNode(old, node);
  }
  while (cursor) {
    const gone: ChildNode = cursor;
    cursor = cursor.nextSibling;
    gone.remove();
  }
}

/**
 * Patches `old` into `node`: its text, or its attributes and children; a node of another kind
 * or tag is replaced. (Keyed children come here only with a child of their key, unkeyed ones
 * with an unkeyed one: see morphChildren.)
 */
function morphNode(old: Node, node: Node): void {
  // The name is the tag, or "#text" or "#comment" for the other kinds.
  if (old.nodeName !== node.nodeName) {
    old.parentNode?.replaceChild(node, old);
    return;
  }
  if (old.nodeType !== Node.ELEMENT_NODE) {
    if (old.nodeValue !== node.nodeValue) old.nodeValue = node.nodeValue;
    return;
  }
  syncAttributes(old as Element, node as Element);
  morphChildren(old, node);
}

function syncAttributes(target: Element, source: Element): void {
  for (const attr of Array.from(target.attributes)) {
    if (!source.hasAttribute(attr.name)) target.removeAttribute(attr.name);
  }
  for (const attr of Array.from(source.attributes)) {
    if (target.getAttribute(attr.name) !== attr.value) target.setAttribute(attr.name, attr.value);
  }
}
