import { shortId } from "../identity/identity.ts";
import { isLoopbackHost } from "../net/loopback.ts";

export interface BannerInfo {
  version: string;
  nodeName: string;
  nodeId: string;
  httpHost: string;
  /** The port the page really listens on (the configured one may be 0). */
  httpPort: number;
  dataDir: string;
  peerPort: number;
  discoveryPort: number;
  discovery: boolean;
  ollamaUrl: string;
  /** Models of the local Ollama, or null when none answered at `ollamaUrl`. */
  ollamaModels: string[] | null;
}

const WILDCARD = new Set(["0.0.0.0", "::", "[::]"]);

/** The address to open the page at: localhost for loopback and all-interfaces binds. */
export function pageUrl(httpHost: string, httpPort: number): string {
  if (isLoopbackHost(httpHost) || WILDCARD.has(httpHost)) return `http://localhost:${httpPort}`;
  const host = httpHost.includes(":") && !httpHost.startsWith("[") ? `[${httpHost}]` : httpHost;
  return `http://${host}:${httpPort}`;
}

/** The lines printed when a node starts: where the page is, what runs here, what to do next. */
export function startBanner(info: BannerInfo): string[] {
  const lines = [
    `NeuroMesh ${info.version} is running.`,
    `  Open     ${pageUrl(info.httpHost, info.httpPort)}` +
    (WILDCARD.has(info.httpHost) ? "  (also reachable from your network)" : ""),
    `  Node     ${info.nodeName} (${shortId(info.nodeId)})`,
    `  Data     ${info.dataDir}`,
    `  Peers    ${info.peerPort}/tcp, discovery ${
      info.discovery ? `${info.discoveryPort}/udp` : "off"
    }`,
  ];
  if (info.ollamaModels === null) {
    lines.push(
      `  Ollama   not found at ${info.ollamaUrl}: models shared by other devices still work.`,
      "           To run models here, install Ollama from https://ollama.com/download, then: ollama pull llama3.2",
    );
  } else if (info.ollamaModels.length === 0) {
    lines.push(`  Ollama   found at ${info.ollamaUrl}, no models yet: ollama pull llama3.2`);
  } else {
    const count = info.ollamaModels.length;
    lines.push(
      `  Ollama   found at ${info.ollamaUrl}: ${count} model${count === 1 ? "" : "s"} (${
        info.ollamaModels.join(", ")
      })`,
    );
  }
  return lines;
}
