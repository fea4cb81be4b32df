import { signal } from "@preact/signals";
import { api } from "../api/client.ts";
import type { NodeStatus, PeerAction, TrustView } from "../api/types.ts";
import { securityKey } from "../lib/trust.ts";

/** GET /api/trust: the trust mode, known nodes (pending, trusted, blocked) and recent alerts. */
export const trust = signal<TrustView | null>(null);
export const trustLoadError = signal<string | null>(null);
/** The action running per node id (its buttons are disabled meanwhile). */
export const peerActionBusy = signal<Record<string, PeerAction>>({});
/** The node's refusal of the last action per node id, shown on that node's card. */
export const peerActionError = signal<Record<string, string>>({});

const message = (error: unknown) => error instanceof Error ? error.message : String(error);

export async function loadTrust(): Promise<void> {
  try {
    trust.value = await api.trust();
    trustLoadError.value = null;
  } catch (error) {
    trustLoadError.value = message(error);
  }
}

let seenSecurityKey: string | null = null;

/**
 * Called with each status of this node (live `node` event): reads the trust list again only
 * when its security figures changed, so no polling is needed.
 */
export function followSecurity(node: NodeStatus): void {
  const key = securityKey(node);
  if (key === seenSecurityKey) return;
  seenSecurityKey = key;
  void loadTrust();
}

function without<T>(record: Record<string, T>, id: string): Record<string, T> {
  const { [id]: _, ...rest } = record;
  return rest;
}

/** Approve, reject, block or unblock a node; then the trust list is read again. */
export async function runPeerAction(id: string, action: PeerAction): Promise<boolean> {
  peerActionBusy.value = { ...peerActionBusy.value, [id]: action };
  peerActionError.value = without(peerActionError.value, id);
  try {
    await api.peerAction(id, action);
    return true;
  } catch (error) {
    peerActionError.value = { ...peerActionError.value, [id]: message(error) };
    return false;
  } finally {
    await loadTrust();
    peerActionBusy.value = without(peerActionBusy.value, id);
  }
}

export type TokenState =
  | { kind: "idle" }
  | { kind: "rotating" }
  | { kind: "shown"; token: string }
  | { kind: "error"; message: string };

/** The API token rotation; a new token is held only while shown, never stored. */
export const tokenState = signal<TokenState>({ kind: "idle" });

export async function rotateToken(): Promise<void> {
  tokenState.value = { kind: "rotating" };
  try {
    tokenState.value = { kind: "shown", token: (await api.rotateToken()).token };
  } catch (error) {
    tokenState.value = { kind: "error", message: message(error) };
  }
}

export function forgetShownToken(): void {
  tokenState.value = { kind: "idle" };
}
