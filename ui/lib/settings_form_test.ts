import assert from "node:assert/strict";
import { SAMPLE_SETTINGS } from "../../core/settings/testing/sample_settings.ts";
import type { Settings } from "../api/types.ts";
import { describeZodError } from "../../core/http/errors.ts";
import { SettingsPatch } from "../../core/settings/settings.ts";
import {
  fieldProblem,
  parseList,
  SettingsFieldError,
  settingsPatch,
  toForm,
} from "./settings_form.ts";

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

Deno.test("settingsPatch() says which field is wrong, and which line of a list", () => {
  const fieldOf = (form: Parameters<typeof settingsPatch>[1]) => {
    try {
      settingsPatch(saved, form);
    } catch (error) {
      assert.ok(error instanceof SettingsFieldError);
      return [error.field, error.message];
    }
    assert.fail("no error");
  };
  assert.deepEqual(fieldOf({ ...toForm(saved), capacity: "" })[0], "capacity");
  assert.deepEqual(fieldOf({ ...toForm(saved), name: "" })[0], "name");
  assert.deepEqual(
    fieldOf({ ...toForm(saved), blockNodeId: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567\nnope" }),
    [
      "blockNodeId",
      "Blocked devices: “NOPE” (line 2) is not a node id (32 characters, A–Z and 2–7, as the Mesh view shows it)",
    ],
  );
});

/** The node's own 400 text for a patch (core/http/node_routes.ts answers describeZodError). */
function nodeRefusal(patch: unknown): string {
  const parsed = SettingsPatch.safeParse(patch);
  assert.equal(parsed.success, false);
  return describeZodError(parsed.error!);
}

Deno.test("fieldProblem() puts the node's refusal at its field, in the form's words", () => {
  const sent = { blockCidr: ["10.0.0.0/8", "not-a-net"] };
  assert.deepEqual(fieldProblem(nodeRefusal(sent), sent), {
    field: "blockCidr",
    text: "Blocked networks: “not-a-net” (line 2) must be a CIDR such as 192.168.1.0/24",
  });
  const url = { ollamaUrl: "http//x" };
  const problem = fieldProblem(nodeRefusal(url), url);
  assert.equal(problem.field, "ollamaUrl");
  assert.match(problem.text, /^Ollama URL: /);
  assert.doesNotMatch(problem.text, /ollamaUrl|\.0/);
});

Deno.test("fieldProblem() places a refusal without a field at the one field sent, or the trust mode", () => {
  const meshKey = "mesh-key mode needs a mesh key: start the node with --mesh-key";
  assert.deepEqual(fieldProblem(meshKey, { trustMode: "mesh-key" }), {
    field: "trustMode",
    text: meshKey,
  });
  assert.deepEqual(fieldProblem(meshKey, { trustMode: "mesh-key", name: "x" }).field, "trustMode");
  assert.deepEqual(fieldProblem("disk full", { name: "x", capacity: 2 }), {
    field: null,
    text: "disk full",
  });
});
