import { effect, untracked } from "@preact/signals";
import { render } from "preact";
import { App } from "./components/App.tsx";
import { registerServiceWorker } from "./lib/service_worker.ts";
import { clock, conversations, live, view } from "./models/app.ts";

// The chat view follows the address bar: /c/<id> opens that conversation, / a new chat.
// Only the route is tracked: openConversation reads the current conversation, and re-running it
// when a new chat sets that (before the address changes) wiped the answer streaming into it.
effect(() => {
  const current = view.route.value;
  untracked(() => {
    if (current.view === "chat") void conversations.openConversation(current.conversationId);
  });
});
// The tab says where the person is.
effect(() => {
  const where = view.route.value.view;
  const title = where === "peers"
    ? "Mesh"
    : where === "settings"
    ? "Settings"
    : conversations.current.value?.title;
  document.title = title ? `${title} · NeuroMesh` : "NeuroMesh";
});
view.followBrowserHistory();
live.start();
clock.start();
render(<App />, document.getElementById("app")!);
void registerServiceWorker();
