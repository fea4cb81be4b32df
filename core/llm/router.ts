/**
 * Where should this chat run? A pure decision over a snapshot of the mesh: no I/O, no clock,
 * deterministic for equal inputs. The rules are documented in docs/llm.md ("Routing").
 */

export interface CandidateModel {
  name: string;
  size: number;
}

/** One place that could answer: the local backend or a linked peer, as last seen. */
export interface HostCandidate {
  id: string;
  name: string;
  local: boolean;
  models: CandidateModel[];
  /** Requests running on it. */
  inFlight: number;
  /** Requests waiting in its queue. */
  queued: number;
  capacity: number;
  queueLimit: number;
  /** Moving average of time to first token, ms; undefined until measured. */
  latencyMs?: number;
  healthy: boolean;
}

export interface RouteInput {
  /** Requested model; empty or undefined lets the router choose. */
  model?: string;
  candidates: readonly HostCandidate[];
  /** User's preferred host id. */
  preferredHost?: string;
  /** Host that served this conversation last. */
  affinityHost?: string;
  /** Hosts that already failed or refused this request. */
  exclude?: ReadonlySet<string>;
}

export type RouteReason = "preferred" | "affinity" | "local" | "least_loaded" | "queued";

export type RouteDecision =
  | {
    kind: "serve";
    host: HostCandidate;
    /** The model name exactly as the chosen host lists it. */
    model: string;
    reason: RouteReason;
    /** True when the host has no free slot: the request will wait in its queue. */
    wait: boolean;
  }
  | { kind: "busy"; model: string; message: string }
  | { kind: "no_host"; model?: string; message: string };

/** `llama3` and `llama3:latest` are the same model, as in Ollama. */
export function normalizeModel(name: string): string {
  const trimmed = name.trim();
  const lastSegment = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return lastSegment.includes(":") ? trimmed : `${trimmed}:latest`;
}

export function sameModel(a: string, b: string): boolean {
  return normalizeModel(a) === normalizeModel(b);
}

const load = (h: HostCandidate) => h.inFlight + h.queued;
const hasRoom = (h: HostCandidate) => load(h) < h.capacity;
const canQueue = (h: HostCandidate) => load(h) < h.capacity + h.queueLimit;

/**
 * Lighter relative load first, then lower latency, then id: ties are stable. An unmeasured
 * host counts as fastest, so every host gets tried (and measured) once.
 */
function byLoad(a: HostCandidate, b: HostCandidate): number {
  const ratio = load(a) / a.capacity - load(b) / b.capacity;
  if (ratio !== 0) return ratio;
  const la = a.latencyMs ?? 0;
  const lb = b.latencyMs ?? 0;
  if (la !== lb) return la < lb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Local first among equally loaded hosts (no network hop), otherwise byLoad. */
function byLoadLocalFirst(a: HostCandidate, b: HostCandidate): number {
  const ratio = load(a) / a.capacity - load(b) / b.capacity;
  if (ratio !== 0) return ratio;
  if (a.local !== b.local) return a.local ? -1 : 1;
  return byLoad(a, b);
}

/**
 * With no model named: the model offered by the most hosts (the answer can be spread and
 * failed over), then the largest (usually the most capable), then by name.
 */
export function chooseModel(candidates: readonly HostCandidate[]): string | undefined {
  const offers = new Map<string, { hosts: number; size: number; name: string }>();
  for (const host of candidates) {
    for (const model of host.models) {
      const key = normalizeModel(model.name);
      const entry = offers.get(key) ?? { hosts: 0, size: 0, name: model.name };
      entry.hosts++;
      entry.size = Math.max(entry.size, model.size);
      offers.set(key, entry);
    }
  }
  const best =
    [...offers.values()].sort((a, b) =>
      b.hosts - a.hosts || b.size - a.size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    )[0];
  return best?.name;
}

function modelOn(host: HostCandidate, model: string): string | undefined {
  return host.models.find((m) => sameModel(m.name, model))?.name;
}

/** A short list of what the mesh offers, for "no host" messages. */
function describeOffer(candidates: readonly HostCandidate[]): string {
  const names = [...new Set(candidates.flatMap((h) => h.models.map((m) => m.name)))].sort();
  if (names.length === 0) return "no host on the mesh offers any model";
  const shown = names.slice(0, 12).join(", ");
  return `the mesh offers: ${shown}${names.length > 12 ? `, … (${names.length} models)` : ""}`;
}

export function route(input: RouteInput): RouteDecision {
  const exclude = input.exclude ?? new Set<string>();
  const eligible = input.candidates.filter((h) => !exclude.has(h.id) && h.capacity > 0);
  const healthyEligible = eligible.filter((h) => h.healthy);
  const requested = input.model?.trim() || undefined;
  const model = requested ?? chooseModel(healthyEligible.length ? healthyEligible : eligible);
  if (!model) {
    const tried = exclude.size ? ` (${exclude.size} host(s) already failed for this request)` : "";
    return {
      kind: "no_host",
      message: input.candidates.length === 0
        ? "no LLM host is reachable: no local backend is up and no peer shares a model"
        : `no LLM host can take this request${tried}`,
    };
  }

  const holders = eligible.filter((h) => modelOn(h, model));
  if (holders.length === 0) {
    const tried = input.candidates.some((h) => exclude.has(h.id) && modelOn(h, model));
    return {
      kind: "no_host",
      model,
      message: tried
        ? `every host of model "${model}" failed for this request; ${describeOffer(eligible)}`
        : `model "${model}" is not available on the mesh; ${describeOffer(input.candidates)}`,
    };
  }
  // Unhealthy hosts are a last resort, used only when no healthy host has the model.
  const healthy = holders.filter((h) => h.healthy);
  const pool = healthy.length ? healthy : holders;
  const serve = (host: HostCandidate, reason: RouteReason): RouteDecision => ({
    kind: "serve",
    host,
    model: modelOn(host, model)!,
    reason,
    wait: !hasRoom(host),
  });

  const preferred = pool.find((h) => h.id === input.preferredHost);
  if (preferred && preferred.healthy && canQueue(preferred)) return serve(preferred, "preferred");

  const previous = pool.find((h) => h.id === input.affinityHost);
  if (previous && previous.healthy && hasRoom(previous)) return serve(previous, "affinity");

  const local = pool.find((h) => h.local);
  if (local && hasRoom(local)) return serve(local, "local");

  const withRoom = pool.filter((h) => !h.local && hasRoom(h)).sort(byLoad);
  if (withRoom.length) return serve(withRoom[0], "least_loaded");

  const queueable = pool.filter(canQueue).sort(byLoadLocalFirst);
  if (queueable.length) return serve(queueable[0], "queued");

  return {
    kind: "busy",
    model,
    message:
      `all ${pool.length} host(s) of model "${model}" are busy: every slot and wait queue is full`,
  };
}
