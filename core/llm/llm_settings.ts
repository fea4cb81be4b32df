import type { Config } from "../config/schema.ts";
import type { AccessPolicy } from "./access_control.ts";

/**
 * The settings LLM sharing reads while the node runs, through one accessor (`() =>
 * LlmSettings`): the user may change them at any time (see MeshLlm.applySettings).
 */
export type LlmSettings =
  & Pick<Config, "allowCidr" | "blockCidr" | "rateLimit" | "capacity" | "queueSize">
  & {
    /** This node's display name, as hosts and models lists show it. */
    name: string;
    /** Serve this node's backend to peers. @default true */
    serveLlm?: boolean;
  };

/** Who may use this node's LLM, from the settings. */
export function accessPolicyOf(settings: LlmSettings): AccessPolicy {
  const { allowCidr, blockCidr, rateLimit, serveLlm } = settings;
  return { allowCidr, blockCidr, rateLimit, serveLlm: serveLlm ?? true };
}
