/**
 * Model views asked of the hosts: what each host's backend has loaded (`/api/ps`) and one
 * model's details (`/api/show`) from a host that has it. The host answers `MVRQ:` from its own
 * backend with `MVRS:`; the client asks every host (ps) or the hosts of one model in turn (show).
 * See docs/protocol.md ("Model views") and docs/llm.md.
 */
import type { PeerBus, PeerRef } from "../peers/bus.ts";
import type { Clock, TimerHandle } from "../time/clock.ts";
import type { RefusalCode } from "../wire/messages/llm.ts";
import type { LoadedModel, ModelViewRequest, ModelViewResponse } from "../wire/messages/show.ts";
import type { AccessControl } from "./access_control.ts";
import type { LlmBackend } from "./backend.ts";
import type { LocalEngine } from "./local_engine.ts";
import type { MeshModel } from "./mesh_model.ts";
import { sameModel } from "./router.ts";

/** The host a view entry comes from. */
export interface ViewHost {
  nodeId: string;
  name: string;
}

export interface HostedLoadedModel {
  host: ViewHost;
  model: LoadedModel;
}

/** `/api/show` of a model: the answer of the first host that had it, or why none answered. */
export type ShowResult =
  | { found: true; host: ViewHost; show: Record<string, unknown> }
  | { found: false; asked: number; message: string };

export interface ModelViewsApi {
  /** Every host's loaded models (hosts that do not answer in time are left out). */
  ps(): Promise<HostedLoadedModel[]>;
  show(model: string, verbose?: boolean): Promise<ShowResult>;
}

/** An `MVRQ:` without its request id. */
export type ViewQuestion = { kind: "ps" } | { kind: "show"; model: string; verbose?: boolean };

/** A view the backend cannot give. */
export class ViewUnavailable extends Error {
  constructor(message: string, readonly code: RefusalCode = "upstream") {
    super(message);
  }
}

/** The Ollama URL of a backend that is Ollama, else null. */
function ollamaUrlOf(backend: LlmBackend | null): string | null {
  return backend?.ollamaUrl ?? null;
}

const whole = (v: unknown) =>
  typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
const text = (v: unknown, max: number) => typeof v === "string" && v.length <= max ? v : undefined;

/** Ollama's `/api/ps` body as wire entries; entries without a name are dropped. */
export function loadedFromOllama(body: unknown): LoadedModel[] {
  const models = (body as { models?: unknown })?.models;
  if (!Array.isArray(models)) return [];
  const out: LoadedModel[] = [];
  for (const m of models.slice(0, 2000)) {
    const name = text(m?.name, 256) || text(m?.model, 256);
    if (!name) continue;
    const details = m.details && typeof m.details === "object" && !Array.isArray(m.details)
      ? m.details as Record<string, unknown>
      : undefined;
    out.push({
      name,
      model: text(m.model, 256),
      size: whole(m.size) ?? 0,
      digest: text(m.digest, 128),
      details,
      expiresAt: text(m.expires_at, 64),
      sizeVram: whole(m.size_vram),
      contextLength: whole(m.context_length),
    });
  }
  return out;
}

/** One `/api/ps` entry in Ollama's shape, naming its host. */
export function ollamaPsOf(entry: HostedLoadedModel) {
  const { model, host } = entry;
  return {
    name: model.name,
    model: model.model ?? model.name,
    size: model.size,
    digest: model.digest ?? "",
    details: model.details ?? {},
    expires_at: model.expiresAt ?? "",
    size_vram: model.sizeVram ?? 0,
    ...(model.contextLength !== undefined ? { context_length: model.contextLength } : {}),
    neuromesh: { nodeId: host.nodeId, name: host.name },
    // for `neuromesh ps` and other readers of the merged list's `hosts`
    host: { nodeId: host.nodeId, name: host.name, expires_at: model.expiresAt },
  };
}

async function fetchJson(
  backend: LlmBackend | null,
  path: string,
  init: RequestInit,
  signal?: AbortSignal,
): Promise<unknown> {
  const url = ollamaUrlOf(backend);
  if (!url) throw new ViewUnavailable("this host's backend has no Ollama model views");
  const res = await fetch(`${url}${path}`, { ...init, signal });
  if (res.status === 404) {
    await res.body?.cancel();
    throw new ViewUnavailable(`model not found on this host's backend`, "no_model");
  }
  if (!res.ok) {
    const body = await res.text().catch(() => "");
    throw new ViewUnavailable(`backend ${path} answered ${res.status}: ${body.slice(0, 200)}`);
  }
  return await res.json();
}

/** What the backend has loaded; nothing for a backend without the view. */
export async function backendLoaded(
  backend: LlmBackend | null,
  signal?: AbortSignal,
): Promise<LoadedModel[]> {
  if (!ollamaUrlOf(backend)) return [];
  return loadedFromOllama(await fetchJson(backend, "/api/ps", { method: "GET" }, signal));
}

/** The backend's `/api/show` answer for `model`, as it is. */
export async function backendShow(
  backend: LlmBackend | null,
  model: string,
  verbose: boolean | undefined,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const body = await fetchJson(backend, "/api/show", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, ...(verbose ? { verbose } : {}) }),
  }, signal);
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new ViewUnavailable("backend /api/show answered no object");
  }
  return body as Record<string, unknown>;
}

export interface ModelViewsOptions {
  nodeId: string;
  settings: () => { name: string };
  bus: PeerBus;
  clock: Clock;
  engine: LocalEngine;
  access: AccessControl;
  /** The mesh's merged model list (which host has what). */
  models: () => MeshModel[];
  /** Longest wait for a host's `MVRS:`. @default 5_000 */
  timeoutMs?: number;
}

