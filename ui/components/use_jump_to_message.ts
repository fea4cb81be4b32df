import { useEffect } from "preact/hooks";
import { conversations, search } from "../models/app.ts";

/** How long a found message stays highlighted. */
const HIGHLIGHT_MS = 4_000;
/** How long the page waits for the conversation to load before giving up the jump. */
const GIVE_UP_MS = 5_000;

/**
 * Brings the message a search hit named into view once its conversation is open: scrolled to
 * the middle, highlighted for a moment and focused (so a screen reader reads it).
 */
export function useJumpToMessage(): void {
  const target = search.jumpTarget.value;
  const openId = conversations.currentId.value;
  const messages = conversations.messages.value;
  useEffect(() => {
    if (!target || target.conversationId !== openId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const tryJump = () => {
      const element = document.querySelector<HTMLElement>(
        `[data-message-id="${CSS.escape(target.messageId)}"]`,
      );
      if (!element) {
        if (Date.now() - started < GIVE_UP_MS) timer = setTimeout(tryJump, 100);
        else search.jumped();
        return;
      }
      element.scrollIntoView({ block: "center" });
      element.classList.add("found-message");
      element.tabIndex = -1;
      element.focus({ preventScroll: true });
      setTimeout(() => element.classList.remove("found-message"), HIGHLIGHT_MS);
      search.jumped();
    };
    // After the chat view's own scroll to the newest message, which runs on the same update.
    timer = setTimeout(tryJump, 50);
    return () => clearTimeout(timer);
  }, [target, openId, messages]);
}
