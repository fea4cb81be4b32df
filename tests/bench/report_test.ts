import assert from "node:assert/strict";
import {
  figureJson,
  figureRow,
  formatNumber,
  goalMet,
  renderSection,
  renderTable,
} from "./report.ts";

Deno.test("goalMet() treats < as strictly below and ≥ as reaching", () => {
  assert.equal(goalMet(0.99, { op: "<", value: 1 }), true);
  assert.equal(goalMet(1, { op: "<", value: 1 }), false);
  assert.equal(goalMet(200_000, { op: ">=", value: 200_000 }), true);
  assert.equal(goalMet(199_999, { op: ">=", value: 200_000 }), false);
});

Deno.test("formatNumber() shows fewer decimals as numbers grow, with separators", () => {
  assert.equal(formatNumber(1234567.8), "1,234,568");
  assert.equal(formatNumber(42.123), "42.1");
  assert.equal(formatNumber(1.23456), "1.23");
  assert.equal(formatNumber(1.23456, 3), "1.235");
});

Deno.test("figureRow() shows goal status, baseline and ratio", () => {
  const row = figureRow({
    label: "frames/s",
    value: 300_000,
    unit: "/s",
    goal: { op: ">=", value: 200_000 },
    baseline: { label: "raw", value: 3_000_000 },
  });
  assert.deepEqual(row, [
    "frames/s",
    "300,000 /s",
    "≥ 200,000 /s",
    "met",
    "raw: 3,000,000 /s",
    "0.10×",
  ]);
  assert.deepEqual(
    figureRow({ label: "x", value: null, unit: "ms", goal: { op: "<", value: 5 } }),
    [
      "x",
      "n/a",
      "< 5 ms",
      "",
      "",
      "",
    ],
  );
});

Deno.test("renderTable() aligns columns and drops empty ones", () => {
  const text = renderTable(["a", "value", "empty"], [["long name", "1", ""], ["b", "22", ""]]);
  assert.equal(
    text,
    ["a          value", "---------  -----", "long name      1", "b             22"].join("\n"),
  );
});

Deno.test("renderSection() says why a section was skipped", () => {
  const text = renderSection("2", {
    id: "discovery",
    title: "Discovery",
    figures: [],
    notes: ["needs root"],
    skipped: "network namespaces need root",
    seconds: 0,
    loadAverage: 1.5,
  });
  assert.match(text, /== 2\. Discovery \(0\.0 s, load 1\.50\) ==/);
  assert.match(text, /SKIPPED: network namespaces need root/);
  assert.match(text, /note: needs root/);
});

Deno.test("figureJson() adds met and ratio", () => {
  const json = figureJson({
    label: "p99",
    value: 6,
    unit: "ms",
    goal: { op: "<", value: 5 },
    baseline: { label: "floor", value: 3 },
  });
  assert.equal(json.met, false);
  assert.equal(json.ratio, 2);
});
