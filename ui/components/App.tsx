import { view } from "../models/app.ts";
import { ApprovalBanner } from "./Approvals.tsx";
import { ChatView } from "./ChatView.tsx";
import { ConnectionBanner } from "./ConnectionBanner.tsx";
import { SkipLink, useKeyboard } from "./Keyboard.tsx";
import { PeersPanel } from "./PeersPanel.tsx";
import { SettingsPanel } from "./SettingsPanel.tsx";
import { Sidebar } from "./Sidebar.tsx";

export function App() {
  const open = view.route.value.view;
  useKeyboard();
  return (
    <div class={view.drawerOpen.value ? "app drawer-open" : "app"}>
      <SkipLink />
      <Sidebar />
      <div class="scrim" aria-hidden="true" onClick={view.closeDrawer} />
      <main class="main">
        <ConnectionBanner />
        <ApprovalBanner />
        {open === "chat" ? <ChatView /> : open === "peers" ? <PeersPanel /> : <SettingsPanel />}
      </main>
    </div>
  );
}
