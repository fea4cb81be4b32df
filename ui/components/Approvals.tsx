import { trust, view } from "../models/app.ts";

/** "1 device wants to join", for the badges outside the Mesh view. */
export function waitingText(count: number): string {
  return count === 1 ? "1 device wants to join" : `${count} devices want to join`;
}

/** A count on the sidebar's Mesh button while devices wait for approval. */
export function ApprovalCount() {
  const count = trust.pending.value.length;
  if (count === 0) return null;
  return (
    <span class="approval-count" title={waitingText(count)} data-testid="approval-count">
      {count}
      <span class="visually-hidden">{` ${count === 1 ? "device" : "devices"} waiting`}</span>
    </span>
  );
}

/**
 * In the top bar of every other view (the sidebar is a closed drawer on a phone): who waits,
 * one tap from the "Add device?" cards.
 */
export function ApprovalBanner() {
  const pending = trust.pending.value;
  if (pending.length === 0 || view.route.value.view === "peers") return null;
  const first = pending[0].name || "A device";
  return (
    <button
      type="button"
      class="approval-banner"
      data-testid="approval-banner"
      onClick={() => view.navigate({ view: "peers" })}
    >
      {pending.length === 1 ? `${first} wants to join` : waitingText(pending.length)} · Review
    </button>
  );
}
