import { type ReadonlySignal, signal } from "@preact/signals";
import { parseRoute, type Route, routePath } from "../lib/route.ts";

/** The browser's address bar and history, as the view model uses them. */
export interface AddressBar {
  path(): string;
  push(path: string): void;
  replace(path: string): void;
  /** Calls `listener` when the person goes back or forward. */
  onPopState(listener: () => void): void;
}

const browserAddressBar: AddressBar = {
  path: () => globalThis.location?.pathname ?? "/",
  push: (path) => history.pushState(null, "", path),
  replace: (path) => history.replaceState(null, "", path),
  onPopState: (listener) => addEventListener("popstate", listener),
};

/** View-only state: which view is open (mirrored in the address bar), the drawer, the search. */
export interface ViewModel {
  readonly route: ReadonlySignal<Route>;
  readonly drawerOpen: ReadonlySignal<boolean>;
  readonly search: ReadonlySignal<string>;
  navigate(next: Route, options?: { replace?: boolean }): void;
  openDrawer(): void;
  closeDrawer(): void;
  setSearch(text: string): void;
  /** Follows back and forward from now on. */
  followBrowserHistory(): void;
}

export function createViewModel(
  { addressBar = browserAddressBar }: { addressBar?: AddressBar } = {},
): ViewModel {
  const route = signal<Route>(parseRoute(addressBar.path()));
  const drawerOpen = signal(false);
  const search = signal("");
  return {
    route,
    drawerOpen,
    search,
    navigate(next, options = {}) {
      const path = routePath(next);
      if (path !== addressBar.path()) {
        if (options.replace) addressBar.replace(path);
        else addressBar.push(path);
      }
      route.value = next;
      drawerOpen.value = false;
    },
    openDrawer: () => (drawerOpen.value = true),
    closeDrawer: () => (drawerOpen.value = false),
    setSearch: (text) => (search.value = text),
    followBrowserHistory() {
      addressBar.onPopState(() => (route.value = parseRoute(addressBar.path())));
    },
  };
}
