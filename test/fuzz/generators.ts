/**
 * Generators for the message fuzz test (test/fuzz/messages.test.ts): random values of every
 * JSON type (plus what MessagePack carries beyond JSON: NaN, ±Infinity, -0, undefined,
 * 64-bit integers, binary, dates), deeply nested values, prototype keys, malformed and
 * well-formed payloads for each game's message types, and unknown message types.
 *
 * All randomness comes from the project's {@link Rng} (a `seededRng` in the test), so a
 * seed and a message index name one message exactly.
 *
 * {@link classify} tells, before sending, what the server must answer *without looking at
 * the game*: an unknown type is `UNKNOWN_ACTION`, a payload its zod validator refuses is
 * `INVALID_PAYLOAD`; anything else depends on the rules. It validates the payload as the
 * server receives it: packed and unpacked with msgpackr, as the SDK and Colyseus do (for
 * example msgpackr renames an own `__proto__` key to `__proto_`).
 */
import { Packr, unpack } from "msgpackr";
import { z } from "zod";
import { GAMES, type GameName } from "../../src/games/index.js";
import { pick, type Rng } from "../../src/rules/rng.js";

export type Game = GameName;

/** Each game's client message types and their validators, as the rooms register them (from the games list). */
export const MESSAGE_SCHEMAS = Object.fromEntries(GAMES.map((g) => [g.protocol.name, g.protocol.messages])) as unknown as Readonly<Record<Game, Readonly<Record<string, z.ZodType>>>>;

/** A fuzz message: what `room.send(type, payload)` (or `room.sendBytes(type, bytes)`) sends. */
export interface FuzzMessage {
  type: string | number;
  /** `undefined`: sent without a payload. */
  payload?: unknown;
  /** Sent as a raw-bytes message (`sendBytes`) instead. */
  bytes?: Uint8Array;
  /** Which generator made it (for the report). */
  label: string;
}

/** What the server must answer, decided from the message alone. */
export type Expectation =
  | { kind: "UNKNOWN_ACTION" }
  | { kind: "INVALID_PAYLOAD" }
  /** Valid type and payload: the rules decide. `payload` is the value the room validated. */
  | { kind: "rules"; payload: any };

/**
 * Upper bound for a whole frame (protocol byte, type, payload). The server's cap is
 * MAX_MESSAGE_BYTES = 2048; a larger message closes the socket, so the fuzz stays well under.
 */
export const MAX_FRAME_BYTES = 1800;

/** What a payload field holds: the generators make values of the right type (ranges are the rules' business). */
type FieldKind = "int" | "bool" | "id" | "any";

/** A field's kind, read off its zod validator (every number field of the protocols is an integer). */
function fieldKind(field: z.ZodType): FieldKind {
  if (field instanceof z.ZodNumber) return "int";
  if (field instanceof z.ZodBoolean) return "bool";
  if (field instanceof z.ZodString) return "id";
  return "any";
}

/**
 * Field kinds of the messages that carry fields (an object validator), by message type,
 * derived from every game's validators; the others take an empty payload. A type shared by
 * two games must carry the same fields in both (it does: `rematch`, `roll` are empty).
 */
const FIELDS: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = (() => {
  const fields: Record<string, Record<string, FieldKind>> = {};
  for (const [game, messages] of Object.entries(MESSAGE_SCHEMAS)) {
    for (const [type, schema] of Object.entries(messages)) {
      if (!(schema instanceof z.ZodObject)) continue;
      const kinds = Object.fromEntries(Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, field]) => [name, fieldKind(field)]));
      const known = fields[type];
      if (known && JSON.stringify(known) !== JSON.stringify(kinds)) {
        throw new Error(`test bug: message "${type}" of ${game} carries ${JSON.stringify(kinds)}, another game's ${JSON.stringify(known)}: make the generators game-aware`);
      }
      fields[type] = kinds;
    }
  }
  return fields;
})();

const ALL_TYPES = [...new Set(Object.values(MESSAGE_SCHEMAS).flatMap((m) => Object.keys(m)))];
const FIELD_NAMES = [...new Set(Object.values(FIELDS).flatMap((f) => Object.keys(f)))];

const SPECIAL_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 2, 3, 0.5, -0.5, 1.5, 2.0000000000000004, 0.1 + 0.2, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE,
  -Number.MIN_VALUE, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 64, 1e21, -1e21, 255, 256, 65535, 65536, NaN, Infinity, -Infinity,
];

