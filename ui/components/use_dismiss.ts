import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** Closes a popover on Escape or a press outside `root` while it is open. */
export function useDismiss(open: boolean, root: RefObject<HTMLElement>, close: () => void): void {
  useEffect(() => {
    if (!open) return;
    const onEvent = (event: Event) => {
      const outside = event instanceof KeyboardEvent
        ? event.key === "Escape"
        : !root.current?.contains(event.target as Node);
      if (outside) close();
    };
    document.addEventListener("pointerdown", onEvent);
    document.addEventListener("keydown", onEvent);
    return () => {
      document.removeEventListener("pointerdown", onEvent);
      document.removeEventListener("keydown", onEvent);
    };
  }, [open]);
}
