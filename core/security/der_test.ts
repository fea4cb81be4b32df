import assert from "node:assert/strict";
import { objectIdentifier, sequence, tlv } from "./der.ts";

Deno.test("tlv() uses the short length form below 128 bytes and the long form from there", () => {
  assert.deepEqual(tlv(0x04, new Uint8Array(3)), Uint8Array.of(0x04, 3, 0, 0, 0));
  assert.deepEqual(tlv(0x04, new Uint8Array(127)).subarray(0, 2), Uint8Array.of(0x04, 127));
  assert.deepEqual(tlv(0x04, new Uint8Array(128)).subarray(0, 3), Uint8Array.of(0x04, 0x81, 128));
  assert.deepEqual(tlv(0x04, new Uint8Array(300)).subarray(0, 4), Uint8Array.of(0x04, 0x82, 1, 44));
  assert.deepEqual(sequence(), Uint8Array.of(0x30, 0));
});

Deno.test("objectIdentifier() packs the first two arcs and writes larger arcs in base 128", () => {
  assert.deepEqual(objectIdentifier("1.3.101.112"), Uint8Array.of(0x06, 3, 0x2b, 0x65, 0x70));
  assert.deepEqual(objectIdentifier("2.5.29.17"), Uint8Array.of(0x06, 3, 0x55, 0x1d, 0x11));
  // 1.2.840.113549 (RSA Data Security): 840 = 0x86 0x48, 113549 = 0x86 0xf7 0x0d
  assert.deepEqual(
    objectIdentifier("1.2.840.113549"),
    Uint8Array.of(0x06, 6, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d),
  );
});