const NUMBERISH_STRINGS: readonly string[] = [
  "NaN", "Infinity", "-Infinity", "+Infinity", "1e308", "1e309", "-0", "0", "1", "2", "0.5", "0x1", "1_000", " 1 ", "",
  "true", "false", "null", "undefined", "[]", "{}", "Number.MAX_VALUE", "9007199254740993", "-1", "١", "０",
];

const ODD_STRINGS: readonly string[] = [
  "\u0000", "\u202e", "\u200b\u200d", "\ud800", "\udfff", "a\ud800b", "\u{1F600}", "\u{1F468}\u200d\u{1F469}\u200d\u{1F467}",
  "\ufeff", "\u2028\u2029", "Ω≈ç√∫", "e\u0301\u0301\u0301", "ｍａｋｅ＿ｍｏｖｅ", "'\"\\/<script>alert(1)</script>", "%s%n%x",
  "\r\n\t", "\u001b[31m", "𝕏", "\uffff", "\u{10ffff}", "null\u0000byte", "   ", "ﷺ", "👍🏽",
];

/** Keys that name (or used to name) prototype machinery, or common accessors. */
export const PROTO_KEYS: readonly string[] = [
  "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "__lookupSetter__",
  "isPrototypeOf", "then", "toJSON", "length",
];

/** Unknown message types besides random ones: near misses, internals, prototype names. */
const ODD_TYPES: readonly string[] = [
  "*", "", " ", "error", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "_$bmake_move",
  "__playground_message_types", "MAKE_MOVE", "Make_Move", "make_move ", " make_move", "make-move", "makemove", "make_move\u0000",
  "roll\u200b", "ROLL", "ready\n", "join", "leave", "timeout", "end_bust", "reset", "schedule", "draining", "rooms", "refresh",
  "busted", "rolled", "gameOver", "ping", "pong", "\ud800", "ｒｏｌｌ", "DROP", "drop ", "Drop", "drop_disc", "column",
];

/** `true` with probability `percent` / 100. */
export function chance(rng: Rng, percent: number): boolean {
  return rng.int(0, 99) < percent;
}

/** Defines an own, enumerable property, even for `__proto__` (as JSON.parse does). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function randomString(rng: Rng, maxLength = 40): string {
  switch (rng.int(0, 5)) {
    case 0:
      return pick(rng, ODD_STRINGS);
    case 1:
      return pick(rng, NUMBERISH_STRINGS);
    case 2: {
      // Random code points over all planes, lone surrogates included.
      const n = rng.int(0, maxLength);
      let s = "";
      for (let i = 0; i < n; i++) {
        const plane = rng.int(0, 3);
        const cp = plane === 0 ? rng.int(0, 0x7f) : plane === 1 ? rng.int(0x80, 0xffff) : plane === 2 ? rng.int(0xd800, 0xdfff) : rng.int(0x10000, 0x10ffff);
        s += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      }
      return s;
    }
    case 3:
      return pick(rng, [...FIELD_NAMES, ...ALL_TYPES, ...PROTO_KEYS]);
    case 4: {
      const n = rng.int(0, maxLength);
      let s = "";
      for (let i = 0; i < n; i++) s += String.fromCharCode(rng.int(0x20, 0x7e));
      return s;
    }
    default:
      // Long: up to 1000 characters of one repeated (possibly multi-byte) character.
      return pick(rng, ["x", "é", "€", "\u{1F600}", "\u0000"]).repeat(rng.int(50, 1000));
  }
}

export function randomNumber(rng: Rng): number {
  switch (rng.int(0, 4)) {
    case 0:
    case 1:
      return pick(rng, SPECIAL_NUMBERS);
    case 2:
      return rng.int(-10, 10);
    case 3:
      return rng.int(-1_000_000, 1_000_000) / pick(rng, [1, 2, 3, 7, 1000]);
    default:
      return rng.int(-(2 ** 31), 2 ** 31) * pick(rng, [1, 1024, 2 ** 21, 2 ** 40]);
  }
}

/** An object with random (also prototype) keys; built with own properties. */
function randomObject(rng: Rng, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const n = rng.int(0, 6);
  for (let i = 0; i < n; i++) {
    const key = chance(rng, 30) ? pick(rng, PROTO_KEYS) : chance(rng, 40) ? pick(rng, FIELD_NAMES) : randomString(rng, 12);
    setOwn(o, key, randomValue(rng, depth + 1));
  }
  return o;
}

