/**
 * What signing and verifying a sign-in token costs through @colyseus/auth's JWT (every
 * signed-in join verifies one), with the secret as a string and as the key object the
 * server gives it (src/players/accounts.ts). CPU per call, over 20,000 calls each.
 *
 *   npx tsx bench/token-cost.ts
 */
import { createSecretKey, randomBytes } from "node:crypto";
import { JWT } from "@colyseus/auth";

const CALLS = 20_000;
const secret = randomBytes(48).toString("base64url");

async function perCall(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 1000; i++) await fn();
  const started = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / CALLS;
}

async function main() {
  console.log(`@colyseus/auth JWT (HS256), CPU per call over ${CALLS} calls:`);
  console.log("secret as        sign µs   verify µs");
  for (const [label, key] of [["string", secret], ["key object", createSecretKey(Buffer.from(secret, "utf8"))]] as const) {
    JWT.settings.secret = key;
    const token = await JWT.sign({ id: "user", name: "Ada", guest: true }, { expiresIn: "30d" });
    const sign = await perCall(() => JWT.sign({ id: "user", name: "Ada", guest: true }, { expiresIn: "30d" }));
    const verify = await perCall(() => JWT.verify(token));
    console.log(`${label.padEnd(14)} ${sign.toFixed(1).padStart(8)}   ${verify.toFixed(1).padStart(9)}`);
  }
}

void main();
