import { z } from "zod";
import { newToken } from "./api_token.ts";
import type { PrivateFile } from "./private_file.ts";

/**
 * Pairing a phone (or any browser on the LAN) without typing the API token: the node makes a
 * one-time link that expires after a few minutes; opening it once gives that browser a device
 * token of its own (set as the page's cookie) and the link is spent. Each paired device can be
 * revoked alone. Only SHA-256 hashes are kept: codes in memory (they live minutes), device
 * tokens in `<dataDir>/paired_devices.json` (mode 0600), so paired phones survive a restart.
 */

export interface PairingLimits {
  /** How long a link may wait to be opened. @default {600_000} (10 min) */
  linkTtlMs?: number;
  /** Unopened links kept; the oldest goes first. @default {8} */
  maxLinks?: number;
  /** Paired devices kept; pairing one more is refused. @default {64} */
  maxDevices?: number;
}

export interface PairingEntry {
  id: string;
  /** waiting: a link not opened yet; paired: a device holding a token. */
  state: "waiting" | "paired";
  createdAt: number;
  /** When the link stops working (waiting only). */
  expiresAt?: number;
  /** What the device said it is ("Android phone"), from its browser (paired only). */
  device?: string;
}

export interface NewPairingLink {
  id: string;
  /** The secret of the link, shown once (in the QR code); the node keeps its hash only. */
  code: string;
  expiresAt: number;
}

interface WaitingLink {
  id: string;
  codeHash: string;
  createdAt: number;
  expiresAt: number;
}

const Device = z.object({
  id: z.string().max(64),
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
  device: z.string().max(80),
});
type Device = z.infer<typeof Device>;
const DeviceFile = z.object({ version: z.literal(1), devices: z.array(Device) });

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return new Uint8Array(digest).toHex();
}

/** Short ids for the page's list (not secret). */
function newId(): string {
  return crypto.getRandomValues(new Uint8Array(6)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/** "Android phone", "iPhone", "Chrome on Linux": enough to tell one's devices apart. */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = userAgent ?? "";
  if (/iPhone/.test(ua)) return "iPhone";
  if (/iPad/.test(ua)) return "iPad";
  if (/Android/.test(ua)) return /Mobile/.test(ua) ? "Android phone" : "Android tablet";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
    ? "Firefox"
    : /Chrom(e|ium)\//.test(ua)
    ? "Chrome"
    : /Safari\//.test(ua)
    ? "Safari"
    : "A browser";
  const system = /Windows/.test(ua)
    ? " on Windows"
    : /Mac OS X/.test(ua)
    ? " on a Mac"
    : /Linux/.test(ua)
    ? " on Linux"
    : "";
  return `${browser}${system}`;
}

export class Pairings {
  #links = new Map<string, WaitingLink>();
  #devices = new Map<string, Device>();
  #io: PrivateFile;
  #limits: Required<PairingLimits>;
  #now: () => number;
  #loaded: Promise<void>;
  #revokeListeners = new Set<(id: string) => void>();
  #saving: Promise<void> = Promise.resolve();

  /** Starts reading the device file; every method waits for it (an unreadable file throws). */
  constructor(io: PrivateFile, options: PairingLimits & { now?: () => number } = {}) {
    this.#io = io;
    this.#now = options.now ?? Date.now;
    this.#limits = {
      linkTtlMs: options.linkTtlMs ?? 600_000,
      maxLinks: options.maxLinks ?? 8,
      maxDevices: options.maxDevices ?? 64,
    };
    this.#loaded = this.#load();
    this.#loaded.catch(() => {}); // reported by the first call that waits for it
  }

  async #load(): Promise<void> {
    const text = await this.#io.read();
    if (text === null) return;
    try {
      for (const device of DeviceFile.parse(JSON.parse(text)).devices) {
        this.#devices.set(device.id, device);
      }
    } catch (error) {
      throw new Error(`paired devices file is unreadable: ${(error as Error).message}`);
    }
  }

  /** A new one-time link; the code is returned this once. */
  async createLink(): Promise<NewPairingLink> {
    await this.#loaded;
    this.#dropExpired();
    while (this.#links.size >= this.#limits.maxLinks) {
      this.#links.delete(this.#links.keys().next().value!);
    }
    const code = newToken();
    const now = this.#now();
    const link: WaitingLink = {
      id: newId(),
      codeHash: await sha256Hex(code),
      createdAt: now,
      expiresAt: now + this.#limits.linkTtlMs,
    };
    this.#links.set(link.id, link);
    return { id: link.id, code, expiresAt: link.expiresAt };
  }

  /**
   * Spends a link: returns a new device token for the browser that opened it, or null when the
   * code is unknown, used, revoked or expired (or the device list is full).
   */
  async redeem(code: string, userAgent?: string): Promise<string | null> {
    await this.#loaded;
    this.#dropExpired();
    if (code.length === 0 || code.length > 128) return null;
    const hash = await sha256Hex(code);
    const link = [...this.#links.values()].find((l) => l.codeHash === hash);
    if (!link) return null;
    this.#links.delete(link.id);
    if (this.#devices.size >= this.#limits.maxDevices) return null;
    const token = newToken();
    this.#devices.set(link.id, {
      id: link.id,
      tokenHash: await sha256Hex(token),
      createdAt: this.#now(),
      device: deviceLabel(userAgent).slice(0, 80),
    });
    await this.#save();
    return token;
  }

  /** The paired device holding `token`, or null. */
  async deviceOf(token: string): Promise<string | null> {
    await this.#loaded;
    if (token.length === 0 || token.length > 512 || this.#devices.size === 0) return null;
    const hash = await sha256Hex(token);
    for (const device of this.#devices.values()) {
      if (device.tokenHash === hash) return device.id;
    }
    return null;
  }

  /** Withdraws a waiting link or a paired device's access; false when the id is unknown. */
  async revoke(id: string): Promise<boolean> {
    await this.#loaded;
    if (this.#links.delete(id)) return true;
    if (!this.#devices.delete(id)) return false;
    await this.#save();
    for (const listener of this.#revokeListeners) listener(id);
    return true;
  }

  /** Hears each revoked device (open streams of that device are cut). */
  onRevoke(listener: (id: string) => void): () => void {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  /** Waiting links (unexpired), then paired devices, oldest first. */
  async list(): Promise<PairingEntry[]> {
    await this.#loaded;
    this.#dropExpired();
    const waiting: PairingEntry[] = [...this.#links.values()].map((link) => ({
      id: link.id,
      state: "waiting",
      createdAt: link.createdAt,
      expiresAt: link.expiresAt,
    }));
    const paired: PairingEntry[] = [...this.#devices.values()].map((device) => ({
      id: device.id,
      state: "paired",
      createdAt: device.createdAt,
      device: device.device,
    }));
    return [...waiting, ...paired].sort((a, b) => a.createdAt - b.createdAt);
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [id, link] of this.#links) if (link.expiresAt <= now) this.#links.delete(id);
  }

  #save(): Promise<void> {
    const text = JSON.stringify({ version: 1, devices: [...this.#devices.values()] }, null, 2);
    // Writes run one after another, each with the state of its moment, the last one winning.
    this.#saving = this.#saving.catch(() => {}).then(() => this.#io.write(text));
    return this.#saving;
  }
}
