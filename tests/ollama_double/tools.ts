/**
 * Tool calling of the Ollama test double, one deterministic rule for both APIs:
 *
 * - With `tools` in the request and tool choice `auto` (Ollama always), the reply is tool calls
 *   when the last message is a user message that names tools (their function names appear in
 *   its text): one call per named tool, in the order they are named; otherwise it is text.
 * - OpenAI `tool_choice`: `none` never calls, `required` calls the named tools or else the
 *   first tool, `{"type":"function","function":{"name":…}}` calls that tool;
 *   `parallel_tool_calls: false` keeps only the first call.
 * - Arguments match the tool's `parameters` schema (see structured.ts); they and the call ids
 *   are a pure function of (model, conversation, tool), so `expectedToolCalls()` predicts them.
 * - A conversation ending in an assistant message whose `tool_calls` are the first calls of the
 *   reply to the messages before it gets only the remaining calls (a failover re-issue), like an
 *   assistant text prefix gets the rest of the text.
 */
import {
  conversationKey,
  type ConversationMessage,
  hash32,
  type ToolCallRecord,
} from "./answer.ts";
import { valueForSchema } from "./structured.ts";

/** A tool as offered in a request (both APIs: `{type: "function", function: {...}}`). */
export interface ToolSpec {
  name: string;
  parameters?: unknown;
}

/** A call the double makes; `id` is used by the OpenAI API only. */
export interface PlannedCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

function namedIn(text: string, tools: readonly ToolSpec[]): ToolSpec[] {
  return tools
    .map((tool) => ({ tool, at: tool.name ? text.indexOf(tool.name) : -1 }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at)
    .map(({ tool }) => tool);
}

/** The calls the double answers `messages` with (none: the reply is text). */
export function expectedToolCalls(
  model: string,
  messages: readonly ConversationMessage[],
  tools: readonly ToolSpec[],
  choice: ToolChoice = "auto",
  parallel = true,
): PlannedCall[] {
  if (tools.length === 0 || choice === "none") return [];
  const last = messages.at(-1);
  let chosen: ToolSpec[];
  if (typeof choice === "object") {
    chosen = tools.filter((t) => t.name === choice.name).slice(0, 1);
  } else {
    chosen = last?.role === "user" ? namedIn(last.content, tools) : [];
    if (choice === "required" && chosen.length === 0) chosen = [tools[0]];
  }
  if (!parallel) chosen = chosen.slice(0, 1);
  const seed = `${model}\u0000${conversationKey(messages)}`;
  return chosen.map((tool, i) => {
    const argSeed = `${seed}\u0000${tool.name}\u0000${i}`;
    const args = valueForSchema(tool.parameters ?? { type: "object", properties: {} }, argSeed);
    return {
      id: `call_${hash32(argSeed).toString(36).padStart(7, "0")}`,
      name: tool.name,
      arguments: typeof args === "object" && args !== null && !Array.isArray(args)
        ? args as Record<string, unknown>
        : {},
    };
  });
}

/** JSON with sorted keys: equal for equal values whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  ) ?? "null";
}

const sameCall = (a: ToolCallRecord, b: PlannedCall) =>
  a.name === b.name && canonicalJson(a.arguments) === canonicalJson(b.arguments);

export interface ToolReplyPlan {
  calls: PlannedCall[];
  /** The calls already delivered elsewhere (a continued re-issue), else null. */
  continuedFrom: ToolCallRecord[] | null;
}

/**
 * Decides whether `messages` are answered with tool calls, given `callsFor` (the calls planned
 * for a conversation); null means a text reply.
 */
export function planToolReply(
  messages: readonly ConversationMessage[],
  callsFor: (messages: readonly ConversationMessage[]) => PlannedCall[],
): ToolReplyPlan | null {
  const last = messages.at(-1);
  if (last?.role === "assistant" && last.tool_calls?.length) {
    const planned = callsFor(messages.slice(0, -1));
    const done = last.tool_calls;
    if (planned.length >= done.length && done.every((call, i) => sameCall(call, planned[i]))) {
      return { calls: planned.slice(done.length), continuedFrom: [...done] };
    }
  }
  const calls = callsFor(messages);
  return calls.length > 0 ? { calls, continuedFrom: null } : null;
}

/** Ollama's shape of a call in `message.tool_calls`. */
export function ollamaToolCall(call: PlannedCall, index: number) {
  return { function: { index, name: call.name, arguments: call.arguments } };
}

/** OpenAI's shape of a call in `message.tool_calls` (arguments as JSON text). */
export function openAiToolCall(call: PlannedCall) {
  return {
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  };
}

/** Length of the argument pieces OpenAI streams after a call's first delta. */
export const ARGUMENT_FRAGMENT_CHARS = 8;

/**
 * The streamed `delta.tool_calls` entries of OpenAI's API for `calls`: per call one delta with
 * `index`, `id`, `type` and `function.name` (arguments ""), then the argument JSON in pieces of
 * `ARGUMENT_FRAGMENT_CHARS` carrying only `index` and `function.arguments`.
 */
export function openAiToolCallDeltas(calls: readonly PlannedCall[], firstIndex = 0) {
  const deltas: Record<string, unknown>[] = [];
  calls.forEach((call, i) => {
    const index = firstIndex + i;
    deltas.push({
      index,
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: "" },
    });
    const args = JSON.stringify(call.arguments);
    for (let at = 0; at < args.length; at += ARGUMENT_FRAGMENT_CHARS) {
      deltas.push({ index, function: { arguments: args.slice(at, at + ARGUMENT_FRAGMENT_CHARS) } });
    }
  });
  return deltas;
}
