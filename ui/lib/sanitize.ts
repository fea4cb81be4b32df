import DOMPurify from "dompurify";

/**
 * The last gate before HTML reaches the DOM: DOMPurify drops scripts, event handlers and
 * javascript: URLs. Links open in a new tab without access to this page.
 */
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "form", "input", "textarea", "select", "iframe", "object", "embed"],
    ADD_ATTR: ["target"],
  });
}