/** A value nested `depth` levels deep (arrays, objects, or a mix), 50–200 levels. */
export function deepValue(rng: Rng, depth = rng.int(50, 200)): unknown {
  const style = rng.int(0, 3);
  const key = pick(rng, ["a", "", "0", "row", "__proto__", "constructor"]);
  let v: unknown = chance(rng, 50) ? randomNumber(rng) : null;
  for (let i = 0; i < depth; i++) {
    const asArray = style === 0 || (style === 2 && i % 2 === 0) || (style === 3 && chance(rng, 50));
    if (asArray) v = [v];
    else {
      const o: Record<string, unknown> = {};
      setOwn(o, key, v);
      v = o;
    }
  }
  return v;
}

/** Any value: every JSON type, MessagePack extras, nesting, prototype keys. */
export function randomValue(rng: Rng, depth = 0): unknown {
  const leafOnly = depth >= 3;
  switch (rng.int(0, leafOnly ? 10 : 15)) {
    case 0:
      return null;
    case 1:
      return chance(rng, 50);
    case 2:
    case 3:
      return randomNumber(rng);
    case 4:
      return pick(rng, NUMBERISH_STRINGS);
    case 5:
    case 6:
      return randomString(rng);
    case 7:
      return undefined;
    case 8:
      // 64-bit integers arrive as BigInt.
      return BigInt(rng.int(-(2 ** 31), 2 ** 31)) * BigInt(2 ** 32) + BigInt(rng.int(0, 2 ** 31));
    case 9:
      return new Uint8Array(Array.from({ length: rng.int(0, 16) }, () => rng.int(0, 255)));
    case 10:
      return new Date(rng.int(-1e12, 1e12));
    case 11:
    case 12:
      return Array.from({ length: rng.int(0, 6) }, () => randomValue(rng, depth + 1));
    case 13:
    case 14:
      return randomObject(rng, depth);
    default:
      return deepValue(rng);
  }
}

/** A value that is certainly not an integer (for an int field). */
function notAnInt(rng: Rng): unknown {
  return pick(rng, [0.5, -0.5, 1.5, 2.0000000000000004, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, NaN, Infinity, -Infinity, "1", "NaN", "Infinity", "0", true, null, [1], { value: 1 }, undefined]);
}

/** A field value of the right type (range and meaning are the rules' business). */
function validField(rng: Rng, kind: FieldKind, ids: readonly string[]): unknown {
  switch (kind) {
    case "any":
      return randomValue(rng, 1);
    case "int":
      return chance(rng, 75) ? rng.int(-1, 6) : pick(rng, [-0, -1, 3, 7, 9, 100, 255, 256, -(2 ** 31), 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);
    case "bool":
      return chance(rng, 50);
    case "id": {
      const i = rng.int(0, 999);
      if (ids.length > 0 && chance(rng, 70)) return ids[i % ids.length];
      const s = randomString(rng, 64);
      return s.length >= 1 && s.length <= 64 ? s : "nobody";
    }
  }
}

/** A payload of the right shape for `type` (the rules decide what it does). */
export function validPayload(rng: Rng, type: string, ids: readonly string[]): unknown {
  const fields = FIELDS[type];
  if (!fields) return pick(rng, [undefined, null, {}]);
  const o: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(fields)) o[name] = validField(rng, kind, ids);
  return o;
}

/** A payload for a known `type` that is (almost always) malformed: see {@link classify}. */
export function malformedPayload(rng: Rng, type: string, ids: readonly string[]): unknown {
  const fields = FIELDS[type] ?? {};
  const names = Object.keys(fields);
  const base = validPayload(rng, type, ids);
  const asObject = (): Record<string, unknown> => (base && typeof base === "object" ? { ...(base as object) } : {});
  switch (rng.int(0, 8)) {
    case 0: {
      // A wrong value for one field (every type of value).
      if (names.length === 0) return randomValue(rng);
      const o = asObject();
      o[pick(rng, names)] = chance(rng, 50) ? randomValue(rng) : notAnInt(rng);
      return o;
    }
    case 1: {
      // A field missing (or all of them).
      if (names.length === 0) return pick(rng, [[], "", 0, false, { "": null }]);
      const o = asObject();
      if (chance(rng, 30)) return {};
      delete o[pick(rng, names)];
      return o;
    }
    case 2: {
      // Extra fields (prototype keys among them).
      const o = asObject();
      for (let i = rng.int(1, 3); i > 0; i--) {
        setOwn(o, chance(rng, 50) ? pick(rng, PROTO_KEYS) : randomString(rng, 10) || "x", randomValue(rng, 1));
      }
      return o;
    }
    case 3: {
      // Prototype tricks, built with JSON.parse so the keys are own properties.
      const valid = JSON.stringify(base ?? {});
      return JSON.parse(
        pick(rng, [
          `{"__proto__": ${valid}}`,
          `{"constructor": {"prototype": ${valid}}}`,
          `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}`,
          valid.length > 2 ? `${valid.slice(0, -1)}, "__proto__": {"isAdmin": true}}` : `{"__proto__": null}`,
          valid.length > 2 ? `${valid.slice(0, -1)}, "constructor": null}` : `{"prototype": {}}`,
          `{"__proto__": [] , "length": 1}`,
        ]),
      );
    }
    case 4:
      // The whole payload of another type: every JSON type, nesting, binary.
      return randomValue(rng);
    case 5:
      return deepValue(rng);
    case 6: {
      // The fields wrapped in an array, or a value of the right type without the object.
      if (names.length === 0) return pick(rng, [[null], [{}], [undefined], "", 0, -0, NaN, true]);
      return pick(rng, [[base], Object.values(asObject()), (asObject() as Record<string, unknown>)[names[0]!], JSON.stringify(base)]);
    }
    case 7: {
      // Numeric edge cases in an int field.
      const intField = names.find((n) => fields[n] === "int");
      if (!intField) return randomValue(rng);
      const o = asObject();
      o[intField] = notAnInt(rng);
      return o;
    }
    default: {
      // Fields renamed or with case variants.
      if (names.length === 0) return { [pick(rng, FIELD_NAMES)]: validField(rng, "int", ids) };
      const o = asObject();
      const name = pick(rng, names);
      const value = o[name];
      delete o[name];
      o[pick(rng, [name.toUpperCase(), `${name} `, `_${name}`, name.slice(1), pick(rng, FIELD_NAMES)])] = value;
      return o;
    }
  }
}

