/**
 * What every room does with a client's frames before Colyseus sees them
 * (src/rooms/frame-clock.ts), on a stand-in room whose Colyseus handler only records what
 * reaches it: the clock ticked for each frame, a request refused with one error answer, an
 * unreadable message type replaced, everything else passed on as it came.
 */
import assert from "node:assert/strict";
import { ClientState, Protocol, ResponseStatus, type Client, type Room } from "@colyseus/core";
import { decode, encode } from "@colyseus/schema";
import { unpack } from "msgpackr";
import { guardFrames, interceptFrames } from "../../src/rooms/frame-clock.js";

function fakeRoom() {
  const events: string[] = [];
  const reached: Buffer[] = [];
  const room = {
    clock: { tick: () => void events.push("tick") },
    _onMessage(this: unknown, _client: Client, buffer: Buffer) {
      events.push(this === room ? "handled" : "handled with another this");
      reached.push(buffer);
      return "handled";
    },
  };
  const asRoom = room as unknown as Room;
  const send = (client: Client, frame: Buffer): unknown => (room as unknown as { _onMessage(c: Client, b: Buffer): unknown })._onMessage.call(asRoom, client, frame);
  return { room, asRoom, events, reached, send };
}

function fakeClient(state: ClientState = ClientState.JOINED) {
  const enqueued: Buffer[] = [];
  const client = { sessionId: "s1", state, enqueueRaw: (b: Buffer) => void enqueued.push(Buffer.from(b)) } as unknown as Client;
  return { client, enqueued };
}

/** A message frame: its protocol byte, then `type` (raw bytes, prefix included), then `rest`. */
const frame = (code: number, type: number[], rest: number[] = []) => Buffer.from([code, ...type, ...rest]);

