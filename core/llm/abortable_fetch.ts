/**
 * A fetch for the backends' npm clients that obeys an extra AbortSignal all the way through the
 * response body, so aborting a chat really closes the connection and the server stops
 * generating.
 */
export function abortableFetch(base: typeof fetch, signal?: AbortSignal): typeof fetch {
  return async (input, init) => {
    if (!signal) return base(input, init);
    // Not AbortSignal.any(): its combined signal is only weakly held and may be collected
    // mid-request, silently losing the abort. Listeners keep this controller alive.
    const controller = new AbortController();
    for (const source of [signal, init?.signal]) {
      if (!source) continue;
      if (source.aborted) controller.abort(source.reason);
      else source.addEventListener("abort", () => controller.abort(source.reason), { once: true });
    }
    return cancelBodyOnAbort(
      await base(input, { ...init, signal: controller.signal }),
      controller.signal,
    );
  };
}

/**
 * Deno's fetch does not always stop reading a response body when the request signal aborts
 * after the headers arrived (the request's own signal can be garbage collected). Cancelling
 * the body reader ourselves closes the connection, so Ollama sees the disconnect and stops.
 */
function cancelBodyOnAbort(response: Response, signal: AbortSignal): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  let finished = false;
  let wrapped!: ReadableStreamDefaultController<Uint8Array>;
  const finish = (end: () => void) => {
    if (finished) return;
    finished = true;
    signal.removeEventListener("abort", onAbort);
    end();
  };
  const onAbort = () => {
    reader.cancel(signal.reason).catch(() => {});
    finish(() => wrapped.error(signal.reason));
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      wrapped = controller;
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) finish(() => controller.close());
        else if (!finished) controller.enqueue(value);
      } catch (error) {
        finish(() => controller.error(error));
      }
    },
    cancel(reason) {
      finish(() => {});
      return reader.cancel(reason);
    },
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
