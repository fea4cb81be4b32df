import assert from "node:assert/strict";
import { formatChecksums, sha256Hex } from "./checksums.ts";

Deno.test("sha256Hex() matches the known digest of 'abc'", async () => {
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("formatChecksums() writes sha256sum's two-space format, one file a line", () => {
  assert.equal(
    formatChecksums([{ name: "neuromesh.js", sha256: "aa" }, {
      name: "neuromesh-linux-x64",
      sha256: "bb",
    }]),
    "aa  neuromesh.js\nbb  neuromesh-linux-x64\n",
  );
});
