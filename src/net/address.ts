/**
 * The client address of a request, the key of every per-address limit (connections,
 * matchmaking, reservations, spectators, monitor logins).
 *
 * Behind proxies, `X-Forwarded-For` is a list to which each proxy appends the address of
 * the peer it received the request from. Its first entries are whatever the client wrote
 * itself, so only the entries our own proxies added can be trusted: with `trustedHops`
 * proxies in front of us, the client is the `trustedHops`-th entry from the end
 * (nginx alone: the last one).
 */
import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) is `127.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The address of the client behind `req`.
 *
 * @param trustedHops - how many proxies of ours stand in front of this process (0: none,
 *   the socket's peer is the client). @default 0
 */
export function clientAddress(req: Pick<IncomingMessage, "headers" | "socket">, trustedHops = 0): string {
  const peer = normalizeAddress(req.socket?.remoteAddress ?? "unknown");
  if (trustedHops <= 0) return peer;
  const header = req.headers["x-forwarded-for"];
  const list = (Array.isArray(header) ? header.join(",") : header ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) return peer;
  const entry = list[Math.max(0, list.length - trustedHops)]!;
  // A proxy of ours writes a bare address; anything else is not one we can key a limit by.
  return isIP(entry) ? normalizeAddress(entry) : peer;
}

/** Whether `address` is loopback or a private network (RFC 1918, unique local, link local). */
export function isInternalAddress(address: string): boolean {
  const a = normalizeAddress(address);
  if (a === "::1" || a.startsWith("127.")) return true;
  if (isIP(a) === 4) {
    const [x, y] = a.split(".").map(Number) as [number, number];
    return x === 10 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254);
  }
  const lower = a.toLowerCase();
  return lower.startsWith("fc") || lower.startsWith("fd") || lower.startsWith("fe80:");
}

/**
 * The key per-address limits count under: an IPv4 address as it is, an IPv6 address by its
 * /64 network (one subscriber usually holds a whole /64, so counting single IPv6 addresses
 * would let one client take 2^64 places).
 */
export function addressKey(address: string): string {
  const a = normalizeAddress(address);
  if (isIP(a) !== 6) return a;
  const [head = "", tail = ""] = a.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = a.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
