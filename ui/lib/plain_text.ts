/** Markdown reduced to one line of plain words, for previews in the sidebar (shared with titles). */
export { plainPreview } from "../../core/model/plain_text.ts";
