import assert from "node:assert/strict";
import { admissionRefusal, DEFAULT_ADMISSION_LIMITS, inboundRefusal } from "./admission.ts";

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

Deno.test("admissionRefusal() defaults are the documented 8 per address and 16 pending", () => {
  assert.deepEqual(DEFAULT_ADMISSION_LIMITS, { maxLinksPerAddress: 8, maxPendingHandshakes: 16 });
  assert.equal(admissionRefusal({ fromAddress: 7, pending: 15 }, DEFAULT_ADMISSION_LIMITS), null);
});

Deno.test("inboundRefusal() checks running, then the access lists, then the counts", () => {
  const open = { running: true, addressAllowed: true, fromAddress: 0, pending: 0 };
  const cases: Array<[string, Partial<typeof open>, string | null]> = [
    ["admitted", {}, null],
    ["not running", { running: false, addressAllowed: false }, "not running"],
    ["address not allowed", { addressAllowed: false, fromAddress: 99 }, "address not allowed"],
    ["default per-address limit", { fromAddress: 8 }, "more than 8 links from it"],
    ["default pending limit", { pending: 16 }, "more than 16 handshakes pending"],
  ];
  for (const [what, facts, expected] of cases) {
    assert.equal(inboundRefusal({ ...open, ...facts }), expected, what);
  }
  assert.equal(
    inboundRefusal({ ...open, fromAddress: 1 }, {
      maxLinksPerAddress: 1,
      maxPendingHandshakes: undefined,
    }),
    "more than 1 links from it",
  );
});
