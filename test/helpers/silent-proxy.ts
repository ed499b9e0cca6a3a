/**
 * A TCP proxy in the test process that can go silent: what a network partition, a
 * firewall that drops a connection's state, or a frozen server looks like to a client.
 * `cut()`: every open connection stops carrying bytes, in both directions, for good (no
 * reset, no close: the client hears nothing at all), and new connections are accepted but
 * carry nothing either. `heal()`: new connections work again; those cut stay silent.
 * `reset()`: every open connection is closed at once.
 */
import net from "node:net";

export interface SilentProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  cut(): void;
  heal(): void;
  /** Closes every open connection at once (as a reset or a Redis restart does); new ones work. */
  reset(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function silentProxy(target: { host: string; port: number }): Promise<SilentProxy> {
  let silent = false;
  let accepted = 0;
  const open = new Set<{ client: net.Socket; upstream?: net.Socket; silenced: boolean }>();

  const server = net.createServer((client) => {
    accepted++;
    const pair: { client: net.Socket; upstream?: net.Socket; silenced: boolean } = { client, silenced: silent };
    open.add(pair);
    client.on("error", () => undefined);
    client.on("close", () => {
      pair.upstream?.destroy();
      open.delete(pair);
    });
    // Accepted while cut: it hears nothing, ever (its bytes are read and dropped).
    if (pair.silenced) {
      client.on("data", () => undefined);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on("error", () => client.destroy());
    upstream.on("close", () => {
      if (!pair.silenced) client.destroy();
    });
    client.on("data", (chunk) => {
      if (!pair.silenced) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!pair.silenced) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    cut() {
      silent = true;
      for (const pair of open) pair.silenced = true;
    },
    heal() {
      silent = false;
    },
    reset() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream?.destroy();
      }
    },
    async close() {
      for (const { client, upstream } of open) {
        client.destroy();
        upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
