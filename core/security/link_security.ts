import type { NodeIdentity } from "../identity/identity.ts";
import type { Logger } from "../log/logger.ts";
import { TcpTransport } from "../peers/tcp_transport.ts";
import { TlsTransport } from "./tls_transport.ts";
import type { LinkManagerOptions } from "../peers/manager.ts";
import type { Transport } from "../peers/transport.ts";
import { createNodeCertificate } from "./certificate.ts";
import { LinkGuard, type TrustSettings } from "./link_guard.ts";
import type { MeshKey } from "./mesh_key.ts";
import type { TrustStore } from "./trust_store.ts";

export interface LinkSecurityOptions {
  identity: NodeIdentity;
  trust: TrustStore;
  settings: () => TrustSettings;
  meshKey: () => MeshKey | null;
  /** Plain TCP instead of TLS (`--insecure-plaintext-links`: tests and benchmarks only). */
  plaintext?: boolean;
  logger?: Logger;
}

/** What a LinkManager needs to run authenticated (and, unless plaintext, encrypted) links. */
export interface LinkSecurity {
  guard: LinkGuard;
  transport: Transport;
  /** Spread into LinkManagerOptions. */
  linkOptions: Pick<LinkManagerOptions, "verifyHello" | "authenticator" | "transport">;
  /** Our public key for the HELO (LinkManagerOptions.identity.publicKey). */
  publicKey: string;
}

/**
 * Builds the link security of a node: its certificate, the TLS transport (or plain TCP when
 * explicitly asked) and the guard that authenticates peers and applies the trust policy.
 * Identity proofs run on both transports; only TLS also encrypts and pins certificates.
 */
export async function createLinkSecurity(options: LinkSecurityOptions): Promise<LinkSecurity> {
  const guard = new LinkGuard({
    identity: options.identity,
    trust: options.trust,
    settings: options.settings,
    meshKey: options.meshKey,
    logger: options.logger,
  });
  const transport = options.plaintext ? new TcpTransport() : new TlsTransport({
    certificate: await createNodeCertificate(options.identity),
    onIdentityMismatch: (event) => guard.reportIdentityMismatch(event),
  });
  return {
    guard,
    transport,
    linkOptions: { verifyHello: guard.verifyHello, authenticator: guard.authenticator, transport },
    publicKey: options.identity.publicKeyRaw.toBase64(),
  };
}
