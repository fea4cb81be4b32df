import assert from "node:assert/strict";
import { formatStatus } from "./status.ts";
import { STATUS, TRUST } from "./testing/sample_views.ts";

Deno.test("formatStatus() shows the node, security, peers with links and trust, waiting nodes and alerts", () => {
  assert.deepEqual(formatStatus(STATUS, TRUST), [
    "Node      desk (AAAAAAA-AAAAAAA) · NeuroMesh 0.1.0 · protocol 3 · up 3h 20m",
    "LLM       llama3.2:3b · 1/2 busy",
    "Security  trust mode open · links encrypted · API on loopback only · 0 pending · 1 alert",
    "Peers     2 known, 1 linked",
    "",
    "NAME    ID               STATE    ADDRESS        RTT   MODELS                     LOAD                TRUST",
    "laptop  BBBBBBB-BBBBBBB  up       10.0.0.3:7878  3 ms  llama3.2:3b, qwen2.5:0.5b  2/2 busy +3 queued  trusted",
    "pi      CCCCCCC-CCCCCCC  backoff  10.0.0.4:7878                                                       trusted",
    "",
    "Waiting for your approval (approve on the page): tablet (DDDDDDD-DDDDDDD)",
    "",
    "Recent security alerts:",
    "  2025-01-01T00:00:00.000Z  EEEEEEE-EEEEEEE from 10.0.0.9: claimed an id without its key",
  ]);
});

Deno.test("formatStatus() for a node without an LLM, peers or trust answer", () => {
  const alone = {
    node: { ...STATUS.node, hasLlm: false, models: [], security: undefined },
    peers: [],
  };
  assert.deepEqual(formatStatus(alone, null), [
    "Node      desk (AAAAAAA-AAAAAAA) · NeuroMesh 0.1.0 · protocol 3 · up 3h 20m",
    "LLM       none on this node (it uses the mesh's)",
    "Peers     0 known, 0 linked",
  ]);
  const plaintext = formatStatus(alone, { ...TRUST, plaintextLinks: true, nodes: [], alerts: [] });
  assert.equal(plaintext[2], "Security  trust mode open · links NOT encrypted");
});
