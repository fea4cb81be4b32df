/**
 * Export and import for the page, over the same files as `neuromesh export`/`import`
 * (legacy_export.ts, legacy_import.ts): one conversation as the original NeuroMesh's JSON file
 * or as Markdown; every conversation as a ZIP of the export folder (plus a Markdown copy of each
 * under `markdown/`); uploaded files (a chosen folder, single files or such a ZIP) imported
 * through a temporary folder, then announced to the page and offered to peers.
 */
import { Buffer } from "node:buffer";
import type { ConversationStore } from "../store/store.ts";
import type { ConversationEvents } from "./conversation_events.ts";
import { conversationMarkdown } from "./markdown_export.ts";
import { exportConversations } from "./legacy_export.ts";
import { ExportFolderError, importConversations, type ImportResult } from "./legacy_import.ts";
import { safeName, toLegacyConversation } from "./legacy_files.ts";
import { placeUpload } from "./upload_paths.ts";
import { toConversation } from "./views.ts";
import { unzipFiles, type UnzipLimits, type ZipEntry, zipFiles } from "./zip.ts";

export type ExportFormat = "json" | "markdown";

export interface DownloadFile {
  name: string;
  contentType: string;
  body: Uint8Array;
}

/** One uploaded file: text, or bytes as base64 (a ZIP). */
export interface UploadedFile {
  path: string;
  text?: string;
  base64?: string;
}

export interface UploadResult extends ImportResult {
  /** Uploaded paths that are not conversation files of the layout (left out). */
  ignored: string[];
}

/** An upload that cannot be imported as it is (the person can fix it): the API's 400. */
export class UploadError extends Error {
  override name = "UploadError";
}

/** Bounds of one upload once unpacked. */
export const UPLOAD_LIMITS = { maxEntries: 5000, maxTotalBytes: 64 * 1024 * 1024 };

export interface ArchiveDeps {
  store: ConversationStore;
  /** This node, named in the export manifest. */
  node: () => { id: string; name: string };
  /** Live events for the page after an import. */
  published: ConversationEvents;
  /** Offers new records to peers now (they would otherwise wait for anti-entropy). */
  syncNow: () => void;
  /** Bounds of one upload, all its files and archives together (UPLOAD_LIMITS unless a test). */
  limits?: UnzipLimits;
}

export class ConversationArchive {
  constructor(private readonly deps: ArchiveDeps) {}

  /** One conversation as a file to download; undefined when there is no such conversation. */
  conversationFile(id: string, format: ExportFormat): DownloadFile | undefined {
    const { store } = this.deps;
    const header = store.header(id);
    if (!header) return undefined;
    const conversation = toConversation(header, store.messages(id), store.nodeId, store.thread(id));
    const base = safeName(conversation.title) || "conversation";
    if (format === "markdown") {
      return {
        name: `${base}.md`,
        contentType: "text/markdown; charset=utf-8",
        body: new TextEncoder().encode(conversationMarkdown(conversation)),
      };
    }
    const legacy = toLegacyConversation(conversation, header.importedFrom?.id);
    return {
      name: `${base}.json`,
      contentType: "application/json; charset=utf-8",
      body: new TextEncoder().encode(JSON.stringify(legacy, null, 2)),
    };
  }

  /** Every conversation: the export folder as a ZIP, with Markdown copies under `markdown/`. */
  async exportAll(): Promise<DownloadFile> {
    const { store } = this.deps;
    const dir = await Deno.makeTempDir({ prefix: "neuromesh-export-" });
    try {
      const result = await exportConversations(store, dir, this.deps.node());
      const entries: ZipEntry[] = [];
      for (const file of result.files) {
        entries.push({ path: file, data: await Deno.readFile(`${dir}/${file}`) });
      }
      const taken = new Set<string>();
      for (const { header } of store.summaries()) {
        const conversation = toConversation(
          header,
          store.messages(header.id),
          store.nodeId,
          store.thread(header.id),
        );
        const base = safeName(conversation.title) || "conversation";
        let name = base;
        for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
        taken.add(name);
        const text = conversationMarkdown(conversation);
        entries.push({ path: `markdown/${name}.md`, data: new TextEncoder().encode(text) });
      }
      const day = new Date().toISOString().slice(0, 10);
      return {
        name: `neuromesh-conversations-${day}.zip`,
        contentType: "application/zip",
        body: zipFiles(entries),
      };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }

  /** Imports uploaded files as `neuromesh import` would read them from a folder. */
  async importFiles(files: UploadedFile[]): Promise<UploadResult> {
    const placed = new Map<string, Uint8Array>();
    const ignored: string[] = [];
    const place = (path: string, data: Uint8Array) => {
      const target = placeUpload(path);
      if (target === null || placed.has(target)) ignored.push(path);
      else placed.set(target, data);
    };
    // One budget for the whole upload, spent by what archives unpack to (several archives that
    // each fit would otherwise hold their limit each in memory).
    const limits = this.deps.limits ?? UPLOAD_LIMITS;
    let entries = 0;
    let unpacked = 0;
    for (const file of files) {
      // Buffer's decoder: atob() and a per-character copy took ~30 s and ~800 MB for 24 MiB.
      const data: Uint8Array = file.base64 !== undefined
        ? Buffer.from(file.base64, "base64")
        : new TextEncoder().encode(file.text ?? "");
      const found = file.path.toLowerCase().endsWith(".zip")
        ? unzipped(file.path, data, {
          maxEntries: limits.maxEntries - entries,
          maxTotalBytes: limits.maxTotalBytes - unpacked,
        })
        : [{ path: file.path, data }];
      for (const entry of found) {
        place(entry.path, entry.data);
        entries++;
        unpacked += entry.data.length;
      }
      if (entries > limits.maxEntries || unpacked > limits.maxTotalBytes) {
        throw new UploadError(
          `the upload holds more than ${limits.maxEntries} files or ${limits.maxTotalBytes} bytes`,
        );
      }
    }
    if (![...placed.keys()].some((path) => path !== "neuromesh.json")) {
      throw new UploadError(
        "no conversation file in the upload: choose the original NeuroMesh's .json files, " +
          "its data folder, or an export .zip",
      );
    }
    const dir = await Deno.makeTempDir({ prefix: "neuromesh-import-" });
    try {
      for (const [path, data] of placed) {
        await Deno.mkdir(`${dir}/${path.slice(0, path.lastIndexOf("/") + 1)}`, { recursive: true });
        await Deno.writeFile(`${dir}/${path}`, data);
      }
      const result = await importConversations(this.deps.store, dir).catch((error) => {
        // The upload's own manifest is damaged: the person's to fix, named without our folder.
        if (!(error instanceof ExportFolderError)) throw error;
        throw new UploadError(error.message.replaceAll(`${dir}/`, ""));
      });
      this.#announce(result);
      return { ...result, ignored };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }

  #announce(result: ImportResult) {
    const { published } = this.deps;
    for (const outcome of result.outcomes) {
      if (outcome.kind !== "skipped" && outcome.added > 0) {
        published.summary(outcome.conversationId);
      }
    }
    for (const replaced of result.replaced) published.deleted(replaced.conversationId);
    if (result.conversations > 0 || result.replaced.length > 0) this.deps.syncNow();
  }
}

function unzipped(path: string, data: Uint8Array, limits: UnzipLimits): ZipEntry[] {
  try {
    return unzipFiles(data, limits);
  } catch (error) {
    throw new UploadError(`${path}: ${(error as Error).message}`);
  }
}
