import assert from "node:assert/strict";
import { MetricsRegistry } from "./registry.ts";

Deno.test("MetricsRegistry.render() writes counters, gauges and histograms in text format 0.0.4", () => {
  const registry = new MetricsRegistry();
  const requests = registry.counter("app_requests_total", "Requests.");
  requests.inc({ host: "a" });
  requests.inc({ host: "a" }, 2);
  requests.inc({ host: 'b"\\\n' });
  registry.gauge("app_queue", "Queued\nnow.", () => [{ labels: {}, value: 4 }]);
  const ttft = registry.histogram("app_ttft_seconds", "TTFT.", [0.1, 1]);
  ttft.observe({ host: "a" }, 0.05);
  ttft.observe({ host: "a" }, 0.5);
  ttft.observe({ host: "a" }, 3);
  assert.equal(
    registry.render(),
    [
      "# HELP app_requests_total Requests.",
      "# TYPE app_requests_total counter",
      'app_requests_total{host="a"} 3',
      'app_requests_total{host="b\\"\\\\\\n"} 1',
      "# HELP app_queue Queued\\nnow.",
      "# TYPE app_queue gauge",
      "app_queue 4",
      "# HELP app_ttft_seconds TTFT.",
      "# TYPE app_ttft_seconds histogram",
      'app_ttft_seconds_bucket{host="a",le="0.1"} 1',
      'app_ttft_seconds_bucket{host="a",le="1"} 2',
      'app_ttft_seconds_bucket{host="a",le="+Inf"} 3',
      'app_ttft_seconds_sum{host="a"} 3.55',
      'app_ttft_seconds_count{host="a"} 3',
      "",
    ].join("\n"),
  );
  assert.equal(requests.value({ host: "a" }), 3);
});

Deno.test("MetricsRegistry refuses bad names, duplicates, falling buckets and negative counts", () => {
  const registry = new MetricsRegistry();
  assert.throws(() => registry.counter("bad-name", "x"), /'bad-name': bad name/);
  registry.counter("ok_total", "x");
  assert.throws(() => registry.counter("ok_total", "x"), /already registered/);
  assert.throws(() => registry.histogram("h", "x", [1, 1]), /buckets must rise/);
  assert.throws(() => registry.counter("c_total", "x").inc({}, -1), /must be ≥ 0/);
});
