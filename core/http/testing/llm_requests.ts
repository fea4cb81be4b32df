/** Test support: requests to the mesh API and readers of its streamed answers. */
/** This node as the route groups see it in tests. */
export const SELF = { nodeId: "SELF", settings: () => ({ name: "self" }) };

/** A POST with a JSON body (or a raw string). */
export const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** The objects of an NDJSON body. */
// deno-lint-ignore no-explicit-any
export const ndjsonLines = (text: string): any[] =>
  text.trim().split("\n").map((line) => JSON.parse(line));

/** The data of a server-sent-event body; `[DONE]` kept as a string. */
// deno-lint-ignore no-explicit-any
export const sseData = (text: string): any[] =>
  text.trim().split("\n\n").map((block) => block.replace(/^data: /, "")).map((data) =>
    data === "[DONE]" ? data : JSON.parse(data)
  );
