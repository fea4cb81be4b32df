/**
 * Deterministic answers of the Ollama test double. The answer is a pure function of
 * (model, conversation), so a test can compute the exact expected text and detect any gap or
 * repeat after failover. Tokens look like "amber0 delta1 river2": the trailing index makes a
 * missing or repeated token obvious in a failure message.
 */

/** A tool call as carried in an assistant message, in either API (arguments parsed). */
export interface ToolCallRecord {
  name: string;
  arguments: unknown;
}

/**
 * One chat message as the double sees it. Besides role and content, images (base64), tool calls
 * and the tool result's `tool_name` / `tool_call_id` are part of the conversation when present.
 */
export interface ConversationMessage {
  role: string;
  content: string;
  images?: string[];
  tool_calls?: readonly ToolCallRecord[];
  tool_name?: string;
  tool_call_id?: string;
}

/** A `/api/generate` prompt, or the `messages` of an `/api/chat` request. */
export type AnswerInput = string | readonly ConversationMessage[];

export const DEFAULT_ANSWER_TOKENS = 20;

const WORDS = [
  "amber",
  "basil",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "grove",
  "harbor",
  "iris",
  "juniper",
  "kelp",
  "lumen",
  "maple",
  "nectar",
  "onyx",
  "pebble",
  "quartz",
  "river",
  "sage",
  "tundra",
  "umber",
  "violet",
  "willow",
  "xenon",
  "yarrow",
  "zephyr",
  "birch",
  "coral",
  "dune",
  "flint",
  "heron",
  "lotus",
]; // deno-fmt-ignore

/** FNV-1a, 32 bit: tiny and stable across runtimes. Its low bits are weak: pick with hash32(). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finalizer: every output bit depends on every input bit. */
export function fmix32(value: number): number {
  let x = value >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A well-mixed 32-bit hash of `text`, safe to take modulo a small number (FNV-1a's low bits
 * alone depend only on the low bits of each character, so two texts agreed 1 time in 32).
 */
export function hash32(text: string): number {
  return fmix32(fnv1a(text));
}

function messageKey(m: ConversationMessage): string {
  const extras = {
    ...(m.images?.length ? { images: m.images } : {}),
    ...(m.tool_calls?.length ? { tool_calls: m.tool_calls } : {}),
    ...(m.tool_name ? { tool_name: m.tool_name } : {}),
    ...(m.tool_call_id ? { tool_call_id: m.tool_call_id } : {}),
  };
  const base = `${m.role}\u0001${m.content}`;
  return Object.keys(extras).length > 0 ? `${base}\u0003${JSON.stringify(extras)}` : base;
}

/** The text an answer is derived from: the prompt, or every message with what it carries. */
export function conversationKey(input: AnswerInput): string {
  if (typeof input === "string") return `prompt\u0000${input}`;
  return input.map(messageKey).join("\u0002");
}

/**
 * The prompt input of a fill-in-the-middle request (`/api/generate` or `/v1/completions` with
 * `suffix`): `expectedAnswer(model, infillInput(prompt, suffix))` is the middle the double
 * answers with.
 */
export function infillInput(prompt: string, suffix: string): string {
  return `\u0000infill\u0000${prompt}\u0000${suffix}`;
}

/**
 * The prompt input of a `raw: true` generate request (no template applied), so a test can tell
 * from the text alone that `raw` reached the host: `expectedAnswer(model, rawInput(prompt))`.
 */
export function rawInput(prompt: string): string {
  return `\u0000raw\u0000${prompt}`;
}

/** The prompt input of a generate request with `images`: they are part of what is answered. */
export function imagesInput(prompt: string, images: readonly string[]): string {
  return images.length === 0 ? prompt : `${prompt}\u0000images\u0000${images.join("\u0001")}`;
}

/** The first `count` tokens of the answer to `input`; joined they give `expectedAnswer`. */
export function expectedTokens(
  model: string,
  input: AnswerInput,
  count: number = DEFAULT_ANSWER_TOKENS,
): string[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`expectedTokens: count must be a non-negative integer, got ${count}`);
  }
  const seed = `${model}\u0000${conversationKey(input)}`;
  return Array.from({ length: count }, (_, i) => {
    const word = WORDS[hash32(`${seed}\u0000${i}`) % WORDS.length];
    return `${i === 0 ? "" : " "}${word}${i}`;
  });
}

