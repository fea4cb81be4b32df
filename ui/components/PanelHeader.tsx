import type { ComponentChildren } from "preact";
import { drawerOpen } from "../models/view.ts";
import { MenuIcon } from "./icons.tsx";

/** Top bar of the Mesh and Settings views. */
export function PanelHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="topbar">
      <button
        type="button"
        class="icon-button drawer-toggle"
        aria-label="Open the conversation list"
        onClick={() => (drawerOpen.value = true)}
      >
        <MenuIcon size={20} />
      </button>
      <div class="topbar-title">
        <h1>{title}</h1>
      </div>
      {children}
    </header>
  );
}
