import { readStreamEvents } from "./ndjson.ts";
import type { SettingsPatch } from "../lib/versions.ts";
import type {
  Conversation,
  ConversationList,
  MeshModel,
  PeerAction,
  Settings,
  Status,
  StreamEvent,
  TrustView,
} from "./types.ts";

/** A refusal from the node (non-2xx) with its `{error}` text. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "ApiError";
  }
}

/** The node could not be reached at all (stopped, network gone). */
export class UnreachableError extends Error {
  constructor(readonly path: string, cause: unknown) {
    super(
      `cannot reach this node (${path}): ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = "UnreachableError";
  }
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (init?.signal?.aborted) throw error;
    throw new UnreachableError(path, error);
  }
  if (response.ok) return response;
  let message = `${init?.method ?? "GET"} ${path} failed with HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") message = body.error;
  } catch {
    // Not JSON: keep the status line.
  }
  throw new ApiError(response.status, message);
}

export async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await request(path, init);
  if (response.status === 204) return undefined as T;
  return await response.json() as T;
}

export function send<T>(method: string, path: string, body?: unknown): Promise<T> {
  return json<T>(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

type OnEvent = (event: StreamEvent) => void;

async function stream(
  path: string,
  body: unknown,
  signal: AbortSignal,
  onEvent: OnEvent,
): Promise<void> {
  const response = await request(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/x-ndjson" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.body) throw new ApiError(response.status, `${path} answered without a body`);
  await readStreamEvents(response.body, onEvent);
}

/** The model list, sent bare (live event) or as `{ models }` (GET /api/mesh/models). */
export function meshModelList(body: unknown): MeshModel[] {
  const list = Array.isArray(body) ? body : (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) {
    throw new Error(
      `mesh model list is neither an array nor { models }: ${JSON.stringify(body)?.slice(0, 80)}`,
    );
  }
  return list as MeshModel[];
}

/** Handlers of the live event stream (GET /api/events). */
export interface EventStreamHandlers {
  open(): void;
  /** `closed`: the stream will not retry by itself (the node answered with an error status). */
  error(closed: boolean): void;
  /** One named event with its raw `data` text. */
  event(type: string, data: string): void;
}

/** An open live event stream. */
export interface EventStream {
  close(): void;
}

/**
 * The node's HTTP API as the page uses it. Models take the part they need (`Pick<NodeApi, …>`)
 * as a parameter, so tests give them an in-memory double instead of a server.
 */
export interface NodeApi {
  status(): Promise<Status>;
  models(): Promise<MeshModel[]>;
  settings(): Promise<Settings>;
  saveSettings(patch: Partial<Settings>): Promise<Settings>;
  trust(): Promise<TrustView>;
  peerAction(id: string, action: PeerAction): Promise<{ id: string; status: string | null }>;
  /** A new API token; the node shows it this once and keeps only its hash. */
  rotateToken(): Promise<{ token: string }>;
  conversations(): Promise<ConversationList>;
  conversation(id: string): Promise<Conversation>;
  createConversation(title?: string): Promise<Conversation>;
  updateConversation(
    id: string,
    patch: { title?: string; shared?: boolean; settings?: SettingsPatch },
  ): Promise<Conversation>;
  deleteConversation(id: string): Promise<void>;
  forkConversation(id: string): Promise<Conversation>;
  stopAnswer(id: string): Promise<void>;
  ask(
    id: string,
    content: string,
    model: string | null,
    signal: AbortSignal,
    onEvent: OnEvent,
  ): Promise<void>;
  regenerate(
    id: string,
    model: string | null,
    signal: AbortSignal,
    onEvent: OnEvent,
  ): Promise<void>;
  /** Edit and resend: a new version of question `messageId` with `content`, answered. */
  edit(
    id: string,
    messageId: string,
    content: string,
    model: string | null,
    signal: AbortSignal,
    onEvent: OnEvent,
  ): Promise<void>;
  /** Shows version `messageId` (and what follows it). */
  selectVersion(id: string, messageId: string): Promise<Conversation>;
  /** A short title by the model, while the chat is still titled by its first question. */
  titleByModel(id: string): Promise<Conversation>;
  /** Opens GET /api/events, delivering the named `types`. */
  events(types: readonly string[], handlers: EventStreamHandlers): EventStream;
}

function openEvents(types: readonly string[], handlers: EventStreamHandlers): EventStream {
  const source = new EventSource("/api/events");
  source.onopen = () => handlers.open();
  source.onerror = () => handlers.error(source.readyState === EventSource.CLOSED);
  for (const type of types) {
    source.addEventListener(
      type,
      (event) => handlers.event(type, (event as MessageEvent<string>).data),
    );
  }
  return source;
}

const conv = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

/** The real API: same-origin fetch and EventSource. */
export const api: NodeApi = {
  status: () => json<Status>("/api/status"),
  models: async () => meshModelList(await json<unknown>("/api/mesh/models")),
  settings: () => json<Settings>("/api/settings"),
  saveSettings: (patch) => send<Settings>("PATCH", "/api/settings", patch),
  trust: () => json<TrustView>("/api/trust"),
  peerAction: (id, action) => send("POST", `/api/peers/${encodeURIComponent(id)}/${action}`),
  rotateToken: () => send("POST", "/api/token/rotate"),
  conversations: () => json<ConversationList>("/api/conversations"),
  conversation: (id) => json<Conversation>(conv(id)),
  createConversation: (title) =>
    send<Conversation>("POST", "/api/conversations", title ? { title } : {}),
  updateConversation: (id, patch) => send<Conversation>("PATCH", conv(id), patch),
  deleteConversation: (id) => send<void>("DELETE", conv(id)),
  forkConversation: (id) => send<Conversation>("POST", `${conv(id)}/fork`),
  stopAnswer: (id) => send<void>("POST", `${conv(id)}/stop`),
  ask: (id, content, model, signal, onEvent) =>
    stream(`${conv(id)}/messages`, model ? { content, model } : { content }, signal, onEvent),
  regenerate: (id, model, signal, onEvent) =>
    stream(`${conv(id)}/regenerate`, model ? { model } : {}, signal, onEvent),
  edit: (id, messageId, content, model, signal, onEvent) =>
    stream(
      `${conv(id)}/messages/${encodeURIComponent(messageId)}/edit`,
      model ? { content, model } : { content },
      signal,
      onEvent,
    ),
  selectVersion: (id, messageId) => send<Conversation>("POST", `${conv(id)}/select`, { messageId }),
  titleByModel: (id) => send<Conversation>("POST", `${conv(id)}/title`),
  events: openEvents,
};
