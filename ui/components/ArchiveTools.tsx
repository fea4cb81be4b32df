import { useRef } from "preact/hooks";
import { EXPORT_ALL_URL } from "../api/archive.ts";
import { transfer } from "../models/app.ts";
import type { PickedFile } from "../models/transfer.ts";
import { CloseIcon, DownloadIcon, UploadIcon } from "./icons.tsx";

function picked(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((file) => ({
    path: file.webkitRelativePath || file.name,
    text: () => file.text(),
    bytes: async () => new Uint8Array(await file.arrayBuffer()),
  }));
}

/**
 * Export every conversation (a ZIP of the original NeuroMesh's files plus Markdown) and import
 * the original's files: single `.json` files or an export `.zip`, or its whole data folder.
 */
export function ArchiveTools() {
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const report = transfer.report.value;
  const choose = (input: HTMLInputElement | null) => input?.click();
  const onPicked = (event: Event) => {
    const input = event.target as HTMLInputElement;
    const chosen = picked(input.files);
    input.value = "";
    void transfer.importFiles(chosen);
  };
  return (
    <div class="archive-tools">
      <div class="archive-buttons">
        <a class="nav-button small" href={EXPORT_ALL_URL} download>
          <DownloadIcon size={16} /> <span>Export all</span>
        </a>
        <button
          type="button"
          class="nav-button small"
          disabled={transfer.importing.value}
          aria-label="Import files"
          title="Import files: the original NeuroMesh's .json files, or an export .zip"
          onClick={() => choose(files.current)}
        >
          <UploadIcon size={16} /> <span>{transfer.importing.value ? "Importing…" : "Import"}</span>
        </button>
        <button
          type="button"
          class="nav-button small"
          disabled={transfer.importing.value}
          aria-label="Import a folder"
          title="Import a folder: the original NeuroMesh's data folder, or an export"
          onClick={() => choose(folder.current)}
        >
          <UploadIcon size={16} /> <span>Folder</span>
        </button>
      </div>
      <input
        ref={files}
        type="file"
        multiple
        accept=".json,.zip,application/json,application/zip"
        aria-label="Conversation files to import"
        hidden
        onChange={onPicked}
      />
      <input
        ref={folder}
        type="file"
        // @ts-ignore: webkitdirectory is not in Preact's attribute types; every browser has it.
        webkitdirectory
        aria-label="Folder to import"
        hidden
        onChange={onPicked}
      />
      {report && (
        <p class={`callout ${report.ok ? "" : "warn"} import-report`} role="status">
          <span>{report.text}</span>
          <button
            type="button"
            class="icon-button"
            aria-label="Dismiss the import report"
            onClick={transfer.dismissReport}
          >
            <CloseIcon size={14} />
          </button>
        </p>
      )}
    </div>
  );
}
