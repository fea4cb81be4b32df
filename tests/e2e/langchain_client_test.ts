/**
 * LangChain (`@langchain/ollama`) through a node without an LLM (node1) to the Ollama host in
 * another namespace (issue 12): ChatOllama with tools bound from zod schemas (`tool()` of
 * `@langchain/core/tools`) gets the double's calls as parsed `tool_calls`, whole and streamed,
 * answers the `ToolMessage` results — from the Ollama host and from the OpenAI-compatible host
 * (node3); withStructuredOutput() parses the double's JSON for the schema; the Ollama completion
 * class answers; OllamaEmbeddings returns the double's vectors.
 */
import assert from "node:assert/strict";
import {
  type AIMessage,
  AIMessageChunk,
  HumanMessage,
  ToolMessage,
} from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { ChatOllama, Ollama, OllamaEmbeddings } from "@langchain/ollama";
import { z } from "zod";
import { type ConversationMessage, expectedAnswer } from "../ollama_double/answer.ts";
import { expectedEmbedding } from "../ollama_double/embeddings.ts";
import { expectedStructuredAnswer } from "../ollama_double/structured.ts";
import { expectedToolCalls } from "../ollama_double/tools.ts";
import { clientLabOptions, EMBED, OPENAI_TOOLS, TOOLS, withClientLab } from "./client_lab.ts";

const weather = tool(({ city }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "the weather in a city",
  schema: z.object({
    city: z.string().describe("the city"),
    unit: z.enum(["celsius", "fahrenheit"]),
    days: z.number().int().min(1).max(7),
  }),
});
const time = tool(({ zone }) => `14:05 in ${zone}`, {
  name: "get_time",
  description: "the time in a zone",
  schema: z.object({ zone: z.string() }),
});
/** Runs the tools a reply calls, as an agent does: one ToolMessage per call. */
async function runTools(reply: AIMessage): Promise<ToolMessage[]> {
  const results: ToolMessage[] = [];
  for (const call of reply.tool_calls ?? []) {
    const ran = call.name === "get_weather" ? await weather.invoke(call) : await time.invoke(call);
    results.push(ran as ToolMessage);
  }
  return results;
}
const QUESTION = "Call get_weather for Lyon and get_time for Europe/Paris.";