/** Longest message type, in UTF-8 bytes, the fuzz sends (see {@link encodableType}). */
export const MAX_TYPE_BYTES = 200;

/**
 * A message type the SDK encodes correctly. Two client-side bugs of @colyseus/sdk 0.18.4 /
 * @colyseus/schema 5 are kept out of this fuzz (they corrupt the frame before it leaves the
 * client; the server then cannot unpack it and disconnects the client with 4002):
 * - `encode.string` writes a lone surrogate so that the server reads past the type into the
 *   payload: lone surrogates become U+FFFD here;
 * - `Room.send` reserves only `headerLength & 0xff` bytes in front of the msgpackr payload
 *   (`RESERVE_START_SPACE | headerLength`), so a type of 255+ bytes overwrites the payload:
 *   types are cut to {@link MAX_TYPE_BYTES} UTF-8 bytes.
 */
export function encodableType(type: string): string {
  const clean = type.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
  let out = "";
  let bytes = 0;
  for (const ch of clean) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_TYPE_BYTES) break;
    out += ch;
  }
  return out;
}

/** An unknown message type (string or number) with some payload, or a raw-bytes message. */
export function unknownMessage(rng: Rng, game: Game): FuzzMessage {
  const known = MESSAGE_SCHEMAS[game];
  const payload = chance(rng, 30) ? undefined : randomValue(rng);
  switch (rng.int(0, 6)) {
    case 6: {
      // Prototype names as the type, with prototype names as keys of the payload.
      const o: Record<string, unknown> = {};
      for (let i = rng.int(1, 3); i > 0; i--) setOwn(o, pick(rng, PROTO_KEYS), randomValue(rng, 2));
      return { type: pick(rng, ["*", "__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"]), payload: o, label: "prototype names" };
    }
    case 0: {
      // Another game's message type, or one of ours as raw bytes.
      const others = ALL_TYPES.filter((t) => !(t in known));
      if (chance(rng, 50) && others.length > 0) return { type: pick(rng, others), payload, label: "other game's type" };
      const bytes = new Uint8Array(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)));
      return { type: pick(rng, Object.keys(known)), bytes, label: "raw bytes to a known type" };
    }
    case 1:
    case 2:
      return { type: encodableType(pick(rng, ODD_TYPES)), payload, label: "odd type" };
    case 3:
      return { type: encodableType(randomString(rng, 30)), payload, label: "random string type" };
    case 4:
      return {
        type: pick(rng, [0, 1, -1, 2, 255, 256, 65535, 2 ** 31, -(2 ** 31), 2 ** 53, 0.5, -0.5, 1e308, NaN, Infinity, -Infinity, rng.int(-1e6, 1e6)]),
        payload,
        label: "numeric type",
      };
    default: {
      const bytes = new Uint8Array(Array.from({ length: rng.int(0, 64) }, () => rng.int(0, 255)));
      return { type: encodableType(randomString(rng, 20)) || "x", bytes, label: "raw bytes, random type" };
    }
  }
}

const packr = new Packr();

