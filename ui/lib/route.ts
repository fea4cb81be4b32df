/** The page's address bar: which view is open. The server answers every such path with the page. */
export type Route =
  | { view: "chat"; conversationId: string | null }
  | { view: "peers" }
  | { view: "settings" };

export function parseRoute(pathname: string): Route {
  if (pathname === "/peers") return { view: "peers" };
  if (pathname === "/settings") return { view: "settings" };
  const match = pathname.match(/^\/c\/([^/]+)\/?$/);
  if (match) return { view: "chat", conversationId: decodeURIComponent(match[1]) };
  return { view: "chat", conversationId: null };
}

export function routePath(route: Route): string {
  if (route.view === "peers") return "/peers";
  if (route.view === "settings") return "/settings";
  return route.conversationId ? `/c/${encodeURIComponent(route.conversationId)}` : "/";
}
