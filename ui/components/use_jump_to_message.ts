import { useEffect } from "preact/hooks";
import { conversations, search } from "../models/app.ts";
import { FOUND_HIGHLIGHT_MS } from "../models/search.ts";

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
  setTimeout(() => registry.delete(WORDS_HIGHLIGHT), 2 * FOUND_HIGHLIGHT_MS);
}

/**
 * Longest wait for the message to be drawn while its conversation loads or holds it; one that
 * has loaded without it (a version not shown, deleted since) is given up at once.
 */
const GIVE_UP_MS = 30_000;

/** Whether the message may still appear: the conversation is loading, or it holds the message. */
function mayAppear(messageId: string): boolean {
  return conversations.loadingConversation.peek() ||
    conversations.shown.peek().some((message) => message.id === messageId);
}

/**
 * Brings the message a search hit named into view once its conversation is open: scrolled to
 * the middle, outlined for a moment with the found words marked, and focused (so a screen
 * reader reads it).
 */
export function useJumpToMessage(): void {
  const target = search.jumpTarget.value;
  const openId = conversations.currentId.value;
  // Not on every change of the messages: an answer still being written changes them with each
  // word, and restarting the wait each time would put the jump off until the answer ended.
  useEffect(() => {
    if (!target || target.conversationId !== openId) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const tryJump = () => {
      const element = document.querySelector<HTMLElement>(
        `[data-message-id="${CSS.escape(target.messageId)}"]`,
      );
      if (!element) {
        if (mayAppear(target.messageId) && Date.now() - started < GIVE_UP_MS) {
          timer = setTimeout(tryJump, 100);
        } else search.jumped();
        return;
      }
      element.scrollIntoView({ block: "center" });
      markWords(element, target.words);
      element.tabIndex = -1;
      element.focus({ preventScroll: true });
      search.jumped(target.messageId); // the message draws itself highlighted (search.found)
    };
    // After the chat view's own scroll to the newest message, which runs on the same update.
    timer = setTimeout(tryJump, 50);
    return () => clearTimeout(timer);
  }, [target, openId]);
}
