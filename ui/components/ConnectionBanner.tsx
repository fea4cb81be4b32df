import { live } from "../models/app.ts";

/** A small line at the top while the live link to the node is down. */
export function ConnectionBanner() {
  const state = live.connection.value;
  if (state === "online") return null;
  return (
    <div class={`connection-banner ${state}`} role="status" data-testid="connection-banner">
      <span class="spinner" aria-hidden="true" />
      {state === "connecting"
        ? "Connecting to this node…"
        : globalThis.navigator?.onLine === false
        ? "You are offline — NeuroMesh reconnects when the network is back"
        : "Node unreachable — reconnecting…"}
    </div>
  );
}
