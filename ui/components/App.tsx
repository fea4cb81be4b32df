import { drawerOpen, route } from "../models/view.ts";
import { ChatView } from "./ChatView.tsx";
import { ConnectionBanner } from "./ConnectionBanner.tsx";
import { PeersPanel } from "./PeersPanel.tsx";
import { SettingsPanel } from "./SettingsPanel.tsx";
import { Sidebar } from "./Sidebar.tsx";

export function App() {
  const view = route.value.view;
  return (
    <div class={drawerOpen.value ? "app drawer-open" : "app"}>
      <Sidebar />
      <div class="scrim" aria-hidden="true" onClick={() => (drawerOpen.value = false)} />
      <main class="main">
        <ConnectionBanner />
        {view === "chat" ? <ChatView /> : view === "peers" ? <PeersPanel /> : <SettingsPanel />}
      </main>
    </div>
  );
}
