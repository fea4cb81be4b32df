/**
 * The conversations API (the web UI is written against exactly this contract):
 *
 *   GET    /api/conversations                 { local, received: [{ peer, conversations }] }
 *   GET    /api/conversations/:id             Conversation (404)
 *   POST   /api/conversations                 { title? } → 201 Conversation
 *   POST   /api/conversations/:id/messages    { content, model? } → NDJSON answer stream
 *   POST   /api/conversations/:id/messages/:messageId/edit
 *                                             { content, model? } → NDJSON: a new version of that
 *                                             question, answered (edit and resend)
 *   POST   /api/conversations/:id/regenerate  { model?, messageId? } → NDJSON answer stream (no
 *                                             question line): a new version of that answer
 *                                             (default: the last one shown)
 *   POST   /api/conversations/:id/select      { messageId } → Conversation showing that version
 *   POST   /api/conversations/:id/title       Conversation, retitled by the model (only while
 *                                             its title is still its first question; 503 when
 *                                             no model answered)
 *   POST   /api/conversations/:id/stop        204 (404 when no answer is being written)
 *   PATCH  /api/conversations/:id             { title?, shared?, settings? } → Conversation
 *                                             (settings: systemPrompt, temperature,
 *                                             contextLength, model; null removes one)
 *   DELETE /api/conversations/:id             204
 *   POST   /api/conversations/:id/fork        201 the new local Conversation
 *
 * Errors are `{ error }`: 400 bad input, 404 unknown, 409 read-only (received) or busy.
 * Closing an answer stream (the user pressed Stop) stops the answer and saves what arrived.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { z } from "zod";
import {
  ChatSettings,
  MAX_CONTENT_CHARS,
  MAX_TITLE_CHARS,
  RecordId,
} from "../model/conversation.ts";
import type { AskEvent } from "../conversations/ask_event.ts";
import { ChatError } from "../llm/chat.ts";
import { ConversationError, type ConversationService } from "../conversations/service.ts";
import { describeZodError } from "./errors.ts";

const Title = z.string().trim().min(1, "must not be empty").max(
  MAX_TITLE_CHARS,
  `must be at most ${MAX_TITLE_CHARS} characters`,
);
const Model = z.string().trim().min(1, "must not be empty").max(256);

const CreateBody = z.object({ title: Title.optional() });
const AskBody = z.object({
  content: z.string({ error: "must be a string" })
    .max(MAX_CONTENT_CHARS, `must be at most ${MAX_CONTENT_CHARS} characters`)
    .refine((text) => text.trim() !== "", "must not be empty"),
  model: Model.optional(),
});
const RegenerateBody = z.object({ model: Model.optional(), messageId: RecordId.optional() });
const SelectBody = z.object({ messageId: RecordId });
/** Each chat setting as its own field, or null to remove it. */
const SettingsPatch = z.object({
  systemPrompt: ChatSettings.shape.systemPrompt.unwrap().nullable().optional(),
  temperature: ChatSettings.shape.temperature.unwrap().nullable().optional(),
  contextLength: ChatSettings.shape.contextLength.unwrap().nullable().optional(),
  model: ChatSettings.shape.model.unwrap().nullable().optional(),
}).strict();
const PatchBody = z.object({
  title: Title.optional(),
  shared: z.boolean({ error: "must be true or false" }).optional(),
  settings: SettingsPatch.optional(),
})
  .refine(
    (body) => body.title !== undefined || body.shared !== undefined || body.settings !== undefined,
    "give title, shared and/or settings to change",
  );

const STATUS = { not_found: 404, read_only: 409, busy: 409, bad_request: 400 } as const;

