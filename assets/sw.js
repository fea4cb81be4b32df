// NeuroMesh service worker: keeps the page's shell (HTML, script, style, icons) so the page
// opens when the node cannot be reached, and then says so itself. Answers, conversations and
// every API call always go to the node: nothing of them is stored here.
const SHELL_CACHE = "neuromesh-shell-v1";
const SHELL = "/";
const STATIC = ["/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon.svg"];

/** The versioned script and style the page HTML loads. */
function assetUrls(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

/** Caches the shell and its assets; drops assets the new shell no longer names. */
async function keepShell(response) {
  const cache = await caches.open(SHELL_CACHE);
  const html = await response.clone().text();
  const assets = assetUrls(html);
  await cache.put(SHELL, response);
  await Promise.all(assets.map(async (url) => {
    if (!(await cache.match(url))) await cache.add(url);
  }));
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname + new URL(request.url).search;
    if (path.startsWith("/assets/") && !assets.includes(path)) await cache.delete(request);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(STATIC).catch(() => {});
    const response = await fetch(SHELL, { cache: "no-cache" });
    if (response.ok) await keepShell(response);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== SHELL_CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (/^\/(api|v1|pair)(\/|$)/.test(url.pathname)) return; // always the node itself
  if (request.mode === "navigate") {
    // The node first (fresh page, token checks); its saved shell when it cannot be reached.
    event.respondWith((async () => {
      try {
        const response = await fetch(request);
        // Only the page is the shell: a file opened in a tab (the manifest, /metrics) is not.
        const page = (response.headers.get("content-type") ?? "").startsWith("text/html");
        if (response.ok && page) event.waitUntil(keepShell(response.clone()).catch(() => {}));
        return response;
      } catch {
        return (await caches.match(SHELL)) ?? Response.error();
      }
    })());
    return;
  }
  if (url.pathname.startsWith("/assets/") || STATIC.includes(url.pathname)) {
    // Versioned assets never change; icons and the manifest rarely do.
    event.respondWith((async () => {
      const cached = await caches.match(request);
      if (cached) return cached;
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
    })());
  }
});
