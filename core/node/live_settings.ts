/**
 * The one way modules read the settings the user may change while the node runs: each gets an
 * accessor for its own view (`() => LlmSettings`, `() => DiscoverySettings`, …), derived from
 * the current settings and the start's config, and rebuilt only when the settings changed.
 */
import { allowedCidrs, type Config } from "../config/schema.ts";
import type { ConversationSettings } from "../conversations/service.ts";
import type { DiscoverySettings } from "../discovery/discovery.ts";
import type { LlmSettings } from "../llm/llm_settings.ts";
import { CidrSet } from "../net/cidr.ts";
import type { TrustSettings } from "../security/link_guard.ts";
import type { Settings } from "../settings/settings.ts";

/** The address ranges peers and announcements may come from. */
export interface AccessLists {
  allowed: CidrSet;
  blocked: CidrSet;
}

export interface LiveSettings {
  current: () => Settings;
  accessLists: () => AccessLists;
  trust: () => TrustSettings;
  llm: () => LlmSettings;
  conversations: () => ConversationSettings;
  discovery: () => DiscoverySettings;
}

type LiveConfig = Pick<Config, "allowCidr" | "queueSize" | "serveLlm">;

/** Accessors of every module's view of `current()` (the settings store's current value). */
export function liveSettings(config: LiveConfig, current: () => Settings): LiveSettings {
  const derive = <T>(build: (settings: Settings) => T) => derived(current, build);
  const accessLists = derive((s) => ({
    allowed: new CidrSet([...allowedCidrs(config), ...s.allowCidr]),
    blocked: new CidrSet(s.blockCidr),
  }));
  return {
    current,
    accessLists,
    trust: derive((s) => ({
      mode: s.trustMode,
      allowIds: new Set(s.allowNodeId),
      blockIds: new Set(s.blockNodeId),
    })),
    llm: derive((s) => ({
      name: s.name,
      allowCidr: s.allowCidr,
      blockCidr: s.blockCidr,
      rateLimit: s.rateLimit,
      capacity: s.capacity,
      queueSize: config.queueSize,
      serveLlm: config.serveLlm,
    })),
    conversations: derive((s) => ({ name: s.name, sharing: s.sharing })),
    discovery: derive((s) => ({ name: s.name, ...accessLists() })),
  };
}

/** `build(current())`, built again only when `current()` returns another object. */
function derived<S, T>(current: () => S, build: (source: S) => T): () => T {
  let cache: { source: S; value: T } | undefined;
  return () => {
    const source = current();
    if (cache?.source !== source) cache = { source, value: build(source) };
    return cache.value;
  };
}
