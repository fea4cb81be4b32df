/**
 * The node ids of the certificates peers presented, remembered per certificate: reading a
 * certificate is the dialer's first step on every TLS link, and a node presents the same
 * certificate at every start, so redials and a mesh of 50 read each one once.
 */
import { certificateNodeId } from "./certificate.ts";

/** Certificates remembered; beyond this the oldest is forgotten (a LAN has far fewer nodes). */
const MAX_REMEMBERED = 1024;

/**
 * Node ids by the certificate's exact bytes. Only a successful read is kept, and the key is the
 * whole DER, so a different certificate is never mistaken for a known one.
 */
export class PeerCertificates {
  #ids = new Map<string, string>();

  constructor(readonly maxRemembered = MAX_REMEMBERED) {}

  /** The node id the certificate's key stands for (whoever completes TLS with it holds it). */
  async nodeId(der: Uint8Array): Promise<string> {
    const key = der.toBase64();
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const id = await certificateNodeId(der);
    if (this.#ids.size >= this.maxRemembered) this.#ids.delete(this.#ids.keys().next().value!);
    this.#ids.set(key, id);
    return id;
  }

  get size(): number {
    return this.#ids.size;
  }
}
