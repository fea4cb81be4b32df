import assert from "node:assert/strict";
import { decodeMessage, encodeMessage, isMarker } from "./codec.ts";
import { FrameDecoder, FrameError } from "./decoder.ts";
import { encodeFrame, type Frame, HEADER_BYTES } from "./frame.ts";
import { PROTOCOL_VERSION } from "./messages/link.ts";

const text = new TextEncoder();
const frame = (marker: string, payload: string | Uint8Array): Frame => ({
  marker,
  payload: typeof payload === "string" ? text.encode(payload) : payload,
});

const hello = {
  nodeId: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
  name: "küche",
  protocolVersion: PROTOCOL_VERSION,
  appVersion: "0.1.0",
  peerPort: 7878,
  httpPort: 8080,
  hasLlm: true,
};

function assertFrameError(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FrameError, `expected FrameError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("encodeMessage() and decodeMessage() round-trip through the frame decoder", () => {
  const bytes = encodeMessage("HELO:", hello);
  const frames = new FrameDecoder(1 << 20).push(bytes);
  assert.equal(frames.length, 1);
  assert.deepEqual(decodeMessage(frames[0]), { marker: "HELO:", payload: hello });
});

Deno.test("encodeMessage() lays out marker, length and JSON payload", () => {
  const bytes = encodeMessage("PING:", { seq: 1, sentAt: 2 });
  const json = '{"seq":1,"sentAt":2}';
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "PING:");
  assert.equal(new DataView(bytes.buffer).getBigUint64(5, true), BigInt(json.length));
  assert.equal(new TextDecoder().decode(bytes.subarray(HEADER_BYTES)), json);
});

Deno.test("decodeMessage() strips unknown payload fields a newer peer may add", () => {
  const message = decodeMessage(frame("BYE!:", '{"reason":"shutdown","extra":1}'));
  assert.deepEqual(message, { marker: "BYE!:", payload: { reason: "shutdown" } });
});

Deno.test("isMarker() knows the link markers and nothing inherited from Object", () => {
  for (const marker of ["HELO:", "PING:", "PONG:", "BYE!:"]) assert.ok(isMarker(marker), marker);
  for (const marker of ["XXXX:", "hello", "__proto__", "constructor", "toString"]) {
    assert.equal(isMarker(marker), false, marker);
  }
});

Deno.test("decodeMessage() refuses an unknown marker, naming it", () => {
  assertFrameError(() => decodeMessage(frame("XYZZY", "{}")), /unknown marker "XYZZY"/);
  assertFrameError(() => decodeMessage(frame("__proto__", "{}")), /unknown marker/);
});

Deno.test("decodeMessage() refuses a payload that is not UTF-8", () => {
  assertFrameError(
    () => decodeMessage(frame("BYE!:", new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]))),
    /BYE!: payload is not UTF-8 JSON/,
  );
  // A lone surrogate encoded as UTF-8 (CESU) is invalid too.
  assertFrameError(
    () => decodeMessage(frame("BYE!:", new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))),
    /not UTF-8 JSON/,
  );
});

Deno.test("decodeMessage() refuses a payload that is not JSON", () => {
  assertFrameError(
    () => decodeMessage(frame("PING:", "{seq:1}")),
    /PING: payload is not UTF-8 JSON/,
  );
  assertFrameError(() => decodeMessage(frame("PING:", "")), /PING: payload is not UTF-8 JSON/);
});

Deno.test("decodeMessage() refuses a payload failing its schema, naming the field", () => {
  assertFrameError(
    () => decodeMessage(frame("PING:", '{"seq":-1,"sentAt":0}')),
    /PING: payload invalid at seq: /,
  );
  assertFrameError(
    () => decodeMessage(frame("HELO:", JSON.stringify({ ...hello, peerPort: 70000 }))),
    /HELO: payload invalid at peerPort: /,
  );
  assertFrameError(
    () => decodeMessage(frame("BYE!:", "null")),
    /BYE!: payload invalid at \(root\)/,
  );
  assertFrameError(() => decodeMessage(frame("BYE!:", "[]")), /BYE!: payload invalid at \(root\)/);
});

Deno.test("decodeMessage() accepts a frame produced by the raw encoder", () => {
  const bytes = encodeFrame("PONG:", text.encode('{"seq":7,"sentAt":1.5}'));
  const [raw] = new FrameDecoder(1024).push(bytes);
  assert.deepEqual(decodeMessage(raw), { marker: "PONG:", payload: { seq: 7, sentAt: 1.5 } });
});
