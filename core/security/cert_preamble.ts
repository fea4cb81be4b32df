/**
 * The few plaintext bytes an accepting node sends before TLS starts: its certificate, so that
 * a dialer that knows only the node id (from discovery) or only an address (a static peer) can
 * pin it. It is public data and needs no secrecy: the dialer checks that the certificate's key
 * hashes to the expected node id, and TLS then proves the peer holds that key.
 *
 * Layout: `NMTLS1` (6 ASCII bytes), a 2-byte big-endian length, the certificate's DER.
 */
export const PREAMBLE_MAGIC = "NMTLS1";
export const PREAMBLE_HEADER_BYTES = PREAMBLE_MAGIC.length + 2;
/** Ours is about 300 bytes; anything much larger is not a NeuroMesh certificate. */
export const MAX_PREAMBLE_CERT_BYTES = 4096;

const magicBytes = new TextEncoder().encode(PREAMBLE_MAGIC);

export function encodeCertPreamble(der: Uint8Array): Uint8Array {
  if (der.length === 0 || der.length > MAX_PREAMBLE_CERT_BYTES) {
    throw new RangeError(
      `Cannot encode certificate preamble: the certificate is ${der.length} bytes, limit ${MAX_PREAMBLE_CERT_BYTES}`,
    );
  }
  const out = new Uint8Array(PREAMBLE_HEADER_BYTES + der.length);
  out.set(magicBytes, 0);
  new DataView(out.buffer).setUint16(magicBytes.length, der.length, false);
  out.set(der, PREAMBLE_HEADER_BYTES);
  return out;
}

/** Length of the certificate that follows a preamble header; throws on anything else. */
export function certLengthFromHeader(header: Uint8Array): number {
  if (header.length !== PREAMBLE_HEADER_BYTES) {
    throw new RangeError(`certificate preamble header must be ${PREAMBLE_HEADER_BYTES} bytes`);
  }
  if (!magicBytes.every((byte, i) => header[i] === byte)) {
    const shown = JSON.stringify(new TextDecoder().decode(header.subarray(0, magicBytes.length)));
    const hint = shown.startsWith('"HELO:')
      ? " (it speaks plaintext links: was it started with --insecure-plaintext-links?)"
      : "";
    throw new Error(`peer does not speak NeuroMesh TLS links: it began with ${shown}${hint}`);
  }
  const length = new DataView(header.buffer, header.byteOffset).getUint16(magicBytes.length, false);
  if (length === 0 || length > MAX_PREAMBLE_CERT_BYTES) {
    throw new Error(
      `certificate preamble announces ${length} bytes, limit ${MAX_PREAMBLE_CERT_BYTES}`,
    );
  }
  return length;
}
