import assert from "node:assert/strict";
import type { ChatChunk } from "../chat.ts";
import { SCRIPTED_MODELS } from "../testing/scripted_llm.ts";
import {
  chatRequestFromGenerate,
  chatRequestFromOllama,
  OllamaChatBody,
  ollamaDone,
  OllamaGenerateBody,
  ollamaPart,
  ollamaPsEntry,
  ollamaShow,
  ollamaTagsEntry,
} from "./ollama_api.ts";

const SERVED = { nodeId: "A", nodeName: "alpha", model: "llama3.2:latest" };
const NOW = "2026-01-01T00:00:00.000Z";

Deno.test("OllamaChatBody accepts what Ollama's clients send and refuses what the mesh cannot do", () => {
  const table: [string, unknown, string | null][] = [
    // [what, body, problem path (null: accepted)]
    ["a plain chat", { model: "m", messages: [{ role: "user", content: "hi" }] }, null],
    ["no model: the mesh chooses", { messages: [] }, null],
    ["null content", { model: "m", messages: [{ role: "assistant", content: null }] }, null],
    ["extra fields are kept", { model: "m", messages: [], keep_alive: "5m", extra: 1 }, null],
    [
      "an unknown role",
      { model: "m", messages: [{ role: "wizard", content: "x" }] },
      "messages.0.role",
    ],
    ["a tool without a function", { model: "m", messages: [], tools: [{}] }, "tools.0.function"],
    [
      "a tool without a name",
      { model: "m", messages: [], tools: [{ type: "function", function: {} }] },
      "tools.0.function.name",
    ],
    ["tools", {
      model: "m",
      messages: [{ role: "user", content: "x" }],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    }, null],
    ["a tool call and a tool result", {
      model: "m",
      messages: [
        {
          role: "assistant",
          content: "",
          tool_calls: [{ function: { name: "f", arguments: {} } }],
        },
        { role: "tool", content: "42", tool_name: "f" },
      ],
    }, null],
    ["a tool call without a function", {
      model: "m",
      messages: [{ role: "assistant", content: "", tool_calls: [{}] }],
    }, "messages.0.tool_calls.0.function"],
    ["tool call arguments as text", {
      model: "m",
      messages: [{
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "f", arguments: "{}" } }],
      }],
    }, "messages.0.tool_calls.0.function.arguments"],
    ["think as a number", { model: "m", messages: [], think: 3 }, "think"],
  ];
  for (const [what, body, problem] of table) {
    const parsed = OllamaChatBody.safeParse(body);
    if (problem === null) assert.ok(parsed.success, what);
    else assert.equal(parsed.error?.issues[0].path.join("."), problem, what);
  }
});

Deno.test("OllamaGenerateBody takes suffix and raw; context is refused naming the field", () => {
  assert.equal(OllamaGenerateBody.safeParse({ model: "m", suffix: "x", raw: true }).success, true);
  const context = OllamaGenerateBody.safeParse({ model: "m", context: [1, 2] });
  assert.equal(context.error?.issues[0].path.join("."), "context");
  assert.equal(OllamaGenerateBody.safeParse({ model: "m", suffix: "", context: [] }).success, true);
  const suffix = OllamaGenerateBody.safeParse({ model: "m", suffix: 3 });
  assert.equal(suffix.error?.issues[0].path.join("."), "suffix");
  const raw = OllamaGenerateBody.safeParse({ model: "m", raw: "yes" });
  assert.equal(raw.error?.issues[0].path.join("."), "raw");
});

Deno.test("chatRequestFromGenerate() carries suffix, raw, system and images", () => {
  const body = OllamaGenerateBody.parse({
    model: "coder",
    system: "terse",
    prompt: "def add(a, b):\n",
    suffix: "\n    return c",
    raw: true,
    images: ["aGk="],
  });
  assert.deepEqual(chatRequestFromGenerate(body), {
    model: "coder",
    messages: [
      { role: "system", content: "terse" },
      { role: "user", content: "def add(a, b):\n", images: ["aGk="] },
    ],
    suffix: "\n    return c",
    raw: true,
    options: undefined,
    format: undefined,
    keepAlive: undefined,
    think: undefined,
    conversationId: undefined,
    preferredHost: undefined,
  });
  const plain = chatRequestFromGenerate(
    OllamaGenerateBody.parse({ model: "m", prompt: "p", suffix: "" }),
  );
  assert.equal("suffix" in plain, false);
  assert.equal("raw" in plain, false);
});

