import assert from "node:assert/strict";
import {
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  encodeJsonFrame,
  HEADER_BYTES,
  LENGTH_BYTES,
  MARKER_BYTES,
} from "./frame.ts";

const text = new TextEncoder();

Deno.test("frame header is 5 marker bytes plus an 8-byte length", () => {
  assert.equal(MARKER_BYTES, 5);
  assert.equal(LENGTH_BYTES, 8);
  assert.equal(HEADER_BYTES, 13);
  assert.equal(DEFAULT_MAX_FRAME_BYTES, 50 * 1024 * 1024);
});

Deno.test("encodeFrame() writes marker, u64 little-endian length, payload like the Rust original", () => {
  // Rust: stream.write_all(marker.as_bytes()); write_all(&(len as u64).to_le_bytes()); write_all(payload)
  const expected = new Uint8Array([
    0x43,
    0x4f,
    0x4e,
    0x56,
    0x3a, // "CONV:"
    0x05,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // 5 as u64 LE
    0x68,
    0x65,
    0x6c,
    0x6c,
    0x6f, // "hello"
  ]);
  assert.deepEqual(encodeFrame("CONV:", text.encode("hello")), expected);
});

Deno.test("encodeFrame() writes the length least significant byte first", () => {
  const frame = encodeFrame("PING:", new Uint8Array(258));
  assert.deepEqual([...frame.subarray(5, 13)], [0x02, 0x01, 0, 0, 0, 0, 0, 0]);
});

Deno.test("encodeFrame() encodes an empty payload as a bare 13-byte header", () => {
  const frame = encodeFrame("BYE!:", new Uint8Array(0));
  assert.equal(frame.length, HEADER_BYTES);
  assert.deepEqual([...frame.subarray(5)], [0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("encodeFrame() refuses markers that are not 5 printable ASCII characters", () => {
  for (const marker of ["CONV", "CONV::", "", "CON\n:", "CONé:", "CON\x7f:"]) {
    assert.throws(
      () => encodeFrame(marker, new Uint8Array(0)),
      RangeError,
      `marker ${JSON.stringify(marker)}`,
    );
  }
});

Deno.test("encodeFrame() output does not alias the payload buffer", () => {
  const payload = text.encode("abc");
  const frame = encodeFrame("LLMC:", payload);
  payload[0] = 0x7a;
  assert.equal(frame[HEADER_BYTES], 0x61);
});

Deno.test("encodeJsonFrame() payload is the UTF-8 JSON of the value", () => {
  const frame = encodeJsonFrame("HELO:", { name: "wohnzimmer-pc ☕" });
  assert.equal(new TextDecoder().decode(frame.subarray(0, 5)), "HELO:");
  const length = new DataView(frame.buffer).getBigUint64(5, true);
  assert.equal(Number(length), frame.length - HEADER_BYTES);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(frame.subarray(HEADER_BYTES))), {
    name: "wohnzimmer-pc ☕",
  });
});
