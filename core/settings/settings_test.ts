import assert from "node:assert/strict";
import { type Settings, SettingsStore } from "./settings.ts";
import { SAMPLE_SETTINGS } from "./testing/sample_settings.ts";

const base = SAMPLE_SETTINGS;

Deno.test("SettingsStore persists updates and tells listeners", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await SettingsStore.open(dir, base, new Set());
    const seen: number[] = [];
    store.onChange((next) => seen.push(next.capacity));
    await store.update({ capacity: 4, blockCidr: ["192.168.5.0/24"] });
    assert.deepEqual(seen, [4]);
    const reopened = await SettingsStore.open(dir, base, new Set());
    assert.equal(reopened.current.capacity, 4);
    assert.deepEqual(reopened.current.blockCidr, ["192.168.5.0/24"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore lets an explicit flag win over a saved value", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await (await SettingsStore.open(dir, base, new Set())).update({ rateLimit: 5 });
    const reopened = await SettingsStore.open(
      dir,
      { ...base, rateLimit: 50 },
      new Set(["rateLimit"]),
    );
    assert.equal(reopened.current.rateLimit, 50);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore refuses a bad value and keeps the old one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = await SettingsStore.open(dir, base, new Set());
    await assert.rejects(() => store.update({ blockCidr: ["300.0.0.0/8"] }));
    assert.deepEqual(store.current.blockCidr, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore refuses an update its check rejects, and keeps the current settings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const check = (next: Settings) => next.trustMode === "mesh-key" ? "no mesh key" : null;
    const store = await SettingsStore.open(dir, base, new Set(), check);
    await assert.rejects(() => store.update({ trustMode: "mesh-key" }), /no mesh key/);
    assert.equal(store.current.trustMode, "open");
    await store.update({ trustMode: "approve" });
    assert.equal(store.current.trustMode, "approve");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SettingsStore falls back from a saved setting this start cannot honour", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/settings.json`, JSON.stringify({ trustMode: "mesh-key" }));
    const check = (next: Settings) => next.trustMode === "mesh-key" ? "no mesh key" : null;
    const store = await SettingsStore.open(dir, base, new Set(), check);
    assert.equal(store.current.trustMode, "open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
