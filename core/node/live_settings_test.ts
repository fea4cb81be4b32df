import assert from "node:assert/strict";
import type { Settings } from "../settings/settings.ts";
import { SAMPLE_SETTINGS } from "../settings/testing/sample_settings.ts";
import { liveSettings } from "./live_settings.ts";

const SETTINGS: Settings = {
  ...SAMPLE_SETTINGS,
  name: "kitchen",
  allowCidr: ["100.64.0.0/10"],
  blockCidr: ["192.168.1.66/32"],
  trustMode: "approve",
  blockNodeId: ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
};

Deno.test("liveSettings() gives each module its view of the current settings", () => {
  let current = SETTINGS;
  const live = liveSettings(
    { allowCidr: ["10.99.0.0/16"], queueSize: 8, serveLlm: true },
    () => current,
  );
  assert.deepEqual(live.llm(), {
    name: "kitchen",
    allowCidr: ["100.64.0.0/10"],
    blockCidr: ["192.168.1.66/32"],
    rateLimit: 100,
    capacity: 2,
    queueSize: 8,
    serveLlm: true,
  });
  assert.deepEqual(live.conversations(), { name: "kitchen", sharing: true });
  assert.equal(live.trust().mode, "approve");
  assert.ok(live.trust().blockIds.has("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  const lists = live.accessLists();
  assert.ok(lists.allowed.matches("100.64.1.1"), "a range of the settings");
  assert.ok(lists.allowed.matches("10.99.0.5"), "a range of the start's config");
  assert.ok(lists.allowed.matches("192.168.1.5"), "the private defaults");
  assert.ok(lists.blocked.matches("192.168.1.66"));
  assert.equal(live.discovery().name, "kitchen");
  assert.equal(live.discovery().allowed, lists.allowed);

  current = { ...SETTINGS, name: "office", sharing: false };
  assert.equal(live.llm().name, "office", "a rename reaches LLM sharing");
  assert.deepEqual(live.conversations(), { name: "office", sharing: false });
  assert.equal(live.discovery().name, "office");
});

Deno.test("liveSettings() builds a view again only after the settings changed", () => {
  let current = SETTINGS;
  const live = liveSettings({ allowCidr: [], queueSize: 8, serveLlm: true }, () => current);
  const lists = live.accessLists();
  const trust = live.trust();
  assert.equal(live.accessLists(), lists);
  assert.equal(live.trust(), trust);
  current = { ...SETTINGS, blockCidr: [] };
  assert.notEqual(live.accessLists(), lists);
  assert.equal(live.accessLists().blocked.matches("192.168.1.66"), false);
});
