/** Test fixtures shared by the link engine tests (never imported by product code). */
import { type Hello, PROTOCOL_VERSION } from "../../wire/messages/link.ts";

/** The HELO a test node sends (the link adds its nonce). */
export const hello = (nodeId: string, extra: Partial<Hello> = {}): Omit<Hello, "nonce"> => ({
  nodeId,
  name: `node ${nodeId}`,
  protocolVersion: PROTOCOL_VERSION,
  appVersion: "0.1.0",
  peerPort: 7878,
  httpPort: 8080,
  hasLlm: false,
  ...extra,
});

/** Lets queued macrotasks (timers of 0 ms, socket callbacks) run `rounds` times. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
