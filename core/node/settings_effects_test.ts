import assert from "node:assert/strict";
import type { Settings } from "../settings/settings.ts";
import { SAMPLE_SETTINGS } from "../settings/testing/sample_settings.ts";
import { settingsEffects } from "./settings_effects.ts";

const BEFORE = SAMPLE_SETTINGS;
const ID = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

Deno.test("settingsEffects() maps each change to the effects to apply, in order", () => {
  const table: [string, Partial<Settings>, Settings, string[]][] = [
    // [what, previous (patch of BEFORE), next, effect kinds]
    ["nothing changed (lists parsed anew)", {}, { ...BEFORE, allowCidr: [] }, ["publish_node"]],
    ["rename", {}, { ...BEFORE, name: "office" }, ["rename", "llm_settings", "publish_node"]],
    ["trust mode", {}, { ...BEFORE, trustMode: "approve" }, ["drop_untrusted", "publish_node"]],
    ["a node blocked", {}, { ...BEFORE, blockNodeId: [ID] }, ["drop_untrusted", "publish_node"]],
    ["a node allowed", {}, { ...BEFORE, allowNodeId: [ID] }, ["drop_untrusted", "publish_node"]],
    ["a range allowed", {}, { ...BEFORE, allowCidr: ["100.64.0.0/10"] }, [
      "access_lists",
      "llm_settings",
      "publish_node",
    ]],
    ["a range blocked", {}, { ...BEFORE, blockCidr: ["10.0.0.66/32"] }, [
      "access_lists",
      "llm_settings",
      "publish_node",
    ]],
    ["capacity", {}, { ...BEFORE, capacity: 4 }, ["llm_settings", "publish_node"]],
    ["rate limit", {}, { ...BEFORE, rateLimit: 10 }, ["llm_settings", "publish_node"]],
    ["Ollama URL", {}, { ...BEFORE, ollamaUrl: "http://10.0.0.5:11434" }, [
      "switch_backend",
      "publish_node",
    ]],
    ["sharing turned on", { sharing: false }, BEFORE, ["sync_now", "publish_node"]],
    ["sharing turned off", {}, { ...BEFORE, sharing: false }, ["publish_node"]],
    ["everything at once", { sharing: false }, {
      ...BEFORE,
      name: "office",
      trustMode: "approve",
      blockCidr: ["10.0.0.66/32"],
      ollamaUrl: "http://10.0.0.5:11434",
    }, [
      "drop_untrusted",
      "rename",
      "access_lists",
      "llm_settings",
      "switch_backend",
      "sync_now",
      "publish_node",
    ]],
  ];
  for (const [what, previous, next, kinds] of table) {
    const effects = settingsEffects({ ...BEFORE, ...previous }, next);
    assert.deepEqual(effects.map((e) => e.kind), kinds, what);
  }
});

Deno.test("settingsEffects() carries the new name and URL", () => {
  const effects = settingsEffects(BEFORE, {
    ...BEFORE,
    name: "office",
    ollamaUrl: "http://10.0.0.5:11434",
  });
  assert.deepEqual(effects.find((e) => e.kind === "rename"), { kind: "rename", name: "office" });
  assert.deepEqual(effects.find((e) => e.kind === "switch_backend"), {
    kind: "switch_backend",
    ollamaUrl: "http://10.0.0.5:11434",
  });
});
