/**
 * Registers the service worker (/sw.js) that keeps the page's shell for when the node cannot be
 * reached. Browsers allow one only in a secure context: on this machine (localhost) or behind
 * HTTPS; over plain http on the LAN the page works the same, just not offline.
 */
export function registerServiceWorker(
  nav: Pick<Navigator, "serviceWorker"> | undefined = globalThis.navigator,
  secure: boolean = globalThis.isSecureContext ?? false,
): Promise<boolean> {
  if (!secure || !nav?.serviceWorker) return Promise.resolve(false);
  return nav.serviceWorker.register("/sw.js", { scope: "/" }).then(
    () => true,
    (error) => {
      console.warn("service worker not registered", error);
      return false;
    },
  );
}
