/**
 * Search, export and import of conversations (mounted before conversation_routes.ts, whose
 * `/api/conversations/:id` would otherwise take `search`, `export` and `import` for ids):
 *
 *   GET  /api/conversations/search?q=…&limit=…   { query, hits: [SearchHit], more }
 *   GET  /api/conversations/export               every conversation, a ZIP of the export folder
 *   GET  /api/conversations/:id/export?format=json|markdown   one conversation as a download
 *   POST /api/conversations/import               { files: [{ path, text | base64 }] } → the report
 *
 * Errors are `{ error }` naming the field: `q: must not be empty`.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import {
  type ConversationArchive,
  type DownloadFile,
  UploadError,
} from "../conversations/archive.ts";
import {
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_CHARS,
  MAX_SEARCH_LIMIT,
  type SearchResults,
} from "../conversations/search.ts";
import { describeZodError, readJson } from "./errors.ts";

export const SearchQuery = z.object({
  q: z.string({ error: "is required" }).trim().min(1, "must not be empty").max(
    MAX_SEARCH_CHARS,
    `must be at most ${MAX_SEARCH_CHARS} characters`,
  ),
  limit: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(1, "must be at least 1").max(MAX_SEARCH_LIMIT, `must be at most ${MAX_SEARCH_LIMIT}`)
    .default(DEFAULT_SEARCH_LIMIT),
});

const ExportQuery = z.object({
  format: z.enum(["json", "markdown"], { error: "must be json or markdown" }).default("json"),
});

const MAX_PATH_CHARS = 1024;
const ImportBody = z.object({
  files: z.array(
    z.object({
      path: z.string().min(1, "must not be empty").max(MAX_PATH_CHARS),
      text: z.string().optional(),
      base64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64").optional(),
    }).refine((f) => (f.text === undefined) !== (f.base64 === undefined), "give text or base64"),
    { error: "must be a list of files" },
  ).min(1, "must name at least one file").max(5000, "must be at most 5000 files"),
});

export interface ArchiveRouteDeps {
  search(query: string, limit: number): SearchResults;
  archive: ConversationArchive;
}

export function conversationArchiveRoutes(deps: ArchiveRouteDeps): Hono {
  const app = new Hono();

  app.get("/api/conversations/search", (c) => {
    const parsed = SearchQuery.safeParse(c.req.query());
    if (!parsed.success) return c.json({ error: describeZodError(parsed.error) }, 400);
    return c.json(deps.search(parsed.data.q, parsed.data.limit));
  });

  app.get("/api/conversations/export", async (c) => download(c, await deps.archive.exportAll()));

  app.get("/api/conversations/:id/export", (c) => {
    const parsed = ExportQuery.safeParse(c.req.query());
    if (!parsed.success) return c.json({ error: describeZodError(parsed.error) }, 400);
    const file = deps.archive.conversationFile(c.req.param("id"), parsed.data.format);
    if (!file) {
      return c.json({ error: `no conversation ${JSON.stringify(c.req.param("id"))}` }, 404);
    }
    return download(c, file);
  });

  // One import at a time: each may hold its 32 MiB body and 64 MiB unpacked, so concurrent ones
  // would add up; a second is refused before its body is read.
  let importing = false;
  app.post("/api/conversations/import", async (c) => {
    if (importing) {
      return c.json({ error: "another import is running: try again when it has finished" }, 409);
    }
    importing = true;
    try {
      const json = await readJson(c);
      if (!json.ok) return json.response;
      const parsed = ImportBody.safeParse(json.value);
      if (!parsed.success) return c.json({ error: describeZodError(parsed.error) }, 400);
      return c.json(await deps.archive.importFiles(parsed.data.files));
    } catch (error) {
      // A damaged archive, no conversation file, too many files: the person can fix the upload.
      if (error instanceof UploadError) {
        return c.json({ error: (error as Error).message }, 400);
      }
      throw error;
    } finally {
      importing = false;
    }
  });

  return app;
}

function download(c: Context, file: DownloadFile): Response {
  const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
    "content-type": file.contentType,
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${
      encodeURIComponent(file.name)
    }`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
}
