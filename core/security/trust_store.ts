import { z } from "zod";
import { type PrivateFile, privateFile } from "./private_file.ts";
import type { TrustStatus } from "./trust_policy.ts";

/**
 * The nodes this node knows, in `<dataDir>/trust.json` (mode 0600): trusted (first use in open
 * mode, a valid mesh key, or the user's approval), pending (approve mode: waiting for the
 * user) and blocked, plus recent security alerts (a node that claimed an id without its key).
 */

/** How an entry got its status: automatic entries may be evicted, the user's never. */
export type TrustOrigin = "auto" | "user";

export interface TrustEntry {
  nodeId: string;
  status: TrustStatus;
  origin: TrustOrigin;
  name: string;
  address: string;
  firstSeen: number;
  lastSeen: number;
  /** A blocked node's trust before the block, which unblocking gives back. */
  before?: { status: "trusted" | "pending"; origin: TrustOrigin };
}

export interface SecurityAlert {
  at: number;
  /** The id the peer claimed. */
  nodeId: string;
  address: string;
  reason: string;
}

export interface TrustStoreLimits {
  /** Pending entries kept; the oldest is dropped first. @default {256} */
  maxPending?: number;
  /** Automatic (first-use) trusted entries kept; the least recently seen is dropped first. @default {4096} */
  maxAuto?: number;
  /** Alerts kept, newest last. @default {50} */
  maxAlerts?: number;
}

const Entry = z.object({
  nodeId: z.string().min(1).max(128),
  status: z.enum(["trusted", "pending", "blocked"]),
  origin: z.enum(["auto", "user"]),
  name: z.string().max(128),
  address: z.string().max(64),
  firstSeen: z.number(),
  lastSeen: z.number(),
  before: z.object({
    status: z.enum(["trusted", "pending"]),
    origin: z.enum(["auto", "user"]),
  }).optional(),
});
const Alert = z.object({
  at: z.number(),
  nodeId: z.string().max(128),
  address: z.string().max(64),
  reason: z.string().max(512),
});
const TrustFile = z.object({
  version: z.literal(1),
  nodes: z.array(Entry),
  alerts: z.array(Alert),
});
type TrustFile = z.infer<typeof TrustFile>;

/** `<dataDir>/trust.json`, written atomically with mode 0600. */
export function trustFileIo(dataDir: string): PrivateFile {
  return privateFile(`${dataDir}/trust.json`);
}

/**
 * Trust records in memory, saved after each change. Saves never overlap: changes made while a
 * save runs are written by one more save right after it, so a burst costs two writes.
 */
export class TrustStore {
  #entries = new Map<string, TrustEntry>();
  #alerts: SecurityAlert[] = [];
  #io: PrivateFile;
  #limits: Required<TrustStoreLimits>;
  #saving: Promise<void> | null = null;
  #dirty = false;
  #listeners = new Set<() => void>();
  #onSaveError: (error: Error) => void;

