import assert from "node:assert/strict";
import { type AddressBar, createViewModel } from "./view.ts";

function fakeAddressBar(start: string) {
  const log: string[] = [];
  let path = start;
  let onPop: (() => void) | null = null;
  const bar: AddressBar = {
    path: () => path,
    push: (next) => {
      log.push(`push ${next}`);
      path = next;
    },
    replace: (next) => {
      log.push(`replace ${next}`);
      path = next;
    },
    onPopState: (listener) => (onPop = listener),
  };
  return {
    bar,
    log,
    back(to: string) {
      path = to;
      onPop?.();
    },
  };
}

Deno.test("the view starts from the address bar", () => {
  const { bar } = fakeAddressBar("/c/abc%20d");
  assert.deepEqual(createViewModel({ addressBar: bar }).route.value, {
    view: "chat",
    conversationId: "abc d",
  });
});

Deno.test("navigate() pushes a new path, replaces on request, and closes the drawer", () => {
  const { bar, log } = fakeAddressBar("/");
  const view = createViewModel({ addressBar: bar });
  view.openDrawer();
  assert.equal(view.drawerOpen.value, true);
  view.navigate({ view: "peers" });
  assert.deepEqual(view.route.value, { view: "peers" });
  assert.equal(view.drawerOpen.value, false);
  view.navigate({ view: "settings" }, { replace: true });
  view.navigate({ view: "settings" });
  assert.deepEqual(log, ["push /peers", "replace /settings"]);
});

Deno.test("followBrowserHistory() follows back and forward", () => {
  const address = fakeAddressBar("/");
  const view = createViewModel({ addressBar: address.bar });
  view.followBrowserHistory();
  address.back("/settings");
  assert.deepEqual(view.route.value, { view: "settings" });
});

Deno.test("the drawer and the search are set through actions", () => {
  const view = createViewModel({ addressBar: fakeAddressBar("/").bar });
  view.openDrawer();
  view.closeDrawer();
  assert.equal(view.drawerOpen.value, false);
  view.setSearch("llama");
  assert.equal(view.search.value, "llama");
});
