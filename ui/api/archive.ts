/**
 * Search, export and import of conversations (core/http/conversation_archive_routes.ts), as the
 * page uses them. Exports are plain links: the node answers with a download.
 */
import type { SearchHit, SearchResults } from "../../core/conversations/search.ts";
import type { UploadedFile, UploadResult } from "../../core/conversations/archive.ts";
import { json, send } from "./client.ts";

export type { SearchHit, SearchResults, UploadedFile, UploadResult };

export type ExportFormat = "json" | "markdown";

export interface ArchiveApi {
  search(query: string, signal?: AbortSignal): Promise<SearchResults>;
  importFiles(files: UploadedFile[]): Promise<UploadResult>;
}

export const archiveApi: ArchiveApi = {
  search: (query, signal) =>
    json<SearchResults>(`/api/conversations/search?q=${encodeURIComponent(query)}`, { signal }),
  importFiles: (files) => send<UploadResult>("POST", "/api/conversations/import", { files }),
};

/** Where one conversation downloads from, as the original's JSON file or as Markdown. */
export function exportUrl(conversationId: string, format: ExportFormat): string {
  return `/api/conversations/${encodeURIComponent(conversationId)}/export?format=${format}`;
}

/** Every conversation: a ZIP of the export folder. */
export const EXPORT_ALL_URL = "/api/conversations/export";
