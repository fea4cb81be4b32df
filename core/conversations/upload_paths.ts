/**
 * Where an uploaded file goes in the folder that `importConversations` reads (legacy_files.ts
 * has the layout). Pure.
 *
 * A page uploads a chosen folder with each file's path inside it (`export/received/10.0.0.5/
 * local.json`), single files with their bare name, or an archive's entries. The layout's own
 * folders are found wherever they start; a bare `*.json` is a conversation of this node, as the
 * original keeps its own under `conversations/`. Anything else is left out (null).
 */

const SAFE_SEGMENT = /^[^\u0000-\u001f/\\:*?"<>|]{1,200}$/;

export function placeUpload(path: string): string | null {
  const segments = path.replaceAll("\\", "/").split("/").filter((s) => s !== "" && s !== ".");
  if (segments.length === 0 || segments.some((s) => s === ".." || !SAFE_SEGMENT.test(s))) {
    return null;
  }
  const name = segments[segments.length - 1];
  if (!name.toLowerCase().endsWith(".json")) return null;
  const top = segments.findIndex((s) => s === "conversations" || s === "received");
  if (top >= 0) {
    const rest = segments.slice(top);
    const depth = rest[0] === "conversations" ? 2 : 3;
    return rest.length === depth ? rest.join("/") : null;
  }
  if (name === "neuromesh.json") return name;
  return segments.length === 1 ? `conversations/${name}` : null;
}
