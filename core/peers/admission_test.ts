import assert from "node:assert/strict";
import { admissionRefusal, DEFAULT_ADMISSION_LIMITS } from "./admission.ts";

const limits = { maxLinksPerAddress: 2, maxPendingHandshakes: 3 };

Deno.test("admissionRefusal() decides from counts and limits alone", () => {
  const cases: Array<[string, number, number, string | null]> = [
    ["nothing open", 0, 0, null],
    ["one below both limits", 1, 2, null],
    ["address at its limit", 2, 0, "more than 2 links from it"],
    ["address above its limit", 9, 0, "more than 2 links from it"],
    ["handshakes at their limit", 0, 3, "more than 3 handshakes pending"],
    ["handshakes above their limit", 1, 70, "more than 3 handshakes pending"],
    ["both at their limits: the address is named", 2, 3, "more than 2 links from it"],
  ];
  for (const [what, fromAddress, pending, expected] of cases) {
    assert.equal(admissionRefusal({ fromAddress, pending }, limits), expected, what);
  }
});

Deno.test("admissionRefusal() with a limit of 0 refuses every connection", () => {
  assert.notEqual(
    admissionRefusal({ fromAddress: 0, pending: 0 }, { ...limits, maxLinksPerAddress: 0 }),
    null,
  );
  assert.notEqual(
    admissionRefusal({ fromAddress: 0, pending: 0 }, { ...limits, maxPendingHandshakes: 0 }),
    null,
  );
});

Deno.test("admissionRefusal() defaults are the documented 8 per address and 64 pending", () => {
  assert.deepEqual(DEFAULT_ADMISSION_LIMITS, { maxLinksPerAddress: 8, maxPendingHandshakes: 64 });
  assert.equal(admissionRefusal({ fromAddress: 7, pending: 63 }, DEFAULT_ADMISSION_LIMITS), null);
});
