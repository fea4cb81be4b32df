/**
 * Serves the node's HTTP app: on its TCP address, and also on a unix socket when one is
 * configured (reverse proxies, tests in network namespaces). node:http, not Deno.serve: only it
 * closes connections that never finish their headers.
 */
import type { Config } from "../config/schema.ts";
import { startHttpServer } from "../http/http_server.ts";
import type { FetchHandler } from "../http/node_fetch_adapter.ts";
import type { Logger } from "../log/logger.ts";

export interface ServedHttp {
  /** The bound TCP port. */
  readonly port: number;
  /** Stops both listeners. */
  close(): Promise<void>;
}

export type HttpServingConfig = Pick<
  Config,
  "httpHost" | "httpPort" | "httpSocket" | "headerTimeoutMs"
>;

export async function serveHttp(
  handler: FetchHandler,
  config: HttpServingConfig,
  logger: Logger,
): Promise<ServedHttp> {
  const options = {
    headersTimeoutMs: config.headerTimeoutMs,
    onError: (error: unknown) => logger.error("http handler failed", { error }),
  };
  const tcp = await startHttpServer(handler, {
    ...options,
    listen: { hostname: config.httpHost, port: config.httpPort },
  });
  const servers = [tcp];
  try {
    if (config.httpSocket) {
      await Deno.remove(config.httpSocket).catch(() => {});
      servers.push(
        await startHttpServer(handler, { ...options, listen: { path: config.httpSocket } }),
      );
    }
  } catch (error) {
    await tcp.close();
    throw error;
  }
  logger.info("http listening", {
    url: `http://${config.httpHost}:${tcp.port}`,
    socket: config.httpSocket,
  });
  return {
    port: tcp.port,
    close: async () => {
      for (const server of servers.reverse()) await server.close();
    },
  };
}
