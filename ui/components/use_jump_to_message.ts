import { useEffect } from "preact/hooks";
import { conversations, search } from "../models/app.ts";

/** How long a found message stays highlighted. */
const HIGHLIGHT_MS = 4_000;
/** The CSS highlight (`::highlight(found-words)`) that marks the found words in the message. */
const WORDS_HIGHLIGHT = "found-words";

/** Where `words` occur in the text under `root`, case-insensitively. */
function wordRanges(root: Node, words: string[]): Range[] {
  const ranges: Range[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent ?? "").toLowerCase();
    for (const word of words) {
      for (
        let at = text.indexOf(word);
        at >= 0 && word;
        at = text.indexOf(word, at + word.length)
      ) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        ranges.push(range);
      }
    }
  }
  return ranges;
}

/** Marks the found words with the CSS Custom Highlight API, where the browser has it. */
function markWords(root: Node, words: string[]): void {
  const registry = (CSS as unknown as { highlights?: Map<string, unknown> }).highlights;
  const Highlight = (globalThis as { Highlight?: new (...ranges: Range[]) => unknown }).Highlight;
  if (!registry || !Highlight) return;
  registry.set(WORDS_HIGHLIGHT, new Highlight(...wordRanges(root, words)));
  setTimeout(() => registry.delete(WORDS_HIGHLIGHT), 2 * HIGHLIGHT_MS);
}

/** How long the page waits for the conversation to load before giving up the jump. */
const GIVE_UP_MS = 5_000;

/**
 * Brings the message a search hit named into view once its conversation is open: scrolled to
 * the middle, outlined for a moment with the found words marked, and focused (so a screen
 * reader reads it).
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
      markWords(element, target.words);
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
