import assert from "node:assert/strict";
import { nodeTarget, urlFromHostFlag } from "./target.ts";

const config = { httpHost: "127.0.0.1", httpPort: 8080, httpToken: undefined };

Deno.test("nodeTarget() defaults to this machine's node from --http-host and --http-port", () => {
  assert.deepEqual(nodeTarget(config), { url: "http://127.0.0.1:8080" });
  assert.deepEqual(nodeTarget({ ...config, httpPort: 9000 }), { url: "http://127.0.0.1:9000" });
  assert.equal(nodeTarget({ ...config, httpHost: "0.0.0.0" }).url, "http://127.0.0.1:8080");
  assert.equal(nodeTarget({ ...config, httpHost: "::" }).url, "http://[::1]:8080");
  assert.equal(nodeTarget({ ...config, httpHost: "fd00::5" }).url, "http://[fd00::5]:8080");
  assert.equal(nodeTarget({ ...config, httpHost: "10.0.0.5" }).url, "http://10.0.0.5:8080");
  assert.equal(
    nodeTarget({ ...config, httpPort: 0 }).url,
    "http://127.0.0.1:8080",
    "port 0: default",
  );
});

Deno.test("nodeTarget() carries the API token when one is set", () => {
  const token = "0123456789abcdef0123";
  assert.deepEqual(nodeTarget({ ...config, httpToken: token }), {
    url: "http://127.0.0.1:8080",
    token,
  });
});

Deno.test("--host takes a URL or HOST[:PORT], like OLLAMA_HOST", () => {
  const cases: [string, string][] = [
    ["http://10.0.0.5:9000", "http://10.0.0.5:9000"],
    ["http://10.0.0.5:9000/", "http://10.0.0.5:9000"],
    ["https://mesh.lan", "https://mesh.lan"],
    ["10.0.0.5", "http://10.0.0.5:8080"],
    ["10.0.0.5:7000", "http://10.0.0.5:7000"],
    ["desk.local", "http://desk.local:8080"],
    ["[::1]:9000", "http://[::1]:9000"],
    ["http://127.0.0.1:8080/prefix/", "http://127.0.0.1:8080/prefix"],
  ];
  for (const [flag, url] of cases) assert.equal(urlFromHostFlag(flag, 8080), url, flag);
  assert.equal(nodeTarget(config, "desk:1234").url, "http://desk:1234");
  assert.throws(
    () => urlFromHostFlag("ftp://x", 8080),
    /--host needs an http\(s\) URL, got "ftp:\/\/x"/,
  );
  assert.throws(
    () => urlFromHostFlag("http://", 8080),
    /--host needs a URL or HOST\[:PORT\], got "http:\/\/"/,
  );
});
