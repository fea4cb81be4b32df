import { effect, untracked } from "@preact/signals";
import { render } from "preact";
import { App } from "./components/App.tsx";
import { startClock } from "./models/clock.ts";
import { current, openConversation } from "./models/conversations.ts";
import { startLiveUpdates } from "./models/live.ts";
import { followBrowserHistory, route } from "./models/view.ts";

// The chat view follows the address bar: /c/<id> opens that conversation, / a new chat.
// Only the route is tracked: openConversation reads the current conversation, and re-running it
// when a new chat sets that (before the address changes) wiped the answer streaming into it.
effect(() => {
  const current = route.value;
  untracked(() => {
    if (current.view === "chat") void openConversation(current.conversationId);
  });
});
// The tab says where the person is.
effect(() => {
  const view = route.value.view;
  const where = view === "peers" ? "Mesh" : view === "settings" ? "Settings" : current.value?.title;
  document.title = where ? `${where} · NeuroMesh` : "NeuroMesh";
});
followBrowserHistory();
startLiveUpdates();
startClock();
render(<App />, document.getElementById("app")!);
