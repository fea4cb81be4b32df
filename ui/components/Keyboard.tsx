import { useEffect, useRef } from "preact/hooks";
import { isTextField, type Shortcut, shortcutFor } from "../lib/shortcuts.ts";
import { conversations, view } from "../models/app.ts";

/** The message box, once the chat view shows it. */
function messageBox(): HTMLTextAreaElement | null {
  return document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
}

/** Focuses the message box, opening the chat view first when another view shows. */
export function focusMessageBox(): void {
  view.closeDrawer();
  if (view.route.value.view !== "chat") {
    view.navigate({ view: "chat", conversationId: conversations.currentId.value });
  }
  // After the chat view has rendered.
  requestAnimationFrame(() => messageBox()?.focus());
}

function run(shortcut: Shortcut): void {
  switch (shortcut) {
    case "close-drawer":
      view.closeDrawer();
      break;
    case "stop-answer":
      conversations.stop();
      break;
    case "new-chat":
      view.closeDrawer();
      conversations.newChat();
      focusMessageBox();
      break;
    case "focus-message":
      focusMessageBox();
      break;
  }
}

/**
 * The page's keyboard: shortcuts (ui/lib/shortcuts.ts) on the whole document, and focus that
 * follows the phone drawer — into it when it opens, back to its button when it closes.
 */
export function useKeyboard(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutFor(event, {
        drawerOpen: view.drawerOpen.value,
        streaming: conversations.isStreamingHere.value,
        typing: isTextField(document.activeElement),
      });
      if (!shortcut) return;
      event.preventDefault();
      run(shortcut);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const drawerOpen = view.drawerOpen.value;
  const wasOpen = useRef(false);
  useEffect(() => {
    if (drawerOpen) {
      document.querySelector<HTMLElement>(".sidebar .drawer-close")?.focus();
    } else if (wasOpen.current) {
      // Back to the button that opened it, unless the person went somewhere else meanwhile.
      // After the next frame: the drawer's close button must not keep focus once it is hidden,
      // and the toggle's visibility is only known when the closed layout is in place.
      requestAnimationFrame(() => {
        const active = document.activeElement;
        if (!active || active === document.body || active.closest(".sidebar")) {
          [...document.querySelectorAll<HTMLElement>(".drawer-toggle")]
            .find((el) => el.getClientRects().length > 0)?.focus();
        }
      });
    }
    wasOpen.current = drawerOpen;
  }, [drawerOpen]);
}

/** The first stop of Tab: straight to the message box, past the conversation list. */
export function SkipLink() {
  return (
    <a
      class="skip-link"
      href="#message"
      onClick={(event) => {
        event.preventDefault();
        focusMessageBox();
      }}
    >
      Skip to the message box
    </a>
  );
}
