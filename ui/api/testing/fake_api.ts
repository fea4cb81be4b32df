/** An in-memory NodeApi for model tests: only the methods a test gives exist, each call logged. */
import type { EventStream, EventStreamHandlers, NodeApi } from "../client.ts";

export type FakeApi = NodeApi & {
  /** Every call in order: the method name and its arguments. */
  calls: { method: keyof NodeApi; args: unknown[] }[];
};

/**
 * A NodeApi whose methods are `methods`; calling any other fails the test with its name. Each
 * call is recorded in `calls` before it runs.
 */
export function fakeApi(methods: Partial<NodeApi>): FakeApi {
  const calls: FakeApi["calls"] = [];
  return new Proxy({ calls } as FakeApi, {
    get(target, name) {
      if (name === "calls") return target.calls;
      if (name === "then") return undefined;
      const method = methods[name as keyof NodeApi] as
        | ((...args: unknown[]) => unknown)
        | undefined;
      return (...args: unknown[]) => {
        calls.push({ method: name as keyof NodeApi, args });
        if (!method) throw new Error(`unexpected call: api.${String(name)}()`);
        return method(...args);
      };
    },
  });
}

/** One event stream the fake node opened; the test plays the node's side. */
export class FakeEventStream implements EventStream {
  closed = false;
  constructor(readonly types: readonly string[], readonly handlers: EventStreamHandlers) {}
  close(): void {
    this.closed = true;
  }
  /** Sends one named event with `data` as JSON (or as given when a string). */
  emit(type: string, data: unknown): void {
    if (!this.types.includes(type)) throw new Error(`the page did not subscribe to "${type}"`);
    this.handlers.event(type, typeof data === "string" ? data : JSON.stringify(data));
  }
}

/** An `events` implementation that keeps every stream it opened, newest last. */
export function fakeEvents(): {
  streams: FakeEventStream[];
  events: NodeApi["events"];
} {
  const streams: FakeEventStream[] = [];
  return {
    streams,
    events: (types, handlers) => {
      const stream = new FakeEventStream(types, handlers);
      streams.push(stream);
      return stream;
    },
  };
}
