import assert from "node:assert/strict";
import {
  conversationKey,
  countPromptTokens,
  cutAtStop,
  expectedAnswer,
  expectedTokens,
  imagesInput,
  infillInput,
  planReply,
  rawInput,
  splitTokens,
  tokensAfter,
} from "./answer.ts";

const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });
const answerFor = (input: Parameters<typeof expectedAnswer>[1]) => expectedAnswer("m", input, 8);

Deno.test("expectedAnswer() is deterministic and depends on model and conversation", () => {
  const a = expectedAnswer("tinyllama:1.1b", [user("hi")]);
  assert.equal(a, expectedAnswer("tinyllama:1.1b", [user("hi")]));
  assert.notEqual(a, expectedAnswer("other:1b", [user("hi")]));
  assert.notEqual(a, expectedAnswer("tinyllama:1.1b", [user("hello")]));
  assert.notEqual(a, expectedAnswer("tinyllama:1.1b", "hi"), "prompt and chat differ");
  assert.equal(expectedTokens("tinyllama:1.1b", [user("hi")]).length, 20);
});

Deno.test("expectedTokens() numbers every token and joins to expectedAnswer()", () => {
  const tokens = expectedTokens("m", "why?", 5);
  assert.deepEqual(tokens.map((t) => t.match(/\d+$/)?.[0]), ["0", "1", "2", "3", "4"]);
  assert.ok(!tokens[0].startsWith(" ") && tokens.slice(1).every((t) => t.startsWith(" ")));
  assert.equal(tokens.join(""), expectedAnswer("m", "why?", 5));
  assert.equal(expectedAnswer("m", "why?", 0), "");
  assert.throws(() => expectedTokens("m", "x", -1), /count must be a non-negative integer, got -1/);
});

Deno.test("splitTokens() keeps whitespace so tokens join back to the text", () => {
  for (const text of ["one two  three", "  lead", "trail  ", "", "a\nb\tc"]) {
    assert.equal(splitTokens(text).join(""), text);
  }
  assert.deepEqual(splitTokens("one two"), ["one", " two"]);
});

Deno.test("tokensAfter() resumes at a token boundary or inside a token", () => {
  const tokens = ["ab", " cd", " ef"];
  assert.deepEqual(tokensAfter(tokens, 0), tokens);
  assert.deepEqual(tokensAfter(tokens, 2), [" cd", " ef"]);
  assert.deepEqual(tokensAfter(tokens, 3), ["cd", " ef"]);
  assert.deepEqual(tokensAfter(tokens, 8), []);
});

Deno.test("planReply() streams the whole answer for a fresh conversation", () => {
  const plan = planReply([user("q")], answerFor);
  assert.equal(plan.tokens.join(""), answerFor([user("q")]));
  assert.equal(plan.continuedFrom, null);
  assert.equal(plan.doneReason, "stop");
});

Deno.test("planReply() continues after an assistant prefix with exactly the rest", () => {
  const full = expectedTokens("m", [user("q")], 8);
  for (const cut of [0, 1, 3, 8]) {
    const prefix = full.slice(0, cut).join("");
    const plan = planReply([user("q"), assistant(prefix)], answerFor);
    assert.equal(plan.continuedFrom, prefix);
    assert.equal(prefix + plan.tokens.join(""), full.join(""), `cut after ${cut} tokens`);
    assert.equal(plan.tokens.length, 8 - cut);
  }
});

Deno.test("planReply() continues from a prefix that ends inside a token", () => {
  const full = answerFor([user("q")]);
  const prefix = full.slice(0, full.indexOf(" ", 1) + 2);
  const plan = planReply([user("q"), assistant(prefix)], answerFor);
  assert.equal(prefix + plan.tokens.join(""), full);
});

Deno.test("planReply() answers afresh when the assistant message is not a prefix", () => {
  const input = [user("q"), assistant("something else")];
  const plan = planReply(input, answerFor);
  assert.equal(plan.continuedFrom, null);
  assert.equal(plan.tokens.join(""), answerFor(input));
});

