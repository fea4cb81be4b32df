import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import {
  current,
  currentId,
  currentReadOnly,
  entries,
  fork,
  isStreamingHere,
  loadingConversation,
  messages,
  notice,
  regenerate,
} from "../models/conversations.ts";
import { meshModels } from "../models/mesh_models.ts";
import { node, peers } from "../models/status.ts";
import { lastResponseId } from "../lib/messages.ts";
import { Composer } from "./Composer.tsx";
import { ConversationHeader } from "./ConversationHeader.tsx";
import { ForkIcon } from "./icons.tsx";
import { QuestionMessage, ResponseMessage } from "./Message.tsx";

function Welcome() {
  const models = meshModels.value;
  const hosts = new Set(models.flatMap((model) => model.hosts.map((host) => host.nodeId)));
  const online = peers.value.filter((peer) => peer.state === "up").length;
  return (
    <div class="welcome">
      <div class="welcome-mark" aria-hidden="true" />
      <h2>What can I help with?</h2>
      {models.length > 0
        ? (
          <p class="muted">
            {models.length} model{models.length === 1 ? "" : "s"} on {hosts.size} device
            {hosts.size === 1 ? "" : "s"} · {online} peer{online === 1 ? "" : "s"} online
          </p>
        )
        : (
          <p class="callout warn" data-testid="no-llm-hint">
            No LLM is available in the mesh yet. Start Ollama on this device
            {node.value?.name ? ` (${node.value.name})` : ""}, or wait for a device that hosts a
            model.
          </p>
        )}
    </div>
  );
}

function ReadOnlyBar() {
  const id = currentId.value;
  const entry = id ? entries.value.get(id) : undefined;
  const from = entry?.receivedFrom?.name ?? entry?.originName ?? "another device";
  return (
    <div class="readonly-bar" data-testid="readonly-bar">
      <span>
        Received from <strong>{from}</strong> — read-only here.
      </span>
      <button
        type="button"
        class="button primary"
        data-testid="continue-here"
        onClick={() => id && void fork(id)}
      >
        <ForkIcon size={16} /> Continue here
      </button>
    </div>
  );
}

/** Keeps the view pinned to the newest words while the reader has not scrolled up. */
function useStickToBottom(scroller: { current: HTMLElement | null }, deps: unknown[]) {
  const pinned = useRef(true);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, deps);
  useEffect(() => {
    pinned.current = true;
  }, [currentId.value]);
}

export function ChatView() {
  const scroller = useRef<HTMLDivElement>(null);
  const list = messages.value;
  const readOnly = currentReadOnly.value;
  const streaming = isStreamingHere.value;
  const lastAnswer = lastResponseId(list);
  const problem = notice.value;
  const showProblem = problem && problem.conversationId === currentId.value;
  // A failed answer carries its notice; other problems stand under the conversation.
  const problemOn = showProblem && problem.messageId &&
      list.some((message) => message.id === problem.messageId)
    ? problem.messageId
    : null;
  useStickToBottom(scroller, [list, problem]);

  return (
    <section class="chat" aria-label="Chat">
      <ConversationHeader />
      <div class="messages" ref={scroller} data-testid="messages">
        <div class="messages-inner">
          {list.length === 0 && !loadingConversation.value && !currentId.value && <Welcome />}
          {list.length === 0 && currentId.value && current.value && !showProblem && (
            <div class="welcome small muted">No messages yet.</div>
          )}
          {list.map((message) =>
            message.messageType === "Question"
              ? <QuestionMessage key={message.id} message={message} />
              : (
                <ResponseMessage
                  key={message.id}
                  message={message}
                  canRegenerate={!readOnly && !streaming && message.id === lastAnswer}
                  hint={problemOn === message.id ? problem?.text : undefined}
                  onRegenerate={() => void regenerate()}
                />
              )
          )}
          {showProblem && !problemOn && (
            <div
              class={`callout ${problem.kind === "unreachable" ? "error" : "warn"}`}
              role="alert"
              data-testid="chat-notice"
            >
              {problem.text}
            </div>
          )}
        </div>
      </div>
      <div class="composer-dock">
        {readOnly ? <ReadOnlyBar /> : <Composer />}
        <p class="composer-hint muted">
          Answers come from LLMs on your network and can be wrong.
        </p>
      </div>
    </section>
  );
}
