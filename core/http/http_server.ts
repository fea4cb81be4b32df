/**
 * The page and API server. Deno.serve has no header timeout (a client that sends half a request
 * line and then nothing holds its connection forever), so the node serves through node:http,
 * whose timeouts close such connections: `headersTimeoutMs` for the request head,
 * `requestTimeoutMs` for the whole request including its body, and a short keep-alive idle time.
 */
import { createServer, type Server } from "node:http";
import { DEFAULT_HEADERS_TIMEOUT_MS } from "./limits.ts";
import { type FetchHandler, nodeListener } from "./node_fetch_adapter.ts";

export interface HttpServerOptions {
  /** A TCP address, or the path of a unix socket. */
  listen: { hostname: string; port: number } | { path: string };
  /** Close a connection whose request head is not complete after this long. @default 10_000 */
  headersTimeoutMs?: number;
  /** Close a connection whose whole request (head and body) is not in after this long. @default 300_000 */
  requestTimeoutMs?: number;
  /** Close a keep-alive connection idle for this long between requests. @default 5_000 */
  keepAliveTimeoutMs?: number;
  /** On shutdown, how long requests in flight may finish before their connections are cut. @default 500 */
  closeGraceMs?: number;
  onError?: (error: unknown) => void;
}

export interface HttpServer {
  /** The bound TCP port (the requested one unless it was 0); 0 for a unix socket. */
  readonly port: number;
  /** Stops listening; connections still busy after the grace period are cut. */
  close(): Promise<void>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** Starts serving `handler`; resolves once listening, rejects with a one-line reason otherwise. */
export async function startHttpServer(
  handler: FetchHandler,
  options: HttpServerOptions,
): Promise<HttpServer> {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    headersTimeout,
  );
  const server: Server = createServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
      // How often node:http looks for connections past their timeouts.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, headersTimeout / 4)),
      noDelay: true,
    },
    nodeListener(handler, options.onError ?? (() => {})),
  );
  // No "clientError" listener: node:http then answers a malformed request 400, a too large head
  // 431 and a timed-out one 408, and closes the connection.
  const where = "path" in options.listen
    ? options.listen.path
    : `${options.listen.hostname}:${options.listen.port}`;
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new Error(`cannot listen on ${where}: ${error.message}`));
    server.once("error", failed);
    const listening = () => {
      server.off("error", failed);
      // Later server errors (e.g. out of file descriptors on accept) are reported, not thrown.
      server.on("error", (error) => options.onError?.(error));
      resolve();
    };
    if ("path" in options.listen) server.listen(options.listen.path, listening);
    else server.listen(options.listen.port, options.listen.hostname, listening);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const grace = options.closeGraceMs ?? 500;
  return {
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)));
      await Promise.race([closed, graceOver]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    },
  };
}
