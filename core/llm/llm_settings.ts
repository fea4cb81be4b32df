import type { AccessPolicy } from "./access_control.ts";

/**
 * The settings LLM sharing reads while the node runs, through one accessor (`() =>
 * LlmSettings`): the user may change them at any time (see MeshLlm.applySettings).
 */
export interface LlmSettings {
  /** Address ranges allowed to use this node's LLM beyond the private ones (CIDR text). */
  allowCidr: string[];
  /** Address ranges refused (CIDR text). */
  blockCidr: string[];
  /** LLM requests a minute accepted from one peer. */
  rateLimit: number;
  /** Requests the local LLM runs at once. */
  capacity: number;
  /** Requests that may wait when every slot is taken. */
  queueSize: number;
  /** This node's display name, as hosts and models lists show it. */
  name: string;
  /** Serve this node's backend to peers. @default true */
  serveLlm?: boolean;
}

/** Who may use this node's LLM, from the settings. */
export function accessPolicyOf(settings: LlmSettings): AccessPolicy {
  const { allowCidr, blockCidr, rateLimit, serveLlm } = settings;
  return { allowCidr, blockCidr, rateLimit, serveLlm: serveLlm ?? true };
}