Deno.test(
  "LangChain ChatOllama with bound tools and OllamaEmbeddings through a node without an LLM",
  clientLabOptions,
  () =>
    withClientLab(async (mesh) => {
      const chat = new ChatOllama({ baseUrl: mesh.url, model: TOOLS }).bindTools([weather, time]);
      const reply = await chat.invoke([new HumanMessage(QUESTION)]);

      // The host got the tools exactly as LangChain made them from the zod schemas.
      const sent = (await mesh.doubles.ollamaHost.requests("/api/chat")).at(-1) as {
        tools: { function: { name: string; parameters: unknown } }[];
      };
      const offered = [weather, time].map((t) => convertToOpenAITool(t).function);
      assert.deepEqual(
        sent.tools.map((t) => t.function),
        offered.map((f) => JSON.parse(JSON.stringify(f))),
      );
      const calls = expectedToolCalls(
        TOOLS,
        [{ role: "user", content: QUESTION }],
        offered.map((f) => ({ name: f.name, parameters: f.parameters })),
      );
      const parsed = calls.map((c) => ({ name: c.name, args: c.arguments }));
      assert.deepEqual(parsed.map((c) => c.name), ["get_weather", "get_time"]);
      assert.deepEqual(reply.tool_calls?.map((c) => ({ name: c.name, args: c.args })), parsed);
      // The arguments satisfy the tools' own zod schemas.
      weather.schema.parse(reply.tool_calls![0].args);
      time.schema.parse(reply.tool_calls![1].args);

      // Streamed: the chunks concatenate to the same calls.
      let merged: AIMessageChunk | undefined;
      for await (const chunk of await chat.stream([new HumanMessage(QUESTION)])) {
        merged = merged ? merged.concat(chunk) : chunk;
      }
      assert.deepEqual(merged?.tool_calls?.map((c) => ({ name: c.name, args: c.args })), parsed);

      // The round trip: the tools run, their ToolMessages go back, the model answers.
      const results = await runTools(reply);
      const answer = await chat.invoke([new HumanMessage(QUESTION), reply, ...results]);
      // LangChain sends tool results without tool_name: the host sees role and content only.
      const seen: ConversationMessage[] = [
        { role: "user", content: QUESTION },
        {
          role: "assistant",
          content: "",
          tool_calls: calls.map((c) => ({ name: c.name, arguments: c.arguments })),
        },
        ...results.map((r) => ({ role: "tool", content: r.content as string })),
      ];
      assert.deepEqual(results.map((r) => r.content), [
        "sunny in " + calls[0].arguments.city,
        "14:05 in " + calls[1].arguments.zone,
      ]);
      assert.equal(answer.content, expectedAnswer(TOOLS, seen));
      assert.deepEqual(answer.tool_calls, []);

      // A model of the OpenAI-compatible host: LangChain's results carry neither name nor id, so
      // each reaches the host with the id of the call it answers (by position).
      const remote = new ChatOllama({ baseUrl: mesh.url, model: OPENAI_TOOLS })
        .bindTools([weather, time]);
      const remoteReply = await remote.invoke([new HumanMessage(QUESTION)]);
      const remoteCalls = expectedToolCalls(
        OPENAI_TOOLS,
        [{ role: "user", content: QUESTION }],
        offered.map((f) => ({ name: f.name, parameters: f.parameters })),
      );
      assert.deepEqual(
        remoteReply.tool_calls?.map((c) => ({ name: c.name, args: c.args })),
        remoteCalls.map((c) => ({ name: c.name, args: c.arguments })),
      );
      const remoteResults = await runTools(remoteReply);
      const remoteAnswer = await remote.invoke([
        new HumanMessage(QUESTION),
        remoteReply,
        ...remoteResults,
      ]);
      const received = (await mesh.doubles.openaiHost.requests("/v1/chat/completions")).at(-1) as {
        messages: { role: string; tool_call_id?: string; tool_calls?: { id: string }[] }[];
      };
      const ids = received.messages[1].tool_calls!.map((c) => c.id);
      assert.deepEqual(ids, remoteReply.tool_calls!.map((c) => c.id));
      assert.deepEqual(
        received.messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id),
        ids,
      );
      assert.equal(
        remoteAnswer.content,
        expectedAnswer(OPENAI_TOOLS, [
          { role: "user", content: QUESTION },
          {
            role: "assistant",
            content: "",
            tool_calls: remoteCalls.map((c) => ({ name: c.name, arguments: c.arguments })),
          },
          ...remoteResults.map((r, i) => ({
            role: "tool",
            content: r.content as string,
            tool_call_id: ids[i],
          })),
        ]),
      );

      // withStructuredOutput(zod): the JSON schema goes as `format`, the reply is parsed.
      const Forecast = z.object({
        city: z.string(),
        high: z.number().min(-50).max(60),
        rain: z.boolean(),
      });
      const forecaster = new ChatOllama({ baseUrl: mesh.url, model: TOOLS })
        .withStructuredOutput(Forecast);
      const forecast = await forecaster.invoke("Tomorrow's forecast for Lyon as JSON.");
      const { format } = (await mesh.doubles.ollamaHost.requests("/api/chat")).at(-1) as {
        format: { properties: Record<string, unknown> };
      };
      assert.deepEqual(Object.keys(format.properties), ["city", "high", "rain"]);
      const text = expectedStructuredAnswer(
        TOOLS,
        [{ role: "user", content: "Tomorrow's forecast for Lyon as JSON." }],
        format,
      );
      assert.deepEqual(forecast, Forecast.parse(JSON.parse(text)));

      // The text-completion class (Ollama's /api/generate), streamed by LangChain.
      const completer = new Ollama({ baseUrl: mesh.url, model: TOOLS, numPredict: 6 });
      const completion = await completer.invoke("Complete: the mesh is");
      assert.equal(
        completion,
        expectedAnswer(TOOLS, [{ role: "user", content: "Complete: the mesh is" }], 6),
      );

      // OllamaEmbeddings: documents in one batch, then a query.
      const embeddings = new OllamaEmbeddings({ baseUrl: mesh.url, model: EMBED });
      const documents = Array.from({ length: 50 }, (_, i) => `chapter ${i} of the manual`);
      assert.deepEqual(
        await embeddings.embedDocuments(documents),
        documents.map((d) => expectedEmbedding(EMBED, d, 768)),
      );
      assert.deepEqual(
        await embeddings.embedQuery("how do I share a model?"),
        expectedEmbedding(EMBED, "how do I share a model?", 768),
      );
      const cut = new OllamaEmbeddings({ baseUrl: mesh.url, model: EMBED, dimensions: 16 });
      assert.deepEqual(await cut.embedQuery("short"), expectedEmbedding(EMBED, "short", 768, 16));
    }),
);
