import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { EventHub, LiveEvent } from "../events/hub.ts";
import { SettingsPatch, SettingsRejected, type SettingsStore } from "../settings/settings.ts";
import { describeZodError, readJson } from "./errors.ts";

export interface Load {
  inFlight: number;
  capacity: number;
  queued: number;
}

export interface NodeView {
  id: string;
  shortId: string;
  name: string;
  version: string;
  protocolVersion: number;
  uptimeSec: number;
  hasLlm: boolean;
  httpPort: number;
  peerPort: number;
  models: string[];
  load: Load;
  /** Link security at a glance; details at GET /api/trust. */
  security?: SecuritySummary;
}

export interface SecuritySummary {
  trustMode: "open" | "mesh-key" | "approve";
  /** False only with --insecure-plaintext-links. */
  encryptedLinks: boolean;
  /** Nodes waiting for approval (approve mode). */
  pending: number;
  /** Security alerts recorded (impersonation attempts, wrong mesh keys). */
  alerts: number;
  /** True when the API also listens beyond loopback and asks others for the token. */
  apiTokenRequired: boolean;
}

export interface PeerView {
  id: string;
  shortId: string;
  name: string;
  address: string;
  state: "up" | "connecting" | "backoff" | "lost" | "discovered";
  legacy: boolean;
  lastSeen: string | null;
  hasLlm: boolean;
  rttMs: number | null;
  models: string[];
  load: Load | null;
  tokensPerSec: number | null;
  access: { requests: number; granted: number; refused: number; limited: boolean } | null;
}

export interface StatusView {
  node: NodeView;
  peers: PeerView[];
}

export interface NodeRoutesDeps {
  status: () => StatusView;
  settings: SettingsStore;
  events: EventHub;
  /** Interval of SSE keep-alive comments (proxies drop silent streams). */
  keepAliveMs?: number;
}

/** `/api/status`, `/api/settings` and the live event stream `/api/events`. */
export function nodeRoutes(deps: NodeRoutesDeps): Hono {
  const app = new Hono();

  app.get("/api/status", (c) => c.json(deps.status()));

  app.get("/api/settings", (c) => c.json(deps.settings.current));

  app.patch("/api/settings", async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const patch = SettingsPatch.safeParse(body.value);
    if (!patch.success) return c.json({ error: describeZodError(patch.error) }, 400);
    try {
      return c.json(await deps.settings.update(patch.data));
    } catch (error) {
      if (error instanceof SettingsRejected) return c.json({ error: error.message }, 400);
      throw error;
    }
  });

  app.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.events.subscribe((event) => {
        queue.push(event);
        wake?.();
      });
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      let open = true;
      closed.then(() => {
        open = false;
        wake?.();
      });
      try {
        const snapshot = deps.status();
        await stream.writeSSE({ event: "node", data: JSON.stringify(snapshot.node) });
        await stream.writeSSE({ event: "peers", data: JSON.stringify(snapshot.peers) });
        const keepAlive = deps.keepAliveMs ?? 15_000;
        while (open) {
          if (queue.length === 0) {
            const timer = new Promise<"tick">((resolve) => {
              const id = setTimeout(() => resolve("tick"), keepAlive);
              wake = () => {
                clearTimeout(id);
                resolve("tick");
              };
            });
            await timer;
            wake = null;
            if (queue.length === 0 && open) await stream.write(": keep-alive\n\n");
            continue;
          }
          const event = queue.shift()!;
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event.data) });
        }
      } finally {
        unsubscribe();
      }
    }));

  return app;
}
