import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

const ITEMS = '[role="menuitem"], [role="menuitemcheckbox"]';

/**
 * Keyboard use of an open menu, as the ARIA menu pattern has it: the first item takes focus when
 * it opens; Up/Down (wrapping), Home and End move between items; Escape closes it and gives focus
 * back to the button that opened it, without reaching the page's other Escape handlers (the phone
 * drawer stays open).
 */
export function useMenuKeys(
  open: boolean,
  menu: RefObject<HTMLElement>,
  button: RefObject<HTMLElement>,
  close: () => void,
): (event: KeyboardEvent) => void {
  useEffect(() => {
    if (open) menu.current?.querySelector<HTMLElement>(ITEMS)?.focus();
  }, [open]);
  return (event) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const to = (index: number) => items[(index + items.length) % items.length]?.focus();
    if (event.key === "ArrowDown") to(at + 1);
    else if (event.key === "ArrowUp") to(at < 0 ? -1 : at - 1);
    else if (event.key === "Home") to(0);
    else if (event.key === "End") to(-1);
    else if (event.key === "Escape") {
      event.stopPropagation();
      close();
      button.current?.focus();
    } else return;
    event.preventDefault();
  };
}
