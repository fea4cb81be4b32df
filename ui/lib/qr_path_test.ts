import assert from "node:assert/strict";
import { encode } from "uqr";
import { qrPath } from "./qr_path.ts";

Deno.test("qrPath() draws each run of dark modules as one rectangle", () => {
  assert.equal(
    qrPath([
      [true, true, false, true],
      [false, false, false, false],
      [false, true, true, true],
    ]),
    "M0 0h2v1h-2zM3 0h1v1h-1zM1 2h3v1h-3z",
  );
  assert.equal(qrPath([]), "");
});

Deno.test("qrPath() covers exactly the dark modules of a real QR code", () => {
  const qr = encode("http://192.168.1.20:8080/pair/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", {
    ecc: "M",
    border: 2,
  });
  const dark = qr.data.flat().filter(Boolean).length;
  const covered = [...qrPath(qr.data).matchAll(/h(\d+)v1/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(covered, dark);
});
