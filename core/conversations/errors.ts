/** What the conversation service refuses, and the checks that refuse it. */
import { MAX_CONTENT_CHARS, MAX_TITLE_CHARS } from "../model/conversation.ts";

/** Refusals the HTTP layer maps to status codes (404, 409, 400). */
export class ConversationError extends Error {
  constructor(message: string, readonly kind: "not_found" | "read_only" | "bad_request" | "busy") {
    super(message);
    this.name = "ConversationError";
  }
}

/** A title as given by the user, trimmed; refused when empty or too long. */
export function checkTitle(title: unknown): string {
  if (typeof title !== "string" || title.trim() === "") {
    throw new ConversationError("title must be a non-empty string", "bad_request");
  }
  const trimmed = title.trim();
  if (trimmed.length > MAX_TITLE_CHARS) {
    throw new ConversationError(
      `title is too long: ${trimmed.length} > ${MAX_TITLE_CHARS} characters`,
      "bad_request",
    );
  }
  return trimmed;
}

/** A question's text: refused when empty or too long. */
export function checkContent(content: unknown): void {
  if (typeof content !== "string" || content.trim() === "") {
    throw new ConversationError("content must be a non-empty string", "bad_request");
  }
  if (content.length > MAX_CONTENT_CHARS) {
    throw new ConversationError(
      `content is too long: ${content.length} > ${MAX_CONTENT_CHARS} characters`,
      "bad_request",
    );
  }
}
