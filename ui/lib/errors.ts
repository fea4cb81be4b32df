import type { StreamErrorKind } from "../api/types.ts";

/** What to tell a person when an answer could not be produced, by the server's error kind. */
export function describeStreamError(kind: StreamErrorKind | "unreachable", detail: string): string {
  switch (kind) {
    case "no_host":
      return "No LLM is available anywhere in the mesh right now. Start Ollama on this device, " +
        "or wait for a device that hosts a model to come online.";
    case "rate_limited":
      return `The host refused for now because too many requests came from here (rate limit). ` +
        `Wait a moment and try again.${detail ? ` (${detail})` : ""}`;
    case "busy":
      return `Every host that has this model is busy. Try again shortly or pick another model.${
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

/** An error's message, or the thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
