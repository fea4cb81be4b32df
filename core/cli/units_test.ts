import assert from "node:assert/strict";
import { formatTable } from "./table.ts";
import { humanBytes, humanLoad, humanUntil, humanUptime } from "./units.ts";

Deno.test("humanBytes() uses decimal units like Ollama", () => {
  const cases: [number, string][] = [
    [0, "0 B"],
    [999, "999 B"],
    [1000, "1.0 KB"],
    [45_300, "45 KB"],
    [637_000_000, "637 MB"],
    [1_980_000_000, "2.0 GB"],
    [4.7e12, "4.7 TB"],
    [4.7e15, "4700 TB"],
  ];
  for (const [bytes, text] of cases) assert.equal(humanBytes(bytes), text, String(bytes));
});

Deno.test("humanUntil() says when a model unloads", () => {
  const now = new Date("2025-01-01T00:00:00Z");
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const cases: [number, string][] = [
    [-5, "Stopping..."],
    [0, "Stopping..."],
    [0.5, "Less than a second from now"],
    [1, "1 second from now"],
    [59, "59 seconds from now"],
    [90, "About a minute from now"],
    [299, "4 minutes from now"],
    [3600, "About an hour from now"],
    [3 * 3600, "3 hours from now"],
    [2 * 86_400, "2 days from now"],
    [20 * 365 * 86_400, "Forever"],
  ];
  for (const [seconds, text] of cases) {
    assert.equal(humanUntil(at(seconds), now), text, String(seconds));
  }
  assert.equal(humanUntil(new Date("bad"), now), "unknown");
});

Deno.test("humanUptime() and humanLoad()", () => {
  assert.deepEqual([5, 125, 3 * 3600 + 20 * 60, 2 * 86_400 + 4 * 3600].map(humanUptime), [
    "5s",
    "2m 5s",
    "3h 20m",
    "2d 4h",
  ]);
  assert.equal(humanLoad({ inFlight: 1, capacity: 2, queued: 0 }), "1/2 busy");
  assert.equal(humanLoad({ inFlight: 2, capacity: 2, queued: 3 }), "2/2 busy +3 queued");
});

Deno.test("formatTable() pads columns two spaces apart without trailing spaces", () => {
  assert.deepEqual(
    formatTable(["NAME", "SIZE", "HOSTS"], [["llama3.2:3b", "2.0 GB", ""], ["a", "1 B", "desk"]]),
    [
      "NAME         SIZE    HOSTS",
      "llama3.2:3b  2.0 GB",
      "a            1 B     desk",
    ],
  );
  assert.deepEqual(formatTable(["A"], []), ["A"]);
});