/** The exact full answer the double gives for (model, prompt or messages). */
export function expectedAnswer(
  model: string,
  input: AnswerInput,
  count: number = DEFAULT_ANSWER_TOKENS,
): string {
  return expectedTokens(model, input, count).join("");
}

/**
 * Splits any text into stream tokens: each token is a word with the whitespace before it, so
 * joining the tokens gives the text back exactly. Used for answers given by an `answer` override.
 */
export function splitTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/**
 * Cuts `tokens` before the first occurrence of any `stop` sequence (Ollama's `options.stop`,
 * OpenAI's `stop`); `stopped` tells whether one was found. A token cut by it is shortened.
 */
export function cutAtStop(
  tokens: readonly string[],
  stop: readonly string[],
): { tokens: string[]; stopped: boolean } {
  const text = tokens.join("");
  const at = Math.min(
    ...stop.filter((s) => s !== "").map((s) => text.indexOf(s)).filter((i) => i >= 0),
  );
  if (!Number.isFinite(at)) return { tokens: [...tokens], stopped: false };
  const kept: string[] = [];
  let start = 0;
  for (const token of tokens) {
    if (start >= at) break;
    kept.push(token.slice(0, at - start));
    start += token.length;
  }
  return { tokens: kept, stopped: true };
}

/** Rough prompt token count reported as `prompt_eval_count`. */
export function countPromptTokens(input: AnswerInput): number {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  if (typeof input === "string") return Math.max(1, words(input));
  return Math.max(1, input.reduce((sum, m) => sum + words(m.content) + 2, 0));
}

export interface ReplyPlan {
  /** Tokens to stream in this reply, in order. */
  tokens: string[];
  /**
   * Set when the request ended with an assistant message that is a prefix of the answer to the
   * conversation before it (a failover re-issue): the prefix already delivered elsewhere.
   */
  continuedFrom: string | null;
  /** "length" when `numPredict` cut the reply short, as Ollama reports it. */
  doneReason: "stop" | "length";
}

/**
 * Decides what to stream for `input`, given `answerFor` (the full answer to a conversation).
 * When the last message is an assistant message whose content is a prefix of the answer to the
 * messages before it, only the rest is streamed, so a re-issued request continues exactly where
 * the failed host stopped. `numPredict` > 0 caps the number of tokens streamed; the reply ends
 * before the first `stop` sequence.
 */
export function planReply(
  input: AnswerInput,
  answerFor: (input: AnswerInput) => string,
  numPredict?: number,
  stop: readonly string[] = [],
): ReplyPlan {
  let tokens: string[];
  let continuedFrom: string | null = null;
  const last = typeof input === "string" ? undefined : input.at(-1);
  const preceding = typeof input === "string" ? input : input.slice(0, -1);
  const previousAnswer = last?.role === "assistant" ? answerFor(preceding) : null;
  if (last && previousAnswer !== null && previousAnswer.startsWith(last.content)) {
    continuedFrom = last.content;
    tokens = tokensAfter(splitTokens(previousAnswer), last.content.length);
  } else {
    tokens = splitTokens(answerFor(input));
  }
  tokens = cutAtStop(tokens, stop).tokens;
  if (numPredict !== undefined && numPredict > 0 && tokens.length > numPredict) {
    return { tokens: tokens.slice(0, numPredict), continuedFrom, doneReason: "length" };
  }
  return { tokens, continuedFrom, doneReason: "stop" };
}

/** The tokens covering text from character `offset` on; a token cut by `offset` is split. */
export function tokensAfter(tokens: readonly string[], offset: number): string[] {
  let start = 0;
  for (let i = 0; i < tokens.length; i++) {
    const end = start + tokens[i].length;
    if (offset < end) {
      const rest = tokens.slice(i + 1);
      return offset <= start ? [tokens[i], ...rest] : [tokens[i].slice(offset - start), ...rest];
    }
    start = end;
  }
  return [];
}