  private constructor(io: PrivateFile, limits: TrustStoreLimits, onSaveError: (e: Error) => void) {
    this.#io = io;
    this.#limits = {
      maxPending: limits.maxPending ?? 256,
      maxAuto: limits.maxAuto ?? 4096,
      maxAlerts: limits.maxAlerts ?? 50,
    };
    this.#onSaveError = onSaveError;
  }

  /** Loads the file (an unreadable one is an error: trust must not silently reset). */
  static async open(
    io: PrivateFile,
    options: TrustStoreLimits & { onSaveError?: (error: Error) => void } = {},
  ): Promise<TrustStore> {
    const store = new TrustStore(io, options, options.onSaveError ?? (() => {}));
    const text = await io.read();
    if (text !== null) {
      let file: TrustFile;
      try {
        file = TrustFile.parse(JSON.parse(text));
      } catch (error) {
        throw new Error(`trust store is unreadable: ${(error as Error).message}`);
      }
      for (const entry of file.nodes) store.#entries.set(entry.nodeId, entry);
      store.#alerts = file.alerts.slice(-store.#limits.maxAlerts);
    }
    return store;
  }

  get(nodeId: string): TrustEntry | undefined {
    return this.#entries.get(nodeId);
  }

  status(nodeId: string): TrustStatus | null {
    return this.#entries.get(nodeId)?.status ?? null;
  }

  entries(): TrustEntry[] {
    return [...this.#entries.values()].map((entry) => ({ ...entry }));
  }

  alerts(): SecurityAlert[] {
    return this.#alerts.map((alert) => ({ ...alert }));
  }

  /**
   * A node proved its id and was let in: remembered as trusted (first use), or its last-seen
   * details refreshed. Never changes a status the user set.
   */
  recordTrusted(nodeId: string, seen: { name: string; address: string; at: number }): void {
    const entry = this.#entries.get(nodeId);
    if (entry) {
      const statusChanged = entry.status !== "trusted";
      if (statusChanged && entry.origin === "user") return;
      Object.assign(entry, {
        status: "trusted",
        name: seen.name,
        address: seen.address,
        lastSeen: seen.at,
      });
      this.#changed(statusChanged);
      return;
    }
    this.#add({ nodeId, status: "trusted", origin: "auto", ...this.#seenFields(seen) });
  }

  /** A node proved its id and waits for the user's approval. */
  recordPending(nodeId: string, seen: { name: string; address: string; at: number }): void {
    const entry = this.#entries.get(nodeId);
    if (entry) {
      if (entry.status !== "pending") return;
      Object.assign(entry, { name: seen.name, address: seen.address, lastSeen: seen.at });
      this.#changed(false);
      return;
    }
    this.#add({ nodeId, status: "pending", origin: "auto", ...this.#seenFields(seen) });
  }

  /**
   * The user's decision: trusted (approve) or blocked; an id never seen gets an entry too.
   * Blocking remembers the trust it replaces, so that unblock() can give it back.
   */
  setStatus(nodeId: string, status: "trusted" | "blocked", at: number): void {
    const entry = this.#entries.get(nodeId);
    if (entry) {
      if (status === "blocked" && entry.status !== "blocked") {
        entry.before = { status: entry.status, origin: entry.origin };
      }
      if (status !== "blocked") delete entry.before;
      Object.assign(entry, { status, origin: "user" });
      this.#changed(true);
      return;
    }
    this.#add({
      nodeId,
      status,
      origin: "user",
      name: "",
      address: "",
      firstSeen: at,
      lastSeen: at,
    });
  }

  /**
   * Lifts a block: the node gets back the trust it had before (trusted stays trusted, instead of
   * asking "Add device?" again); a node blocked before anything was known of it is forgotten.
   * Returns the status now, or undefined when the node was not blocked.
   */
  unblock(nodeId: string): "trusted" | "pending" | null | undefined {
    const entry = this.#entries.get(nodeId);
    if (entry?.status !== "blocked") return undefined;
    const before = entry.before;
    if (!before) {
      this.remove(nodeId);
      return null;
    }
    delete entry.before;
    Object.assign(entry, before);
    this.#changed(true);
    return before.status;
  }

  /** Forgets a node (reject a pending one, or drop a trusted one); false if unknown. */
  remove(nodeId: string): boolean {
    if (!this.#entries.delete(nodeId)) return false;
    this.#changed(true);
    return true;
  }

  /** Records a refused impersonation or broken proof, for the status page. */
  alert(alert: SecurityAlert): void {
    this.#alerts.push(alert);
    if (this.#alerts.length > this.#limits.maxAlerts) this.#alerts.shift();
    this.#changed(true);
  }

  /** Called after any change that the page shows (not on last-seen refreshes). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every change so far is on disk. */
  async flush(): Promise<void> {
    while (this.#saving) await this.#saving;
  }

  #seenFields(seen: { name: string; address: string; at: number }) {
    return { name: seen.name, address: seen.address, firstSeen: seen.at, lastSeen: seen.at };
  }

  #add(entry: TrustEntry): void {
    this.#entries.set(entry.nodeId, entry);
    if (entry.origin === "auto") this.#evict(entry.status);
    this.#changed(true);
  }

  /** Keeps automatic entries of `status` within their limit, dropping the stalest. */
  #evict(status: TrustStatus): void {
    const limit = status === "pending" ? this.#limits.maxPending : this.#limits.maxAuto;
    const candidates = [...this.#entries.values()].filter((e) =>
      e.origin === "auto" && e.status === status
    );
    if (candidates.length <= limit) return;
    candidates.sort((a, b) => a.lastSeen - b.lastSeen);
    for (const entry of candidates.slice(0, candidates.length - limit)) {
      this.#entries.delete(entry.nodeId);
    }
  }

  #changed(notify: boolean): void {
    this.#save();
    if (!notify) return;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch { /* a listener's failure is its own */ }
    }
  }

  #save(): void {
    this.#dirty = true;
    if (this.#saving) return;
    this.#saving = (async () => {
      while (this.#dirty) {
        this.#dirty = false;
        const file: TrustFile = {
          version: 1,
          nodes: [...this.#entries.values()],
          alerts: this.#alerts,
        };
        try {
          await this.#io.write(JSON.stringify(file, null, 2));
        } catch (error) {
          this.#onSaveError(error as Error);
        }
      }
      this.#saving = null;
    })();
  }
}
