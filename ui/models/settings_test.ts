import assert from "node:assert/strict";
import { createSettingsModel } from "./settings.ts";
import { fakeApi } from "../api/testing/fake_api.ts";
import { settings } from "../api/testing/fixtures.ts";

Deno.test("loadSettings() keeps the node's settings, or says why it could not read them", async () => {
  let fail = true;
  const api = fakeApi({
    settings: () => fail ? Promise.reject(new Error("HTTP 500")) : Promise.resolve(settings()),
  });
  const model = createSettingsModel({ api });
  await model.loadSettings();
  assert.equal(model.saved.value, null);
  assert.equal(model.loadError.value, "HTTP 500");
  fail = false;
  await model.loadSettings();
  assert.deepEqual(model.saved.value, settings());
  assert.equal(model.loadError.value, null);
});

Deno.test("saveSettings() goes saving → saved and keeps what the node answered", async () => {
  const { promise, resolve } = Promise.withResolvers<ReturnType<typeof settings>>();
  const api = fakeApi({ saveSettings: () => promise });
  const model = createSettingsModel({ api });
  const saving = model.saveSettings({ name: "Beta" });
  assert.deepEqual(model.saveState.value, { kind: "saving" });
  resolve(settings({ name: "Beta" }));
  assert.equal(await saving, true);
  assert.deepEqual(model.saveState.value, { kind: "saved" });
  assert.equal(model.saved.value?.name, "Beta");
  assert.deepEqual(api.calls.map((call) => call.args), [[{ name: "Beta" }]]);
});

Deno.test("saveSettings() shows the node's refusal and keeps the old settings", async () => {
  const api = fakeApi({
    settings: () => Promise.resolve(settings()),
    saveSettings: () => Promise.reject(new Error("no mesh key is set")),
  });
  const model = createSettingsModel({ api });
  await model.loadSettings();
  assert.equal(await model.saveSettings({ trustMode: "mesh-key" }), false);
  assert.deepEqual(model.saveState.value, { kind: "error", message: "no mesh key is set" });
  assert.equal(model.saved.value?.trustMode, "open");
});

Deno.test("an edit dismisses the last outcome but not a save still running", async () => {
  const { promise, resolve } = Promise.withResolvers<ReturnType<typeof settings>>();
  const model = createSettingsModel({ api: fakeApi({ saveSettings: () => promise }) });
  const saving = model.saveSettings({ name: "Beta" });
  model.dismissSaveOutcome();
  assert.deepEqual(model.saveState.value, { kind: "saving" });
  resolve(settings());
  await saving;
  model.dismissSaveOutcome();
  assert.deepEqual(model.saveState.value, { kind: "idle" });
});

Deno.test("resetSaveState() forgets the outcome whatever it was", async () => {
  const model = createSettingsModel({
    api: fakeApi({ saveSettings: () => Promise.reject(new Error("no")) }),
  });
  await model.saveSettings({});
  model.resetSaveState();
  assert.deepEqual(model.saveState.value, { kind: "idle" });
});
