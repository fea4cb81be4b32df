/**
 * How the running node reacts to change: a settings change becomes the effects of
 * settingsEffects() applied to the modules; a trust change drops links no longer trusted; the
 * LLM appearing or going tells links and discovery; every change is shown on the page.
 */
import type { ConversationService } from "../conversations/service.ts";
import type { Discovery } from "../discovery/discovery.ts";
import { CoalescedPublisher } from "../events/coalesced_publisher.ts";
import type { EventHub } from "../events/hub.ts";
import type { LlmBackend } from "../llm/backend.ts";
import type { MeshLlm } from "../llm/mesh_llm.ts";
import type { LinkManager } from "../peers/manager.ts";
import type { TrustStore } from "../security/trust_store.ts";
import type { SettingsStore } from "../settings/settings.ts";
import type { LiveSettings } from "./live_settings.ts";
import { type SettingsEffect, settingsEffects } from "./settings_effects.ts";
import type { NodeStatusView } from "./status_view.ts";

export interface ReactionDeps {
  settings: SettingsStore;
  live: LiveSettings;
  trust: TrustStore;
  /** Whether a linked node is still trusted under the current trust settings. */
  stillTrusted: (nodeId: string) => boolean;
  links: LinkManager;
  discovery: Discovery | null;
  llm: MeshLlm;
  conversations: ConversationService;
  view: NodeStatusView;
  events: EventHub;
  /** The local backend at an Ollama URL (the user changed it). */
  backendFor: (ollamaUrl: string) => LlmBackend;
}

/** Subscribes every reaction; returns the function that unsubscribes them all. */
export function wireReactions(deps: ReactionDeps): () => void {
  const { links, discovery, llm, events, view } = deps;
  const peers = new CoalescedPublisher(events, "peers", () => view.peers());
  const node = new CoalescedPublisher(events, "node", () => view.node());
  const publishPeers = () => peers.changed();
  const publishNode = () => node.changed();
  let hadLlm = llm.hasLlm;
  const unsubscribe = [
    links.onPeersChanged(publishPeers),
    discovery?.onNodeSeen(publishPeers),
    discovery?.onNodeLost(publishPeers),
    llm.onChange(() => {
      publishPeers();
      if (llm.hasLlm === hadLlm) return;
      hadLlm = llm.hasLlm;
      links.setHasLlm(hadLlm);
      void discovery?.announce();
      publishNode();
    }),
    deps.trust.onChange(() => {
      dropUntrusted(deps);
      publishNode();
    }),
    deps.settings.onChange((next, previous) => {
      applySettingsEffects(settingsEffects(previous, next), deps);
    }),
  ];
  return () => {
    peers.close();
    node.close();
    for (const off of unsubscribe) off?.();
  };
}

/** Applies the effects of a settings change, in order. */
export function applySettingsEffects(effects: readonly SettingsEffect[], deps: ReactionDeps): void {
  const { links, discovery, llm } = deps;
  for (const effect of effects) {
    switch (effect.kind) {
      case "drop_untrusted":
        dropUntrusted(deps);
        break;
      case "rename":
        links.setName(effect.name);
        void discovery?.announce();
        break;
      case "access_lists": {
        const { allowed, blocked } = deps.live.accessLists();
        links.setAccessLists(allowed, blocked);
        break;
      }
      case "llm_settings":
        llm.applySettings();
        break;
      case "switch_backend":
        void llm.setBackend(deps.backendFor(effect.ollamaUrl));
        break;
      case "sync_now":
        deps.conversations.syncNow();
        break;
      case "publish_node":
        deps.events.publish("node", deps.view.node());
        break;
    }
  }
}

/** Links only ever come up for trusted nodes; when trust changes, drop the ones no longer so. */
function dropUntrusted(deps: ReactionDeps): void {
  for (const peer of deps.links.linkedPeers()) {
    if (!deps.stillTrusted(peer.id)) deps.links.disconnect(peer.id, "no longer trusted");
  }
}
