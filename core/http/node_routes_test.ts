import assert from "node:assert/strict";
import { EventHub } from "../events/hub.ts";
import { SettingsStore } from "../settings/settings.ts";
import { SAMPLE_SETTINGS } from "../settings/testing/sample_settings.ts";
import { nodeRoutes, type StatusView } from "./node_routes.ts";
import { post } from "./testing/llm_requests.ts";

const STATUS = {
  node: { id: "SELF", name: "desk" },
  peers: [{ id: "PEER", name: "office" }],
} as unknown as StatusView;

async function withRoutes(
  fn: (routes: ReturnType<typeof nodeRoutes>, events: EventHub) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "neuromesh-node-routes-" });
  try {
    const settings = await SettingsStore.open(
      dir,
      SAMPLE_SETTINGS,
      new Set(),
      (next) => next.trustMode === "mesh-key" ? "mesh-key mode needs a mesh key" : null,
    );
    const events = new EventHub();
    await fn(nodeRoutes({ status: () => STATUS, settings, events, keepAliveMs: 20 }), events);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const patch = (body: unknown) => ({ ...post(body), method: "PATCH" });

Deno.test("GET /api/status answers the status view", async () => {
  await withRoutes(async (routes) => {
    assert.deepEqual(await (await routes.request("/api/status")).json(), STATUS);
  });
});

Deno.test("PATCH /api/settings saves a valid change and refuses others with 400 saying why", async () => {
  await withRoutes(async (routes) => {
    const saved = await routes.request("/api/settings", patch({ name: "office", capacity: 4 }));
    assert.equal(saved.status, 200);
    assert.equal((await saved.json()).name, "office");
    const current = await (await routes.request("/api/settings")).json();
    assert.deepEqual(current, { ...SAMPLE_SETTINGS, name: "office", capacity: 4 });
    const table: [string, unknown, RegExp][] = [
      ["not JSON", "{nope", /valid JSON/],
      ["an unknown key", { colour: "blue" }, /colour/],
      ["an empty name", { name: " " }, /^name: /],
      ["a capacity of 0", { capacity: 0 }, /^capacity: /],
      ["a setting the node cannot honour", { trustMode: "mesh-key" }, /needs a mesh key/],
    ];
    for (const [what, body, message] of table) {
      const refused = await routes.request("/api/settings", patch(body));
      assert.equal(refused.status, 400, what);
      assert.match((await refused.json()).error, message, what);
    }
    assert.equal((await (await routes.request("/api/settings")).json()).name, "office");
  });
});

Deno.test("GET /api/events sends the node and peers first, then live events and keep-alives", async () => {
  await withRoutes(async (routes, events) => {
    const response = await routes.request("/api/events");
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? "";
    };
    await readUntil(/event: peers\ndata: .*\n\n/);
    assert.match(text, /^event: node\ndata: \{"id":"SELF","name":"desk"\}\n\n/);
    events.publish("models", [{ name: "m" }]);
    await readUntil(/event: models\ndata: \[\{"name":"m"\}\]\n\n/);
    await readUntil(/: keep-alive\n\n/);
    assert.equal(events.subscriberCount, 1);
    await reader.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(events.subscriberCount, 0, "a page that leaves unsubscribes");
  });
});
