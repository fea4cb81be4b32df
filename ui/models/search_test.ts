import assert from "node:assert/strict";
import type { SearchHit, SearchResults } from "../api/archive.ts";
import type { Route } from "../lib/route.ts";
import { createSearchModel } from "./search.ts";

const hit: SearchHit = {
  conversationId: "c1",
  conversationTitle: "Sea questions",
  originNode: "SELF",
  originName: "me",
  readOnly: false,
  messageId: "r1",
  messageType: "Response",
  sender: "llama3.2",
  timestamp: "2026-01-05T10:00:00Z",
  snippet: "the Moon pulls the moon",
  matches: [[4, 8], [19, 23]],
};

function harness(answer: (q: string) => Promise<SearchResults>) {
  const asked: string[] = [];
  const routes: Route[] = [];
  const timers: (() => void)[] = [];
  const model = createSearchModel({
    api: {
      search: (q) => {
        asked.push(q);
        return answer(q);
      },
    },
    navigate: (route) => routes.push(route),
    later: (run) => {
      timers.push(run);
      return () => timers.splice(timers.indexOf(run), 1);
    },
  });
  const tick = async () => {
    for (const run of timers.splice(0)) run();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { model, asked, routes, tick };
}

Deno.test("search asks the node once typing pauses, with the newest text only", async () => {
  const { model, asked, tick } = harness((q) =>
    Promise.resolve({ query: q, hits: [hit], more: false })
  );
  model.setQuery("mo");
  model.setQuery("moon ");
  await tick();
  assert.deepEqual(asked, ["moon"]);
  assert.equal(model.results.value?.hits[0].messageId, "r1");
  assert.equal(model.searching.value, false);
});

Deno.test("search clears for a text too short to look for", async () => {
  const { model, asked, tick } = harness((q) =>
    Promise.resolve({ query: q, hits: [hit], more: false })
  );
  model.setQuery("moon");
  await tick();
  model.setQuery("m");
  await tick();
  assert.deepEqual(asked, ["moon"]);
  assert.equal(model.results.value, null);
});

Deno.test("search says when the node refused, and a late answer never replaces a newer one", async () => {
  let release: (r: SearchResults) => void = () => {};
  const { model, tick } = harness((q) =>
    q === "slow"
      ? new Promise((resolve) => (release = resolve))
      : q === "bad"
      ? Promise.reject(new Error("q: must not be empty"))
      : Promise.resolve({ query: q, hits: [], more: false })
  );
  model.setQuery("slow");
  await tick();
  model.setQuery("fast");
  await tick();
  release({ query: "slow", hits: [hit], more: false });
  await tick();
  assert.equal(model.results.value?.query, "fast");
  model.setQuery("bad");
  await tick();
  assert.equal(model.error.value, "Search failed: q: must not be empty");
});

Deno.test("open() goes to the hit's conversation and keeps the message to jump to", () => {
  const { model, routes } = harness(() => Promise.reject(new Error("unused")));
  model.open(hit);
  assert.deepEqual(routes, [{ view: "chat", conversationId: "c1" }]);
  assert.deepEqual(model.jumpTarget.value, {
    conversationId: "c1",
    messageId: "r1",
    words: ["moon"],
  });
  model.jumped();
  assert.equal(model.jumpTarget.value, null);
});

Deno.test("jumped(id) highlights the message until its timer ends; a newer jump keeps its own", async () => {
  const { model, tick } = harness(() => Promise.reject(new Error("unused")));
  model.open(hit);
  model.jumped("r1");
  assert.equal(model.jumpTarget.value, null);
  assert.equal(model.found.value, "r1");
  await tick(); // FOUND_HIGHLIGHT_MS passed
  assert.equal(model.found.value, null);
  model.open(hit);
  model.jumped("r1");
  model.open({ ...hit, messageId: "r2" });
  model.jumped("r2"); // the first timer is dropped: it cannot end the second highlight
  assert.equal(model.found.value, "r2");
  await tick();
  assert.equal(model.found.value, null);
  model.open(hit);
  model.jumped(); // gave up: nothing highlighted
  assert.equal(model.found.value, null);
});
