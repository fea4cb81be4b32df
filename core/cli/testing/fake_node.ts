/**
 * A fake node API on 127.0.0.1 (a free port) for the command line's tests: answers each path
 * with a handler and records what it was asked.
 */
export interface FakeNode extends AsyncDisposable {
  url: string;
  /** Method, path, authorization header and JSON body of each request, in order. */
  requests: { method: string; path: string; authorization: string | null; body: unknown }[];
  close(): Promise<void>;
}

export type FakeHandler = (body: unknown, request: Request) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** An NDJSON body sending `lines`, then closing (or breaking off when `breakOff`). */
export function ndjson(lines: unknown[], breakOff = false): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        for (const line of lines) controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
        if (breakOff) controller.error(new Error("connection reset"));
        else controller.close();
      },
    }),
    { headers: { "content-type": "application/x-ndjson" } },
  );
}

export function startFakeNode(routes: Record<string, FakeHandler>): FakeNode {
  const requests: FakeNode["requests"] = [];
  const abort = new AbortController();
  const server = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      signal: abort.signal,
      onListen: () => {},
      // a body broken on purpose (ndjson's breakOff) is no error of the test
      onError: () => new Response(null, { status: 500 }),
    },
    async (request) => {
      const path = new URL(request.url).pathname;
      const text = await request.text();
      const body = text ? JSON.parse(text) : null;
      requests.push({
        method: request.method,
        path,
        authorization: request.headers.get("authorization"),
        body,
      });
      const handler = routes[`${request.method} ${path}`];
      return handler ? await handler(body, request) : json({ error: "404 page not found" }, 404);
    },
  );
  const close = async () => {
    abort.abort();
    await server.finished;
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A loopback URL where nothing listens (a port bound, then freed). */
export function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}`;
}
