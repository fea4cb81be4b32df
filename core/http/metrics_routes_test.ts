import assert from "node:assert/strict";
import { NodeMetrics } from "../metrics/node_metrics.ts";
import { metricsRoutes } from "./metrics_routes.ts";

Deno.test("GET /metrics answers the node's metrics in the Prometheus text format", async () => {
  const metrics = new NodeMetrics();
  const h1 = { id: "H1", name: "desk", local: false };
  metrics.observer.attempt(h1, "m");
  metrics.observer.firstToken(h1, "m", 200);
  metrics.observer.tokens(h1, "m", 7);
  metrics.observer.failover(h1, "m", "stalled");
  metrics.watch({
    llmHosts: () => [{ nodeId: "H1", name: "desk", local: false, inFlight: 2, queued: 1 }],
    peers: () => [{ id: "H1", name: "desk", state: "up", rttMs: 1.5 }],
    sync: () => ({ pendingPulls: 0, lastAppliedAt: new Map([["H1", 1_000]]) }),
    now: () => 3_000,
    memory: () => ({ rss: 90e6, heapTotal: 30e6, heapUsed: 20e6, external: 4e6 }),
  });
  const res = await metricsRoutes({ render: () => metrics.render() }).request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  for (
    const line of [
      "# TYPE neuromesh_llm_requests_total counter",
      'neuromesh_llm_requests_total{host_id="H1",host="desk"} 1',
      'neuromesh_llm_tokens_total{host_id="H1",host="desk"} 7',
      'neuromesh_llm_time_to_first_token_seconds_bucket{host_id="H1",host="desk",le="0.25"} 1',
      'neuromesh_llm_time_to_first_token_seconds_count{host_id="H1",host="desk"} 1',
      'neuromesh_llm_failovers_total{host_id="H1",host="desk",reason="stalled"} 1',
      'neuromesh_llm_queue_length{host_id="H1",host="desk"} 1',
      'neuromesh_llm_in_flight{host_id="H1",host="desk"} 2',
      'neuromesh_peer_link_up{peer_id="H1",peer="desk"} 1',
      'neuromesh_peer_link_rtt_seconds{peer_id="H1",peer="desk"} 0.0015',
      "neuromesh_sync_pending_pulls 0",
      'neuromesh_sync_last_applied_age_seconds{origin="H1"} 2',
      "process_resident_memory_bytes 90000000",
      "neuromesh_js_heap_used_bytes 20000000",
      "neuromesh_js_heap_total_bytes 30000000",
      "neuromesh_external_memory_bytes 4000000",
    ]
  ) assert.ok(text.split("\n").includes(line), `missing line: ${line}\n${text}`);
});
