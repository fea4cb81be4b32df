/**
 * Runs a fetch handler (`app.fetch`) behind node:http: an IncomingMessage becomes a Request
 * whose body streams with backpressure and whose signal aborts when the client goes away, and
 * the handler's Response is written back chunk by chunk. The handler's second argument has the
 * shape of Deno.serve's ServeHandlerInfo (`remoteAddr`), so middleware reading it works under
 * either server.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

export type FetchHandler = (
  request: Request,
  info: { remoteAddr: Deno.Addr },
) => Response | Promise<Response>;

/** Bytes of request body held in memory before node:http is asked to pause the socket. */
const BODY_HIGH_WATER_BYTES = 64 * 1024;

/** What the handler is told about the connection: TCP peer address, or the unix socket. */
export function remoteAddrOf(request: IncomingMessage): Deno.Addr {
  const { remoteAddress, remotePort } = request.socket;
  if (remoteAddress === undefined) return { transport: "unix", path: "" };
  return { transport: "tcp", hostname: remoteAddress, port: remotePort ?? 0 };
}

/** The request body as a byte stream that pauses the socket while nobody reads. */
export function requestBody(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (error?: Error) => {
        if (!open) return;
        open = false;
        if (error) controller.error(error);
        else controller.close();
      };
      incoming.on("data", (chunk: Uint8Array) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
      });
      incoming.once("end", () => finish());
      incoming.once("error", (error) => finish(error));
      incoming.once("close", () => {
        if (!incoming.complete) finish(new Error("the client closed before the body ended"));
      });
      incoming.pause();
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      // The handler will not read the rest: let it drain unread so the answer (e.g. 413, sent
      // with `connection: close`) still reaches the client, and nothing piles up in memory.
      open = false;
      incoming.removeAllListeners("data");
      incoming.resume();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: BODY_HIGH_WATER_BYTES }));
}

/** Builds the Request; the URL comes from the Host header, as under Deno.serve. */
export function toRequest(incoming: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const method = incoming.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const target = incoming.url ?? "/";
  // A request line may name the whole URL (absolute-form, as HTTP clients talking through a
  // proxy or a unix socket do); it then wins over the Host header.
  const url = /^https?:\/\//i.test(target)
    ? target
    : `http://${incoming.headers.host ?? "localhost"}${target}`;
  return new Request(url, {
    method,
    headers,
    body: hasBody ? requestBody(incoming) : undefined,
    signal,
  });
}

/** Writes status, headers and the streamed body; stops reading it when the client is gone. */
export async function writeResponse(outgoing: ServerResponse, response: Response): Promise<void> {
  const headers: [string, string][] = [];
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers.push([name, value]);
  });
  for (const cookie of response.headers.getSetCookie()) headers.push(["set-cookie", cookie]);
  outgoing.writeHead(response.status, headers.flat());
  if (!response.body) {
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  const gone = new Promise<"gone">((resolve) => outgoing.once("close", () => resolve("gone")));
  try {
    while (!outgoing.destroyed) {
      const next = await Promise.race([reader.read(), gone]);
      if (next === "gone") break;
      if (next.done) {
        outgoing.end();
        return;
      }
      if (!outgoing.write(next.value)) {
        await Promise.race([
          new Promise((resolve) => outgoing.once("drain", resolve)),
          gone,
        ]);
      }
    }
    await reader.cancel().catch(() => {});
  } catch (error) {
    // The body failed half-way: the status is already sent, so the connection is cut.
    outgoing.destroy(error as Error);
    await reader.cancel().catch(() => {});
  }
}

/** A node:http request listener that answers with `handler`. */
export function nodeListener(
  handler: FetchHandler,
  onError: (error: unknown) => void,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  return (incoming, outgoing) => {
    const abort = new AbortController();
    outgoing.once("close", () => {
      if (!outgoing.writableFinished) abort.abort(new Error("client closed the connection"));
    });
    const answer = async () => {
      let request: Request;
      try {
        request = toRequest(incoming, abort.signal);
      } catch {
        outgoing.writeHead(400, { "content-type": "text/plain" }).end("bad request\n");
        return;
      }
      let response: Response;
      try {
        response = await handler(request, { remoteAddr: remoteAddrOf(incoming) });
      } catch (error) {
        onError(error);
        response = new Response("internal error\n", { status: 500 });
      }
      await writeResponse(outgoing, response);
    };
    answer().catch((error) => {
      onError(error);
      outgoing.destroy();
    });
  };
}
