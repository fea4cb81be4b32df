import assert from "node:assert/strict";
import { SAMPLE_SETTINGS } from "../../core/settings/testing/sample_settings.ts";
import type { Settings } from "../api/types.ts";
import { parseList, settingsPatch, toForm } from "./settings_form.ts";

const saved: Settings = { ...SAMPLE_SETTINGS, name: "Desk", allowCidr: ["100.64.0.0/10"] };

Deno.test("parseList() splits on lines, commas and spaces", () => {
  assert.deepEqual(parseList("10.0.0.0/8\n 192.168.1.0/24, fd00::/8\n\n"), [
    "10.0.0.0/8",
    "192.168.1.0/24",
    "fd00::/8",
  ]);
});

Deno.test("settingsPatch() is empty when nothing changed", () => {
  assert.deepEqual(settingsPatch(saved, toForm(saved)), {});
});

Deno.test("settingsPatch() carries only the changed fields, typed", () => {
  const form = { ...toForm(saved), name: " Kitchen ", blockCidr: "10.1.0.0/16", capacity: "4" };
  assert.deepEqual(settingsPatch(saved, form), {
    name: "Kitchen",
    blockCidr: ["10.1.0.0/16"],
    capacity: 4,
  });
});

Deno.test("settingsPatch() refuses bad numbers, an empty name and a non-http URL, quoting them", () => {
  assert.throws(
    () => settingsPatch(saved, { ...toForm(saved), rateLimit: "1.5" }),
    /Rate limit .* not "1.5"/,
  );
  assert.throws(() => settingsPatch(saved, { ...toForm(saved), capacity: "0" }), /Capacity/);
  assert.throws(
    () => settingsPatch(saved, { ...toForm(saved), name: "  " }),
    /name must not be empty/,
  );
  assert.throws(
    () => settingsPatch(saved, { ...toForm(saved), ollamaUrl: "ftp://x" }),
    /not "ftp:\/\/x"/,
  );
});

Deno.test("settingsPatch() carries a new trust mode and node id lists, ids normalized", () => {
  const id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const form = {
    ...toForm(saved),
    trustMode: "approve" as const,
    blockNodeId: "abcdefg-hijklmn-opqrstuvwxyz234567",
  };
  assert.deepEqual(settingsPatch(saved, form), { trustMode: "approve", blockNodeId: [id] });
  const withIds = { ...saved, allowNodeId: [id] };
  assert.deepEqual(settingsPatch(withIds, toForm(withIds)), {});
});
