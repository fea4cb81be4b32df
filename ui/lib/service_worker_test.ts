import assert from "node:assert/strict";
import { registerServiceWorker } from "./service_worker.ts";

function fakeNavigator(result: Promise<unknown>) {
  const calls: unknown[][] = [];
  const nav = {
    serviceWorker: {
      register: (...args: unknown[]) => {
        calls.push(args);
        return result;
      },
    },
  } as unknown as Pick<Navigator, "serviceWorker">;
  return { nav, calls };
}

Deno.test("registerServiceWorker() registers /sw.js for the whole page in a secure context", async () => {
  const { nav, calls } = fakeNavigator(Promise.resolve({}));
  assert.equal(await registerServiceWorker(nav, true), true);
  assert.deepEqual(calls, [["/sw.js", { scope: "/" }]]);
});

Deno.test("registerServiceWorker() does nothing over plain http on the LAN", async () => {
  const { nav, calls } = fakeNavigator(Promise.resolve({}));
  assert.equal(await registerServiceWorker(nav, false), false);
  assert.deepEqual(calls, []);
  assert.equal(await registerServiceWorker(undefined, true), false);
});

Deno.test("registerServiceWorker() reports a refusal without throwing", async () => {
  const { nav } = fakeNavigator(Promise.reject(new Error("denied")));
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(await registerServiceWorker(nav, true), false);
  } finally {
    console.warn = warn;
  }
});
