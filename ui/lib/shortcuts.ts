/**
 * The page's keyboard shortcuts, decided from a key event and the page's state (pure, so tested
 * without a browser). Chosen like ChatGPT's where one exists:
 *
 * - Escape: closes the phone drawer, else stops the answer being written.
 * - Ctrl+Shift+O (⌘⇧O on a Mac): a new chat.
 * - Shift+Escape, or "/" outside a text field: to the message box.
 */
export type Shortcut = "close-drawer" | "stop-answer" | "new-chat" | "focus-message";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  isComposing?: boolean;
  defaultPrevented?: boolean;
}

export interface ShortcutState {
  drawerOpen: boolean;
  /** An answer is being written in the open chat. */
  streaming: boolean;
  /** Focus is in a text field (where "/" is just a character). */
  typing: boolean;
}

/** The shortcut `event` asks for, or null when it is none (or a field already handled it). */
export function shortcutFor(event: KeyLike, state: ShortcutState): Shortcut | null {
  if (event.isComposing || event.defaultPrevented) return null;
  const command = event.ctrlKey || event.metaKey;
  if (event.key === "Escape" && !command && !event.altKey) {
    if (event.shiftKey) return "focus-message";
    if (state.drawerOpen) return "close-drawer";
    return state.streaming ? "stop-answer" : null;
  }
  if (command && event.shiftKey && !event.altKey && event.key.toLowerCase() === "o") {
    return "new-chat";
  }
  if (event.key === "/" && !command && !event.altKey && !state.typing) return "focus-message";
  return null;
}

/** True when `element` takes typed text (so "/" must stay a character there). */
export function isTextField(element: Element | null): boolean {
  if (!element) return false;
  const tag = element.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (element as HTMLInputElement).type;
    return !["button", "checkbox", "radio", "submit", "reset", "range", "color"].includes(type);
  }
  return (element as HTMLElement).isContentEditable === true;
}
