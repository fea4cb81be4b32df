import assert from "node:assert/strict";
import type { ChatChunk } from "../chat.ts";
import {
  chatRequestFromCompletion,
  OpenAiCompletionBody,
  textCompletion,
  textCompletionChunk,
} from "./completions_api.ts";

Deno.test("OpenAiCompletionBody names the field at fault", () => {
  const table: [string, unknown, string | null][] = [
    ["a prompt", { model: "m", prompt: "p" }, null],
    ["one prompt in an array", { model: "m", prompt: ["p"] }, null],
    ["with suffix, stop and max_tokens", {
      model: "m",
      prompt: "p",
      suffix: "s",
      stop: ["\n"],
      max_tokens: 8,
      stream: true,
    }, null],
    ["no prompt", { model: "m" }, "prompt"],
    ["two prompts", { model: "m", prompt: ["a", "b"] }, "prompt"],
    ["a numeric suffix", { model: "m", prompt: "p", suffix: 1 }, "suffix"],
    ["negative max_tokens", { model: "m", prompt: "p", max_tokens: -1 }, "max_tokens"],
    ["too many stops", { model: "m", prompt: "p", stop: Array(17).fill("x") }, "stop"],
    ["n of 2", { model: "m", prompt: "p", n: 2 }, "n"],
    ["echo", { model: "m", prompt: "p", echo: true }, "echo"],
    ["logprobs", { model: "m", prompt: "p", logprobs: 2 }, "logprobs"],
    ["no model", { prompt: "p" }, "model"],
  ];
  for (const [what, body, problem] of table) {
    const parsed = OpenAiCompletionBody.safeParse(body);
    if (problem === null) assert.ok(parsed.success, what);
    else assert.equal(parsed.error?.issues[0].path.join("."), problem, what);
  }
});

Deno.test("chatRequestFromCompletion() maps prompt, suffix and sampling to the mesh request", () => {
  const body = OpenAiCompletionBody.parse({
    model: "coder",
    prompt: ["def add(a, b):"],
    suffix: "return c",
    max_tokens: 16,
    stop: "\n\n",
    temperature: 0,
    seed: 7,
  });
  assert.deepEqual(chatRequestFromCompletion(body, { conversationId: "c1" }), {
    model: "coder",
    messages: [{ role: "user", content: "def add(a, b):" }],
    suffix: "return c",
    options: { temperature: 0, num_predict: 16, stop: ["\n\n"], seed: 7 },
    conversationId: "c1",
    preferredHost: undefined,
  });
  const plain = chatRequestFromCompletion(
    OpenAiCompletionBody.parse({ model: "m", prompt: "p", suffix: "", max_tokens: 0 }),
  );
  assert.equal("suffix" in plain, false);
  assert.equal("options" in plain, false);
});

Deno.test("text_completion shapes: chunks and the whole answer", () => {
  const ctx = { id: "cmpl-1", created: 5 };
  assert.deepEqual(textCompletionChunk(ctx, "m", "hi", null), {
    id: "cmpl-1",
    object: "text_completion",
    created: 5,
    model: "m",
    system_fingerprint: "fp_neuromesh",
    choices: [{ index: 0, text: "hi", logprobs: null, finish_reason: null }],
  });
  const last: ChatChunk = {
    content: "",
    done: true,
    doneReason: "length",
    servedBy: { nodeId: "h", nodeName: "host", model: "m" },
    stats: { promptEvalCount: 3, evalCount: 4 },
  };
  const whole = textCompletion(ctx, last, "hello", { hosts: [], failedOver: false });
  assert.equal(whole.object, "text_completion");
  assert.deepEqual(whole.choices, [{
    index: 0,
    text: "hello",
    logprobs: null,
    finish_reason: "length",
  }]);
  assert.deepEqual(whole.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
});
