import type { NodeEntry } from "../discovery/registry.ts";
import type { PeerView } from "../http/node_routes.ts";
import { shortId } from "../identity/identity.ts";
import type { PeerStatus } from "../peers/manager.ts";

/** What the LLM layer knows of a peer as a host (capability, load, access counters). */
export interface PeerLlmView {
  models: string[];
  load: PeerView["load"];
  tokensPerSec: number | null;
  access: PeerView["access"];
}

/**
 * Merges the three views of the mesh into the peer table the API and page show: links (who is
 * connected), discovery (who announced itself) and LLM hosting. A node that had a link and has
 * none now is `lost` even while we keep redialing it; a node only announced is `discovered`.
 */
export function buildPeerViews(
  links: PeerStatus[],
  discovered: NodeEntry[],
  llm: (nodeId: string) => PeerLlmView | null,
): PeerView[] {
  const views = new Map<string, PeerView>();
  const announced = new Map(discovered.map((entry) => [entry.nodeId, entry]));
  for (const link of links) {
    if (link.id === null) continue;
    const entry = announced.get(link.id);
    const hadLink = link.direction !== null;
    const state = link.state === "up" ? "up" : hadLink ? "lost" : "connecting";
    const lastSeen = link.lastSeen ?? entry?.lastSeen ?? null;
    views.set(link.id, {
      id: link.id,
      shortId: shortId(link.id),
      name: link.name || entry?.name || link.address,
      address: link.address,
      state,
      legacy: false,
      lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString(),
      hasLlm: link.hasLlm || (entry?.hasLlm ?? false),
      rttMs: link.state === "up" ? link.rttMs : null,
      ...emptyLlm(),
      ...llmFields(llm(link.id)),
    });
  }
  for (const entry of discovered) {
    if (views.has(entry.nodeId)) continue;
    views.set(entry.nodeId, {
      id: entry.nodeId,
      shortId: entry.legacy ? entry.address : shortId(entry.nodeId),
      name: entry.name,
      address: entry.address,
      state: "discovered",
      legacy: entry.legacy,
      lastSeen: new Date(entry.lastSeen).toISOString(),
      hasLlm: entry.hasLlm,
      rttMs: null,
      ...emptyLlm(),
    });
  }
  return [...views.values()].sort((a, b) =>
    a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
  );
}

function emptyLlm(): PeerLlmView {
  return { models: [], load: null, tokensPerSec: null, access: null };
}

function llmFields(view: PeerLlmView | null): Partial<PeerLlmView> {
  return view ?? {};
}
