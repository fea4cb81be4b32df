import assert from "node:assert/strict";
import { isLoopbackHost } from "./loopback.ts";

Deno.test("isLoopbackHost() accepts localhost, 127/8 and ::1 and nothing else", () => {
  for (const host of ["localhost", "127.0.0.1", "127.3.4.5", "::1", "[::1]"]) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ["0.0.0.0", "10.0.0.1", "::", "example.com", "128.0.0.1"]) {
    assert.ok(!isLoopbackHost(host), host);
  }
});