/** The payload as the room receives it (packed by the SDK's msgpackr, unpacked by Colyseus). */
export function onTheWire(payload: unknown): unknown {
  return payload === undefined ? undefined : unpack(packr.pack(payload));
}

/** Upper bound of the frame's size in bytes, or Infinity when it cannot be packed. */
export function frameSize(msg: FuzzMessage): number {
  const typeBytes = typeof msg.type === "number" ? 9 : 5 + 3 * msg.type.length;
  let body = 0;
  try {
    if (msg.bytes) body = msg.bytes.byteLength;
    else if (msg.payload !== undefined) body = packr.pack(msg.payload).length;
  } catch {
    return Infinity;
  }
  return 1 + typeBytes + body;
}

/** JSON of a message for reports: NaN, ±Infinity, -0, undefined, BigInt, bytes and dates spelled out. */
export function show(value: unknown): string {
  const text = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    const raw = (this as Record<string, unknown> | undefined)?.[key];
    if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? "invalid" : raw.toISOString() };
    if (typeof v === "number") {
      if (Number.isNaN(v)) return { $number: "NaN" };
      if (!Number.isFinite(v)) return { $number: v > 0 ? "Infinity" : "-Infinity" };
      if (Object.is(v, -0)) return { $number: "-0" };
    }
    if (v === undefined) return { $undefined: true };
    if (typeof v === "bigint") return { $bigint: v.toString() };
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("hex") };
    return v;
  });
  return text ?? "undefined";
}

/** A fuzz message for reports. */
export function showMessage(msg: FuzzMessage): string {
  return msg.bytes
    ? `sendBytes(${show(msg.type)}, ${show(msg.bytes)}) [${msg.label}]`
    : `send(${show(msg.type)}, ${show(msg.payload)}) [${msg.label}]`;
}

/** Whether the message fits the size budget (packed and as report JSON). */
export function fits(msg: FuzzMessage): boolean {
  return frameSize(msg) < MAX_FRAME_BYTES && showMessage(msg).length < MAX_FRAME_BYTES + 200;
}

/**
 * What the room must answer, from the message alone: an unknown type (or raw bytes: the
 * rooms register no bytes handler) is UNKNOWN_ACTION; a payload the type's validator refuses
 * is INVALID_PAYLOAD; otherwise the rules decide.
 */
export function classify(game: Game, msg: FuzzMessage): Expectation {
  const schemas = MESSAGE_SCHEMAS[game];
  if (msg.bytes || typeof msg.type !== "string" || !Object.hasOwn(schemas, msg.type)) return { kind: "UNKNOWN_ACTION" };
  const parsed = schemas[msg.type]!.safeParse(onTheWire(msg.payload));
  return parsed.success ? { kind: "rules", payload: parsed.data } : { kind: "INVALID_PAYLOAD" };
}

/** A message the room must refuse whatever the game's state: an unknown type or a malformed payload. */
export function rejectedMessage(rng: Rng, game: Game, ids: readonly string[]): { msg: FuzzMessage; expect: Expectation } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const msg: FuzzMessage = chance(rng, 35)
      ? unknownMessage(rng, game)
      : (() => {
          const type = pick(rng, Object.keys(MESSAGE_SCHEMAS[game]));
          return { type, payload: malformedPayload(rng, type, ids), label: "malformed payload" };
        })();
    if (!fits(msg)) continue;
    const expect = classify(game, msg);
    if (expect.kind !== "rules") return { msg, expect };
  }
  const msg: FuzzMessage = { type: "no_such_type", payload: { row: 0, col: 0 }, label: "fallback unknown type" };
  return { msg, expect: classify(game, msg) };
}

/** A message of a known type with a payload of the right shape (odd values included). */
export function wellFormedMessage(rng: Rng, game: Game, ids: readonly string[], avoid: readonly string[] = []): { msg: FuzzMessage; expect: Expectation } {
  const type = pick(rng, Object.keys(MESSAGE_SCHEMAS[game]).filter((t) => !avoid.includes(t)));
  const msg: FuzzMessage = { type, payload: validPayload(rng, type, ids), label: "well-formed payload" };
  return { msg, expect: classify(game, msg) };
}

/** Any fuzz message: well-formed (but not of an `avoid` type), malformed or unknown. */
export function anyMessage(rng: Rng, game: Game, ids: readonly string[], avoid: readonly string[] = []): { msg: FuzzMessage; expect: Expectation } {
  if (chance(rng, 50)) return wellFormedMessage(rng, game, ids, avoid);
  return rejectedMessage(rng, game, ids);
}

/** A 32-bit seed derived from several integers (for per-slot, per-step and per-message generators). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}
