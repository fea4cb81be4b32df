import type { ChatMessage, FailoverNote, FailoverReason } from "../api/types.ts";

/**
 * The words under and above an answer: who is writing it (from its first token on, never the
 * asking node by default) and, after a failover, which host it left, why, and where it went.
 */

/** A host as named in a note: "node3 (llama3.2)". */
function hostLabel(name: string, model: string | undefined): string {
  return model ? `${name} (${model})` : name;
}

const LEFT_BECAUSE: Record<FailoverReason, string> = {
  died: "was lost mid-answer",
  stalled: "stopped sending tokens",
  busy: "was busy",
  error: "failed",
};

/** "node3 stopped sending tokens — continued on node2 (llama3.2)." */
export function failoverSentence(message: ChatMessage, from: FailoverNote): string {
  const why = LEFT_BECAUSE[from.reason ?? "died"];
  const to = hostLabel(message.hostInfo.nodeName, message.hostInfo.model ?? message.model);
  return `${hostLabel(from.nodeName, from.model)} ${why} — continued on ${to}.`;
}

/**
 * True once a host wrote (or is writing) this answer, so `hostInfo` names that host: it
 * carries the serving model from the first chunk on; an answer with text, or one finished
 * without error or stop (e.g. imported), was served too. A failed or stopped answer that no
 * host started keeps the asking node in `hostInfo`, which must not be shown as its host.
 */
export function isServed(message: ChatMessage): boolean {
  if (message.hostInfo.model || message.content !== "") return true;
  return message.complete && !message.error && !message.stopped;
}

/** "Beta · llama3.2", "llama3.2 · waiting for a host" or "no host answered". */
export function servedByText(message: ChatMessage): string {
  const model = message.model ?? message.hostInfo.model;
  if (isServed(message)) {
    return [message.hostInfo.nodeName, model].filter(Boolean).join(" · ") || "unknown host";
  }
  if (!message.complete) return [model, "waiting for a host…"].filter(Boolean).join(" · ");
  return "no host answered";
}
