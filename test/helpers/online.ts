/**
 * A `navigator` that says the browser is online, for client code run in Node (the client's
 * `online()` reads `navigator.onLine`; Node 20 has no `navigator`). Registers the
 * suite's hooks (call inside `describe`): set before its tests, the original put back after.
 */
export function onlineNavigator(): void {
  const had = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  before(() => Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true, writable: true }));
  after(() => {
    if (had) Object.defineProperty(globalThis, "navigator", had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });
}

/**
 * Takes the stand-in browser offline (inside a suite using {@link onlineNavigator}): `navigator.onLine`
 * is false, and the client's `online()` registers its listener here (Node has no global
 * `addEventListener`). `backOnline()` fires the "online" event; `restore()` puts it all back.
 */
export function goOffline(): { backOnline(): void; restore(): void } {
  const nav = globalThis.navigator as { onLine: boolean };
  const g = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown };
  const had = { add: g.addEventListener, remove: g.removeEventListener };
  const listeners: (() => void)[] = [];
  nav.onLine = false;
  g.addEventListener = (type: string, fn: () => void) => void (type === "online" && listeners.push(fn));
  g.removeEventListener = () => undefined;
  return {
    backOnline() {
      nav.onLine = true;
      for (const fn of listeners.splice(0)) fn();
    },
    restore() {
      nav.onLine = true;
      g.addEventListener = had.add;
      g.removeEventListener = had.remove;
    },
  };
}
