/** How many inbound connections may be open at once before any is authenticated. */
export interface AdmissionLimits {
  /** Live connections (any state) from one remote address. */
  maxLinksPerAddress: number;
  /** Inbound connections still in their handshake, all addresses together. */
  maxPendingHandshakes: number;
}

/** The default limits (docs/security.md "Limits"). */
export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = {
  maxLinksPerAddress: 8,
  // Few at a time: each handshake is CPU work (TLS, proofs), and dozens at once on a busy core
  // all run past their timeout together; a refused dialer retries after its backoff.
  maxPendingHandshakes: 16,
};

/** What is open now, not counting the connection being decided. */
export interface AdmissionCounts {
  /** Connections open from the new connection's address. */
  fromAddress: number;
  /** Inbound connections of any address still in their handshake (our dials do not count). */
  pending: number;
}

/**
 * Whether a new inbound connection may start its handshake: the reason to refuse it, or null.
 * The transport has created nothing but the TCP socket yet, so a refusal costs only that.
 */
export function admissionRefusal(counts: AdmissionCounts, limits: AdmissionLimits): string | null {
  if (counts.fromAddress >= limits.maxLinksPerAddress) {
    return `more than ${limits.maxLinksPerAddress} links from it`;
  }
  if (counts.pending >= limits.maxPendingHandshakes) {
    return `more than ${limits.maxPendingHandshakes} handshakes pending`;
  }
  return null;
}

/** All an inbound connection's admission reads, besides the limits. */
export interface InboundFacts extends AdmissionCounts {
  /** The manager is running (not starting or stopping). */
  running: boolean;
  /** The remote address is in the allowed set and not in the blocked one. */
  addressAllowed: boolean;
}

/**
 * The accept decision, in order: nothing while not running, nothing from an address outside
 * the access lists, then the counts against the limits (unset limits take the defaults).
 */
export function inboundRefusal(
  facts: InboundFacts,
  limits: Partial<AdmissionLimits> = {},
): string | null {
  if (!facts.running) return "not running";
  if (!facts.addressAllowed) return "address not allowed";
  return admissionRefusal(facts, {
    maxLinksPerAddress: limits.maxLinksPerAddress ?? DEFAULT_ADMISSION_LIMITS.maxLinksPerAddress,
    maxPendingHandshakes: limits.maxPendingHandshakes ??
      DEFAULT_ADMISSION_LIMITS.maxPendingHandshakes,
  });
}
