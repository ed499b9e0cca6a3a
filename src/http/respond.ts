/** Small helpers for the raw-HTTP parts of the server (the gate and the matchmaking route). */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Sends `body` as JSON with `status` (and extra headers), unless a response already went out. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(body);
  // After a refused body, close the connection rather than read the rest of it.
  const close = status === 413 ? { Connection: "close" } : {};
  res.writeHead(status, { ...headers, ...close, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json), "Cache-Control": "no-store" });
  res.end(json);
}

/**
 * Whether a request says its body is JSON. A browser sends that to another origin only after
 * a CORS preflight, which only allowed origins pass; a foreign page's "simple" request
 * (text/plain, a form) never has it.
 */
export function isJson(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "");
}

export type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413; message: string };

/**
 * Reads a JSON request body of at most `maxBytes`. A larger body is refused from its
 * Content-Length before anything is read, or as soon as the bytes read pass the cap; the
 * rest of it is never buffered.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `The request body is larger than ${maxBytes} bytes.` };
  const declared = Number(req.headers["content-length"]);
  if (declared > maxBytes) {
    req.resume(); // drain without keeping anything; the response closes the connection
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        finish(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return finish({ ok: true, value: {} });
      try {
        finish({ ok: true, value: JSON.parse(text) });
      } catch {
        finish({ ok: false, status: 400, message: "The request body is not valid JSON." });
      }
    });
    req.on("error", () => finish({ ok: false, status: 400, message: "The request body could not be read." }));
  });
}