Deno.test("chatRequestFromOllama() keeps turns, images, options and the routing hints", () => {
  const body = OllamaChatBody.parse({
    model: "llama3.2",
    messages: [
      { role: "system", content: "terse" },
      { role: "user", content: "what is this?", images: ["aGk="] },
      { role: "user", content: "and this?", images: [] },
    ],
    options: { temperature: 0 },
    format: "json",
    keep_alive: 0,
    think: "low",
  });
  assert.deepEqual(chatRequestFromOllama(body, { conversationId: "c", preferredHost: "B" }), {
    model: "llama3.2",
    messages: [
      { role: "system", content: "terse" },
      { role: "user", content: "what is this?", images: ["aGk="] },
      { role: "user", content: "and this?" },
    ],
    options: { temperature: 0 },
    format: "json",
    keepAlive: 0,
    think: "low",
    conversationId: "c",
    preferredHost: "B",
  });
});

Deno.test("chatRequestFromGenerate() makes the system prompt and the prompt two turns", () => {
  const table: [string, unknown, unknown[]][] = [
    ["prompt only", { model: "m", prompt: "hi" }, [{ role: "user", content: "hi" }]],
    ["system and prompt", { model: "m", system: "be brief", prompt: "hi" }, [
      { role: "system", content: "be brief" },
      { role: "user", content: "hi" },
    ]],
    ["an image without text", { model: "m", images: ["aGk="] }, [
      { role: "user", content: "", images: ["aGk="] },
    ]],
  ];
  for (const [what, body, messages] of table) {
    const request = chatRequestFromGenerate(OllamaGenerateBody.parse(body));
    assert.deepEqual(request.messages, messages, what);
    assert.equal(request.conversationId, undefined, what);
  }
});

Deno.test("ollamaPart() and ollamaDone() put the text where each endpoint's clients read it", () => {
  const piece: ChatChunk = { content: "Hel", thinking: "hmm", done: false, servedBy: SERVED };
  assert.deepEqual(ollamaPart("chat", piece, NOW), {
    model: "llama3.2:latest",
    created_at: NOW,
    message: { role: "assistant", content: "Hel", thinking: "hmm" },
    done: false,
  });
  assert.deepEqual(ollamaPart("generate", { ...piece, thinking: undefined }, NOW), {
    model: "llama3.2:latest",
    created_at: NOW,
    response: "Hel",
    done: false,
  });
  const last: ChatChunk = {
    content: "",
    done: true,
    servedBy: SERVED,
    stats: { promptEvalCount: 7, evalCount: 3, evalDurationNs: 1_000 },
  };
  const trailer = {
    hosts: [{ nodeId: "A", name: "alpha", model: "llama3.2:latest" }],
    failedOver: false,
  };
  assert.deepEqual(
    ollamaDone("generate", last, { content: "Hello", thinking: "" }, NOW, 42, trailer),
    {
      model: "llama3.2:latest",
      created_at: NOW,
      response: "Hello",
      done_reason: "stop",
      done: true,
      context: [],
      total_duration: 42,
      load_duration: 0,
      prompt_eval_count: 7,
      prompt_eval_duration: 0,
      eval_count: 3,
      eval_duration: 1_000,
      neuromesh: trailer,
    },
  );
  const cut = ollamaDone(
    "chat",
    { ...last, doneReason: "length" },
    { content: "x", thinking: "t" },
    NOW,
    0,
    trailer,
  );
  assert.equal(cut.done_reason, "length");
  assert.deepEqual(cut.message, { role: "assistant", content: "x", thinking: "t" });
  assert.equal("context" in cut, false, "chat answers have no context");
});

Deno.test("the empty context of a generate answer is accepted when a client sends it back", () => {
  const body = { model: "m", prompt: "go on", context: [] };
  assert.equal(OllamaGenerateBody.safeParse(body).success, true);
  const refused = OllamaGenerateBody.safeParse({ ...body, context: [1, 2] });
  assert.equal(refused.success, false);
  assert.deepEqual(refused.error?.issues[0].path, ["context"]);
});

Deno.test("the model list entries name the hosts; /api/ps only those generating", () => {
  const [model] = SCRIPTED_MODELS;
  assert.deepEqual(ollamaTagsEntry(model).hosts, [
    { id: "NODEA", name: "alpha", local: false },
    { id: "NODEB", name: "béta", local: false },
  ]);
  const ps = ollamaPsEntry(model, NOW);
  assert.equal(ps.expires_at, NOW);
  assert.deepEqual(ps.hosts, [{ id: "NODEA", name: "alpha", local: false }]);
  const bare = { name: "x:latest", size: 1, hosts: [] };
  assert.equal(ollamaTagsEntry(bare).modified_at, new Date(0).toISOString());
  assert.equal(ollamaTagsEntry(bare).details.families, null);
  assert.deepEqual(ollamaShow(model).capabilities, ["completion"]);
  assert.equal(ollamaShow(model).details.quantization_level, "Q4_K_M");
});