export function conversationRoutes(service: ConversationService): Hono {
  const app = new Hono();

  app.get("/api/conversations", (c) => c.json(service.list()));

  app.get("/api/conversations/:id", (c) => {
    const conversation = service.get(c.req.param("id"));
    return conversation ? c.json(conversation) : notFound(c);
  });

  app.post("/api/conversations", async (c) => {
    const body = await parseBody(c, CreateBody);
    if (!body.ok) return body.response;
    return c.json(service.create(body.value), 201);
  });

  app.post("/api/conversations/:id/messages", async (c) => {
    const body = await parseBody(c, AskBody, { required: true });
    if (!body.ok) return body.response;
    return answerStream(c, (signal) => service.ask(c.req.param("id"), body.value, signal));
  });

  app.post("/api/conversations/:id/messages/:messageId/edit", async (c) => {
    const body = await parseBody(c, AskBody, { required: true });
    if (!body.ok) return body.response;
    return answerStream(
      c,
      (signal) => service.edit(c.req.param("id"), c.req.param("messageId"), body.value, signal),
    );
  });

  app.post("/api/conversations/:id/select", async (c) => {
    const body = await parseBody(c, SelectBody, { required: true });
    if (!body.ok) return body.response;
    return guarded(c, () => c.json(service.selectVersion(c.req.param("id"), body.value.messageId)));
  });

  app.post("/api/conversations/:id/title", async (c) => {
    try {
      return c.json(await service.titleByModel(c.req.param("id"), c.req.raw.signal));
    } catch (error) {
      if (error instanceof ConversationError) {
        return c.json({ error: error.message }, STATUS[error.kind]);
      }
      if (error instanceof ChatError) {
        return c.json({ error: `no title from the model: ${error.message}` }, 503);
      }
      throw error;
    }
  });

  app.post("/api/conversations/:id/regenerate", async (c) => {
    const body = await parseBody(c, RegenerateBody);
    if (!body.ok) return body.response;
    return answerStream(c, (signal) => service.regenerate(c.req.param("id"), body.value, signal));
  });

  app.post("/api/conversations/:id/stop", (c) => {
    if (service.stopAnswer(c.req.param("id"))) return c.body(null, 204);
    return c.json({ error: "no answer is being written in this conversation" }, 404);
  });

  app.patch("/api/conversations/:id", async (c) => {
    const body = await parseBody(c, PatchBody, { required: true });
    if (!body.ok) return body.response;
    const { settings, ...header } = body.value;
    return guarded(c, () => {
      const id = c.req.param("id");
      if (settings) service.updateSettings(id, settings);
      if (header.title === undefined && header.shared === undefined) return c.json(service.get(id));
      return c.json(service.update(id, header));
    });
  });

  app.delete("/api/conversations/:id", (c) =>
    guarded(c, () => {
      service.delete(c.req.param("id"));
      return c.body(null, 204);
    }));

  app.post(
    "/api/conversations/:id/fork",
    (c) => guarded(c, () => c.json(service.fork(c.req.param("id")), 201)),
  );

  return app;
}

function notFound(c: Context): Response {
  return c.json({ error: `no conversation ${JSON.stringify(c.req.param("id"))}` }, 404);
}

function guarded(c: Context, fn: () => Response): Response {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConversationError) {
      return c.json({ error: error.message }, STATUS[error.kind]);
    }
    throw error;
  }
}

/** Reads and checks a JSON body; an empty body counts as `{}` unless `required`. */
async function parseBody<T extends z.ZodType>(
  c: Context,
  schema: T,
  options: { required?: boolean } = {},
): Promise<{ ok: true; value: z.infer<T> } | { ok: false; response: Response }> {
  const text = await c.req.text();
  let json: unknown = {};
  if (text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, response: c.json({ error: "request body must be valid JSON" }, 400) };
    }
  } else if (options.required) {
    return { ok: false, response: c.json({ error: "request body must be a JSON object" }, 400) };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return { ok: false, response: c.json({ error: "request body must be a JSON object" }, 400) };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, response: c.json({ error: describeZodError(parsed.error) }, 400) };
  }
  return { ok: true, value: parsed.data };
}

/**
 * Streams answer events as NDJSON, one JSON object a line. Refusals before the stream starts
 * (unknown, read-only, busy, bad input) are plain JSON errors. When the client goes away the
 * answer is aborted; the service saves what arrived.
 */
function answerStream(
  c: Context,
  start: (signal: AbortSignal) => AsyncIterable<AskEvent>,
): Response {
  const controller = new AbortController();
  const clientGone = () => controller.abort(new Error("client closed the answer stream"));
  c.req.raw.signal?.addEventListener("abort", clientGone, { once: true });
  let events: AsyncIterator<AskEvent>;
  try {
    events = start(controller.signal)[Symbol.asyncIterator]();
  } catch (error) {
    c.req.raw.signal?.removeEventListener("abort", clientGone);
    if (error instanceof ConversationError) {
      return c.json({ error: error.message }, STATUS[error.kind]);
    }
    throw error;
  }
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(stream) {
      const next = await events.next();
      if (next.done) {
        c.req.raw.signal?.removeEventListener("abort", clientGone);
        stream.close();
        return;
      }
      stream.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
    },
    cancel() {
      clientGone();
      // Not awaited: the answer finishes saving on its own; the reader is simply gone.
      events.return?.().catch(() => {});
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
