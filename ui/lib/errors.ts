import type { StreamErrorKind } from "../api/types.ts";

/** One host a failed answer was tried on, as the node's error lists it. */
export type TriedHost = { host: string; code: string; message: string };

/**
 * The hosts the node tried, from its error text. The node's final error of a chat ends with
 * "— [tried ]<name>: <code> (<message>); <name>: <code> (<message>)" (core/llm/failover.ts
 * `finalError`; errors_test.ts checks this against it).
 */
export function triedHosts(detail: string): TriedHost[] {
  const at = detail.lastIndexOf("— ");
  if (at < 0) return [];
  const list = detail.slice(at + "— ".length).replace(/^tried /, "");
  const tried: TriedHost[] = [];
  for (const match of list.matchAll(/(?:^|; )(.+?): ([a-z_]+) \((.*?)\)(?=; |$)/g)) {
    tried.push({ host: match[1], code: match[2], message: match[3] });
  }
  return tried;
}

/** What the page knows of the mesh when it explains a failure. */
export interface ErrorContext {
  /** Devices that host at least one model now. */
  hostCount?: number;
  /** This device's name, to say "this device" instead of it. */
  selfName?: string;
}

/** "a", "a and b", "a, b and c". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const unique = (names: string[]) => [...new Set(names)];

/** Codes that mean the host could not even be asked: not running, not reachable. */
const SILENT_CODES = new Set(["link_down", "timeout", "stalled", "shutting_down"]);
/** An Ollama that is not running: its port refuses or the request never gets an answer. */
const NOT_RUNNING = /ECONNREFUSED|connection refused|connect|fetch failed|unreachable|timed? ?out/i;

const silent = (t: TriedHost) =>
  SILENT_CODES.has(t.code) || (t.code === "upstream" && NOT_RUNNING.test(t.message));

/** The hosts of a failed answer, grouped by what went wrong, in plain words. */
function explainTried(tried: TriedHost[], selfName?: string): string {
  const named = (host: string) => host === selfName ? "this device" : host;
  const group = (which: (t: TriedHost) => boolean) =>
    unique(tried.filter(which).map((t) => named(t.host)));
  const parts: string[] = [];
  const down = group(silent);
  if (down.length > 0) {
    parts.push(
      `Ollama on ${listNames(down)} isn't answering — check that it is running there` +
        (down.includes("this device") ? " (ollama serve)" : ""),
    );
  }
  const broken = tried.filter((t) => t.code === "upstream" && !silent(t));
  for (const host of unique(broken.map((t) => named(t.host)))) {
    const why = broken.find((t) => named(t.host) === host)!.message;
    parts.push(`Ollama on ${host} failed (${why})`);
  }
  const noModel = group((t) => t.code === "no_model");
  if (noModel.length > 0) {
    parts.push(`${listNames(noModel)} no longer ${noModel.length > 1 ? "have" : "has"} this model`);
  }
  const refused = group((t) => ["forbidden", "blocked", "not_serving"].includes(t.code));
  if (refused.length > 0) {
    parts.push(
      `${listNames(refused)} did not let this device use ${
        refused.length > 1 ? "their" : "its"
      } model`,
    );
  }
  const loaded = group((t) => t.code === "busy" || t.code === "rate_limited");
  if (loaded.length > 0) {
    parts.push(`${listNames(loaded)} ${loaded.length > 1 ? "were" : "was"} too busy`);
  }
  const known = [
    "upstream",
    "no_model",
    "forbidden",
    "blocked",
    "not_serving",
    "busy",
    "rate_limited",
  ];
  const other = group((t) => !SILENT_CODES.has(t.code) && !known.includes(t.code));
  if (other.length > 0) parts.push(`${listNames(other)} failed`);
  return `${parts.join("; ")}.`;
}

/** What to tell a person when an answer could not be produced, by the server's error kind. */
export function describeStreamError(
  kind: StreamErrorKind | "unreachable",
  detail: string,
  context: ErrorContext = {},
): string {
  const tried = triedHosts(detail);
  switch (kind) {
    case "no_host":
      if (tried.length > 0) {
        return `${explainTried(tried, context.selfName)} Then try again, or pick another model.`;
      }
      if (/model ".*" is not available on the mesh/.test(detail)) {
        const model = /model "(.*?)"/.exec(detail)?.[1];
        return `No device in the mesh has the model “${model}” right now. ` +
          "Pick another model, or Auto.";
      }
      if ((context.hostCount ?? 0) > 0) {
        return "The devices that host models cannot take this request right now. " +
          "Try again in a moment.";
      }
      return "No LLM is available anywhere in the mesh right now. Start Ollama on this device, " +
        "or wait for a device that hosts a model to come online.";
    case "rate_limited":
      return tried.length > 0
        ? `${
          listNames(unique(tried.map((t) => t.host)))
        } refused for now because too many requests came from here (rate limit). ` +
          "Wait a moment and try again."
        : `The host refused for now because too many requests came from here (rate limit). ` +
          `Wait a moment and try again.${detail ? ` (${detail})` : ""}`;
    case "busy":
      return tried.length > 0
        ? `Every host of this model is busy (${
          listNames(unique(tried.map((t) => t.host)))
        }). Try again shortly or pick another model.`
        : `Every host that has this model is busy. Try again shortly or pick another model.${
          detail ? ` (${detail})` : ""
        }`;
    case "upstream":
      return `The model host failed while answering: ${detail || "unknown error"}`;
    case "bad_request":
      return `The request was refused: ${detail || "bad request"}`;
    case "unreachable":
      return "This NeuroMesh node cannot be reached. Check that it is still running; " +
        "the page reconnects by itself.";
  }
}

/**
 * A stored answer's error in plain words, when its text says enough (the hosts tried, or that
 * every host was busy); undefined when the raw text is all there is to show.
 */
export function plainFailure(detail: string, context: ErrorContext = {}): string | undefined {
  if (detail.startsWith("every host is busy")) return describeStreamError("busy", detail);
  if (detail.startsWith("rate limited by every host")) {
    return describeStreamError("rate_limited", detail);
  }
  if (triedHosts(detail).length > 0) return describeStreamError("no_host", detail, context);
  return undefined;
}

/** An error's message, or the thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