describe("A room's inbound frames (src/rooms/frame-clock.ts)", () => {
  describe("interceptFrames", () => {
    it("refuses a room without Colyseus's frame handler (another @colyseus/core), naming what is missing", () => {
      assert.throws(
        () => interceptFrames({} as unknown as Room, () => undefined),
        (e: Error) => e instanceof Error && /Colyseus's Room has no _onMessage/.test(e.message) && /@colyseus\/core version/.test(e.message),
      );
      assert.throws(() => interceptFrames({ _onMessage: "not a function" } as unknown as Room, () => undefined), /no _onMessage/);
    });

    it("hands each frame, its room and Colyseus's handler to the interceptor; a later interceptor wraps an earlier one", () => {
      const { asRoom, events, reached, send } = fakeRoom();
      const seen: string[] = [];
      interceptFrames(asRoom, (next, self, client, buffer) => {
        seen.push(`first ${client.sessionId} ${buffer[0]} ${self === asRoom}`);
        return next.call(self, client, buffer);
      });
      interceptFrames(asRoom, (next, self, client, buffer) => {
        seen.push(`second ${client.sessionId} ${buffer[0]} ${self === asRoom}`);
        return next.call(self, client, buffer);
      });
      const { client } = fakeClient();
      const ping = Buffer.from([Protocol.PING]);
      assert.equal(send(client, ping), "handled", "what Colyseus's handler returns comes back");
      assert.deepEqual(seen, [`second s1 ${Protocol.PING} true`, `first s1 ${Protocol.PING} true`]);
      assert.deepEqual(events, ["handled"], "Colyseus's handler runs with the room as this");
      assert.equal(reached[0], ping);
    });

    it("an interceptor that does not pass the frame on keeps it from Colyseus", () => {
      const { asRoom, reached, send } = fakeRoom();
      interceptFrames(asRoom, () => "dropped");
      assert.equal(send(fakeClient().client, Buffer.from([Protocol.PING])), "dropped");
      assert.deepEqual(reached, []);
    });
  });

  describe("guardFrames", () => {
    it("ticks the room clock for every frame, before Colyseus counts it", () => {
      const { asRoom, events, send } = fakeRoom();
      guardFrames(asRoom);
      const { client } = fakeClient();
      send(client, Buffer.from([Protocol.PING]));
      send(client, frame(Protocol.ROOM_DATA, [0xa4, ...Buffer.from("move")]));
      send(client, frame(Protocol.ROOM_REQUEST, [0x07, 0xa4, ...Buffer.from("move")]));
      assert.deepEqual(events, ["tick", "handled", "tick", "handled", "tick"], "a request is ticked too, though Colyseus never sees it");
    });

    it("answers a request frame (room.request()) with one UNKNOWN_ACTION error under its request id, without handing it to Colyseus", () => {
      const { asRoom, reached, send } = fakeRoom();
      guardFrames(asRoom);
      const { client, enqueued } = fakeClient();
      send(client, frame(Protocol.ROOM_REQUEST, [0x07, 0xa4, ...Buffer.from("move")], [0x80]));
      send(client, frame(Protocol.ROOM_REQUEST, [0xcd, 0x2c, 0x01, 0x01])); // request id 300 (uint 16), numeric type
      assert.deepEqual(reached, [], "the game never sees a request");
      assert.equal(enqueued.length, 2);
      const [first, second] = enqueued as [Buffer, Buffer];
      assert.deepEqual([...first.subarray(0, 3)], [Protocol.ROOM_RESPONSE, 7, ResponseStatus.ERROR]);
      assert.deepEqual(unpack(first.subarray(3)), {
        name: "UNKNOWN_ACTION",
        code: "UNKNOWN_ACTION",
        message: "This server's rooms answer no requests: send game messages (room.send without a callback).",
      });
      assert.deepEqual([...second.subarray(0, 5)], [Protocol.ROOM_RESPONSE, 0xcd, 0x2c, 0x01, ResponseStatus.ERROR], "answered under request id 300");
    });

    it("answers no request of a client that is leaving, and drops one whose request id is not a whole number", () => {
      const { asRoom, reached, send } = fakeRoom();
      guardFrames(asRoom);
      const leaving = fakeClient(ClientState.LEAVING);
      send(leaving.client, frame(Protocol.ROOM_REQUEST, [0x07, 0x01]));
      assert.deepEqual(leaving.enqueued, [], "leaving: no answer");
      const { client, enqueued } = fakeClient();
      const half = Buffer.alloc(9);
      half[0] = 0xcb;
      half.writeDoubleLE(1.5, 1);
      send(client, Buffer.concat([Buffer.from([Protocol.ROOM_REQUEST]), half, Buffer.from([0x01])])); // id 1.5
      send(client, frame(Protocol.ROOM_REQUEST, [0xc1, 0x01])); // no number at all
      send(client, Buffer.from([Protocol.ROOM_REQUEST])); // nothing after the code
      assert.deepEqual(enqueued, [], "no answer without a request id to answer under");
      assert.deepEqual(reached, [], "and nothing reaches the game");
      send(client, frame(Protocol.ROOM_REQUEST, [0x00, 0x01]));
      assert.equal(enqueued.length, 1, "request id 0 is answered");
    });

    it("passes a frame with a readable type on as it came: ASCII, valid UTF-8, a numeric type, other protocol frames", () => {
      const { asRoom, reached, send } = fakeRoom();
      guardFrames(asRoom);
      const { client } = fakeClient();
      const frames = [
        frame(Protocol.ROOM_DATA, [0xa4, ...Buffer.from("move")], [0x81, 0xa1, 0x78, 0x01]),
        frame(Protocol.ROOM_DATA, [0xa2, 0xc3, 0xa9], [0xff]), // "é", then a payload byte that is no UTF-8
        frame(Protocol.ROOM_DATA_BYTES, [0xa1, 0x78], [0xff, 0xfe]),
        frame(Protocol.ROOM_DATA, [0x05], [0xff]), // numeric type 5
        frame(Protocol.ROOM_DATA, [0xa0], [0xff]), // empty fixstr: not a string type for Colyseus
        frame(Protocol.JOIN_ROOM, [0xa2, 0xff, 0xfe]),
        frame(Protocol.PING, [0xa2, 0xff, 0xfe]),
        frame(Protocol.ROOM_DATA, [0xd9, 0x02, 0x6f, 0x6b], [0xff]), // str 8 "ok"
        frame(Protocol.ROOM_DATA, [0xd9]), // str 8 cut off before its length
        frame(Protocol.ROOM_DATA, [0xda, 0x01]), // str 16 cut off inside its length
        frame(Protocol.ROOM_DATA, [0xdb, 0x01, 0x00, 0x01]), // str 32 cut off inside its length
        frame(Protocol.ROOM_DATA, [0xdb, 0x01, 0xff, 0xff, 0x01, 0x61, 0x62]), // str 32 "ab", its length past the frame's end
      ];
      for (const f of frames) send(client, f);
      assert.equal(reached.length, frames.length);
      frames.forEach((f, i) => assert.equal(reached[i], f, `frame ${i} passed on untouched`));
    });

    it("replaces a type that is not valid UTF-8 with \\uFFFD and keeps the payload after it, whatever the string prefix", () => {
      const { asRoom, reached, send } = fakeRoom();
      guardFrames(asRoom);
      const { client } = fakeClient();
      const replacement = [0xa3, 0xef, 0xbf, 0xbd];
      const payload = [0x81, 0xa1, 0x78, 0x01];
      const long = Array.from({ length: 257 }, (_, i) => (i === 200 ? 0xff : 0x61)); // 257 bytes: 0x0101 read either way round
      const cases: [string, Buffer, number[]][] = [
        ["fixstr", frame(Protocol.ROOM_DATA, [0xa3, 0x61, 0xff, 0x62], payload), [Protocol.ROOM_DATA, ...replacement, ...payload]],
        ["fixstr, first byte bad", frame(Protocol.ROOM_DATA, [0xa2, 0xc3, 0x28], payload), [Protocol.ROOM_DATA, ...replacement, ...payload]],
        ["bytes message", frame(Protocol.ROOM_DATA_BYTES, [0xa2, 0x61, 0xfe], payload), [Protocol.ROOM_DATA_BYTES, ...replacement, ...payload]],
        ["modifier bits kept", frame(Protocol.ROOM_DATA | 0x20, [0xa1, 0xff], payload), [Protocol.ROOM_DATA | 0x20, ...replacement, ...payload]],
        ["a lone continuation byte (0x80)", frame(Protocol.ROOM_DATA, [0xa2, 0x61, 0x80], payload), [Protocol.ROOM_DATA, ...replacement, ...payload]],
        ["str 8", frame(Protocol.ROOM_DATA, [0xd9, 0x03, 0x61, 0x62, 0xff], payload), [Protocol.ROOM_DATA, ...replacement, ...payload]],
        ["str 16", frame(Protocol.ROOM_DATA, [0xda, 0x01, 0x01, ...long], payload), [Protocol.ROOM_DATA, ...replacement, ...payload]],
        ["fixstr longer than the frame", frame(Protocol.ROOM_DATA, [0xa9, 0x61, 0xff]), [Protocol.ROOM_DATA, ...replacement]],
        ["str 32 longer than the frame", frame(Protocol.ROOM_DATA, [0xdb, 0x01, 0x00, 0x00, 0x01, 0x61, 0xff]), [Protocol.ROOM_DATA, ...replacement]],
        ["str 8 longer than the frame", frame(Protocol.ROOM_DATA, [0xd9, 0xf0, 0xff]), [Protocol.ROOM_DATA, ...replacement]],
      ];
      for (const [, f] of cases) send(client, f);
      cases.forEach(([name, , expected], i) => assert.deepEqual([...reached[i]!], expected, name));
    });

    it("reads a long type's length as @colyseus/schema writes it (str 16 and str 32 little-endian): a valid one passes whole, a bad one is replaced", () => {
      const { asRoom, reached, send } = fakeRoom();
      guardFrames(asRoom);
      const { client } = fakeClient();
      const payload = [0xc4, 0x01, 0xff];
      /** `type` as @colyseus/schema's encoder writes it. */
      const written = (type: string) => {
        const bytes: number[] = [];
        encode.string(bytes as unknown as Buffer, type, { offset: 0 });
        return bytes;
      };
      // 300 bytes: str 16 (0x012c, "2c 01"); 70,000: str 32. Colyseus's decoder reads back the same type.
      for (const length of [300, 70_000]) {
        const type = "m".repeat(length);
        const bytes = written(type);
        assert.equal(bytes[0], length < 0x10000 ? 0xda : 0xdb);
        assert.equal(decode.string(Buffer.from(bytes), { offset: 0 }), type, "the schema's own round trip");
        const valid = frame(Protocol.ROOM_DATA, bytes, payload);
        send(client, valid);
        assert.equal(reached.at(-1), valid, `a valid ${length}-byte type is passed on untouched, its payload after it`);
        const bad = [...bytes];
        bad[bytes.length - 100] = 0xff;
        send(client, frame(Protocol.ROOM_DATA, bad, payload));
        assert.deepEqual([...reached.at(-1)!], [Protocol.ROOM_DATA, 0xa3, 0xef, 0xbf, 0xbd, ...payload], `a ${length}-byte type with a bad byte is replaced (Colyseus would print a decode error)`);
      }
    });
  });
});
