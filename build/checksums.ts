/** SHA-256 of a file's bytes as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A SHA256SUMS file in the format `sha256sum -c SHA256SUMS` checks: `<hex>  <name>`. */
export function formatChecksums(entries: { name: string; sha256: string }[]): string {
  return entries.map(({ name, sha256 }) => `${sha256}  ${name}\n`).join("");
}
