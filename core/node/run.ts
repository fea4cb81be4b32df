/** `neuromesh run`: starts a node, prints the banner, runs until SIGINT/SIGTERM. */
import { pageUrl, startBanner } from "../cli/banner.ts";
import { openBrowserIfDoubleClicked } from "../cli/open_browser.ts";
import type { Invocation } from "../config/from_process.ts";
import { createLogger } from "../log/logger.ts";
import { APP_VERSION } from "../version.ts";
import { type RunningNode, startNode } from "./start.ts";

/** Runs a node until SIGINT/SIGTERM; returns the exit code. */
export async function runNode(invocation: Invocation): Promise<number> {
  const { config } = invocation;
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  // Listen before starting: a stop requested while the node starts waits for the start, then
  // shuts down cleanly instead of killing the process half-way.
  const stopRequested = new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", resolve);
    if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", resolve);
  });
  const node = await startNode(config, invocation.explicit, logger);
  const page = pageUrl(config.httpHost, node.httpPort);
  logger.info("node started", { id: node.identity.nodeId, name: node.identity.name, page });
  console.log(banner(invocation, node));
  openBrowserIfDoubleClicked(page, config.open);
  await stopRequested;
  logger.info("shutting down");
  await node.stop();
  return 0;
}

/** What the console shows at start: where the node is, and a new API token once. */
function banner({ config }: Invocation, node: RunningNode): string {
  const lines = startBanner({
    version: APP_VERSION,
    nodeName: node.identity.name,
    nodeId: node.identity.nodeId,
    httpHost: config.httpHost,
    httpPort: node.httpPort,
    dataDir: config.dataDir,
    peerPort: node.peerPort,
    discoveryPort: config.discoveryPort,
    discovery: config.discovery,
    ollamaUrl: config.openaiUrl ?? config.ollamaUrl,
    ollamaModels: node.localModels(),
  });
  if (node.newApiToken) {
    lines.push(
      `API token for other devices (shown only now; rotate it with POST /api/token/rotate ` +
        `from this machine): ${node.newApiToken}\n` +
        `  open http://<this machine>:${node.httpPort}/?token=${node.newApiToken} once in their browser`,
    );
  }
  return lines.join("\n");
}
