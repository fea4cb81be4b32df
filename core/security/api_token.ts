import { z } from "zod";
import { type PrivateFile, privateFile } from "./private_file.ts";

/**
 * The HTTP API token for clients not on loopback. Only its SHA-256 is kept on disk
 * (`<dataDir>/api_token.json`, mode 0600): the token itself is shown once, when it is made or
 * rotated, and cannot be read back.
 */
const TokenFile = z.object({
  version: z.literal(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
});
type TokenFile = z.infer<typeof TokenFile>;

/** `<dataDir>/api_token.json`, written atomically with mode 0600. */
export function tokenFileIo(dataDir: string): PrivateFile {
  return privateFile(`${dataDir}/api_token.json`);
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex();
}

/** 32 random bytes, base64url: what `generate` hands out. */
export function newToken(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

export class ApiTokens {
  #hash: string | null;
  #io: PrivateFile | null;

  private constructor(io: PrivateFile | null, hash: string | null) {
    this.#io = io;
    this.#hash = hash;
  }

  /**
   * With `fixed` (--http-token), that token is the one and nothing is stored; otherwise the
   * stored hash, if any.
   */
  static async open(io: PrivateFile, fixed?: string): Promise<ApiTokens> {
    if (fixed !== undefined) return new ApiTokens(null, await sha256Hex(fixed));
    const text = await io.read();
    if (text === null) return new ApiTokens(io, null);
    let file: TokenFile;
    try {
      file = TokenFile.parse(JSON.parse(text));
    } catch (error) {
      throw new Error(`API token file is unreadable: ${(error as Error).message}`);
    }
    return new ApiTokens(io, file.sha256);
  }

  /** True once a token exists. */
  get configured(): boolean {
    return this.#hash !== null;
  }

  /** True when the token is fixed by configuration (rotation is then refused). */
  get fixed(): boolean {
    return this.#io === null;
  }

  /** Makes a token if there is none; returns it (to show once) or null when one existed. */
  async ensure(): Promise<string | null> {
    return this.#hash === null ? await this.rotate() : null;
  }

  /** Replaces the token; the old one stops working at once. Returns the new one (show once). */
  async rotate(): Promise<string> {
    if (this.#io === null) {
      throw new Error("the API token is fixed by --http-token; change it there");
    }
    const token = newToken();
    const hash = await sha256Hex(token);
    await this.#io.write(
      JSON.stringify({ version: 1, sha256: hash, createdAt: Date.now() }, null, 2),
    );
    this.#hash = hash;
    return token;
  }

  /** Whether `token` is the current one (compares hashes, in time independent of where they differ). */
  async verify(token: string): Promise<boolean> {
    if (this.#hash === null || token.length === 0 || token.length > 512) return false;
    const candidate = await sha256Hex(token);
    let difference = 0;
    for (let i = 0; i < candidate.length; i++) {
      difference |= candidate.charCodeAt(i) ^ this.#hash.charCodeAt(i);
    }
    return difference === 0;
  }
}
