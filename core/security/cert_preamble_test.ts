import assert from "node:assert/strict";
import {
  certLengthFromHeader,
  encodeCertPreamble,
  MAX_PREAMBLE_CERT_BYTES,
  PREAMBLE_HEADER_BYTES,
} from "./cert_preamble.ts";

Deno.test("encodeCertPreamble() round-trips through certLengthFromHeader()", () => {
  const der = new Uint8Array(300).fill(7);
  const bytes = encodeCertPreamble(der);
  assert.equal(certLengthFromHeader(bytes.subarray(0, PREAMBLE_HEADER_BYTES)), 300);
  assert.deepEqual(bytes.subarray(PREAMBLE_HEADER_BYTES), der);
});

Deno.test("certLengthFromHeader() names a plaintext peer", () => {
  const helo = new TextEncoder().encode("HELO:\x10\x00\x00");
  assert.throws(() => certLengthFromHeader(helo), /insecure-plaintext-links/);
});

Deno.test("certLengthFromHeader() refuses other bytes and oversize lengths", () => {
  assert.throws(
    () => certLengthFromHeader(new Uint8Array(PREAMBLE_HEADER_BYTES)),
    /does not speak/,
  );
  const big = encodeCertPreamble(new Uint8Array(10)).subarray(0, PREAMBLE_HEADER_BYTES);
  new DataView(big.buffer).setUint16(6, MAX_PREAMBLE_CERT_BYTES + 1);
  assert.throws(() => certLengthFromHeader(big), /limit/);
  assert.throws(() => certLengthFromHeader(new Uint8Array(3)), /must be 8 bytes/);
});

Deno.test("encodeCertPreamble() refuses an empty or oversize certificate", () => {
  assert.throws(() => encodeCertPreamble(new Uint8Array(0)));
  assert.throws(() => encodeCertPreamble(new Uint8Array(MAX_PREAMBLE_CERT_BYTES + 1)));
});
