import { type ReadonlySignal, signal } from "@preact/signals";
import {
  type ArchiveApi,
  archiveApi,
  type UploadedFile,
  type UploadResult,
} from "../api/archive.ts";
import { errorText } from "../lib/errors.ts";

/** A file as the browser's file picker gives it (a File), reduced to what an upload needs. */
export interface PickedFile {
  /** The path inside a chosen folder, else the bare name. */
  path: string;
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
}

/** Import of the original NeuroMesh's files (or an export) from the page. */
export interface TransferModel {
  readonly importing: ReadonlySignal<boolean>;
  /** What the last import did, in words (or why it failed). */
  readonly report: ReadonlySignal<{ ok: boolean; text: string } | null>;
  importFiles(files: PickedFile[]): Promise<void>;
  dismissReport(): void;
}

export interface TransferDeps {
  api?: Pick<ArchiveApi, "importFiles">;
  /** Reads the conversation list again once something was imported. */
  reload(): Promise<void>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One sentence for the person: what came in, and what was left out and why. */
export function importSummary(result: UploadResult): string {
  const parts = [
    result.conversations === 0 && result.messages === 0
      ? `Nothing new: ${plural(result.files, "file")} already imported`
      : `Imported ${plural(result.conversations, "conversation")} (${
        plural(result.messages, "new message")
      }) from ${plural(result.files, "file")}`,
  ];
  const problems = result.outcomes.flatMap((o) =>
    o.kind === "skipped" && o.problem ? [`${o.file} (${o.reason})`] : []
  );
  if (problems.length > 0) parts.push(`Not read: ${problems.join("; ")}`);
  if (result.ignored.length > 0) {
    parts.push(`Left out (not conversation files): ${result.ignored.join(", ")}`);
  }
  return `${parts.join(". ")}.`;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument list short.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function createTransferModel({ api = archiveApi, reload }: TransferDeps): TransferModel {
  const importing = signal(false);
  const report = signal<{ ok: boolean; text: string } | null>(null);
  return {
    importing,
    report,
    async importFiles(picked) {
      if (picked.length === 0 || importing.value) return;
      importing.value = true;
      report.value = null;
      try {
        const files: UploadedFile[] = await Promise.all(
          picked.map(async (file) =>
            file.path.toLowerCase().endsWith(".zip")
              ? { path: file.path, base64: base64(await file.bytes()) }
              : { path: file.path, text: await file.text() }
          ),
        );
        const result = await api.importFiles(files);
        report.value = { ok: true, text: importSummary(result) };
        await reload();
      } catch (error) {
        report.value = { ok: false, text: `Import failed: ${errorText(error)}` };
      } finally {
        importing.value = false;
      }
    },
    dismissReport() {
      report.value = null;
    },
  };
}
