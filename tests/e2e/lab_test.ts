/** The lab itself: a node that cannot start is reported at once, with its own words. */
import assert from "node:assert/strict";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { withLab } from "./lab.ts";

Deno.test({
  name: "lab: a node that exits while starting fails start() with its exit code and log",
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withLab(1, async (lab) => {
      const node = lab.hosts[0].node;
      // Not the 15 s ready timeout: the exit is seen on the next poll.
      await assert.rejects(
        () => node.start({ args: ["--peer-port", "not-a-port"], readyTimeoutMs: 60_000 }),
        (error: Error) => {
          assert.match(error.message, /exited while starting \(code 2\)/);
          assert.match(error.message, /peer-port/);
          return true;
        },
      );
    });
  },
});
