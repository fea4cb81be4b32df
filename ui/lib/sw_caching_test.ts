/**
 * assets/sw.js run against fake caches and a fake node: what it keeps and serves. It must keep
 * only the page's shell (the same HTML for everyone), its assets and icons — never an API
 * answer (private conversations), never a refused answer, never a non-page navigation in the
 * shell's place — so another person using the browser, or the owner after a revoke, gets no
 * one's data from it.
 */
import assert from "node:assert/strict";

const SOURCE = await Deno.readTextFile(new URL("../../assets/sw.js", import.meta.url));
const ORIGIN = "https://node.test";
const SHELL_HTML = '<!doctype html><script src="/assets/app.js?v=1"></script>';

type Handler = (event: unknown) => void;
type Reply = () => Response;

function worker(node: Record<string, Reply>) {
  const handlers = new Map<string, Handler>();
  const stores = new Map<string, Map<string, Response>>();
  const pathOf = (r: string | { url: string }) => {
    const url = new URL(typeof r === "string" ? r : r.url, ORIGIN);
    return url.pathname + url.search;
  };
  const fetched: string[] = [];
  const fetch = (r: string | { url: string }) => {
    const path = pathOf(r);
    fetched.push(path);
    const reply = node[path];
    return reply ? Promise.resolve(reply()) : Promise.reject(new TypeError("offline"));
  };
  const open = (name: string) => {
    const store = stores.get(name) ?? new Map<string, Response>();
    stores.set(name, store);
    return Promise.resolve({
      put: (r: string | { url: string }, response: Response) => {
        store.set(pathOf(r), response.clone());
        return Promise.resolve();
      },
      match: (r: string | { url: string }) => Promise.resolve(store.get(pathOf(r))?.clone()),
      add: async (r: string) => void store.set(pathOf(r), (await fetch(r)).clone()),
      addAll: async (list: string[]) => {
        for (const r of list) store.set(pathOf(r), (await fetch(r)).clone());
      },
      keys: () => Promise.resolve([...store.keys()].map((p) => ({ url: ORIGIN + p }))),
      delete: (r: { url: string }) => Promise.resolve(store.delete(pathOf(r))),
    });
  };
  const caches = {
    open,
    keys: () => Promise.resolve([...stores.keys()]),
    delete: (name: string) => Promise.resolve(stores.delete(name)),
    match: (r: string | { url: string }) => {
      for (const store of stores.values()) {
        const hit = store.get(pathOf(r));
        if (hit) return Promise.resolve(hit.clone());
      }
      return Promise.resolve(undefined);
    },
  };
  const self = {
    location: { origin: ORIGIN },
    addEventListener: (type: string, handler: Handler) => handlers.set(type, handler),
    skipWaiting: () => Promise.resolve(),
    clients: { claim: () => Promise.resolve() },
  };
  new Function("self", "caches", "fetch", SOURCE)(self, caches, fetch);

  /** Dispatches an event; resolves with what the worker answered (undefined: the network's). */
  const dispatch = async (
    type: string,
    request?: { url: string; method: string; mode: string },
  ) => {
    const waits: Promise<unknown>[] = [];
    let answer: Promise<Response> | undefined;
    handlers.get(type)!({
      request,
      respondWith: (p: Promise<Response>) => (answer = p),
      waitUntil: (p: Promise<unknown>) => waits.push(p),
    });
    const response = await answer;
    await Promise.all(waits);
    await Promise.all(waits); // waitUntil called from inside a waited promise
    return response;
  };
  const get = (path: string, mode = "cors") =>
    dispatch("fetch", { url: ORIGIN + path, method: "GET", mode });
  const kept = () => [...stores.values()].flatMap((s) => [...s.keys()]).sort();
  return { dispatch, get, kept, fetched };
}

const html = () => new Response(SHELL_HTML, { headers: { "content-type": "text/html" } });
const js = () => new Response("app()", { headers: { "content-type": "text/javascript" } });
const data = (body: unknown, status = 200) => () =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function onlineNode(): Record<string, Reply> {
  return {
    "/": html,
    "/c/SELF-c1": html,
    "/assets/app.js?v=1": js,
    "/manifest.webmanifest": data({ name: "NeuroMesh" }),
    "/icons/icon-192.png": () => new Response(new Uint8Array([1])),
    "/icons/icon.svg": () => new Response("<svg/>"),
    "/api/conversations": data({ conversations: [{ title: "my secret plans" }] }),
    "/api/events": () => new Response("data: {}\n\n"),
    "/v1/models": data({ data: [] }),
    "/metrics": () =>
      new Response("neuromesh_requests 1", { headers: { "content-type": "text/plain" } }),
  };
}

Deno.test("sw.js keeps the shell, its assets and icons, and no API answer", async () => {
  const sw = worker(onlineNode());
  await sw.dispatch("install");
  await sw.dispatch("activate");
  await sw.get("/c/SELF-c1", "navigate");
  for (const path of ["/api/conversations", "/api/events", "/v1/models"]) {
    assert.equal(await sw.get(path), undefined, `${path} goes to the node`);
    assert.equal(
      await sw.get(path, "navigate"),
      undefined,
      `${path} opened in a tab goes to the node`,
    );
  }
  assert.deepEqual(sw.kept(), [
    "/",
    "/assets/app.js?v=1",
    "/icons/icon-192.png",
    "/icons/icon.svg",
    "/manifest.webmanifest",
  ]);
});

Deno.test("sw.js keeps only a page as the shell: a refused answer or another file opened in a tab is not kept", async () => {
  const node = onlineNode();
  const sw = worker(node);
  await sw.dispatch("install");
  // A browser tab opened on a node file that is not the page, then a refusal (revoked device).
  await sw.get("/metrics", "navigate");
  await sw.get("/manifest.webmanifest", "navigate");
  node["/"] = data({ error: "this node needs its API token" }, 401);
  await sw.get("/", "navigate");
  // Offline: the page's own shell, the same HTML for everyone.
  for (const key of Object.keys(node)) delete node[key];
  const offline = await sw.get("/c/SELF-c1", "navigate");
  assert.ok(offline);
  assert.equal(await offline.text(), SHELL_HTML);
  assert.equal(await sw.get("/api/conversations"), undefined, "no API answer offline either");
});
