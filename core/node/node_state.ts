/**
 * What a node keeps in its data directory, opened before anything listens: its identity, the
 * settings the user may change, the trust store and the API tokens.
 */
import type { Config } from "../config/schema.ts";
import { loadOrCreateIdentity, type NodeIdentity } from "../identity/identity.ts";
import type { Logger } from "../log/logger.ts";
import { isLoopbackHost } from "../net/loopback.ts";
import { ApiTokens, tokenFileIo } from "../security/api_token.ts";
import { deriveMeshKey, type MeshKey } from "../security/mesh_key.ts";
import { trustFileIo, TrustStore } from "../security/trust_store.ts";
import { type Settings, SettingsStore } from "../settings/settings.ts";

export interface NodeState {
  identity: NodeIdentity;
  meshKey: MeshKey | null;
  settings: SettingsStore;
  trust: TrustStore;
  tokens: ApiTokens;
  /** A new API token made at this start (shown once), or null. */
  newApiToken: string | null;
}

/**
 * Opens the node's state. `explicit`: the settings given on this start (flags, environment),
 * which win over saved ones.
 */
export async function openNodeState(
  config: Config,
  explicit: ReadonlySet<string>,
  logger: Logger,
): Promise<NodeState> {
  const identity = await loadOrCreateIdentity(config.dataDir, config.name);
  const meshKey = config.meshKey ? await deriveMeshKey(config.meshKey) : null;
  const settings = await SettingsStore.open(
    config.dataDir,
    {
      name: identity.name,
      sharing: config.sharing,
      allowCidr: config.allowCidr,
      blockCidr: config.blockCidr,
      ollamaUrl: config.ollamaUrl,
      rateLimit: config.rateLimit,
      capacity: config.capacity,
      trustMode: config.trustMode,
      allowNodeId: config.allowNodeId,
      blockNodeId: config.blockNodeId,
    },
    new Set([...explicit].filter((k) => k !== "name" || config.name)) as Set<keyof Settings>,
    (next) =>
      next.trustMode === "mesh-key" && !meshKey
        ? "mesh-key mode needs a mesh key: start the node with --mesh-key or NEUROMESH_MESH_KEY"
        : null,
  );
  const trust = await TrustStore.open(trustFileIo(config.dataDir), {
    onSaveError: (error) => logger.warn("trust store not saved", { error }),
  });
  const tokens = await ApiTokens.open(tokenFileIo(config.dataDir), config.httpToken);
  // A token is needed as soon as the page and API are reachable beyond this machine.
  const newApiToken = isLoopbackHost(config.httpHost) ? null : await tokens.ensure();
  return { identity, meshKey, settings, trust, tokens, newApiToken };
}
