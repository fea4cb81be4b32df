import assert from "node:assert/strict";
import { isRfc3339, msToRfc3339, rfc3339Nanos, rfc3339ToMs } from "./rfc3339.ts";

Deno.test("rfc3339ToMs() reads nine fractional digits as the original writes them", () => {
  assert.equal(
    rfc3339ToMs("2025-03-25T13:56:00.304707400Z"),
    Date.UTC(2025, 2, 25, 13, 56, 0, 304),
  );
  assert.equal(rfc3339Nanos("2025-03-25T13:56:00.304707400Z"), 304_707_400);
  assert.equal(rfc3339Nanos("2025-03-25T13:56:00Z"), 0);
});

Deno.test("rfc3339ToMs() applies numeric offsets", () => {
  assert.equal(rfc3339ToMs("2025-03-25T15:56:00.5+02:00"), Date.UTC(2025, 2, 25, 13, 56, 0, 500));
  assert.equal(rfc3339ToMs("2025-03-25T11:26:00-02:30"), Date.UTC(2025, 2, 25, 13, 56, 0, 0));
});

Deno.test("isRfc3339() refuses other date shapes", () => {
  for (
    const bad of [
      "2025-03-25",
      "2025-03-25 13:56:00Z",
      "2025-13-01T00:00:00Z",
      "x",
      "2025-03-25T13:56:00.1234567890Z",
    ]
  ) {
    assert.equal(isRfc3339(bad), false, bad);
  }
  assert.equal(isRfc3339(msToRfc3339(0)), true);
});
