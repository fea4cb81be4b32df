import assert from "node:assert/strict";
import { OriginAllowList } from "../net/origin.ts";
import {
  hasBrowserProvenance,
  isGuarded,
  judgeOrigin,
  type RequestFacts,
} from "./origin_policy.ts";

const allowed = new OriginAllowList(["http://10.0.0.5:3000", "http://localhost:*"]);
const HOST = "127.0.0.1:8080";

type Row = [label: string, facts: Partial<RequestFacts>, expected: string];

// expected: the `because` of an allowed request, or "refused".
const TABLE: Row[] = [
  ["curl POST (no browser headers)", {}, "not a browser"],
  [
    "GET of a page from anywhere",
    { method: "GET", path: "/", origin: "http://evil.test" },
    "not guarded",
  ],
  ["GET /api/conversations from another site", {
    method: "GET",
    path: "/api/conversations",
    secFetchSite: "cross-site",
  }, "not guarded"],
  ["own page, Origin + same-origin", {
    origin: "http://127.0.0.1:8080",
    secFetchSite: "same-origin",
  }, "own page"],
  ["own page on a LAN address (no Sec-Fetch-*)", {
    host: "192.168.1.10:8080",
    origin: "http://192.168.1.10:8080",
  }, "own page"],
  [
    "own page behind a TLS proxy",
    { host: "mesh.example", origin: "https://mesh.example" },
    "own page",
  ],
  [
    "own page, default port spelled out",
    { host: "mesh.example", origin: "http://mesh.example:80" },
    "own page",
  ],
  ["same-origin without Origin", { secFetchSite: "same-origin", secFetchMode: "cors" }, "own page"],
  [
    "typed address (Sec-Fetch-Site none)",
    { secFetchSite: "none", secFetchMode: "navigate" },
    "own page",
  ],
  ["[::1] page calling 127.0.0.1 (another origin)", {
    origin: "http://[::1]:8080",
    secFetchSite: "cross-site",
  }, "refused"],
  ["another loopback origin, no-cors", {
    origin: "http://127.0.0.2:8000",
    secFetchSite: "same-site",
    secFetchMode: "no-cors",
  }, "refused"],
  [
    "another port on the same host",
    { origin: "http://127.0.0.1:3000", secFetchSite: "same-site" },
    "refused",
  ],
  ["LAN page (no Sec-Fetch-* over plain http)", { origin: "http://192.168.1.66" }, "refused"],
  ["form post navigation from another site", {
    origin: "http://evil.test",
    secFetchSite: "cross-site",
    secFetchMode: "navigate",
  }, "refused"],
  [
    "Origin null (sandboxed frame, file://)",
    { origin: "null", secFetchSite: "cross-site" },
    "refused",
  ],
  ["Origin null even without Sec-Fetch-*", { origin: "null" }, "refused"],
  ["garbage Origin", { origin: "not an origin" }, "refused"],
  ["cross-site without Origin", { secFetchSite: "cross-site", secFetchMode: "no-cors" }, "refused"],
  ["Sec-Fetch-Mode alone", { secFetchMode: "navigate" }, "refused"],
  ["Origin equal to Host but the browser says cross-site", {
    origin: "http://127.0.0.1:8080",
    secFetchSite: "cross-site",
  }, "refused"],
  ["allowed origin", {
    origin: "http://10.0.0.5:3000",
    secFetchSite: "cross-site",
    secFetchMode: "cors",
  }, "allowed origin"],
  [
    "allowed origin with any port",
    { origin: "http://localhost:5173", secFetchSite: "same-site" },
    "allowed origin",
  ],
  [
    "allowed host, other port",
    { origin: "http://10.0.0.5:3001", secFetchSite: "cross-site" },
    "refused",
  ],
  ["GET /api/tags from another site (LLM API)", {
    method: "GET",
    path: "/api/tags",
    origin: "http://evil.test",
  }, "refused"],
  ["GET /v1/models from another site (LLM API)", {
    method: "GET",
    path: "/v1/models",
    secFetchSite: "cross-site",
  }, "refused"],
  ["DELETE from another site", {
    method: "DELETE",
    path: "/api/conversations/x",
    origin: "http://evil.test",
  }, "refused"],
  ["PATCH from another site", {
    method: "patch",
    path: "/api/settings",
    origin: "http://evil.test",
  }, "refused"],
];

for (const [label, partial, expected] of TABLE) {
  Deno.test(`judgeOrigin(): ${label} → ${expected}`, () => {
    const facts: RequestFacts = { method: "POST", path: "/api/chat", host: HOST, ...partial };
    const verdict = judgeOrigin(facts, allowed);
    assert.equal(verdict.allow ? verdict.because : "refused", expected);
  });
}

Deno.test("judgeOrigin() refusals are one line naming the request and the origin", () => {
  const verdict = judgeOrigin(
    { method: "POST", path: "/api/token/rotate", host: HOST, origin: "http://127.0.0.2:8000" },
    allowed,
  );
  assert.equal(verdict.allow, false);
  if (verdict.allow) return;
  assert.equal(verdict.reason.includes("\n"), false);
  assert.match(verdict.reason, /POST \/api\/token\/rotate/);
  assert.match(verdict.reason, /--allow-origin http:\/\/127\.0\.0\.2:8000/);
});

Deno.test("isGuarded() covers state changes and the LLM APIs, not page or status reads", () => {
  assert.equal(isGuarded("POST", "/api/conversations"), true);
  assert.equal(isGuarded("PUT", "/anything"), true);
  assert.equal(isGuarded("GET", "/v1/models"), true);
  assert.equal(isGuarded("GET", "/v1"), true);
  assert.equal(isGuarded("GET", "/api/generate"), true);
  assert.equal(isGuarded("GET", "/api/status"), false);
  assert.equal(isGuarded("GET", "/api/chats"), false);
  assert.equal(isGuarded("OPTIONS", "/api/conversations"), false);
});

Deno.test("hasBrowserProvenance() is any of Origin, Sec-Fetch-Site, Sec-Fetch-Mode", () => {
  assert.equal(hasBrowserProvenance({}), false);
  assert.equal(hasBrowserProvenance({ origin: "null" }), true);
  assert.equal(hasBrowserProvenance({ secFetchSite: "none" }), true);
  assert.equal(hasBrowserProvenance({ secFetchMode: "cors" }), true);
});
