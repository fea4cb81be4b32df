import assert from "node:assert/strict";
import { formatRunning, NOTHING_RUNNING } from "./ps.ts";
import { DESK_ID, PS, STATUS } from "./testing/sample_views.ts";

const NOW = new Date("2025-01-01T00:00:00Z");

Deno.test("formatRunning() shows each loaded model on each host with its load and unload time", () => {
  assert.deepEqual(formatRunning(PS, STATUS, NOW), [
    "NAME         HOST              LOAD                SIZE    UNTIL",
    "llama3.2:3b  desk (this node)  1/2 busy            2.0 GB  4 minutes from now",
    "llama3.2:3b  laptop            2/2 busy +3 queued  2.0 GB  4 minutes from now",
  ]);
});

Deno.test("formatRunning() reads per-host entries, one `host`, and busy nodes /api/ps omits", () => {
  const perHost = {
    models: [
      {
        name: "a:1b",
        host: { nodeId: DESK_ID, name: "desk", expires_at: "2025-01-01T01:30:00Z" },
      },
      { name: "b:1b", host: "laptop" },
    ],
  };
  assert.deepEqual(formatRunning(perHost, STATUS, NOW), [
    "NAME  HOST              LOAD      SIZE  UNTIL",
    "a:1b  desk (this node)  1/2 busy        About an hour from now",
    "b:1b  laptop",
  ]);
  const busyElsewhere = formatRunning({ models: [] }, STATUS, NOW);
  assert.deepEqual(busyElsewhere, [
    "NAME                       HOST              LOAD                SIZE  UNTIL",
    "llama3.2:3b                desk (this node)  1/2 busy",
    "llama3.2:3b, qwen2.5:0.5b  laptop            2/2 busy +3 queued",
  ]);
});

Deno.test("formatRunning() says when nothing runs", () => {
  const idle = {
    ...STATUS,
    node: { ...STATUS.node, load: { inFlight: 0, capacity: 2, queued: 0 } },
    peers: [],
  };
  assert.deepEqual(formatRunning({ models: [] }, idle, NOW), [NOTHING_RUNNING]);
  assert.deepEqual(formatRunning({ models: [] }, null, NOW), [NOTHING_RUNNING]);
});
