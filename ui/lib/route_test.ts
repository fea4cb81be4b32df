import assert from "node:assert/strict";
import { parseRoute, routePath } from "./route.ts";

Deno.test("parseRoute() reads the view and conversation id from a path", () => {
  assert.deepEqual(parseRoute("/"), { view: "chat", conversationId: null });
  assert.deepEqual(parseRoute("/c/abc%2F1"), { view: "chat", conversationId: "abc/1" });
  assert.deepEqual(parseRoute("/peers"), { view: "peers" });
  assert.deepEqual(parseRoute("/settings"), { view: "settings" });
  assert.deepEqual(parseRoute("/unknown"), { view: "chat", conversationId: null });
});

Deno.test("routePath() is the inverse of parseRoute()", () => {
  for (const path of ["/", "/c/abc%2F1", "/peers", "/settings"]) {
    assert.equal(routePath(parseRoute(path)), path);
  }
});
