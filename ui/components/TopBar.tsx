import type { ComponentChildren } from "preact";
import { view } from "../models/app.ts";
import { MenuIcon } from "./icons.tsx";

/** The bar atop every view; on narrow screens it starts with the button that opens the drawer. */
export function TopBar({ children }: { children: ComponentChildren }) {
  return (
    <header class="topbar">
      <button
        type="button"
        class="icon-button drawer-toggle"
        aria-label="Open the conversation list"
        onClick={view.openDrawer}
      >
        <MenuIcon size={20} />
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
