/**
 * The official clients as "another device" would run them: started by llm_test.ts inside a lab
 * namespace, against a node's LAN address and its API token (the lines of docs/llm.md).
 *
 *   deno run -A tests/e2e/llm_remote_client.ts URL TOKEN MODEL QUESTION
 *
 * Prints one JSON line: {ollama, openai, servedBy, wrongToken: {status, message}}.
 */
import { Ollama } from "ollama";
import OpenAI from "openai";

const [url, token, model, question] = Deno.args;
if (!url || !token || !model || !question) {
  throw new Error(`usage: llm_remote_client.ts URL TOKEN MODEL QUESTION, got ${Deno.args}`);
}
const messages = [{ role: "user" as const, content: question }];

const ollama = new Ollama({ host: url, headers: { Authorization: `Bearer ${token}` } });
const ollamaText = (await ollama.chat({ model, messages })).message.content;

const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: token });
const { data: stream, response } = await openai.chat.completions
  .create({ model, messages, stream: true })
  .withResponse();
let openaiText = "";
for await (const chunk of stream) openaiText += chunk.choices[0]?.delta?.content ?? "";

const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: "not-the-token", maxRetries: 0 });
const wrongToken = await wrong.models.list().then(
  () => ({ status: 200, message: "" }),
  (error) => ({ status: error.status, message: error.message }),
);

console.log(JSON.stringify({
  ollama: ollamaText,
  openai: openaiText,
  servedBy: response.headers.get("x-neuromesh-host"),
  wrongToken,
}));