Deno.test("planReply() caps tokens at numPredict with done reason length", () => {
  const plan = planReply("p", answerFor, 3);
  assert.equal(plan.tokens.join(""), expectedAnswer("m", "p", 3));
  assert.equal(plan.doneReason, "length");
  assert.equal(planReply("p", answerFor, 8).doneReason, "stop");
  assert.equal(planReply("p", answerFor, -1).tokens.length, 8, "-1 means no limit");
});

Deno.test("countPromptTokens() counts words plus message overhead", () => {
  assert.equal(countPromptTokens("why is the sky blue"), 5);
  assert.equal(countPromptTokens([user("hi there")]), 4);
  assert.equal(countPromptTokens(""), 1);
});

Deno.test("conversationKey() adds images and tool fields only when a message has them", () => {
  assert.equal(conversationKey([user("a"), assistant("b")]), "user\u0001a\u0002assistant\u0001b");
  const withImage = conversationKey([{ role: "user", content: "a", images: ["aGk="] }]);
  assert.notEqual(withImage, conversationKey([user("a")]));
  assert.equal(
    conversationKey([{ role: "user", content: "a", images: [] }]),
    conversationKey([user("a")]),
  );
  const call = { role: "assistant", content: "", tool_calls: [{ name: "f", arguments: { x: 1 } }] };
  assert.notEqual(conversationKey([call]), conversationKey([assistant("")]));
  assert.notEqual(
    conversationKey([{ role: "tool", content: "1", tool_name: "f" }]),
    conversationKey([{ role: "tool", content: "1", tool_call_id: "call_1" }]),
  );
});

Deno.test("infill, raw and image prompts are answered differently from the plain prompt", () => {
  const answers = new Set([
    expectedAnswer("m", "p"),
    expectedAnswer("m", infillInput("p", "s")),
    expectedAnswer("m", infillInput("p", "t")),
    expectedAnswer("m", rawInput("p")),
    expectedAnswer("m", imagesInput("p", ["aGk="])),
  ]);
  assert.equal(answers.size, 5);
  assert.equal(imagesInput("p", []), "p");
});

Deno.test("cutAtStop() ends before the first stop sequence, inside a token if need be", () => {
  const tokens = ["alpha0", " beta1", " gamma2", " delta3"];
  assert.deepEqual(cutAtStop(tokens, [" gamma"]), { tokens: ["alpha0", " beta1"], stopped: true });
  assert.deepEqual(cutAtStop(tokens, ["ta1", "delta"]), {
    tokens: ["alpha0", " be"],
    stopped: true,
  });
  assert.deepEqual(cutAtStop(tokens, ["zzz", ""]), { tokens, stopped: false });
  assert.deepEqual(cutAtStop(tokens, ["alpha"]), { tokens: [], stopped: true });
});

Deno.test("planReply() applies stop sequences before num_predict", () => {
  const full = splitTokens(answerFor([user("q")]));
  const stop = full[3].trim();
  const plan = planReply([user("q")], answerFor, undefined, [stop]);
  assert.equal(plan.tokens.join(""), full.slice(0, 3).join("") + " ");
  assert.equal(plan.doneReason, "stop");
  assert.equal(planReply([user("q")], answerFor, 2, [stop]).doneReason, "length");
});

Deno.test("expectedAnswer() gives different conversations different answers", () => {
  // FNV-1a's low bits alone made 1 pair in 32 answer alike; hash32() mixes all bits in
  const prompts = Array.from({ length: 300 }, (_, i) => `question ${i}`);
  const answers = new Set(prompts.map((p) => expectedAnswer("m:latest", [user(p)], 6)));
  assert.equal(answers.size, prompts.length);
  assert.notEqual(
    expectedAnswer("tinyllama:1.1b", [user("hello there")]),
    expectedAnswer("tinyllama:1.1b", [user("hi"), assistant("x"), user("more")]),
  );
});
