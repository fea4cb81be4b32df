import assert from "node:assert/strict";
import { pageUrl, startBanner } from "./banner.ts";

const info = {
  version: "0.1.0",
  nodeName: "lab box",
  nodeId: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
  httpHost: "127.0.0.1",
  httpPort: 8080,
  dataDir: "/home/ann/.local/share/neuromesh",
  peerPort: 7878,
  discoveryPort: 5000,
  discovery: true,
  ollamaUrl: "http://127.0.0.1:11434",
  ollamaModels: ["llama3.2:latest", "qwen2.5:7b"],
};

Deno.test("pageUrl() shows localhost for loopback and all-interfaces binds, the host otherwise", () => {
  assert.equal(pageUrl("127.0.0.1", 8080), "http://localhost:8080");
  assert.equal(pageUrl("::1", 8080), "http://localhost:8080");
  assert.equal(pageUrl("0.0.0.0", 9000), "http://localhost:9000");
  assert.equal(pageUrl("192.168.1.20", 8080), "http://192.168.1.20:8080");
  assert.equal(pageUrl("fd00::5", 8080), "http://[fd00::5]:8080");
  assert.equal(pageUrl("box.lan", 8080), "http://box.lan:8080");
});

Deno.test("startBanner() gives the page, node, data dir, ports and local models", () => {
  assert.deepEqual(startBanner(info), [
    "NeuroMesh 0.1.0 is running.",
    "  Open     http://localhost:8080",
    "  Node     lab box (ABCDEFG-HIJKLMN)",
    "  Data     /home/ann/.local/share/neuromesh",
    "  Peers    7878/tcp, discovery 5000/udp",
    "  Ollama   found at http://127.0.0.1:11434: 2 models (llama3.2:latest, qwen2.5:7b)",
  ]);
});

Deno.test("startBanner() says how to install Ollama when none answered", () => {
  const lines = startBanner({ ...info, ollamaModels: null, discovery: false, httpHost: "0.0.0.0" });
  assert.equal(lines[1], "  Open     http://localhost:8080  (also reachable from your network)");
  assert.equal(lines[4], "  Peers    7878/tcp, discovery off");
  assert.match(lines[5], /not found at http:\/\/127\.0\.0\.1:11434/);
  assert.match(lines[6], /https:\/\/ollama\.com\/download, then: ollama pull llama3\.2$/);
});

Deno.test("startBanner() suggests a model when Ollama has none", () => {
  assert.equal(
    startBanner({ ...info, ollamaModels: [] }).at(-1),
    "  Ollama   found at http://127.0.0.1:11434, no models yet: ollama pull llama3.2",
  );
});
