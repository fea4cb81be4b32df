import assert from "node:assert/strict";
import {
  normalizeOrigin,
  OriginAllowList,
  OriginPatternText,
  parseOriginPattern,
} from "./origin.ts";

Deno.test("normalizeOrigin() lower-cases, drops default ports and a trailing slash", () => {
  assert.equal(normalizeOrigin("HTTP://LocalHost:80/"), "http://localhost");
  assert.equal(normalizeOrigin("https://Example.com:443"), "https://example.com");
  assert.equal(normalizeOrigin("http://192.168.1.20:3000"), "http://192.168.1.20:3000");
  assert.equal(normalizeOrigin("http://[::1]:8080"), "http://[::1]:8080");
  assert.equal(normalizeOrigin("chrome-extension://ABCDEF"), "chrome-extension://abcdef");
});

Deno.test("normalizeOrigin() refuses null, paths, credentials and bare hosts", () => {
  for (
    const text of [
      "null",
      "",
      "localhost:8080",
      "http://a/b",
      "http://u@a",
      "http://a?x",
      "http://",
    ]
  ) {
    assert.equal(normalizeOrigin(text), null, text);
  }
});

Deno.test("parseOriginPattern() accepts origins, port wildcards and *, and quotes a bad value", () => {
  assert.equal(parseOriginPattern(" http://LOCALHOST:* "), "http://localhost:*");
  assert.equal(parseOriginPattern("*"), "*");
  assert.equal(parseOriginPattern("https://app.example:443/"), "https://app.example");
  assert.throws(() => parseOriginPattern("http://a:81:*"), /not an origin: "http:\/\/a:81:\*"/);
  assert.throws(() => parseOriginPattern("null"), RangeError);
  assert.equal(OriginPatternText.safeParse("http://x/y").success, false);
});

Deno.test("OriginAllowList allows exactly what it lists, and never null", () => {
  const list = new OriginAllowList(["http://10.0.0.5:3000", "http://localhost:*"]);
  assert.equal(list.allows("http://10.0.0.5:3000"), true);
  assert.equal(list.allows("HTTP://10.0.0.5:3000/"), true);
  assert.equal(list.allows("http://10.0.0.5:3001"), false);
  assert.equal(list.allows("https://10.0.0.5:3000"), false);
  assert.equal(list.allows("http://localhost:5173"), true);
  assert.equal(list.allows("http://localhost"), true);
  assert.equal(list.allows("http://127.0.0.1:5173"), false);
  assert.equal(list.allows("null"), false);
  assert.equal(new OriginAllowList([]).empty, true);
  const all = new OriginAllowList(["*"]);
  assert.equal(all.allows("https://anything.example"), true);
  assert.equal(all.allows("null"), false);
});
