import { signal } from "@preact/signals";
import { parseRoute, type Route, routePath } from "../lib/route.ts";

/** View-only state: which view is open (mirrored in the address bar), the drawer, the search. */
export const route = signal<Route>(parseRoute(globalThis.location?.pathname ?? "/"));
export const drawerOpen = signal(false);
export const search = signal("");

export function navigate(next: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(next);
  if (path !== location.pathname) {
    if (options.replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
  }
  route.value = next;
  drawerOpen.value = false;
}

export function followBrowserHistory(): void {
  addEventListener("popstate", () => {
    route.value = parseRoute(location.pathname);
  });
}
