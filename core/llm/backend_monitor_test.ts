import assert from "node:assert/strict";
import { silentLogger } from "../log/logger.ts";
import { FakeClock } from "../time/clock.ts";
import type { BackendModel, LlmBackend } from "./backend.ts";
import { BackendMonitor, type BackendState } from "./backend_monitor.ts";

class ScriptedBackend implements LlmBackend {
  readonly description = "scripted";
  up = true;
  models: BackendModel[] = [{ name: "m:1b", size: 1 }];
  probes = 0;
  listModels(): Promise<BackendModel[]> {
    this.probes++;
    return this.up ? Promise.resolve(this.models) : Promise.reject(new Error("connection refused"));
  }
  version(): Promise<string | undefined> {
    return Promise.resolve("0.9.0");
  }
  // deno-lint-ignore require-yield
  async *chat(): AsyncIterable<never> {
    throw new Error("not used");
  }
}

function setup() {
  const clock = new FakeClock();
  const backend = new ScriptedBackend();
  const monitor = new BackendMonitor({ backend, clock, logger: silentLogger, intervalMs: 10_000 });
  const seen: BackendState[] = [];
  monitor.onChange((state) => seen.push(state));
  return { clock, backend, monitor, seen };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("BackendMonitor.start() probes once and reports models and version", async () => {
  const { monitor, seen, clock } = setup();
  await monitor.start();
  assert.equal(monitor.state.available, true);
  assert.equal(monitor.state.version, "0.9.0");
  assert.deepEqual(monitor.state.models.map((m) => m.name), ["m:1b"]);
  assert.equal(seen.length, 1);
  monitor.close();
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("BackendMonitor probes every interval and reports only changes", async () => {
  const { monitor, seen, clock, backend } = setup();
  await monitor.start();
  clock.advance(10_000);
  await flush();
  assert.equal(backend.probes, 2);
  assert.equal(seen.length, 1, "nothing changed");
  backend.up = false;
  clock.advance(10_000);
  await flush();
  assert.equal(monitor.state.available, false);
  assert.equal(monitor.state.lastError, "connection refused");
  assert.deepEqual(monitor.state.models, []);
  assert.equal(seen.length, 2);
  monitor.close();
});

Deno.test("BackendMonitor.reportFailure() probes at once instead of waiting", async () => {
  const { monitor, backend } = setup();
  await monitor.start();
  backend.models = [...backend.models, { name: "new:7b", size: 7 }];
  monitor.reportFailure();
  await flush();
  assert.equal(backend.probes, 2);
  assert.equal(monitor.state.models.length, 2);
  monitor.close();
});

Deno.test("BackendMonitor with no backend is unavailable", async () => {
  const clock = new FakeClock();
  const monitor = new BackendMonitor({ backend: null, clock, logger: silentLogger });
  await monitor.start();
  assert.equal(monitor.state.available, false);
  assert.equal(monitor.state.lastError, "no backend configured");
  monitor.close();
});

Deno.test("BackendMonitor counts a probe that hangs past the timeout as a failure", async () => {
  const clock = new FakeClock();
  const hanging: LlmBackend = {
    description: "hanging",
    listModels: (signal) =>
      new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
    version: () => Promise.resolve(undefined),
    chat: () => {
      throw new Error("not used");
    },
  };
  const monitor = new BackendMonitor({
    backend: hanging,
    clock,
    logger: silentLogger,
    probeTimeoutMs: 500,
  });
  const started = monitor.start();
  clock.advance(500);
  await started;
  assert.equal(monitor.state.available, false);
  assert.equal(monitor.state.lastError, "no answer within 500 ms");
  monitor.close();
});
