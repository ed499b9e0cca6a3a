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