interface Pending {
  peer: string;
  resolve(response: ModelViewResponse): void;
}

/** Both sides of `MVRQ:`/`MVRS:` and the mesh-wide views built on them. */
export class ModelViews implements ModelViewsApi {
  readonly #pending = new Map<string, Pending>();
  readonly #unsubscribe: (() => void)[];
  readonly #prefix = crypto.randomUUID().slice(0, 8);
  readonly #timeoutMs: number;
  #nextId = 0;

  constructor(private readonly o: ModelViewsOptions) {
    this.#timeoutMs = o.timeoutMs ?? 5_000;
    this.#unsubscribe = [
      o.bus.on("MVRQ:", (peer, request) => void this.#answer(peer, request)),
      o.bus.on("MVRS:", (peer, response) => {
        this.#pending.get(`${peer.id}/${response.requestId}`)?.resolve(response);
      }),
      o.bus.onLinkDown((peer) => {
        for (const [key, pending] of this.#pending) {
          if (pending.peer !== peer.id) continue;
          const requestId = key.slice(peer.id.length + 1);
          pending.resolve({ requestId, ok: false, code: "upstream", message: "link down" });
        }
      }),
    ];
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    for (const [key, pending] of this.#pending) {
      pending.resolve({ requestId: key, ok: false, code: "shutting_down", message: "closed" });
    }
  }

  /** The host side: answers from the local backend, after the same peer checks as chat. */
  async #answer(peer: PeerRef, request: ModelViewRequest): Promise<void> {
    const { bus, access, engine } = this.o;
    const { requestId } = request;
    const reply = (rest: Omit<ModelViewResponse, "requestId">) =>
      bus.send(peer.id, "MVRS:", { requestId, ...rest });
    const refusal = access.checkPeer(peer);
    if (refusal) return void reply({ ok: false, code: refusal.code, message: refusal.message });
    try {
      if (request.kind === "ps") {
        const ps = engine.monitor.state.available
          ? await backendLoaded(engine.monitor.backend)
          : [];
        return void reply({ ok: true, ps });
      }
      const name = engine.monitor.state.available
        ? engine.findModel(request.model, sameModel)
        : undefined;
      if (!name) {
        return void reply({
          ok: false,
          code: "no_model",
          message: `model "${request.model}" is not installed on this host`,
        });
      }
      reply({ ok: true, show: await backendShow(engine.monitor.backend, name, request.verbose) });
    } catch (error) {
      const code = error instanceof ViewUnavailable ? error.code : "upstream";
      reply({ ok: false, code, message: (error as Error).message.slice(0, 2048) });
    }
  }

  /** Asks `peerId`; resolves with its answer, or a failed one on timeout or link loss. */
  ask(peerId: string, request: ViewQuestion): Promise<ModelViewResponse> {
    const { bus, clock } = this.o;
    const requestId = `${this.#prefix}-${(this.#nextId++).toString(36)}`;
    const key = `${peerId}/${requestId}`;
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined = undefined;
      const done = (response: ModelViewResponse) => {
        if (timer !== undefined) clock.clearTimeout(timer);
        this.#pending.delete(key);
        resolve(response);
      };
      this.#pending.set(key, { peer: peerId, resolve: done });
      timer = clock.setTimeout(
        () =>
          done({
            requestId,
            ok: false,
            code: "upstream",
            message: `no answer within ${this.#timeoutMs} ms`,
          }),
        this.#timeoutMs,
      );
      const sent = bus.send(peerId, "MVRQ:", { ...request, requestId } as ModelViewRequest);
      if (!sent) done({ requestId, ok: false, code: "upstream", message: "no link" });
    });
  }

  #self(): ViewHost {
    return { nodeId: this.o.nodeId, name: this.o.settings().name };
  }

  async ps(): Promise<HostedLoadedModel[]> {
    const { engine } = this.o;
    const remote = new Map<string, ViewHost>();
    for (const model of this.o.models()) {
      for (const host of model.hosts) {
        if (!host.local) remote.set(host.nodeId, { nodeId: host.nodeId, name: host.name });
      }
    }
    const local = engine.monitor.state.available
      ? backendLoaded(engine.monitor.backend).catch(() => [] as LoadedModel[])
      : Promise.resolve([] as LoadedModel[]);
    const parts = await Promise.all([
      local.then((models) => models.map((model) => ({ host: this.#self(), model }))),
      ...[...remote.values()].map(async (host) => {
        const answer = await this.ask(host.nodeId, { kind: "ps" });
        return answer.ok ? (answer.ps ?? []).map((model) => ({ host, model })) : [];
      }),
    ]);
    return parts.flat();
  }

  async show(model: string, verbose?: boolean): Promise<ShowResult> {
    const found = this.o.models().find((m) => sameModel(m.name, model));
    if (!found) {
      return { found: false, asked: 0, message: `model "${model}" not found on the mesh` };
    }
    let message = "";
    for (const host of found.hosts) {
      const at: ViewHost = { nodeId: host.nodeId, name: host.name };
      if (host.local) {
        const backend = this.o.engine.monitor.backend;
        const name = this.o.engine.findModel(model, sameModel) ?? found.name;
        try {
          return {
            found: true,
            host: this.#self(),
            show: await backendShow(backend, name, verbose),
          };
        } catch (error) {
          message = `${this.o.settings().name}: ${(error as Error).message}`;
          continue;
        }
      }
      const answer = await this.ask(host.nodeId, { kind: "show", model: found.name, verbose });
      if (answer.ok && answer.show) return { found: true, host: at, show: answer.show };
      message = `${host.name}: ${answer.message ?? answer.code ?? "no answer"}`;
    }
    return { found: false, asked: found.hosts.length, message };
  }
}
