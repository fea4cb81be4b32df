import assert from "node:assert/strict";
import { MAX_READ_BYTES, MIN_READ_BYTES, nextReadBytes } from "./tcp_transport.ts";

Deno.test("nextReadBytes() grows a read buffer that fills and shrinks one mostly empty", () => {
  assert.equal(nextReadBytes(MIN_READ_BYTES, MIN_READ_BYTES), 2 * MIN_READ_BYTES);
  assert.equal(nextReadBytes(MAX_READ_BYTES, MAX_READ_BYTES), MAX_READ_BYTES);
  assert.equal(nextReadBytes(64 * 1024, 20 * 1024), 64 * 1024, "a fair share keeps the size");
  assert.equal(nextReadBytes(64 * 1024, 100), 32 * 1024);
  assert.equal(nextReadBytes(MIN_READ_BYTES, 1), MIN_READ_BYTES);
});
