import type { ComponentChildren } from "preact";
import { trust, view } from "../models/app.ts";
import { waitingText } from "./Approvals.tsx";
import { MenuIcon } from "./icons.tsx";

/** The bar atop every view; on narrow screens it starts with the button that opens the drawer. */
export function TopBar({ children }: { children: ComponentChildren }) {
  const waiting = trust.pending.value.length;
  return (
    <header class="topbar">
      <button
        type="button"
        class="icon-button drawer-toggle"
        aria-label={waiting > 0
          ? `Open the conversation list (${waitingText(waiting)})`
          : "Open the conversation list"}
        onClick={view.openDrawer}
      >
        <MenuIcon size={20} />
        {waiting > 0 && <span class="toggle-badge" aria-hidden="true">{waiting}</span>}
      </button>
      {children}
    </header>
  );
}

/** Top bar of the Mesh and Settings views. */
export function PanelHeader({ title }: { title: string }) {
  return (
    <TopBar>
      <div class="topbar-title">
        <h1>{title}</h1>
      </div>
    </TopBar>
  );
}
