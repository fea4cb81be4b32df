import { type NodeIdentity, nodeIdFromPublicKey } from "../identity/identity.ts";
import { type Logger, silentLogger } from "../log/logger.ts";
import type { Auth, Hello } from "../wire/messages/link.ts";
import { decodeBase64, type ProofContext, signLinkProof, verifyLinkProof } from "./link_proof.ts";
import { type MeshKey, meshKeyProof, verifyMeshKeyProof } from "./mesh_key.ts";
import { decideTrust, type TrustMode } from "./trust_policy.ts";
import type { TrustStore } from "./trust_store.ts";

/** The parts of a link the guard reads (core/peers' Link has them). */
export interface GuardedLink {
  /** Our HELO nonce on this connection. */
  readonly nonce: string;
  readonly connection: { readonly remoteAddress: string; readonly verifiedNodeId?: string };
}

/** The trust settings in force, read at every handshake so changes apply at once. */
export interface TrustSettings {
  mode: TrustMode;
  allowIds: ReadonlySet<string>;
  blockIds: ReadonlySet<string>;
}

export interface LinkGuardOptions {
  identity: NodeIdentity;
  trust: TrustStore;
  settings: () => TrustSettings;
  /** The mesh key, when one is configured (required in mesh-key mode). */
  meshKey: () => MeshKey | null;
  now?: () => number;
  logger?: Logger;
}

/** The same alert (id, reason) is recorded at most this often: a redialing peer is one event. */
const ALERT_REPEAT_MS = 60_000;
const MAX_ALERT_KEYS = 1024;

/**
 * Authenticates every peer link and applies the trust policy, through the link engine's hooks:
 * `verifyHello` checks that the HELO's node id is the hash of its public key (and, on a TLS
 * dial, the node whose certificate was pinned); `authenticator` signs our proof and checks the
 * peer's, then asks the trust policy. Only a node that passes all of it is ever linked, so the
 * PeerBus — and through it LLM sharing and conversation sync — only sees trusted nodes.
 */
export class LinkGuard {
  readonly #options: LinkGuardOptions;
  readonly #now: () => number;
  readonly #logger: Logger;
  /** Ids let in by a valid mesh-key proof (kept for re-checks after a settings change). */
  #meshKeyProven = new Set<string>();
  #alertedAt = new Map<string, number>();

  constructor(options: LinkGuardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Link hook: the HELO must carry a key whose hash is its node id. */
  readonly verifyHello = async (remote: Hello, link: GuardedLink): Promise<string | null> => {
    const address = link.connection.remoteAddress;
    const key = remote.publicKey === undefined ? null : decodeBase64(remote.publicKey);
    if (key === null || key.length !== 32) {
      return "peer sent no valid public key (a NeuroMesh too old to authenticate?)";
    }
    if (await nodeIdFromPublicKey(key) !== remote.nodeId) {
      this.#alert(remote.nodeId, address, "claimed a node id that is not its key's");
      return "node id does not match its public key";
    }
    const pinned = link.connection.verifiedNodeId;
    if (pinned !== undefined && pinned !== remote.nodeId) {
      this.#alert(remote.nodeId, address, `claimed this id over a TLS link of node ${pinned}`);
      return "node id does not match the TLS certificate";
    }
    if (!remote.nonce) return "peer sent no nonce";
    // Refused before we prove anything to it.
    const settings = this.#options.settings();
    if (
      settings.blockIds.has(remote.nodeId) ||
      this.#options.trust.status(remote.nodeId) === "blocked"
    ) {
      return "node id is blocked";
    }
    return null;
  };

  /** Link hook: our AUTH: proof, and the check of the peer's. */
  readonly authenticator = {
    prove: async (remote: Hello, link: GuardedLink): Promise<Auth> => {
      const context: ProofContext = {
        signerId: this.#options.identity.nodeId,
        verifierId: remote.nodeId,
        signerNonce: link.nonce,
        verifierNonce: remote.nonce!,
      };
      const meshKey = this.#options.meshKey();
      return {
        signature: await signLinkProof(this.#options.identity, context),
        ...(meshKey ? { meshProof: await meshKeyProof(meshKey, context) } : {}),
      };
    },
    verify: async (remote: Hello, auth: Auth, link: GuardedLink): Promise<string | null> => {
      const address = link.connection.remoteAddress;
      const context: ProofContext = {
        signerId: remote.nodeId,
        verifierId: this.#options.identity.nodeId,
        signerNonce: remote.nonce!,
        verifierNonce: link.nonce,
      };
      const publicKey = decodeBase64(remote.publicKey!)!;
      if (!await verifyLinkProof(publicKey, auth.signature, context)) {
        this.#alert(remote.nodeId, address, "could not prove it holds its node id's key");
        return "identity proof failed";
      }
      const meshKey = this.#options.meshKey();
      const meshKeyValid = meshKey === null || auth.meshProof === undefined
        ? null
        : await verifyMeshKeyProof(meshKey, auth.meshProof, context);
      const settings = this.#options.settings();
      const nodeId = remote.nodeId;
      const decision = decideTrust({
        ...settings,
        nodeId,
        status: this.#options.trust.status(nodeId),
        meshKeyValid,
      });
      const seen = { name: remote.name, address, at: this.#now() };
      if (meshKeyValid) this.#meshKeyProven.add(nodeId);
      else this.#meshKeyProven.delete(nodeId);
      if (decision.accept) {
        this.#options.trust.recordTrusted(nodeId, seen);
        return null;
      }
      if (decision.pending) this.#options.trust.recordPending(nodeId, seen);
      if (meshKeyValid === false) this.#alert(nodeId, address, "wrong mesh key");
      this.#logger.info("peer refused by trust policy", {
        peer: nodeId,
        name: remote.name,
        addr: address,
        mode: settings.mode,
        reason: decision.reason,
      });
      return decision.reason;
    },
  };

  /**
   * Whether a node linked earlier is still let in under the current settings and trust store
   * (after the user blocked it or changed the mode). A mesh-key proof counts as given at its
   * handshake; `forgetMeshKeyProofs()` drops them when the key changes.
   */
  stillTrusted(nodeId: string): boolean {
    return decideTrust({
      ...this.#options.settings(),
      nodeId,
      status: this.#options.trust.status(nodeId),
      meshKeyValid: this.#meshKeyProven.has(nodeId) ? true : null,
    }).accept;
  }

  forgetMeshKeyProofs(): void {
    this.#meshKeyProven.clear();
  }

  /** A dialed address presented another node's certificate than discovery announced. */
  reportIdentityMismatch(event: { expected: string; actual: string; address: string }): void {
    this.#alert(
      event.expected,
      event.address,
      `another node (${event.actual}) answered at its announced address`,
    );
  }

  #alert(nodeId: string, address: string, reason: string): void {
    const now = this.#now();
    const key = `${nodeId} ${address} ${reason}`;
    const last = this.#alertedAt.get(key);
    if (last !== undefined && now - last < ALERT_REPEAT_MS) return;
    this.#logger.warn("security alert", { peer: nodeId, addr: address, reason });
    if (this.#alertedAt.size >= MAX_ALERT_KEYS) this.#alertedAt.clear();
    this.#alertedAt.set(key, now);
    this.#options.trust.alert({ at: now, nodeId, address, reason });
  }
}
